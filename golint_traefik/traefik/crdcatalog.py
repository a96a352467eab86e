"""Traefik's custom resources as the Kubernetes API server reads them: fields, types, what it drops.

The data lives in ``data/crd-v2.txt`` and ``data/crd-v3.txt`` (regenerated
by ``scripts/gen_crd_catalog.py`` from the CustomResourceDefinitions that
Traefik's documentation installs: v2.11 for v2, the latest release for v3),
one section per kind, in the format of the option catalogs.  They are read
with :mod:`~golint_traefik.traefik.catalog`'s machinery (source
:data:`~golint_traefik.traefik.catalog.CRD`), so lookups, walks and "did you
mean" are the same; what differs is how the API server treats a manifest,
which this module answers for the structure rules (TR103-TR105):

* field names match exactly (the schema lookup is a Go map lookup), and a
  field the schema does not have is *pruned*: dropped when the object is
  stored, with only a warning (``kubectl apply``'s default strict field
  validation refuses the object instead).  Traefik never sees it.
  Free-form maps (``customRequestHeaders``, plugin settings below
  ``spec.plugin.<name>``, ``metadata``) take any key;
* a value of the wrong JSON type, or outside an ``enum``, makes the API
  server reject the whole object (``... in body must be of type integer``);
  unlike Traefik's file decoder it neither splits a string into a list nor
  reads a quoted number as a number.  ``x-kubernetes-int-or-string`` fields
  (``port``, durations) take both;
* a ``null`` value is dropped before validation (the schemas have no
  ``nullable`` field), so ``tls:`` with nothing below it does not enable TLS.

:func:`crd_sources` lists the project's Traefik CRD objects with the catalog
that applies: the project's Traefik major version; ``traefik.containo.us``
objects only under v2 (v3 does not watch that group: TR702's).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Iterator

from golint_traefik.traefik import catalog
from golint_traefik.traefik.catalog import CRD, OptionInfo, Visit
from golint_traefik.traefik.tree import CNode

GROUP_IO, GROUP_CONTAINOUS = "traefik.io", "traefik.containo.us"
MIDDLEWARE_KINDS = frozenset({"Middleware", "MiddlewareTCP"})

PRUNED = ("the API server prunes it (kubectl apply refuses the object by default; other clients get only a "
          "warning), so Traefik never sees it")
# YAML 1.1 booleans: kubectl and Helm read manifests with a YAML 1.1 parser, where these are true/false.
_YAML11_BOOLS = frozenset(
    v for w in ("y", "yes", "n", "no", "true", "false", "on", "off") for v in (w, w.capitalize(), w.upper())
)
_INT_TEXT = re.compile(r"^[-+]?\d+$")


@lru_cache(maxsize=None)
def _crd_catalog(version: int):
    if version not in catalog.VERSIONS:
        raise ValueError(f"no CRD catalog for Traefik v{version}")
    text = resources.files("golint_traefik.traefik").joinpath("data", f"crd-v{version}.txt").read_text("utf-8")
    return catalog._parse(version, text)


def kinds(version: int) -> list[str]:
    """The kinds of Traefik custom resources of a major version."""
    return sorted(_crd_catalog(version).roots)


def root(version: int, kind: str) -> OptionInfo | None:
    """The synthetic root of a kind (its children: ``apiVersion``, ``kind``, ``metadata``, ``spec``), or None."""
    return _crd_catalog(version).roots.get(kind)


def lookup(version: int, kind: str, parts) -> OptionInfo | None:
    """The field at ``parts`` (names as written, ints or ``[n]`` for list items), matched exactly, or None."""
    info = root(version, kind)
    for part in catalog._split_parts(parts):
        if info is None:
            return None
        info, _ = catalog.child(info, part, CRD)
    return info


def field(version: int, kind: str, dotted: str) -> OptionInfo | None:
    """The field at a dotted path in catalog spelling: ``field(3, "IngressRoute", "spec.routes[].match")``."""
    return lookup(version, kind, dotted.split("."))


def enum(info: OptionInfo) -> tuple[str, ...] | None:
    """The values an ``enum`` field accepts, or None when any value of its type is accepted."""
    for f in info.flags:
        if f.startswith("enum="):
            return tuple(f[5:].split("|"))
    return None


def only_group(info: OptionInfo) -> str | None:
    """The one API group whose CRD has this field (v2.11 added a few to ``traefik.io`` only), or None."""
    for f in info.flags:
        if f.startswith("only="):
            return f[5:]
    return None


# ------------------------------------------------------------------ sources


@dataclass
class CrdSource:
    """One Traefik custom resource of the project, with the catalog its CRD is checked against."""

    manifest: object  # kube.Manifest
    version: int  # the catalog's major version (the project's)
    info: OptionInfo  # the kind's root
    templated: bool  # the file is a Go template (Helm): actions were blanked before parsing

    @property
    def root(self) -> CNode:
        return self.manifest.root

    @property
    def kind(self) -> str:
        return self.manifest.kind

    @property
    def group(self) -> str:
        return self.manifest.group

    def label(self) -> str:
        """``IngressRoute "default/app"`` (the kind alone when the object has no name)."""
        m = self.manifest
        return m.label() if m.name else m.kind

    def walk(self) -> Iterator[Visit]:
        """Every field of the object with its catalog entry (None: the CRD has no such field there)."""
        for visit in catalog.walk_from(self.info, self.root, CRD):
            if visit.info is not None and not self.has(visit.info):
                visit = Visit(visit.node, None, visit.parent, visit.parts)
            yield visit

    def has(self, info: OptionInfo) -> bool:
        """Whether the CRD of this object's group has the field."""
        group = only_group(info)
        return group is None or group == self.group


