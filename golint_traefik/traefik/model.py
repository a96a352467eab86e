"""The deployment model: every Traefik configuration source of the project in one place.

Sources are recognised by content, never by file name:

* static configuration: a YAML/TOML document whose root keys are Traefik
  static roots with Traefik-shaped children (``entryPoints`` with
  addresses, ``providers`` with provider names, ...); also the ``command:``
  flags and ``TRAEFIK_*`` environment of a compose service or Kubernetes
  container running the ``traefik`` image;
* file-provider dynamic configuration: ``http``/``tcp``/``udp``/``tls`` roots
  with their sections (``routers``, ``services``, ``middlewares``, ...);
* docker-compose files: ``traefik.*`` labels (docker provider; Swarm for
  ``deploy.labels``); the Traefik service's ``env_file`` files are read for
  its ``TRAEFIK_*`` variables (spans point into them);
* Kubernetes manifests: Traefik CRDs, Traefik workloads, Ingress annotations;
  files carried in a ConfigMap's ``data`` (``traefik.yml: |``) are read like
  files of their own, recognised the same way (a key named
  ``traefik.{yml,yaml,toml}`` also counts for a document whose roots are all
  Traefik's), with spans pointing into the manifest.

Rules read :class:`Project`; they never see which format a value came from.
What a rule typically needs:

* ``project.static``: the effective static configurations (``.root`` is a
  :class:`CNode` shaped like ``traefik.yml`` whatever the source);
* ``project.select(kind, protocol, provider)``: routers, services,
  middlewares, ... as :class:`Resource`;
* ``project.references(kind)``: every reference to an object of that kind,
  and ``project.resolve(ref)``: FOUND / MISSING / UNKNOWN, with the targets,
  a "did you mean" suggestion and a note;
* ``project.version``: 2 or 3 (``project.version_reason`` says why).
"""

from __future__ import annotations

import difflib
import os
import posixpath
import re
from dataclasses import dataclass, field
from typing import Callable, Iterator

from golint_traefik.finding import Finding, Span
from golint_traefik.traefik import compose as compose_mod
from golint_traefik.traefik import kube
from golint_traefik.traefik.gotemplate import is_templated, untemplate
from golint_traefik.traefik.cmdline import Setting
from golint_traefik.traefik.resources import (
    CRD_PROVIDER, INTERNAL, INTERNAL_PREFIXES, MIDDLEWARE, ROUTER, SERVICE, TLS_OPTION, TLS_STORE, TRANSPORT, Ref,
    Resource,
    crd_refs, dynamic_refs, extract_crd, extract_dynamic, make_id, normalize,
)
from golint_traefik.traefik.tomlload import load_toml
from golint_traefik.traefik.tree import CNode, SourceText, build_dotted
from golint_traefik.traefik.yamlload import YamlProblem, load_documents

STATIC_ROOTS = frozenset(
    k.lower()
    for k in (
        "global", "serversTransport", "tcpServersTransport", "entryPoints", "providers", "api", "metrics", "ping",
        "log", "accessLog", "tracing", "hostResolver", "certificatesResolvers", "experimental", "core", "spiffe",
        "ocsp", "pilot",
    )
)
DYNAMIC_ROOTS = frozenset({"http", "tcp", "udp", "tls"})
HTTP_SECTIONS = frozenset({"routers", "services", "middlewares", "serverstransports", "models"})

# Child keys that make a static root look like Traefik's (lower-cased).
_STATIC_SHAPES = {
    "entrypoints": None,  # children are entrypoint names: checked separately
    "providers": {"docker", "swarm", "file", "kubernetescrd", "kubernetesingress", "kubernetesgateway",
                  "kubernetesingressnginx", "knative", "consul", "consulcatalog", "etcd", "redis", "zookeeper", "http",
                  "rest", "ecs", "nomad", "marathon", "rancher", "plugin", "providersthrottleduration"},
    "api": {"insecure", "dashboard", "debug", "basepath", "disabledashboardad", "dashboardname"},
    "certificatesresolvers": None,  # children are resolver names: checked separately
    "serverstransport": {"insecureskipverify", "rootcas", "maxidleconnsperhost", "forwardingtimeouts", "spiffe"},
    "tcpserverstransport": {"dialtimeout", "dialkeepalive", "tls", "terminationdelay", "spiffe"},
    "log": {"level", "format", "filepath", "nocolor", "maxsize", "maxage", "maxbackups", "compress", "otlp"},
    "accesslog": {"filepath", "format", "filters", "fields", "bufferingsize", "addinternals", "otlp"},
    "metrics": {"prometheus", "datadog", "statsd", "influxdb", "influxdb2", "otlp", "addinternals"},
    "tracing": {"otlp", "jaeger", "zipkin", "datadog", "instana", "haystack", "elastic", "servicename", "samplerate",
                "spannamelimit", "globalattributes", "resourceattributes", "capturedrequestheaders", "addinternals"},
    "ping": {"entrypoint", "manualrouting", "terminatingstatuscode"},
    "global": {"checknewversion", "sendanonymoususage"},
    "hostresolver": {"cnameflattening", "resolvconfig", "resolvdepth"},
    "experimental": {"plugins", "localplugins", "http3", "kubernetesgateway", "fastproxy", "otlplogs", "knative",
                     "abortonpluginfailure", "kubernetesingressnginx"},
    "core": {"defaultrulesyntax"},
    "spiffe": {"workloadapiaddr"},
    "ocsp": {"responderoverrides"},
    "pilot": {"token", "dashboard"},
}
_DISTINCTIVE = frozenset({"entrypoints", "providers", "api", "certificatesresolvers", "serverstransport",
                          "tcpserverstransport", "global", "hostresolver", "experimental", "pilot", "spiffe"})
