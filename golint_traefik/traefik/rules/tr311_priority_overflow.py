"""TR311 priority-overflow: a router priority above the largest value Traefik lets users set."""

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik.resources import ROUTER

MAX_INT64 = 2**63 - 1
MAX_USER_PRIORITY = MAX_INT64 - 1000  # pkg/server/router/router.go maxUserPriority on 64-bit platforms
MIN_INT64 = -(2**63)


@traefik_rule("TR311")
def check(p: TraefikPass) -> None:
    for res in p.project.resources:
        if res.kind != ROUTER or res.protocol not in ("http", "tcp") or not res.node.is_map:
            continue
        node = res.node.get("priority")
        if node is None or not node.is_scalar:
            continue
        value = _integer(node.value)
        if value is None:
            continue
        if value > MAX_INT64 or value < MIN_INT64:
            p.report(node, f"{res.describe()} has priority {value}, which does not fit in a 64-bit integer; "
                           "Traefik cannot decode the configuration that holds it",
                     fix=f"use a priority of at most {MAX_USER_PRIORITY}")
        elif value > MAX_USER_PRIORITY:
            p.report(node, f"{res.describe()} has priority {value}, above the maximum user priority "
                           f"{MAX_USER_PRIORITY} (MaxInt64 - 1000, reserved for internal routers); Traefik disables "
                           "the router", fix=f"use a priority of at most {MAX_USER_PRIORITY}")


def _integer(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.strip()
        if text.lstrip("+-").isdigit():
            return int(text)
    return None
