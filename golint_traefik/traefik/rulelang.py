"""Traefik's router rule language, parsed the way Traefik parses it.

A rule such as ``Host(`a.example.com`) && !PathPrefix("/admin")`` is handed
by Traefik to ``vulcand/predicate``, which parses it **as a Go expression**
(``go/parser.ParseExpr``) and then evaluates the expression tree: a call is
a matcher, ``&&``/``||``/``!`` combine matchers, parentheses group, and
every argument must be a Go string literal -- a backtick raw string or a
double-quoted string with Go escapes.  Everything else Go can parse (other
operators, numbers, identifiers, nested calls) is rejected while
evaluating; everything Go cannot parse is rejected by the Go parser,
including its automatic semicolons: a line break right after ``)`` or a
string ends the expression.

Matcher names are looked up in a table per *syntax* (``v3``, or ``v2`` --
Traefik v2's rules, still selectable per router in v3) and *protocol*
(HTTP or TCP routers); each name is accepted as written, all lower case,
ALL UPPER case, or Title-cased after lowering (``Pathprefix``), nothing else
(``pkg/rules/parser.go``).  The matcher's argument count is checked after
parsing (``expectNParameters`` in ``pkg/muxer/*/matcher.go``).

Public API
----------

* :func:`parse` ``(text, syntax="v3", protocol="http") -> ParsedRule``:
  the tree (:class:`BinOp`, :class:`Not`, :class:`Group`, :class:`Matcher`
  with :class:`Arg` arguments), the first error Traefik would stop at
  (:class:`RuleError`), and every matcher (``ParsedRule.matchers``), each
  resolved against the table (``Matcher.spec``) or carrying a name problem
  (``unknown``, ``casing``, ``other-syntax``, ``other-protocol``).  Every
  token keeps its character offsets in ``text``.
* :data:`MATCHERS`, :class:`MatcherSpec`, :func:`spellings`: the tables.
* :func:`router_rules` ``(project) -> list[RouterRule]``: every router rule
  of the deployment model (file provider, labels, IngressRoute and
  IngressRouteTCP ``match``) with the syntax it is parsed with and why,
  parsed, and with :meth:`RouterRule.span` mapping offsets inside the rule
  to file positions (through YAML plain/quoted/block scalars, TOML strings
  and ``key=value`` labels).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Iterator, Union

from golint_traefik.finding import Span
from golint_traefik.traefik.gotemplate import MARK
from golint_traefik.traefik.tree import CNode, SourceText

# ------------------------------------------------------------------ tables


@dataclass(frozen=True)
class MatcherSpec:
    name: str  # canonical spelling
    syntax: str  # "v2" | "v3"
    protocol: str  # "http" | "tcp"
    arities: tuple[int, ...] | None  # accepted argument counts; None: one or more (v2)
    regexp_args: tuple[int, ...] = ()  # v3: arguments compiled with Go's regexp
    pairs: bool = False  # v2 Headers/HeadersRegexp: arguments are key, value, key, value, ...
    templates: bool = False  # v2: gorilla/mux templates ({name} / {name:regexp}) in each argument
    regexp_values: bool = False  # v2 HeadersRegexp: the values (odd arguments) are regexps

    def regexp_indexes(self, n_args: int) -> tuple[int, ...]:
        """Which of ``n_args`` arguments Traefik compiles as Go regexps."""
        if self.regexp_values:
            return tuple(range(1, n_args, 2))
        if self.name == "QueryRegexp" and n_args == 1:
            return ()  # QueryRegexp(`k`) is Query(`k`)
        return tuple(i for i in self.regexp_args if i < n_args)

    def accepts(self, n_args: int) -> bool:
        if n_args == 0:
            return False
        if self.arities is not None:
            return n_args in self.arities
        return not self.pairs or n_args % 2 == 0


def _specs(*items: MatcherSpec) -> dict[str, MatcherSpec]:
    return {s.name: s for s in items}


def _m(name: str, syntax: str, protocol: str, arities, **kw) -> MatcherSpec:
    return MatcherSpec(name, syntax, protocol, arities, **kw)


# pkg/muxer/http/matcher.go (httpFuncs), matcher_v2.go (httpFuncsV2); pkg/muxer/tcp/matcher.go, matcher_v2.go.
MATCHERS: dict[tuple[str, str], dict[str, MatcherSpec]] = {
    ("v3", "http"): _specs(
        _m("ClientIP", "v3", "http", (1,)),
        _m("Method", "v3", "http", (1,)),
        _m("Host", "v3", "http", (1,)),
        _m("HostRegexp", "v3", "http", (1,), regexp_args=(0,)),
        _m("Path", "v3", "http", (1,)),
        _m("PathRegexp", "v3", "http", (1,), regexp_args=(0,)),
        _m("PathPrefix", "v3", "http", (1,)),
        _m("Header", "v3", "http", (2,)),
        _m("HeaderRegexp", "v3", "http", (2,), regexp_args=(1,)),
        _m("Query", "v3", "http", (1, 2)),
        _m("QueryRegexp", "v3", "http", (1, 2), regexp_args=(1,)),
    ),
    ("v2", "http"): _specs(
        _m("Host", "v2", "http", None),
        _m("HostHeader", "v2", "http", None),
        _m("HostRegexp", "v2", "http", None, templates=True),
        _m("ClientIP", "v2", "http", None),
        _m("Path", "v2", "http", None, templates=True),
        _m("PathPrefix", "v2", "http", None, templates=True),
        _m("Method", "v2", "http", None),
        _m("Headers", "v2", "http", None, pairs=True),
        _m("HeadersRegexp", "v2", "http", None, pairs=True, regexp_values=True),
        _m("Query", "v2", "http", None),
    ),
    ("v3", "tcp"): _specs(
        _m("ALPN", "v3", "tcp", (1,)),
        _m("ClientIP", "v3", "tcp", (1,)),
        _m("HostSNI", "v3", "tcp", (1,)),
        _m("HostSNIRegexp", "v3", "tcp", (1,), regexp_args=(0,)),
    ),
    ("v2", "tcp"): _specs(
        _m("ALPN", "v2", "tcp", None),
        _m("ClientIP", "v2", "tcp", None),
        _m("HostSNI", "v2", "tcp", None),
        _m("HostSNIRegexp", "v2", "tcp", None, templates=True),
    ),
}

# v2 matchers that v3 renamed or folded into another one.
V3_REPLACEMENT = {"Headers": "Header", "HeadersRegexp": "HeaderRegexp", "HostHeader": "Host"}


def spellings(name: str) -> frozenset[str]:
    """The spellings Traefik registers for a matcher: as is, lower, UPPER, Title(lower)."""
    low = name.lower()
    return frozenset({name, low, name.upper(), low[:1].upper() + low[1:]})


# --------------------------------------------------------------------- AST


@dataclass(eq=False)
class Arg:
    """One string argument of a matcher."""

    value: str  # decoded
    start: int  # offset of the opening quote in the rule
    end: int  # offset after the closing quote
    quote: str  # "`" or '"'
    offsets: tuple[int, ...]  # rule offset of each character of ``value``

    def at(self, i: int) -> int:
        """Rule offset of character ``i`` of the value (``len(value)``: the closing quote)."""
        if i < len(self.offsets):
            return self.offsets[i]
        return self.end - 1

    def source(self, rule: str) -> str:
        return rule[self.start:self.end]


@dataclass(eq=False)
class Matcher:
    name: str  # as written
    start: int  # offset of the name
    name_end: int
    end: int  # offset after ")"
    args: list[Arg]
    negated: bool = False  # under an odd number of "!" (Traefik pushes "!" down to matchers)
    spec: MatcherSpec | None = None
    problem: str | None = None  # None | "unknown" | "casing" | "other-syntax" | "other-protocol"
    suggestion: str | None = None  # the canonical name meant (casing/other-*), or a close known name

    @property
    def canonical(self) -> str | None:
        return self.spec.name if self.spec is not None else None

    def source(self, rule: str) -> str:
        return rule[self.start:self.end]


@dataclass(eq=False)
class Not:
    operand: "Node"
    start: int
    end: int


@dataclass(eq=False)
class BinOp:
    op: str  # "&&" | "||"
    left: "Node"
    right: "Node"
    op_start: int
    start: int
    end: int


@dataclass(eq=False)
class Group:
    inner: "Node"
    start: int
    end: int


Node = Union[Matcher, Not, BinOp, Group]


@dataclass(frozen=True)
class RuleError:
    message: str
    start: int
    end: int
    code: str  # "syntax", "quote", "unquoted", "operator", "not-a-matcher", "escape", "newline", "empty-rule"


@dataclass(eq=False)
class ParsedRule:
    text: str
    syntax: str
    protocol: str
    tree: Node | None = None  # None when ``error`` is set
    error: RuleError | None = None
    matchers: list[Matcher] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None and all(m.problem is None for m in self.matchers)

    def walk(self) -> Iterator[Node]:
        stack: list[Node] = [self.tree] if self.tree is not None else []
        while stack:
            node = stack.pop()
            yield node
            if isinstance(node, BinOp):
                stack.extend((node.right, node.left))
            elif isinstance(node, Not):
                stack.append(node.operand)
            elif isinstance(node, Group):
                stack.append(node.inner)


# ------------------------------------------------------------------- lexer


@dataclass(frozen=True)
class Token:
    kind: str  # "ident" "string" "char" "number" "op" "semi" "eof"
    text: str
    start: int
    end: int
    value: str = ""
    offsets: tuple[int, ...] = ()


class _Fail(Exception):
    def __init__(self, message: str, start: int, end: int, code: str = "syntax"):
        super().__init__(message)
        self.error = RuleError(message, start, end, code)


_SEMI_AFTER = frozenset({"ident", "string", "char", "number"})
_SEMI_AFTER_OPS = frozenset({")", "]", "}", "++", "--"})
_KEYWORDS_SEMI = frozenset({"break", "continue", "fallthrough", "return"})
_OPS = sorted(
    ["&&", "||", "!", "(", ")", ",", "...", ".", "[", "]", "{", "}", "&^=", "<<=", ">>=", "&^", "<<", ">>", "==", "!=",
     "<=", ">=", "<-", "++", "--", ":=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "&", "|", "<", ">", "+", "-",
     "*", "/", "%", "^", "=", ":", ";", "~"],
    key=len, reverse=True,
)
_SIMPLE_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\", '"': '"'}


def _is_letter(c: str) -> bool:
    return c == "_" or c.isalpha()


def tokenize(text: str) -> list[Token]:
    """Go's scanner on ``text``: tokens with offsets, semicolons inserted at line ends as Go does."""
    out: list[Token] = []
    i, n = 0, len(text)
    semi_ok = False  # Go's insertSemi: a newline here ends the statement

    def push(tok: Token) -> None:
        nonlocal semi_ok
        out.append(tok)
        semi_ok = tok.kind in _SEMI_AFTER or (tok.kind == "op" and tok.text in _SEMI_AFTER_OPS) or (
            tok.kind == "ident" and tok.text in _KEYWORDS_SEMI)

    while i < n:
        c = text[i]
        if c == "\n":
            if semi_ok:
                out.append(Token("semi", "\n", i, i + 1))
                semi_ok = False
            i += 1
            continue
        if c in " \t\r":
            i += 1
            continue
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            i = j  # the newline (if any) is handled as above
            continue
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            if j < 0:
                raise _Fail("comment not terminated", i, n)
            if semi_ok and "\n" in text[i:j]:
                out.append(Token("semi", "\n", i, j + 2))
                semi_ok = False
            i = j + 2
            continue
        if _is_letter(c):
            j = i + 1
            while j < n and (_is_letter(text[j]) or text[j].isdigit()):
                j += 1
            push(Token("ident", text[i:j], i, j))
            i = j
            continue
        if c.isdigit() or (c == "." and i + 1 < n and text[i + 1].isdigit()):
            j = i + 1
            while j < n and (text[j].isalnum() or text[j] in "._" or (text[j] in "+-" and text[j - 1] in "eEpP")):
                j += 1
            push(Token("number", text[i:j], i, j))
            i = j
            continue
        if c == "`":
            j = text.find("`", i + 1)
            if j < 0:
                what = ("the rule has an odd number of backticks" if text.count("`") % 2
                        else "the closing backtick is missing")
                raise _Fail(f"raw string literal not terminated: {what}", i, n)
            body = [(text[k], k) for k in range(i + 1, j) if text[k] != "\r"]
            push(Token("string", text[i:j + 1], i, j + 1, "".join(ch for ch, _ in body), tuple(k for _, k in body)))
            i = j + 1
            continue
        if c == '"':
            tok = _interpreted_string(text, i)
            push(tok)
            i = tok.end
            continue
        if c == "'":
            j = i + 1
            while j < n and text[j] != "'" and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            end = min(j + 1, n) if j < n and text[j] == "'" else j
            push(Token("char", text[i:end], i, end))
            i = end
            continue
        for op in _OPS:
            if text.startswith(op, i):
                push(Token("op", op, i, i + len(op)))
                i += len(op)
                break
        else:
            raise _Fail(f"invalid character {c!r} in the rule", i, i + 1)
    out.append(Token("eof", "", n, n))
    return out


