"""TR304 v2-placeholder-under-v3: a v2 {placeholder} in a path or host matcher parsed with the v3 syntax."""

import re

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik.rulelang import matchers, templates

# Matchers that took gorilla/mux templates in v2, and what v3 does with "{id}".
_LITERAL = {"Path", "PathPrefix"}  # compared as plain strings
_REGEXP = {"HostRegexp", "PathRegexp", "HostSNIRegexp"}  # Go regexp: "{id}" is not a count, so a literal
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_QUOTE = re.compile(r"([\\.+*?()|\[\]{}^$])")


@traefik_rule("TR304")
def check(p: TraefikPass) -> None:
    for rr, m in matchers(p.project, "v3"):
        name = m.canonical
        if name not in _LITERAL and name not in _REGEXP:
            continue
        for arg in m.args:
            found, _ = templates(arg.value)
            found = [t for t in found if _NAME.match(t.name)]
            if not found:
                continue
            t = found[0]
            placeholder = arg.value[t.start:t.end]
            if name in _LITERAL:
                what = f"{name} compares paths as plain text under v3, so \"{placeholder}\" only matches itself"
            else:
                what = f"{name} reads \"{placeholder}\" as literal text under v3 (it is a Go regexp, not a template)"
            rewrite = _rewrite(name, arg.value, found)
            message = f"rule of {rr.owner()}: {what} and the router never matches the intended requests"
            if rewrite:
                message += f"; write {rewrite}"
            p.report(rr.span(arg.at(t.start), arg.at(t.end - 1) + 1), message,
                     fix=f"replace with {rewrite}" if rewrite else "use a v3 regexp matcher")


def _rewrite(name: str, value: str, found) -> str | None:
    """The v3 regexp matcher equivalent to a v2 template."""
    if name not in ("Path", "PathPrefix", "HostRegexp"):
        return None
    host = name == "HostRegexp"
    default = "[^.]+" if host else "[^/]+"
    out, last = [], 0
    for t in found:
        out.append(_QUOTE.sub(r"\\\1", value[last:t.start]))
        out.append(t.pattern or default)
        last = t.end
    out.append(_QUOTE.sub(r"\\\1", value[last:]))
    body = "".join(out)
    end = "" if name == "PathPrefix" else "$"
    return f"{'HostRegexp' if host else 'PathRegexp'}(`^{body}{end}`)"
