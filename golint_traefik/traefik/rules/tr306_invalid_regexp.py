"""TR306 invalid-regexp: a regexp argument of a router rule that Go's regexp package does not compile."""

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik import goregexp
from golint_traefik.traefik.rulelang import matchers, templates


@traefik_rule("TR306")
def check(p: TraefikPass) -> None:
    for rr, m in matchers(p.project):
        spec = m.spec
        if spec is None:
            continue
        for i in spec.regexp_indexes(len(m.args)):
            arg = m.args[i]
            err = goregexp.check(arg.value)
            if err is not None:
                p.report(rr.span(arg.at(err.offset), arg.at(err.offset + max(len(err.expr), 1) - 1) + 1),
                         f"rule of {rr.owner()}: the regexp of {m.canonical} does not compile in Go: {err.describe()}",
                         fix="rewrite the regexp in Go (RE2) syntax")
        if not spec.templates:
            continue
        for arg in m.args:  # v2: gorilla/mux templates, each {name:pattern} compiled as a regexp
            found, problem = templates(arg.value)
            if problem:
                p.report(rr.span(arg.start, arg.end),
                         f"rule of {rr.owner()}: {m.canonical}(`{arg.value}`) is not a valid v2 template: {problem}",
                         fix="balance the braces; each {name:pattern} needs a name and a pattern")
                continue
            for t in found:
                if t.pattern is None:
                    continue
                err = goregexp.check(t.pattern)
                if err is not None:
                    at = t.pattern_start + err.offset
                    p.report(rr.span(arg.at(at), arg.at(at + max(len(err.expr), 1) - 1) + 1),
                             f"rule of {rr.owner()}: the pattern of {{{t.name}}} in {m.canonical} does not compile "
                             f"in Go: {err.describe()}", fix="rewrite the pattern in Go (RE2) syntax")
