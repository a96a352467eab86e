"""TR604 acme-staging-ca: a certificate resolver uses Let's Encrypt's staging CA."""

import re

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik.values import option_label

_STAGING = re.compile(r"^https://acme-staging(?:-v02)?\.api\.letsencrypt\.org(?:/|$)", re.I)


@traefik_rule("TR604")
def check(p: TraefikPass) -> None:
    for static in p.project.static:
        resolvers = static.root.get("certificatesResolvers")
        for r in resolvers.children() if resolvers is not None and resolvers.is_map else ():
            acme = r.get("acme") if r.is_map else None
            node = acme.get("caServer") if acme is not None and acme.is_map else None
            if node is None or not _STAGING.match((node.text() or "").strip()):
                continue
            written = f"{resolvers.key}.{r.key}.{acme.key}.{node.key}"
            p.report(node.where,
                     f'{option_label(static.origin, written)} is Let\'s Encrypt\'s staging CA: resolver "{r.key}" '
                     "issues certificates that no browser trusts",
                     fix="remove caServer (production is the default) and use a new storage file")
