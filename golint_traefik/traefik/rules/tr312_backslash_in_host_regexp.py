"""TR312 backslash-in-host-regexp: a host regexp that needs a literal backslash (an escape written twice)."""

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik import goregexp
from golint_traefik.traefik.rulelang import router_rules


@traefik_rule("TR312")
def check(p: TraefikPass) -> None:
    for rr in router_rules(p.project):
        if rr.syntax != "v3" or rr.parsed.error is not None:
            continue
        for m in rr.parsed.matchers:
            if m.canonical not in ("HostRegexp", "HostSNIRegexp") or len(m.args) != 1:
                continue
            arg = m.args[0]
            at = _literal_backslash(arg.value)
            if at < 0 or goregexp.check(arg.value) is not None:
                continue
            fixed = arg.value.replace("\\\\", "\\")
            p.report(rr.span(arg.at(at), arg.at(at + 1) + 1),
                     f"rule of {rr.owner()}: {m.canonical}(`{arg.value}`) requires a literal backslash (\\\\), which "
                     f"no host name contains, so the pattern never matches; the backslash is escaped twice: write "
                     f"{m.canonical}(`{fixed}`)", fix=f"write {m.canonical}(`{fixed}`)")


def _literal_backslash(pattern: str) -> int:
    """Offset of the first ``\\\\`` outside a character class, or -1."""
    i, in_class = 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            if pattern[i + 1:i + 2] == "\\" and not in_class:
                return i
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
            if pattern[i + 1:i + 2] == "^":
                i += 1
            if pattern[i + 1:i + 2] == "]":
                i += 1
        i += 1
    return -1