def _interpreted_string(text: str, i: int) -> Token:
    n = len(text)
    j = i + 1
    chars: list[str] = []
    offsets: list[int] = []
    while True:
        if j >= n or text[j] == "\n":
            raise _Fail("string literal not terminated: the closing double quote is missing", i, j)
        c = text[j]
        if c == '"':
            break
        if c != "\\":
            chars.append(c)
            offsets.append(j)
            j += 1
            continue
        if j + 1 >= n:
            raise _Fail("escape sequence not terminated", j, n, "escape")
        e = text[j + 1]
        if e in _SIMPLE_ESCAPES:
            chars.append(_SIMPLE_ESCAPES[e])
            offsets.append(j)
            j += 2
            continue
        width = {"x": 2, "u": 4, "U": 8}.get(e)
        digits, base = (text[j + 2:j + 2 + width], 16) if width else (text[j + 1:j + 4], 8)
        if e in "01234567":
            width = 2
        elif width is None:
            hint = "; in a double-quoted rule string write \\\\ for a backslash, or use backticks" if e != "'" else ""
            raise _Fail(f"unknown escape sequence \\{e} in a double-quoted string{hint}", j, j + 2, "escape")
        valid = len(digits) == (3 if base == 8 else width) and all(d in ("01234567" if base == 8 else "0123456789abcdefABCDEF") for d in digits)
        if not valid:
            raise _Fail(f"invalid escape sequence {text[j:j + 2 + (width or 2)]!r} in a double-quoted string", j,
                        min(n, j + 2 + (width or 2)), "escape")
        value = int(digits, base)
        if (base == 8 and value > 255) or (e in "uU" and (value > 0x10FFFF or 0xD800 <= value < 0xE000)):
            raise _Fail(f"escape sequence {text[j:j + len(digits) + (1 if base == 8 else 2)]!r} is an invalid value",
                        j, j + len(digits) + 2, "escape")
        chars.append(chr(value))
        offsets.append(j)
        j += len(digits) + (1 if base == 8 else 2)
    return Token("string", text[i:j + 1], i, j + 1, "".join(chars), tuple(offsets))


