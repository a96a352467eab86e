"""Dynamic-configuration objects and the references between them.

Every router, service, middleware, servers transport, TLS option/store and
certificate of the project becomes one :class:`Resource`, whatever wrote it
(a file-provider file, container labels, a Kubernetes CRD), qualified the
way Traefik qualifies it: ``provider`` (``file``, ``docker``, ``swarm``,
``kubernetescrd``, ...), ``protocol`` (``http``/``tcp``/``udp``, or ``tls``
for TLS objects, which routers of every protocol share), ``kind`` and
``name`` -- the name Traefik registers in that provider (for CRDs
``<namespace>-<name>``, normalised).

Every place that names another object becomes one :class:`Ref`.  Resolution
lives in :class:`~golint_traefik.traefik.model.Project`.

Resource names are matched exactly, as Traefik looks them up (a Go map
lookup on ``name@provider``); configuration *keys* are matched
case-insensitively by :class:`~golint_traefik.traefik.tree.CNode`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from golint_traefik.finding import Span
from golint_traefik.traefik.gotemplate import MARK
from golint_traefik.traefik.tree import CNode

ROUTER, SERVICE, MIDDLEWARE = "router", "service", "middleware"
TRANSPORT, TLS_OPTION, TLS_STORE, CERTIFICATE = "serversTransport", "tlsOption", "tlsStore", "certificate"

# Section key (lower-cased) -> kind, per protocol root.
SECTIONS = {
    "http": {"routers": ROUTER, "services": SERVICE, "middlewares": MIDDLEWARE, "serverstransports": TRANSPORT},
    "tcp": {"routers": ROUTER, "services": SERVICE, "middlewares": MIDDLEWARE, "serverstransports": TRANSPORT},
    "udp": {"routers": ROUTER, "services": SERVICE},
}
TLS_SECTIONS = {"options": TLS_OPTION, "stores": TLS_STORE}

# Names the ``internal`` provider defines (pkg/provider/traefik/internal.go).
# Some exist only when the matching static option is set (api, ping,
# metrics.prometheus, providers.rest, an ACME HTTP challenge); they are
# treated as always present because the static configuration may live
# outside the linted tree.
INTERNAL = {
    (SERVICE, "http"): frozenset({"api", "dashboard", "noop", "ping", "prometheus", "rest", "acme-http"}),
    (MIDDLEWARE, "http"): frozenset({"dashboard_redirect", "dashboard_stripprefix"}),
    (TRANSPORT, "http"): frozenset({"default"}),
    (TRANSPORT, "tcp"): frozenset({"default"}),
    (TLS_OPTION, "tls"): frozenset({"default"}),
    (TLS_STORE, "tls"): frozenset({"default"}),
}
# Entrypoint redirections create ``redirect-<ep>-to-<target>@internal`` middlewares.
INTERNAL_PREFIXES = {(MIDDLEWARE, "http"): ("redirect-",)}

def normalize(name: str) -> str:
    """Traefik's ``provider.Normalize``: runs of characters that are not letters or digits become one ``-``."""
    parts: list[str] = []
    current: list[str] = []
    for ch in name:
        if ch.isalnum():
            current.append(ch)
        elif current:
            parts.append("".join(current))
            current = []
    if current:
        parts.append("".join(current))
    return "-".join(parts)


def make_id(namespace: str | None, name: str) -> str:
    return f"{namespace}-{name}" if namespace else name


def split_qualified(text: str) -> tuple[str, str | None]:
    """``name@provider`` -> (name, provider); a bare name -> (name, None)."""
    name, at, provider = text.partition("@")
    return (name, provider) if at else (text, None)


@dataclass(eq=False)
class Resource:
    kind: str
    protocol: str
    name: str  # as registered in its provider
    provider: str
    node: CNode  # the object's options (file/labels: the value under its name; CRD: spec, or one route)
    path: str
    source: str  # "file" | "labels" | "crd"
    name_span: Span
    namespace: str | None = None  # CRDs: metadata.namespace (None when the manifest sets none)
    local_name: str | None = None  # CRDs: metadata.name
    crd_kind: str | None = None  # CRDs: IngressRoute, Middleware, ...
    manifest: CNode | None = None  # CRDs: the whole document
    container: str | None = None  # labels: the compose service that carries them
    route_index: int | None = None  # IngressRoute*: which route of spec.routes
    active: bool = True  # False: Traefik ignores the labels' container (traefik.enable)
    inactive_reason: str = ""
    templated: bool = False  # name or options come from a template/interpolation

    @property
    def qualified(self) -> str:
        return f"{self.name}@{self.provider}"

    @property
    def where(self) -> Span:
        return self.name_span

    def describe(self) -> str:
        """How messages name this object: ``router "api@file"``, ``IngressRoute "default/app" (route 2)``."""
        if self.crd_kind:
            ns = f"{self.namespace}/" if self.namespace else ""
            what = f'{self.crd_kind} "{ns}{self.local_name}"'
            if self.route_index is not None:
                what += f" (route {self.route_index + 1})"
            return what
        label = {TRANSPORT: "serversTransport", TLS_OPTION: "TLS option", TLS_STORE: "TLS store"}.get(self.kind, self.kind)
        proto = f"{self.protocol.upper()} " if self.protocol in ("tcp", "udp") else ""
        return f'{proto}{label} "{self.qualified}"'


