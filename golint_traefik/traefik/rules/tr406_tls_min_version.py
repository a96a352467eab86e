"""TR406 tls-min-version: a TLS option or servers transport allows TLS 1.0/1.1, or names a version Traefik ignores."""

from golint_traefik.finding import Severity
from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik.gotemplate import is_templated

# pkg/tls/certificate.go: MinVersion; exact, case-sensitive keys.
_VERSIONS = {"VersionTLS10": "1.0", "VersionTLS11": "1.1", "VersionTLS12": "1.2", "VersionTLS13": "1.3"}
_WEAK = {"VersionTLS10", "VersionTLS11"}


@traefik_rule("TR406")
def check(p: TraefikPass) -> None:
    for res, server in p.project.tls_settings():
        node = res.node.get("minVersion") if res.node.is_map else None
        if node is None or not node.is_scalar or node.text() is None or is_templated(node.text()):
            continue
        value = node.text()
        if value in _WEAK:
            if server:
                scope = ("every TLS router without its own options" if "default" in (res.name, res.local_name)
                         else "the routers that use it")
                message = (f"{res.describe()} accepts TLS {_VERSIONS[value]} ({value}) from clients of {scope}; "
                           "TLS 1.0 and 1.1 are deprecated (RFC 8996)")
            else:
                message = (f"{res.describe()} lets Traefik talk TLS {_VERSIONS[value]} ({value}) to the backends; "
                           "TLS 1.0 and 1.1 are deprecated (RFC 8996)")
            p.report(node, message, fix="set minVersion: VersionTLS12 (or VersionTLS13)")
        elif value not in _VERSIONS:
            if server or res.source == "crd":
                effect = ("Traefik ignores it (it knows only VersionTLS10 to VersionTLS13, case-sensitive) "
                          "and the Go default minimum applies")
                severity = None
            else:
                effect = ("Traefik rejects the transport (it knows only VersionTLS10 to VersionTLS13, case-sensitive) "
                          "and the services using it fail")
                severity = Severity.ERROR if p.severity == p.meta.severity else None
            p.report(node, f'{res.describe()} sets minVersion "{value}": {effect}',
                     fix="write one of VersionTLS12, VersionTLS13", severity=severity)
