"""XS104 timeout-inversion: Traefik and the Go server behind it time out in an order that loses requests."""

from __future__ import annotations

from golint_traefik.cross import facts as F
from golint_traefik.cross.common import Target, crd_target, server_ports, service_targets
from golint_traefik.cross.model import Link
from golint_traefik.cross.run import CrossPass
from golint_traefik.registry import cross_rule
from golint_traefik.traefik.model import FOUND
from golint_traefik.traefik.resources import TRANSPORT
from golint_traefik.traefik.tree import CNode
from golint_traefik.traefik.values import format_seconds, node_duration, router_entry_points

IDLE_CONN_DEFAULT = 90.0  # Traefik's forwardingTimeouts.idleConnTimeout default


def _servers(link: Link, targets: list[Target]) -> list[F.Server]:
    ports = {t.port for t in targets}
    out = []
    for s, port, _ in server_ports(link):
        if not ports or port is None or port in ports:
            out.append(s)
    return out


def _timeouts(s: F.Server) -> dict[str, F.Duration]:
    return {d.name: d for d in s.timeouts}


def _idle(s: F.Server) -> tuple[F.Duration, float] | None:
    """The server's keep-alive idle timeout: IdleTimeout, or ReadTimeout when IdleTimeout is zero (net/http, fiber)."""
    t = _timeouts(s)
    idle = t.get("IdleTimeout")
    if idle is not None and idle.seconds is None:
        return None
    if idle is not None and idle.seconds > 0:
        return idle, idle.seconds
    if idle is not None and idle.seconds < 0:
        return None
    read = t.get("ReadTimeout")
    if read is not None and read.seconds is not None and read.seconds > 0:
        return read, read.seconds
    return None


def _transport(p: CrossPass, owner, item: CNode | None) -> tuple[CNode | None, str]:
    """The forwardingTimeouts node of the servers transport a service uses, and how to name it."""
    project = p.project
    for ref in project.refs:
        if ref.owner is not owner or ref.kind != TRANSPORT:
            continue
        if item is not None and item.get("serversTransport") is not ref.node:
            continue
        res = project.resolve(ref)
        if res.status == FOUND and res.targets:
            t = res.targets[0]
            node = t.node.get("forwardingTimeouts") if t.node.is_map else None
            return node, f'serversTransport "{ref.text}"'
        return None, ""  # unknown transport: defaults cannot be assumed
    for s in project.static:
        node = s.root.find("serversTransport.forwardingTimeouts")
        if node is not None:
            return node, "the default serversTransport"
    return None, "the default serversTransport"


@cross_rule("XS104")
def check(p: CrossPass) -> None:
    m = p.model
    done: set = set()
    uses: list[tuple[object, Link, list[Target], CNode | None, str]] = []
    for res in m.http_services():
        link = m.link(res)
        if link is not None:
            uses.append((res, link, service_targets(m, res, link), None, f'service "{res.qualified}"'))
    for router in m.http_routers():
        if router.source == "crd":
            items = router.node.get("services") if router.node.is_map else None
            for item in items.items if items is not None and items.is_seq else ():
                if item.is_map:
                    link = m.link_crd_service(item, router.namespace)
                    if link is not None:
                        t = crd_target(item, link)
                        uses.append((router, link, [t] if t else [], item, router.describe()))
    for owner, link, targets, item, label in uses:
        servers = _servers(link, targets)
        if not servers:
            continue
        fwd, tname = _transport(p, owner, item)
        if not tname:
            continue
        _response_header(p, label, fwd, link, servers, done)
        _idle_conn(p, label, fwd, tname, owner, link, servers, done)
    for router in m.http_routers():
        links = m.router_service_links(router)
        if links:
            _entrypoint_write(p, router, links, done)


