"""TOML -> :class:`CNode` trees, with positions found by scanning the text.

The standard library's ``tomllib`` decodes and validates TOML but keeps no
positions.  So the text is decoded by ``tomllib`` (the values) and walked a
second time by a small scanner (the positions): it follows ``[table]`` and
``[[array]]`` headers, ``key = value`` lines (dotted keys too), the keys of
inline tables and the items of arrays, and records for each key path where
its key and its value are written.

Limits: a node whose position the scanner could not find (unusual quoting,
a construct it does not follow) takes its parent's position; a table that
exists only implicitly (``[a.b.c]`` creates ``a`` and ``a.b``) points at the
header that created it.  Scanning never fails a file: on any surprise it
stops and the remaining nodes inherit positions.
"""

from __future__ import annotations

import re
import sys
from datetime import date, datetime, time

from golint_traefik.finding import Span
from golint_traefik.traefik.tree import MAP, SCALAR, SEQ, CNode, SourceText
from golint_traefik.traefik.yamlload import YamlProblem

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

_ERR_POS = re.compile(r"\(at line (\d+), column (\d+)\)")
_BARE = re.compile(r"[A-Za-z0-9_-]+")
_SCALAR_END = frozenset(" \t\r\n,]}#")

Path = tuple  # tuple of str keys and int indices


