"""TR103 unknown-key: a nested key Traefik does not know (Traefik does not start, or rejects the whole file),
or a field a Traefik CRD does not have (the Kubernetes API server drops it)."""

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik import catalog, crdcatalog


@traefik_rule("TR103")
def check(p: TraefikPass) -> None:
    version = p.version
    for src in catalog.project_sources(p.project, labels=False):
        for visit in catalog.walk(version, src.kind, src.root, src.source):
            key = visit.key
            if key is None or catalog.interpolated(visit.node):
                continue
            where = catalog.written(src, visit)
            if visit.info is not None:
                if visit.info.ignored(src.source) and src.source == catalog.FILE and not visit.info.ignored(catalog.LABELS):
                    p.report(visit.node.where, f'{where} is only read from labels: in a file Traefik ignores "{key}"',
                             fix=f'remove "{key}"')
                continue
            if visit.at_root and not _root_fails(version, src, key):
                continue  # a dropped root key: TR101's (files); ignored TRAEFIK_* variables are not reported
            message = f'{where}: Traefik v{version} has no option "{key}" here; {src.consequence}'
            other = 5 - version
            if catalog.lookup(other, src.kind, visit.parts, src.source) is not None:
                if version == 3 and src.kind == catalog.STATIC:
                    continue  # a v2 option removed in v3: TR701 removed-static-option
                message = f'{where}: "{key}" exists only in Traefik v{other}; {src.consequence}'
            hint = catalog.suggest(visit.parent, key, src.source)
            if hint:
                message += f'; did you mean "{hint}"?'
            p.report(visit.node.where, message, fix=f'use "{hint}"' if hint else f'remove "{key}"')
    _crd_objects(p)


def _crd_objects(p: TraefikPass) -> None:
    """Fields of Traefik custom resources that their CRD's schema lacks: pruned by the API server."""
    for src in crdcatalog.crd_sources(p.project):
        for visit in src.walk():
            key = visit.key
            if visit.info is not None or key is None or crdcatalog.key_filled_later(visit.node):
                continue
            reason = crdcatalog.unknown_reason(src, visit, p.project.version_reason)
            message = f"{src.label()}: {visit.dotted}: {reason}; {crdcatalog.PRUNED}"
            hint = crdcatalog.suggestion(src, visit)
            if hint:
                message += f"; {hint[0]}"
            p.report(visit.node.where, message, fix=hint[1] if hint else f'remove "{key}"')


def _root_fails(version: int, src: catalog.Source, key: str) -> bool:
    """Unknown root keys fail for flags (and prefix-matching variables); files and other variables drop them."""
    if src.source == catalog.FLAGS:
        return True
    return src.source == catalog.ENV and catalog.env_root_prefix_match(version, key)
