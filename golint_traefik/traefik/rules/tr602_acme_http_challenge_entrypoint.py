"""TR602 acme-http-challenge-entrypoint: the HTTP-01 challenge has no entrypoint, or one not reachable on port 80."""

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik.gotemplate import is_templated
from golint_traefik.traefik.values import compose_ports, compose_runners, host_ports, option_label, parse_address


@traefik_rule("TR602")
def check(p: TraefikPass) -> None:
    project = p.project
    for static in project.static:
        resolvers = static.root.get("certificatesResolvers")
        if resolvers is None or not resolvers.is_map:
            continue
        eps = static.root.get("entryPoints")
        # Without any entrypoint Traefik creates "http" on :80.
        known = {e.key: e for e in eps.children()} if eps is not None and eps.is_map else {}
        for resolver in resolvers.children():
            acme = resolver.get("acme") if resolver.is_map else None
            challenge = acme.get("httpChallenge") if acme is not None and acme.is_map else None
            if challenge is None or (challenge.is_scalar and challenge.as_bool() is False):
                continue
            base = f"{resolvers.key}.{resolver.key}.{acme.key}.{challenge.key}"
            ep_node = challenge.get("entryPoint") if challenge.is_map else None
            name = (ep_node.text() or "").strip() if ep_node is not None else ""
            if is_templated(name) or any(is_templated(k) for k in known):
                continue
            if not name:
                others = [c for c in ("dnsChallenge", "tlsChallenge") if acme.get(c) is not None]
                effect = ("Traefik ignores the HTTP challenge and uses " + " and ".join(others) if others else
                          'the resolver has no usable challenge and every certificate request fails '
                          '("ACME challenge not specified")')
                p.report((ep_node or challenge).where,
                         f'{option_label(static.origin, base)} has no entryPoint: {effect}',
                         fix=f"set {option_label(static.origin, base + '.entryPoint')} to the entrypoint on port 80")
                continue
            if not known:
                if name != "http":
                    p.report(ep_node.where,
                             f'{option_label(static.origin, base + "." + ep_node.key)} names entrypoint "{name}", but '
                             'this configuration defines no entrypoints (Traefik creates only "http" on :80): '
                             "the challenge is never answered", fix="name the entrypoint that listens on port 80")
                continue
            ep = known.get(name)
            if ep is None:
                p.report(ep_node.where,
                         f'{option_label(static.origin, base + "." + ep_node.key)} names entrypoint "{name}", which is '
                         f"not defined (entrypoints: {', '.join(sorted(known))}): the challenge is never answered",
                         fix="name the entrypoint that listens on port 80")
                continue
            addr_node = ep.get("address") if ep.is_map else None
            addr = parse_address(addr_node.text() if addr_node is not None else None)
            if addr is None or addr.port is None:
                continue
            if addr.protocol != "tcp":
                p.report(ep_node.where, f'the HTTP challenge of resolver "{resolver.key}" uses entrypoint "{name}", a '
                                        "UDP entrypoint: the challenge is never answered",
                         fix="name the TCP entrypoint that listens on port 80")
                continue
            why = _unreachable(project, static, addr.port)
            if why:
                p.report(ep_node.where,
                         f'the HTTP challenge of resolver "{resolver.key}" uses entrypoint "{name}" ({addr.text}), '
                         f"but {why}: Let's Encrypt validates HTTP-01 on port 80 only, so no certificate is issued",
                         related=[(addr_node.where, f'entrypoint "{name}" listens here')],
                         fix="use the entrypoint that receives port 80, or publish this one on host port 80")


def _unreachable(project, static, port: int) -> str | None:
    """Why nothing on port 80 reaches container port ``port``, from the compose services running Traefik; else None."""
    runners = [svc for svc in compose_runners(project, static) if compose_ports(svc.node) or _host_network(svc)]
    if not runners:
        return None  # no compose evidence (Kubernetes Services, NAT, host networking elsewhere)
    published: list[int] = []
    for svc in runners:
        hosts = host_ports(svc, port)
        if hosts is None:
            return None
        if 80 in hosts:
            return None
        published.extend(hosts)
    names = ", ".join(f'"{s.name}"' for s in runners)
    if published:
        return f"compose service {names} publishes it on host port {', '.join(map(str, sorted(set(published))))}, not 80"
    return f"compose service {names} does not publish container port {port}"


def _host_network(svc) -> bool:
    mode = svc.node.get("network_mode") if svc.node.is_map else None
    return mode is not None and mode.text() == "host"
