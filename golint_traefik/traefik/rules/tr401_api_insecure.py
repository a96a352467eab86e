"""TR401 api-insecure: the API/dashboard published with no authentication."""

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule


@traefik_rule("TR401")
def check(p: TraefikPass) -> None:
    for doc in p.project.static:
        node = doc.root.find("api.insecure")
        if node is not None and node.as_bool():
            p.report(
                node.where,
                "api.insecure publishes the API and dashboard without authentication on the 'traefik' entrypoint",
                fix="remove api.insecure and route api@internal through an authenticated router",
            )
