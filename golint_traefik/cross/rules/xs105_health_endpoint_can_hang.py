"""XS105 health-endpoint-can-hang: the handler of a Traefik health-check path does work that can block."""

from golint_traefik.cross.common import health_checks
from golint_traefik.cross.run import CrossPass
from golint_traefik.registry import cross_rule
from golint_traefik.traefik.values import format_seconds


@cross_rule("XS105")
def check(p: CrossPass) -> None:
    done = set()
    for hc in health_checks(p.model):
        prog = hc.link.program
        matched = [rp for rp in prog.routes if not rp.route.catch_all and rp.answers(hc.path, hc.method)]
        exact = [rp for rp in matched if not rp.route.subtree and not rp.unknown_prefix]
        for rp in exact or matched:
            for h in prog.handlers(rp.route.handler):
                if not h.blocking:
                    continue
                b = h.blocking[0]
                if (b.span, hc.path) in done:
                    continue
                done.add((b.span, hc.path))
                via = f" (in {b.via}, which it calls)" if b.via else ""
                p.report(
                    b.span,
                    f'the handler of health-check path "{hc.path}" ({hc.owner}) {b.what}{via}: when that blocks, '
                    f"the check times out after {format_seconds(hc.timeout)} and Traefik takes the server out of the "
                    f"load balancer while it may still serve requests; a stuck dependency then marks every server "
                    f"down at once",
                    related=[(hc.path_node, "the health check"), (rp.route.span, f"route {rp.text} registered here"),
                             *[(o.span, f"also {o.what}") for o in h.blocking[1:3]]],
                )
