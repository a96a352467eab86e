"""TR414 docker-socket-writable: the Docker socket is mounted read-write into the Traefik container."""

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik import kube
from golint_traefik.traefik.tree import CNode

_FIX = "mount it read-only (:ro), or better, point providers.docker.endpoint at a socket proxy that only allows GET"


def _is_socket(path: str | None) -> bool:
    return bool(path) and path.rstrip("/").endswith("/docker.sock")


@traefik_rule("TR414")
def check(p: TraefikPass) -> None:
    for cf in p.project.compose_files:
        for svc in cf.services:
            if not svc.is_traefik:
                continue
            volumes = svc.node.get("volumes")
            for item in volumes.items if volumes is not None and volumes.is_seq else ():
                source, writable = _compose_volume(item)
                if _is_socket(source) and writable:
                    p.report(item, f'compose service "{svc.name}" mounts the Docker socket {source} read-write: '
                                   "whoever takes over Traefik controls the Docker daemon, and so the host", fix=_FIX)
    for tc in p.project.traefik_containers:
        spec = kube.pod_spec(tc.manifest)
        sockets = {}
        vols = spec.get("volumes") if spec is not None else None
        for v in vols.items if vols is not None and vols.is_seq else ():
            name, path = v.get("name") if v.is_map else None, v.find("hostPath.path") if v.is_map else None
            if name is not None and path is not None and _is_socket(path.text()):
                sockets[name.text()] = path.text()
        mounts = tc.node.get("volumeMounts")
        for m in mounts.items if mounts is not None and mounts.is_seq else ():
            name = m.get("name") if m.is_map else None
            if name is None or name.text() not in sockets:
                continue
            ro = m.get("readOnly")
            if ro is not None and ro.as_bool() is True:
                continue
            p.report(m, f'{tc.manifest.label()} mounts the Docker socket {sockets[name.text()]} (hostPath) read-write '
                        "into the Traefik container: whoever takes over Traefik controls the node", fix=_FIX)


def _compose_volume(item: CNode) -> tuple[str | None, bool]:
    """(host source, writable) of one compose ``volumes`` entry."""
    if item.is_scalar:
        parts = (item.text() or "").split(":")
        if len(parts) < 2:
            return None, False  # a named or anonymous volume
        mode = parts[2] if len(parts) > 2 else ""
        return parts[0], "ro" not in mode.split(",")
    if item.is_map:
        source = item.get("source")
        ro = item.get("read_only")
        return (source.text() if source is not None else None), not (ro is not None and ro.as_bool() is True)
    return None, False