_EP_KEYS = {"address", "http", "http2", "http3", "transport", "forwardedheaders", "proxyprotocol", "udp", "asdefault",
            "allowacmebypass", "reuseport", "observability", "enablehttp3"}
_V1_ROOTS = frozenset({"frontends", "backends", "defaultentrypoints"})
# Documents never worth parsing: Kubernetes CRD definitions are large OpenAPI schemas, not configuration.
_IRRELEVANT_DOC = re.compile(r"^kind:[ \t]*[\"']?CustomResourceDefinition[\"']?[ \t]*(?:#.*)?$", re.M)
# ... except Traefik's old definitions in apiextensions.k8s.io/v1beta1 (schema-less, small), which TR705 reports.
_LEGACY_CRD_DOC = re.compile(r"^apiVersion:[ \t]*[\"']?apiextensions\.k8s\.io/v1beta1\b", re.M)


def _skip_doc(chunk: str) -> bool:
    return bool(_IRRELEVANT_DOC.search(chunk)) and not (_LEGACY_CRD_DOC.search(chunk) and "traefik." in chunk)


_DYNAMIC_MARKERS = re.compile(r"^\s*(?:routers|middlewares|services)\s*:|^\s*\[(?:http|tcp|udp)\.", re.M)
_CRD_MARKERS = re.compile(r"apiVersion:\s*[\"']?traefik\.(?:io|containo\.us)/")
_TRAEFIK_MARKERS = re.compile(
    r"traefik\.(?:http|tcp|udp|io/|containo\.us/)|entry[Pp]oints\s*[:=]|^\s*routers\s*:|\[http\.(?:routers|services|middlewares)",
    re.M | re.I,
)

FOUND, MISSING, UNKNOWN = "found", "missing", "unknown"


@dataclass
class ConfigDoc:
    """One configuration document of the file provider or a static configuration file."""

    path: str
    kind: str  # "static" | "dynamic"
    root: CNode
    provider: str = "file"
    format: str = "yaml"  # "yaml" | "toml"
    templated: bool = False  # the file holds Go template actions ({{ }}), rendered by Traefik first
    # The ConfigMap entry carrying this file when it is not a file of its own (``path`` is the manifest's).
    embedded: kube.EmbeddedFile | None = None


@dataclass
class StaticConfig:
    """One static configuration source.  ``root`` is shaped like ``traefik.yml``."""

    origin: str  # "file" | "flags" | "env"
    path: str
    root: CNode
    effective: bool = True  # False: Traefik ignores it (a config file wins over flags, flags over env)
    owner: str | None = None  # 'compose service "traefik"', 'Deployment "kube-system/traefik"'
    ignored_because: str = ""
    embedded: kube.EmbeddedFile | None = None  # origin "file" carried in a ConfigMap (``path`` is the manifest's)

    @property
    def file_name(self) -> str:
        """The configuration file's name as Traefik sees it (a ConfigMap's data key, else the base name)."""
        return self.embedded.key if self.embedded is not None else posixpath.basename(self.path)

    def describe(self) -> str:
        """Where the source is, for messages: the file's path, or 'ConfigMap "x" (traefik.yml)'."""
        return self.embedded.label() if self.embedded is not None else self.path


@dataclass
class Resolution:
    status: str  # FOUND | MISSING | UNKNOWN
    targets: list[Resource] = field(default_factory=list)
    suggestion: str | None = None  # a defined name the reference was probably meant to be (qualified if needed)
    note: str = ""  # why MISSING/UNKNOWN, in words for a message
    scope: str = ""  # where the name was looked up, for messages: 'the file provider', 'namespace "apps"'


@dataclass
class AutoService:
    """The service the docker/swarm provider creates for a container that declares none."""

    provider: str
    service: str  # compose service name
    project: str | None
    protocols: frozenset[str]
    active: bool

    def may_be(self, name: str) -> bool:
        base = normalize(self.service)
        if self.project:
            return name == normalize(f"{self.service}_{self.project}") or name == normalize(f"{self.project}_{self.service}")
        return name == base or name.startswith(base + "-") or name.endswith("-" + base)


