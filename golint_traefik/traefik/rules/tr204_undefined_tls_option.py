"""TR204 undefined-tls-option: a router uses TLS options nothing defines."""

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik import unresolved
from golint_traefik.traefik.resources import TLS_OPTION


@traefik_rule("TR204")
def check(p: TraefikPass) -> None:
    seen: set[int] = set()
    for ref, res in unresolved.missing(p.project, TLS_OPTION):
        if id(ref.node) in seen:
            continue  # spec.tls of an IngressRoute: one reference per route, one finding
        seen.add(id(ref.node))
        message = f'{owner_label(ref)} uses TLS options "{ref.text}", which are not defined in {res.scope}'
        if ref.owner is not None and ref.owner.source == "labels" and not ref.qualified:
            message += " (container labels cannot define TLS options)"
        unresolved.report(p, ref, res, "TLS options", message)


def owner_label(ref) -> str:
    """The reference's owner; for an IngressRoute's spec.tls, the IngressRoute rather than one of its routes."""
    owner = ref.owner
    if owner is not None and owner.crd_kind and owner.route_index is not None:
        return f'{owner.crd_kind} "{owner.namespace + "/" if owner.namespace else ""}{owner.local_name}"'
    return ref.owner_label()
