"""GitHub Actions annotations: one workflow command per finding.

``::error file=PATH,line=L,endLine=EL,col=C,endColumn=EC,title=ID slug::message``
(``warning`` and ``notice`` for the other severities).  Paths are made
relative to the repository root (the nearest ancestor of the working
directory holding ``.git``), which is what GitHub matches annotations
against.  Columns are given only for single-line spans: GitHub drops them
otherwise.  Related locations and the fix follow the message on extra lines.

Escaping follows the runner: in the message ``%``, CR and LF become ``%25``,
``%0D`` and ``%0A``; property values also escape ``:`` and ``,`` (``%3A``,
``%2C``), which would otherwise end the value.  Other control characters
(ANSI escapes, NUL, tabs, U+2028) are shown escaped, as in the text format.
"""

from __future__ import annotations

import os

from golint_traefik.finding import Finding, Severity
from golint_traefik.report.sarif import repo_relative, repo_root

_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "notice"}


def escape_data(text: str) -> str:
    return _visible(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _visible(text: str) -> str:
    """Control characters but CR and LF shown escaped (``\\x1b``), as in the text format: the runner
    would pass them on, and the log viewer interprets ANSI sequences."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() or ch in "\r\n" else ch.encode("unicode_escape").decode("ascii") for ch in text)


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(findings: list[Finding], cwd: str | None = None) -> str:
    cwd = cwd or os.getcwd()
    root = repo_root(cwd)

    def where(path: str) -> str:
        return repo_relative(path, cwd, root) or path

    out = []
    for f in findings:
        s = f.span
        props = {"file": where(s.path), "line": s.line, "endLine": max(s.end_line, s.line)}
        if s.end_line == s.line:
            props |= {"col": s.col, "endColumn": max(s.end_col, s.col)}
        props["title"] = f"{f.rule_id} {f.slug}"
        lines = [f.message]
        lines += [f"related: {where(r.span.path)}:{r.span.line}:{r.span.col}: {r.message}" for r in f.related]
        if f.fix:
            lines.append(f"fix: {f.fix}")
        head = ",".join(f"{k}={escape_property(str(v))}" for k, v in props.items())
        out.append(f"::{_COMMAND[f.severity]} {head}::{escape_data(chr(10).join(lines))}")
    return "".join(line + "\n" for line in out)
