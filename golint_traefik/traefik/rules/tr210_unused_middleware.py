"""TR210 unused-middleware: a middleware nothing in the project uses."""

import re

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik.resources import CRD_PROVIDER, MIDDLEWARE

_GATEWAY = re.compile(r"^kind:\s*[\"']?(?:HTTPRoute|GRPCRoute)\b|ExtensionRef", re.M)


@traefik_rule("TR210")
def check(p: TraefikPass) -> None:
    project = p.project
    used, blind = project.usage(MIDDLEWARE)
    if "*" in blind:
        return
    if any(_GATEWAY.search(t) for t in project.all_texts.values()):
        blind.add(CRD_PROVIDER)
    for res in project.select(MIDDLEWARE):
        if id(res) in used or not res.active or res.templated:
            continue
        if res.provider in blind or res.provider in project.incomplete:
            continue
        p.report(res.where, f"{res.describe()} is defined but no router, chain, entryPoint or Ingress of the "
                            "project uses it", fix="attach it where it was meant to be used, or delete it")
