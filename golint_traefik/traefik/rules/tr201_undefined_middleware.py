"""TR201 undefined-middleware: a router, chain or entryPoint names a middleware nothing defines."""

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik.model import MISSING
from golint_traefik.traefik.resources import MIDDLEWARE


@traefik_rule("TR201")
def check(p: TraefikPass) -> None:
    for ref in p.project.references(MIDDLEWARE):
        res = p.project.resolve(ref)
        if res.status != MISSING:
            continue
        what = "TCP middleware" if ref.protocol == "tcp" else "middleware"
        if ref.provider is None:  # entryPoint-level, unqualified
            message = (f'{ref.owner_label()} uses {what} "{ref.text}" without @provider; '
                       "entryPoint middlewares must be fully qualified")
        else:
            message = f'{ref.owner_label()} uses {what} "{ref.text}", which is not defined in {res.scope}'
            if res.note:
                message += f"; {res.note}"
        if res.suggestion:
            message += f'; did you mean "{res.suggestion}"?'
        fix = f'use "{res.suggestion}"' if res.suggestion else f'define {what} "{ref.name}" or remove the reference'
        p.report(ref.node, message, related=[(t.where, f"{what} defined here") for t in res.targets], fix=fix)