def crd_sources(project) -> list[CrdSource]:
    """The project's Traefik CRD objects that the structure rules check, in file order."""
    out: list[CrdSource] = []
    for m in project.manifests:
        if not m.is_traefik_crd:
            continue
        if m.group == GROUP_CONTAINOUS and project.version >= 3:
            continue  # Traefik v3 ignores the group (TR702); its CRDs are v2's
        info = root(project.version, m.kind)
        if info is None:
            continue  # a kind this version does not have (ServersTransportTCP under v2)
        text = project.all_texts.get(m.path) or project.texts.get(m.path) or ""
        out.append(CrdSource(m, project.version, info, "{{" in text))
    return out


# ------------------------------------------------------------------ unknown fields


def unknown_reason(src: CrdSource, visit: Visit, version_reason: str = "") -> str:
    """Why the API server drops this field, for a message: no such field, another version's, another group's."""
    key = visit.key or ""
    kind, version = src.kind, src.version
    where = f"the {src.group} {kind} CRD" if src.version == 2 else f"the {kind} CRD"
    info = lookup(version, kind, visit.parts)
    if info is not None and not src.has(info):
        return f'"{key}" exists only in the {only_group(info)} {kind} CRD, not in the {src.group} one'
    other = 5 - version
    other_info = lookup(other, kind, visit.parts) if root(other, kind) is not None else None
    if other_info is not None:
        why = f" (read as Traefik v{version}: {version_reason})" if version_reason else ""
        return f'"{key}" exists only in the Traefik v{other} {kind} CRD{why}'
    parent = visit.parent
    if parent.is_struct and key.lower() in {n.lower() for n in catalog.key_names(parent, CRD)}:
        return f'{where} has no field "{key}" here (field names are case-sensitive)'
    return f'{where} has no field "{key}" here'