# ------------------------------------------------------------------ parser
# Go expression grammar, far enough to accept what Go accepts in a rule and to
# reject the rest where Go rejects it; then predicate's evaluation rules.

_BINARY_PREC = {"||": 1, "&&": 2, "==": 3, "!=": 3, "<": 3, "<=": 3, ">": 3, ">=": 3, "+": 4, "-": 4, "|": 4, "^": 4,
                "*": 5, "/": 5, "%": 5, "<<": 5, ">>": 5, "&": 5, "&^": 5}
_UNARY = frozenset({"!", "-", "+", "^", "&", "*", "<-", "~"})


@dataclass(eq=False)
class _G:
    """A node of the Go expression tree."""

    kind: str  # "binary" "unary" "paren" "call" "selector" "index" "ident" "lit"
    start: int
    end: int
    tok: Token | None = None  # operator, literal or identifier token
    kids: tuple["_G", ...] = ()
    ellipsis: bool = False


class _GoParser:
    def __init__(self, text: str, toks: list[Token]):
        self.text = text
        self.toks = toks
        self.i = 0

    @property
    def tok(self) -> Token:
        return self.toks[self.i]

    def next(self) -> Token:
        t = self.toks[self.i]
        if self.i < len(self.toks) - 1:
            self.i += 1
        return t

    def describe(self, t: Token) -> str:
        if t.kind == "eof":
            return "the end of the rule"
        if t.kind == "semi":
            return "a line break"
        return f"'{t.text}'"

    def fail_at(self, t: Token, what: str) -> _Fail:
        end = t.end if t.kind != "eof" else t.start
        if t.kind == "semi":
            return _Fail(f"{what}, found a line break: Go ends the expression at a line break after ')' or a string; "
                         "break lines after && or || instead", t.start, t.start + 1, "newline")
        return _Fail(f"{what}, found {self.describe(t)}", t.start, max(end, t.start), "syntax")

    def parse(self) -> _G:
        if self.tok.kind == "eof" or (self.tok.kind == "semi" and self.toks[self.i + 1].kind == "eof"):
            raise _Fail("the rule is empty", 0, len(self.text), "empty-rule")
        x = self.binary(1)
        if self.tok.kind == "semi" and self.tok.text == "\n" and self.toks[self.i + 1].kind == "eof":
            self.next()
        if self.tok.kind != "eof":
            t = self.tok
            if t.kind == "ident" and t.text.lower() in ("and", "or", "not"):
                op = {"and": "&&", "or": "||", "not": "!"}[t.text.lower()]
                raise _Fail(f"'{t.text}' is not an operator in rules; use {op}", t.start, t.end, "operator")
            if t.kind == "semi":
                raise self.fail_at(t, "expected the end of the rule")
            raise self.fail_at(t, "expected && or || between matchers")
        return x

    def binary(self, prec: int) -> _G:
        x = self.unary()
        while self.tok.kind == "op" and _BINARY_PREC.get(self.tok.text, 0) >= prec:
            op = self.next()
            y = self.binary(_BINARY_PREC[op.text] + 1)
            x = _G("binary", x.start, y.end, op, (x, y))
        return x

    def unary(self) -> _G:
        if self.tok.kind == "op" and self.tok.text in _UNARY:
            op = self.next()
            x = self.unary()
            return _G("unary", op.start, x.end, op, (x,))
        return self.primary()

    def primary(self) -> _G:
        x = self.operand()
        while True:
            t = self.tok
            if t.kind == "op" and t.text == "(":
                x = self.call(x)
            elif t.kind == "op" and t.text == ".":
                self.next()
                if self.tok.kind != "ident":
                    raise self.fail_at(self.tok, "expected a name after '.'")
                name = self.next()
                x = _G("selector", x.start, name.end, name, (x,))
            elif t.kind == "op" and t.text == "[":
                self.next()
                idx = self.binary(1)
                if not (self.tok.kind == "op" and self.tok.text == "]"):
                    raise self.fail_at(self.tok, "expected ']'")
                rb = self.next()
                x = _G("index", x.start, rb.end, t, (x, idx))
            else:
                return x

    def operand(self) -> _G:
        t = self.tok
        if t.kind == "ident":
            self.next()
            return _G("ident", t.start, t.end, t)
        if t.kind in ("string", "char", "number"):
            self.next()
            return _G("lit", t.start, t.end, t)
        if t.kind == "op" and t.text == "(":
            self.next()
            x = self.binary(1)
            if not (self.tok.kind == "op" and self.tok.text == ")"):
                raise self.fail_at(self.tok, f"expected ')' to close the '(' at column {t.start + 1}")
            rp = self.next()
            return _G("paren", t.start, rp.end, t, (x,))
        raise self.fail_at(t, "expected a matcher")

    def call(self, fun: _G) -> _G:
        lp = self.next()
        args: list[_G] = []
        ellipsis = False
        while not (self.tok.kind == "op" and self.tok.text == ")"):
            if self.tok.kind in ("eof",):
                raise _Fail(f"missing ')' to close the '(' at column {lp.start + 1}", lp.start, lp.end)
            args.append(self.arg(fun, lp))
            if self.tok.kind == "op" and self.tok.text == "...":
                self.next()
                ellipsis = True
            if self.tok.kind == "op" and self.tok.text == ",":
                self.next()
                continue
            if self.tok.kind == "op" and self.tok.text == ")":
                break
            if self.tok.kind == "semi":
                raise self.fail_at(self.tok, "missing ',' or ')' in the argument list")
            if self.tok.kind == "eof":
                raise _Fail(f"missing ')' to close the '(' at column {lp.start + 1}", lp.start, lp.end)
            raise self.fail_at(self.tok, "expected ',' or ')' after an argument")
        rp = self.next()
        return _G("call", fun.start, rp.end, lp, (fun, *args), ellipsis)

    def arg(self, fun: _G, lp: Token) -> _G:
        """One argument; a value written without quotes gets a message that says so."""
        t = self.tok
        start = self.i
        try:
            x = self.binary(1)
        except _Fail as fail:
            if t.kind in ("string", "char") or fail.error.code == "newline":
                raise
            raise self._unquoted(t, fun) from None
        if x.kind not in ("lit", "call") and self.tok.kind == "op" and self.tok.text in (",", ")"):
            raise self._unquoted(self.toks[start], fun, end=x.end)
        return x

    def _unquoted(self, first: Token, fun: _G, end: int | None = None) -> _Fail:
        text = self.text
        if end is None:
            depth, j = 0, first.start
            while j < len(text):
                ch = text[j]
                if ch in "([":
                    depth += 1
                elif ch in ")]":
                    if depth == 0:
                        break
                    depth -= 1
                elif ch == "," and depth == 0:
                    break
                elif ch in "`\"\n":
                    break
                j += 1
            end = j
        word = text[first.start:end].strip()
        name = text[fun.start:fun.end] if fun.kind == "ident" else "Matcher"
        if not word:
            return _Fail(f"expected a quoted argument, found {self.describe(first)}", first.start, max(first.end, first.start + 1))
        return _Fail(f"the argument {word} is not quoted; write {name}(`{word}`)", first.start, first.start + len(word), "unquoted")


