"""Traefik's configuration options: every key, its type and default, for v2 and v3.

The data lives in ``data/options-v2.txt`` and ``data/options-v3.txt``, one
option per line (see the header of those files), written from Traefik's
reference documentation and configuration structs.  This module answers the
questions rules ask about a key, the way Traefik's decoder (paerser) answers
them:

* :func:`lookup` / :func:`option` -- the :class:`OptionInfo` at a path of
  keys as written (keys match case-insensitively; ``<name>`` or any name
  matches the items of a map of named objects, an index or ``[]`` the items
  of a list), or at a dotted path in catalog spelling; ``info.default`` is
  the documented default;
* :func:`children` / :func:`suggest` -- what may appear below an option, and
  a "did you mean" for a key that is not one of them;
* :func:`walk` -- every node of a configuration tree with its option (or
  None for a key Traefik does not know), for files, labels, flags and env;
* :func:`value_problem`, :func:`shape_problem`, :func:`empty_problem`,
  :func:`null_problem` -- why a value does not decode as its option, or
  decodes as something else;
* :func:`parse_duration` -- a duration as Traefik parses it (a bare integer
  is seconds, anything else Go's ``time.ParseDuration``);
* :func:`label_decoded`, :func:`provider_label` -- which container labels
  the docker/swarm providers read;
* :func:`project_sources` -- the trees of a project (static configurations,
  file-provider files, container labels) with what Traefik does when one
  fails to decode, for the structure rules (TR1xx).

Sources differ in small ways that :func:`walk` and :func:`lookup` handle:

* files (YAML/TOML) use ``file`` struct tags: ``file:"-"`` fields are
  accepted but ignored, ``file:"allowEmpty"`` sections may be empty
  (``api: {}``);
* labels, CLI flags and ``TRAEFIK_*`` variables use ``label`` tags and write
  some lists of objects as one object (``loadbalancer.server.port``, the
  *slice-as-struct* name in :attr:`OptionInfo.slice_name`);
* Kubernetes custom resources (source :data:`CRD`, catalogs of their own in
  :mod:`~golint_traefik.traefik.crdcatalog`) match field names exactly: the
  API server's schema lookup is case-sensitive.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Iterable, Iterator

from golint_traefik.traefik.tree import CNode

STATIC, DYNAMIC = "static", "dynamic"
FILE, LABELS, FLAGS, ENV = "file", "labels", "flags", "env"
CRD = "crd"  # the spec of a Traefik custom resource, as the Kubernetes API server reads it
VERSIONS = (2, 3)

CONTAINERS = frozenset({"struct", "map", "list"})
SCALARS = frozenset({"string", "bool", "int", "uint", "float", "duration", "gduration", "intstr"})

# Label prefixes the docker/swarm providers decode into the dynamic configuration
# (pkg/config/label/label.go).  paerser compares them case-insensitively with the
# start of the label, without a dot boundary: "traefik.https.x" is decoded too.
LABEL_FILTERS = ("traefik.http", "traefik.tcp", "traefik.udp", "traefik.tls.stores.default")


class OptionInfo:
    """One option: a node of the catalog tree.

    ``type`` is ``struct``, ``map`` (named objects: ``routers.<name>``),
    ``list`` (of objects: ``servers[]``), ``map:<scalar>`` (``headers``),
    ``list:<scalar>`` (``entryPoints``), a scalar type (``string``, ``bool``,
    ``int``, ``uint``, ``float``, ``duration``, ``gduration``; in custom
    resources ``intstr``, an integer or a string), or ``raw`` (plugin
    settings: anything).
    """

    __slots__ = ("path", "name", "type", "default", "flags", "slice_name", "version", "kind", "_children", "_item")

    def __init__(self, path: str, type_: str, flags: frozenset[str], default: str | None, version: int, kind: str):
        self.path = path
        self.name = _last(path)
        self.type = type_
        self.flags = flags
        self.default = default
        self.slice_name = next((f.split("=", 1)[1] for f in flags if f.startswith("slice=")), None)
        self.version = version
        self.kind = kind
        self._children: dict[str, OptionInfo] = {}
        self._item: OptionInfo | None = None

    # ------------------------------------------------------------- shape
    @property
    def is_struct(self) -> bool:
        return self.type == "struct"

    @property
    def is_named_map(self) -> bool:
        """A map of named objects (``routers``, ``entryPoints``): its keys are names."""
        return self.type == "map"

    @property
    def is_object_list(self) -> bool:
        return self.type == "list"

    @property
    def is_container(self) -> bool:
        """Written as a map of keys (struct or map of named objects) or a list of objects."""
        return self.type in CONTAINERS

    @property
    def is_scalar_map(self) -> bool:
        return self.type.startswith("map:")

    @property
    def is_scalar_list(self) -> bool:
        return self.type.startswith("list:")

    @property
    def is_raw(self) -> bool:
        return self.type == "raw" or self.type == "map:raw"

    @property
    def is_scalar(self) -> bool:
        return self.type in SCALARS

    @property
    def element_type(self) -> str | None:
        """The scalar type of a ``list:``/``map:`` option's items."""
        return self.type.split(":", 1)[1] if ":" in self.type else None

    @property
    def item(self) -> "OptionInfo | None":
        """The option of each item of a map or list (``routers.<name>``, ``servers[]``)."""
        return self._item

    def allow_empty(self, source: str = FILE) -> bool:
        """The section may be written with no children (``api: {}``, ``--api``): it is then switched on."""
        return ("empty" if source == FILE else "lempty") in self.flags

    def ignored(self, source: str = FILE) -> bool:
        """Traefik accepts the key but ignores it in this source (``file:"-"`` / ``label:"-"``)."""
        return ("nofile" if source == FILE else "nolabel") in self.flags

    def describe_type(self) -> str:
        """The type in words, for messages: ``a duration``, ``a list of strings``."""
        if self.type in _TYPE_WORDS:
            return _TYPE_WORDS[self.type]
        outer, _, inner = self.type.partition(":")
        return f"a {outer} of {inner} values"

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"OptionInfo(v{self.version} {self.kind} {self.path} {self.type})"


