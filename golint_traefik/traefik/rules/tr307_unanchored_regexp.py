"""TR307 unanchored-regexp: a HostRegexp, HostSNIRegexp or PathRegexp that can match anywhere in the value."""

import re

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik import goregexp
from golint_traefik.traefik.rulelang import matchers, templates

_WHAT = {"HostRegexp": "host", "HostSNIRegexp": "server name", "PathRegexp": "path"}
_FLAGS = re.compile(r"^(?:\(\?[imsU-]*\))*")
_PLAIN_HOST = re.compile(r"^[A-Za-z0-9.-]+$")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


@traefik_rule("TR307")
def check(p: TraefikPass) -> None:
    for rr, m in matchers(p.project, "v3"):
        what = _WHAT.get(m.canonical or "")
        if what is None or len(m.args) != 1:
            continue
        value = m.args[0].value
        if not value or goregexp.check(value) is not None:
            continue  # TR306 invalid-regexp
        if any(_NAME.match(t.name) for t in templates(value)[0]):
            continue  # a v2 template: TR304 v2-placeholder-under-v3
        alternatives = _top_level_alternatives(value)
        starts = all(_anchored_start(a) for a in alternatives)
        ends = all(_anchored_end(a) for a in alternatives)
        if m.canonical == "PathRegexp" and (starts or ends):
            continue  # a prefix (^/api) or a suffix (\.png$) match is a deliberate choice for paths
        if starts and ends:
            continue
        missing = " and ".join(x for x, ok in (("^", starts), ("$", ends)) if not ok)
        fixed = _anchor(value, starts, ends)
        example = _example(value, starts, ends, what)
        message = (f"rule of {rr.owner()}: {m.canonical}(`{value}`) has no {missing}: Go regexps match anywhere "
                   f"in the {what}, so it also matches {example}; write {m.canonical}(`{fixed}`)")
        p.report(rr.span(m.start, m.end), message, fix=f"anchor the regexp: {fixed}")


def _top_level_alternatives(value: str) -> list[str]:
    out, depth, start = [], 0, 0
    for i, tok, in_class in goregexp.tokens(value):
        if in_class:
            continue
        if tok == "(":
            depth += 1
        elif tok == ")":
            depth -= 1
        elif tok == "|" and depth == 0:
            out.append(value[start:i])
            start = i + 1
    out.append(value[start:])
    return out


def _anchored_start(alt: str) -> bool:
    body = alt[_FLAGS.match(alt).end():]
    return body.startswith(("^", "\\A", ".*", ".+"))


def _anchored_end(alt: str) -> bool:
    return alt.endswith(("$", "\\z", ".*", ".+")) and not alt.endswith(("\\$", "\\.*", "\\.+"))


def _anchor(value: str, starts: bool, ends: bool) -> str:
    flags = _FLAGS.match(value).group(0)
    body = value[len(flags):]
    if _PLAIN_HOST.match(body):
        body = body.replace(".", r"\.")
    if len(_top_level_alternatives(body)) > 1:
        body = f"(?:{body})"
    return f"{flags}{'' if starts else '^'}{body}{'' if ends else '$'}"


def _example(value: str, starts: bool, ends: bool, what: str) -> str:
    plain = _FLAGS.sub("", value)
    if what == "path" or not _PLAIN_HOST.match(plain):
        return f"any {what} that merely contains a match"
    left = "" if starts else "evil-"
    right = "" if ends else ".attacker.net"
    return f'"{left}{plain}{right}"'
