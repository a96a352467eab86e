"""TR205 undefined-cert-resolver: a router or entryPoint uses a certificate resolver nobody defines."""

import difflib

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik import kube
from golint_traefik.traefik.cmdline import compose_unescape
from golint_traefik.traefik.gotemplate import is_templated
from golint_traefik.traefik.resources import ROUTER
from golint_traefik.traefik.tree import CNode


@traefik_rule("TR205")
def check(p: TraefikPass) -> None:
    project = p.project
    if not project.static or any(d.templated for d in project.docs if d.kind == "static"):
        return
    defined: dict[str, CNode] = {}
    for s in project.static:
        section = s.root.get("certificatesResolvers")
        for e in section.entries if section is not None and section.is_map else ():
            if is_templated(e.key):
                return
            defined.setdefault(e.key or "", e)
    for s in project.static:
        eps = s.root.get("entryPoints")
        for ep in eps.entries if eps is not None and eps.is_map else ():
            _check(p, defined, f'entryPoint "{ep.key}"', ep.find("http.tls.certResolver"))
    seen: set[int] = set()
    for res in project.resources:
        if res.kind != ROUTER or res.templated:
            continue
        if res.source == "crd":
            node = res.manifest.find("spec.tls.certResolver") if res.manifest is not None else None
            owner = f'{res.crd_kind} "{res.namespace + "/" if res.namespace else ""}{res.local_name}"'
        else:
            node = res.node.find("tls.certResolver") if res.node.is_map else None
            owner = res.describe()
        if node is not None and id(node) not in seen:
            seen.add(id(node))
            _check(p, defined, owner, node)
    for m in project.manifests:
        _check(p, defined, m.label(), kube.ingress_annotations(m).get("router.tls.certresolver"))


def _check(p: TraefikPass, defined: dict[str, CNode], owner: str, node: CNode | None) -> None:
    if node is None or not node.is_scalar:
        return
    name = (node.text() or "").strip()
    if not name or name in defined or is_templated(name):
        return
    if node.origin == "labels" and compose_unescape(node.raw or name)[1]:
        return
    names = sorted(defined)
    close = [n for n in names if n.lower() == name.lower()] or difflib.get_close_matches(name, names, n=1, cutoff=0.5)
    if names:
        message = f'{owner} uses certificate resolver "{name}", which certificatesResolvers does not define'
        message += f'; did you mean "{close[0]}"?' if close else f" (defined: {', '.join(names)})"
    else:
        message = f'{owner} uses certificate resolver "{name}", but the static configuration defines no certificatesResolvers'
    message += "; Traefik serves its default self-signed certificate instead"
    p.report(node, message, fix=f'use "{close[0]}"' if close else "define the resolver under certificatesResolvers")
