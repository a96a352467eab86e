"""TR704 removed-header-options: headers middleware options that Traefik v3 still parses but ignores."""

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik.resources import MIDDLEWARE

_REDIRECT = ("plain HTTP requests are no longer redirected to HTTPS",
             "use an entrypoint redirection (entryPoints.web.http.redirections) or a redirectScheme middleware")
_HOST = ("requests are no longer redirected to that host", "use a redirectRegex middleware")
# lower-cased key -> (what no longer happens, what to use instead)
REMOVED = {
    "sslredirect": _REDIRECT,
    "ssltemporaryredirect": _REDIRECT,
    "sslhost": _HOST,
    "sslforcehost": _HOST,
    "featurepolicy": ("the Feature-Policy header is no longer sent", "use permissionsPolicy"),
}


@traefik_rule("TR704")
def check(p: TraefikPass) -> None:
    if p.version < 3:
        return
    for res in p.project.select(MIDDLEWARE, "http"):
        headers = res.node.get("headers") if res.node.is_map else None
        if headers is None or not headers.is_map:
            continue
        for entry in headers.children():
            info = REMOVED.get((entry.key or "").lower())
            if info is None:
                continue
            effect, instead = info
            p.report(entry.where,
                     f"{res.describe()}: headers.{entry.key} was removed in Traefik v3, which accepts it without a "
                     f"word and ignores it: {effect}; {instead}",
                     fix=instead)
