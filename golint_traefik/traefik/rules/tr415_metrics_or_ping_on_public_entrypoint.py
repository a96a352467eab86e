"""TR415 metrics-or-ping-on-public-entrypoint: /metrics or /ping is served on the entrypoint of the public sites."""

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik.values import compose_runners, find_written, host_ports, option_label, parse_address

_PUBLIC_PORTS = (80, 443)
_WHAT = {
    "metrics.prometheus": ("/metrics", "Prometheus metrics (router, service and entrypoint names, traffic and error rates)"),
    "ping": ("/ping", "the health check"),
}


@traefik_rule("TR415")
def check(p: TraefikPass) -> None:
    project = p.project
    for static in project.static:
        eps = static.root.get("entryPoints")
        if eps is None or not eps.is_map:
            continue
        for dotted, (path, what) in _WHAT.items():
            section, written = find_written(static.root, dotted)
            if section is None or not section.is_map:
                continue
            manual = section.get("manualRouting")
            if manual is not None and manual.as_bool() is True:
                continue  # no automatic router: the user routes the service
            ep_node = section.get("entryPoint")
            name = (ep_node.text() or "").strip() if ep_node is not None else ""
            if not name:
                continue  # the default: the 'traefik' entrypoint
            ep = eps.get(name)
            addr_node = ep.get("address") if ep is not None and ep.is_map else None
            addr = parse_address(addr_node.text() if addr_node is not None else None)
            if addr is None or addr.port is None or addr.protocol != "tcp":
                continue
            reason = _public(project, static, addr.port)
            if reason is None:
                continue
            option = option_label(static.origin, f"{written}.{ep_node.key}")
            severity = p.note_if(dotted == "ping")
            p.report(ep_node.where,
                     f'{option} puts {what} on entrypoint "{name}" ({reason}): a router for PathPrefix(`{path}`) with '
                     f"the highest priority answers on every host of that entrypoint, for anyone",
                     related=[(addr_node.where, f'entrypoint "{name}" listens here')], severity=severity,
                     fix=f"serve {path} on a separate entrypoint that is not published, e.g. the default 'traefik' (:8080)")


def _public(project, static, port: int) -> str | None:
    """Why the entrypoint listening on container port ``port`` is public, or None."""
    if port in _PUBLIC_PORTS:
        return f"port {port}"
    for svc in compose_runners(project, static):
        published = host_ports(svc, port)
        for host in published or ():
            if host in _PUBLIC_PORTS:
                return f'published on host port {host} by compose service "{svc.name}"'
    return None