# --------------------------------------------------------------- evaluation


def _resolve(name: str, syntax: str, protocol: str) -> tuple[MatcherSpec | None, str | None, str | None]:
    table = MATCHERS[(syntax, protocol)]
    for spec in table.values():
        if name in spellings(spec.name):
            return spec, None, None
    low = name.lower()
    for spec in table.values():
        if spec.name.lower() == low:
            return None, "casing", spec.name
    other_syntax = "v2" if syntax == "v3" else "v3"
    for spec in MATCHERS[(other_syntax, protocol)].values():
        if spec.name.lower() == low:
            return None, "other-syntax", spec.name
    other_protocol = "tcp" if protocol == "http" else "http"
    for syn in (syntax, other_syntax):
        for spec in MATCHERS[(syn, other_protocol)].values():
            if spec.name.lower() == low:
                return None, "other-protocol", spec.name
    names = {s.name.lower(): s.name for s in table.values()}
    close = difflib.get_close_matches(low, list(names), n=1, cutoff=0.6)
    return None, "unknown", names[close[0]] if close else None


class _Evaluator:
    """predicate's evaluation of the Go tree: what Traefik accepts after Go parsed the rule."""

    def __init__(self, text: str, syntax: str, protocol: str):
        self.text = text
        self.syntax = syntax
        self.protocol = protocol
        self.matchers: list[Matcher] = []

    def node(self, g: _G, negated: bool = False) -> Node:
        if g.kind == "binary":
            op = g.tok.text
            if op not in ("&&", "||"):
                hint = {"&": "; use && for AND", "|": "; use || for OR", "==": "", "=": ""}.get(op, "")
                raise _Fail(f"the operator {op} is not supported in rules{hint}; matchers combine with &&, || and !",
                            g.tok.start, g.tok.end, "operator")
            left = self.node(g.kids[0], negated)
            right = self.node(g.kids[1], negated)
            return BinOp(op, left, right, g.tok.start, g.start, g.end)
        if g.kind == "paren":
            return Group(self.node(g.kids[0], negated), g.start, g.end)
        if g.kind == "unary":
            if g.tok.text != "!":
                raise _Fail(f"the operator {g.tok.text} is not supported in rules; only ! negates a matcher",
                            g.tok.start, g.tok.end, "operator")
            return Not(self.node(g.kids[0], not negated), g.start, g.end)
        if g.kind == "call":
            return self.call(g, negated)
        raise self.not_a_matcher(g)

    def not_a_matcher(self, g: _G) -> _Fail:
        what = self.text[g.start:g.end]
        if g.kind == "lit" and g.tok.kind == "char":
            return _quote_error(g.tok)
        if g.kind == "ident":
            spec, problem, suggestion = _resolve(what, self.syntax, self.protocol)
            name = spec.name if spec is not None else (suggestion if problem == "casing" else None)
            if name:
                return _Fail(f"{what} is not a matcher call; write {name}(`...`)", g.start, g.end, "not-a-matcher")
            return _Fail(f"expected a matcher such as Host(`example.com`), found {what}", g.start, g.end,
                         "not-a-matcher")
        return _Fail(f"expected a matcher such as Host(`example.com`), found {what}", g.start, g.end, "not-a-matcher")

    def call(self, g: _G, negated: bool) -> Matcher:
        fun, args = g.kids[0], g.kids[1:]
        if fun.kind != "ident":
            name = self.text[fun.start:fun.end]
            raise _Fail(f"{name} is not a matcher", fun.start, fun.end, "not-a-matcher")
        out_args: list[Arg] = []
        for a in args:
            if a.kind == "lit" and a.tok.kind == "string":
                q = a.tok.text[0]
                out_args.append(Arg(a.tok.value, a.start, a.end, q, a.tok.offsets))
            elif a.kind == "lit" and a.tok.kind == "char":
                raise _quote_error(a.tok)
            elif a.kind == "call":
                inner = self.text[a.kids[0].start:a.kids[0].end]
                raise _Fail(f"matchers cannot be nested: {inner}(...) is an argument of {fun.tok.text}; "
                            "combine matchers with && or ||", a.start, a.end, "syntax")
            else:
                word = self.text[a.start:a.end]
                raise _Fail(f"the argument {word} is not a string; write {fun.tok.text}(`{word}`)", a.start, a.end,
                            "unquoted")
        spec, problem, suggestion = _resolve(fun.tok.text, self.syntax, self.protocol)
        m = Matcher(fun.tok.text, fun.start, fun.end, g.end, out_args, negated, spec, problem, suggestion)
        self.matchers.append(m)
        return m


