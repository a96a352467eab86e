"""TR202 undefined-service: a router or a compound service names a service nothing defines."""

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik.model import MISSING
from golint_traefik.traefik.resources import SERVICE


@traefik_rule("TR202")
def check(p: TraefikPass) -> None:
    for ref in p.project.references(SERVICE):
        res = p.project.resolve(ref)
        if res.status != MISSING:
            continue
        what = {"tcp": "TCP service", "udp": "UDP service"}.get(ref.protocol, "service")
        message = f'{ref.owner_label()} uses {what} "{ref.text}", which is not defined in {res.scope}'
        if res.note:
            message += f"; {res.note}"
        if res.suggestion:
            message += f'; did you mean "{res.suggestion}"?'
        fix = f'use "{res.suggestion}"' if res.suggestion else f'define {what} "{ref.name}" or point the reference at an existing one'
        p.report(ref.node, message, related=[(t.where, f"{what} defined here") for t in res.targets], fix=fix)
