"""TR606 router-tls-on-plain-entrypoint: a TLS router attached only to plain-HTTP entrypoints on port 80."""

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik.resources import ROUTER
from golint_traefik.traefik.values import parse_address, router_entry_points


@traefik_rule("TR606")
def check(p: TraefikPass) -> None:
    entry_points = p.project.entry_points()
    if not entry_points:
        return
    seen: set[int] = set()
    for res in p.project.select(ROUTER, "http"):
        if not res.active or res.templated:
            continue
        tls = _tls(res)
        if tls is None or id(tls) in seen:
            continue  # an IngressRoute's spec.tls is shared by its routes: report it once
        seen.add(id(tls))
        names, explicit = router_entry_points(res, entry_points)
        if not explicit or not names or any(n not in entry_points for n in names):
            continue
        if not all(_plain_port_80(entry_points[n]) for n in names):
            continue
        eps = ", ".join(names)
        what = res.describe()
        if res.source == "crd":
            what = f'{res.crd_kind} "{res.namespace + "/" if res.namespace else ""}{res.local_name}"'
        p.report(tls.where,
                 f"{what} has TLS but is attached only to entrypoint{'s' if len(names) > 1 else ''} {eps} "
                 "on port 80: Traefik serves it only to TLS connections there, which browsers never make to port 80, "
                 "so http:// requests get 404 and https:// requests (port 443) never reach it",
                 fix="attach the router to the HTTPS entrypoint (e.g. websecure on :443)")


def _tls(res):
    """The router's TLS section when it turns TLS on, else None."""
    if res.source == "crd":
        spec = res.manifest.get("spec") if res.manifest is not None else None
        node = spec.get("tls") if spec is not None and spec.is_map else None
    else:
        node = res.node.get("tls") if res.node.is_map else None
    if node is None:
        return None
    if node.is_scalar and node.as_bool() is not True:
        return None  # tls=false (labels)
    return node


def _plain_port_80(ep) -> bool:
    addr_node = ep.get("address") if ep.is_map else None
    addr = parse_address(addr_node.text() if addr_node is not None else None)
    if addr is None or addr.port != 80 or addr.protocol != "tcp":
        return False
    return ep.find("http.tls") is None
