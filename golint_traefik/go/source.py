"""A parsed Go file: the tree-sitter tree, positions, queries and imports.

Every Go file is parsed exactly once; all rules share the resulting
:class:`GoFile`.  Queries are compiled once per process (``query()`` caches
them) and run in C; rules iterate over the captures.
"""

from __future__ import annotations

import operator
import os
import re
from functools import cached_property, lru_cache
from typing import Iterator

import tree_sitter as ts

from golint_traefik.finding import Span


def _go_language() -> object:
    """tree_sitter_go's ``language()``, from its compiled binding.  The package itself imports
    importlib.resources for its query files, which this linter does not use: 5 ms of the start-up of
    every process that parses Go.  Should the package be laid out otherwise, it is imported."""
    try:
        from importlib.machinery import EXTENSION_SUFFIXES, ExtensionFileLoader
        from importlib.util import find_spec, module_from_spec, spec_from_loader

        for where in find_spec("tree_sitter_go").submodule_search_locations:
            for suffix in EXTENSION_SUFFIXES:
                path = os.path.join(where, "_binding" + suffix)
                if os.path.isfile(path):
                    loader = ExtensionFileLoader("tree_sitter_go._binding", path)
                    binding = module_from_spec(spec_from_loader(loader.name, loader))
                    loader.exec_module(binding)
                    return binding.language()
    except Exception:  # noqa: BLE001 - any surprise: the package's own way
        pass
    import tree_sitter_go

    return tree_sitter_go.language()


GO_LANGUAGE = ts.Language(_go_language())

Node = ts.Node


@lru_cache(maxsize=None)
def query(source: str) -> ts.Query:
    """Compile a tree-sitter query once per process."""
    return ts.Query(GO_LANGUAGE, source)


# Patterns a file's text is tested for (GoFile.finds), by name: the name is what go/track.py records.
PATTERNS = {
    "make_chan": re.compile(rb"make\(\s*(?:<-\s*)?chan\b"),
}

_PARSER: ts.Parser | None = None


def parser() -> ts.Parser:
    global _PARSER
    if _PARSER is None:
        _PARSER = ts.Parser(GO_LANGUAGE)
    return _PARSER


_WORD_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


def words(rx: re.Pattern, src: bytes, pos: int = 0, endpos: int | None = None) -> Iterator[re.Match]:
    """``rx.finditer`` for a pattern that must start at a word boundary, written without the leading
    ``\\b``: the boundary is checked here.  Python's regex engine scans for a pattern that begins with
    a literal ten times faster than for one that begins with ``\\b``, and Go sources are scanned for
    keywords and names many times per file."""
    for m in rx.finditer(src, pos, len(src) if endpos is None else endpos):
        s = m.start()
        if s == 0 or src[s - 1] not in _WORD_BYTES:
            yield m


@lru_cache(maxsize=4096)
def word_rx(name: bytes) -> re.Pattern:
    """The pattern of the whole word ``name``, for :func:`words` (which checks where it starts); kept
    here, once for every module, as the ``re`` module's own cache is shared with every pattern."""
    return re.compile(re.escape(name) + rb"(?![0-9A-Za-z_])")


def find_word(rx: re.Pattern, src: bytes, pos: int = 0, endpos: int | None = None) -> re.Match | None:
    """The first of :func:`words`, or None."""
    return next(words(rx, src, pos, endpos), None)


_START = operator.attrgetter("start_byte")
_END = operator.attrgetter("end_byte")


def _source_order(node: Node) -> tuple[int, int]:
    return node.start_byte, -node.end_byte


def _family(*tokens: bytes) -> dict[bytes, tuple[re.Pattern, tuple[bytes, ...]]]:
    """Words that :meth:`GoFile.has` answers together with one scan: they share their first byte,
    which leads the joint regex (so the engine scans as fast as for one literal), and contain it
    nowhere else (so no match can hide another)."""
    first = tokens[0][:1]
    assert all(t[:1] == first and first not in t[1:] for t in tokens), tokens
    rx = re.compile(b"|".join(re.escape(t) for t in tokens))
    return {t: (rx, tokens) for t in tokens}