def _quote_error(tok: Token) -> _Fail:
    inner = tok.text[1:-1] if tok.text.endswith("'") and len(tok.text) > 1 else tok.text[1:]
    return _Fail(f"single quotes do not delimit strings in rules; write `{inner}` (backticks) or \"{inner}\"",
                 tok.start, tok.end, "quote")


def parse(text: str, syntax: str = "v3", protocol: str = "http") -> ParsedRule:
    """Parse ``text`` as Traefik parses a router rule of ``protocol`` ("http"/"tcp") under ``syntax`` ("v2"/"v3")."""
    syntax = "v2" if syntax == "v2" else "v3"
    protocol = "tcp" if protocol == "tcp" else "http"
    out = ParsedRule(text, syntax, protocol)
    ev = _Evaluator(text, syntax, protocol)
    try:
        toks = tokenize(text)
        g = _GoParser(text, toks).parse()
        out.tree = ev.node(g)
    except _Fail as fail:
        out.error = fail.error
        out.tree = None
    out.matchers = ev.matchers
    return out


# ------------------------------------------------------- mux templates (v2)


@dataclass(frozen=True)
class Template:
    """A ``{name}`` / ``{name:pattern}`` variable of a gorilla/mux template (v2 Path, PathPrefix, HostRegexp)."""

    name: str
    pattern: str | None  # None: the default pattern
    start: int  # offset of "{" in the argument value
    end: int  # offset after "}"
    pattern_start: int  # offset of the pattern in the argument value


