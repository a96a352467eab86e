"""TR407 weak-cipher-suite: cipherSuites lists RC4, 3DES or CBC suites, or a name Traefik does not know."""

from golint_traefik.finding import Severity
from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik.gotemplate import is_templated

# pkg/tls/cipher.go: CipherSuites, the names Traefik accepts (crypto/tls constants, exact spelling).
KNOWN = frozenset({
    "TLS_RSA_WITH_RC4_128_SHA", "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_RSA_WITH_AES_128_CBC_SHA",
    "TLS_RSA_WITH_AES_256_CBC_SHA", "TLS_RSA_WITH_AES_128_CBC_SHA256", "TLS_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
    "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "TLS_ECDHE_RSA_WITH_RC4_128_SHA", "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA",
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
    "TLS_CHACHA20_POLY1305_SHA256", "TLS_FALLBACK_SCSV",
})


def weakness(name: str) -> str | None:
    if "_RC4_" in name:
        return "RC4 is broken and forbidden in TLS (RFC 7465)"
    if "_3DES_" in name:
        return "3DES has a 64-bit block and falls to Sweet32 (CVE-2016-2183)"
    if "_CBC_" in name:
        return "CBC suites use MAC-then-encrypt, the target of padding-oracle attacks such as Lucky13"
    return None


@traefik_rule("TR407")
def check(p: TraefikPass) -> None:
    escalate = Severity.ERROR if p.severity == p.meta.severity else None
    for res, server in p.project.tls_settings():
        suites = res.node.get("cipherSuites") if res.node.is_map else None
        if suites is None:
            continue
        for item in suites.as_list():
            name = (item.text() or "").strip()
            if not name or is_templated(name):
                continue
            if name not in KNOWN:
                upper = name.upper()
                hint = f'; did you mean "{upper}"?' if upper in KNOWN else ""
                if server:
                    effect = "Traefik fails to build the TLS option and the routers using it fail"
                elif res.source == "crd":
                    effect = "Traefik drops the whole list and uses Go's default suites"
                else:
                    effect = "Traefik rejects the transport and the services using it fail"
                p.report(item, f'{res.describe()} lists cipher suite "{name}", which Traefik does not know: {effect}{hint}',
                         fix="use a crypto/tls constant name, e.g. TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
                         severity=None if res.source == "crd" and not server else escalate)
                continue
            why = weakness(name)
            if why:
                side = "clients may negotiate" if server else "Traefik may negotiate with the backends"
                p.report(item, f"{res.describe()} lists {name}, which {side}: {why}",
                         fix="keep only ECDHE suites with AES-GCM or ChaCha20-Poly1305")
