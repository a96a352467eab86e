"""TR601 duplicate-entrypoint-address: two entrypoints listen on the same address."""

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik.values import option_label, parse_address


@traefik_rule("TR601")
def check(p: TraefikPass) -> None:
    for static in p.project.static:
        eps = static.root.get("entryPoints")
        if eps is None or not eps.is_map:
            continue
        seen: dict[tuple, tuple] = {}  # (host, port, protocol) -> (entrypoint, address node, via http3)
        for ep in eps.children():
            node = ep.get("address") if ep.is_map else None
            addr = parse_address(node.text() if node is not None else None)
            if addr is None or addr.port is None or addr.port == 0:
                continue
            reuse = ep.get("reusePort")
            reuse_port = reuse is not None and reuse.as_bool() is True
            bindings = [((addr.host, addr.port, addr.protocol), False)]
            if addr.protocol == "tcp" and ep.get("http3") is not None:
                bindings.append(((addr.host, addr.port, "udp"), True))
            for key, via_http3 in bindings:
                first = seen.get(key)
                if first is None:
                    seen[key] = (ep, node, via_http3, reuse_port)
                    continue
                other, other_node, other_http3, other_reuse = first
                if reuse_port and other_reuse:
                    continue  # both ask for SO_REUSEPORT: the kernel shares the port
                what = f"{addr.protocol if not via_http3 else 'udp'} port {addr.port}"
                if addr.host:
                    what += f" on {addr.host}"
                mine = " (its HTTP/3 listener)" if via_http3 else ""
                theirs = " (its HTTP/3 listener)" if other_http3 else ""
                p.report(node.where,
                         f'entrypoint "{ep.key}"{mine} listens on the same {what} as entrypoint "{other.key}"{theirs} '
                         f"({option_label(static.origin, f'{eps.key}.{other.key}.{other_node.key}')}): the second "
                         "listener cannot bind and Traefik does not start",
                         related=[(other_node.where, f'entrypoint "{other.key}" listens here')],
                         fix="give each entrypoint its own port, or merge them into one entrypoint")
                break
