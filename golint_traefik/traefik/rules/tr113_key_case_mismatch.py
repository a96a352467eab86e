"""TR113 key-case-mismatch: an option key spelt in another case than Traefik's (accepted, but schemas and greps miss it)."""

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik import catalog


@traefik_rule("TR113")
def check(p: TraefikPass) -> None:
    for src in catalog.project_sources(p.project, labels=False):
        if src.source != catalog.FILE:
            continue  # labels, flags and variables are written in lower case by convention
        for visit in catalog.walk(p.version, src.kind, src.root, src.source):
            info, key = visit.info, visit.key
            if info is None or key is None or visit.parent.is_named_map or visit.parent.is_scalar_map:
                continue  # unknown (TR103), or a name chosen by the user
            if key == info.name or key.lower() != info.name.lower() or info.name[:1].isupper():
                continue  # the canonical spelling, another key, or an option with no documented spelling
            p.report(visit.node.where, f'"{key}" is spelt "{info.name}" in Traefik\'s reference: Traefik accepts '
                     "any case, but case-sensitive tools (JSON schemas, editors, grep) do not",
                     fix=f'write "{info.name}"')