_TYPE_WORDS = {
    "struct": "a section (a map of options)",
    "map": "a map of named objects",
    "list": "a list of objects",
    "map:string": "a map of strings",
    "map:raw": "a map",
    "list:string": "a list of strings",
    "list:float": "a list of numbers",
    "list:int": "a list of integers",
    "list:uint": "a list of non-negative integers",
    "map:int": "a map of integers",
    "string": "a string",
    "bool": "a boolean (true or false)",
    "int": "an integer",
    "uint": "a non-negative integer",
    "float": "a number",
    "duration": "a duration (seconds, or Go syntax like 10s, 1m30s)",
    "gduration": "a duration (Go syntax like 10s, 1m30s)",
    "raw": "any value",
    "intstr": "an integer or a string",
}


def _last(path: str) -> str:
    name = path.rsplit(".", 1)[-1]
    return name[:-2] if name.endswith("[]") else name


# ----------------------------------------------------------------- loading


@dataclass(frozen=True)
class _Catalog:
    roots: dict  # kind -> OptionInfo (a synthetic struct whose children are the root keys)


def _parse(version: int, text: str) -> _Catalog:
    roots: dict[str, OptionInfo] = {}
    by_path: dict[str, OptionInfo] = {}
    kind = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            kind = line.strip("[]")
            roots[kind] = OptionInfo("", "struct", frozenset(), None, version, kind)
            by_path = {"": roots[kind]}
            continue
        spec, _, default = line.partition(" = ")
        words = spec.split()
        path, type_, flags = words[0], words[1], frozenset(words[2:])
        info = OptionInfo(path, type_, flags, default if _ else None, version, kind or "")
        by_path[path] = info
        parent_path, sep, last = path.rpartition(".")
        if last.endswith("[]"):  # "a.b[]": the item of list "a.b"
            by_path[path[:-2]]._item = info
        elif last == "<name>":
            by_path[parent_path]._item = info
        else:
            by_path[parent_path if sep else ""]._children[last.lower()] = info
    # Scalar maps and lists get a synthetic item, so that lookups below them work.
    for root in roots.values():
        for info in _iter(root):
            if (info.is_scalar_map or info.is_scalar_list) and info._item is None:
                suffix = ".<name>" if info.is_scalar_map else "[]"
                etype = info.element_type or "string"
                info._item = OptionInfo(info.path + suffix, "raw" if etype == "raw" else etype, frozenset(), None,
                                        version, info.kind)
    return _Catalog(roots)


