"""A configuration tree with a source position on every key and value.

Traefik reads the same options from YAML, TOML, container labels, CLI flags
and environment variables.  Each of those is converted into :class:`CNode`
trees so that rules look at one shape whatever the source.  Keys match
case-insensitively, as Traefik's decoder (paerser) matches them.
"""

from __future__ import annotations

import bisect
import re
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

    __slots__ = ("kind", "key", "key_span", "span", "value", "entries", "_index", "items", "origin", "tag", "raw")

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
        # The scalar's text as written in the source when it differs from
        # ``value`` (a compose value before ``$$`` unescaping); else None.
        self.raw: str | None = None

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
        """The items of a list option as Traefik decodes it.

        A sequence gives its items.  A scalar is split on commas with each
        part trimmed, the way paerser fills a ``[]string`` from a label, a
        flag, an environment variable or a plain string in a file; every part
        becomes its own node whose span covers just that part when the
        scalar's text can be mapped back onto the source (one line, no escape
        sequences), else the whole scalar.
        """
        if self.kind == SEQ:
            return list(self.items)
        if self.kind != SCALAR or self.value is None:
            return []
        text = self.text() or ""
        if "," not in text:
            return [self] if text.strip() else []
        out: list[CNode] = []
        offset = 0
        for part in text.split(","):
            lead = len(part) - len(part.lstrip())
            value = part.strip()
            if value:
                span = self.sub_span(offset + lead, offset + lead + len(value))
                node = CNode(SCALAR, span, value=value, key=self.key, key_span=self.key_span, origin=self.origin)
                out.append(node)
            offset += len(part) + 1
        return out

    def sub_span(self, start: int, end: int) -> Span:
        """The span of characters ``start:end`` of this scalar's text, if it can be placed exactly.

        That is possible when the scalar sits on one line and its span is as
        wide as its text (plain style) or two wider (quoted, no escapes);
        otherwise the whole scalar's span is returned.
        """
        s = self.span
        text = self.text()
        if text is None or s.line != s.end_line or (self.raw is not None and self.raw != text):
            return s
        width = s.end_col - s.col
        if width == len(text):
            shift = 0
        elif width == len(text) + 2:
            shift = 1
        else:
            return s
        return Span(s.path, s.line, s.col + shift + start, s.line, s.col + shift + end)

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


_INDEX = re.compile(r"^(.*[^\[])(\[\d+\])$")
_INDEX_KEY = re.compile(r"^\[(\d+)\]$")


def split_dotted(dotted: str) -> list[str]:
    """Split a label/flag key into segments; ``a.b[0].c`` gives ``a, b, [0], c`` as paerser does."""
    parts: list[str] = []
    for part in dotted.split("."):
        m = _INDEX.match(part)
        if m:
            parts.extend((m.group(1), m.group(2)))
        else:
            parts.append(part)
    return parts


def build_dotted(
    pairs: list[tuple[str, str, Span, Span]], origin: str, root_span: Span, *, raws: list[str | None] | None = None
) -> CNode:
    """Build a tree from dotted keys, as labels and CLI flags are written.

    ``pairs`` holds ``(dotted_key, value, key_span, value_span)``.  Every
    intermediate map node takes the key span of the first entry that created
    it.  Keys keep their original spelling and merge case-insensitively, as
    paerser merges label segments (``routers.API`` and ``routers.api`` are one
    router, named after the first spelling).  ``name[0]`` segments (struct
    slices in labels) become sequences ordered by index.  ``raws`` gives, per
    pair, the value as written when it differs from ``value``.

    A key that is both set and has sub-keys (``--api=true`` and
    ``--api.dashboard=true``, pointer options in paerser) becomes one map
    node whose ``value`` keeps the switch's value.
    """
    root = CNode(MAP, root_span, origin=origin)
    for i, (dotted, value, key_span, value_span) in enumerate(pairs):
        parts = split_dotted(dotted)
        segments = _segment_spans(dotted, parts, key_span)
        node = root
        for j, part in enumerate(parts):
            last = j == len(parts) - 1
            existing = node.get(part) if node.kind == MAP else None
            if last:
                if existing is not None and existing.kind == MAP:
                    # "--api.dashboard=true" then "--api=true": one section that is also switched on.
                    existing.value = value
                    continue
                leaf = scalar(value, value_span, key=part, key_span=key_span, origin=origin)
                if raws is not None and raws[i] is not None:
                    leaf.raw = raws[i]
                node.add(leaf)
            elif existing is not None and existing.kind == MAP:
                node = existing
            elif existing is not None and existing.kind == SCALAR and not existing.entries:
                # "--api=true" then "--api.dashboard=true": the switch becomes a section keeping its value.
                existing.kind = MAP
                existing.key_span = segments[j] if existing.key_span is None else existing.key_span
                node = existing
            else:
                child = CNode(MAP, key_span, key=part, key_span=segments[j], origin=origin)
                node.add(child)
                node = child
    _index_maps_to_seqs(root)
    return root


