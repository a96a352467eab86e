"""docker-compose / stack files: container labels and the Traefik container's own settings.

A document is a compose file when its root keys are compose's top-level
keys (``services`` plus ``version``, ``networks``, ``volumes``, ``configs``,
``secrets``, ``name``, ``include``, ``x-*``) and ``services`` is a map of
service maps.  It matters to Traefik when a service carries ``traefik.*``
labels (dynamic configuration for the docker provider; ``deploy.labels``
for Swarm) or runs the ``traefik`` image (its ``command:`` flags and
``TRAEFIK_*`` environment are static configuration).

Compose interpolates ``$VAR``/``${VAR}`` and turns ``$$`` into ``$`` in
every value; values here are what the container receives (``$$`` already
unescaped, the written text kept in ``CNode.raw``), and values that still
hold a variable are marked dynamic.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import Callable

from golint_traefik.finding import Span
from golint_traefik.traefik.cmdline import Setting, compose_unescape, dotenv_settings, env_settings, parse_flags, tokens
from golint_traefik.traefik.tree import CNode, SourceText

ROOT_KEYS = frozenset({"version", "services", "networks", "volumes", "configs", "secrets", "name", "include"})
SERVICE_KEYS = frozenset({
    "image", "build", "labels", "command", "entrypoint", "environment", "env_file", "ports", "expose", "volumes",
    "deploy", "container_name", "networks", "restart", "depends_on", "healthcheck", "hostname", "extends", "profiles",
    "user", "working_dir", "secrets", "configs", "logging", "network_mode", "extra_hosts", "cap_add", "privileged",
})
# Label prefixes the docker provider decodes (pkg/config/label/label.go).
DYNAMIC_LABEL_PREFIXES = ("traefik.http.", "traefik.tcp.", "traefik.udp.", "traefik.tls.stores.default.")
# Where the official image looks for a static configuration file.
DEFAULT_CONFIG_PATH = re.compile(r"^(?:/etc/traefik(?:/traefik\.(?:toml|ya?ml))?/?|/traefik\.(?:toml|ya?ml))$")
_CONFIG_NAME = re.compile(r"traefik\.(?:toml|ya?ml)$")
_VERSION_TAG = re.compile(r"^v?(\d+)(?:\.|$)")


@dataclass
class Label:
    key: str  # as written, e.g. "traefik.http.routers.api.rule"
    value: str  # after compose interpolation of "$$"
    key_span: Span
    value_span: Span
    node: CNode  # the list item or map entry
    raw: str | None = None  # the value as written when unescaping changed it
    dynamic: bool = False  # key or value holds $VAR / ${VAR}


@dataclass
class ComposeService:
    name: str
    node: CNode
    path: str
    project: str | None  # top-level ``name:`` of the compose file
    image: str | None = None
    image_node: CNode | None = None
    labels: list[Label] = field(default_factory=list)  # container labels: docker provider
    deploy_labels: list[Label] = field(default_factory=list)  # service labels: swarm
    flags: list[Setting] = field(default_factory=list)
    has_args: bool = False  # the command passes arguments to traefik (flags are then the static source)
    env: list[Setting] = field(default_factory=list)
    # TRAEFIK_* variables of the ``env_file`` files not also set in ``environment`` (which wins), with
    # spans in those files; ``env_files`` are the files read (paths like the compose file's).
    file_env: list[Setting] = field(default_factory=list)
    env_files: list[str] = field(default_factory=list)
    config_file: str | None = None  # why a config file is loaded: mount target or --configFile

    @property
    def is_traefik(self) -> bool:
        return image_is_traefik(self.image)

    def traefik_labels(self, deploy: bool = False) -> list[Label]:
        return [lb for lb in (self.deploy_labels if deploy else self.labels) if lb.key.split(".", 1)[0].lower() == "traefik"]

    def enable(self, deploy: bool = False) -> bool | None:
        """The ``traefik.enable`` label (strconv.ParseBool), or None when absent or invalid."""
        for lb in self.traefik_labels(deploy):
            if lb.key.lower() == "traefik.enable":
                v = lb.value.strip()
                if v in ("1", "t", "T", "TRUE", "true", "True"):
                    return True
                if v in ("0", "f", "F", "FALSE", "false", "False"):
                    return False
                return None
        return None


@dataclass
class ComposeFile:
    path: str
    root: CNode
    project: str | None
    services: list[ComposeService]


def is_compose(root: CNode) -> bool:
    if not root.is_map:
        return False
    services = root.get("services")
    if services is None or not services.is_map:
        return False
    for e in root.entries:
        key = (e.key or "")
        if key.lower() not in ROOT_KEYS and not key.startswith("x-"):
            return False
    bodies = [s for s in services.entries if s.is_map]
    if not bodies:
        return False
    return any({(k.key or "").lower() for k in s.entries} & SERVICE_KEYS for s in bodies)


def image_is_traefik(image: str | None) -> bool:
    if not image:
        return False
    ref = image.split("@", 1)[0]
    last = ref.rsplit("/", 1)[-1]
    return last.split(":", 1)[0].lower() == "traefik"


def image_major(image: str | None) -> int | None:
    """Traefik major version from an image tag (``traefik:v2.11``, ``traefik:3.1``, ``${T:-v2.10}``)."""
    if not image_is_traefik(image):
        return None
    ref = image.split("@", 1)[0]
    last = ref.rsplit("/", 1)[-1]
    _, colon, tag = last.partition(":")
    if not colon:
        return None
    m = re.search(r":-?([^}]*)\}", tag) if "${" in tag else None
    if m:
        tag = m.group(1)
    vm = _VERSION_TAG.match(tag)
    if vm and vm.group(1) in ("1", "2", "3"):
        return int(vm.group(1))
    return None


def load_compose(path: str, root: CNode, src: SourceText, project_files: frozenset[str] = frozenset(),
                 read: Callable[[str], str | None] | None = None) -> ComposeFile:
    """The compose file's services.  ``read(path)`` gives the text of another file (an ``env_file``
    of the Traefik service, its path joined to the compose file's like the paths of the run), or
    None when it cannot be read; without ``read`` env files are not read."""
    project_node = root.get("name")
    project = project_node.text() if project_node is not None else None
    services: list[ComposeService] = []
    svc_map = root.get("services")
    for entry in svc_map.entries if svc_map is not None else ():
        if not entry.is_map:
            continue
        svc = ComposeService(entry.key or "", entry, path, project)
        image = entry.get("image")
        if image is not None and image.is_scalar:
            svc.image = image.text()
            svc.image_node = image
        labels = entry.get("labels")
        if labels is not None:
            svc.labels = read_labels(labels, src)
        deploy_labels = entry.find("deploy.labels")
        if deploy_labels is not None:
            svc.deploy_labels = read_labels(deploy_labels, src)
        if svc.is_traefik:
            command = entry.get("command")
            if command is not None:
                svc.flags, svc.has_args = parse_flags(tokens(command, src), src, compose=True)
            env = entry.get("environment")
            if env is not None:
                svc.env = env_settings(env, src, compose=True)
            if read is not None:
                _read_env_files(svc, entry.get("env_file"), read)
            svc.config_file = _config_file(entry, svc.flags, path, project_files)
        services.append(svc)
    return ComposeFile(path, root, project, services)


def env_file_paths(node: CNode | None) -> list[str]:
    """The files an ``env_file`` names: one string, a list of strings, or a list of ``{path: ...}``."""
    if node is None:
        return []
    items = node.items if node.is_seq else [node]
    out = []
    for item in items:
        target = item.get("path") if item.is_map else item
        text = target.text() if target is not None and target.is_scalar else None
        if text and text.strip():
            out.append(text.strip())
    return out


def _read_env_files(svc: ComposeService, node: CNode | None, read: Callable[[str], str | None]) -> None:
    """Fill ``svc.file_env``: later files override earlier ones, ``environment`` overrides them all.
    A file that is missing, unreadable or interpolated (``${DIR}/.env``) is skipped silently."""
    merged: dict[str, Setting] = {}
    base = posixpath.dirname(svc.path)
    for written in env_file_paths(node):
        if compose_unescape(written)[1]:
            continue
        where = written if posixpath.isabs(written) else posixpath.normpath(posixpath.join(base, written))
        text = read(where)
        if text is None:
            continue
        svc.env_files.append(where)
        for s in dotenv_settings(where, text):
            merged.pop(s.key, None)
            merged[s.key] = s
    own = {s.key for s in svc.env}
    svc.file_env = [s for k, s in merged.items() if k not in own]


def read_labels(node: CNode, src: SourceText) -> list[Label]:
    """Labels as a list of ``key=value`` strings or as a map; positions of the key and value text."""
    out: list[Label] = []
    if node.is_map:
        for e in node.entries:
            value = e.text() or ""
            out.append(_label(e.key or "", value, e.where, e.span, e))
    elif node.is_seq:
        for item in node.items:
            text = item.text()
            if not text:
                continue
            key, _, value = text.partition("=")
            lo, hi = src.region(item.span)
            at = src.find(text, lo, hi)
            if at >= 0:
                key_span = src.span(at, at + len(key))
                vstart = at + len(key) + 1
                value_span = src.span(vstart, vstart + len(value)) if value else key_span
            else:
                key_span = value_span = item.span
            out.append(_label(key.strip(), value, key_span, value_span, item))
    return out


def _label(key: str, value: str, key_span: Span, value_span: Span, node: CNode) -> Label:
    unescaped, dynamic = compose_unescape(value)
    raw = value if unescaped != value else None
    return Label(key, unescaped, key_span, value_span, node, raw, dynamic or compose_unescape(key)[1])


def _config_file(service: CNode, flags: list[Setting], path: str, project_files: frozenset[str]) -> str | None:
    """Why Traefik in this service reads a configuration file (so its flags and env are ignored), or None.

    ``--configFile`` always counts, and so does a file mounted at a default
    location (``/etc/traefik/traefik.yml``, ``/traefik.toml``, ...).  A
    directory mounted at ``/etc/traefik`` counts only when the linted tree
    holds a ``traefik.{yml,yaml,toml}`` at its host path: such directories
    often hold only certificates or dynamic files.
    """
    for s in flags:
        if s.key.lower() == "configfile":
            return f"--configFile={s.value}"
    for key in ("volumes", "configs"):
        node = service.get(key)
        if node is None or not node.is_seq:
            continue
        for item in node.items:
            source = target = None
            if item.is_scalar and item.text():
                parts = (item.text() or "").split(":")
                if len(parts) >= 2:
                    source, target = parts[0], parts[1]
            elif item.is_map:
                t, src = item.get("target"), item.get("source")
                target = t.text() if t is not None else None
                source = src.text() if src is not None else None
            if not target or not DEFAULT_CONFIG_PATH.match(target.rstrip("/") or "/"):
                continue
            if _CONFIG_NAME.search(target):
                return f"a file mounted at {target}"
            if source and key == "volumes":
                base = posixpath.normpath(posixpath.join(posixpath.dirname(path), source))
                if any(posixpath.join(base, f"traefik.{ext}") in project_files for ext in ("yml", "yaml", "toml")):
                    return f"{source}/traefik.* mounted at {target}"
    return None


def label_pairs(labels: list[Label]) -> tuple[list[tuple[str, str, Span, Span]], list[str | None], bool]:
    """``build_dotted`` input for the labels the docker provider decodes (``traefik.`` root removed)."""
    pairs: list[tuple[str, str, Span, Span]] = []
    raws: list[str | None] = []
    dynamic_keys = False
    # Source order, so that positions point at the first label that names an object.  (paerser sorts
    # the keys first; that only changes which spelling wins when one name is written in two cases.)
    for lb in labels:
        low = lb.key.lower()
        if not low.startswith(DYNAMIC_LABEL_PREFIXES):
            continue
        if lb.dynamic and compose_unescape(lb.key)[1]:
            dynamic_keys = True
        pairs.append((lb.key.split(".", 1)[1], lb.value, lb.key_span, lb.value_span))
        raws.append(lb.raw)
    return pairs, raws, dynamic_keys
