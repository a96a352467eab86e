"""TR104 wrong-value-type: a value Traefik cannot decode as its option's type, or reads as something else;
in a Traefik custom resource, a value the Kubernetes API server rejects (wrong JSON type, not in the enum)."""

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik import catalog, crdcatalog


@traefik_rule("TR104")
def check(p: TraefikPass) -> None:
    for src in catalog.project_sources(p.project):
        for visit in catalog.walk(p.version, src.kind, src.root, src.source):
            info, node = visit.info, visit.node
            if info is None or info.ignored(src.source) or catalog.interpolated(node):
                continue
            item = visit.parent.is_named_map
            shape = catalog.shape_problem(info, node, src.source, item=item)
            if shape is not None:
                message = f"{catalog.written(src, visit)} {shape.text}"
                p.report(node.where, f"{message}; {src.consequence}" if shape.fatal else message,
                         fix=f"write {info.describe_type()}")
                continue
            why = catalog.value_problem(info, node)
            if why is not None:
                shown = f" {node.text()!r}" if info.is_scalar else ""
                p.report(node.span, f"{catalog.written(src, visit)}{shown} {why}; {src.consequence}",
                         fix=f"write {info.describe_type()}")
    _provider_labels(p)
    _crd_objects(p)


def _crd_objects(p: TraefikPass) -> None:
    """Values of Traefik custom resources that the API server's schema validation rejects."""
    for src in crdcatalog.crd_sources(p.project):
        for visit in src.walk():
            info = visit.info
            if info is None or crdcatalog.filled_later(visit.node):
                continue
            for problem in crdcatalog.type_problems(info, visit.node):
                if crdcatalog.filled_later(problem.node):
                    continue
                p.report(problem.node.span if problem.node.is_scalar else problem.node.where,
                         f"{src.label()}: {visit.dotted}{problem.suffix} {problem.text}; the API server rejects "
                         f"the whole {src.kind} (kubectl apply fails)",
                         fix=problem.fix or f"write {info.describe_type()}")


def _provider_labels(p: TraefikPass) -> None:
    """``traefik.enable=yes``: the provider cannot read its own label and skips the container."""
    for cf in p.project.compose_files:
        for svc in cf.services:
            for deploy in (False, True):
                provider = "swarm" if deploy and p.version >= 3 else "docker"
                for lb in svc.traefik_labels(deploy):
                    decoded, type_, _ = catalog.provider_label(p.version, provider, lb.key)
                    if not decoded or type_ is None or lb.dynamic:
                        continue
                    why = catalog.scalar_problem(type_, lb.value)
                    if why:
                        p.report(lb.value_span, f"label {lb.key} {lb.value!r} {why}; Traefik skips compose service "
                                 f'"{svc.name}" (and every label it has)', fix="write true or false")