@dataclass
class Project:
    version: int = 3
    version_reason: str = "default: no version evidence"
    docs: list[ConfigDoc] = field(default_factory=list)
    static_configs: list[StaticConfig] = field(default_factory=list)
    resources: list[Resource] = field(default_factory=list)
    refs: list[Ref] = field(default_factory=list)
    compose_files: list[compose_mod.ComposeFile] = field(default_factory=list)
    manifests: list[kube.Manifest] = field(default_factory=list)
    traefik_containers: list[kube.TraefikContainer] = field(default_factory=list)
    providers: set[str] = field(default_factory=lambda: {"internal"})
    incomplete: dict[str, str] = field(default_factory=dict)  # provider -> why its objects cannot all be known
    auto_services: list[AutoService] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)
    # Every decodable file of the run, used or not (Helm values, unrelated YAML): rules may search them
    # for settings made outside the files the model reads (see TR208).
    all_texts: dict[str, str] = field(default_factory=dict)
    diagnostics: list[Finding] = field(default_factory=list)
    # YAML keys written twice in one mapping of a Traefik-relevant document (not templated):
    # (what the document is: "static" | "dynamic" | "compose", first, later).
    yaml_duplicates: list[tuple[str, CNode, CNode]] = field(default_factory=list)
    # Files read besides those of the run (compose env_file), by path; their texts are in ``texts``.
    # Findings may point into them, and a result depends on them as on the files of the run.
    external_files: list[str] = field(default_factory=list)
    # Every file outside the run the model looked for on disk, found or not: real path -> its
    # :func:`external_state`.  The result cache keeps them with an entry (see engine.run_traefik);
    # None when the files were read by a caller's ``read_file``, whose sources are unknown.
    external_states: dict[str, str] | None = field(default_factory=dict)

    # ------------------------------------------------------------ sources
    @property
    def has_traefik(self) -> bool:
        return bool(self.docs or self.static_configs or self.resources or self.refs or self.providers - {"internal"})

    @property
    def static(self) -> list[StaticConfig]:
        """Effective static configurations."""
        return [s for s in self.static_configs if s.effective]

    @property
    def dynamic(self) -> list[ConfigDoc]:
        return [d for d in self.docs if d.kind == "dynamic"]

    def entry_points(self) -> dict[str, CNode]:
        """Entrypoints of the effective static configurations, by name (first definition wins)."""
        out: dict[str, CNode] = {}
        for s in self.static:
            eps = s.root.get("entryPoints")
            for e in eps.entries if eps is not None and eps.is_map else ():
                out.setdefault(e.key or "", e)
        return out

    # ---------------------------------------------------------- resources
    def select(self, kind: str | None = None, protocol: str | None = None, provider: str | None = None) -> list[Resource]:
        return [r for r in self.resources
                if (kind is None or r.kind == kind) and (protocol is None or r.protocol == protocol)
                and (provider is None or r.provider == provider)]

    def tls_settings(self) -> Iterator[tuple[Resource, bool]]:
        """(resource, is the server side) for what carries TLS versions and cipher suites: TLS options
        (Traefik as the server) and, in v3, HTTP serversTransports (Traefik as the client of a backend)."""
        for res in self.resources:
            if res.kind == TLS_OPTION:
                yield res, True
            elif res.kind == TRANSPORT and res.protocol == "http" and self.version >= 3:
                yield res, False

    def references(self, kind: str | None = None, protocol: str | None = None) -> list[Ref]:
        return [r for r in self.refs if (kind is None or r.kind == kind) and (protocol is None or r.protocol == protocol)]

    def lookup(self, kind: str, protocol: str, provider: str, name: str, namespace: str | None = None,
               crd_bare: bool = False) -> list[Resource]:
        """Objects registered as ``name@provider`` (exact, as Traefik looks them up)."""
        out = []
        for r in self.resources:
            if r.kind != kind or r.protocol != protocol or r.provider != provider:
                continue
            if r.name == name:
                out.append(r)
            elif provider == CRD_PROVIDER and r.namespace is None and r.local_name:
                # A manifest without metadata.namespace lands in whatever namespace it is applied to.
                local = normalize(r.local_name)
                if crd_bare and namespace is None:
                    continue
                if name == local or name.endswith("-" + local):
                    out.append(r)
        return out

    def usage(self, kind: str) -> tuple[set[int], set[str]]:
        """Objects of ``kind`` some reference resolves to (by ``id``), and the providers a
        reference may point into without us knowing where (``"*"``: anywhere)."""
        used: set[int] = set()
        blind: set[str] = set()
        for ref in self.references(kind):
            if ref.dynamic:
                blind.add("*")  # an interpolated or templated name may point anywhere
                continue
            res = self.resolve(ref)
            if res.status == FOUND:
                used.update(id(t) for t in res.targets)
            elif res.status == UNKNOWN:
                if ref.provider is None and kind == TLS_OPTION:
                    continue  # a bare entryPoint name that names no options of the project: it uses none of them
                blind.add(ref.provider or "*")
        return used, blind

    def resolve(self, ref: Ref) -> Resolution:
        """Resolve a reference the way Traefik does.

        A bare name resolves in the provider of the object holding it; CRD
        bare names become ``<namespace>-<name>``; ``name@provider`` resolves
        in that provider.  ``@internal`` names are always known.  A
        reference into a provider the project did not load, or whose sources
        are templates, is UNKNOWN, never MISSING.
        """
        if ref.dynamic:
            return Resolution(UNKNOWN, note="the name is interpolated")
        kind, proto = ref.kind, ref.protocol
        provider = ref.provider
        if kind in (TLS_OPTION, TLS_STORE) and ref.name == "default":
            return Resolution(FOUND)  # the default TLS options/store are global, never provider-qualified
        if provider is None and kind == TLS_OPTION:
            # entryPoints.<ep>.http.tls.options: a bare name is looked up in the provider of each
            # router that takes the entryPoint's TLS settings, which may be one the project lacks.
            defined = [r for r in self.resources if r.kind == kind and r.name == ref.name and r.active]
            if defined:
                return Resolution(FOUND, defined)
            return Resolution(UNKNOWN, note="a bare name is looked up in the provider of each router of the entryPoint")
        if provider is None:  # an entryPoint-level reference must name its provider
            defined = [r for r in self.resources if r.kind == kind and r.protocol == proto and r.name == ref.name and r.active]
            suggestion = defined[0].qualified if defined else self._suggest(ref)
            return Resolution(MISSING, defined, suggestion=suggestion, scope="any provider (no @provider given)",
                              note="entryPoint middlewares must be qualified with @provider")
        if provider == "internal":
            names = INTERNAL.get((kind, proto), frozenset())
            prefixes = INTERNAL_PREFIXES.get((kind, proto), ())
            if ref.name in names or ref.name.startswith(prefixes):
                return Resolution(FOUND)
            return Resolution(MISSING, suggestion=_closest(ref.name, sorted(names), "internal"), scope="Traefik's internal provider")
        if provider not in self.providers:
            return Resolution(UNKNOWN, note=f"no {provider} configuration is part of the project")
        if provider in self.incomplete:
            return Resolution(UNKNOWN, note=self.incomplete[provider])
        target = ref.target
        crd_bare = ref.crd and not ref.qualified
        scope = f'namespace "{ref.namespace}"' if crd_bare and ref.namespace else f"the {provider} provider"
        found = self.lookup(kind, proto, provider, target, ref.namespace, crd_bare)
        if crd_bare and not found and ref.namespace is None:
            found = [r for r in self.select(kind, proto, provider) if r.local_name and normalize(r.local_name) == normalize(ref.name)]
        active = [r for r in found if r.active]
        if active:
            return Resolution(FOUND, active)
        if kind == SERVICE and provider in ("docker", "swarm"):
            if any(a.provider == provider and proto in a.protocols and a.active and a.may_be(target) for a in self.auto_services):
                return Resolution(FOUND)
        if found:
            return Resolution(MISSING, found, note=found[0].inactive_reason, scope=scope)
        if crd_bare:
            elsewhere = [r for r in self.select(kind, proto, provider)
                         if r.local_name == ref.name and r.namespace and r.namespace != ref.namespace]
            if elsewhere:
                return Resolution(MISSING, elsewhere, scope=scope,
                                  note=f'it exists in namespace "{elsewhere[0].namespace}"; set namespace: {elsewhere[0].namespace}')
        return Resolution(MISSING, suggestion=self._suggest(ref), scope=scope)

    def _suggest(self, ref: Ref) -> str | None:
        """A defined name close to the reference: same provider first, then qualified names elsewhere."""
        provider = ref.provider
        pool = [r for r in self.resources if r.kind == ref.kind and r.protocol == ref.protocol and r.active]
        if ref.crd and not ref.qualified:  # compare names as written in the manifest, within the namespace
            local = sorted({r.local_name for r in pool if r.provider == provider and r.local_name
                            and r.namespace in (ref.namespace, None)})
            for name in local:
                if name.lower() == ref.name.lower():
                    return name
            close = difflib.get_close_matches(ref.name, local, n=1, cutoff=0.75)
            return close[0] if close else None
        want = ref.target if provider is not None else ref.name
        same = [r.name for r in pool if r.provider == provider]
        for name in same:
            if name.lower() == want.lower():
                return _display(ref, name, provider)
        close = difflib.get_close_matches(want, sorted(set(same)), n=1, cutoff=0.75)
        if close:
            return _display(ref, close[0], provider)
        exact_elsewhere = [r for r in pool if r.provider != provider and want in (r.name, r.local_name)]
        if exact_elsewhere:
            return exact_elsewhere[0].qualified
        others = sorted({r.qualified for r in pool if r.provider != provider})
        close = difflib.get_close_matches(f"{want}@", [q.split("@")[0] + "@" for q in others], n=1, cutoff=0.8)
        if close:
            return next(q for q in others if q.split("@")[0] + "@" == close[0])
        return None