@dataclass(eq=False)
class Ref:
    """One place that names another object."""

    kind: str  # kind of the object referred to
    protocol: str
    text: str  # as written, e.g. "auth" or "auth@file"
    node: CNode  # the scalar to report at
    owner: Resource | None  # the router/middleware/service holding the reference (None: entryPoint)
    context_provider: str | None  # provider that bare names resolve in (None: entryPoint, must be qualified)
    via: str  # what holds it: "middlewares", "service", "chain", "weighted", "mirroring", "failover", ...
    namespace: str | None = None  # CRD bare names: namespace they are looked up in
    crd: bool = False  # written in a CRD: bare names become <namespace>-<name>
    entry_point: str | None = None
    dynamic: bool = False  # holds an unresolved interpolation or template: never resolved

    @property
    def name(self) -> str:
        return split_qualified(self.text)[0]

    @property
    def qualified(self) -> bool:
        return "@" in self.text

    @property
    def provider(self) -> str | None:
        return split_qualified(self.text)[1] or self.context_provider

    @property
    def target(self) -> str:
        """The name Traefik looks up in :attr:`provider`."""
        if self.crd and not self.qualified:
            return normalize(make_id(self.namespace, self.name))
        return self.name

    def owner_label(self) -> str:
        if self.owner is not None:
            return self.owner.describe()
        return f'entryPoint "{self.entry_point}"'


# --------------------------------------------------------------- extraction


def extract_dynamic(root: CNode, *, provider: str, source: str, path: str, container: str | None = None,
                    active: bool = True, inactive_reason: str = "") -> list[Resource]:
    """The objects of a dynamic configuration tree (a file-provider document or a container's labels)."""
    out: list[Resource] = []
    if not root.is_map:
        return out
    for proto_node in root.entries:
        proto = (proto_node.key or "").lower()
        if proto in SECTIONS and proto_node.is_map:
            for section in proto_node.entries:
                kind = SECTIONS[proto].get((section.key or "").lower())
                if kind is None or not section.is_map:
                    continue
                for obj in section.entries:
                    out.append(Resource(kind, proto, obj.key or "", provider, obj, path, source, obj.where,
                                        container=container, active=active, inactive_reason=inactive_reason))
        elif proto == "tls" and proto_node.is_map:
            for section in proto_node.entries:
                key = (section.key or "").lower()
                if key in TLS_SECTIONS and section.is_map:
                    for obj in section.entries:
                        out.append(Resource(TLS_SECTIONS[key], "tls", obj.key or "", provider, obj, path, source, obj.where,
                                            container=container, active=active, inactive_reason=inactive_reason))
                elif key == "certificates" and section.is_seq:
                    for i, obj in enumerate(section.items):
                        out.append(Resource(CERTIFICATE, "tls", f"#{i}", provider, obj, path, source, obj.span,
                                            container=container, active=active, inactive_reason=inactive_reason))
    return out


def _names(node: CNode | None) -> list[CNode]:
    return node.as_list() if node is not None else []


def dynamic_refs(res: Resource) -> list[Ref]:
    """References held by a file- or label-defined object."""
    out: list[Ref] = []
    n, proto, prov = res.node, res.protocol, res.provider
    if not n.is_map:
        return out

    def add(kind: str, node: CNode | None, via: str, protocol: str = proto) -> None:
        if node is not None and node.is_scalar and node.text():
            out.append(Ref(kind, protocol, node.text().strip(), node, res, prov, via))

    if res.kind == ROUTER:
        if proto in ("http", "tcp"):
            for m in _names(n.get("middlewares")):
                add(MIDDLEWARE, m, "middlewares")
        add(SERVICE, n.get("service"), "service")
        tls = n.get("tls")
        if tls is not None and tls.is_map:
            add(TLS_OPTION, tls.get("options"), "tls.options", "tls")
    elif res.kind == MIDDLEWARE and proto == "http":
        for m in _names(n.find("chain.middlewares")):
            add(MIDDLEWARE, m, "chain")
    elif res.kind == SERVICE:
        for item in _items(n.find("weighted.services")):
            add(SERVICE, item.get("name"), "weighted")
        if proto == "http":
            add(SERVICE, n.find("mirroring.service"), "mirroring")
            for item in _items(n.find("mirroring.mirrors")):
                add(SERVICE, item.get("name"), "mirror")
            add(SERVICE, n.find("failover.service"), "failover")
            add(SERVICE, n.find("failover.fallback"), "fallback")
            for item in _items(n.find("highestRandomWeight.services")):
                add(SERVICE, item.get("name"), "highestRandomWeight")
        if proto in ("http", "tcp"):
            add(TRANSPORT, n.find("loadBalancer.serversTransport"), "serversTransport")
    return out


def _items(node: CNode | None) -> list[CNode]:
    if node is None or not node.is_seq:
        return []
    return [i for i in node.items if i.is_map]


