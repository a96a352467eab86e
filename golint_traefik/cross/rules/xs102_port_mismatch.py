"""XS102 port-mismatch: Traefik sends a service's requests to a port the linked Go program does not listen on."""

import re

from golint_traefik.cross.common import Target, crd_target, server_ports, service_targets, url_target
from golint_traefik.cross.model import Link, is_loopback_host, listen_host
from golint_traefik.cross.run import CrossPass
from golint_traefik.registry import cross_rule


@cross_rule("XS102")
def check(p: CrossPass) -> None:
    m = p.model
    for res in m.http_services():
        link = m.link(res)
        if link is not None:
            for t in service_targets(m, res, link):
                _check(p, f"service \"{res.qualified}\"", t, link)
    for mw in m.project.resources:
        if mw.kind != "middleware" or mw.protocol != "http" or not mw.active or not mw.node.is_map:
            continue
        addr = mw.node.find("forwardAuth.address")
        if addr is not None and addr.is_scalar and addr.text():
            link = m.link_url(addr.text() or "", mw.path)
            t = url_target(addr.text() or "", addr, link) if link is not None else None
            if t is not None:
                _check(p, f"forwardAuth middleware \"{mw.qualified}\"", t, link)
    for router in m.http_routers():
        if router.source != "crd":
            continue
        items = router.node.get("services") if router.node.is_map else None
        for item in items.items if items is not None and items.is_seq else ():
            if not item.is_map:
                continue
            link = m.link_crd_service(item, router.namespace)
            t = crd_target(item, link) if link is not None else None
            if t is not None:
                name = item.get("name")
                _check(p, f'{router.describe()} (Service "{name.text() if name is not None else "?"}")', t, link)


# Import paths that may start a server the linter does not read (web frameworks, RPC, sockets).
_SERVING = re.compile(r"(?:^|/)(?:net|http\w*|grpc\w*|rpc|rest|server|web\w*|api|gateway|echo|gin|fiber|chi|mux|router|"
                      r"socket\w*|twirp|connect\w*|go-zero|iris|beego|hertz|kratos|micro|fasthttp|httprouter|goji)"
                      r"(?:$|[/.\-_])|http|grpc|websocket", re.I)


def _serves_nothing(link: Link) -> bool:
    """Whether the program certainly starts no server: none found, and nothing imported that could start one."""
    prog = link.program
    if prog.servers or prog.routes or prog.unknown_routes:
        return False
    return not any(_SERVING.search(imp) for pf in prog.packages for imp in pf.imports)


def _check(p: CrossPass, owner: str, t: Target, link: Link) -> None:
    ports = server_ports(link)
    prog = link.program
    via = f" ({t.via})" if t.via else ""
    if not ports and _serves_nothing(link):
        p.report(
            t.node,
            f"{owner} sends requests to port {t.port}{via}, but the Go program in {prog.label} starts no HTTP server "
            f"(it imports no networking or web package): Traefik cannot connect and answers 502 Bad Gateway",
            related=[(prog.anchor, f"linked through {link.how}")] if prog.anchor else [],
        )
        return
    if not ports or any(port is None for _, port, _ in ports):
        return  # an address we cannot work out: it may be the right one
    matching = [(s, addr) for s, port, addr in ports if port == t.port]
    if not matching:
        addrs = ", ".join(sorted({addr or "?" for _, _, addr in ports}))
        p.report(
            t.node,
            f"{owner} sends requests to port {t.port}{via}, but the Go program in {prog.label} listens on {addrs}: "
            f"Traefik cannot connect and answers 502 Bad Gateway",
            related=[(s.addr.span if s.addr is not None else s.span, f"listens on {s.addr.describe() if s.addr else addr} "
                      f"({s.via}); linked through {link.how}") for s, _, addr in ports],
        )
        return
    if link.deployment.networked and all(addr and is_loopback_host(listen_host(addr)) for _, addr in matching):
        s, addr = matching[0]
        p.report(
            t.node,
            f"{owner} sends requests to port {t.port}{via}, but the Go program in {prog.label} listens on {addr}, a "
            f"loopback address: Traefik runs in another container and cannot connect (502 Bad Gateway); listen on "
            f'":{t.port}"',
            related=[(s.addr.span if s.addr is not None else s.span, f"listens on {addr} ({s.via})")],
        )
