"""TR201 undefined-middleware: a router, chain or entryPoint names a middleware nothing defines."""

from dataclasses import replace

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik import unresolved
from golint_traefik.traefik.resources import MIDDLEWARE


@traefik_rule("TR201")
def check(p: TraefikPass) -> None:
    for ref, res in unresolved.missing(p.project, MIDDLEWARE):
        what = "TCP middleware" if ref.protocol == "tcp" else "middleware"
        if ref.provider is None:  # entryPoint-level, unqualified (the model's note would say it again)
            message = (f'{ref.owner_label()} uses {what} "{ref.text}" without @provider; '
                       "entryPoint middlewares must be fully qualified")
            res = replace(res, note="")
        else:
            message = f'{ref.owner_label()} uses {what} "{ref.text}", which is not defined in {res.scope}'
        unresolved.report(p, ref, res, what, message)