def _display(ref: Ref, name: str, provider: str | None) -> str:
    """How to write ``name`` in place of the reference: keep its qualification style."""
    return f"{name}@{provider}" if ref.qualified or provider is None else name


def _closest(name: str, names: list[str], provider: str) -> str | None:
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.75)
    return f"{close[0]}@{provider}" if close else None


# ------------------------------------------------------------ classification


def _keys(node: CNode) -> set[str]:
    return {(e.key or "").lower() for e in node.entries} if node.is_map else set()


def _named_static(root: CNode) -> str | None:
    """``"static"`` for a document saved under Traefik's static file name (in a ConfigMap) whose
    roots are all Traefik's and one static root looks like Traefik's, even when :func:`classify`
    wants more evidence from a file with no telling name."""
    keys = _keys(root)
    if not keys or not keys <= STATIC_ROOTS | DYNAMIC_ROOTS or _helm_values(root):
        return None
    return "static" if any(_static_shaped(k, root.get(k)) for k in keys & STATIC_ROOTS) else None


def _static_shaped(key: str, node: CNode) -> bool:
    if key == "entrypoints":
        return node.is_map and any(_keys(ep) & _EP_KEYS for ep in node.entries)
    if key == "certificatesresolvers":
        return node.is_map and any(_keys(r) & {"acme", "tailscale"} for r in node.entries)
    shape = _STATIC_SHAPES.get(key)
    return bool(shape and _keys(node) & shape)


def _dynamic_shaped(key: str, node: CNode) -> bool:
    if key in ("http", "tcp"):
        return bool(_keys(node) & HTTP_SECTIONS)
    if key == "udp":
        return bool(_keys(node) & {"routers", "services"})
    if key == "tls":
        return bool(_keys(node) & {"options", "certificates", "stores"})
    return False


# Root keys of the Traefik Helm chart's values that Traefik's own configuration never has.
_HELM_ROOTS = frozenset(k.lower() for k in (
    "ingressRoute", "additionalArguments", "globalArguments", "deployment", "ports", "persistence",
    "podSecurityContext", "securityContext", "ingressClass", "gatewayClass", "tlsOptions", "tlsStore",
    "extraObjects", "autoscaling", "updateStrategy", "serviceAccount", "hub",
))


def _helm_values(root: CNode) -> bool:
    """The Traefik Helm chart's values, which look like a static configuration but are not one.

    They have chart-only root keys, or ``enabled`` switches under the static
    sections (``providers.kubernetesCRD.enabled``, ``accessLog.enabled``):
    no Traefik option is named ``enabled``.
    """
    if _keys(root) & _HELM_ROOTS:
        return True
    for section in root.entries:
        if (section.key or "").lower() not in STATIC_ROOTS or not section.is_map:
            continue
        for child in section.entries:
            if (child.key or "").lower() == "enabled" or "enabled" in _keys(child):
                return True
    return False


