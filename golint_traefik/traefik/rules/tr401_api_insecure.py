"""TR401 api-insecure: the API/dashboard published with no authentication."""

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule

_SPELLING = {"flags": "--api.insecure", "env": "TRAEFIK_API_INSECURE"}


@traefik_rule("TR401")
def check(p: TraefikPass) -> None:
    for static in p.project.static:
        node = static.root.find("api.insecure")
        if node is not None and node.as_bool():
            option = _SPELLING.get(static.origin, "api.insecure")
            p.report(
                node.where,
                f"{option} publishes the API and dashboard without authentication on the 'traefik' entrypoint",
                fix="remove api.insecure and route api@internal through an authenticated router",
            )
