"""TR416 hsts-on-local-host: HSTS is sent on a router that only answers for localhost or IP addresses."""

from __future__ import annotations

import ipaddress

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik.gotemplate import is_templated
from golint_traefik.traefik.model import FOUND
from golint_traefik.traefik.resources import MIDDLEWARE, Ref, Resource
from golint_traefik.traefik.rulelang import BinOp, Group, Matcher, Not, router_rules

IP, LOCALHOST = "ip", "localhost"
# Matchers whose arguments are the request hosts they accept (v2 Host takes several, HostHeader is v2's alias).
_HOST_MATCHERS = ("Host", "HostHeader")
_YEAR = 365 * 24 * 3600


@traefik_rule("TR416")
def check(p: TraefikPass) -> None:
    project = p.project
    by_owner: dict[int, list[Ref]] = {}
    for ref in project.refs:
        if ref.kind == MIDDLEWARE and ref.protocol == "http" and ref.owner is not None:
            by_owner.setdefault(id(ref.owner), []).append(ref)

    for rr in router_rules(project):
        router = rr.router
        if rr.protocol != "http" or not router.active or router.templated or not rr.parsed.ok:
            continue
        hosts = _hosts(rr.parsed.tree)
        if not hosts:
            continue  # None: the rule matches other hosts too (or any host); empty: it matches nothing
        kinds = {h: _local_kind(h) for h in sorted(hosts)}
        if None in kinds.values():
            continue
        for ref in by_owner.get(id(router), []):
            if ref.via != "middlewares":
                continue
            found = _sends_hsts(project, ref, by_owner, frozenset())
            if found is None:
                continue
            mw, headers, seconds, via = found
            p.report(ref.node, _message(router.describe(), kinds, mw, headers, seconds, via),
                     related=[(headers.get("stsSeconds"), "HSTS max-age set here"),
                              (rr.node, "the rule matches only these hosts")],
                     fix="do not send HSTS on this router: give it a headers middleware without stsSeconds, "
                         "or serve it under a real domain name")


# ------------------------------------------------------------------ hosts


def _hosts(node) -> set[str] | None:
    """A superset of the hosts a rule can match, lower-cased; None when it is not limited to a list of hosts."""
    if isinstance(node, Group):
        return _hosts(node.inner)
    if isinstance(node, Not):
        return None  # the complement of a list of hosts is every other host
    if isinstance(node, BinOp):
        left, right = _hosts(node.left), _hosts(node.right)
        if node.op == "||":
            return None if left is None or right is None else left | right
        if left is None or right is None:
            return right if left is None else left
        # A request must match a host of each side: keep the hosts that can meet one of the other side.
        return ({a for a in left if any(_overlap(a, b) for b in right)}
                | {b for b in right if any(_overlap(a, b) for a in left)})
    if isinstance(node, Matcher):
        if node.canonical not in _HOST_MATCHERS:
            return None
        values = {_normalize(a.value) for a in node.args}
        if not values or "*" in values or any(is_templated(v) for v in values):
            return None  # Host(`*`) matches every host
        return values
    return None


def _overlap(a: str, b: str) -> bool:
    """Whether one request host can match both host expressions (``*.x`` stands for one label before x)."""
    if a == b:
        return True
    wa, wb = a.startswith("*."), b.startswith("*.")
    if wa and wb:
        return False  # both wildcards, different parents
    if wa:
        return "." in b and b.split(".", 1)[1] == a[2:]
    if wb:
        return "." in a and a.split(".", 1)[1] == b[2:]
    return False


def _normalize(host: str) -> str:
    host = host.strip().lower()
    # Traefik also matches the name with a trailing dot removed on either side.
    return host[:-1] if host.endswith(".") and len(host) > 1 else host


def _local_kind(host: str) -> str | None:
    """IP for an IP address, LOCALHOST for localhost and *.localhost, None for any other name."""
    bare = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    try:
        ipaddress.ip_address(bare)
        return IP
    except ValueError:
        pass
    if bare == "localhost" or bare.endswith(".localhost"):
        return LOCALHOST
    return None


# ------------------------------------------------------------ middlewares


def _sends_hsts(project, ref: Ref, by_owner: dict, seen: frozenset):
    """(middleware, headers node, stsSeconds, chain path) of the first headers middleware behind ``ref``
    that sends Strict-Transport-Security, or None."""
    if ref.dynamic:
        return None
    res = project.resolve(ref)
    if res.status != FOUND or not res.targets:
        return None
    mw: Resource = res.targets[0]
    node = mw.node
    if not node.is_map or id(mw) in seen:
        return None
    headers = node.get("headers")
    if headers is not None and headers.is_map:
        seconds = _sts_seconds(headers)
        if seconds is not None:
            return mw, headers, seconds, []
    if node.get("chain") is not None:
        for link in by_owner.get(id(mw), []):
            if link.via != "chain":
                continue
            found = _sends_hsts(project, link, by_owner, seen | {id(mw)})
            if found is not None:
                return found[0], found[1], found[2], [mw, *found[3]]
    return None


def _sts_seconds(headers) -> int | None:
    """The max-age a headers middleware sends, or None when it sends no Strict-Transport-Security header.

    unrolled/secure (behind Traefik's headers middleware) adds the header when stsSeconds != 0, the
    request came over TLS (or forceSTSHeader is set) and isDevelopment is off.
    """
    node = headers.get("stsSeconds")
    if node is None or not node.is_scalar:
        return None
    text = (node.text() or "").strip()
    if isinstance(node.value, bool) or is_templated(text):
        return None
    try:
        seconds = int(text)
    except ValueError:
        return None
    if seconds <= 0:
        return None  # 0: no header; a negative max-age is rejected by browsers
    dev = headers.get("isDevelopment")
    if dev is not None and dev.as_bool() is True:
        return None
    return seconds


# --------------------------------------------------------------- message


def _message(owner: str, kinds: dict[str, str | None], mw: Resource, headers, seconds: int, via: list) -> str:
    hosts = list(kinds)
    names = hosts[0] if len(hosts) == 1 else ", ".join(hosts[:-1]) + " and " + hosts[-1]
    chain = "".join(f' (through chain "{c.qualified}")' for c in via[:1])
    flags = [key for key in ("stsIncludeSubdomains", "stsPreload", "forceSTSHeader")
             if headers.get(key) is not None and headers.get(key).as_bool() is True]
    setting = f"stsSeconds: {seconds}" + "".join(f", {f}" for f in flags)
    head = (f"{owner} only matches {names} but uses {mw.describe()}{chain}, which sends Strict-Transport-Security "
            f"({setting})")
    values = set(kinds.values())
    parts = []
    if IP in values:
        parts.append("browsers never record HSTS for an IP address (RFC 6797 section 8.1.1), so the header "
                     "protects nothing there")
    if LOCALHOST in values:
        parts.append("on localhost, Chrome 132+ and Firefox ignore it, and browsers that still honour it keep "
                     f"forcing HTTPS on every port of the name for {_duration(seconds)}, breaking plain-HTTP local "
                     "services")
    if "stsPreload" in flags:
        parts.append("stsPreload has no effect either: only public domains can be preloaded")
    return head + ": " + "; ".join(parts)


def _duration(seconds: int) -> str:
    if seconds % _YEAR == 0:
        years = seconds // _YEAR
        return f"{years} year{'s' if years > 1 else ''}"
    if seconds >= 2 * 86400:
        return f"{seconds // 86400} days"
    return f"{seconds} seconds"