def templates(value: str) -> tuple[list[Template], str | None]:
    """The variables of a mux template, or an error as gorilla/mux reports it (``braceIndices``)."""
    level, idx = 0, 0
    spans: list[tuple[int, int]] = []
    for i, ch in enumerate(value):
        if ch == "{":
            level += 1
            if level == 1:
                idx = i
        elif ch == "}":
            level -= 1
            if level == 0:
                spans.append((idx, i + 1))
            elif level < 0:
                return [], f"mux: unbalanced braces in {value!r}"
    if level != 0:
        return [], f"mux: unbalanced braces in {value!r}"
    out = []
    for a, b in spans:
        body = value[a + 1:b - 1]
        name, colon, pattern = body.partition(":")
        if not name or (colon and not pattern):
            return [], f"mux: missing name or pattern in {value[a:b]!r}"
        out.append(Template(name, pattern if colon else None, a, b, a + 1 + len(name) + 1))
    return out, None


# -------------------------------------------------------- source positions


class Locator:
    """Maps offsets inside a scalar's value to positions in its file.

    The scalar's region is decoded again from the source text, keeping the
    position of every character (YAML plain, single- and double-quoted,
    literal and folded block scalars; TOML basic, literal and multi-line
    strings); the value is then found in the decoded text (a label's value
    is the end of its ``key=value`` item).  When that does not line up, every
    offset maps to the scalar's whole span: a finding may then be less
    precise, never misplaced.
    """

    def __init__(self, node: CNode, source: SourceText | None):
        self.node = node
        self.src = source
        self._pos: list[int] | None = None  # file offset of each character of the rule text
        self._end: int | None = None
        if source is not None and node.is_scalar:
            try:
                self._build()
            except (IndexError, ValueError):  # pragma: no cover - defensive: fall back to the whole span
                self._pos = None

    def _build(self) -> None:
        node, src = self.node, self.src
        text = node.text() or ""
        written = node.raw if node.raw is not None else text
        lo, hi = src.region(node.span)
        toml = node.span.path.lower().endswith(".toml")
        decoded, offs = (_decode_toml if toml else _decode_yaml)(src.text, lo, hi)
        base = 0 if decoded == written else (len(decoded) - len(written) if decoded.endswith(written) else decoded.find(written))
        if base < 0:
            return
        pos = offs[base:base + len(written)]
        if written != text:  # compose: "$$" written, "$" received
            mapped, k = [], 0
            while k < len(written):
                mapped.append(pos[k])
                k += 2 if written.startswith("$$", k) else 1
            pos = mapped
        if len(pos) != len(text):
            return
        self._pos = pos
        after = base + len(written)
        self._end = offs[after] if after < len(offs) else (pos[-1] + 1 if pos else lo)

    @property
    def exact(self) -> bool:
        return self._pos is not None

    def span(self, start: int, end: int | None = None) -> Span:
        """The file span of rule characters ``start:end`` (the whole scalar if they cannot be placed)."""
        pos = self._pos
        if not pos:
            return self.node.span
        n = len(pos)
        if end is None or end <= start:
            end = start + 1
        if start >= n:  # just past the rule's end ("missing ')'")
            a = self._end if self._end is not None else pos[-1] + 1
            b = a + 1
        else:
            a = pos[start]
            last = pos[min(end, n) - 1]
            b = last + 1
            if end < n and pos[end] > b and "\n" not in self.src.text[last:pos[end]]:
                b = pos[end]  # the last character was written with more than one (an escape, a doubled quote)
            b = max(b, a + 1)
        line, col = self.src.position(a)
        eline, ecol = self.src.position(b)
        return Span(self.node.span.path, line, col, eline, ecol)


def _fold_break(text: str, j: int, hi: int, out: list[str], offs: list[int]) -> int:
    """A line break inside a flow scalar at ``j``: one break is a space, n breaks are n-1 newlines.

    Trailing blanks before the break were already dropped by the caller;
    returns the offset of the first character of the next non-empty line."""
    breaks = 0
    k = j
    while k < hi and text[k] in "\r\n \t":
        if text[k] == "\n":
            breaks += 1
        k += 1
    if breaks == 1:
        out.append(" ")
        offs.append(j)
    else:
        out.extend("\n" * (breaks - 1))
        offs.extend([j] * (breaks - 1))
    return k


def _strip_trailing(out: list[str], offs: list[int], keep: int) -> None:
    while len(out) > keep and out[-1] in " \t":
        out.pop()
        offs.pop()


