"""TR212 unused-tls-option: TLS options nothing in the project uses."""

import re

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik.resources import CRD_PROVIDER, TLS_OPTION


@traefik_rule("TR212")
def check(p: TraefikPass) -> None:
    project = p.project
    used, blind = project.usage(TLS_OPTION)
    if "*" in blind:
        return
    # Files of the run the model does not read as Traefik configuration (Helm values, whose
    # ports.<name>.tls.options the chart turns into an entryPoint flag): a name@provider there is a use.
    others = [t for path, t in project.all_texts.items() if path not in project.texts]
    for res in project.select(TLS_OPTION):
        if id(res) in used or not res.active or res.templated or _default(res):
            continue
        if res.source == "labels":
            continue  # Traefik reads no TLS options from labels (TR112 reports them)
        if res.provider in blind or res.provider in project.incomplete:
            continue
        mention = re.compile(r"(?<![\w.@-])" + re.escape(res.qualified) + r"(?![\w-])")
        if any(mention.search(t) for t in others):
            continue
        p.report(res.where, f"{res.describe()} is defined but no router, IngressRoute, Ingress or entryPoint of the "
                            "project uses it", fix="refer to it from the routers meant to use it, or delete it")


def _default(res) -> bool:
    """Options named ``default`` replace Traefik's defaults for every TLS router that names none.

    A ``TLSOption`` called ``default`` does so from any namespace: the CRD provider registers it as
    ``default``, not ``<namespace>-default`` (pkg/provider/kubernetes/crd/kubernetes.go, buildTLSOptions).
    """
    if res.provider == CRD_PROVIDER:
        return res.local_name == "default"
    return res.name == "default"
