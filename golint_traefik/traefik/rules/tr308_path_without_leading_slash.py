"""TR308 path-without-leading-slash: Path or PathPrefix with a value that does not start with "/"."""

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik.rulelang import matchers


@traefik_rule("TR308")
def check(p: TraefikPass) -> None:
    for rr, m in matchers(p.project):
        if m.canonical not in ("Path", "PathPrefix"):
            continue
        for arg in m.args:
            value = arg.value
            if not value or value.startswith("/"):
                continue  # empty: TR301
            fixed = _fix(value)
            message = (f"rule of {rr.owner()}: {m.canonical}(`{value}`) does not start with \"/\", so Traefik "
                       f"rejects the rule; write {m.canonical}(`{fixed}`)")
            p.report(rr.span(arg.start, arg.end), message, fix=f"write {m.canonical}(`{fixed}`)")


def _fix(value: str) -> str:
    if "://" in value:  # a URL: keep its path
        rest = value.split("://", 1)[1]
        return rest[rest.find("/"):] if "/" in rest else "/"
    return "/" + value.lstrip()
