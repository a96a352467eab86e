"""YAML -> :class:`CNode` trees, with positions for every key and value.

Only ruamel.yaml's *composer* runs: nothing is ever constructed, so tags such
as ``!!python/object`` stay inert text.  Each ``---`` document is parsed on
its own, so one broken document does not hide the others.  Aliases are
expanded with a node budget (alias bombs stop with a diagnostic) and merge
keys (``<<``) are resolved as YAML 1.1 describes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

from golint_traefik.finding import Span
from golint_traefik.traefik.tree import MAP, SEQ, SCALAR, CNode

MAX_NODES = 200_000  # per document, after alias expansion
MAX_DEPTH = 500

_DOC_SPLIT = re.compile(r"^(?:---|\.\.\.)(?=[ \t]|$)", re.M)
_INT = re.compile(r"^[-+]?(?:0|[1-9][0-9_]*)$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?$")


@dataclass
class YamlProblem:
    """A document that could not be loaded: message and 1-based position."""

    message: str
    line: int
    col: int


@dataclass
class YamlDoc:
    root: CNode | None
    first_line: int  # 1-based line where the document's text starts
    problem: YamlProblem | None = None
    duplicates: list[tuple[CNode, CNode]] | None = None  # (first, later) pairs of duplicate keys


class _Budget(Exception):
    pass


def _yaml() -> YAML:
    y = YAML(typ="safe", pure=True)
    y.allow_duplicate_keys = True
    return y


def split_documents(text: str) -> list[tuple[int, str]]:
    """Split a stream into ``(line_offset, text)`` chunks at ``---``/``...`` lines.

    A chunk keeps its separator line so that composing it yields at most one
    document; line offsets are 0-based line numbers of the chunk start.
    """
    chunks: list[tuple[int, str]] = []
    starts = [m.start() for m in _DOC_SPLIT.finditer(text)]
    bounds = [0] + [s for s in starts if s > 0] + [len(text)]
    carry = None  # start of directives (%YAML, %TAG): they belong to the document after them
    for a, b in zip(bounds, bounds[1:]):
        if carry is not None:
            a, carry = carry, None
        chunk = text[a:b]
        if chunk.startswith("..."):  # the previous document's end marker: blank it, keep the lines
            chunk = "   " + chunk[3:]
        if chunk.strip() in ("", "---", "..."):
            continue
        if b < len(text) and _only_directives(chunk):
            carry = a
            continue
        chunks.append((text.count("\n", 0, a), chunk))
    return chunks


def _only_directives(chunk: str) -> bool:
    """Whether ``chunk`` holds directives (``%YAML``, ``%TAG``) and nothing but comments besides."""
    if not chunk.lstrip().startswith(("%", "#")):
        return False
    directive = False
    for line in chunk.splitlines():
        if line.startswith("%"):
            directive = True
        elif line.strip() and not line.lstrip().startswith("#"):
            return False
    return directive


def load_documents(path: str, text: str, skip: Callable[[str], bool] | None = None) -> list[YamlDoc]:
    """All documents of a YAML stream; broken ones carry a :class:`YamlProblem`.

    ``skip(chunk)`` may reject a document by its text before it is parsed
    (parsing is the expensive part; e.g. multi-megabyte CRD definitions).
    """
    docs: list[YamlDoc] = []
    for offset, chunk in split_documents(text):
        if skip is not None and skip(chunk):
            continue
        try:
            node = _yaml().compose(chunk)
        except MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = (mark.line if mark else 0) + offset + 1
            col = (mark.column if mark else 0) + 1
            msg = " ".join(str(p) for p in (exc.context, exc.problem) if p) or "invalid YAML"
            docs.append(YamlDoc(None, offset + 1, YamlProblem(f"invalid YAML: {msg}", line, col)))
            continue
        except (YAMLError, RecursionError, ValueError) as exc:
            problem = "YAML nested too deeply to analyse; not analysed" if isinstance(exc, RecursionError) \
                else f"invalid YAML: {(str(exc).splitlines() or [type(exc).__name__])[0]}"
            docs.append(YamlDoc(None, offset + 1, YamlProblem(problem, offset + 1, 1)))
            continue
        if node is None:
            continue
        conv = _Converter(path, offset)
        try:
            root = conv.convert(node)
        except _Budget as exc:
            docs.append(YamlDoc(None, offset + 1, YamlProblem(str(exc), node.start_mark.line + offset + 1, 1)))
            continue
        docs.append(YamlDoc(root, offset + 1, None, conv.duplicates))
    return docs


def _scalar_value(node: ScalarNode):
    tag = node.tag or ""
    v = node.value
    if node.style in ('"', "'", "|", ">"):
        return v
    if tag.endswith(":null"):
        return None
    if tag.endswith(":bool"):
        return v.lower() == "true"
    if tag.endswith(":int") and _INT.match(v):
        return int(v.replace("_", ""))
    if tag.endswith(":float") and _FLOAT.match(v):
        try:
            return float(v.replace("_", ""))
        except ValueError:
            return v
    return v


class _Converter:
    def __init__(self, path: str, line_offset: int):
        self.path = path
        self.offset = line_offset
        self.count = 0
        self.duplicates: list[tuple[CNode, CNode]] = []
        self._merge_memo: dict[int, list] = {}  # id(mapping node) -> its pairs after ``<<`` merges

    def _span(self, node) -> Span:
        s, e = node.start_mark, node.end_mark
        if isinstance(node, ScalarNode):
            return Span(self.path, s.line + self.offset + 1, s.column + 1, e.line + self.offset + 1, e.column + 1)
        # Block collections end where the next token starts; point at their first line.
        return Span(self.path, s.line + self.offset + 1, s.column + 1, s.line + self.offset + 1, s.column + 1)

    def convert(self, top) -> CNode:
        root = self._make(top, None, None)
        stack: list[tuple[object, CNode, int]] = [(top, root, 0)]
        while stack:
            ynode, cnode, depth = stack.pop()
            if depth > MAX_DEPTH:
                raise _Budget(f"YAML nested deeper than {MAX_DEPTH} levels; not analysed")
            if isinstance(ynode, MappingNode):
                for knode, vnode in self._merged_pairs(ynode):
                    key = knode.value if isinstance(knode, ScalarNode) else None
                    key_text = str(key) if key is not None else "<non-scalar key>"
                    child = self._make(vnode, key_text, self._span(knode))
                    previous = cnode.get(key_text)
                    cnode.add(child)
                    if previous is not None and previous.key == key_text and not getattr(knode, "_merged", False):
                        self.duplicates.append((previous, child))
                    stack.append((vnode, child, depth + 1))
            elif isinstance(ynode, SequenceNode):
                for item in ynode.value:
                    child = self._make(item, None, None)
                    cnode.add(child)
                    stack.append((item, child, depth + 1))
        return root

    def _make(self, ynode, key: str | None, key_span: Span | None) -> CNode:
        self.count += 1
        if self.count > MAX_NODES:
            raise _Budget(f"YAML expands to more than {MAX_NODES} nodes (alias bomb?); not analysed")
        span = self._span(ynode)
        if isinstance(ynode, MappingNode):
            return CNode(MAP, span, key=key, key_span=key_span, tag=ynode.tag)
        if isinstance(ynode, SequenceNode):
            return CNode(SEQ, span, key=key, key_span=key_span, tag=ynode.tag)
        return CNode(SCALAR, span, value=_scalar_value(ynode), key=key, key_span=key_span, tag=ynode.tag)

    def _merged_pairs(self, mnode: MappingNode):
        """The mapping's own pairs, then pairs merged in by ``<<`` that the mapping does not set.

        Worked out bottom-up without recursion and once per mapping: merge chains may be
        thousands deep, ``<<: [*a, *a]`` chains double at every level, and an anchor may be
        merged into itself (that merge adds nothing).  The pairs count against the budget.
        """
        memo = self._merge_memo
        active: set[int] = set()
        stack = [mnode]
        while stack:
            node = stack[-1]
            if id(node) in memo:
                stack.pop()
                continue
            own, sources = [], []
            for knode, vnode in node.value:
                if isinstance(knode, ScalarNode) and knode.tag and knode.tag.endswith(":merge"):
                    srcs = vnode.value if isinstance(vnode, SequenceNode) else [vnode]
                    sources.extend(src for src in srcs if isinstance(src, MappingNode))
                else:
                    own.append((knode, vnode))
            pending = [src for src in sources if id(src) not in memo and id(src) not in active]
            if pending and id(node) not in active:
                active.add(id(node))
                stack.extend(reversed(pending))
                continue
            stack.pop()
            active.discard(id(node))
            out = list(own)
            seen = {k.value for k, _ in own if isinstance(k, ScalarNode)}
            for src in sources:
                for knode, vnode in memo.get(id(src), ()):
                    k = knode.value if isinstance(knode, ScalarNode) else None
                    if k in seen:
                        continue
                    seen.add(k)
                    out.append((knode if isinstance(knode, _MergedKey) else _MergedKey(knode), vnode))
            self.count += len(out)
            if self.count > MAX_NODES:
                raise _Budget(f"YAML expands to more than {MAX_NODES} nodes (alias bomb?); not analysed")
            memo[id(node)] = out
        return memo[id(mnode)]


class _MergedKey(ScalarNode):
    """A key that came in through ``<<``: not a duplicate of anything."""

    def __init__(self, knode: ScalarNode):
        super().__init__(knode.tag, knode.value, knode.start_mark, knode.end_mark, knode.style)
        self._merged = True
