"""The problem object every rule produces, and the severities.

Positions are 1-based lines and 1-based columns counted in Unicode code points
(SARIF ``columnKind: unicodeCodePoints``).  They are converted exactly once, by
the source wrappers (``go.source.GoFile`` and ``traefik.tree``); rules and
reporters never do position arithmetic of their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import IntEnum


class Severity(IntEnum):
    NOTE = 1
    WARNING = 2
    ERROR = 3

    @classmethod
    def parse(cls, text: str) -> "Severity":
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r} (expected error, warning or note)") from None

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class Span:
    """A region of one file: 1-based line, 1-based code-point column, end inclusive line, exclusive column."""

    path: str
    line: int
    col: int
    end_line: int
    end_col: int

    def with_path(self, path: str) -> "Span":
        return replace(self, path=path)


@dataclass(frozen=True, slots=True)
class Related:
    """Another place involved in a finding (SARIF relatedLocations)."""

    span: Span
    message: str


@dataclass(frozen=True, slots=True)
class Finding:
    rule_id: str
    slug: str
    severity: Severity
    message: str
    span: Span
    fix: str | None = None
    related: tuple[Related, ...] = ()
    # Stable identity across unrelated edits; filled in by the engine (see fingerprint.py).
    fingerprint: str = ""
    # GitHub's primaryLocationLineHash ("hash:occurrence"), filled in for SARIF output only (fingerprint.with_line_hashes).
    line_hash: str = ""

    @property
    def path(self) -> str:
        return self.span.path

    def sort_key(self) -> tuple:
        s = self.span
        return (s.path, s.line, s.col, self.rule_id, s.end_line, s.end_col, self.message)


@dataclass(slots=True)
class FileResult:
    """What analysing one file (or one Go package) produced; must stay picklable."""

    findings: list[Finding] = field(default_factory=list)
    # Source lines needed for fingerprints, keyed by path -> {line: text}; filled lazily.
    files_seen: int = 0