def classify(root: CNode) -> str | None:
    """``"static"``, ``"dynamic"`` or None for a YAML/TOML document root.

    Generic root names (``log``, ``metrics``, ``http``, ``tls``) are common in
    other tools' files, so a root only counts when its children look like
    Traefik's; the document must have more Traefik-shaped roots than roots
    Traefik does not know, and static needs a distinctive root (or two
    shaped ones).  Traefik v1 files (``frontends``/``backends``) are not
    recognised.
    """
    if not root.is_map or not root.entries:
        return None
    keys = _keys(root)
    if keys & _V1_ROOTS:
        return None
    static_shaped = {k for k in keys & STATIC_ROOTS if _static_shaped(k, root.get(k))}
    dynamic_shaped = {k for k in keys & DYNAMIC_ROOTS if _dynamic_shaped(k, root.get(k))}
    unknown = keys - STATIC_ROOTS - DYNAMIC_ROOTS
    shaped = len(static_shaped) + len(dynamic_shaped)
    if shaped == 0 or len(unknown) > shaped:
        return None
    if static_shaped & _DISTINCTIVE or len(static_shaped) >= 2:
        if _helm_values(root):
            return None
        if len(static_shaped) >= len(dynamic_shaped) or static_shaped & {"entrypoints", "providers"}:
            return "static"
    if dynamic_shaped:
        return "dynamic"
    return None


# ------------------------------------------------------------------- build

_V2_ONLY_STATIC = ("providers.docker.swarmMode", "pilot", "tracing.jaeger", "tracing.zipkin", "tracing.datadog",
                   "tracing.instana", "tracing.haystack", "tracing.elastic", "experimental.http3", "providers.marathon",
                   "providers.rancher", "metrics.influxDB")
_V3_ONLY_STATIC = ("providers.swarm", "core.defaultRuleSyntax", "tcpServersTransport", "tracing.otlp", "metrics.otlp", "spiffe",
                   "ocsp")


@dataclass
class _Loaded:
    """Everything read from the files, before the model is put together."""

    static_docs: list[ConfigDoc] = field(default_factory=list)
    dynamic_docs: list[ConfigDoc] = field(default_factory=list)
    compose: list[tuple[compose_mod.ComposeFile, bool]] = field(default_factory=list)  # (file, templated)
    manifests: list[tuple[kube.Manifest, bool]] = field(default_factory=list)
    containers: list[kube.TraefikContainer] = field(default_factory=list)
    files: frozenset[str] = frozenset()  # every path of the run, to tell whether a mounted directory holds a config
    duplicates: list[tuple[str, CNode, CNode]] = field(default_factory=list)  # see Project.yaml_duplicates
    configmaps: list[kube.Manifest] = field(default_factory=list)  # every ConfigMap: what Traefik workloads mount
    read: Callable[[str], str | None] | None = None  # the text of a file outside the run (see build_project)
    external: dict[str, str | None] = field(default_factory=dict)  # what ``read`` gave, by path




def build_project(files: list[tuple[str, bytes]], settings,
                  read_file: Callable[[str], bytes | None] | None = None) -> Project:
    """The model of ``files`` (path as shown in findings, content).

    ``read_file(path)`` gives the content of a file the configuration names
    but the run does not hold (a compose ``env_file``; ``path`` is joined to
    the naming file's path), or None when it cannot be read.  Without it
    such files are read from disk, relative to the directory the paths of
    the run are relative to (see :func:`_disk_reader`).
    """
    from golint_traefik.engine import engine_finding

    project = Project()
    loaded = _Loaded(files=frozenset(posixpath.normpath(p) for p, _ in files))
    if read_file is None:
        read_file = _disk_reader(files, settings, project.external_states)
    else:
        project.external_states = None
    loaded.read = _text_reader(loaded, dict(files), read_file)
    for path, data in files:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            if _TRAEFIK_MARKERS.search(data.decode("utf-8", "replace")):
                project.diagnostics.append(engine_finding(
                    "E002", Span(path, 1, 1, 1, 1), f"not UTF-8 text ({exc.reason} at byte {exc.start}); not analysed"))
            continue
        project.all_texts[path] = text
        try:
            used, problems, templated = _load_file(path, text, loaded)
        except Exception as exc:  # noqa: BLE001 - a loader bug costs this file, not the run (E003, exit 2)
            from golint_traefik.engine import crash_finding

            project.diagnostics.append(crash_finding("the Traefik configuration loader", path, exc))
            continue
        if used:
            project.texts[path] = text
        if problems and templated:
            # A template that does not parse even with its actions blanked: what it defines is unknown.
            if _DYNAMIC_MARKERS.search(text):
                project.incomplete.setdefault("file", f"{path} is a template that cannot be read before rendering")
            if _CRD_MARKERS.search(text):
                project.incomplete.setdefault(CRD_PROVIDER, f"{path} is a template that cannot be read before rendering")
        elif problems and (used or _TRAEFIK_MARKERS.search(text)):
            project.texts[path] = text
            for pr in problems:
                project.diagnostics.append(engine_finding("E001", Span(path, pr.line, pr.col, pr.line, pr.col), pr.message))
    project.docs = loaded.static_docs + loaded.dynamic_docs
    project.compose_files = [c for c, _ in loaded.compose]
    project.manifests = [m for m, _ in loaded.manifests]
    project.traefik_containers = loaded.containers
    project.yaml_duplicates = loaded.duplicates
    for path, text in loaded.external.items():
        if text is not None:
            project.texts.setdefault(path, text)
            if path not in loaded.files:
                project.external_files.append(path)
    _static_sources(project, loaded)
    _infer_version(project, loaded, settings)
    _dynamic_sources(project, loaded)
    _entrypoint_refs(project)
    return project


def _text_reader(loaded: _Loaded, run: dict[str, bytes], read_file: Callable[[str], bytes | None]) -> Callable[[str], str | None]:
    """``read_file`` decoded, each path once; a file of the run is taken from the run."""

    def read(path: str) -> str | None:
        path = posixpath.normpath(path)
        if path not in loaded.external:
            data = run.get(path)
            if data is None:
                try:
                    data = read_file(path)
                except (OSError, ValueError):
                    data = None
            try:
                text = data.decode("utf-8-sig") if data is not None and len(data) <= _MAX_EXTERNAL_BYTES else None
            except UnicodeDecodeError:
                text = None
            loaded.external[path] = text
        return loaded.external[path]

    return read


_MAX_EXTERNAL_BYTES = 1024 * 1024