def suggestion(src: CrdSource, visit: Visit) -> tuple[str, str] | None:
    """What ``visit.key`` was probably meant to be, as ``(message hint, fix)``, or None.

    In order: another casing or a close spelling of a field of the same
    section (``entrypoints`` -> ``entryPoints``); the field one or two levels
    down, preferring a section written next to it (``sticky`` next to
    ``weighted`` -> ``weighted.sticky``); the field one or two levels up
    (``sourceRange`` written inside ``ipStrategy``).
    """
    key = visit.key or ""
    if lookup(src.version, src.kind, visit.parts) is not None:
        return None  # the field exists, only not in this object's group
    hint = catalog.suggest(visit.parent, key, CRD)
    if hint is None or "." in hint:
        hint = _below_sibling(src, visit) or hint
    if hint is not None:
        return f'did you mean "{hint}"?', f'use "{hint}"'
    parts = visit.parts
    for cut in range(len(parts) - 2, max(len(parts) - 5, 0), -1):
        if isinstance(parts[cut - 1], int):
            continue  # a list item: its section is one part further up
        above = lookup(src.version, src.kind, parts[:cut])
        if above is None or not above.is_struct:
            continue
        name = {n.lower(): n for n in catalog.key_names(above, CRD)}.get(key.lower())
        if name is not None:
            where = Visit(visit.node, None, above, tuple(parts[:cut]) + (name,)).dotted
            return f'did you mean "{where}" (higher up)?', f'move it to "{where}"'
    return None


def _below_sibling(src: CrdSource, visit: Visit) -> str | None:
    """``<sibling>.<field>`` when a section written next to the key has (within two levels) a field named like it."""
    parent_node = _node_at(src.root, visit.parts[:-1])
    if parent_node is None or not parent_node.is_map or not visit.parent.is_struct:
        return None
    key = (visit.key or "").lower()
    for e in parent_node.entries:
        opt, _ = catalog.child(visit.parent, e.key or "", CRD)
        if opt is None or not opt.is_struct:
            continue
        for sub in opt._children.values():
            if sub.name.lower() == key:
                return f"{opt.name}.{sub.name}"
            if sub.is_struct:
                for sub2 in sub._children.values():
                    if sub2.name.lower() == key:
                        return f"{opt.name}.{sub.name}.{sub2.name}"
    return None


def _node_at(top: CNode, parts) -> CNode | None:
    node: CNode | None = top
    for part in parts:
        if node is None:
            return None
        if isinstance(part, int):
            node = node.items[part] if node.is_seq and part < len(node.items) else None
        else:
            node = next((e for e in node.entries if e.key == part), None) if node.is_map else None
    return node


# ------------------------------------------------------------------ types


@dataclass(frozen=True)
class Problem:
    """Something wrong with one node of a field, for a message: ``<path><suffix> <text>``."""

    node: CNode  # where to point: the offending value, list item or map entry
    suffix: str  # added to the field's path: "", "[2]", ".X-Custom-Header"
    text: str
    fix: str = ""


_PLURALS = {"string": "strings", "int": "integers", "bool": "booleans", "float": "numbers",
            "intstr": "integers or strings"}


def _kind_of(node: CNode) -> str:
    """A node's JSON type in words: ``a string``, ``a number``, ``a list``..."""
    if node.is_map:
        return "a map"
    if node.is_seq:
        return "a list"
    v = node.value
    if isinstance(v, bool):
        return "a boolean"
    if isinstance(v, (int, float)):
        return "a number"
    return "a string"


