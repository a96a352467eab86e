"""TR404 dashboard-without-auth: a router publishes api@internal, dashboard@internal or rest@internal unprotected."""

from __future__ import annotations

import re

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik.model import FOUND, MISSING
from golint_traefik.traefik.resources import MIDDLEWARE, ROUTER, SERVICE, Resource
from golint_traefik.traefik.values import router_entry_points

_TARGETS = {"api": "the API", "dashboard": "the dashboard", "rest": "the REST provider (write access to the routing)"}
# Middleware types (lower-cased keys) that authenticate or restrict who gets through.
_AUTH = {"basicauth", "digestauth", "forwardauth", "ipallowlist", "ipwhitelist"}
_AUTH_NAMES = "basicAuth, digestAuth, forwardAuth or ipAllowList"
# Middleware types that certainly do not.  Anything else (plugins, types this list does not know) may.
_OPEN = {"addprefix", "stripprefix", "stripprefixregex", "replacepath", "replacepathregex", "headers",
         "encodedcharacters", "errors", "ratelimit", "redirectregex", "redirectscheme", "inflightreq", "buffering",
         "circuitbreaker", "compress", "passtlsclientcert", "retry", "contenttype", "grpcweb",
         "requestheadermodifier", "responseheadermodifier", "requestredirect", "urlrewrite"}
_CLIENT_IP = re.compile(r"\bclientip\s*\(", re.I)

YES, NO, MAYBE = "yes", "no", "maybe"


@traefik_rule("TR404")
def check(p: TraefikPass) -> None:
    project = p.project
    by_owner: dict[int, list] = {}
    for ref in project.refs:
        if ref.kind == MIDDLEWARE and ref.owner is not None:
            by_owner.setdefault(id(ref.owner), []).append(ref)
    ep_refs: dict[str, list] = {}
    for ref in project.references(MIDDLEWARE):
        if ref.owner is None and ref.entry_point:
            ep_refs.setdefault(ref.entry_point, []).append(ref)
    entry_points = project.entry_points()

    def guards(refs: list, seen: frozenset = frozenset()) -> str | None:
        """YES: one of the middlewares authenticates; NO: none does; MAYBE: cannot tell; None: one is missing."""
        verdict = NO
        for ref in refs:
            if ref.dynamic:
                verdict = MAYBE if verdict == NO else verdict
                continue
            res = project.resolve(ref)
            if res.status == MISSING:
                return None  # Traefik refuses to build the router: nothing is served
            if res.status != FOUND:
                verdict = MAYBE if verdict == NO else verdict
                continue
            if not res.targets:
                continue  # internal middlewares (dashboard_redirect, ...), none authenticates
            kind = _kind(res.targets[0], by_owner, guards, seen)
            if kind is None:
                return None
            if kind == YES:
                return YES
            if kind == MAYBE:
                verdict = MAYBE
        return verdict

    for ref in project.references(SERVICE, "http"):
        if ref.provider != "internal" or ref.name not in _TARGETS or ref.dynamic:
            continue
        router = ref.owner
        if router is None or router.kind != ROUTER or not router.active or router.templated:
            continue
        if _CLIENT_IP.search(_rule(router)):
            continue  # the rule itself restricts the clients
        own = guards(by_owner.get(id(router), []))
        if own is None or own in (YES, MAYBE):
            continue
        eps, explicit = router_entry_points(router, entry_points)
        if entry_points:
            exposed = []
            for name in eps:
                if name not in entry_points:
                    continue  # not served there (TR2xx reports unknown entrypoints)
                at_ep = guards(ep_refs.get(name, []))
                if at_ep is None or at_ep in (YES, MAYBE):
                    continue
                exposed.append(name)
            if not exposed:
                continue
            where = f" on entrypoint{'s' if len(exposed) > 1 else ''} {', '.join(exposed)}"
        else:
            where = ""
        mids = by_owner.get(id(router), [])
        if mids:
            why = f"none of its middlewares ({', '.join(m.text for m in mids)}) is a {_AUTH_NAMES}"
        else:
            why = "it has no middleware"
        p.report(ref.node,
                 f"{router.describe()} serves {_TARGETS[ref.name]} ({ref.text}){where} without authentication: {why}",
                 related=[(router.where, "router defined here")],
                 fix="add a basicAuth, forwardAuth or ipAllowList middleware to the router")


def _rule(router: Resource) -> str:
    node = router.node.get("match") if router.source == "crd" else router.node.get("rule")
    return (node.text() or "") if node is not None else ""


def _kind(mw: Resource, by_owner: dict, guards, seen: frozenset) -> str | None:
    """Whether a middleware authenticates: YES, NO, MAYBE, or None when it is a chain with a missing link."""
    node = mw.node
    if not node.is_map:
        return MAYBE
    keys = {(e.key or "").lower() for e in node.entries}
    if keys & _AUTH:
        return YES
    if "chain" in keys:
        if id(mw) in seen:
            return MAYBE  # a cycle: Traefik rejects it, TR2xx's business
        links = [r for r in by_owner.get(id(mw), []) if r.via == "chain"]
        return guards(links, seen | {id(mw)})
    if keys and keys <= _OPEN:
        return NO
    return MAYBE
