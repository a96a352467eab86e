"""GO407 tls-min-version-too-low: a tls.Config that still accepts TLS 1.0/1.1 (or SSL 3.0).

``MinVersion: tls.VersionTLS10`` (``VersionTLS11``, ``VersionSSL30``, or the
raw numbers 0x0300-0x0302) in a ``tls.Config`` literal or a
``cfg.MinVersion = ...`` assignment to one.  Only constants that always apply
are reported: a version read from configuration, assigned inside an ``if`` or
a ``case`` (mapping a user's setting to a constant), or written in a literal
under a condition about versions or legacy peers, is the user's choice.
Test code is skipped.
"""

from __future__ import annotations

import re

from golint_traefik.go import httpfacts, scope
from golint_traefik.go.source import is_test_code
from golint_traefik.registry import go_rule

_OLD = {"VersionSSL30": "SSL 3.0", "VersionTLS10": "TLS 1.0", "VersionTLS11": "TLS 1.1"}
_OLD_NUMBERS = {0x0300: "SSL 3.0", 0x0301: "TLS 1.0", 0x0302: "TLS 1.1"}


@go_rule("GO407")
def check(p) -> None:
    f = p.file
    if f.is_test or not f.has(b"MinVersion") or is_test_code(f):
        return
    for setting in httpfacts.tls_settings(p.package, f, "MinVersion"):
        old = _version(f, setting.value)
        if old is None or _chosen(f, setting):
            continue
        p.report(setting.value, f"MinVersion allows {old}: deprecated protocol versions (RFC 8996) with known"
                 " weaknesses stay negotiable", fix="use tls.VersionTLS12 (or leave MinVersion unset on Go 1.22+,"
                 " where both clients and servers default to TLS 1.2)")


def _version(f, value) -> str | None:
    value = scope.unparen(value)
    if value.type == "selector_expression":
        name = f.text(value.child_by_field_name("field"))
        if name in _OLD and httpfacts.is_pkg_selector(f, value, httpfacts.TLS, (name,)):
            return _OLD[name]
        return None
    if value.type == "identifier" and f.text(value) in _OLD \
            and httpfacts.is_pkg_selector(f, value, httpfacts.TLS, (f.text(value),)):
        return _OLD[f.text(value)]
    if value.type == "int_literal":
        try:
            return _OLD_NUMBERS.get(int(f.text(value).replace("_", ""), 0))
        except ValueError:
            return None
    return None


_CHOICE = re.compile(r"version|legacy|compat|ssl|1[._]?[01]\b", re.I)


def _chosen(f, setting) -> bool:
    """The version is chosen at run time: an assignment under an ``if``/``case`` (mapping a setting to
    a constant), or a literal under a condition about versions or legacy peers."""
    conds = scope.guards(setting.node)
    if setting.node.type == "assignment_statement":
        return bool(conds)
    return any(_CHOICE.search(f.text(c)) for c in conds)
