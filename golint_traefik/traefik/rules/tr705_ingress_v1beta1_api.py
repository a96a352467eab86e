"""TR705 ingress-v1beta1-api: an Ingress (or a Traefik CRD definition) in a v1beta1 API that Kubernetes 1.22
and Traefik v3 no longer serve."""

import re
from typing import Iterator

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik import kube
from golint_traefik.traefik.gotemplate import is_templated
from golint_traefik.traefik.tree import CNode

# A Helm template that picks the API by the cluster's version renders the v1beta1 branch only on old clusters.
_VERSION_SWITCH = re.compile(r"\{\{[^}]*\.Capabilities\.(?:KubeVersion|APIVersions)")
_V1_INGRESS_API = re.compile(r"^\s*apiVersion:\s*[\"']?networking\.k8s\.io/v1[\"']?\s*(?:#.*)?$", re.M)
_CRD_FIX = ("install Traefik v3's CRD definitions (apiextensions.k8s.io/v1, group traefik.io): kubectl apply -f "
            "https://raw.githubusercontent.com/traefik/traefik/v3.0/docs/content/reference/dynamic-configuration/"
            "kubernetes-crd-definition-v1.yml")


@traefik_rule("TR705")
def check(p: TraefikPass) -> None:
    if p.version < 3:
        return
    classes = _configured_classes(p)
    for m in p.project.manifests:
        if not kube.legacy_api(m) or _alternative(p, m):
            continue
        node = m.root.get("apiVersion")
        if m.kind == "CustomResourceDefinition":
            group = m.root.find("spec.group").text()
            extra = f"; its group {group} is ignored by v3 as well (use traefik.io)" if group != "traefik.io" else ""
            p.report(node, f'{m.kind} "{m.name}" uses apiVersion {m.api_version}, which Kubernetes removed in 1.22 '
                           f"and Traefik v3 no longer supports: a current cluster refuses the definition, so the "
                           f"Traefik objects of that kind cannot be created{extra} (read as v3: "
                           f"{p.project.version_reason})",
                     fix=_CRD_FIX)
            continue
        why = _served_by_traefik(m, classes)
        if why is None:
            continue
        p.report(node, f"{m.label()} uses apiVersion {m.api_version}, which Kubernetes removed in 1.22 and Traefik "
                       f"v3 no longer supports: a current cluster refuses the manifest, so its routes never reach "
                       f"Traefik ({why}; read as v3: {p.project.version_reason})",
                 fix=_fix(m))


def _alternative(p: TraefikPass, m: kube.Manifest) -> bool:
    """The v1beta1 apiVersion is one branch of a template: the document has several apiVersion keys once
    the template actions are blanked, or the file chooses by the cluster's version (``.Capabilities``), or
    it is a template that also writes the v1 API (a fallback chosen by a value)."""
    if sum(1 for e in m.root.entries if (e.key or "").lower() == "apiversion") > 1:
        return True
    text = p.project.all_texts.get(m.path, "")
    return "{{" in text and bool(_VERSION_SWITCH.search(text) or _V1_INGRESS_API.search(text))


def _configured_classes(p: TraefikPass) -> set[str] | None:
    """``providers.kubernetesIngress.ingressClass`` values of the project ("" when the provider is enabled
    without one, so that Ingresses without a class are served), or None when no static configuration
    enables the provider."""
    out: set[str] | None = None
    for s in p.project.static:
        provider = s.root.find("providers.kubernetesIngress")
        if provider is None:
            continue
        out = out if out is not None else set()
        cls = provider.get("ingressClass") if provider.is_map else None
        out.add((cls.text() or "").strip() if cls is not None and cls.is_scalar else "")
    return out


def _served_by_traefik(m: kube.Manifest, classes: set[str] | None) -> str | None:
    """Why the Ingress is Traefik's, or None when it is (or may be) another controller's."""
    cls = kube.ingress_class(m)
    if cls is not None and is_templated(cls[0]):
        if kube.ingress_annotations(m):
            return "its class comes from the template, and it carries traefik.ingress.kubernetes.io annotations"
        return None
    if cls is not None:
        name = cls[0]
        if "traefik" in name.lower():
            return f'its class is "{name}"'
        if classes and name in classes:
            return f'its class "{name}" is the ingressClass of Traefik\'s kubernetesIngress provider'
        return None  # another controller's (nginx, alb, ...)
    if kube.ingress_annotations(m):
        return "it has no class, and carries traefik.ingress.kubernetes.io annotations"
    if classes is not None and "" in classes:
        return "it has no class, and Traefik's kubernetesIngress provider, enabled without ingressClass, serves such Ingresses"
    return None


def _fix(m: kube.Manifest) -> str:
    spec = m.root.get("spec")
    old_backend = any(n.get("serviceName") is not None or n.get("servicePort") is not None for n in _backends(spec))
    backend = ("rewrite each backend serviceName/servicePort as service: {name: ..., port: {number: ...}} "
               "(or port: {name: ...})" if old_backend else
               "write each backend as service: {name: ..., port: {number: ...}} (or port: {name: ...})")
    default = ", rename spec.backend to spec.defaultBackend" if spec is not None and spec.get("backend") is not None else ""
    return (f"use apiVersion: networking.k8s.io/v1; {backend}{default}, and give every path a pathType "
            "(ImplementationSpecific matches as the v1beta1 path did)")


def _backends(spec: CNode | None) -> Iterator[CNode]:
    """Backend mappings of an Ingress spec: the default backend and each rule path's."""
    if spec is None or not spec.is_map:
        return
    for key in ("backend", "defaultBackend"):
        node = spec.get(key)
        if node is not None and node.is_map:
            yield node
    rules = spec.get("rules")
    for rule in rules.items if rules is not None and rules.is_seq else ():
        paths = rule.find("http.paths") if rule.is_map else None
        for path in paths.items if paths is not None and paths.is_seq else ():
            node = path.get("backend") if path.is_map else None
            if node is not None and node.is_map:
                yield node