def _iter(info: OptionInfo) -> Iterator[OptionInfo]:
    stack = [info]
    while stack:
        cur = stack.pop()
        yield cur
        stack.extend(cur._children.values())
        if cur._item is not None:
            stack.append(cur._item)


@lru_cache(maxsize=None)
def _catalog(version: int) -> _Catalog:
    if version not in VERSIONS:
        raise ValueError(f"no option catalog for Traefik v{version}")
    text = resources.files("golint_traefik.traefik").joinpath("data", f"options-v{version}.txt").read_text("utf-8")
    return _parse(version, text)


def root(version: int, kind: str) -> OptionInfo:
    """The synthetic root of the static or dynamic configuration (its children are the root keys)."""
    return _catalog(version).roots[kind]


def options(version: int, kind: str) -> Iterator[OptionInfo]:
    """Every option of the catalog (the root excluded)."""
    for info in _iter(root(version, kind)):
        if info.path:
            yield info


# ------------------------------------------------------------------ lookups

_INDEX = re.compile(r"^\[(\d*)\]$")


def _is_index(part) -> bool:
    return isinstance(part, int) or (isinstance(part, str) and bool(_INDEX.match(part)))


def child(info: OptionInfo, key, source: str = FILE) -> tuple[OptionInfo | None, bool]:
    """The option ``key`` names below ``info``, and whether it names a list's item directly.

    The second value is True when ``key`` is a *slice-as-struct* name in a
    label or flag (``server`` for ``servers``): the node under it is one item
    of the list, written as an object.
    """
    if info.is_struct:
        low = str(key).lower()
        dotted = source not in (FILE, CRD)
        for name, opt in info._children.items():
            if dotted and opt.slice_name:
                if low == opt.slice_name.lower():
                    return opt, True
                continue  # paerser matches only the slice name in labels and flags
            if name == low:
                if source == CRD and opt.name != key:
                    return None, False  # the API server matches field names exactly
                return opt, False
        return None, False
    if info.is_named_map or info.is_scalar_map:
        return info._item, False
    if info.is_object_list or info.is_scalar_list:
        return (info._item, False) if _is_index(key) else (None, False)
    if info.is_raw:
        return info, False
    return None, False


def lookup(version: int, kind: str, parts: Iterable, source: str = FILE) -> OptionInfo | None:
    """The option at ``parts`` (keys as written; ints or ``[n]``/``[]`` for list items), or None.

    ``lookup(3, "static", ["entryPoints", "web", "address"])`` and
    ``lookup(3, "static", "entryPoints.<name>.address".split("."))`` give the
    same option.  Below a ``raw`` option every path gives that option.
    """
    info: OptionInfo | None = root(version, kind)
    for part in _split_parts(parts):
        if info is None:
            return None
        opt, as_item = child(info, part, source)
        info = opt._item if (opt is not None and as_item) else opt
    return info


def option(version: int, kind: str, dotted: str) -> OptionInfo | None:
    """The option at a dotted path in catalog spelling: ``option(3, "dynamic", "http.services.<name>.loadBalancer")``."""
    return lookup(version, kind, dotted.split("."))


def _split_parts(parts: Iterable) -> Iterator:
    for part in parts:
        if isinstance(part, str) and part.endswith("]") and "[" in part and not part.startswith("["):
            name, _, index = part.partition("[")
            yield name
            yield "[" + index
        else:
            yield part


def children(version: int, kind: str, parts: Iterable = (), source: str = FILE) -> list[OptionInfo]:
    """The options allowed directly below ``parts``: a section's keys, or the one item option of a map or list."""
    info = lookup(version, kind, parts, source)
    if info is None:
        return []
    if info.is_struct:
        return list(info._children.values())
    return [info._item] if info._item is not None else []


def key_names(info: OptionInfo, source: str = FILE) -> list[str]:
    """The keys a section accepts in ``source``, in Traefik's spelling."""
    if not info.is_struct:
        return []
    if source == FILE:
        return [o.name for o in info._children.values()]
    return [o.slice_name or o.name for o in info._children.values()]


