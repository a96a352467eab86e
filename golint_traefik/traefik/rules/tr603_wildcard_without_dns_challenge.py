"""TR603 wildcard-without-dns-challenge: a wildcard certificate is requested from a resolver without dnsChallenge."""

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik.resources import ROUTER
from golint_traefik.traefik.tree import CNode


@traefik_rule("TR603")
def check(p: TraefikPass) -> None:
    resolvers: dict[str, bool] = {}  # ACME resolver name -> has a DNS challenge (in any static configuration)
    for static in p.project.static:
        node = static.root.get("certificatesResolvers")
        for r in node.children() if node is not None and node.is_map else ():
            acme = r.get("acme") if r.is_map else None
            if acme is None or not acme.is_map:
                continue
            dns = acme.get("dnsChallenge")
            has_dns = dns is not None and not (dns.is_scalar and dns.as_bool() is False)
            resolvers[r.key or ""] = resolvers.get(r.key or "", False) or has_dns

    def inspect(tls: CNode | None, owner: str) -> None:
        if tls is None or not tls.is_map:
            return
        resolver_node = tls.get("certResolver")
        name = (resolver_node.text() or "").strip() if resolver_node is not None and resolver_node.is_scalar else ""
        if not name or name not in resolvers or resolvers[name]:
            return
        domains = tls.get("domains")
        for domain in domains.items if domains is not None and domains.is_seq else ():
            if not domain.is_map:
                continue
            candidates = [domain.get("main")] + (domain.get("sans").as_list() if domain.get("sans") is not None else [])
            for node in candidates:
                value = (node.text() or "").strip() if node is not None and node.is_scalar else ""
                if value.startswith("*."):
                    p.report(node, f'{owner} asks resolver "{name}" for the wildcard certificate "{value}", but the '
                                   "resolver has no dnsChallenge: ACME issues wildcard certificates only through "
                                   "DNS-01, so the request fails", related=[(resolver_node.where, "resolver chosen here")],
                             fix=f'give resolver "{name}" a dnsChallenge, or list the host names instead of the wildcard')

    for res in p.project.select(ROUTER):
        if not res.active:
            continue
        if res.source == "crd":
            if res.route_index not in (0, None):
                continue  # spec.tls is shared by the routes: inspect it once
            spec = res.manifest.get("spec") if res.manifest is not None else None
            ns = f"{res.namespace}/" if res.namespace else ""
            inspect(spec.get("tls") if spec is not None and spec.is_map else None, f'{res.crd_kind} "{ns}{res.local_name}"')
        elif res.node.is_map:
            inspect(res.node.get("tls"), res.describe())
    for static in p.project.static:
        eps = static.root.get("entryPoints")
        for ep in eps.children() if eps is not None and eps.is_map else ():
            inspect(ep.find("http.tls") if ep.is_map else None, f'entrypoint "{ep.key}"')