# The WaitGroup methods the GO20x rules look for: about half the cost of three scans.
_FAMILIES = _family(b".Wait()", b".Add(", b".Done()")


@lru_cache(maxsize=1024)
def _names_rx(names: tuple[bytes, ...]) -> re.Pattern:
    """Any of ``names`` as a word (for :func:`words`); the combinations recur from file to file, and
    compiling one costs far more than the scan."""
    return re.compile(rb"(?:" + b"|".join(re.escape(n) for n in names) + rb")\b")


@lru_cache(maxsize=None)
def _literal(token: bytes) -> re.Pattern:
    return re.compile(re.escape(token))


# An import block, token by token: the keyword, parentheses, semicolons, line comments and specs
# (an optional name, then the path as an interpreted or raw string).
_IMPORT_TOKEN = re.compile(r'\s*(?:(import(?!\w)|[();])|//[^\n]*|(?:([^\W\d]\w*|\.)\s+)?("(?:[^"\\\n]|\\.)*"|`[^`]*`))')


def _specs_from_text(text: str) -> list[tuple[str | None, str]] | None:
    """The (name, path) specs of an ``import`` declaration's text, or None when the text is not
    only the keyword, parentheses, semicolons, line comments and specs (the tree then decides)."""
    if "/*" in text:
        return None
    out = []
    pos, end = 0, len(text.rstrip())
    while pos < end:
        m = _IMPORT_TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            return None
        if m.group(3) is not None:
            out.append((m.group(2), m.group(3).strip('"`')))
        pos = m.end()
    return out


# The head of a file (package clause, then import declarations) token by token: space, comments,
# the two keywords, punctuation, names and strings.  Identifiers are ASCII only: anything else stops it.
_HEAD_TOKEN = re.compile(rb'(?:\s|//[^\n]*|/\*.*?\*/)*(?:(package|import)(?![\w\x80-\xff])|([();])|'
                         rb'([A-Za-z_]\w*|\.)(?![\w\x80-\xff])|("(?:[^"\\\n]|\\.)*"|`[^`]*`))', re.S)


_WORD_BYTES_HI = _WORD_BYTES | frozenset(range(0x80, 0x100))  # a byte of a word (non-ASCII letters too)
_WORD_TAIL = frozenset(bytes([b]) for b in _WORD_BYTES_HI)


def head_from_text(src: bytes) -> tuple[str, tuple[tuple[str | None, str], ...]] | None:
    """(package name, import specs) read from the text of a file that parses without errors, as
    :attr:`GoFile.package_name` and ``_import_specs`` give them from the tree; None when the head is
    not laid out plainly (a comment inside an import block, a late import, a non-ASCII name...), for
    the tree to decide."""
    m = _HEAD_TOKEN.match(src)
    if m is None or m.group(1) != b"package":
        return None
    m = _HEAD_TOKEN.match(src, m.end())
    if m is None or m.group(3) is None or m.group(3) == b".":
        return None
    name = m.group(3).decode()
    pos = m.end()
    specs: list = []
    while True:
        m = _HEAD_TOKEN.match(src, pos)
        if m is None:
            break
        if m.group(2) == b";":
            pos = m.end()
            continue
        if m.group(1) != b"import":
            break
        start = m.start(1)
        m = _HEAD_TOKEN.match(src, m.end())
        if m is None:
            return None
        if m.group(2) == b"(":
            while True:
                m = _HEAD_TOKEN.match(src, m.end())
                if m is None or m.group(1) is not None or m.group(2) == b"(":
                    return None
                if m.group(2) == b")":
                    break
        else:  # one spec: a name and a string, or a string
            if m.group(3) is not None:
                m = _HEAD_TOKEN.match(src, m.end())
            if m is None or m.group(4) is None:
                return None
        found = _specs_from_text(src[start:m.end()].decode("utf-8", "replace"))
        if found is None:
            return None
        specs.extend(found)
        pos = m.end()
    at = src.find(b"import", pos)
    while at >= 0:  # the word, not in a line comment: maybe an import after the declarations (which
        # the compiler rejects, and the tree finds)
        if (at == 0 or src[at - 1] not in _WORD_BYTES_HI) and src[at + 6:at + 7] not in _WORD_TAIL \
                and src.find(b"//", src.rfind(b"\n", 0, at) + 1, at) < 0:
            return None
        at = src.find(b"import", at + 6)
    return name, tuple(specs)


