"""TR102 dynamic-config-in-static-file: routers, services, middlewares or TLS options in traefik.yml."""

import posixpath

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik.gotemplate import MARK
from golint_traefik.traefik.model import DYNAMIC_ROOTS


@traefik_rule("TR102")
def check(p: TraefikPass) -> None:
    for s in p.project.static:
        if s.origin != "file" or not s.root.is_map or _loads_itself(s):
            continue
        for entry in s.root.entries:
            key = entry.key or ""
            if key.lower() not in DYNAMIC_ROOTS:
                continue
            sections = [e.key for e in entry.entries] if entry.is_map else []
            what = f" ({', '.join(sections[:3])}{', ...' if len(sections) > 3 else ''})" if sections else ""
            p.report(entry.where,
                     f'"{key}"{what} is dynamic configuration in the static configuration file {s.describe()}: '
                     "Traefik ignores it there, so nothing it defines exists",
                     fix="move it to a file loaded by the file provider (providers.file.filename or directory)")


def _loads_itself(s) -> bool:
    """The file provider reads this very file (``filename`` names it, or ``directory`` holds it):
    its dynamic sections are then used, by the file provider.  Where a ConfigMap's file is mounted is
    not known: any ``directory`` may hold it."""
    provider = s.root.find("providers.file")
    if provider is None or not provider.is_map:
        return False
    if s.embedded is not None and provider.get("directory") is not None:
        return True
    for key, mine in (("filename", s.file_name), ("directory", posixpath.basename(posixpath.dirname(s.path)))):
        node = provider.get(key)
        text = (node.text() or "").rstrip("/") if node is not None else ""
        if text and (MARK in text or posixpath.basename(text) == mine):
            return True
    return False
