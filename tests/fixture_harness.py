"""Inline expectations for rule fixtures, in the style of go/analysis ``// want``.

Layout: ``tests/fixtures/<RULE-ID>/<case>`` where a case is one file or one
directory (a directory is one project: several Go files of a package, or a
static config plus dynamic files and a compose file).  Each case is linted on
its own with only that rule selected.

Grammar, the same in Go (``//``) and YAML/TOML/env-file (``#``) comments:

* ``want "regex"`` (one or more quoted regexes) on a line: the rule must
  report on this line, one finding per regex, each message matching its
  regex (``re.search``).  ``want+N "regex"`` expects it N lines further down,
  for lines that cannot carry a comment (inside a YAML block scalar).
* ``ok: reason`` on a line: a near miss; nothing may be reported on it.  Any
  finding without a matching ``want`` fails anyway; ``ok:`` documents why
  the line is fine and proves the rule has negative cases.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
_WANT = re.compile(r"(?:#|//)\s*want(?:\+(\d+))?((?:\s+\"(?:[^\"\\]|\\.)*\")+)")
_WANT_RE = re.compile(r"\"((?:[^\"\\]|\\.)*)\"")
_OK = re.compile(r"(?:#|//)\s*ok:\s*\S")
SOURCE_EXT = (".go", ".yml", ".yaml", ".toml")
# Files a case may hold expectations in: its sources, and compose env files (findings point into them).
EXPECT_EXT = SOURCE_EXT + (".env",)


@dataclass
class Want:
    path: str
    line: int
    pattern: str


def case_files(case: Path) -> list[Path]:
    if case.is_file():
        return [case]
    return sorted(p for p in case.rglob("*") if p.is_file() and p.suffix in EXPECT_EXT)


def parse_expectations(case: Path, cwd: Path) -> tuple[list[Want], set[tuple[str, int]], int]:
    wants: list[Want] = []
    ok_lines: set[tuple[str, int]] = set()
    for f in case_files(case):
        rel = os.path.relpath(f, cwd).replace(os.sep, "/")
        for n, line in enumerate(f.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            m = _WANT.search(line)
            if m:
                shift = int(m.group(1) or 0)
                for pat in _WANT_RE.findall(m.group(2)):
                    wants.append(Want(rel, n + shift, pat.replace('\\"', '"')))
            if _OK.search(line):
                ok_lines.add((rel, n))
    return wants, ok_lines, len(ok_lines)


def rule_cases(rule_id: str) -> list[Path]:
    d = FIXTURES / rule_id
    if not d.is_dir():
        return []
    return sorted(p for p in d.iterdir() if not p.name.startswith(".") and (p.is_dir() or p.suffix in SOURCE_EXT))


def check_case(rule_id: str, case: Path, extra_args: dict | None = None) -> list[str]:
    """Lint one case with only ``rule_id`` selected; return a list of mismatch descriptions."""
    from golint_traefik.engine import Settings, run

    cwd = FIXTURES.parent
    opts = dict(extra_args or {})
    settings = Settings(selected=frozenset({rule_id}), jobs=1, **opts)
    result = run([os.path.relpath(case, cwd)], settings, str(cwd))
    wants, ok_lines, _ = parse_expectations(case, cwd)
    problems: list[str] = []
    got = [f for f in result.findings if f.rule_id == rule_id]
    others = [f for f in result.findings if f.rule_id != rule_id]
    for f in others:
        problems.append(f"unexpected {f.rule_id} at {f.path}:{f.span.line}: {f.message}")
    unmatched = list(got)
    for w in wants:
        hit = next((f for f in unmatched if f.path == w.path and f.span.line == w.line and re.search(w.pattern, f.message)), None)
        if hit is None:
            near = [f"{f.path}:{f.span.line}: {f.message}" for f in unmatched if f.path == w.path and f.span.line == w.line]
            problems.append(f"missing finding at {w.path}:{w.line} matching /{w.pattern}/" + (f" (got: {near})" if near else ""))
        else:
            unmatched.remove(hit)
    for f in unmatched:
        tag = " (line is marked ok:)" if (f.path, f.span.line) in ok_lines else ""
        problems.append(f"unexpected finding at {f.path}:{f.span.line}:{f.span.col}{tag}: {f.message}")
    return problems
