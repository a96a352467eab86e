"""TR202 undefined-service: a router or a compound service names a service nothing defines."""

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik import unresolved
from golint_traefik.traefik.resources import SERVICE


@traefik_rule("TR202")
def check(p: TraefikPass) -> None:
    for ref, res in unresolved.missing(p.project, SERVICE):
        what = {"tcp": "TCP service", "udp": "UDP service"}.get(ref.protocol, "service")
        unresolved.report(p, ref, res, what,
                          f'{ref.owner_label()} uses {what} "{ref.text}", which is not defined in {res.scope}',
                          remedy="or point the reference at an existing one")
