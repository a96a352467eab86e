"""TR501 healthcheck-timeout-not-below-interval: a health check may still be waiting when the next one is due."""

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik.values import (
    HEALTHCHECK_INTERVAL, HEALTHCHECK_TIMEOUT, format_seconds, hc_duration, health_checks,
)


@traefik_rule("TR501")
def check(p: TraefikPass) -> None:
    version = p.version
    for res, hc, _ in health_checks(p.project):
        if version < 3 and hc.get("path") is None:
            continue  # Traefik v2 ignores a health check without a path
        interval_node, timeout_node = hc.get("interval"), hc.get("timeout")
        unhealthy_node = hc.get("unhealthyInterval") if version >= 3 else None
        if interval_node is None and timeout_node is None:
            continue  # the defaults: 5s within 30s
        if version >= 3 and any(n is not None and hc_duration(n, version) is None
                                for n in (interval_node, timeout_node, unhealthy_node)):
            continue  # not a duration: Traefik rejects the configuration (a TR1xx concern)
        interval = _effective(hc_duration(interval_node, version), HEALTHCHECK_INTERVAL)
        timeout = _effective(hc_duration(timeout_node, version), HEALTHCHECK_TIMEOUT)
        unhealthy = (_effective(hc_duration(unhealthy_node, version), HEALTHCHECK_INTERVAL)
                     if unhealthy_node is not None else interval)
        checks = [("interval", interval, interval_node)]
        if unhealthy_node is not None:
            checks.append(("unhealthyInterval", unhealthy, unhealthy_node))
        for name, period, period_node in checks:
            if timeout < period:
                continue
            where = timeout_node if timeout_node is not None else period_node
            t_text = format_seconds(timeout) + ("" if timeout_node is not None else " (default)")
            i_text = format_seconds(period) + ("" if period_node is not None else " (default)")
            p.report(where,
                     f"{res.describe()}: health-check timeout {t_text} is not below {name} {i_text}: a hanging check "
                     "outlasts the interval, so servers are checked less often than configured (Traefik checks them "
                     "one after another and skips missed ticks) and a dead server is noticed only after the timeout",
                     fix=f"make the timeout a fraction of the {name} (e.g. timeout 5s, {name} 30s)")
            break


def _effective(value: float | None, default: float) -> float:
    """Traefik replaces an unparsable (v2) or non-positive duration by the default (TR502 reports those)."""
    return value if value is not None and value > 0 else default
