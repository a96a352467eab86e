"""A configuration tree with a source position on every key and value.

Traefik reads the same options from YAML, TOML, container labels, CLI flags
and environment variables.  Each of those is converted into :class:`CNode`
trees so that rules look at one shape whatever the source.  Keys match
case-insensitively, as Traefik's decoder (paerser) matches them.
"""

from __future__ import annotations

from typing import Any, Iterator

from golint_traefik.finding import Span

MAP, SEQ, SCALAR = "map", "seq", "scalar"

_TRUE = {"1", "t", "T", "TRUE", "true", "True"}
_FALSE = {"0", "f", "F", "FALSE", "false", "False"}


class CNode:
    """One node of a configuration tree.

    ``kind`` is ``map``, ``seq`` or ``scalar``.  Maps keep their children in
    source order in ``entries`` (duplicates included, so rules can report
    them) and index the *first* occurrence case-insensitively; ``get`` follows
    Traefik's case-insensitive matching.
    """

    __slots__ = ("kind", "key", "key_span", "span", "value", "entries", "_index", "items", "origin", "tag")

    def __init__(
        self,
        kind: str,
        span: Span,
        *,
        value: Any = None,
        key: str | None = None,
        key_span: Span | None = None,
        origin: str = "yaml",
        tag: str | None = None,
    ):
        self.kind = kind
        self.span = span
        self.value = value
        self.key = key
        self.key_span = key_span
        self.origin = origin
        self.tag = tag
        self.entries: list[CNode] = []
        self._index: dict[str, CNode] = {}
        self.items: list[CNode] = []

    # ------------------------------------------------------------ building
    def add(self, child: "CNode") -> "CNode":
        if self.kind == MAP:
            self.entries.append(child)
            self._index.setdefault((child.key or "").lower(), child)
        else:
            self.items.append(child)
        return child

    # ------------------------------------------------------------- reading
    @property
    def is_map(self) -> bool:
        return self.kind == MAP

    @property
    def is_seq(self) -> bool:
        return self.kind == SEQ

    @property
    def is_scalar(self) -> bool:
        return self.kind == SCALAR

    @property
    def path(self) -> str:
        return self.span.path

    @property
    def where(self) -> Span:
        """The best place to point at for this entry: its key when it has one."""
        return self.key_span or self.span

    def get(self, key: str) -> "CNode | None":
        if self.kind != MAP:
            return None
        return self._index.get(key.lower())

    def find(self, dotted: str) -> "CNode | None":
        """Follow a dotted path of keys (case-insensitive): ``find("api.insecure")``."""
        node: CNode | None = self
        for part in dotted.split("."):
            if node is None:
                return None
            node = node.get(part)
        return node

    def children(self) -> Iterator["CNode"]:
        """Map entries (first occurrence of each key) or sequence items."""
        if self.kind == MAP:
            seen: set[str] = set()
            for e in self.entries:
                k = (e.key or "").lower()
                if k not in seen:
                    seen.add(k)
                    yield e
        elif self.kind == SEQ:
            yield from self.items

    def mapping(self) -> Iterator[tuple[str, "CNode"]]:
        for e in self.children() if self.kind == MAP else ():
            yield e.key or "", e

    def text(self) -> str | None:
        """The scalar as Traefik's decoder sees it (a string), or None for maps/seqs/null."""
        if self.kind != SCALAR or self.value is None:
            return None
        if isinstance(self.value, bool):
            return "true" if self.value else "false"
        return str(self.value)

    def as_bool(self) -> bool | None:
        """strconv.ParseBool semantics; None when not a valid boolean."""
        t = self.text()
        if t in _TRUE:
            return True
        if t in _FALSE:
            return False
        return None

    def as_list(self) -> list["CNode"]:
        """A sequence's items; a scalar as a one-item list (labels and flags use comma lists)."""
        if self.kind == SEQ:
            return list(self.items)
        if self.kind == SCALAR and self.value is not None:
            return [self]
        return []

    def walk(self) -> Iterator["CNode"]:
        """Every node below and including this one, depth first, without recursion."""
        stack = [self]
        while stack:
            node = stack.pop()
            yield node
            kids = node.entries if node.kind == MAP else node.items
            stack.extend(reversed(kids))

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        if self.kind == SCALAR:
            return f"CNode({self.key!r}={self.value!r} @{self.span.line}:{self.span.col})"
        return f"CNode({self.key!r} {self.kind}[{len(self.entries or self.items)}] @{self.span.line})"


def scalar(value: Any, span: Span, **kw) -> CNode:
    return CNode(SCALAR, span, value=value, **kw)


def build_dotted(pairs: list[tuple[str, str, Span, Span]], origin: str, root_span: Span) -> CNode:
    """Build a tree from dotted keys, as labels and CLI flags are written.

    ``pairs`` holds ``(dotted_key, value, key_span, value_span)``.  Every
    intermediate map node takes the key span of the first entry that created
    it.  Keys keep their original spelling; lookups stay case-insensitive.
    """
    root = CNode(MAP, root_span, origin=origin)
    for dotted, value, key_span, value_span in pairs:
        parts = dotted.split(".")
        node = root
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            existing = node.get(part) if node.kind == MAP else None
            if last:
                node.add(scalar(value, value_span, key=part, key_span=key_span, origin=origin))
            elif existing is not None and existing.kind == MAP:
                node = existing
            else:
                child = CNode(MAP, key_span, key=part, key_span=key_span, origin=origin)
                node.add(child)
                node = child
    return root