def external_state(path: str) -> tuple[str, bytes | None]:
    """(state, content) of the file at ``path`` read as a file the configuration names: its content
    (None when it is not a regular file, is over the size limit or cannot be read), and a state that
    is the same exactly when the content read is: its digest, "absent", "large" or "unreadable"."""
    from golint_traefik.cache import digest

    try:
        if not os.path.isfile(path):
            return "absent", None
        if os.path.getsize(path) > _MAX_EXTERNAL_BYTES:
            return "large", None
        with open(path, "rb") as fh:
            data = fh.read(_MAX_EXTERNAL_BYTES + 1)
    except OSError:
        return "unreadable", None
    return digest(data), data


def _disk_reader(files: list[tuple[str, bytes]], settings, states: dict[str, str]) -> Callable[[str], bytes | None]:
    """Read a file by a path like those of the run from disk, noting in ``states`` what each
    real path gave (:func:`external_state`).

    Paths of the run are relative to the directory of the run (the cwd of
    the CLI; the engine's ``cwd``, which is ``settings.base`` unless a
    configuration file moved it): the directory is the candidate holding a
    file of the run with the content the run has.  With no such directory
    (content given on stdin, not saved) relative paths are not read.
    """
    root: list[str | None] = []

    def find_root() -> str | None:
        sample = next(((p, d) for p, d in files if not posixpath.isabs(p)), None)
        if sample is None:
            return None
        for cand in (os.getcwd(), getattr(settings, "base", None)):
            if not cand:
                continue
            try:
                with open(os.path.join(cand, sample[0]), "rb") as fh:
                    if fh.read(len(sample[1]) + 1) == sample[1]:
                        return cand
            except OSError:
                continue
        return None

    def read(path: str) -> bytes | None:
        if not posixpath.isabs(path):
            if not root:
                root.append(find_root())
            if root[0] is None:
                return None
            path = os.path.join(root[0], path)
        states[path], data = external_state(path)
        return data

    return read


def _register(loaded: _Loaded, path: str, root: CNode, fmt: str, templated: bool, duplicates,
              embedded: kube.EmbeddedFile | None = None) -> bool:
    """Keep a YAML/TOML document that :func:`classify` recognises (or, carried in a ConfigMap under
    Traefik's own file name, :func:`_named_static`); whether it was kept."""
    kind = classify(root) or (_named_static(root) if embedded is not None and embedded.static_name else None)
    if not kind:
        return False
    if embedded is not None:
        embedded.embedding.rebase(root)  # also moves the nodes of ``duplicates``: they are in the tree
    doc = ConfigDoc(path, kind, root, format=fmt, templated=templated, embedded=embedded)
    (loaded.static_docs if kind == "static" else loaded.dynamic_docs).append(doc)
    if not templated:
        loaded.duplicates.extend((kind, a, b) for a, b in duplicates or ())
    return True


def _embedded(f: kube.EmbeddedFile, templated: bool, loaded: _Loaded) -> tuple[bool, list[YamlProblem]]:
    """Read a file carried in a ConfigMap like a file of its own; its parse problems (positions in
    the manifest) only when it says it is Traefik's (its name, or Traefik markers in its text)."""
    path = f.manifest.path
    used = False
    problems: list[YamlProblem] = []
    if f.format == "toml":
        root, problem = load_toml(path, f.text)
        if problem is not None:
            problems.append(problem)
        else:
            used = _register(loaded, path, root, "toml", templated, None, f)
    else:
        for d in load_documents(path, f.text):
            if d.problem is not None:
                problems.append(d.problem)
            elif d.root is not None:
                used = _register(loaded, path, d.root, "yaml", templated, d.duplicates, f) or used
    if not problems or not (used or f.static_name or _TRAEFIK_MARKERS.search(f.text)):
        return used, []
    return used, [YamlProblem(pr.message, *f.embedding.position(pr.line, pr.col)) for pr in problems]


def _has_action(lines: list[str], f: kube.EmbeddedFile) -> bool:
    """Whether a ``{{`` is written on the ``lines`` of a file that the embedded file ``f`` occupies, up
    to its last line with text (a ``{{- end }}`` after a block scalar is blanked into its last line)."""
    pieces = f.text.split("\n")
    last = max((i for i, piece in enumerate(pieces) if piece.strip()), default=-1)
    return any("{{" in lines[n - 1] for n, _ in f.embedding.lines[:last + 1] if 0 < n <= len(lines))


def _load_file(path: str, text: str, loaded: _Loaded) -> tuple[bool, list, bool]:
    """Read one file's documents into ``loaded``: whether any was Traefik's, the parse problems, and
    whether the file is a Go template (its actions are blanked before parsing, see :mod:`gotemplate`)."""
    lower = path.lower()
    original, original_lines = text, None
    text, templated = untemplate(text)
    used = False
    if lower.endswith(".toml"):
        root, problem = load_toml(path, text)
        if problem is not None:
            return False, [problem], templated
        return _register(loaded, path, root, "toml", templated, None), [], templated
    if not lower.endswith((".yml", ".yaml")):
        return False, [], templated
    src: SourceText | None = None
    problems = []
    for d in load_documents(path, text, skip=_skip_doc):
        if d.problem is not None:
            problems.append(d.problem)
            continue
        root = d.root
        mans = kube.manifests(root, path)
        if mans:
            for m in mans:
                if m.is_traefik_crd or kube.ingress_annotations(m):
                    loaded.manifests.append((m, templated))
                    used = True
                elif kube.legacy_api(m):  # for TR705; an Ingress of another class does not make the file Traefik's
                    loaded.manifests.append((m, templated))
                    used = used or kube.meant_for_traefik(m)
                elif m.kind in kube.WORKLOAD_KINDS:
                    src = src or SourceText(path, text)
                    cs = kube.traefik_containers(m, src)
                    if cs:
                        loaded.containers.extend(cs)
                        used = True
                elif m.kind == "ConfigMap":
                    loaded.configmaps.append(m)
                    src = src or SourceText(path, text)
                    for f in kube.configmap_files(m, src):
                        # A file carried in a template is a template when template actions are written in it.
                        if templated and original_lines is None:
                            original_lines = original.split("\n")
                        own = templated and _has_action(original_lines or [], f)
                        found, embedded_problems = _embedded(f, own, loaded)
                        used = used or found
                        problems.extend(embedded_problems)
            continue
        if compose_mod.is_compose(root):
            src = src or SourceText(path, text)
            cf = compose_mod.load_compose(path, root, src, loaded.files, loaded.read)
            if any(s.is_traefik or s.traefik_labels() or s.traefik_labels(deploy=True) for s in cf.services):
                loaded.compose.append((cf, templated))
                used = True
                if not templated:
                    loaded.duplicates.extend(("compose", a, b) for a, b in d.duplicates or ())
            continue
        used = _register(loaded, path, root, "yaml", templated, d.duplicates) or used
    return used, problems, templated