def scalar_problem(type_: str, node: CNode) -> str | None:
    """Why the API server rejects ``node`` for a field of scalar type ``type_``, in words; None when it accepts it.

    Strings are only strings (a number needs quotes); integers only numbers
    without a fraction (a quoted number is a string); ``intstr`` both.  YAML
    1.1 booleans written without quotes (``yes``, ``off``) are booleans for
    kubectl and Helm (a quoted ``"true"`` is a string).
    """
    if node.is_map or node.is_seq:
        return f"is {_kind_of(node)}"
    v = node.value
    if v is None or type_ == "raw":
        return None
    if type_ == "string":
        return None if isinstance(v, str) else f"is {_kind_of(node)}"
    if type_ == "bool":
        if isinstance(v, bool) or (isinstance(v, str) and v in _YAML11_BOOLS and _plain(node)):
            return None
        return f"is {_kind_of(node)}"
    if type_ in ("int", "intstr"):
        if isinstance(v, bool):
            return "is a boolean"
        if isinstance(v, int) or (isinstance(v, float) and v.is_integer()):
            return None
        if isinstance(v, float):
            return "is a number with a fraction"
        if type_ == "intstr":
            return None
        return "is a quoted number, which is a string" if _INT_TEXT.match(v.strip()) else "is a string"
    if type_ == "float":
        return None if isinstance(v, (int, float)) and not isinstance(v, bool) else f"is {_kind_of(node)}"
    return None


def _plain(node: CNode) -> bool:
    """The scalar is written without quotes (its span is exactly as wide as its text)."""
    sp, text = node.span, node.text() or ""
    return sp.line == sp.end_line and sp.end_col - sp.col == len(text)


def _enum_problem(info: OptionInfo, node: CNode) -> str | None:
    values = enum(info)
    if not values or not node.is_scalar or node.value is None or str(node.value) in values:
        return None
    text = node.text() or ""
    close = [v for v in values if v.lower() == text.lower()]
    hint = f'; did you mean "{close[0]}"? (values are case-sensitive)' if close else ""
    return f"{text!r} is not one of the values the CRD accepts ({', '.join(values)}){hint}"


def _fix(info_type: str, node: CNode) -> str:
    if info_type == "string" and node.is_scalar:
        return "quote the value"
    if info_type in ("int", "float") and isinstance(node.value, str):
        return "write a number without quotes"
    return f"write {catalog._TYPE_WORDS.get(info_type, 'a ' + info_type)}"


def type_problems(info: OptionInfo, node: CNode) -> list[Problem]:
    """Why the API server rejects ``node`` as field ``info`` (its JSON type or enum); [] when it accepts it.

    ``null`` is never a problem here (it is dropped, see :func:`null_problems`),
    nor is anything below a ``raw`` field.  The fields inside a section or a
    list of objects are the walk's: only the node's own shape is checked,
    and the values of a map of scalars and the items of a list of scalars.
    """
    if (node.is_scalar and node.value is None) or info.type == "raw":
        return []
    name, what = info.name, info.describe_type()
    if info.is_struct or info.is_named_map or info.is_scalar_map:
        if not node.is_map:
            return [Problem(node, "", f"is {_kind_of(node)}, but {name} must be {what}", f"write {what}")]
        etype = info.element_type
        if not info.is_scalar_map or etype in (None, "raw"):
            return []
        out = []
        for e in node.entries:
            why = scalar_problem(etype, e)
            if why:
                fix = ": quote it" if etype == "string" and e.is_scalar else ""
                out.append(Problem(e, f".{e.key}", f"{why}, but the values of {name} must be {_PLURALS[etype]}{fix}",
                                   _fix(etype, e)))
        return out
    if info.is_object_list or info.is_scalar_list:
        if not node.is_seq:
            hint = ""
            if node.is_scalar and info.is_scalar_list:
                hint = f" (the API server does not split a string on commas): write [{node.text()}]"
            return [Problem(node, "", f"is {_kind_of(node)}, but {name} must be {what}{hint}", f"write {what}")]
        out = []
        for i, item in enumerate(node.items):
            if item.is_scalar and item.value is None:
                continue
            if info.is_object_list:
                if not item.is_map:
                    out.append(Problem(item, f"[{i}]", f"is {_kind_of(item)}, but each item of {name} must be a map",
                                       "write a map of fields"))
                continue
            etype = info.element_type or "string"
            why = scalar_problem(etype, item)
            if why:
                fix = ": quote it" if etype == "string" and item.is_scalar else ""
                out.append(Problem(item, f"[{i}]", f"{why}, but {name} must be {what}{fix}", _fix(etype, item)))
        return out
    why = scalar_problem(info.type, node)
    if why:
        shown = f"{node.text()!r} " if node.is_scalar else ""
        fix = ""
        if info.type in ("int", "float") and "quoted" in why:
            fix = ": remove the quotes"
        elif info.type == "string" and node.is_scalar:
            fix = ": quote it"
        return [Problem(node, "", f"{shown}{why}, but {name} must be {what}{fix}", _fix(info.type, node))]
    why = _enum_problem(info, node)
    return [Problem(node, "", why, "use one of " + ", ".join(enum(info) or ()))] if why else []


