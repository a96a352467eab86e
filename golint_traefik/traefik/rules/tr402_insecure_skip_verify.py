"""TR402 insecure-skip-verify: TLS certificates of backends or auth servers are not verified."""

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik.tree import iter_paths


@traefik_rule("TR402")
def check(p: TraefikPass) -> None:
    for static in p.project.static:
        for path, node in iter_paths(static.root):
            if _skips(node):
                p.report(node.where, f"{path} turns off TLS certificate verification{_static_scope(path)}",
                         fix="remove insecureSkipVerify and trust the server's CA (rootCAs) instead")
    for res in p.project.resources:
        for path, node in iter_paths(res.node):
            if _skips(node):
                p.report(node.where, f"{res.describe()} turns off TLS certificate verification ({path}){_dynamic_scope(res, path)}",
                         fix="remove insecureSkipVerify and trust the server's CA (rootCAs) instead")


def _skips(node) -> bool:
    return node.is_scalar and (node.key or "").lower() == "insecureskipverify" and node.as_bool() is True


def _static_scope(path: str) -> str:
    low = path.lower()
    if low.startswith("serverstransport."):
        return " for every HTTP backend that uses the default transport"
    if low.startswith("tcpserverstransport."):
        return " for every TCP backend that uses the default transport"
    return ""


def _dynamic_scope(res, path: str) -> str:
    low = path.lower()
    if "forwardauth" in low:
        return "; the authentication server can be impersonated"
    if "redis" in low:
        return "; the Redis server holding the rate-limit state can be impersonated"
    if res.kind == "serversTransport":
        return "; every service using this transport accepts any certificate"
    return ""