def _decode_yaml(text: str, lo: int, hi: int) -> tuple[str, list[int]]:
    out: list[str] = []
    offs: list[int] = []
    if lo >= hi:
        return "", offs
    first = text[lo]
    if first in "|>":
        return _decode_block(text, lo, hi)
    if first == "'":
        j = lo + 1
        end = hi - 1 if text[hi - 1] == "'" else hi
        while j < end:
            c = text[j]
            if c == "'" and j + 1 < end and text[j + 1] == "'":
                out.append("'")
                offs.append(j)
                j += 2
            elif c in "\r\n":
                _strip_trailing(out, offs, 0)
                j = _fold_break(text, j, end, out, offs)
            else:
                out.append(c)
                offs.append(j)
                j += 1
        return "".join(out), offs
    if first == '"':
        j = lo + 1
        end = hi - 1 if text[hi - 1] == '"' else hi
        while j < end:
            c = text[j]
            if c == "\\" and j + 1 < end:
                e = text[j + 1]
                if e in "\r\n":  # escaped line break: joined without a space
                    k = j + 1
                    while k < end and text[k] in "\r\n":
                        k += 1
                    while k < end and text[k] in " \t":
                        k += 1
                    j = k
                    continue
                width = {"x": 2, "u": 4, "U": 8}.get(e)
                if width:
                    out.append(chr(int(text[j + 2:j + 2 + width], 16)))
                    offs.append(j)
                    j += 2 + width
                    continue
                out.append(_YAML_ESCAPES.get(e, e))
                offs.append(j)
                j += 2
            elif c in "\r\n":
                _strip_trailing(out, offs, 0)
                j = _fold_break(text, j, end, out, offs)
            else:
                out.append(c)
                offs.append(j)
                j += 1
        return "".join(out), offs
    j = lo
    while j < hi:  # plain scalar
        c = text[j]
        if c in "\r\n":
            _strip_trailing(out, offs, 0)
            j = _fold_break(text, j, hi, out, offs)
        else:
            out.append(c)
            offs.append(j)
            j += 1
    return "".join(out), offs


_YAML_ESCAPES = {"0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f", "r": "\r",
                 "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0", "L": "\u2028",
                 "P": "\u2029"}


def _decode_block(text: str, lo: int, hi: int) -> tuple[str, list[int]]:
    """A literal (``|``) or folded (``>``) block scalar; chomping is ignored (the value is searched for)."""
    header_end = text.find("\n", lo, hi)
    if header_end < 0:
        return "", []
    folded = text[lo] == ">"
    lines: list[tuple[int, int]] = []  # (start, end) of each content line, without the line break
    j = header_end + 1
    while j < hi:
        k = text.find("\n", j, hi)
        k = hi if k < 0 else k
        lines.append((j, k - 1 if k > j and text[k - 1] == "\r" else k))
        j = k + 1
    indent = next((len(text[a:b]) - len(text[a:b].lstrip(" ")) for a, b in lines if text[a:b].strip()), None)
    if indent is None:
        return "", []
    out: list[str] = []
    offs: list[int] = []
    started = False
    prev_normal = False
    blanks = 0
    for a, b in lines:
        if not text[a:b].strip():
            blanks += 1
            continue
        content = a + indent
        normal = not (content < b and text[content] in " \t")
        if started:
            if folded and prev_normal and normal:
                breaks = ["\n"] * blanks if blanks else [" "]
            else:
                breaks = ["\n"] * (blanks + 1)
            out.extend(breaks)
            offs.extend([a - 1] * len(breaks))
        else:
            out.extend(["\n"] * blanks)
            offs.extend([a - 1] * blanks)
        for p in range(content, b):
            out.append(text[p])
            offs.append(p)
        started, prev_normal, blanks = True, normal, 0
    header = text[lo:header_end].split("#", 1)[0]
    if "-" not in header and out:  # clip (one final line break) or keep (all of them)
        last_end = max(b for _, b in lines if text[_:b].strip()) if lines else hi
        finals = 1 + (blanks if "+" in header else 0)
        out.extend("\n" * finals)
        offs.extend([last_end] * finals)
    return "".join(out), offs


def _decode_toml(text: str, lo: int, hi: int) -> tuple[str, list[int]]:
    out: list[str] = []
    offs: list[int] = []
    if text.startswith(('"""', "'''"), lo):
        q = text[lo:lo + 3]
        j = lo + 3
        end = hi - 3 if text.startswith(q, hi - 3) else hi
        if j < end and text[j] == "\n":
            j += 1
        elif text.startswith("\r\n", j):
            j += 2
        while j < end:
            c = text[j]
            if q == '"""' and c == "\\":
                e = text[j + 1] if j + 1 < end else ""
                if e in " \t\r\n":  # line-ending backslash: trims the break and the next whitespace
                    k = j + 1
                    while k < end and text[k] in " \t\r\n":
                        k += 1
                    j = k
                    continue
                j = _toml_escape(text, j, out, offs)
                continue
            out.append(c)
            offs.append(j)
            j += 1
        return "".join(out), offs
    if lo < hi and text[lo] in "\"'":
        q = text[lo]
        j = lo + 1
        end = hi - 1 if text[hi - 1] == q else hi
        while j < end:
            if q == '"' and text[j] == "\\":
                j = _toml_escape(text, j, out, offs)
                continue
            out.append(text[j])
            offs.append(j)
            j += 1
        return "".join(out), offs
    return text[lo:hi], list(range(lo, hi))


