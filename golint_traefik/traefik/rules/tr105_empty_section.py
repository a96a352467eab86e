"""TR105 empty-section: a section with no option ("cannot be a standalone element"), or an empty switch that
enables nothing (in a Traefik custom resource: a section with no value, which the API server drops)."""

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik import catalog, crdcatalog


@traefik_rule("TR105")
def check(p: TraefikPass) -> None:
    for src in catalog.project_sources(p.project):
        if src.templated:
            continue  # blanked template actions can leave sections looking empty
        emptied: set[int] = set()  # null keys already named by their parent's finding
        for visit in catalog.walk(p.version, src.kind, src.root, src.source):
            info, node = visit.info, visit.node
            if info is None or visit.parent.is_named_map or info.ignored(src.source):
                continue  # an empty router or middleware is accepted by the decoder
            why = catalog.empty_problem(info, node, src.source)
            if why is not None:
                emptied.update(id(e) for e in node.entries)
                p.report(node.where, f"{catalog.written(src, visit)} {why}: Traefik rejects a section with no option "
                         f'("{visit.key} cannot be a standalone element"); {src.consequence}',
                         fix=f'add the options of "{visit.key}", or remove it')
                continue
            why = catalog.null_problem(info, node, src.source)
            if why is not None and id(node) not in emptied:
                p.report(node.where, f"{catalog.written(src, visit)} {why}", fix=f'write "{visit.key}: {{}}"')
    _crd_objects(p)


def _crd_objects(p: TraefikPass) -> None:
    """Sections of Traefik custom resources written with no value (dropped by the API server), empty Middlewares."""
    for src in crdcatalog.crd_sources(p.project):
        if src.templated:
            continue  # blanked template actions (Helm) leave keys with no value
        spec = crdcatalog.empty_middleware(src)
        if spec is not None:
            p.report(spec.where, f"{src.label()}: spec is empty: the {src.kind} names no middleware type, so Traefik "
                     "cannot build it (\"invalid middleware type or middleware does not exist\") and every router "
                     "using it fails", fix="add the middleware's section (stripPrefix, headers, ...), or remove it")
        for visit in src.walk():
            for problem in crdcatalog.null_problems(src, visit):
                p.report(problem.node.where, f"{src.label()}: {visit.dotted}{problem.suffix} {problem.text}",
                         fix="write a value, or remove the key")
