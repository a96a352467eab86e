"""TR209 label-router-multiple-services: a label router without service on a container with several services."""

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik.resources import ROUTER, SERVICE


@traefik_rule("TR209")
def check(p: TraefikPass) -> None:
    groups: dict[tuple, dict[str, list]] = {}
    for res in p.project.resources:
        if res.source != "labels" or res.kind not in (ROUTER, SERVICE) or not res.active:
            continue
        key = (res.path, res.container, res.provider, res.protocol)
        groups.setdefault(key, {ROUTER: [], SERVICE: []})[res.kind].append(res)
    for (_, container, _, proto), found in groups.items():
        services = found[SERVICE]
        if len(services) < 2:
            continue
        names = ", ".join(f'"{s.name}"' for s in services)
        for router in found[ROUTER]:
            if router.node.is_map and router.node.get("service") is not None:
                continue
            kind = {"tcp": "TCP ", "udp": "UDP "}.get(proto, "")
            p.report(router.where,
                     f'{router.describe()} has no service label, and compose service "{container}" defines '
                     f"{len(services)} {kind}services ({names}); Traefik drops the router (\"cannot be linked "
                     "automatically with multiple Services\")",
                     related=[(s.where, f"{kind}service defined here") for s in services],
                     fix=f"add traefik.{proto}.routers.{router.name}.service=<one of {names}>")