def _toml_escape(text: str, j: int, out: list[str], offs: list[int]) -> int:
    e = text[j + 1]
    width = {"u": 4, "U": 8}.get(e)
    if width:
        out.append(chr(int(text[j + 2:j + 2 + width], 16)))
        offs.append(j)
        return j + 2 + width
    out.append({"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", "e": "\x1b"}.get(e, e))
    offs.append(j)
    return j + 2


# ------------------------------------------------------ the model's rules


@dataclass(eq=False)
class RouterRule:
    """One router rule of the deployment model, parsed with the syntax Traefik would use."""

    router: object  # resources.Resource (an HTTP or TCP router, or one IngressRoute* route)
    node: CNode  # the rule / match scalar
    text: str
    protocol: str  # "http" | "tcp"
    syntax: str  # "v2" | "v3": how Traefik parses it
    syntax_reason: str  # for messages: "ruleSyntax: v2", "core.defaultRuleSyntax: v2", "Traefik v2"
    syntax_node: CNode | None  # the router's ruleSyntax / syntax scalar, if any
    parsed: ParsedRule
    locator: Locator

    def span(self, start: int, end: int | None = None) -> Span:
        return self.locator.span(start, end)

    def owner(self) -> str:
        return self.router.describe()  # type: ignore[attr-defined]

    @property
    def version(self) -> int:
        return 3 if self.syntax == "v3" else 2


def default_syntax(project) -> tuple[str, str, CNode | None]:
    """The syntax of routers that set none: ``(syntax, why, core.defaultRuleSyntax node)``."""
    if project.version == 2:
        return "v2", "Traefik v2", None
    for s in project.static:
        node = s.root.find("core.defaultRuleSyntax")
        if node is not None and node.is_scalar and node.text():
            value = node.text() or ""
            return ("v2" if value == "v2" else "v3"), f"core.defaultRuleSyntax={value}", node
    return "v3", "Traefik v3", None


def rule_node(router) -> CNode | None:
    """The rule of a router resource: ``rule`` (file, labels) or ``match`` (IngressRoute*)."""
    node = router.node
    if not node.is_map:
        return None
    return node.get("match") if router.source == "crd" else node.get("rule")


def syntax_node(router) -> CNode | None:
    node = router.node
    if not node.is_map:
        return None
    return node.get("syntax") if router.source == "crd" else node.get("ruleSyntax")


def has_tls(router) -> bool:
    """Whether the router terminates or passes through TLS (file/labels ``tls``, IngressRoute* ``spec.tls``)."""
    if router.source == "crd":
        spec = router.manifest.get("spec") if router.manifest is not None else None
        tls = spec.get("tls") if spec is not None and spec.is_map else None
        return tls is not None
    tls = router.node.get("tls") if router.node.is_map else None
    if tls is None:
        return False
    if tls.is_scalar:
        return tls.as_bool() is not False
    return True


def matchers(project, syntax: str | None = None):
    """(router rule, matcher) for every matcher of every rule that parses (only rules read with
    ``syntax`` when it is given), in router order."""
    for rr in router_rules(project):
        if rr.parsed.error is not None or syntax is not None and rr.syntax != syntax:
            continue
        for m in rr.parsed.matchers:
            yield rr, m


def router_rules(project) -> list[RouterRule]:
    """Every HTTP and TCP router rule of the project, parsed (cached on the project)."""
    cache = project.__dict__.get("_router_rules")
    if cache is not None:
        return cache
    from golint_traefik.traefik.cmdline import compose_unescape
    from golint_traefik.traefik.resources import ROUTER

    sources: dict[str, SourceText] = {}
    default, default_why, _ = default_syntax(project)
    out: list[RouterRule] = []
    for res in project.resources:
        if res.kind != ROUTER or res.protocol not in ("http", "tcp"):
            continue
        node = rule_node(res)
        if node is None or not node.is_scalar or node.value is None:
            continue
        text = node.text() or ""
        if MARK in text or res.templated:
            continue  # written by a template: unknown before rendering
        if node.origin == "labels" and compose_unescape(node.raw if node.raw is not None else text)[1]:
            continue  # holds ${VARIABLES}
        snode = syntax_node(res)
        syntax, why = default, default_why
        if project.version >= 3 and snode is not None and snode.is_scalar and snode.text():
            value = snode.text() or ""
            key = "syntax" if res.source == "crd" else "ruleSyntax"
            syntax, why = ("v2" if value == "v2" else "v3"), f"{key}: {value}"
        path = node.span.path
        if path not in sources and path in project.texts:
            sources[path] = SourceText(path, project.texts[path])
        out.append(RouterRule(res, node, text, res.protocol, syntax, why, snode, parse(text, syntax, res.protocol),
                              Locator(node, sources.get(path))))
    project.__dict__["_router_rules"] = out
    return out


def suggest_v3(m: Matcher, rule: str) -> str | None:
    """The v3 spelling of a v2 matcher call, or None when there is no mechanical rewrite."""
    args = [a.source(rule) for a in m.args]
    if m.spec is not None and m.spec.syntax == "v3" and len(args) > 1 and m.spec.arities == (1,):
        return " || ".join(f"{m.canonical}({a})" for a in args)
    name = m.suggestion or m.name
    target = V3_REPLACEMENT.get(name)
    if target is None:
        return None
    if name == "HostHeader":
        return " || ".join(f"Host({a})" for a in args) if args else None
    if len(args) == 2:
        return f"{target}({args[0]}, {args[1]})"
    if len(args) > 2 and len(args) % 2 == 0:
        return " && ".join(f"{target}({args[i]}, {args[i + 1]})" for i in range(0, len(args), 2))
    return None
