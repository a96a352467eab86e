"""TR702 containous-crd-group: a Traefik CRD object in the traefik.containo.us group, which v3 does not watch."""

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule


@traefik_rule("TR702")
def check(p: TraefikPass) -> None:
    if p.version < 3:
        return
    for m in p.project.manifests:
        if not m.is_traefik_crd or m.group != "traefik.containo.us":
            continue
        node = m.root.get("apiVersion")
        version = m.api_version.rpartition("/")[2]
        p.report(node, f"{m.label()} uses apiVersion {m.api_version}: Traefik v3 only watches traefik.io, so it "
                       f"ignores this {m.kind} (read as v3: {p.project.version_reason})",
                 fix=f"use apiVersion: traefik.io/{version} (and install the traefik.io CRDs)")
