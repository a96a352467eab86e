"""TR206 undefined-servers-transport: a service uses a serversTransport nothing defines."""

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik import unresolved
from golint_traefik.traefik.resources import TRANSPORT


@traefik_rule("TR206")
def check(p: TraefikPass) -> None:
    for ref, res in unresolved.missing(p.project, TRANSPORT):
        what = "TCP serversTransport" if ref.protocol == "tcp" else "serversTransport"
        message = f'{ref.owner_label()} uses {what} "{ref.text}", which is not defined in {res.scope}'
        if ref.owner is not None and ref.owner.source == "labels" and not ref.qualified:
            message += " (container labels cannot define servers transports)"
        unresolved.report(p, ref, res, what, message)
