"""TR208 cross-namespace-reference: a CRD reference across namespaces while allowCrossNamespace is off."""

import re

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik.gotemplate import MARK
from golint_traefik.traefik.resources import CRD_PROVIDER, ROUTER, SERVICE

_ENABLED = re.compile(r"allowcrossnamespace[\"']?\s*[:=]\s*[\"']?true", re.I)


@traefik_rule("TR208")
def check(p: TraefikPass) -> None:
    project = p.project
    if CRD_PROVIDER not in project.providers:
        return
    why = _disabled(project)
    if why is None:
        return
    reported: set[int] = set()
    for ref in project.refs:
        owner = ref.owner
        if not ref.crd or owner is None or ref.dynamic or id(ref.node) in reported:
            continue
        reported.add(id(ref.node))  # spec.tls of an IngressRoute: one reference per route, one finding
        what = _what(ref.via, ref.kind)
        if ref.text.endswith("@" + CRD_PROVIDER):
            p.report(ref.node, f'{owner.describe()} refers to {what} "{ref.text}": @kubernetescrd references are '
                               f"rejected while allowCrossNamespace is off ({why})",
                     fix="refer to the object by name (and namespace) instead")
        elif _crossing(owner.namespace, ref.namespace):
            p.report(ref.node, f'{owner.describe()} refers to {what} "{ref.text}" in namespace "{ref.namespace}"; '
                               f'references outside namespace "{owner.namespace}" are rejected while '
                               f"allowCrossNamespace is off ({why})",
                     fix=f'move the {what} to namespace "{owner.namespace}" or enable allowCrossNamespace')
    seen: set[int] = set()
    for res in project.resources:  # Kubernetes Service references, which the model does not resolve
        if res.provider != CRD_PROVIDER or res.namespace is None:
            continue
        for item in _service_refs(res):
            kind = item.get("kind")
            if kind is not None and kind.text() == "TraefikService":
                continue  # a reference of the model, reported above
            ns, name = item.get("namespace"), item.get("name")
            if ns is None or name is None or id(ns) in seen or not _crossing(res.namespace, ns.text()):
                continue
            seen.add(id(ns))
            p.report(ns, f'{res.describe()} refers to Kubernetes service "{name.text()}" in namespace "{ns.text()}"; '
                         f'references outside namespace "{res.namespace}" are rejected while allowCrossNamespace is '
                         f"off ({why})", fix=f'use a service of namespace "{res.namespace}" or enable allowCrossNamespace')


def _crossing(own: str | None, other: str | None) -> bool:
    return bool(own and other and MARK not in own and MARK not in other and own != other)


def _what(via: str, kind: str) -> str:
    return {"middlewares": "middleware", "chain": "middleware", "tls.options": "TLS options",
            "serversTransport": "serversTransport"}.get(via, "TraefikService" if kind == SERVICE else kind)


def _disabled(project) -> str | None:
    """Why allowCrossNamespace is off, or None when it is (or may be) on."""
    configured = False
    for s in project.static:
        crd = s.root.find("providers.kubernetesCRD")
        if crd is None:
            continue
        configured = True
        node = crd.get("allowCrossNamespace") if crd.is_map else None
        if node is not None and node.as_bool() is not False:
            return None
    if any(_ENABLED.search(text) for text in project.all_texts.values()):
        return None
    return "it is not set in the static configuration" if configured else "the default since v2.5"


def _service_refs(res):
    node = res.node
    if not node.is_map:
        return []
    if res.kind == ROUTER:
        services = node.get("services")
        return [i for i in services.items if i.is_map] if services is not None and services.is_seq else []
    out = []
    if res.kind == SERVICE:
        for path in ("weighted.services", "mirroring.mirrors"):
            seq = node.find(path)
            out.extend(i for i in (seq.items if seq is not None and seq.is_seq else []) if i.is_map)
        mirroring = node.get("mirroring")
        if mirroring is not None and mirroring.is_map:
            out.append(mirroring)
    return out
