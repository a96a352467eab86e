"""TR109 duplicate-file-resource: two files of one file-provider directory define the same router, service, ..."""

import posixpath

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik.resources import CERTIFICATE
from golint_traefik.traefik.tree import CNode


@traefik_rule("TR109")
def check(p: TraefikPass) -> None:
    if not _directory_mode(p.project):
        return
    first: dict[tuple, object] = {}
    resources = [r for r in p.project.select(provider="file") if r.source == "file" and r.kind != CERTIFICATE
                 and not r.templated]
    # Traefik reads a directory's files in name order; the first definition of a name wins.
    for res in sorted(resources, key=lambda r: (posixpath.dirname(r.path), posixpath.basename(r.path))):
        key = (posixpath.dirname(res.path), res.kind, res.protocol, res.name)
        winner = first.setdefault(key, res)
        if winner is res or winner.path == res.path or _canon(winner.node) == _canon(res.node):
            continue  # first definition, a YAML duplicate key (TR106), or an identical copy
        p.report(res.where,
                 f"{res.describe()} is also defined in {posixpath.basename(winner.path)}, which Traefik reads first "
                 f"from the same directory: this definition is skipped",
                 related=[(winner.where, "the definition Traefik keeps")],
                 fix="rename one of them, or merge the two definitions")


def _directory_mode(project) -> bool:
    """False when the static configuration in view loads a single file (filename without directory)."""
    modes = []
    for s in project.static:
        provider = s.root.find("providers.file")
        if provider is None or not provider.is_map:
            continue
        directory = provider.get("directory")
        modes.append(directory is not None and bool(directory.text()))
    return not modes or any(modes)


def _canon(node: CNode):
    if node.is_map:
        return tuple(sorted(((e.key or "").lower(), _canon(e)) for e in node.entries))
    if node.is_seq:
        return tuple(_canon(i) for i in node.items)
    return node.text()