def _longer_writes(node, servers, limit: float, done: set):
    """(server, its WriteTimeout) for the Go servers whose WriteTimeout is longer than ``limit``, each
    once per Traefik setting ``node``."""
    for s in servers:
        w = _timeouts(s).get("WriteTimeout")
        if w is None or w.seconds is None or w.seconds <= limit or (id(node), w.span) in done:
            continue
        done.add((id(node), w.span))
        yield s, w


def _response_header(p, label, fwd, link, servers, done) -> None:
    node = fwd.get("responseHeaderTimeout") if fwd is not None and fwd.is_map else None
    rht = node_duration(node)
    if node is None or not rht or rht <= 0:
        return
    for s, w in _longer_writes(node, servers, rht, done):
        p.report(
            node,
            f"{label} waits {format_seconds(rht)} for response headers (responseHeaderTimeout) and then answers "
            f"504 Gateway Timeout, but the Go server in {link.program.label} gives its handlers "
            f"{format_seconds(w.seconds)} (WriteTimeout): a request slower than {format_seconds(rht)} is dropped by "
            f"Traefik while the handler keeps working; make responseHeaderTimeout longer than WriteTimeout, or shorten "
            f"WriteTimeout",
            related=[(w.span, f"WriteTimeout {format_seconds(w.seconds)} ({s.via})")],
        )


def _idle_conn(p, label, fwd, tname, owner, link, servers, done) -> None:
    node = fwd.get("idleConnTimeout") if fwd is not None and fwd.is_map else None
    if node is not None:
        t = node_duration(node)
        if t is None:
            return
    else:
        t = IDLE_CONN_DEFAULT
    if t <= 0:
        return
    for s in servers:
        idle = _idle(s)
        if idle is None:
            continue
        d, seconds = idle
        if seconds >= t or (d.span, t) in done:
            continue
        done.add((d.span, t))
        which = d.name if d.name == "IdleTimeout" else "ReadTimeout, used as IdleTimeout when that is not set"
        if node is not None:
            setting = f"{format_seconds(t)}, the idleConnTimeout of {tname}"
            related = [(node, f"idleConnTimeout {format_seconds(t)} ({tname})")]
        else:
            setting = f"{format_seconds(t)}, the default idleConnTimeout of {tname}"
            where = getattr(owner, "name_span", None)
            related = [(where, f"{label} uses {tname}, whose idleConnTimeout is {format_seconds(t)} by default")] \
                if where is not None else []
        p.report(
            d.span,
            f"the Go server in {link.program.label} closes idle keep-alive connections after {format_seconds(seconds)} "
            f"({which}), sooner than Traefik stops reusing them for {label} ({setting}): Traefik can send a request "
            f"on a connection the server is closing and answer 502 Bad Gateway; set IdleTimeout above "
            f"{format_seconds(t)} or lower idleConnTimeout",
            related=related,
        )


def _entrypoint_write(p, router, links, done) -> None:
    project = p.project
    eps = project.entry_points()
    names, _ = router_entry_points(router, eps)
    for name in names:
        ep = eps.get(name)
        node = ep.find("transport.respondingTimeouts.writeTimeout") if ep is not None and ep.is_map else None
        wt = node_duration(node)
        if node is None or not wt or wt <= 0:
            continue
        for res, link, item in links:
            targets = []
            if res is not None:
                targets = service_targets(p.model, res, link)
            elif item is not None:
                t = crd_target(item, link)
                targets = [t] if t else []
            for s, w in _longer_writes(node, _servers(link, targets), wt, done):
                p.report(
                    node,
                    f'entryPoint "{name}" stops writing responses to clients after {format_seconds(wt)} '
                    f"(respondingTimeouts.writeTimeout), but {router.describe()} forwards to the Go server in "
                    f"{link.program.label}, which gives its handlers {format_seconds(w.seconds)} (WriteTimeout): a "
                    f"response slower than {format_seconds(wt)} is cut off after the handler did the work; raise "
                    f"writeTimeout above {format_seconds(w.seconds)} or shorten WriteTimeout",
                    related=[(w.span, f"WriteTimeout {format_seconds(w.seconds)} ({s.via})")],
                )
