"""TR211 unused-service: a service nothing in the project routes to."""

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik.resources import ROUTER, SERVICE


@traefik_rule("TR211")
def check(p: TraefikPass) -> None:
    project = p.project
    used, blind = project.usage(SERVICE)
    if "*" in blind:
        return
    used.update(_linked_by_labels(project))
    for res in project.select(SERVICE):
        if id(res) in used or not res.active or res.templated:
            continue
        if res.provider in blind or res.provider in project.incomplete or res.provider == "internal":
            continue
        if res.source == "labels" and _port_hint(res):
            continue  # "...services.x.loadbalancer.server.port=8080": tells Traefik the container's port
        p.report(res.where, f"{res.describe()} is defined but no router or service of the project uses it",
                 fix="point a router at it, or delete it")


def _port_hint(res) -> bool:
    """A label service that only sets the port: Swarm needs one per service, and it is often only a hint."""
    lb = res.node.get("loadBalancer") if res.node.is_map else None
    if lb is None or not lb.is_map or len(res.node.entries) != 1:
        return False
    server = lb.get("server")
    return len(lb.entries) == 1 and server is not None and server.is_map and [
        (e.key or "").lower() for e in server.entries] == ["port"]


def _linked_by_labels(project) -> set[int]:
    """Label services Traefik links to routers itself (one service per container and protocol)."""
    groups: dict[tuple, dict[str, list]] = {}
    for res in project.resources:
        if res.source == "labels" and res.kind in (ROUTER, SERVICE):
            key = (res.path, res.container, res.provider, res.protocol)
            groups.setdefault(key, {ROUTER: [], SERVICE: []})[res.kind].append(res)
    out: set[int] = set()
    for (_, _, _, proto), found in groups.items():
        services, routers = found[SERVICE], found[ROUTER]
        if len(services) != 1:
            continue
        implicit = any(not (r.node.is_map and r.node.get("service") is not None) for r in routers)
        if implicit or (proto == "http" and not routers):
            out.add(id(services[0]))
    return out
