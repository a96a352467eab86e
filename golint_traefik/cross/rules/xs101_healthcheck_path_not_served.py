"""XS101 healthcheck-path-not-served: a health check requests a path the linked Go program does not route."""

from golint_traefik.cross.common import health_checks, judgeable, related_routes, served_paths
from golint_traefik.cross.run import CrossPass
from golint_traefik.registry import cross_rule


@cross_rule("XS101")
def check(p: CrossPass) -> None:
    for hc in health_checks(p.model):
        link = hc.link
        if not judgeable(link, hc.port):
            continue
        prog = link.program
        if any(rp.answers(hc.path, hc.method) for rp in prog.routes):
            continue
        close = prog.closest_routes(hc.path)
        method = "" if hc.method == "GET" else f"{hc.method} "
        p.report(
            hc.path_node,
            f'health check of {hc.owner} requests {method}"{hc.path}", but no handler of the Go program in '
            f"{prog.label} serves it (it routes {served_paths(prog.routes)}): every check fails, Traefik marks "
            f"each server down and the service answers 503",
            related=[*related_routes(close), *([(prog.anchor, f"linked through {link.how}")] if prog.anchor else [])],
        )
