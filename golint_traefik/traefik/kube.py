"""Kubernetes manifests: Traefik CRDs, Traefik workloads, Ingress annotations.

A document is a manifest when its root has string ``apiVersion`` and
``kind``.  Three sorts matter:

* Traefik CRDs (group ``traefik.io`` or, before v3, ``traefik.containo.us``;
  kinds in :data:`~golint_traefik.traefik.resources.CRD_KINDS`): dynamic
  configuration of the ``kubernetescrd`` provider;
* workloads (Deployment, DaemonSet, StatefulSet, Pod, ...) with a container
  running the ``traefik`` image: its ``command``/``args`` flags and
  ``TRAEFIK_*`` env are static configuration;
* Ingresses with ``traefik.ingress.kubernetes.io/router.*`` annotations:
  routers of the ``kubernetes`` provider whose middlewares and TLS options
  refer to other providers' objects.

Manifests in APIs Traefik v3 dropped are kept too, for the migration rules:
Ingresses in ``networking.k8s.io/v1beta1`` or ``extensions/v1beta1`` (any
class; see :func:`legacy_api`) and Traefik CRD definitions in
``apiextensions.k8s.io/v1beta1``.

ConfigMaps (``v1``) matter through the files in their ``data``: a key
named like a configuration file (``traefik.yml``, ``dynamic.toml``) holds a
file that a workload mounts; :func:`configmap_files` gives its text with
positions in the manifest (see :class:`~golint_traefik.traefik.tree.Embedding`),
and :func:`configmap_mounts` says where a container mounts ConfigMaps.

``kind: List`` documents are unpacked.  Everything else is ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from golint_traefik.traefik.cmdline import Setting, env_settings, parse_flags, tokens
from golint_traefik.traefik.compose import image_is_traefik
from golint_traefik.traefik.gotemplate import is_templated
from golint_traefik.traefik.resources import CRD_KINDS
from golint_traefik.traefik.tree import CNode, Embedding, SourceText, embedded_text

TRAEFIK_GROUPS = ("traefik.io", "traefik.containo.us")
_CONFIG_FILE = re.compile(r"^(?:/etc/traefik)?/traefik\.(?:toml|ya?ml)$")
WORKLOAD_KINDS = frozenset({"Deployment", "DaemonSet", "StatefulSet", "ReplicaSet", "Pod", "Job", "CronJob"})
INGRESS_ANNOTATION = "traefik.ingress.kubernetes.io/"
# Ingress APIs removed in Kubernetes 1.22, and from Traefik v3's Ingress provider.
LEGACY_INGRESS_APIS = frozenset({"networking.k8s.io/v1beta1", "extensions/v1beta1"})
LEGACY_CRD_API = "apiextensions.k8s.io/v1beta1"
INGRESS_CLASS_ANNOTATION = "kubernetes.io/ingress.class"
CONFIG_FILE_EXTS = (".yml", ".yaml", ".toml")
# Names Traefik looks for as its static configuration file (in /etc/traefik, $HOME/.config, the working directory).
STATIC_FILE_NAMES = frozenset({"traefik.toml", "traefik.yml", "traefik.yaml"})


@dataclass
class Manifest:
    path: str
    root: CNode
    api_version: str
    kind: str
    name: str | None
    namespace: str | None

    @property
    def group(self) -> str:
        return self.api_version.rpartition("/")[0]

    @property
    def is_traefik_crd(self) -> bool:
        return self.group in TRAEFIK_GROUPS and self.kind in CRD_KINDS

    def label(self) -> str:
        ns = f"{self.namespace}/" if self.namespace else ""
        return f'{self.kind} "{ns}{self.name}"'


@dataclass
class TraefikContainer:
    """A container running Traefik in a Kubernetes workload."""

    manifest: Manifest
    node: CNode
    image: str | None
    flags: list[Setting] = field(default_factory=list)
    has_args: bool = False
    env: list[Setting] = field(default_factory=list)
    config_file: str | None = None
    mounts: list["ConfigMapMount"] = field(default_factory=list)


@dataclass
class EmbeddedFile:
    """A configuration file carried in a ConfigMap's ``data``; its positions point into the manifest."""

    manifest: Manifest
    key: str  # the data key: the file's name once mounted
    node: CNode  # the data entry (``key_span`` is the key)
    text: str
    embedding: Embedding

    @property
    def format(self) -> str:
        return "toml" if self.key.lower().endswith(".toml") else "yaml"

    @property
    def static_name(self) -> bool:
        """Named as Traefik's static configuration file (``traefik.yml``, ...)."""
        return self.key.lower() in STATIC_FILE_NAMES

    def label(self) -> str:
        return f"{self.manifest.label()} ({self.key})"


