"""TR203 undefined-entrypoint: a router names an entryPoint the static configuration does not define."""

import difflib

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik import kube
from golint_traefik.traefik.cmdline import compose_unescape
from golint_traefik.traefik.gotemplate import is_templated
from golint_traefik.traefik.resources import ROUTER
from golint_traefik.traefik.tree import CNode
from golint_traefik.traefik.values import parse_address


@traefik_rule("TR203")
def check(p: TraefikPass) -> None:
    project = p.project
    defined = _defined(project)
    if defined is None:
        return
    seen: set[int] = set()
    for res in project.resources:
        if res.kind != ROUTER or res.templated:
            continue
        node = _entry_points_node(res)
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        owner = res.describe() if res.route_index is None else f'{res.crd_kind} "{_ns(res)}{res.local_name}"'
        for item in node.as_list():
            _check(p, defined, owner, res.protocol, item)
    for m in project.manifests:
        ann = kube.ingress_annotations(m).get("router.entrypoints")
        if ann is not None:
            for item in ann.as_list():
                _check(p, defined, m.label(), "http", item)


def _check(p: TraefikPass, defined: dict, owner: str, protocol: str, item: CNode) -> None:
    name = (item.text() or "").strip()
    if not name or is_templated(name) or (item.origin == "labels" and compose_unescape(item.raw or name)[1]):
        return
    entry = defined.get(name)
    if entry is not None:
        node, ep_protocol = entry
        want_udp = protocol == "udp"
        if (ep_protocol == "udp") != want_udp:
            need = ("UDP routers need an entryPoint whose address ends in /udp" if want_udp
                    else f"{protocol.upper()} routers need a TCP entryPoint")
            p.report(item, f'{owner} uses entryPoint "{name}", which listens on {ep_protocol.upper()}; {need}',
                     related=[(node.where, "entryPoint defined here")] if node is not None else [],
                     fix="attach the router to an entryPoint of its protocol")
        return
    names = sorted(defined)
    close = [n for n in names if n.lower() == name.lower()] or difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    message = f'{owner} uses entryPoint "{name}", which the static configuration does not define'
    if close:
        message += f'; did you mean "{close[0]}"?'
    elif names:
        message += f" (defined: {', '.join(names)})"
    p.report(item, message, fix=f'use "{close[0]}"' if close else "define the entryPoint or fix the name")


def _defined(project) -> dict[str, tuple[CNode | None, str]] | None:
    """EntryPoints of the effective static configurations, with the ones Traefik adds itself; None: unknown."""
    if not project.static or any(d.templated for d in project.docs if d.kind == "static"):
        return None
    out: dict[str, tuple[CNode | None, str]] = {}
    for s in project.static:
        eps = s.root.get("entryPoints")
        entries = eps.entries if eps is not None and eps.is_map else []
        for e in entries:
            if is_templated(e.key):
                return None
            addr = e.get("address") if e.is_map else None
            parsed = parse_address(addr.text() if addr is not None else None)
            out.setdefault(e.key or "", (e, parsed.protocol if parsed is not None else "tcp"))
        if not entries:
            out.setdefault("http", (None, "tcp"))  # SetEffectiveConfiguration: the default :80 entryPoint
        if _needs_internal(s.root):
            out.setdefault("traefik", (None, "tcp"))
    return out


def _needs_internal(root: CNode) -> bool:
    """Whether Traefik creates the ``traefik`` (:8080) entryPoint for this configuration."""
    def on(path: str) -> bool:
        node = root.find(path)
        return node is not None and (node.as_bool() is True or (node.is_map and node.value in (True, "true")))

    def internal(section: str) -> bool:
        node = root.find(section)
        if node is None:
            return False
        manual = node.get("manualRouting") if node.is_map else None
        ep = node.get("entryPoint") if node.is_map else None
        return not (manual is not None and manual.as_bool()) and (ep is None or ep.text() == "traefik")

    return on("api.insecure") or on("providers.rest.insecure") or internal("ping") or internal("metrics.prometheus")


def _entry_points_node(res) -> CNode | None:
    if res.source == "crd":
        spec = res.manifest.get("spec") if res.manifest is not None else None
        return spec.get("entryPoints") if spec is not None and spec.is_map else None
    return res.node.get("entryPoints") if res.node.is_map else None


def _ns(res) -> str:
    return f"{res.namespace}/" if res.namespace else ""
