"""TR408 client-auth-without-ca: a TLS option verifies client certificates but gives no CA to verify them with."""

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik.gotemplate import is_templated
from golint_traefik.traefik.resources import TLS_OPTION

_VERIFYING = {"VerifyClientCertIfGiven", "RequireAndVerifyClientCert"}
_TYPES = _VERIFYING | {"NoClientCert", "RequestClientCert", "RequireAnyClientCert"}


@traefik_rule("TR408")
def check(p: TraefikPass) -> None:
    for res in p.project.select(TLS_OPTION):
        auth = res.node.get("clientAuth") if res.node.is_map else None
        if auth is None or not auth.is_map:
            continue
        kind = auth.get("clientAuthType")
        value = (kind.text() or "").strip() if kind is not None and kind.is_scalar else ""
        if not value or is_templated(value):
            continue
        if value not in _TYPES:
            if res.source == "crd":
                continue  # the CRD's enum makes the API server reject it first
            p.report(kind, f'{res.describe()} sets clientAuthType "{value}", which Traefik does not know: '
                           "the TLS option fails and so do the routers using it",
                     fix="use NoClientCert, RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven "
                         "or RequireAndVerifyClientCert")
            continue
        if value not in _VERIFYING:
            continue
        ca_key = "secretNames" if res.source == "crd" else "caFiles"
        cas = auth.get(ca_key)
        if cas is not None and cas.as_list():
            continue
        p.report(kind, f"{res.describe()} sets clientAuthType {value} without clientAuth.{ca_key}: "
                       "Traefik cannot verify client certificates, so the TLS option fails and so do the routers using it",
                 fix=f"list the CA that signs the client certificates in clientAuth.{ca_key}")