@dataclass
class ConfigMapMount:
    """A ConfigMap volume (or projected source) mounted into a container."""

    config_map: str
    mount_path: str
    sub_path: str | None = None
    items: dict[str, str] | None = None  # key -> path inside the volume, when the volume lists ``items``

    def files(self, keys: list[str]) -> dict[str, str]:
        """Path in the container -> data key, for the files of a ConfigMap holding ``keys`` that this mount shows."""
        names = {k: k for k in keys} if self.items is None else {k: p for k, p in self.items.items() if k in keys}
        base = self.mount_path.rstrip("/")
        if self.sub_path:
            key = next((k for k, name in names.items() if name == self.sub_path.strip("/")), None)
            return {self.mount_path: key} if key is not None else {}
        return {f"{base}/{name}": key for key, name in names.items()}


def manifests(root: CNode, path: str) -> list[Manifest]:
    """The manifests of a YAML document (several for ``kind: List``), or [] if it is not one."""
    info = _manifest(root, path)
    if info is None:
        return []
    if info.kind == "List":
        items = root.get("items")
        return [m for it in (items.items if items is not None and items.is_seq else ()) for m in manifests(it, path)]
    return [info]


def _manifest(root: CNode, path: str) -> Manifest | None:
    if not root.is_map:
        return None
    api, kind = root.get("apiVersion"), root.get("kind")
    if api is None or kind is None or not isinstance(api.value, str) or not isinstance(kind.value, str):
        return None
    meta = root.get("metadata")
    name = meta.get("name") if meta is not None else None
    ns = meta.get("namespace") if meta is not None else None
    return Manifest(path, root, api.value, kind.value, name.text() if name is not None else None,
                    ns.text() if ns is not None else None)


def pod_spec(m: Manifest) -> CNode | None:
    if m.kind == "Pod":
        return m.root.get("spec")
    if m.kind == "CronJob":
        return m.root.find("spec.jobTemplate.spec.template.spec")
    return m.root.find("spec.template.spec")


def traefik_containers(m: Manifest, src: SourceText) -> list[TraefikContainer]:
    if m.kind not in WORKLOAD_KINDS:
        return []
    spec = pod_spec(m)
    containers = spec.get("containers") if spec is not None else None
    out: list[TraefikContainer] = []
    for c in containers.items if containers is not None and containers.is_seq else ():
        if not c.is_map:
            continue
        image = c.get("image")
        image_text = image.text() if image is not None else None
        if not image_is_traefik(image_text):
            continue
        tc = TraefikContainer(m, c, image_text)
        toks = []
        for key in ("command", "args"):
            node = c.get(key)
            if node is not None:
                toks.extend(tokens(node, src))
        tc.flags, tc.has_args = parse_flags(toks, src)
        env = c.get("env")
        if env is not None:
            tc.env = env_settings(env, src, compose=False)
        tc.config_file = _config_file(c, tc.flags)
        tc.mounts = configmap_mounts(m, c)
        out.append(tc)
    return out


def configmap_files(m: Manifest, src: SourceText) -> list[EmbeddedFile]:
    """The ``data`` entries of a ConfigMap named like YAML/TOML files whose text can be placed in the
    manifest (see :func:`~golint_traefik.traefik.tree.embedded_text`); [] for other manifests."""
    if m.kind != "ConfigMap" or m.api_version != "v1":
        return []
    data = m.root.get("data")
    out: list[EmbeddedFile] = []
    for entry in data.entries if data is not None and data.is_map else ():
        key = entry.key or ""
        if not key.lower().endswith(CONFIG_FILE_EXTS):
            continue
        found = embedded_text(entry, src)
        if found is not None:
            out.append(EmbeddedFile(m, key, entry, found[0], found[1]))
    return out


def configmap_keys(m: Manifest) -> list[str]:
    """The file names a ConfigMap holds (``data`` and ``binaryData`` keys)."""
    keys: list[str] = []
    for section in ("data", "binaryData"):
        node = m.root.get(section)
        keys += [e.key or "" for e in (node.entries if node is not None and node.is_map else ())]
    return keys


