"""TR206 undefined-servers-transport: a service uses a serversTransport nothing defines."""

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik.model import MISSING
from golint_traefik.traefik.resources import TRANSPORT


@traefik_rule("TR206")
def check(p: TraefikPass) -> None:
    for ref in p.project.references(TRANSPORT):
        res = p.project.resolve(ref)
        if res.status != MISSING:
            continue
        what = "TCP serversTransport" if ref.protocol == "tcp" else "serversTransport"
        message = f'{ref.owner_label()} uses {what} "{ref.text}", which is not defined in {res.scope}'
        if ref.owner is not None and ref.owner.source == "labels" and not ref.qualified:
            message += " (container labels cannot define servers transports)"
        if res.note:
            message += f"; {res.note}"
        if res.suggestion:
            message += f'; did you mean "{res.suggestion}"?'
        fix = f'use "{res.suggestion}"' if res.suggestion else f'define {what} "{ref.name}" or remove the reference'
        p.report(ref.node, message, related=[(t.where, f"{what} defined here") for t in res.targets], fix=fix)