def _within(found: list, node: Node | None) -> list:
    """The items of ``found`` (tuples led by a node) that lie inside ``node``; all of them for None."""
    if node is None:
        return found
    lo, hi = node.start_byte, node.end_byte
    return [c for c in found if lo <= c[0].start_byte and c[0].end_byte <= hi]


class GoFile:
    """One Go source file.  ``path`` is the display path used in findings."""

    def __init__(self, path: str, src: bytes, go_version: tuple[int, int] = (1, 22)):
        self.path = path
        self.src = src
        self.go_version = go_version
        self.tree = parser().parse(src)
        self.root: Node = self.tree.root_node
        self._ascii = src.isascii()
        self._bom = src.startswith(b"\xef\xbb\xbf")
        # Per-file results shared by rules (analysis helpers key them by module name).
        self.memo: dict = {}
        self._has: dict[bytes, bool] = {}

    def size(self) -> int:
        """Bytes of source (what a worker counts of the trees it holds: see engine.HOLD_BYTES)."""
        return len(self.src)

    def has(self, token: bytes) -> bool:
        """``token in src``, remembered: rules test the same few words (``go ``, ``Lock()``, ``net/http``)
        before any tree work, and each test scans the whole file."""
        try:
            return self._has[token]
        except KeyError:
            pass
        family = _FAMILIES.get(token)
        if family is not None:  # one scan answers for the whole family
            seen = {m.group() for m in family[0].finditer(self.src)}
            for t in family[1]:
                self._has[t] = t in seen
            return self._has[token]
        # For short words, the regex engine's literal scan beats bytes.__contains__ (about 2x for
        # `go ` or `<-` over the stdlib); for longer ones the substring search wins.
        found = self._has[token] = _literal(token).search(self.src) is not None if len(token) <= 7 \
            else token in self.src
        return found

    def finds(self, name: str) -> bool:
        """Whether :data:`PATTERNS` ``[name]`` matches somewhere in the text, remembered (a test like
        :meth:`has`, for a pattern)."""
        try:
            return self._has[name]
        except KeyError:
            found = self._has[name] = PATTERNS[name].search(self.src) is not None
            return found

    def memo_get(self, key, compute):
        """``memo[key]``, computing and storing it on first use."""
        try:
            return self.memo[key]
        except KeyError:
            value = self.memo[key] = compute()
            return value

    # ------------------------------------------------------------------ text
    def text(self, node: Node) -> str:
        return self.src[node.start_byte : node.end_byte].decode("utf-8", "replace")

    @cached_property
    def _line_starts(self) -> list[int]:
        return [0] + [m.end() for m in re.finditer(b"\n", self.src)]

    def line_text(self, line: int) -> str:
        """Text of 1-based ``line`` without its line terminator."""
        starts = self._line_starts
        if not 1 <= line <= len(starts):
            return ""
        start = starts[line - 1]
        end = starts[line] if line < len(starts) else len(self.src)
        return self.src[start:end].rstrip(b"\r\n").decode("utf-8", "replace")

    def _col(self, row: int, byte_col: int) -> int:
        if self._ascii:
            return byte_col + 1
        start = self._line_starts[row] if row < len(self._line_starts) else 0
        prefix = self.src[start : start + byte_col]
        if row == 0 and self._bom:
            prefix = prefix[3:]
        return len(prefix.decode("utf-8", "replace")) + 1

    def span(self, node: Node, end: Node | None = None) -> Span:
        """The span of ``node`` (through ``end`` when given), converted to 1-based code points."""
        (sr, sc), (er, ec) = node.start_point, (end or node).end_point
        return Span(self.path, sr + 1, self._col(sr, sc), er + 1, self._col(er, ec))

    def point_span(self, row: int, byte_col: int) -> Span:
        c = self._col(row, byte_col)
        return Span(self.path, row + 1, c, row + 1, c)

    # --------------------------------------------------------------- queries
    # tree-sitter hands out captures and matches of nested patterns in an order of its own, which
    # can differ from run to run; rules that keep the first of several candidates must see them in
    # source order (outer before inner), or their findings would change between runs.

    def captures(self, q: str, node: Node | None = None) -> dict[str, list[Node]]:
        caps = ts.QueryCursor(query(q)).captures(node or self.root)
        for nodes in caps.values():
            if len(nodes) > 1:  # two stable sorts with C-level keys: start ascending, then outer (longer) first
                nodes.sort(key=_END, reverse=True)
                nodes.sort(key=_START)
        return caps

    def matches(self, q: str, node: Node | None = None) -> Iterator[dict[str, list[Node]]]:
        found = [caps for _, caps in ts.QueryCursor(query(q)).matches(node or self.root)]
        found.sort(key=lambda caps: min(_source_order(n) for nodes in caps.values() for n in nodes))
        yield from found

    def spelt(self, name: bytes, kind: str, start: int = 0, end: int | None = None) -> Iterator[Node]:
        """The ``kind`` nodes (``identifier``, ``field_identifier``, ``type_identifier``...) spelt
        ``name`` between the bytes ``start`` and ``end``, in source order: the word's occurrences in
        the text, each checked on the tree (a file says a name a few times, while a query or a walk
        would visit every node).  A word in a comment, a string or a longer name is no such node."""
        root = self.root
        for m in words(word_rx(name), self.src, start, end):
            n = root.named_descendant_for_byte_range(m.start(), m.end())
            if n is not None and n.type == kind and n.start_byte == m.start() and n.end_byte == m.end():
                yield n

    def selector_calls(self, names, node: Node | None = None) -> list[tuple[Node, Node, Node]]:
        """(call, operand, field) for every call ``operand.name(...)`` with ``name`` in ``names`` (inside
        ``node`` when given), in source order (an outer call before the calls it starts with).

        The names are found in the source text first (a regex scan in C) and each occurrence is
        checked on the tree: files mention a given method a few times, while a query would visit
        every node of the tree."""
        return _within(self._name_calls(frozenset(names))[0], node)

    def bare_calls(self, names, node: Node | None = None) -> list[tuple[Node, Node]]:
        """(call, identifier) for every call ``name(...)`` of a plain identifier with ``name`` in ``names``
        (a dot-imported function, a local function), like :meth:`selector_calls`."""
        return _within(self._name_calls(frozenset(names))[1], node)

    def _name_calls(self, names: frozenset) -> tuple[list, list]:
        key = ("source.name_calls", names)
        found = self.memo.get(key)
        if found is None:
            found = self.memo[key] = self._find_name_calls(names)
        return found

    def _find_name_calls(self, names: frozenset) -> tuple[list, list]:
        present = [n.encode() for n in names if self.has(n.encode())]
        if not present:
            return [], []
        rx = _names_rx(tuple(sorted(present)))
        selectors, bare = [], []
        root = self.root
        for m in words(rx, self.src):
            name = root.named_descendant_for_byte_range(m.start(), m.end())
            if name is None or name.start_byte != m.start() or name.end_byte != m.end():
                continue
            if name.type == "identifier":
                call = name.parent
                if call is not None and call.type == "call_expression" and call.child_by_field_name("function") == name:
                    bare.append((call, name))
                continue
            if name.type != "field_identifier":
                continue
            sel = name.parent
            if sel is None or sel.type != "selector_expression" or sel.child_by_field_name("field") != name:
                continue
            call = sel.parent
            if call is None or call.type != "call_expression" or call.child_by_field_name("function") != sel:
                continue
            operand = sel.child_by_field_name("operand")
            if operand is not None:
                selectors.append((call, operand, name))
        selectors.sort(key=lambda c: (c[0].start_byte, -c[0].end_byte))
        bare.sort(key=lambda c: (c[0].start_byte, -c[0].end_byte))
        return selectors, bare

    # ---------------------------------------------------------------- syntax
    @property
    def has_error(self) -> bool:
        return self.root.has_error

    def first_error(self) -> Node | None:
        """The first ERROR or MISSING node in source order, if any."""
        if not self.root.has_error:
            return None
        node = self.root
        while True:
            for child in node.children:
                if child.is_error or child.is_missing:
                    return child
                if child.has_error:
                    node = child
                    break
            else:
                # No child holds it: tree-sitter-go wants a newline after the last declaration, where
                # Go inserts the semicolon at the end of the file itself.  Parsed with one, it is fine.
                if node == self.root and not parser().parse(self.src + b"\n").root_node.has_error:
                    return None
                return node

    @cached_property
    def top(self) -> tuple[Node, ...]:
        """The top-level nodes (package clause, imports, declarations, comments), built once: each
        ``root.named_children`` makes new node objects."""
        return tuple(self.root.named_children)

    @cached_property
    def top_by_type(self) -> dict[str, tuple[Node, ...]]:
        """The top-level nodes by type, each in source order.  Asking a node its type makes a string;
        files have thousands of top-level nodes, and the imports, the package clause, functions and
        variables are each looked for among them."""
        out: dict[str, list[Node]] = {}
        for n in self.top:
            out.setdefault(n.type, []).append(n)
        return {t: tuple(ns) for t, ns in out.items()}

    @cached_property
    def _head(self) -> tuple[Node | None, tuple[Node, ...]] | None:
        """(package clause, import declarations), read from the first top-level nodes: Go puts the
        clause first (comments aside) and every import right after it.  Most files need only these
        (the rules' gates ask for the package's name and the imports), and making a node object for
        each of a file's top-level nodes costs more than all the rest of those questions.

        None when the file is not laid out so (tree-sitter accepts a late import or package clause;
        the Go compiler does not): :attr:`top_by_type` answers then."""
        if "top" in self.__dict__:
            return None  # built already: no cheaper than asking it
        cursor = self.root.walk()
        clause, decls = None, []
        more = cursor.goto_first_child()
        while more:
            node = cursor.node
            if node.is_named and node.type != "comment":
                kind = node.type
                if clause is None:
                    if kind != "package_clause":
                        return None
                    clause = node
                elif kind == "import_declaration":
                    decls.append(node)
                else:  # the first declaration: no import may follow (the word says whether one could)
                    if _literal(b"import").search(self.src, node.start_byte) is not None:
                        return None
                    break
            more = cursor.goto_next_sibling()
        return clause, tuple(decls)

    def _top_of_type(self, kind: str) -> tuple[Node, ...]:
        """The top-level nodes of type ``kind`` (``package_clause`` or ``import_declaration``)."""
        head = self._head
        if head is None:
            return self.top_by_type.get(kind, ())
        if kind == "package_clause":
            return (head[0],) if head[0] is not None else ()
        return head[1]

    @cached_property
    def package_name(self) -> str:
        for child in self._top_of_type("package_clause"):  # a top-level node: no tree walk
            name = next((c for c in child.named_children if c.type == "package_identifier"), None)
            return self.text(name) if name is not None else ""
        return ""

    @cached_property
    def _import_specs(self) -> tuple[tuple[str | None, str], ...]:
        """(written name or None, path) per import spec; only the top-level import blocks are searched.

        Each block's specs are read from its text (comments skipped), which costs a fraction of a walk
        over its nodes; a block with a ``/* */`` comment, or whose text does not read as specs only,
        is walked on the tree."""
        out = []
        for decl in self._top_of_type("import_declaration"):
            specs = _specs_from_text(self.src[decl.start_byte:decl.end_byte].decode("utf-8", "replace"))
            out.extend(specs if specs is not None else self._specs_from_tree(decl))
        return tuple(out)

    def _specs_from_tree(self, decl: Node) -> list[tuple[str | None, str]]:
        out = []
        for spec in decl.named_children:  # `import "x"` or `import ( ... )`
            for s in (spec.named_children if spec.type == "import_spec_list" else (spec,)):
                path = s.child_by_field_name("path") if s.type == "import_spec" else None
                if path is None:
                    continue
                name = s.child_by_field_name("name")
                out.append((self.text(name) if name is not None else None, self.text(path).strip('"`')))
        return out

    @cached_property
    def imports(self) -> dict[str, str]:
        """Local name -> import path.  Dot imports are in :attr:`dot_imports`; blank imports are left out."""
        out: dict[str, str] = {}
        for name, path in self._import_specs:
            if name in (".", "_"):
                continue
            out[name or default_import_name(path)] = path
        return out

    @cached_property
    def dot_imports(self) -> frozenset[str]:
        """Import paths imported with ``.``."""
        return frozenset(path for name, path in self._import_specs if name == ".")

    @cached_property
    def used_imports(self) -> frozenset[str]:
        """The import paths the file can refer to: named (or default-named) and dot imports, not blank ones."""
        return frozenset(self.imports.values()) | self.dot_imports

    def local_names(self, import_path: str) -> frozenset[str]:
        """The identifiers this file uses for ``import_path`` (usually one)."""
        return frozenset(n for n, p in self.imports.items() if p == import_path)

    @property
    def is_test(self) -> bool:
        return self.path.endswith("_test.go")


