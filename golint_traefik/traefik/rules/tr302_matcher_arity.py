"""TR302 matcher-arity: a matcher called with a number of arguments its rule syntax does not accept."""

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik.rulelang import MATCHERS, RouterRule, matchers

_COUNTS = {(1,): "one argument", (2,): "two arguments (name, value)", (1, 2): "one or two arguments (key[, value])"}


@traefik_rule("TR302")
def check(p: TraefikPass) -> None:
    for rr, m in matchers(p.project):
        spec = m.spec
        if spec is None:
            continue
        n = len(m.args)
        if spec.accepts(n):
            if spec.syntax == "v2" and spec.name == "Query" and _v2_query_odd(m):
                p.report(rr.span(m.start, m.end),
                         f"rule of {rr.owner()}: {m.source(rr.text)} needs key=value arguments under the "
                         f"{_syntax(rr)}; Traefik rejects an argument without '='",
                         fix="write each query argument as key=value")
            continue
        if n > 1 and spec.arities == (1,) and spec.name in MATCHERS[("v2", rr.protocol)]:
            continue  # a v2 argument list under v3: TR303 v2-matcher-under-v3
        p.report(rr.span(m.start, m.end), f"rule of {rr.owner()}: {_message(rr, m, n)}")


def _syntax(rr: RouterRule) -> str:
    return "Traefik v2 rule syntax" if rr.syntax_reason == "Traefik v2" else f"{rr.syntax} rule syntax"


def _message(rr: RouterRule, m, n: int) -> str:
    spec = m.spec
    got = "no argument" if n == 0 else f"{n} argument{'s' if n != 1 else ''}"
    if spec.arities is None:
        want = "key/value pairs (an even number of arguments)" if spec.pairs and n else "at least one argument"
    else:
        want = _COUNTS.get(spec.arities, f"{spec.arities} arguments")
    message = f"{m.canonical} takes {want} under the {_syntax(rr)}, got {got}; Traefik rejects the rule"
    if spec.name == "Header" and n == 1:
        key, sep, value = m.args[0].value.partition(":")
        if sep:
            message += f"; write Header(`{key.strip()}`, `{value.strip()}`)"
        else:
            message += f"; to match any value write HeaderRegexp(`{key}`, `.*`)"
    return message


def _v2_query_odd(m) -> bool:
    parts = sum(2 if "=" in a.value else 1 for a in m.args)
    return parts % 2 == 1
