"""TR204 undefined-tls-option: a router uses TLS options nothing defines."""

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik.model import MISSING
from golint_traefik.traefik.resources import TLS_OPTION


@traefik_rule("TR204")
def check(p: TraefikPass) -> None:
    seen: set[int] = set()
    for ref in p.project.references(TLS_OPTION):
        if id(ref.node) in seen:
            continue  # spec.tls of an IngressRoute: one reference per route, one finding
        seen.add(id(ref.node))
        res = p.project.resolve(ref)
        if res.status != MISSING:
            continue
        message = f'{owner_label(ref)} uses TLS options "{ref.text}", which are not defined in {res.scope}'
        if ref.owner is not None and ref.owner.source == "labels" and not ref.qualified:
            message += " (container labels cannot define TLS options)"
        if res.note:
            message += f"; {res.note}"
        if res.suggestion:
            message += f'; did you mean "{res.suggestion}"?'
        fix = f'use "{res.suggestion}"' if res.suggestion else f'define TLS options "{ref.name}" or remove the reference'
        p.report(ref.node, message, related=[(t.where, "TLS options defined here") for t in res.targets], fix=fix)


def owner_label(ref) -> str:
    """The reference's owner; for an IngressRoute's spec.tls, the IngressRoute rather than one of its routes."""
    owner = ref.owner
    if owner is not None and owner.crd_kind and owner.route_index is not None:
        return f'{owner.crd_kind} "{owner.namespace + "/" if owner.namespace else ""}{owner.local_name}"'
    return ref.owner_label()