def _settings_tree(settings: list[Setting], origin: str, path: str) -> CNode:
    pairs = [(s.key, s.value, s.key_span, s.value_span) for s in settings]
    raws = [s.raw for s in settings]
    root_span = settings[0].key_span if settings else Span(path, 1, 1, 1, 1)
    return build_dotted(pairs, origin, root_span, raws=raws)


def _static_sources(project: Project, loaded: _Loaded) -> None:
    for doc in loaded.static_docs:
        owner = doc.embedded.label() if doc.embedded is not None else None
        project.static_configs.append(StaticConfig("file", doc.path, doc.root, owner=owner, embedded=doc.embedded))
    runners: list[tuple[str, str, list[Setting], bool, list[Setting], list[Setting], str | None]] = []
    for cf, _ in loaded.compose:
        for svc in cf.services:
            if svc.is_traefik:
                runners.append((f'compose service "{svc.name}"', cf.path, svc.flags, svc.has_args, svc.env, svc.file_env,
                                svc.config_file))
    for tc in loaded.containers:
        if tc.config_file is None:
            tc.config_file = _mounted_config(tc, loaded.configmaps)
        runners.append((tc.manifest.label(), tc.manifest.path, tc.flags, tc.has_args, tc.env, [], tc.config_file))
    for owner, path, flags, has_args, env, file_env, config_file in runners:
        # Traefik's loaders run in order file, flags, env and stop at the first that finds something.
        if flags:
            why = f"Traefik reads its configuration file ({config_file}) and ignores the flags" if config_file else ""
            project.static_configs.append(StaticConfig("flags", path, _settings_tree(flags, "flags", path),
                                                       effective=not config_file, owner=owner, ignored_because=why))
        if config_file:
            why = f"Traefik reads its configuration file ({config_file}) and ignores the environment"
        elif has_args:
            why = "Traefik reads its command-line flags and ignores TRAEFIK_* variables"
        else:
            why = ""
        # An env_file is often shared by several services (and by compose's own interpolation): its
        # variables count only when Traefik reads the environment, never as an ignored source.
        env = env + file_env if not why else env
        if env:
            project.static_configs.append(StaticConfig("env", path, _settings_tree(env, "env", path),
                                                       effective=not why, owner=owner, ignored_because=why))


def _mounted_config(tc: kube.TraefikContainer, configmaps: list[kube.Manifest]) -> str | None:
    """A static configuration file that a ConfigMap of the project puts where Traefik looks unasked
    (``/etc/traefik/traefik.yml``, ...): the container mounts the ConfigMap's directory there."""
    ns = tc.manifest.namespace
    for mount in tc.mounts:
        for cm in configmaps:
            if cm.name != mount.config_map or (cm.namespace and ns and cm.namespace != ns):
                continue
            for target, key in mount.files(kube.configmap_keys(cm)).items():
                if kube.default_config_file(target):
                    return f'{cm.label()}, key {key}, mounted at {target}'
    return None


def _infer_version(project: Project, loaded: _Loaded, settings) -> None:
    wanted = str(getattr(settings, "traefik_version", "auto") or "auto")
    if wanted in ("2", "3"):
        project.version, project.version_reason = int(wanted), "set by --traefik-version / configuration"
        return
    votes: dict[int, list[str]] = {}
    images = []
    for cf, _ in loaded.compose:
        images += [(s.image, f"{cf.path}: image {s.image}") for s in cf.services if s.is_traefik]
    images += [(c.image, f"{c.manifest.path}: image {c.image}") for c in loaded.containers]
    for image, why in images:
        major = compose_mod.image_major(image)
        if major in (2, 3):
            votes.setdefault(major, []).append(why)
    if votes:
        best = max(votes, key=lambda v: (len(votes[v]), v))
        project.version, project.version_reason = best, votes[best][0]
        return
    for m, _ in loaded.manifests:
        if m.is_traefik_crd and m.group == "traefik.containo.us":
            project.version = 2
            project.version_reason = f"{m.path}: CRD group traefik.containo.us (not served by Traefik v3)"
            return
    for m, _ in loaded.manifests:
        if kube.legacy_api(m) and kube.meant_for_traefik(m):
            project.version = 2
            project.version_reason = f"{m.path}: {m.kind} in apiVersion {m.api_version} (not supported by Traefik v3)"
            return
    for s in project.static_configs:
        for key in _V2_ONLY_STATIC:
            if s.root.find(key) is not None:
                project.version, project.version_reason = 2, f"{s.path}: {key} exists only in Traefik v2"
                return
        for key in _V3_ONLY_STATIC:
            if s.root.find(key) is not None:
                project.version, project.version_reason = 3, f"{s.path}: {key} exists only in Traefik v3"
                return


