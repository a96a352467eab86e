"""TR502 non-positive-duration: a zero or negative duration that Traefik replaces, or refuses."""

from golint_traefik.finding import Severity
from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik.resources import MIDDLEWARE
from golint_traefik.traefik.values import (
    find_written, hc_duration, health_checks, node_duration, option_label, parse_address,
)


@traefik_rule("TR502")
def check(p: TraefikPass) -> None:
    version = p.version
    error = Severity.ERROR if p.severity == p.meta.severity else None

    # Health checks: pkg/healthcheck replaces a non-positive interval/unhealthyInterval/timeout by the default.
    for res, hc, _ in health_checks(p.project):
        for key, default in (("interval", "30s"), ("unhealthyInterval", "30s"), ("timeout", "5s")):
            if key == "unhealthyInterval" and version < 3:
                continue
            node = hc.get(key)
            value = hc_duration(node, version)
            if value is None or value > 0:
                continue
            p.report(node, f"{res.describe()}: health-check {node.key} {_text(node)} is not positive: Traefik logs an "
                           f"error and uses the default {default} instead",
                     fix=f"set a positive {key}, or remove it to use the default {default}")

    # rateLimit.period: negative values make the middleware fail (0 means the 1s default).
    for res in p.project.select(MIDDLEWARE, "http"):
        node = res.node.find("rateLimit.period") if res.node.is_map else None
        value = node_duration(node)
        if value is not None and value < 0:
            p.report(node, f"{res.describe()}: rateLimit period {_text(node)} is negative: Traefik rejects the "
                           "middleware and the routers using it fail", severity=error,
                     fix="set a positive period (default 1s)")

    for static in p.project.static:
        root = static.root
        label = lambda path: option_label(static.origin, path)  # noqa: E731
        if version >= 3:
            _static(p, root, "providers.swarm.refreshSeconds", label, lambda v: v <= 0,
                    "is not positive: Traefik uses 15s instead", "set a positive refreshSeconds (default 15s)")
        else:
            _static(p, root, "providers.docker.swarmModeRefreshSeconds", label, lambda v: v <= 0,
                    "is not positive: Traefik uses 15s instead", "set a positive swarmModeRefreshSeconds (default 15s)")
        for provider in ("docker", "swarm"):
            _static(p, root, f"providers.{provider}.httpClientTimeout", label, lambda v: v < 0,
                    "is negative: Traefik treats it as 0, no timeout at all on Docker API calls",
                    "set a positive timeout, or 0 to state that there is none")
        _static(p, root, "providers.http.pollInterval", label, lambda v: v <= 0,
                "is not positive: the HTTP provider fails to start and its configuration is never loaded",
                "set a positive pollInterval (default 5s)", severity=error)
        eps = root.get("entryPoints")
        for ep in eps.entries if eps is not None and eps.is_map else ():
            addr = ep.get("address") if ep.is_map else None
            parsed = parse_address(addr.text() if addr is not None else None)
            node = ep.find("udp.timeout") if ep.is_map else None
            value = node_duration(node)
            if parsed is None or parsed.protocol != "udp" or value is None or value > 0:
                continue
            written = f"{eps.key}.{ep.key}.{ep.get('udp').key}.{node.key}"
            p.report(node.where, f"{label(written)} {_text(node)} is not positive: Traefik refuses to start "
                                 f'("timeout should be greater than zero")', severity=error,
                     fix="set a positive timeout (default 3s)")


def _static(p: TraefikPass, root, dotted: str, label, bad, what: str, fix: str, severity=None) -> None:
    node, written = find_written(root, dotted)
    value = node_duration(node)
    if value is None or not bad(value):
        return
    p.report(node.where, f"{label(written)} {_text(node)} {what}", fix=fix, severity=severity)


def _text(node) -> str:
    return (node.text() or "").strip()
