"""TR403 api-debug: api.debug adds the Go profiling and expvar endpoints to the API."""

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik.values import find_written, option_label


@traefik_rule("TR403")
def check(p: TraefikPass) -> None:
    for static in p.project.static:
        node, written = find_written(static.root, "api.debug")
        if node is None or not node.is_scalar or node.as_bool() is not True:
            continue
        insecure = static.root.find("api.insecure")
        where = ("on the 'traefik' entrypoint without authentication (api.insecure is on)"
                 if insecure is not None and insecure.as_bool() else "wherever api@internal is routed")
        p.report(node.where,
                 f"{option_label(static.origin, written)} serves /debug/pprof/ and /debug/vars {where}: "
                 "heap and goroutine dumps, CPU profiles and the process command line",
                 fix="remove api.debug; profile a test instance instead")
