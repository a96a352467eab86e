"""Inline suppressions, applied by the engine to one file's findings (after the rules, before fingerprints).

Go::

    x := f() //golint-traefik:ignore GO301,lost-cancel the caller cancels   (this line)
    //golint-traefik:ignore GO301 the caller cancels                        (alone: the next line)
    //golint-traefik:file-ignore GO301 generated code                       (the whole file)
    //nolint  //nolint:all  //nolint:GO301,lost-cancel,errcheck             (golangci-lint's form)

YAML and TOML::

    insecure: true  # golint-traefik: ignore[TR401] local development only
    # golint-traefik: file-ignore[TR401,api-insecure] local development only

Decisions:

* Rules are named by id (any case) or slug, not by prefix: a suppression names
  what it silences.
* A trailing comment covers its own line; a comment alone on its line covers
  the next line that is not itself a comment-only line, so directives can be
  stacked above one statement.  A finding is matched by its first line.
  (golangci-lint extends a standalone ``//nolint`` to the whole following
  declaration; we do not.)
* A reason is expected, as staticcheck requires for ``//lint:ignore``.  An
  ignore without one still suppresses, so that adding the reason is the only
  fix needed, but it is reported as E005 invalid-suppression.
* E004 unused-suppression: a golint-traefik ignore naming a *selected* rule
  that suppressed nothing.  ``//nolint`` is never reported (it is shared with
  golangci-lint, whose linter names are not ours and are skipped silently),
  and nothing is reported unused in a file where a rule crashed (E003), since
  that rule's findings are unknown.
* E005 invalid-suppression: an unknown rule, an unknown directive, a
  directive naming no rule, a missing reason, or naming an engine diagnostic
  (E001-E005), which cannot be suppressed by comments (use ``--ignore`` or
  ``per-file-ignores``).
* Only real comments count.  In Go, comments come from the tree-sitter tree,
  so a marker inside a string literal is not a directive; the tree is queried
  only when a byte search finds a marker.  Only ``//`` comments are
  directives (as with ``//go:``), and the marker must start the comment.  In
  YAML/TOML the ``#`` must start the line or follow whitespace and not sit
  inside a double-quoted string on that line; a ``#`` line inside a YAML block
  scalar is still taken as a comment (a known, rare limitation).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from golint_traefik.finding import Finding, Span

ENGINE_IDS = frozenset({"E001", "E002", "E003", "E004", "E005"})

_GO_MARKERS = (b"golint-traefik:", b"nolint")
_GO_DIRECTIVE = re.compile(r"//\s*golint-traefik:(\S*)(?:\s+(\S+))?(?:\s+(.*?))?\s*$", re.S)
_NOLINT = re.compile(r"//\s*nolint(?::(\S*))?(?:\s|$)")
_YAML_DIRECTIVE = re.compile(r"#\s*golint-traefik:\s*([\w-]*)\s*(?:\[([^\]]*)\])?\s*(.*?)\s*$")
_GO_USAGE = "expected //golint-traefik:ignore ID[,ID...] reason"
_YAML_USAGE = "expected # golint-traefik: ignore[ID,ID] reason"


@dataclass
class _Directive:
    span: Span  # the comment, where E004/E005 are reported
    line: int | None  # the line it covers; None: the whole file
    rules: frozenset[str] | None  # None: every rule (bare //nolint, //nolint:all)
    audited: bool = True  # False for //nolint: never reported unused
    used: set[str] = field(default_factory=set)


class _Parser:
    """Turns directive comments into :class:`_Directive` and E005 findings."""

    def __init__(self, usage: str):
        from golint_traefik.registry import load_registry

        self.registry = load_registry()
        self.usage = usage
        self.directives: list[_Directive] = []
        self.problems: list[Finding] = []

    def invalid(self, span: Span, message: str) -> None:
        from golint_traefik.engine import engine_finding

        self.problems.append(engine_finding("E005", span, message))

    def ours(self, span: Span, kind: str, names: str | None, reason: str | None, line: int) -> None:
        """A golint-traefik directive: ``kind`` ignore|file-ignore, ``names`` the comma-separated rules."""
        if kind not in ("ignore", "file-ignore"):
            self.invalid(span, f"unknown directive 'golint-traefik:{kind}'; {self.usage}")
            return
        if not names or not names.strip(","):
            self.invalid(span, f"suppression names no rule; {self.usage}")
            return
        ids = set()
        for name in names.split(","):
            if not name.strip():
                continue
            rule = self.registry.get(name.strip())
            if rule is None:
                self.invalid(span, f"suppression names unknown rule {name.strip()!r} (see 'golint-traefik rules')")
            elif rule.meta.id in ENGINE_IDS:
                self.invalid(span, f"{rule.meta.id} ({rule.meta.slug}) cannot be suppressed by a comment; "
                                   "use --ignore or per-file-ignores")
            else:
                ids.add(rule.meta.id)
        if not reason:
            self.invalid(span, "suppression has no reason; say why the finding does not apply")
        if ids:
            self.directives.append(_Directive(span, None if kind == "file-ignore" else line, frozenset(ids)))

    def nolint(self, span: Span, names: str | None, line: int) -> None:
        if not names or any(n.strip().lower() == "all" for n in names.split(",")):
            self.directives.append(_Directive(span, line, None, audited=False))
            return
        ids = frozenset(r.meta.id for r in map(self.registry.get, filter(None, names.split(","))) if r is not None)
        if ids:
            self.directives.append(_Directive(span, line, ids, audited=False))


def _covered(line: int, standalone: bool, comment_lines: set[int]) -> int:
    """The line a directive covers: its own, or (alone on its line) the next non-comment line."""
    if not standalone:
        return line
    line += 1
    while line in comment_lines:
        line += 1
    return line


def _apply(findings: list[Finding], parser: _Parser, selected) -> list[Finding]:
    from golint_traefik.engine import engine_finding

    by_line: dict[int, list[_Directive]] = {}
    whole_file = []
    for d in parser.directives:
        (whole_file if d.line is None else by_line.setdefault(d.line, [])).append(d)
    kept = []
    for f in findings:
        hit = False
        if f.rule_id not in ENGINE_IDS:
            for d in whole_file + by_line.get(f.span.line, []):
                if d.rules is None or f.rule_id in d.rules:
                    d.used.add(f.rule_id)
                    hit = True
        if not hit:
            kept.append(f)
    crashed = any(f.rule_id == "E003" for f in findings)
    if "E004" in selected and not crashed:
        for d in parser.directives:
            for rid in sorted(d.rules - d.used) if d.audited and d.rules else ():
                if rid in selected:
                    where = "in this file" if d.line is None else f"on line {d.line}"
                    slug = parser.registry.meta(rid).slug
                    kept.append(engine_finding("E004", d.span, f"unused suppression: {rid} ({slug}) reports nothing {where}"))
    if "E005" in selected:
        kept.extend(parser.problems)
    return kept


def apply_go(file, findings: list[Finding], selected) -> list[Finding]:
    """Drop the findings of ``file`` (a GoFile) that its comments suppress; add E004/E005."""
    if not file.has(b"lint") or not any(file.has(m) for m in _GO_MARKERS):  # one scan for both markers first
        return findings
    parser = _Parser(_GO_USAGE)
    comments = []
    comment_lines: set[int] = set()
    for node in sorted(file.captures("(comment) @c").get("c", []), key=lambda n: n.start_byte):
        start = file.src.rfind(b"\n", 0, node.start_byte) + 1
        standalone = not file.src[start : node.start_byte].lstrip(b"\xef\xbb\xbf").strip()
        line = node.start_point[0] + 1
        if standalone and file.src.startswith(b"//", node.start_byte):
            comment_lines.add(line)
        comments.append((node, line, standalone))
    for node, line, standalone in comments:
        text = file.text(node)
        if "golint-traefik:" not in text and "nolint" not in text:
            continue
        m = _GO_DIRECTIVE.match(text)
        if m:
            parser.ours(file.span(node), m.group(1), m.group(2), m.group(3), _covered(line, standalone, comment_lines))
            continue
        m = _NOLINT.match(text)
        if m:
            parser.nolint(file.span(node), m.group(1), _covered(line, standalone, comment_lines))
    return _apply(findings, parser, selected)


def _comment_start(line: str) -> int:
    """Index of the ``#`` that starts a comment on ``line``, or -1."""
    i = line.find("#")
    while i >= 0:
        if (i == 0 or line[i - 1] in " \t") and line.count('"', 0, i) % 2 == 0:
            return i
        i = line.find("#", i + 1)
    return -1


def apply_yaml(path: str, text: str, findings: list[Finding], selected) -> list[Finding]:
    """Drop the findings of the YAML/TOML file ``path`` that its comments suppress; add E004/E005."""
    if "golint-traefik:" not in text:
        return findings
    parser = _Parser(_YAML_USAGE)
    lines = text.splitlines()
    comment_lines = {n for n, s in enumerate(lines, 1) if s.lstrip().startswith("#")}
    for n, s in enumerate(lines, 1):
        if "golint-traefik:" not in s:
            continue
        i = _comment_start(s)
        m = _YAML_DIRECTIVE.match(s, i) if i >= 0 else None
        if not m:
            continue
        span = Span(path, n, i + 1, n, len(s.rstrip()) + 1)
        names = m.group(2)
        if m.group(1) in ("ignore", "file-ignore") and names is None:
            parser.invalid(span, f"rules must be given in brackets; {_YAML_USAGE}")
            continue
        parser.ours(span, m.group(1), names, m.group(3), _covered(n, n in comment_lines, comment_lines))
    return _apply(findings, parser, selected)
