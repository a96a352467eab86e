"""TR412 forwarded-headers-insecure: an entrypoint trusts X-Forwarded-* or PROXY protocol headers from anyone."""

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik.values import option_label

_EFFECT = {
    "forwardedHeaders": "keeps the X-Forwarded-For/-Proto/-Host headers any client sends, so clients choose the IP, "
                        "scheme and host that ipAllowList, rate limits, logs and backends see",
    "proxyProtocol": "accepts a PROXY protocol header from any peer, so any client can claim any source address",
}


@traefik_rule("TR412")
def check(p: TraefikPass) -> None:
    for static in p.project.static:
        eps = static.root.get("entryPoints")
        for ep in eps.entries if eps is not None and eps.is_map else ():
            for section in ("forwardedHeaders", "proxyProtocol"):
                sec = ep.get(section) if ep.is_map else None
                node = sec.get("insecure") if sec is not None and sec.is_map else None
                if node is None or not node.is_scalar or node.as_bool() is not True:
                    continue
                written = f"{eps.key}.{ep.key}.{sec.key}.{node.key}"
                p.report(node.where,
                         f"{option_label(static.origin, written)} {_EFFECT[section]}",
                         fix=f"replace insecure with {section}.trustedIPs listing the proxies in front of Traefik")