def suggest(info: OptionInfo, key: str, source: str = FILE) -> str | None:
    """A key (or short dotted path) below ``info`` that ``key`` was probably meant to be.

    First a close spelling among the section's keys (``entrypoint`` ->
    ``entryPoints``, ``certresolvers`` -> ``certResolver``); then the same
    key one or two levels further down (``certResolver`` written directly
    under a router -> ``tls.certResolver``; ``curvePreferences`` directly
    under ``tls`` -> ``options.<name>.curvePreferences``).
    """
    if not info.is_struct or not key:
        return None
    names = key_names(info, source)
    low = {n.lower(): n for n in names}
    k = key.lower()
    if k in low:
        return low[k]
    close = difflib.get_close_matches(k, list(low), n=1, cutoff=0.75)
    if close:
        return low[close[0]]
    # Also forgive a separator or a missing/extra "s": "entry_points", "middleware".
    squashed = re.sub(r"[^a-z0-9]", "", k)
    for cand in (squashed, squashed.rstrip("s"), squashed + "s"):
        if cand in low:
            return low[cand]
    deeper = _find_below(info, k, source)
    return deeper


def _find_below(info: OptionInfo, key: str, source: str, max_depth: int = 3) -> str | None:
    """The shortest path (dotted, relative) from ``info`` to an option named ``key``, not through raw options."""
    queue: list[tuple[OptionInfo, str, int]] = [(info, "", 0)]
    while queue:
        cur, prefix, depth = queue.pop(0)
        if depth >= max_depth:
            continue
        steps: list[tuple[OptionInfo, str]] = []
        if cur.is_struct:
            for opt in cur._children.values():
                steps.append((opt, (opt.slice_name if source != FILE and opt.slice_name else opt.name)))
        elif cur._item is not None and (cur.is_named_map or cur.is_object_list):
            steps.append((cur._item, "<name>" if cur.is_named_map else "[0]"))
        for opt, name in steps:
            path = f"{prefix}.{name}" if prefix and not name.startswith("[") else f"{prefix}{name}"
            if depth > 0 and opt.name.lower() in (key, key + "s", key.rstrip("s")) and not opt.ignored(source):
                return path
            if opt.is_container:
                queue.append((opt, path, depth + 1))
    return None


# ----------------------------------------------------------------- walking


@dataclass
class Visit:
    """One node of a configuration tree, matched against the catalog."""

    node: CNode
    info: OptionInfo | None  # None: Traefik has no such key here
    parent: OptionInfo  # the option the node sits in (the root for root keys)
    parts: tuple  # keys from the root as written; ints for list items

    @property
    def key(self) -> str | None:
        return self.node.key

    @property
    def at_root(self) -> bool:
        return len(self.parts) == 1

    @property
    def dotted(self) -> str:
        """The path as written, for messages: ``http.routers.api.tls.certResolver``, ``servers[0].url``."""
        out = ""
        for p in self.parts:
            out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
        return out


def walk(version: int, kind: str, top: CNode, source: str = FILE) -> Iterator[Visit]:
    """Every keyed node and list item below ``top`` with its option; unknown keys are not descended into.

    Raw options (plugin settings) and scalar maps are leaves: what is below
    them is not Traefik's to check.
    """
    return walk_from(root(version, kind), top, source)


def walk_from(start: OptionInfo, top: CNode, source: str = FILE) -> Iterator[Visit]:
    """:func:`walk` from any option of any catalog: ``top`` is written as ``start``."""
    stack: list[tuple[CNode, OptionInfo, tuple]] = [(top, start, ())]
    while stack:
        node, info, parts = stack.pop()
        found: list[tuple[CNode, OptionInfo, tuple]] = []
        if info.is_struct and node.is_map:
            for e in node.entries:
                opt, as_item = child(info, e.key or "", source)
                here = parts + (e.key or "",)
                yield Visit(e, opt, info, here)
                if opt is not None:
                    found.append((e, opt._item if as_item and opt._item is not None else opt, here))
        elif info.is_named_map and node.is_map:
            for e in node.entries:
                here = parts + (e.key or "",)
                yield Visit(e, info._item, info, here)
                found.append((e, info._item, here))
        elif info.is_object_list and node.is_seq:
            for i, item in enumerate(node.items):
                if not item.is_map:
                    continue  # a plain value where an object is expected: the list's shape_problem
                here = parts + (i,)
                yield Visit(item, info._item, info, here)
                found.append((item, info._item, here))
        for entry in reversed(found):
            if entry[1] is not None and entry[1].is_container:
                stack.append(entry)


