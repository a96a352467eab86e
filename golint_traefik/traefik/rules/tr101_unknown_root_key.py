"""TR101 unknown-root-key: a root key of a static or file-provider file that Traefik silently drops."""

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik import catalog
from golint_traefik.traefik.model import DYNAMIC_ROOTS

_WHAT = {catalog.STATIC: "static configuration", catalog.DYNAMIC: "file-provider file"}


@traefik_rule("TR101")
def check(p: TraefikPass) -> None:
    version = p.version
    for src in catalog.project_sources(p.project, labels=False):
        if src.source != catalog.FILE or not src.root.is_map:
            continue
        top = catalog.root(version, src.kind)
        for entry in src.root.entries:
            key = entry.key or ""
            if catalog.child(top, key)[0] is not None or key.startswith(("x-", ".")) or catalog.interpolated(entry):
                continue  # known, a YAML-anchor holder, or a templated name
            if src.kind == catalog.STATIC and key.lower() in DYNAMIC_ROOTS:
                continue  # TR102 dynamic-config-in-static-file
            message = (f'root key "{key}" is not a Traefik v{version} {_WHAT[src.kind]} option: '
                       "Traefik ignores it and everything below it")
            other = 5 - version
            if catalog.child(catalog.root(other, src.kind), key)[0] is not None:
                if version == 3 and src.kind == catalog.STATIC:
                    continue  # a v2 option removed in v3: TR701 removed-static-option
                message = f'root key "{key}" exists only in Traefik v{other}: Traefik v{version} ignores it'
            hint = catalog.suggest(top, key)
            if hint:
                message += f'; did you mean "{hint}"?'
            p.report(entry.where, message, fix=f'rename it to "{hint}"' if hint else "remove it")