def _segment_spans(dotted: str, parts: list[str], key_span: Span) -> list[Span]:
    """Span of each segment of a dotted key, when the key sits on one line at the end of ``key_span``.

    ``key_span`` covers the key as written, which may carry a prefix the
    dotted key lacks (``traefik.`` of a label, ``--`` of a flag).
    """
    width = key_span.end_col - key_span.col
    if key_span.line != key_span.end_line or width < len(dotted):
        return [key_span] * len(parts)
    col = key_span.end_col - len(dotted)
    out: list[Span] = []
    for part in parts:
        if part.startswith("[") and out:
            col -= 1  # "name[0]": no dot between the name and its index
        out.append(Span(key_span.path, key_span.line, col, key_span.line, col + len(part)))
        col += len(part) + 1
    return out


def _index_maps_to_seqs(root: CNode) -> None:
    """Turn maps whose keys are all ``[n]`` into sequences (label/flag struct slices)."""
    for node in list(root.walk()):
        if node.kind != MAP or not node.entries:
            continue
        keyed = [(_INDEX_KEY.match(e.key or ""), e) for e in node.entries]
        if not all(m for m, _ in keyed):
            continue
        node.kind = SEQ
        node.items = [e for _, e in sorted(keyed, key=lambda t: int(t[0].group(1)))]  # type: ignore[union-attr]
        for item in node.items:
            item.key = None  # sequence items have no key; key_span still points at the label/flag
        node.entries = []
        node._index = {}


def iter_paths(node: CNode, prefix: str = "") -> Iterator[tuple[str, CNode]]:
    """``(dotted path, node)`` for every node below ``node``; sequence items appear as ``name[i]``."""
    stack: list[tuple[str, CNode]] = [(prefix, node)]
    while stack:
        path, cur = stack.pop()
        if cur is not node:
            yield path, cur
        if cur.kind == MAP:
            kids = [(f"{path}.{e.key}" if path else (e.key or ""), e) for e in cur.entries]
        elif cur.kind == SEQ:
            kids = [(f"{path}[{i}]", e) for i, e in enumerate(cur.items)]
        else:
            kids = []
        stack.extend(reversed(kids))


class SourceText:
    """A file's text with helpers to place substrings of a node's region.

    Used where one source scalar holds several configuration entries (a
    ``key=value`` label, a ``--flag=value`` command line): the parts are
    found in the scalar's region of the file, in order, so each gets its own
    exact span.
    """

    def __init__(self, path: str, text: str):
        self.path = path
        self.text = text
        self._starts = [0]
        for i, ch in enumerate(text):
            if ch == "\n":
                self._starts.append(i + 1)

    def offset(self, line: int, col: int) -> int:
        if line - 1 >= len(self._starts):
            return len(self.text)
        return min(self._starts[line - 1] + col - 1, len(self.text))

    def position(self, offset: int) -> tuple[int, int]:
        i = bisect.bisect_right(self._starts, offset) - 1
        return i + 1, offset - self._starts[i] + 1

    def span(self, start: int, end: int) -> Span:
        line, col = self.position(start)
        eline, ecol = self.position(end)
        return Span(self.path, line, col, eline, ecol)

    def region(self, span: Span) -> tuple[int, int]:
        return self.offset(span.line, span.col), self.offset(span.end_line, span.end_col)

    def find(self, needle: str, lo: int, hi: int) -> int:
        """Offset of ``needle`` in ``text[lo:hi]``, or -1."""
        if not needle:
            return -1
        return self.text.find(needle, lo, hi)

    def line(self, number: int) -> str | None:
        """The text of 1-based line ``number`` without its line break, or None past the end."""
        if number < 1 or number > len(self._starts):
            return None
        start = self._starts[number - 1]
        end = self._starts[number] - 1 if number < len(self._starts) else len(self.text)
        return self.text[start:end].rstrip("\r")