# ------------------------------------------------------------------- values

_GO_UNITS = {"ns": 1e-9, "us": 1e-6, "\u00b5s": 1e-6, "\u03bcs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_GO_DURATION = re.compile(r"^[-+]?(?:(?:\d+\.?\d*|\.\d+)(?:ns|us|\u00b5s|\u03bcs|ms|s|m|h))+$")
_GO_PART = re.compile(r"(\d+\.?\d*|\.\d+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)")
_GO_INT = re.compile(r"^[-+]?\d+$")
_MAX_NS = 2**63 - 1


def parse_go_duration(text: str) -> float | None:
    """Go's ``time.ParseDuration``: seconds, or None when Go rejects the text."""
    if text in ("0", "+0", "-0"):
        return 0.0
    if not _GO_DURATION.match(text):
        return None
    sign = -1.0 if text.startswith("-") else 1.0
    total = 0.0
    for number, unit in _GO_PART.findall(text):
        total += float(number) * _GO_UNITS[unit]
    if total * 1e9 > _MAX_NS + 1:
        return None  # Go: "invalid duration" (overflow)
    return sign * total


def parse_duration(text: str | int | float | None) -> float | None:
    """A duration as Traefik decodes it, in seconds, or None when Traefik rejects it.

    paerser's ``types.Duration``: a bare integer (``strconv.ParseInt``) is a
    number of seconds; anything else goes to ``time.ParseDuration``
    (``300ms``, ``1m30s``, ``1.5h``; units ns, us, ms, s, m, h; a unit is
    required, so ``1.5`` is rejected).
    """
    if text is None or isinstance(text, bool):
        return None
    if isinstance(text, int):
        return float(text)
    if isinstance(text, float):
        text = go_number_text(text)
    t = str(text)
    if _GO_INT.match(t):
        value = int(t)
        return float(value) if -(2**63) <= value < 2**63 else None
    return parse_go_duration(t)


def go_number_text(value: float) -> str:
    """How paerser turns a YAML/TOML float into text (``strconv.FormatFloat(f, 'f', 6, 64)``, ``.000000`` trimmed)."""
    text = f"{value:.6f}"
    return text[: -len(".000000")] if text.endswith(".000000") else text


def value_text(node: CNode) -> str | None:
    """The scalar as paerser hands it to the field decoder (numbers formatted the Go way), or None for null."""
    if not node.is_scalar or node.value is None:
        return None
    v = node.value
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return go_number_text(v)
    return str(v)


_BOOLS = frozenset({"1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False"})
_FLOAT = re.compile(r"^[-+]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[iI][nN][fF](?:inity|INITY)?|[nN][aA][nN])$")


def scalar_problem(type_: str, text: str) -> str | None:
    """Why ``text`` does not decode as ``type_`` (a scalar type), in words; None when it does."""
    if type_ == "bool":
        return None if text in _BOOLS else "is not a boolean (use true or false)"
    if type_ == "int":
        if _GO_INT.match(text) and -(2**63) <= int(text) < 2**63:
            return None
        return "is not an integer"
    if type_ == "uint":
        if re.match(r"^\+?\d+$", text) and int(text) < 2**64:
            return None
        return "is not a non-negative integer"
    if type_ == "float":
        return None if _FLOAT.match(text.replace("_", "")) and "_" not in text else "is not a number"
    if type_ == "duration":
        if parse_duration(text) is not None:
            return None
        if re.match(r"^[-+]?\d*\.\d+$", text):
            return "is not a duration (a unit is required after a fraction: 1.5s, 1500ms)"
        return "is not a duration (a number of seconds, or Go syntax like 500ms, 10s, 1m30s)"
    if type_ == "gduration":
        return None if parse_go_duration(text) is not None else "is not a duration (Go syntax like 10s, 1m30s)"
    return None


def value_problem(info: OptionInfo, node: CNode) -> str | None:
    """Why Traefik cannot decode ``node`` as option ``info``; None when it can (or when the value is null).

    Only scalar options and scalar lists are checked here (the text of the
    value); a value of the wrong shape is :func:`shape_problem`'s.
    """
    if info.is_scalar:
        text = value_text(node)
        return None if text is None else scalar_problem(info.type, text)
    if info.is_scalar_list and info.element_type in SCALARS and info.element_type != "string":
        items = node.items if node.is_seq else node.as_list()
        for item in items:
            text = value_text(item)
            if text is None:
                continue
            why = scalar_problem(info.element_type or "", text.strip())
            if why:
                return f"item {text!r} {why}"
    return None


@dataclass(frozen=True)
class Problem:
    """A value Traefik cannot decode as written: ``text`` follows the option's path in a message.

    ``fatal``: decoding fails (Traefik does not start, the file or the
    container's labels are rejected); otherwise Traefik silently reads
    something other than what was meant, and ``text`` says what.
    """

    text: str
    fatal: bool


def shape_problem(info: OptionInfo, node: CNode, source: str = FILE, item: bool = False) -> Problem | None:
    """Why the node's shape (map, list, scalar) does not fit the option; None when it does.

    ``item``: the node is one entry of a map of named objects (a router
    under ``routers``).  Follows paerser: a scalar where a section is
    expected fails, unless the section may be empty (then only ``true``
    switches it on); a scalar where a list of objects is expected yields no
    items; a map where a scalar is expected fails.  ``null`` values are
    dropped before decoding and never have a problem here, and neither does a
    section with no children (see :func:`empty_problem`).
    """
    if (node.is_scalar and node.value is None) or info.is_raw:
        return None
    what = info.describe_type()
    if info.is_struct or info.is_named_map or info.is_scalar_map:
        if node.is_map:
            return None
        if item:
            if node.is_seq:
                return Problem(f"is a list, but each entry of {_parent_name(info)} must be a map of options", True)
            return Problem(f"is a single value, but each entry of {_parent_name(info)} must be a map of options: "
                           f'Traefik defines an empty object named "{node.key}" (is a name level missing above it?)',
                           False)
        if node.is_seq:
            if info.is_struct:
                return Problem(f"is a list, but {info.name} is {what}", True)
            return Problem(f"is a list, but {info.name} is {what}: Traefik names the entries [0], [1], ...", False)
        text = (value_text(node) or "").strip()
        if info.allow_empty(source):
            if text and text.lower() != "true":
                return Problem(f"is {text!r}: only true (or a section of options) enables {info.name}; "
                               "any other value leaves it disabled", False)
            return None
        if text.lower() in ("", "true"):
            return None  # a switch on a section that needs options: empty_problem's
        return Problem(f"is a single value, but {info.name} is {what}", True)
    if info.is_object_list:
        if node.is_seq:
            if any(i.is_scalar and i.value is not None for i in node.items):
                return Problem(f"holds plain values, but {info.name} is {what}: Traefik reads no item from them", False)
            return None
        if node.is_map:
            if source != FILE or all(e.is_map for e in node.entries):
                return None
            return Problem(f"is a map, but {info.name} is {what}", False)
        return Problem(f"is a single value, but {info.name} is {what}: Traefik reads no item from it", False)
    if info.is_scalar_list:
        if node.is_seq and any(not i.is_scalar for i in node.items):
            return Problem(f"holds a nested map or list, but {info.name} is {what}", True)
        if node.is_map and node.entries:
            return Problem(f"is a map, but {info.name} is {what}: Traefik reads no item from it", False)
        return None
    # a scalar option
    if node.is_map:
        if node.entries:
            return Problem(f"is a map, but {info.name} is {what}", True)
        return None if info.type == "string" else Problem(f"is an empty map, but {info.name} is {what}", True)
    if node.is_seq:
        if any(not i.is_scalar for i in node.items) or info.type != "string":
            return Problem(f"is a list, but {info.name} is {what}", True)
        if len(node.items) > 1:
            return Problem(f"is a list, but {info.name} is {what}: Traefik joins the items into one string", False)
    return None


def _parent_name(info: OptionInfo) -> str:
    parent = info.path.rsplit(".", 1)[0] if "." in info.path else info.path
    return _last(parent)


def empty_problem(info: OptionInfo, node: CNode, source: str = FILE) -> str | None:
    """Why a section written with nothing in it fails ("cannot be a standalone element"); None otherwise.

    paerser rejects a struct or map option that has no children unless it is
    tagged ``allowEmpty``: ``middlewares: {}``, an empty TOML table, a label
    ``...stripprefix=true``, or a map whose only keys have no value (YAML
    ``null`` keys are dropped before decoding).  Entries of a map of named
    objects are never checked (an empty router is accepted).
    """
    if not (info.is_struct or info.is_named_map or info.is_scalar_map) or info.allow_empty(source):
        return None
    if node.is_map:
        if not node.entries:
            return "is empty"
        if all(e.is_scalar and e.value is None for e in node.entries):
            keys = ", ".join(f'"{e.key}"' for e in node.entries)
            return f"has only keys with no value ({keys}), which Traefik drops, leaving it empty"
        return None
    if node.is_scalar and node.value is not None and (value_text(node) or "").strip().lower() in ("", "true"):
        return "is switched on without any option"
    return None


def null_problem(info: OptionInfo, node: CNode, source: str = FILE) -> str | None:
    """A section that may be empty written as a key with no value (``api:``): Traefik drops it, nothing is enabled."""
    if source != FILE or not node.is_scalar or node.value is not None or not info.is_container:
        return None
    if not info.allow_empty(source):
        return None
    return f'has no value, so Traefik drops it and {info.name} stays disabled; write "{node.key}: {{}}" to enable it'


# ------------------------------------------------------------------- labels


def label_decoded(key: str) -> bool:
    """Whether the docker/swarm providers decode this label into the dynamic configuration.

    paerser keeps labels that *start with* one of :data:`LABEL_FILTERS`,
    compared case-insensitively and without a dot boundary.
    """
    low = key.lower()
    return any(low.startswith(f) for f in LABEL_FILTERS)


# Labels the docker and swarm providers read for themselves (pkg/provider/docker/shared_labels.go;
# v2: pkg/provider/docker/label.go), decoded with these filters into these keys.
_PROVIDER_LABELS = {
    2: {"docker": (("traefik.docker.", "traefik.enable"),
                   {"enable": "bool", "docker.network": "string", "docker.lbswarm": "bool"})},
    3: {"docker": (("traefik.docker.", "traefik.enable"),
                   {"enable": "bool", "docker.network": "string", "docker.lbswarm": "bool",
                    "docker.allownonrunning": "bool"}),
        "swarm": (("traefik.enable", "traefik.docker.", "traefik.swarm."),
                  {"enable": "bool", "docker.network": "string", "docker.lbswarm": "bool",
                   "docker.allownonrunning": "bool", "swarm.network": "string", "swarm.lbswarm": "bool"})},
}


def provider_label(version: int, provider: str, key: str) -> tuple[bool, str | None, list[str]]:
    """How the docker/swarm provider reads its own label ``key`` (``traefik.enable``, ``traefik.docker.network``).

    Returns ``(decoded, type, known)``: whether the provider's filters take the
    label at all, the type of the option it names (None: unknown, the
    container is skipped), and the known option names (for suggestions).
    """
    table = _PROVIDER_LABELS.get(version, _PROVIDER_LABELS[3])
    filters, known = table.get(provider, table["docker"])
    low = key.lower()
    if not any(low.startswith(f) for f in filters):
        return False, None, list(known)
    rest = low.split(".", 1)[1] if "." in low else ""
    return True, known.get(rest), list(known)


# ------------------------------------------------------------------- roots


def root_keys(version: int, kind: str) -> list[str]:
    return [o.name for o in root(version, kind)._children.values()]


def env_root_prefix_match(version: int, key: str) -> bool:
    """Whether paerser's environment loader picks up ``TRAEFIK_<KEY...>``.

    It keeps variables whose name starts with ``TRAEFIK_`` plus a root
    option's name in upper case, without a boundary: ``TRAEFIK_LOGLEVEL``
    is taken (and then fails, there is no ``loglevel`` option), while
    ``TRAEFIK_DOMAIN`` is ignored.
    """
    up = key.upper()
    return any(up.startswith(name.upper()) for name in root_keys(version, STATIC))


# ----------------------------------------------------------- the project


@dataclass
class Source:
    """One configuration tree of the project as Traefik decodes it, for the structure rules."""

    kind: str  # STATIC | DYNAMIC
    source: str  # FILE | LABELS | FLAGS | ENV
    root: CNode
    path: str
    consequence: str  # what Traefik does when it cannot decode the tree, for messages
    templated: bool = False  # a file with Go template actions (blanked): names and values may be unknown
    owner: str = ""  # 'compose service "whoami"', for labels and flags/env


def label_tree(labels) -> CNode | None:
    """The tree paerser builds from a container's labels (``compose.Label`` items), or None when none is decoded.

    Unlike the model's label trees (which keep only ``traefik.http.``-style
    prefixes, the objects Traefik creates), this one holds every label the
    decoder reads, so that what makes it fail can be found.
    """
    from golint_traefik.traefik.tree import build_dotted

    kept = [lb for lb in labels if label_decoded(lb.key) and lb.key.split(".", 1)[0] == "traefik"]
    if not kept:
        return None
    pairs = [(lb.key.split(".", 1)[1], lb.value, lb.key_span, lb.value_span) for lb in kept]
    return build_dotted(pairs, "labels", kept[0].key_span, raws=[lb.raw for lb in kept])


def labels_read(project, service, deploy: bool) -> bool:
    """Whether Traefik decodes this compose service's labels at all.

    The docker/swarm providers skip a container before decoding its labels
    when ``traefik.enable`` is false, or absent while the provider's
    ``exposedByDefault`` is false (in every effective static configuration
    that configures the provider).
    """
    enable = service.enable(deploy)
    if enable is not None:
        return enable
    from golint_traefik.traefik.model import exposed_by_default

    return exposed_by_default(project, "swarm" if deploy and project.version >= 3 else "docker")


def project_sources(project, *, labels: bool = True) -> list[Source]:
    """The trees the structure rules check: effective static configurations (file, flags, env),
    file-provider documents and, with ``labels``, the labels of every compose service Traefik reads."""
    out: list[Source] = []
    templated_paths = {d.path for d in project.docs if d.templated}
    for s in project.static:
        source = {"file": FILE, "flags": FLAGS, "env": ENV}.get(s.origin, FILE)
        out.append(Source(STATIC, source, s.root, s.path, "Traefik does not start",
                          templated=s.path in templated_paths and source == FILE, owner=s.owner or ""))
    for d in project.dynamic:
        if d.provider == "file":
            out.append(Source(DYNAMIC, FILE, d.root, d.path,
                              "the file provider rejects the whole file (with providers.file.directory, "
                              "every file of the directory)", templated=d.templated))
    if labels:
        for cf in project.compose_files:
            for svc in cf.services:
                for deploy in (False, True):
                    tree = label_tree(svc.traefik_labels(deploy))
                    if tree is None or not labels_read(project, svc, deploy):
                        continue
                    owner = f'compose service "{svc.name}"'
                    out.append(Source(DYNAMIC, LABELS, tree, cf.path,
                                      f"Traefik skips {owner}: it reads none of its labels", owner=owner))
    return out


def interpolated(node: CNode) -> bool:
    """The value is filled in later: a blanked template action, or a compose/Kubernetes variable."""
    from golint_traefik.traefik.cmdline import compose_unescape
    from golint_traefik.traefik.gotemplate import MARK

    text = node.raw if node.raw is not None else (node.text() or "")
    if MARK in text or MARK in (node.key or ""):
        return True
    if node.origin in ("labels", "flags", "env"):
        return compose_unescape(text)[1] or "$(" in text
    return False


def written(src: Source, visit: Visit) -> str:
    """How a message names the option as the user wrote it: ``entryPoints.web.address``,
    ``label traefik.http.routers.app.rule``, ``flag --api.insecure``, ``variable TRAEFIK_LOG_LEVEL``."""
    if src.source == LABELS:
        return f"label traefik.{visit.dotted}"
    if src.source == FLAGS:
        return f"flag --{visit.dotted}"
    if src.source == ENV:
        return "variable TRAEFIK_" + visit.dotted.upper().replace(".", "_")
    return visit.dotted
