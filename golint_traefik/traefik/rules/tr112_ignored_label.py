"""TR112 ignored-label: a traefik.* label no provider reads (wrong prefix, TLS options, Traefik v1 labels)."""

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik import catalog

_V1 = ("frontend", "backend", "port", "protocol", "weight", "domain", "tags")


@traefik_rule("TR112")
def check(p: TraefikPass) -> None:
    version = p.version
    constraints = " ".join(_constraints(p.project)).lower()
    for cf in p.project.compose_files:
        for svc in cf.services:
            for deploy in (False, True):
                labels = svc.traefik_labels(deploy)
                if not labels or not catalog.labels_read(p.project, svc, deploy):
                    continue
                provider = "swarm" if deploy and version >= 3 else "docker"
                v1 = [lb for lb in labels if lb.key.lower().split(".")[1:2] and lb.key.lower().split(".")[1] in _V1]
                if v1:  # one finding per container: old compose files carry dozens of them
                    names = ", ".join(lb.key for lb in v1[:3]) + (f" and {len(v1) - 3} more" if len(v1) > 3 else "")
                    p.report(v1[0].key_span, f'compose service "{svc.name}" has {len(v1)} Traefik v1 label'
                             f"{'s' if len(v1) > 1 else ''} ({names}): Traefik v{version} ignores "
                             f"{'them' if len(v1) > 1 else 'it'} "
                             "and reads only "
                             "traefik.http.*, traefik.tcp.* and traefik.udp.* labels",
                             related=[(lb.key_span, "also ignored") for lb in v1[1:4]],
                             fix="rewrite them as traefik.http.routers.* / traefik.http.services.* labels")
                for lb in labels:
                    if lb in v1:
                        continue
                    key = lb.key
                    low = key.lower()
                    if catalog.label_decoded(key) or catalog.provider_label(version, provider, key)[0]:
                        continue
                    if low.startswith("traefik.swarm.") or "constraint" in low or "/" in low or low in constraints or lb.dynamic:
                        continue  # swarm labels, labels matched by providers.*.constraints
                    why = _why(version, low)
                    if why is None:
                        continue  # a custom label (read by constraints or other tools), not a misspelt option
                    p.report(lb.key_span, f"label {key} is ignored: {why}",
                             fix="remove it, or write the option under traefik.http., traefik.tcp. or traefik.udp.")
                tree = catalog.label_tree(labels)
                for visit in catalog.walk(version, catalog.DYNAMIC, tree, catalog.LABELS) if tree is not None else ():
                    if visit.info is not None and visit.info.ignored(catalog.LABELS) and visit.parent.is_struct:
                        p.report(visit.node.where, f"label traefik.{visit.dotted} is ignored: Traefik does not read "
                                 f"{visit.info.name} from labels; define it in a file-provider file",
                                 fix="move it to a file-provider file")


def _why(version: int, low: str) -> str | None:
    segments = low.split(".")
    second = segments[1] if len(segments) > 1 else ""
    if second == "tls":
        return ("Traefik reads no TLS options, certificates or stores from labels except traefik.tls.stores.default; "
                "define them in a file-provider file")
    hint = catalog.suggest(catalog.root(version, catalog.DYNAMIC), second, catalog.LABELS)
    if hint:
        fixed = ".".join(["traefik", hint.lower()] + segments[2:])
        return f'"{second}" is not a label root; did you mean "{fixed}"?'
    return None


def _constraints(project) -> list[str]:
    out = []
    for s in project.static:
        for provider in ("docker", "swarm"):
            node = s.root.find(f"providers.{provider}.constraints")
            if node is not None and node.text():
                out.append(node.text())
    return out
