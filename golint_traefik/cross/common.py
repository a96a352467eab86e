"""What the XS rules share: health checks, target ports, server ports, and when a program can be judged."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from golint_traefik.cross import facts as F
from golint_traefik.cross.model import CrossModel, Link, RoutePath, listen_port
from golint_traefik.finding import Span
from golint_traefik.traefik.resources import Resource
from golint_traefik.traefik.tree import CNode
from golint_traefik.traefik.values import HEALTHCHECK_TIMEOUT, hc_duration


@dataclass
class HealthCheck:
    owner: str  # how messages name the service: 'service "orders@docker"'
    node: CNode  # the healthCheck map
    path_node: CNode
    path: str
    method: str
    link: Link
    service: Resource | None
    port: int | None
    timeout: float
    timeout_node: CNode | None


def health_checks(model: CrossModel) -> list[HealthCheck]:
    """HTTP health checks of linked services (file, labels, IngressRoute ``services[]``)."""
    out: list[HealthCheck] = []
    version = model.project.version
    for res in model.http_services():
        hc = res.node.find("loadBalancer.healthCheck") if res.node.is_map else None
        if hc is None or not hc.is_map:
            continue
        link = model.link(res)
        if link is not None:
            h = _health(res.describe(), hc, link, res, version)
            if h is not None:
                if h.port is None:  # the check goes to the server's own port
                    ports = {t.port for t in service_targets(model, res, link)}
                    h.port = ports.pop() if len(ports) == 1 else None
                out.append(h)
    for router in model.http_routers():
        if router.source != "crd":
            continue
        items = router.node.get("services") if router.node.is_map else None
        for item in items.items if items is not None and items.is_seq else ():
            hc = item.get("healthCheck") if item.is_map else None
            if hc is None or not hc.is_map:
                continue
            link = model.link_crd_service(item, router.namespace)
            if link is not None:
                name = item.get("name")
                h = _health(f'Service "{name.text() if name is not None else "?"}" of {router.describe()}', hc, link, None,
                            version)
                if h is not None:
                    if h.port is None:
                        t = crd_target(item, link)
                        h.port = t.port if t is not None else None
                    out.append(h)
    return out


def _health(owner: str, hc: CNode, link: Link, res: Resource | None, version: int) -> HealthCheck | None:
    path_node = hc.get("path")
    if path_node is None or not path_node.is_scalar or not path_node.text():
        return None
    mode = hc.get("mode")
    if mode is not None and (mode.text() or "").lower() == "grpc":
        return None
    path = (path_node.text() or "").split("?", 1)[0]
    if not path.startswith("/") or "$" in path or "{{" in path:
        return None
    method_node = hc.get("method")
    method = (method_node.text() or "GET").upper() if method_node is not None else "GET"
    port_node = hc.get("port")
    port = int(port_node.text() or "") if port_node is not None and (port_node.text() or "").isdigit() else None
    tnode = hc.get("timeout")
    timeout = hc_duration(tnode, version) if tnode is not None else None
    return HealthCheck(owner, hc, path_node, path, method, link, res, port, timeout or HEALTHCHECK_TIMEOUT, tnode)


@dataclass
class Target:
    """A port Traefik sends a service's requests to, as the Go program sees it."""

    port: int
    node: CNode  # where it is written (label, URL, IngressRoute port)
    written: str  # as written: "8000", "http://orders:8000"
    via: str = ""  # how the container port was found, for messages ("Service port 80 -> targetPort 8080")


def service_targets(model: CrossModel, res: Resource, link: Link) -> list[Target]:
    """Container ports Traefik uses for a file/labels service linked to ``link``."""
    out: list[Target] = []
    port_node = res.node.find("loadBalancer.server.port") if res.node.is_map else None
    if port_node is not None and port_node.is_scalar:
        text = (port_node.text() or "").strip()
        if text.isdigit():
            out.append(Target(int(text), port_node, text))
    for url, node in model.server_urls(res):
        t = url_target(url, node, link)
        if t is not None:
            out.append(t)
    return out


def url_target(url: str, node: CNode, link: Link) -> Target | None:
    try:
        parts = urlsplit(url)
        port = parts.port
        host = parts.hostname or ""
    except ValueError:
        return None
    if port is None:
        port = {"http": 80, "https": 443, "h2c": 80}.get(parts.scheme.lower())
    if port is None:
        return None
    if link.k8s_service is not None:
        return k8s_target(str(port), node, url, link)
    d = link.deployment
    if d.host_ports and host.lower() in ("localhost", "127.0.0.1", "host.docker.internal", "::1"):
        if port in d.host_ports:
            return Target(d.host_ports[port], node, url, f"host port {port} -> container port {d.host_ports[port]}")
        return None
    return Target(port, node, url)


def k8s_target(port: str, node: CNode, written: str, link: Link) -> Target | None:
    svc = link.k8s_service
    if svc is None:
        return None
    tgt = svc.target(port)
    if tgt is None:
        return None
    if tgt.isdigit():
        n = int(tgt)
    else:
        n = link.deployment.ports.get(tgt)
        if n is None:
            return None
    via = f'Service "{svc.name}" port {port} -> targetPort {tgt}' if tgt != port else ""
    return Target(n, node, written, via)


def crd_target(item: CNode, link: Link) -> Target | None:
    port = item.get("port")
    if port is None or not port.is_scalar or not port.text():
        return None
    return k8s_target((port.text() or "").strip(), port, port.text() or "", link)


def server_ports(link: Link) -> list[tuple[F.Server, int | None, str | None]]:
    """(server, port, address) of every server of the program in this deployment (port None: unknown)."""
    out = []
    for s in link.program.servers:
        addr = link.value(s.addr)
        out.append((s, listen_port(addr), addr))
    return out


def judgeable(link: Link, port: int | None = None) -> bool:
    """Whether the program's routes are known well enough to say a path is *not* served.

    It needs routes, every registration's path a constant, and no server on
    the port Traefik uses (any port when not known) whose handler is not a
    router we read (``http.ListenAndServe(addr, someHandler)`` may answer
    every path).
    """
    prog = link.program
    if not prog.routes or prog.unknown_routes:
        return False
    for s, p, _ in server_ports(link):
        if prog.is_router(s.handler):
            continue
        if port is None or p is None or p == port:
            return False
    return True


def related_routes(routes: list[RoutePath], n: int = 3) -> list[tuple[Span, str]]:
    return [(rp.route.span, f"route {rp.text} registered here") for rp in routes[:n]]


def served_paths(routes: list[RoutePath], n: int = 4) -> str:
    texts = []
    for rp in routes:
        if rp.text not in texts:
            texts.append(rp.text)
    more = f", … ({len(texts)} in all)" if len(texts) > n else ""
    return ", ".join(texts[:n]) + more