# ------------------------------------------------------------------ nulls


def null_problems(src: CrdSource, visit: Visit) -> list[Problem]:
    """Nulls the API server drops where that changes what the object means (``tls:`` with nothing below).

    Reported: a section (object field) written with no value, and an entry
    of a map (a header, a plugin) with no value.  A null scalar or list is
    dropped too, but that is what leaving it out does.
    """
    node, info = visit.node, visit.info
    if info is None:
        return []
    if info.is_scalar_map and node.is_map:
        out = []
        for e in node.entries:
            if not (e.is_scalar and e.value is None):
                continue
            if info.element_type == "string":
                text = (f'has no value: the API server drops it, so Traefik never sees "{e.key}"; write "" for an '
                        "empty value (a headers middleware removes a header set to \"\")")
            else:
                text = f'has no value: the API server drops it, so Traefik never sees "{e.key}"'
                if info.element_type == "raw":
                    text += f'; write "{e.key}: {{}}" for no settings'
            out.append(Problem(e, f".{e.key}", text))
        return out
    if not (node.is_scalar and node.value is None and node.key is not None):
        return []
    if not (info.is_struct or info.is_named_map or info.is_scalar_map) or visit.parent.is_named_map:
        return []
    key = node.key
    if key == "spec" and len(visit.parts) == 1:
        return [Problem(node, "", "has no value: the API server drops it, then rejects the object, whose spec is "
                                  "required")]
    text = f'has no value: the API server drops null fields, so it is as if "{key}" were not written'
    if (src.kind in MIDDLEWARE_KINDS and len(visit.parts) == 2 and visit.parts[0] == "spec"
            and only_nulls(src.root.get("spec"))):
        text += f"; the {src.kind} is left with no type and every router using it fails"
    elif key == "tls" and src.kind in ("IngressRoute", "IngressRouteTCP") and len(visit.parts) == 2:
        text += ": its routes are served without TLS"
    return [Problem(node, "", text + f'; write "{key}: {{}}" for an empty section')]


def filled_later(node: CNode) -> bool:
    """A value or key set when the manifest is rendered: a blanked template action, or a ``${VAR}`` to substitute
    (envsubst, Flux post-build substitution)."""
    if catalog.interpolated(node):
        return True
    text = node.text() if node.is_scalar else None
    return "${" in (text or "") or "${" in (node.key or "")


def key_filled_later(node: CNode) -> bool:
    """The key itself is set when the manifest is rendered (a template action or ``${VAR}`` in it)."""
    from golint_traefik.traefik.gotemplate import MARK

    key = node.key or ""
    return MARK in key or "${" in key


def only_nulls(node: CNode | None) -> bool:
    """A map with no entry that has a value (after the API server drops nulls, it is empty)."""
    return node is not None and node.is_map and all(e.is_scalar and e.value is None for e in node.entries)


def empty_middleware(src: CrdSource) -> CNode | None:
    """The ``spec`` of a Middleware/MiddlewareTCP written with nothing in it (``spec: {}``), or None."""
    if src.kind not in MIDDLEWARE_KINDS:
        return None
    spec = src.root.get("spec")
    if spec is None or not spec.is_map or spec.entries:
        return None
    return spec