def load_toml(path: str, text: str) -> tuple[CNode | None, YamlProblem | None]:
    """The document's root map, or a problem when the text is not valid TOML."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = _ERR_POS.search(msg)
        line, col = (int(m.group(1)), int(m.group(2))) if m else (1, 1)
        return None, YamlProblem(f"invalid TOML: {_ERR_POS.sub('', msg).strip()}", line, col)
    except RecursionError:  # tomllib recurses per level of nested arrays and inline tables
        return None, YamlProblem("TOML nested too deeply to analyse; not analysed", 1, 1)
    src = SourceText(path, text)
    scanner = _Scanner(src)
    try:
        scanner.run()
    except (IndexError, ValueError, RecursionError):  # pragma: no cover - defensive: positions degrade, values stay
        pass
    root_span = Span(path, 1, 1, 1, 1)
    return _convert(data, (), None, root_span, scanner.pos), None


def _convert(value, path: Path, key: str | None, parent: Span, pos: dict) -> CNode:
    key_span, span = pos.get(path, (parent, parent))
    if not path:
        key_span = None
    if isinstance(value, dict):
        node = CNode(MAP, span, key=key, key_span=key_span, origin="toml")
        for k, v in value.items():
            node.add(_convert(v, path + (k,), k, span, pos))
        return node
    if isinstance(value, list):
        node = CNode(SEQ, span, key=key, key_span=key_span, origin="toml")
        for i, v in enumerate(value):
            child = _convert(v, path + (i,), None, span, pos)
            child.key_span = None
            node.add(child)
        return node
    if isinstance(value, (datetime, date, time)):
        value = value.isoformat()
    return CNode(SCALAR, span, value=value, key=key, key_span=key_span, origin="toml")


class _Scanner:
    """Records ``path -> (key span, value span)`` for a TOML text (positions only, no validation)."""

    def __init__(self, src: SourceText):
        self.src = src
        self.t = src.text
        self.n = len(self.t)
        self.i = 0
        self.pos: dict[Path, tuple[Span, Span]] = {}
        self.aot: dict[Path, int] = {}

    # ------------------------------------------------------------ helpers
    def _span(self, a: int, b: int) -> Span:
        return self.src.span(a, b)

    def _record(self, path: Path, key_span: Span, value_span: Span, *, keep: bool = True) -> None:
        if keep and path in self.pos:
            return
        self.pos[path] = (key_span, value_span)

    def _skip(self, newlines: bool = False) -> None:
        t, n = self.t, self.n
        while self.i < n:
            c = t[self.i]
            if c in " \t\r" or (newlines and c == "\n"):
                self.i += 1
            elif c == "#":
                nl = t.find("\n", self.i)
                self.i = n if nl < 0 else nl
            else:
                break

    def _skip_line(self) -> None:
        nl = self.t.find("\n", self.i)
        self.i = self.n if nl < 0 else nl + 1

    def _keys(self) -> list[tuple[str, int, int]]:
        """A dotted key at the cursor: ``[(key, start, end), ...]``."""
        keys: list[tuple[str, int, int]] = []
        t = self.t
        while True:
            self._skip()
            if self.i >= self.n:
                return keys
            c = t[self.i]
            start = self.i
            if c == '"':
                j = self.i + 1
                while j < self.n and t[j] not in '"\n':
                    j += 2 if t[j] == "\\" else 1
                raw = t[self.i + 1 : j]
                key = raw
                if "\\" in raw:
                    try:
                        key = tomllib.loads(f'k = "{raw}"')["k"]
                    except tomllib.TOMLDecodeError:
                        key = raw
                self.i = j + 1
            elif c == "'":
                j = t.find("'", self.i + 1)
                j = self.n if j < 0 else j
                key = t[self.i + 1 : j]
                self.i = j + 1
            else:
                m = _BARE.match(t, self.i)
                if not m:
                    return keys
                key = m.group(0)
                self.i = m.end()
            keys.append((key, start, self.i))
            self._skip()
            if self.i < self.n and t[self.i] == ".":
                self.i += 1
                continue
            return keys

    def _header_path(self, names: list[str], array: bool) -> Path:
        resolved: list = []
        for j, name in enumerate(names):
            resolved.append(name)
            if array and j == len(names) - 1:
                break
            count = self.aot.get(tuple(resolved))
            if count:
                resolved.append(count - 1)
        path = tuple(resolved)
        if array:
            self.aot[path] = self.aot.get(path, 0) + 1
            return path + (self.aot[path] - 1,)
        return path

    # --------------------------------------------------------------- main
    def run(self) -> None:
        table: Path = ()
        t = self.t
        while True:
            self._skip(newlines=True)
            if self.i >= self.n:
                return
            before = self.i
            if t.startswith("[[", self.i) or t[self.i] == "[":
                array = t.startswith("[[", self.i)
                start = self.i
                self.i += 2 if array else 1
                keys = self._keys()
                self._skip()
                close = "]]" if array else "]"
                if not keys or not t.startswith(close, self.i):
                    self._skip_line()
                    continue
                self.i += len(close)
                header = self._span(start, self.i)
                names = [k for k, _, _ in keys]
                table = self._header_path(names, array)
                # Implicit parents point at the header that first mentions them.
                for j in range(1, len(table)):
                    self._record(table[:j], header, header)
                if array:
                    self._record(table[:-1], header, header)
                self._record(table, header, header, keep=False)
            else:
                keys = self._keys()
                self._skip()
                if not keys or self.i >= self.n or t[self.i] != "=":
                    self._skip_line()
                    continue
                self.i += 1
                self._skip()
                self._assign(table, keys)
            if self.i <= before:  # pragma: no cover - guarantees progress
                self._skip_line()

    def _assign(self, base: Path, keys: list[tuple[str, int, int]]) -> None:
        for j in range(len(keys) - 1):
            k_span = self._span(keys[j][1], keys[j][2])
            self._record(base + tuple(k for k, _, _ in keys[: j + 1]), k_span, k_span)
        path = base + tuple(k for k, _, _ in keys)
        self._value(path, self._span(keys[-1][1], keys[-1][2]))

    def _value(self, path: Path, key_span: Span | None) -> None:
        t = self.t
        start = self.i
        if self.i >= self.n:
            return
        c = t[self.i]
        if t.startswith('"""', self.i) or t.startswith("'''", self.i):
            quote = t[self.i : self.i + 3]
            j = self.i + 3
            while True:
                j = t.find(quote, j)
                if j < 0:
                    j = self.n
                    break
                if quote == '"""' and t[j - 1] == "\\" and t[j - 2] != "\\":
                    j += 1
                    continue
                break
            end = min(j + 3, self.n)
            while end < self.n and t[end] == quote[0] and end - j < 5:
                end += 1
            self.i = end
        elif c == '"':
            j = self.i + 1
            while j < self.n and t[j] not in '"\n':
                j += 2 if t[j] == "\\" else 1
            self.i = min(j + 1, self.n)
        elif c == "'":
            j = t.find("'", self.i + 1)
            self.i = self.n if j < 0 else j + 1
        elif c == "[":
            self.i += 1
            index = 0
            while True:
                self._skip(newlines=True)
                if self.i >= self.n:
                    break
                if t[self.i] == "]":
                    self.i += 1
                    break
                before = self.i
                self._value(path + (index,), None)
                index += 1
                self._skip(newlines=True)
                if self.i < self.n and t[self.i] == ",":
                    self.i += 1
                if self.i <= before:
                    break
        elif c == "{":
            self.i += 1
            while True:
                self._skip(newlines=True)
                if self.i >= self.n:
                    break
                if t[self.i] == "}":
                    self.i += 1
                    break
                before = self.i
                keys = self._keys()
                self._skip()
                if not keys or self.i >= self.n or t[self.i] != "=":
                    break
                self.i += 1
                self._skip()
                self._assign(path, keys)
                self._skip(newlines=True)
                if self.i < self.n and t[self.i] == ",":
                    self.i += 1
                if self.i <= before:
                    break
        else:
            j = self.i
            while j < self.n and t[j] not in _SCALAR_END:
                j += 1
            self.i = max(j, self.i + 1)
        value_span = self._span(start, self.i)
        self._record(path, key_span or value_span, value_span, keep=False)
