"""Stable identities for findings (baseline matching and SARIF partialFingerprints).

PLACEHOLDER: the helper owning SARIF replaces this with GitHub's
primaryLocationLineHash algorithm.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from typing import Callable

from golint_traefik.finding import Finding


def assign(findings: list[Finding], line_of: Callable[[int], str] | None) -> list[Finding]:
    counts: dict[str, int] = {}
    out = []
    for f in sorted(findings, key=Finding.sort_key):
        text = "".join(line_of(f.span.line).split()) if line_of else ""
        base = hashlib.sha256(f"{f.rule_id}\0{f.path}\0{text}".encode()).hexdigest()[:16]
        n = counts.get(base, 0)
        counts[base] = n + 1
        out.append(replace(f, fingerprint=f"{base}:{n}"))
    return out