def configmap_mounts(m: Manifest, container: CNode) -> list[ConfigMapMount]:
    """The ConfigMaps a container of workload ``m`` mounts (``configMap`` volumes and ``projected`` sources)."""
    spec = pod_spec(m)
    volumes = spec.get("volumes") if spec is not None else None
    sources: dict[str, list[tuple[str, dict[str, str] | None]]] = {}
    for vol in volumes.items if volumes is not None and volumes.is_seq else ():
        name = _text(vol.get("name")) if vol.is_map else None
        if not name:
            continue
        cms = [vol.get("configMap")]
        projected = vol.find("projected.sources")
        cms += [src.get("configMap") for src in (projected.items if projected is not None and projected.is_seq else ())
                if src.is_map]
        for cm in cms:
            cm_name = _text(cm.get("name")) if cm is not None and cm.is_map else None
            if cm_name:
                sources.setdefault(name, []).append((cm_name, _items(cm.get("items"))))
    out: list[ConfigMapMount] = []
    mounts = container.get("volumeMounts")
    for mount in mounts.items if mounts is not None and mounts.is_seq else ():
        if not mount.is_map:
            continue
        name, path = _text(mount.get("name")), _text(mount.get("mountPath"))
        if not name or not path:
            continue
        for cm_name, items in sources.get(name, ()):
            out.append(ConfigMapMount(cm_name, path, _text(mount.get("subPath")), items))
    return out


def _items(node: CNode | None) -> dict[str, str] | None:
    if node is None or not node.is_seq:
        return None
    out: dict[str, str] = {}
    for item in node.items:
        key, path = (_text(item.get("key")), _text(item.get("path"))) if item.is_map else (None, None)
        if key and path:
            out[key] = path.strip("/")
    return out


def _text(node: CNode | None) -> str | None:
    return node.text() if node is not None and node.is_scalar else None


def default_config_file(path: str) -> bool:
    """Whether Traefik in the official image finds a static configuration file at ``path`` unasked."""
    return bool(_CONFIG_FILE.match(path))


def _config_file(container: CNode, flags: list[Setting]) -> str | None:
    for s in flags:
        if s.key.lower() == "configfile":
            return f"--configFile={s.value}"
    mounts = container.get("volumeMounts")
    for m in mounts.items if mounts is not None and mounts.is_seq else ():
        path = m.get("mountPath") if m.is_map else None
        target = path.text() if path is not None else None
        # Only a file mount is certain; a directory (ConfigMap) may hold anything.
        if target and _CONFIG_FILE.match(target):
            return f"a file mounted at {target}"
    return None


def ingress_annotations(m: Manifest) -> dict[str, CNode]:
    """``router.*`` Traefik annotations of an Ingress, keyed by the part after the prefix (lower-cased)."""
    if m.kind != "Ingress" or not m.api_version.startswith(("networking.k8s.io/", "extensions/")):
        return {}
    ann = m.root.find("metadata.annotations")
    out: dict[str, CNode] = {}
    for e in ann.entries if ann is not None and ann.is_map else ():
        key = e.key or ""
        if key.startswith(INGRESS_ANNOTATION):
            out[key[len(INGRESS_ANNOTATION):].lower()] = e
    return out


def ingress_class(m: Manifest) -> tuple[str, CNode] | None:
    """The class an Ingress asks for: ``spec.ingressClassName``, else the ``kubernetes.io/ingress.class``
    annotation (Traefik reads the field first), with its node; None when it names none."""
    for node in (m.root.find("spec.ingressClassName"), _annotation(m, INGRESS_CLASS_ANNOTATION)):
        text = node.text() if node is not None and node.is_scalar else None
        if text and text.strip():
            return text.strip(), node
    return None


def _annotation(m: Manifest, key: str) -> CNode | None:
    ann = m.root.find("metadata.annotations")
    for e in ann.entries if ann is not None and ann.is_map else ():
        if e.key == key:
            return e
    return None


def legacy_api(m: Manifest) -> bool:
    """An Ingress in an API removed in Kubernetes 1.22 (whatever its class), or a Traefik CRD
    definition in ``apiextensions.k8s.io/v1beta1``: manifests Traefik v3 does not support."""
    if m.kind == "Ingress":
        return m.api_version in LEGACY_INGRESS_APIS
    if m.kind == "CustomResourceDefinition" and m.api_version == LEGACY_CRD_API:
        group = m.root.find("spec.group")
        return group is not None and group.text() in TRAEFIK_GROUPS
    return False


def meant_for_traefik(m: Manifest) -> bool:
    """A legacy manifest that says it is Traefik's: a CRD definition of a Traefik group, or an Ingress
    whose class names Traefik, or without a (known) class that carries ``traefik.ingress.kubernetes.io``
    annotations."""
    if m.kind != "Ingress":
        return legacy_api(m)
    cls = ingress_class(m)
    if cls and not is_templated(cls[0]):
        return "traefik" in cls[0].lower()
    return bool(ingress_annotations(m))
