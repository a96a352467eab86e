"""TR605 acme-missing-storage: ACME certificates are not kept where they survive a restart."""

import posixpath

from golint_traefik.finding import Severity
from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik.gotemplate import is_templated
from golint_traefik.traefik.values import compose_runners, option_label


@traefik_rule("TR605")
def check(p: TraefikPass) -> None:
    error = Severity.ERROR if p.severity == p.meta.severity else None
    for static in p.project.static:
        resolvers = static.root.get("certificatesResolvers")
        for r in resolvers.children() if resolvers is not None and resolvers.is_map else ():
            acme = r.get("acme") if r.is_map else None
            if acme is None or (acme.is_scalar and acme.as_bool() is not True):
                continue
            base = f"{resolvers.key}.{r.key}.{acme.key}"
            node = acme.get("storage") if acme.is_map else None
            if node is None:
                p.report(acme.where,
                         f'{option_label(static.origin, base)} sets no storage: resolver "{r.key}" keeps its account and '
                         "certificates in acme.json in Traefik's working directory, which in a container is lost when "
                         "the container is recreated, and every certificate is requested again (rate limits)",
                         fix=f"set {option_label(static.origin, base + '.storage')} to a file on a persistent volume")
                continue
            path = (node.text() or "").strip()
            if is_templated(path):
                continue
            if not path:
                p.report(node.where, f"{option_label(static.origin, base + '.' + node.key)} is empty: Traefik refuses "
                                     f'to start ("unable to initialize certificates resolver \\"{r.key}\\" with no '
                                     'storage location")', severity=error,
                         fix="set it to a file on a persistent volume, e.g. /letsencrypt/acme.json")
                continue
            runners = compose_runners(p.project, static)
            if not runners or not path.startswith("/"):
                continue
            unmounted = [svc for svc in runners if not _on_volume(svc, path)]
            if len(unmounted) == len(runners):
                names = ", ".join(f'"{s.name}"' for s in unmounted)
                p.report(node.where,
                         f"{option_label(static.origin, base + '.' + node.key)} is {path}, which is on no volume of "
                         f"compose service {names}: the certificates are lost when the container is recreated, and "
                         "every certificate is requested again (rate limits)",
                         fix=f"mount a volume at {posixpath.dirname(path) or '/'}")


def _on_volume(svc, path: str) -> bool:
    volumes = svc.node.get("volumes") if svc.node.is_map else None
    if volumes is None or not volumes.is_seq:
        return False
    for item in volumes.items:
        target = None
        if item.is_scalar:
            parts = (item.text() or "").split(":")
            target = parts[1] if len(parts) >= 2 else parts[0]  # "/data" alone is an anonymous volume
        elif item.is_map:
            t = item.get("target")
            target = t.text() if t is not None else None
        if not target or "$" in target:
            if target:
                return True  # interpolated: cannot tell, assume it is the right one
            continue
        target = posixpath.normpath(target)
        if path == target or path.startswith(target.rstrip("/") + "/"):
            return True
    return False
