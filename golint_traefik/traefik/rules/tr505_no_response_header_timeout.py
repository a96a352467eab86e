"""TR505 no-response-header-timeout: a servers transport waits forever for a backend's response headers."""

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik.resources import TRANSPORT
from golint_traefik.traefik.values import node_duration, option_label

_WHY = ("waits without limit for the backend's response headers: a hung backend holds the client's request and a "
        "connection until the client gives up")


@traefik_rule("TR505")
def check(p: TraefikPass) -> None:
    for static in p.project.static:
        transport = static.root.get("serversTransport")
        if transport is None or not transport.is_map:
            continue
        node = transport.find("forwardingTimeouts.responseHeaderTimeout")
        if _bounded(node):
            continue
        what = option_label(static.origin, f"{transport.key}.forwardingTimeouts.responseHeaderTimeout")
        state = "is 0" if node is not None else "is not set"
        p.report(node.where if node is not None else transport.where,
                 f"{what} {state}: the default transport of every HTTP service {_WHY}",
                 fix="set serversTransport.forwardingTimeouts.responseHeaderTimeout (e.g. 60s)")
    for res in p.project.select(TRANSPORT, "http"):
        if not res.node.is_map:
            continue
        node = res.node.find("forwardingTimeouts.responseHeaderTimeout")
        if _bounded(node):
            continue
        state = "responseHeaderTimeout is 0" if node is not None else "sets no forwardingTimeouts.responseHeaderTimeout"
        p.report(node if node is not None else res.where, f"{res.describe()} {state}: it {_WHY}",
                 fix="set forwardingTimeouts.responseHeaderTimeout (e.g. 60s)")


def _bounded(node) -> bool:
    if node is None:
        return False
    value = node_duration(node)
    return value is None or value > 0  # an invalid value is a decoding error, not this rule's concern
