"""TR312 backslash-in-host-regexp: a host regexp that needs a literal backslash (an escape written twice)."""

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik import goregexp
from golint_traefik.traefik.rulelang import matchers


@traefik_rule("TR312")
def check(p: TraefikPass) -> None:
    for rr, m in matchers(p.project, "v3"):
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
    return next((i for i, tok, in_class in goregexp.tokens(pattern) if tok == "\\\\" and not in_class), -1)
