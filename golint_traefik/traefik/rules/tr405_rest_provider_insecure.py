"""TR405 rest-provider-insecure: the REST provider accepts new routing configuration from anyone on port 8080."""

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik.values import find_written, option_label


@traefik_rule("TR405")
def check(p: TraefikPass) -> None:
    for static in p.project.static:
        node, written = find_written(static.root, "providers.rest.insecure")
        if node is None or not node.is_scalar or node.as_bool() is not True:
            continue
        p.report(node.where,
                 f"{option_label(static.origin, written)} lets anyone who reaches the 'traefik' entrypoint "
                 "(port 8080 unless configured) replace the routing configuration with PUT /api/providers/rest",
                 fix="remove providers.rest.insecure and route rest@internal through an authenticated router")
