"""Static configuration written as CLI flags or ``TRAEFIK_*`` environment variables.

Both become :class:`Setting` lists (dotted key relative to the static root,
value, and the exact spans of the key and value text), which
:func:`~golint_traefik.traefik.tree.build_dotted` turns into a tree shaped
like ``traefik.yml``.

Flags follow paerser's flag parser: ``--name=value``, or ``--name value``,
or a bare ``--name`` meaning ``true`` (bool and pointer options: ``--api``,
``--api.insecure``, ``--providers.docker``).  paerser decides between the
last two from the option's type; we do not carry the types, so a bare flag
followed by a token that is not a flag takes that token as its value, and is
``true`` otherwise.  Keys are case-insensitive.  Environment variables
follow paerser's env decoder: ``TRAEFIK_API_INSECURE`` is ``api.insecure``
(lower-cased, ``_`` as the separator).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from golint_traefik.finding import Span
from golint_traefik.traefik.tree import CNode, SourceText

ENV_PREFIX = "TRAEFIK_"
_BINARY = re.compile(r"^(?:.*/)?traefik$")
# Compose interpolation: "$$" is a literal "$"; "$VAR" / "${VAR...}" is substituted.
_COMPOSE_VAR = re.compile(r"\$(?:\$|\{|[A-Za-z_])")


@dataclass
class Setting:
    key: str  # dotted, relative to the static root: "api.insecure"
    value: str
    key_span: Span
    value_span: Span
    raw: str | None = None  # value as written, when compose unescaping changed it
    dynamic: bool = False  # the value (or key) holds an interpolation we cannot resolve


@dataclass
class Token:
    text: str  # the token as the program receives it (quotes removed)
    written: str  # the token as written in the source scalar
    start: int  # offset of ``written`` in the file, or -1 when it could not be placed
    fallback: Span  # the scalar holding it

    def span(self, src: SourceText, a: int, b: int) -> Span:
        """Span of ``written[a:b]``."""
        if self.start < 0:
            return self.fallback
        return src.span(self.start + a, self.start + b)


def compose_unescape(text: str) -> tuple[str, bool]:
    """A compose value after interpolation: ``$$`` -> ``$``; also whether it uses ``$VAR``/``${VAR}``."""
    dynamic = False

    def sub(m: re.Match) -> str:
        nonlocal dynamic
        if m.group(0) == "$$":
            return "$"
        dynamic = True
        return m.group(0)

    return _COMPOSE_VAR.sub(sub, text), dynamic


def split_words(text: str) -> list[tuple[str, str, int]]:
    """Shell-like words of ``text``: ``(unquoted, as written, offset)``."""
    words: list[tuple[str, str, int]] = []
    i, n = 0, len(text)
    while i < n:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            break
        start = i
        out: list[str] = []
        while i < n and not text[i].isspace():
            c = text[i]
            if c in "\"'":
                j = i + 1
                while j < n and text[j] != c:
                    if c == '"' and text[j] == "\\" and j + 1 < n:
                        j += 1
                    out.append(text[j])
                    j += 1
                i = j + 1
            elif c == "\\" and i + 1 < n:
                out.append(text[i + 1])
                i += 2
            else:
                out.append(c)
                i += 1
        words.append(("".join(out), text[start:i], start))
    return words


def tokens(node: CNode, src: SourceText) -> list[Token]:
    """The words of a ``command``/``args`` value: a sequence of strings or one shell-like string."""
    out: list[Token] = []
    if node.is_seq:
        for item in node.items:
            text = item.text()
            if text is None:
                continue
            lo, hi = src.region(item.span)
            at = src.find(text, lo, hi)
            out.append(Token(text, text, at, item.span))
    elif node.is_scalar and node.text():
        text = node.text() or ""
        lo, hi = src.region(node.span)
        cursor = lo
        for word, written, _ in split_words(text):
            at = src.find(written, cursor, hi)
            if at >= 0:
                cursor = at + len(written)
            out.append(Token(word, written, at, node.span))
    return out


def parse_flags(toks: list[Token], src: SourceText, *, compose: bool = False) -> tuple[list[Setting], bool]:
    """Settings from Traefik's arguments, and whether there were any arguments at all.

    A leading ``traefik`` (or ``/path/traefik``) word is skipped, as the
    official image's entrypoint does.  Anything else that does not start
    with ``-`` means the command is not Traefik's flags: no settings.
    """
    words = list(toks)
    if words and _BINARY.match(words[0].text):
        words = words[1:]
    if not words:
        return [], False
    if not words[0].text.startswith("-"):
        return [], False
    out: list[Setting] = []
    i = 0
    while i < len(words):
        tok = words[i]
        i += 1
        text = tok.text
        if not text.startswith("-") or text in ("-", "--"):
            continue
        dashes = 2 if text.startswith("--") else 1
        body = text[dashes:]
        if "=" in body:
            name, _, value = body.partition("=")
            key_span, key_end = _place(tok, src, "-" * dashes + name, 0)
            value_span, _ = _place(tok, src, value, key_end) if value else (key_span, key_end)
        elif i < len(words) and not words[i].text.startswith("-"):
            name, value = body, words[i].text
            key_span, _ = _place(tok, src, "-" * dashes + name, 0)
            value_span, _ = _place(words[i], src, value, 0)
            i += 1
        else:
            name, value = body, "true"
            key_span, _ = _place(tok, src, "-" * dashes + name, 0)
            value_span = key_span
        if name.lower().startswith("traefik."):
            name = name[len("traefik."):]
        raw = None
        dynamic = False
        if compose:
            unescaped, dynamic = compose_unescape(value)
            if unescaped != value:
                raw, value = value, unescaped
            dynamic = dynamic or compose_unescape(name)[1]
        out.append(Setting(name, value, key_span, value_span, raw, dynamic))
    return out, True


def _place(tok: Token, src: SourceText, part: str, after: int) -> tuple[Span, int]:
    """Span of ``part`` inside the token as written (searching from ``after``), and where it ends."""
    at = tok.written.find(part, after) if tok.start >= 0 else -1
    if at < 0:
        return tok.fallback, after
    return tok.span(src, at, at + len(part)), at + len(part)


def env_setting(name: str, value: str, key_span: Span, value_span: Span, *, compose: bool = False) -> Setting | None:
    """The setting a ``TRAEFIK_*`` variable makes, or None for other variables."""
    if not name.upper().startswith(ENV_PREFIX) or len(name) <= len(ENV_PREFIX):
        return None
    key = name[len(ENV_PREFIX):].lower().replace("_", ".")
    raw = None
    dynamic = False
    if compose:
        unescaped, dynamic = compose_unescape(value)
        if unescaped != value:
            raw, value = value, unescaped
    return Setting(key, value, key_span, value_span, raw, dynamic)


def dotenv_settings(path: str, text: str) -> list[Setting]:
    """``TRAEFIK_*`` settings of a compose ``env_file`` (dotenv format), with spans in that file.

    One ``NAME=value`` per line, an optional ``export`` before the name,
    ``#`` comment lines; an unquoted value is trimmed and ends at a ``#``
    after a blank; a single-quoted value is literal; a double-quoted one
    knows backslash escapes; quoted values may span lines.  A later line
    setting the same variable wins, as in compose.  Values holding
    ``$VAR``/``${VAR}`` (not single-quoted) are marked dynamic.
    """
    src = SourceText(path, text)
    found: dict[str, Setting] = {}
    i, n = 0, len(text)
    while i < n:
        nl = text.find("\n", i)
        line_end = n if nl < 0 else nl
        start = i
        i = line_end + 1
        while start < line_end and text[start] in " \t":
            start += 1
        if text.startswith("export", start) and start + 6 < line_end and text[start + 6] in " \t":
            start += 7
            while start < line_end and text[start] in " \t":
                start += 1
        if start >= line_end or text[start] == "#":
            continue
        eq = text.find("=", start, line_end)
        if eq < 0:
            continue  # "NAME" alone: the value comes from compose's own environment
        name = text[start:eq].rstrip(" \t")
        key_span = src.span(start, start + len(name))
        v = eq + 1
        while v < line_end and text[v] in " \t":
            v += 1
        quote = text[v] if v < line_end and text[v] in "'\"" else ""
        if quote:
            chars: list[str] = []
            k = v + 1
            while k < n and text[k] != quote:
                if quote == '"' and text[k] == "\\" and k + 1 < n:
                    nxt = text[k + 1]
                    chars.append({"n": "\n", "t": "\t", "r": "\r"}.get(nxt, nxt if nxt in "\"\\$" else "\\" + nxt))
                    k += 2
                    continue
                chars.append(text[k])
                k += 1
            value = "".join(chars)
            value_span = src.span(v + 1, min(k, n))
            nl = text.find("\n", k)
            i = n if nl < 0 else nl + 1
        else:
            rest = text[v:line_end].rstrip("\r")
            m = re.search(r"[ \t]#", rest)
            value = (rest[:m.start()] if m else rest).rstrip(" \t")
            value_span = src.span(v, v + len(value)) if value else key_span
        s = env_setting(name, value, key_span, value_span, compose=quote != "'")
        if s is not None:
            found.pop(s.key, None)
            found[s.key] = s
    return list(found.values())


def env_settings(node: CNode, src: SourceText, *, compose: bool) -> list[Setting]:
    """``TRAEFIK_*`` settings of an environment block.

    Compose: a list of ``NAME=value`` strings or a map.  Kubernetes: a list
    of ``{name, value}`` maps (``valueFrom`` entries have no literal value
    and are skipped).
    """
    out: list[Setting] = []
    if node.is_map:
        for entry in node.entries:
            value = entry.text()
            if value is None:
                continue
            s = env_setting(entry.key or "", value, entry.where, entry.span, compose=compose)
            if s:
                out.append(s)
    elif node.is_seq:
        for item in node.items:
            if item.is_map:
                name, value = item.get("name"), item.get("value")
                if name is None or value is None or value.text() is None:
                    continue
                s = env_setting(name.text() or "", value.text() or "", name.span, value.span, compose=compose)
            elif item.is_scalar and item.text():
                text = item.text() or ""
                name, eq, value = text.partition("=")
                if not eq:
                    continue
                lo, hi = src.region(item.span)
                at = src.find(text, lo, hi)
                if at >= 0:
                    key_span = src.span(at, at + len(name))
                    value_span = src.span(at + len(name) + 1, at + len(text))
                else:
                    key_span = value_span = item.span
                s = env_setting(name, value, key_span, value_span, compose=compose)
            else:
                continue
            if s:
                out.append(s)
    return out
