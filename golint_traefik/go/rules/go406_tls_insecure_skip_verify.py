"""GO406 tls-insecure-skip-verify: certificate verification turned off with a literal ``true``.

``tls.Config{InsecureSkipVerify: true}`` (or ``cfg.InsecureSkipVerify = true``
on a ``tls.Config``) accepts any certificate from anyone.  Only the literal
``true`` is reported, and only where it always applies: a value taken from a
flag or a config field, an assignment inside an ``if`` or ``case`` (``if
insecure { cfg.InsecureSkipVerify = true }``), a literal under a condition
about insecurity or localhost, and a literal default that a later assignment
may change are decisions the user makes.  Not reported either:
test code, a package that verifies peers itself (it sets
``VerifyPeerCertificate`` or ``VerifyConnection`` somewhere, or reads
``PeerCertificates``/``VerifiedChains`` after the handshake), and a line that
another linter's suppression comment (``#nosec``, ``nolint``) already marks
as deliberate.
"""

from __future__ import annotations

import re

from golint_traefik.go import httpfacts, scope
from golint_traefik.go.source import is_test_code
from golint_traefik.registry import go_rule


@go_rule("GO406")
def check(p) -> None:
    f = p.file
    if f.is_test or not f.has(b"InsecureSkipVerify") or is_test_code(f) or _verifies_itself(p):
        return
    for setting in httpfacts.tls_settings(p.package, f, "InsecureSkipVerify"):
        if f.text(setting.value) != "true":
            continue
        if _chosen(f, setting) or _overridden(setting) or _suppressed_elsewhere(f, setting.node):
            continue
        p.report(setting.value, "InsecureSkipVerify is set to true: the peer's certificate and host name are not"
                 " verified, so anyone on the path can impersonate the server",
                 fix="remove it and trust the right CA with RootCAs; if verification is really done elsewhere,"
                     " say so with VerifyConnection or VerifyPeerCertificate")



_OWN_CHECKS = (b"VerifyPeerCertificate", b"VerifyConnection", b".PeerCertificates", b".VerifiedChains")


def _verifies_itself(p) -> bool:
    """The package checks peer certificates itself: it sets a verification callback somewhere or reads
    the peer's chain after the handshake (pinning, device IDs) -- the skip may be its first half."""
    return any(any(k in g.src for k in _OWN_CHECKS) for g in httpfacts.iter_files(p.package, p.file))


_CHOICE = re.compile(r"insecure|skip|verif|localhost|loopback|self.?signed|127\.0\.0\.1", re.I)


def _chosen(f, setting) -> bool:
    """The skip is a decision taken at run time: an assignment made under an ``if``/``case``, or a
    literal under a condition that is about it (``if opts.Insecure``, ``if isLocalhost(host)``)."""
    conds = scope.guards(setting.node)
    if setting.node.type == "assignment_statement":
        return bool(conds)
    return any(_CHOICE.search(f.text(c)) for c in conds)


def _overridden(setting) -> bool:
    """A literal default that the function assigns again later (``cfg.InsecureSkipVerify = !verify``)."""
    config = setting.config or {}
    later = config.get("InsecureSkipVerify")
    return later is not None and later != setting.node and later.type == "assignment_statement"


def _suppressed_elsewhere(f, node) -> bool:
    """``// #nosec G402`` or ``//nolint:gosec`` on the line or the line above: already reviewed."""
    line = node.start_point[0] + 1
    text = f.line_text(line) + "\n" + f.line_text(line - 1)
    return "#nosec" in text or "nolint" in text
