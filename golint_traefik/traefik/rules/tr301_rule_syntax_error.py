"""TR301 rule-syntax-error: a router rule Traefik cannot parse, or a matcher name or value it rejects."""

import ipaddress
import re

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik.rulelang import V3_REPLACEMENT, RouterRule, router_rules, spellings

# pkg/muxer/tcp/matcher.go (v3) and matcher_v2.go: what HostSNI accepts besides "*".
_HOST_OR_IP = {"v3": re.compile(r"^(\*\.)?[0-9A-Za-z_.\-:]+$"), "v2": re.compile(r"^[0-9A-Za-z_.\-:]+$")}
_ASCII_ONLY = frozenset({"Host", "HostHeader", "HostRegexp", "HostSNIRegexp"})
_V3_ONLY_HINT = {
    "Header": "Headers", "HeaderRegexp": "HeadersRegexp",
    "PathRegexp": "a Path template such as Path(`/users/{id:[0-9]+}`)",
    "QueryRegexp": "a Query template such as Query(`page={n:[0-9]+}`)",
}


@traefik_rule("TR301")
def check(p: TraefikPass) -> None:
    for rr in router_rules(p.project):
        err = rr.parsed.error
        if err is not None:
            p.report(rr.span(err.start, err.end), f"rule of {rr.owner()} does not parse: {err.message}",
                     fix="write matchers as Name(`value`) joined by &&, || and !")
            continue
        for m in rr.parsed.matchers:
            message = _name_problem(rr, m)
            if message:
                p.report(rr.span(m.start, m.name_end), f"rule of {rr.owner()}: {message}")
                continue
            if m.spec is None:
                continue
            for arg in m.args:
                problem = _value_problem(rr, m.canonical, arg.value)
                if problem:
                    p.report(rr.span(arg.start, arg.end), f"rule of {rr.owner()}: {problem}")


def _name_problem(rr: RouterRule, m) -> str | None:
    kind = "TCP" if rr.protocol == "tcp" else "HTTP"
    if m.problem == "casing":
        spelt = ", ".join(sorted(spellings(m.suggestion) - {m.suggestion}))
        return f'"{m.name}" is not a spelling Traefik accepts; write {m.suggestion} (or {spelt})'
    if m.problem == "unknown":
        hint = f'; did you mean "{m.suggestion}"?' if m.suggestion else ""
        return f'unknown {kind} matcher "{m.name}" under the {rr.syntax} rule syntax{hint}'
    if m.problem == "other-protocol":
        if rr.protocol == "tcp":
            return f"{m.suggestion} is an HTTP matcher; TCP routers match with HostSNI, HostSNIRegexp, ClientIP and ALPN"
        return f"{m.suggestion} is a TCP matcher; HTTP routers match the host with Host or HostRegexp"
    if m.problem == "other-syntax":
        if rr.syntax == "v3" and m.suggestion in V3_REPLACEMENT:
            return None  # TR303 v2-matcher-under-v3
        instead = _V3_ONLY_HINT.get(m.suggestion or "", "")
        where = "Traefik v2" if rr.syntax_reason == "Traefik v2" else f"the v2 rule syntax ({rr.syntax_reason})"
        return f"{m.suggestion} does not exist in {where}" + (f"; use {instead}" if instead else "")
    return None


def _value_problem(rr: RouterRule, name: str, value: str) -> str | None:
    if value == "":
        return f"{name} has an empty argument, which Traefik rejects"
    if name in _ASCII_ONLY and not value.isascii():
        return f"{name}(`{value}`) has non-ASCII characters, which Traefik rejects; use the punycode form (xn--...)"
    if name == "HostSNI" and value != "*" and not _HOST_OR_IP[rr.syntax].match(value):
        return f'HostSNI(`{value}`) is not a valid hostname or IP, which Traefik rejects'
    if name == "ALPN" and value == "acme-tls/1":
        return "ALPN(`acme-tls/1`) is reserved for the ACME TLS challenge, and Traefik rejects it"
    if name == "ClientIP" and not _is_ip_or_cidr(value):
        return f"ClientIP(`{value}`) is not an IP address or CIDR range, which Traefik rejects"
    return None


def _is_ip_or_cidr(value: str) -> bool:
    if "%" in value or value != value.strip():
        return False
    try:
        if "/" in value:
            ipaddress.ip_network(value, strict=False)
        else:
            ipaddress.ip_address(value)
    except ValueError:
        return False
    return True
