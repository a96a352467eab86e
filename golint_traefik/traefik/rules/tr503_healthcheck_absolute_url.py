"""TR503 healthcheck-absolute-url: a health-check path that is a URL with a scheme or host."""

import re

from golint_traefik.finding import Severity
from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik.gotemplate import is_templated
from golint_traefik.traefik.values import health_checks

_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


def url_problem(path: str) -> str | None:
    """Why Go's ``url.Parse`` gives this health-check path a scheme or a host (or fails on it), or None."""
    scheme = _scheme(path)
    if scheme is False:
        return "is not a valid URL (it starts with ':')"
    if scheme:
        return f'has a scheme ("{scheme}:")'
    if path.startswith("//") and not path.startswith("///"):
        return "has a host (it starts with '//')"
    first = path.split("/", 1)[0]
    if ":" in first:
        return "is not a valid URL (a colon in its first segment)"
    if _BAD_ESCAPE.search(path):
        return "is not a valid URL (a '%' that does not start an escape)"
    return None


def _scheme(raw: str) -> str | bool | None:
    """net/url getScheme: the scheme, None when there is none, False for a leading ':'."""
    for i, c in enumerate(raw):
        if c.isascii() and c.isalpha():
            continue
        if c.isascii() and (c.isdigit() or c in "+-."):
            if i == 0:
                return None
            continue
        if c == ":":
            return False if i == 0 else raw[:i]
        return None
    return None


@traefik_rule("TR503")
def check(p: TraefikPass) -> None:
    for res, hc, proto in health_checks(p.project):
        if proto != "http":
            continue
        node = hc.get("path")
        path = (node.text() or "") if node is not None and node.is_scalar else ""
        if not path or is_templated(path):
            continue
        problem = url_problem(path)
        if problem is None:
            continue
        if p.version >= 3:
            effect = ("Traefik v3.6.8+ rejects it (\"health check path must be a relative URL\") and marks every "
                      "server down; earlier versions send every server's check to that one URL")
            severity = None
        else:
            effect = "Traefik sends every server's check to that one URL, so no server's own health is checked"
            severity = Severity.WARNING if p.severity == p.meta.severity else None
        p.report(node, f'{res.describe()}: health-check path "{path}" {problem}: {effect}', severity=severity,
                 fix="write only the path (/healthz); use scheme, port and hostname for the rest")