class Embedding:
    """Where the text of a file embedded in a scalar of another file sits in that outer file.

    A Kubernetes ConfigMap carries ``traefik.yml`` as a string in its
    ``data``.  The embedded text is parsed on its own, so its positions are
    relative to it; ``lines[i]`` is ``(outer line, column shift)`` for line
    ``i + 1`` of the embedded text, and :meth:`rebase` moves every position
    of a parsed tree to where the text is written in the outer file.  Only
    scalars whose text maps line for line onto the file can be embedded:
    literal block scalars (``|``, ``|-``, ``|+``, with or without an
    indentation indicator) and one-line plain or quoted scalars without
    escapes.  Folded (``>``) and multi-line flow scalars join or rewrap
    lines, so their positions cannot be placed: :func:`embedded_text` gives
    None for them.
    """

    def __init__(self, path: str, lines: list[tuple[int, int]]):
        self.path = path
        self.lines = lines

    def position(self, line: int, col: int) -> tuple[int, int]:
        if 1 <= line <= len(self.lines):
            outer, shift = self.lines[line - 1]
            return outer, col + shift
        if line < 1:
            outer, shift = self.lines[0]
            return outer, 1 + shift
        last, shift = self.lines[-1]  # the end of the text (a position after its last line break)
        return last + line - len(self.lines), col + (shift if line == len(self.lines) else 0)

    def span(self, span: Span) -> Span:
        line, col = self.position(span.line, span.col)
        end_line, end_col = self.position(span.end_line, span.end_col)
        return Span(self.path, line, col, end_line, end_col)

    def rebase(self, root: CNode) -> None:
        """Move the key and value spans of every node of ``root`` into the outer file."""
        memo: dict[Span, Span] = {}

        def move(span: Span) -> Span:
            out = memo.get(span)
            if out is None:
                out = memo[span] = self.span(span)
            return out

        for node in root.walk():
            node.span = move(node.span)
            if node.key_span is not None:
                node.key_span = move(node.key_span)


def embedded_text(node: CNode, src: SourceText) -> tuple[str, Embedding] | None:
    """The text of a string scalar of ``src`` as a file of its own, with its :class:`Embedding`;
    None when the scalar is not a string or its lines cannot be placed in ``src`` exactly."""
    if node.kind != SCALAR or not isinstance(node.value, str) or not node.value.strip():
        return None
    value: str = node.value
    s = node.span
    start = src.offset(s.line, s.col)
    if start >= len(src.text):
        return None
    style = src.text[start]
    if style == "|":
        return _literal_block(value, s.line, src)
    if "\n" in value or s.line != s.end_line:
        return None  # folded (">") or a flow scalar spread over lines: lines are joined
    end = src.offset(s.end_line, s.end_col)
    written = src.text[start:end]
    if style in "\"'":
        if written != style + value + style:
            return None  # escapes ("\n", "''"): the text is not written as it reads
        return value, Embedding(src.path, [(s.line, s.col)])
    if written != value:
        return None
    return value, Embedding(src.path, [(s.line, s.col - 1)])


def _literal_block(value: str, header_line: int, src: SourceText) -> tuple[str, Embedding] | None:
    """A ``|`` block scalar: line ``i`` of its value is line ``header + i`` of the file, minus the
    block's indentation (the same for every line; blank lines may be shorter)."""
    indent: int | None = None
    lines: list[tuple[int, int]] = []
    pieces = value.split("\n")
    if value.endswith("\n"):
        pieces.pop()  # the text after the final line break is no line of the block
    for i, text in enumerate(pieces):
        number = header_line + 1 + i
        outer = src.line(number)
        if outer is None:
            return None
        if text.strip():
            width = len(outer) - len(text)
            if width < 0 or not outer.endswith(text) or outer[:width].strip(" "):
                return None
            if indent is None:
                indent = width
            elif width != indent:
                return None
        lines.append((number, indent or 0))
    if indent is None:
        return None
    return value, Embedding(src.path, [(n, indent) for n, _ in lines])
