"""JSON format: one document per run, findings plus a summary."""

from __future__ import annotations

import json
from collections import Counter

from golint_traefik import __version__
from golint_traefik.finding import Finding, Span

SCHEMA_VERSION = 1


def _span(s: Span) -> dict:
    return {"path": s.path, "line": s.line, "column": s.col, "end_line": s.end_line, "end_column": s.end_col}


def finding_dict(f: Finding) -> dict:
    d = {
        "rule": f.rule_id,
        "slug": f.slug,
        "severity": f.severity.label,
        "message": f.message,
        **_span(f.span),
        "fix": f.fix,
        "related": [{**_span(r.span), "message": r.message} for r in f.related],
        "fingerprint": f.fingerprint,
    }
    return d


def render_json(findings: list[Finding], result) -> str:
    by_sev = Counter(f.severity.label for f in findings)
    by_rule = Counter(f.rule_id for f in findings)
    doc = {
        "tool": "golint-traefik",
        "version": __version__,
        "schema_version": SCHEMA_VERSION,
        "findings": [finding_dict(f) for f in findings],
        "summary": {
            "findings": len(findings),
            "files_checked": result.files_checked,
            "internal_errors": result.internal_errors,
            "by_severity": {k: by_sev.get(k, 0) for k in ("error", "warning", "note")},
            "by_rule": dict(sorted(by_rule.items())),
        },
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
