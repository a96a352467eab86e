"""TR703 ipwhitelist-renamed: the ipWhiteList middleware, deprecated in v3 for ipAllowList."""

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik.resources import MIDDLEWARE


@traefik_rule("TR703")
def check(p: TraefikPass) -> None:
    if p.version < 3:
        return
    for res in p.project.select(MIDDLEWARE):
        node = res.node.get("ipWhiteList") if res.node.is_map else None
        if node is None:
            continue
        both = res.node.get("ipAllowList") is not None
        extra = "; with ipAllowList next to it Traefik rejects the middleware as having two types" if both else ""
        p.report(node.where,
                 f"{res.describe()} uses {node.key}, deprecated since Traefik v2.11 (a warning on every configuration "
                 f"reload): rename it to ipAllowList, the options are the same{extra}",
                 fix="rename ipWhiteList to ipAllowList")
