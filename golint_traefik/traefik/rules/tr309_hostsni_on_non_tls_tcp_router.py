"""TR309 hostsni-on-non-tls-tcp-router: a TCP router without TLS that matches HostSNI on a name."""

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik.rulelang import has_tls, router_rules


@traefik_rule("TR309")
def check(p: TraefikPass) -> None:
    for rr in router_rules(p.project):
        if rr.protocol != "tcp" or not rr.parsed.ok or has_tls(rr.router):
            continue
        # pkg/server/router/tcp/manager.go: the HostSNI values of the whole rule, in order; only the first
        # one is compared with "*".
        sni = [(m, a) for m in rr.parsed.matchers if m.canonical == "HostSNI" for a in m.args]
        if not sni or sni[0][1].value == "*":
            continue
        m, arg = sni[0]
        where = "spec.tls" if rr.router.source == "crd" else "tls"
        message = (f"rule of {rr.owner()}: {m.source(rr.text)} on a TCP router without TLS; a plain TCP connection "
                   f"has no server name, and Traefik rejects the router (\"has HostSNI matcher, but no TLS on router\"); "
                   f"add {where} (passthrough: true to forward TLS untouched) or match HostSNI(`*`)")
        p.report(rr.span(m.start, m.end), message, fix=f"add {where} to the router or use HostSNI(`*`)")