def exposed_by_default(project: Project, provider: str) -> bool:
    """``providers.<provider>.exposedByDefault`` (default true).

    A repository may hold several Traefik deployments; the option is taken
    as false only when every effective static configuration that configures
    the provider sets it to false.
    """
    values = []
    for s in project.static:
        section = s.root.find(f"providers.{provider}")
        if section is None:
            continue
        node = section.get("exposedByDefault") if section.is_map else None
        values.append(node is not None and node.as_bool() is False)
    return not values or not all(values)


def _add(project: Project, res: Resource, refs: list[Ref]) -> None:
    project.resources.append(res)
    for ref in refs:
        if is_templated(ref.text) or is_templated(ref.namespace):
            ref.dynamic = True
    project.refs.extend(refs)


def _dynamic_sources(project: Project, loaded: _Loaded) -> None:
    for doc in loaded.dynamic_docs:
        project.providers.add("file")
        for res in extract_dynamic(doc.root, provider="file", source="file", path=doc.path):
            if is_templated(res.name):
                res.templated = True
                project.incomplete.setdefault("file", f"{doc.path} names objects with template actions")
            _add(project, res, dynamic_refs(res))
    for cf, templated in loaded.compose:
        for svc in cf.services:
            for deploy in (False, True):
                labels = svc.traefik_labels(deploy)
                if not labels:
                    continue
                provider = ("swarm" if project.version >= 3 else "docker") if deploy else "docker"
                project.providers.add(provider)
                enable = svc.enable(deploy)
                active, reason = True, ""
                if enable is False:
                    active, reason = False, f'compose service "{svc.name}" sets traefik.enable=false, so Traefik ignores its labels'
                elif enable is None and not exposed_by_default(project, provider):
                    active = False
                    reason = (f'compose service "{svc.name}" lacks traefik.enable=true while '
                              f"providers.{provider}.exposedByDefault is false, so Traefik ignores its labels")
                pairs, raws, dynamic_keys = compose_mod.label_pairs(labels)
                if dynamic_keys:
                    project.incomplete.setdefault(provider, f"{cf.path}: label names use ${{...}} variables")
                root = build_dotted(pairs, "labels", labels[0].key_span, raws=raws)
                found = extract_dynamic(root, provider=provider, source="labels", path=cf.path, container=svc.name,
                                        active=active, inactive_reason=reason)
                declared = {r.protocol for r in found if r.kind == SERVICE}
                auto = frozenset({"http", "tcp", "udp"} - declared)
                project.auto_services.append(AutoService(provider, svc.name, cf.project, auto, active))
                for res in found:
                    res.templated = templated
                    refs = dynamic_refs(res)
                    for ref in refs:
                        ref.dynamic = ref.dynamic or _interpolated(ref.node)
                    _add(project, res, refs)
        # Containers without traefik labels still get a router and service when exposed by default.
        for svc in cf.services:
            if not svc.traefik_labels() and not svc.is_traefik:
                project.auto_services.append(AutoService("docker", svc.name, cf.project, frozenset({"http"}),
                                                         exposed_by_default(project, "docker")))
    for m, templated in loaded.manifests:
        if m.is_traefik_crd:
            project.providers.add(CRD_PROVIDER)
            for res in extract_crd(m.root, m.kind, m.path):
                if is_templated(res.local_name):
                    res.templated = True
                    project.incomplete.setdefault(CRD_PROVIDER, f"{m.path} names objects with template actions")
                _add(project, res, crd_refs(res))
        else:
            _ingress(project, m)


def _interpolated(node: CNode) -> bool:
    raw = node.raw if node.raw is not None else node.text() or ""
    return compose_mod.compose_unescape(raw)[1] if node.origin == "labels" else False


def _ingress(project: Project, m: kube.Manifest) -> None:
    """Routers of the ``kubernetes`` (Ingress) provider: their middleware and TLS option annotations."""
    ann = kube.ingress_annotations(m)
    mids, opts = ann.get("router.middlewares"), ann.get("router.tls.options")
    if mids is None and opts is None:
        return
    project.providers.add("kubernetes")
    name_node = m.root.find("metadata.name")
    res = Resource(ROUTER, "http", normalize(make_id(m.namespace, m.name or "")), "kubernetes", m.root, m.path, "ingress",
                   name_node.span if name_node is not None else m.root.span, namespace=m.namespace, local_name=m.name,
                   crd_kind="Ingress", manifest=m.root, templated=is_templated(m.name))
    refs = [Ref(MIDDLEWARE, "http", n.text().strip(), n, res, "kubernetes", "middlewares")
            for n in (mids.as_list() if mids is not None else []) if n.text()]
    if opts is not None and opts.text():
        refs.append(Ref(TLS_OPTION, "tls", opts.text().strip(), opts, res, "kubernetes", "tls.options"))
    _add(project, res, refs)


def _entrypoint_refs(project: Project) -> None:
    for s in project.static:
        eps = s.root.get("entryPoints")
        for ep in eps.entries if eps is not None and eps.is_map else ():
            node = ep.find("http.middlewares")
            for m in node.as_list() if node is not None else []:
                text = (m.text() or "").strip()
                if text:
                    project.refs.append(Ref(MIDDLEWARE, "http", text, m, None, None, "entryPoint",
                                            entry_point=ep.key, dynamic=_interpolated(m)))
            # entryPoints.<ep>.http.tls.options: the TLS options of the entryPoint's routers that set no TLS
            # of their own (Traefik's HTTP model, pkg/provider/traefik/internal.go).
            opts = ep.find("http.tls.options")
            text = (opts.text() or "").strip() if opts is not None and opts.is_scalar else ""
            if text:
                project.refs.append(Ref(TLS_OPTION, "tls", text, opts, None, None, "entryPoint tls.options",
                                        entry_point=ep.key, dynamic=_interpolated(opts) or is_templated(text)))

