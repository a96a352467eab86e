"""TR504 read-timeout-disabled: an entrypoint waits forever for a client's request."""

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik.values import node_duration, option_label


@traefik_rule("TR504")
def check(p: TraefikPass) -> None:
    for static in p.project.static:
        eps = static.root.get("entryPoints")
        for ep in eps.entries if eps is not None and eps.is_map else ():
            transport = ep.get("transport") if ep.is_map else None
            timeouts = transport.get("respondingTimeouts") if transport is not None and transport.is_map else None
            node = timeouts.get("readTimeout") if timeouts is not None and timeouts.is_map else None
            value = node_duration(node)
            if value is None or value > 0:
                continue
            written = f"{eps.key}.{ep.key}.{transport.key}.{timeouts.key}.{node.key}"
            p.report(node.where,
                     f"{option_label(static.origin, written)} is {(node.text() or '').strip()}: no read timeout, so a "
                     "client that sends its headers or body slowly holds a connection open forever (slowloris)",
                     fix="remove it to get the 60s default, or set a longer positive value for slow uploads")