# --------------------------------------------------------------------- CRDs

CRD_KINDS = {
    "IngressRoute": (ROUTER, "http"),
    "IngressRouteTCP": (ROUTER, "tcp"),
    "IngressRouteUDP": (ROUTER, "udp"),
    "Middleware": (MIDDLEWARE, "http"),
    "MiddlewareTCP": (MIDDLEWARE, "tcp"),
    "TLSOption": (TLS_OPTION, "tls"),
    "TLSStore": (TLS_STORE, "tls"),
    "ServersTransport": (TRANSPORT, "http"),
    "ServersTransportTCP": (TRANSPORT, "tcp"),
    "TraefikService": (SERVICE, "http"),
}
CRD_PROVIDER = "kubernetescrd"


def ingressroute_router_name(namespace: str | None, name: str, match: str) -> str:
    """The router name Traefik gives a route: ``<ns>-<name>-<first 10 hex of sha256(match)>``, normalised."""
    digest = hashlib.sha256(match.encode("utf-8")).hexdigest()[:10]
    return normalize(make_id(namespace, f"{name}-{digest}"))


def extract_crd(doc: CNode, kind: str, path: str) -> list[Resource]:
    """The objects a Traefik CRD manifest defines (one per route for IngressRoute*)."""
    meta = doc.get("metadata")
    name_node = meta.get("name") if meta is not None else None
    ns_node = meta.get("namespace") if meta is not None else None
    local = (name_node.text() if name_node is not None else None) or ""
    namespace = ns_node.text() if ns_node is not None else None
    where = name_node.span if name_node is not None else doc.span
    spec = doc.get("spec")
    if spec is None or not spec.is_map:
        spec = CNode("map", doc.span)
    rkind, proto = CRD_KINDS[kind]
    if namespace is not None and MARK in namespace:
        namespace = None  # set by a template: may be any namespace
    common = dict(namespace=namespace, local_name=local, crd_kind=kind, manifest=doc)
    if rkind != ROUTER:
        return [Resource(rkind, proto, normalize(make_id(namespace, local)), CRD_PROVIDER, spec, path, "crd", where, **common)]
    out = []
    for i, route in enumerate(_items(spec.get("routes"))):
        match = route.get("match")
        if match is not None:
            rname = ingressroute_router_name(namespace, local, match.text() or "")
        else:
            rname = normalize(make_id(namespace, local))
        out.append(Resource(ROUTER, proto, rname, CRD_PROVIDER, route, path, "crd", route.span, route_index=i, **common))
    return out


def crd_refs(res: Resource) -> list[Ref]:
    """References held by a CRD object; bare names resolve in its namespace."""
    out: list[Ref] = []
    ns = res.namespace

    def add(kind: str, protocol: str, spec_ref: CNode | None, via: str) -> None:
        if spec_ref is None or not spec_ref.is_map:
            return
        name = spec_ref.get("name")
        if name is None or not name.is_scalar or not name.text():
            return
        ref_ns = spec_ref.get("namespace")
        namespace = (ref_ns.text() if ref_ns is not None else None) or ns
        if namespace is not None and MARK in namespace:
            namespace = None
        out.append(Ref(kind, protocol, name.text().strip(), name, res, CRD_PROVIDER, via, namespace=namespace, crd=True))

    def add_service(spec_ref: CNode, via: str) -> None:
        kind = spec_ref.get("kind")
        if kind is not None and kind.text() == "TraefikService":
            add(SERVICE, "http", spec_ref, via)

    n = res.node
    if res.kind == ROUTER:
        if res.protocol in ("http", "tcp"):
            for m in _items(n.get("middlewares")):
                add(MIDDLEWARE, res.protocol, m, "middlewares")
        for s in _items(n.get("services")):
            if res.protocol == "http":
                add_service(s, "services")
            if res.protocol in ("http", "tcp"):
                st = s.get("serversTransport")
                if st is not None and st.is_scalar and st.text():
                    out.append(Ref(TRANSPORT, res.protocol, st.text().strip(), st, res, CRD_PROVIDER, "serversTransport",
                                   namespace=_ns_of(s, ns), crd=True))
        spec = res.manifest.get("spec") if res.manifest is not None else None
        if spec is not None:
            add(TLS_OPTION, "tls", spec.find("tls.options"), "tls.options")
    elif res.kind == MIDDLEWARE and res.protocol == "http":
        for m in _items(n.find("chain.middlewares")):
            add(MIDDLEWARE, "http", m, "chain")
    elif res.kind == SERVICE:
        for s in _items(n.find("weighted.services")):
            add_service(s, "weighted")
        mirroring = n.get("mirroring")
        if mirroring is not None and mirroring.is_map:
            add_service(mirroring, "mirroring")
            for s in _items(mirroring.get("mirrors")):
                add_service(s, "mirror")
        for s in _items(n.find("highestRandomWeight.services")):
            add_service(s, "highestRandomWeight")
    return out


def _ns_of(node: CNode, default: str | None) -> str | None:
    ns = node.get("namespace")
    return (ns.text() if ns is not None else None) or default