_MAJOR_SUFFIX = re.compile(r"^v\d+$")


def default_import_name(path: str) -> str:
    """The package name Go would most likely give an import path (last element, minus /vN, go- and .go)."""
    parts = path.split("/")
    last = parts[-1]
    if _MAJOR_SUFFIX.match(last) and len(parts) > 1:
        last = parts[-2]
    if last.startswith("go-"):
        last = last[3:]
    for suffix in (".go", "-go"):
        if last.endswith(suffix):
            last = last[: -len(suffix)]
    return last.replace("-", "_").replace(".", "_")


class GoPackage:
    """The Go files of one directory (the package view: syntax only, no type checker)."""

    def __init__(self, directory: str, files: list[GoFile]):
        self.directory = directory
        self.files = files
        self.memo: dict = {}

    def release(self) -> None:
        """Drop the facts the analysis remembered on the package and its files.  Some refer back to
        their file (a lock flow keeps its file): left alone, such cycles keep every tree of the package
        alive until the garbage collector finds them, and make its collections long."""
        self.memo.clear()
        for f in self.files:
            f.memo.clear()
            f._has.clear()

    @staticmethod
    def group_memo() -> dict:
        """A memo for a search that fills several entries at a time (see go/track.py, GroupMemo)."""
        return {}

    def same_package(self, f: GoFile) -> list[GoFile]:
        """Files that share ``f``'s package clause (``foo`` and ``foo_test`` are separate); built once
        per package clause (rules ask for every file, and big packages have hundreds)."""
        key = ("source.same_package", f.package_name)
        found = self.memo.get(key)
        if found is None:
            found = self.memo[key] = [g for g in self.files if g.package_name == f.package_name]
        return found


_TEST_DIRS = frozenset({"test", "tests", "testing", "testdata", "testutil", "testutils", "testhelper", "testhelpers",
                        "testenv", "e2e", "integration"})


def is_test_code(file: GoFile) -> bool:
    """Whether ``file`` is test code: a ``_test.go`` file, a package named like a test helper
    (``testutil``, ``footest``, ``testing``...), or a file under a test directory (``test/``, ``e2e/``,
    ``testdata/``, ``testutil/``...; the directories of the path as given)."""
    if file.is_test:
        return True
    pkg = file.package_name.lower()
    if pkg.endswith(("test", "tests", "testing", "testutil", "testutils", "testhelper", "testhelpers")) \
            or pkg.startswith("test"):
        return True
    parts = file.path.replace("\\", "/").split("/")[:-1]
    return any(p.lower() in _TEST_DIRS for p in parts)
