"""Route patterns of the Go router libraries, and whether a request path can reach them.

Each library writes path patterns its own way:

=================  ==========================  =====================  =========================
syntax             one segment                 the rest of the path   trailing slash
=================  ==========================  =====================  =========================
servemux (1.22+)   ``{id}``                    ``{path...}``, a       ``/x/`` is a subtree
                                               pattern ending in /    (``{$}`` ends it)
servemux-legacy    --                          a pattern ending in /  ``/x/`` is a subtree
gorilla            ``{id}``, ``{id:[0-9]+}``   ``PathPrefix``         exact
chi                ``{id}``, ``{id:regexp}``   ``*`` at the end       exact
gin                ``:id``                     ``*path`` at the end   redirected (either works)
echo               ``:id``                     ``*``                  exact
fiber              ``:id``, ``:id?``           ``*``, ``+``           ignored; case-insensitive
=================  ==========================  =====================  =========================

A pattern becomes a list of tokens (:class:`Pattern`); :func:`matches`
says whether it answers one concrete path, :func:`prefix_compatible`
whether it answers *some* path that starts with a given prefix (what a
Traefik ``PathPrefix`` router can send).  Regular expressions in patterns
are tried with Python's ``re`` (close to Go's RE2 for the simple classes
used in routes); one Python cannot compile counts as "any segment".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

LIT, SEG, OPT, REST, REST1 = "lit", "seg", "opt", "rest", "rest1"


@dataclass(frozen=True)
class Pattern:
    """A tokenised route path: ``tokens`` are (kind, text) with kind LIT, SEG (text: a regexp or ""),
    OPT (an optional segment with its leading slash), REST (anything, also empty) or REST1 (anything non-empty)."""

    tokens: tuple[tuple[str, str], ...]
    nocase: bool = False
    slash_optional: bool = False
    redirect_subtree: bool = False  # ServeMux: "/x" is redirected to a registered "/x/"
    source: str = ""

    @property
    def literal(self) -> str | None:
        """The path when the pattern has no variable part."""
        if all(k == LIT for k, _ in self.tokens):
            return "".join(t for _, t in self.tokens)
        return None


def join(prefix: str, path: str) -> str:
    """A group prefix followed by a route path, as the libraries concatenate them."""
    if not prefix:
        return path
    if not path:
        return prefix
    if path.startswith("/"):
        return prefix.rstrip("/") + path
    return prefix.rstrip("/") + "/" + path


def _braces(text: str, i: int) -> int:
    """Index after the ``}`` closing the ``{`` at ``i`` (nested braces inside regexps count), or -1."""
    depth = 0
    for j in range(i, len(text)):
        if text[j] == "{":
            depth += 1
        elif text[j] == "}":
            depth -= 1
            if depth == 0:
                return j + 1
    return -1


@lru_cache(maxsize=4096)
def parse(path: str, syntax: str, subtree: bool = False) -> Pattern:
    """The :class:`Pattern` of a route path in ``syntax``; ``subtree`` adds "and everything below"."""
    toks: list[tuple[str, str]] = []
    nocase = slash_opt = redirect = False

    def lit(s: str) -> None:
        if not s:
            return
        if toks and toks[-1][0] == LIT:
            toks[-1] = (LIT, toks[-1][1] + s)
        else:
            toks.append((LIT, s))

    if syntax in ("servemux", "servemux-legacy"):
        redirect = True
        if syntax == "servemux-legacy":
            lit(path)
            if path.endswith("/"):
                toks.append((REST, ""))
        else:
            segs = path.split("/")
            ended = False
            for n, seg in enumerate(segs):
                if n:
                    lit("/")
                if seg == "{$}":
                    ended = True
                    break
                if seg.startswith("{") and seg.endswith("}"):
                    inner = seg[1:-1]
                    toks.append((REST, "") if inner.endswith("...") else (SEG, ""))
                else:
                    lit(seg)
            if path.endswith("/") and not ended:
                toks.append((REST, ""))
    elif syntax in ("gorilla", "chi", "traefik-v2"):
        i = 0
        while i < len(path):
            c = path[i]
            if c == "{":
                end = _braces(path, i)
                if end < 0:
                    lit(path[i:])
                    break
                inner = path[i + 1 : end - 1]
                _, colon, rx = inner.partition(":")
                toks.append((SEG, rx if colon else ""))
                i = end
            elif c == "*" and syntax == "chi" and i == len(path) - 1:
                toks.append((REST, ""))
                i += 1
            else:
                lit(c)
                i += 1
    elif syntax in ("gin", "echo", "fiber"):
        nocase = syntax == "fiber"
        slash_opt = syntax in ("gin", "fiber")
        i = 0
        while i < len(path):
            c = path[i]
            if c == ":" and (i == 0 or path[i - 1] == "/" or syntax != "gin"):
                j = i + 1
                while j < len(path) and (path[j].isalnum() or path[j] == "_"):
                    j += 1
                if j < len(path) and path[j] == "?" and syntax == "fiber":
                    if toks and toks[-1][0] == LIT and toks[-1][1].endswith("/"):
                        rest = toks[-1][1][:-1]
                        toks.pop()
                        lit(rest)
                    toks.append((OPT, ""))
                    j += 1
                else:
                    toks.append((SEG, ""))
                i = j
            elif c == "*":
                toks.append((REST, ""))
                i += 1
                if syntax == "gin":
                    while i < len(path) and path[i] != "/":
                        i += 1
            elif c == "+" and syntax == "fiber":
                toks.append((REST1, ""))
                i += 1
            else:
                lit(c)
                i += 1
    else:
        lit(path)
    if subtree and (not toks or toks[-1][0] not in (REST, REST1)):
        toks.append((REST, ""))
    return Pattern(tuple(toks), nocase, slash_opt, redirect, path)


def any_path() -> Pattern:
    return Pattern(((REST, ""),), source="*")


def under_unknown_prefix(p: Pattern) -> Pattern:
    """``p`` mounted below a prefix that could not be worked out: anything, then ``p``."""
    return Pattern(((REST, ""),) + p.tokens, p.nocase, p.slash_optional, p.redirect_subtree, "…" + p.source)


@lru_cache(maxsize=4096)
def _regex(p: Pattern) -> re.Pattern:
    out = []
    for kind, text in p.tokens:
        if kind == LIT:
            out.append(re.escape(text))
        elif kind == SEG:
            rx = None
            if text:
                try:
                    re.compile(text)
                    rx = f"(?:{text})"
                except re.error:
                    rx = None
            out.append(rx or "[^/]+")
        elif kind == OPT:
            out.append("(?:/[^/]*)?")
        elif kind == REST:
            out.append(".*")
        else:
            out.append(".+")
    return re.compile("".join(out), re.I | re.S if p.nocase else re.S)


def matches(p: Pattern, path: str) -> bool:
    """Whether the route answers a request for ``path`` (trailing-slash redirects included)."""
    rx = _regex(p)
    if rx.fullmatch(path):
        return True
    if p.slash_optional:
        alt = path[:-1] if path.endswith("/") and len(path) > 1 else path + "/"
        if rx.fullmatch(alt):
            return True
    if p.redirect_subtree and not path.endswith("/") and rx.fullmatch(path + "/"):
        return True
    return False


def prefix_compatible(p: Pattern, prefix: str) -> bool:
    """Whether the route answers some path that starts with ``prefix`` (a plain string prefix)."""
    toks = p.tokens
    q = prefix.lower() if p.nocase else prefix
    if p.nocase:
        toks = tuple((k, t.lower() if k == LIT else t) for k, t in toks)
    if _compat(toks, 0, q, 0, 0):
        return True
    if p.slash_optional and q.endswith("/") and len(q) > 1:
        return matches(p, prefix[:-1])
    if p.redirect_subtree and not q.endswith("/"):
        return _compat(toks, 0, q + "/", 0, 0)
    return False


def _compat(toks, i: int, q: str, j: int, depth: int) -> bool:
    if j >= len(q):
        return True  # the prefix is used up: the rest of the pattern can be filled in
    if depth > 200 or i >= len(toks):
        return False
    kind, text = toks[i]
    if kind == LIT:
        n = min(len(text), len(q) - j)
        if q[j : j + n] != text[:n]:
            return False
        return _compat(toks, i + 1, q, j + n, depth + 1) if n == len(text) else True
    if kind in (REST, REST1):
        return True
    if kind == OPT:
        if _compat(toks, i + 1, q, j, depth + 1):
            return True
        if q[j] != "/":
            return False
        j += 1
    # SEG (or the segment of an OPT): one or more characters other than '/'
    k = j
    while k < len(q) and q[k] != "/":
        k += 1
        if _compat(toks, i + 1, q, k, depth + 1):
            return True
    return k >= len(q)
