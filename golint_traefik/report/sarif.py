"""SARIF 2.1.0 for GitHub code scanning and SARIF viewers.

Built from sarif-om objects and serialised the way ``jschema_to_python.to_json``
does (schema property names, no nulls).  ``to_json`` also drops every value
equal to its attrs default, which would silently remove ``level: "warning"``
from results, rules and notifications; those are put back explicitly, so every
result states its level.

What GitHub needs, and what we do about it:

* paths relative to the repository root: ``%SRCROOT%`` is the nearest
  ancestor of the working directory holding ``.git`` (else the working
  directory), given in ``originalUriBaseIds``; finding paths (relative to the
  working directory) are rebased onto it and percent-encoded.  Files outside
  the root get an absolute ``file:`` URI.
* ``partialFingerprints.primaryLocationLineHash`` as GitHub computes it
  (see ``fingerprint.py``; the CLI fills it in for SARIF output only, from
  the reported files) plus our own ``golintTraefikFingerprint/v1``.
* rule descriptors for every rule in the catalog, with short and full
  descriptions of at most 1024 characters, help text and markdown from the
  rule document, tags (at most 20), precision and, for security rules,
  ``security-severity``.
* at most 25,000 results per run (GitHub rejects larger runs): beyond that the
  most severe are kept and a tool notification says how many were dropped.
* ``--sarif-category NAME`` becomes ``runAutomationDetails.id = "NAME/"``: the
  trailing slash makes GitHub read the whole value as the category (as the
  upload action's ``category`` input does), not as ``category/run-id``.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from urllib.parse import quote

import sarif_om as om
from jschema_to_python.to_json import to_json

from golint_traefik import __version__
from golint_traefik.finding import Finding, Span

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/golint-traefik/golint-traefik"
RULE_DOC_URI = INFORMATION_URI + "/blob/main/rules/{id}-{slug}.md"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "golintTraefikFingerprint/v1"
LINE_HASH_KEY = "primaryLocationLineHash"
MAX_RESULTS = 25_000  # per run; GitHub rejects a run with more
MAX_RELATED = 999  # GitHub rejects a result with more than 1,000 locations
MAX_DESCRIPTION = 1024
MAX_TAGS = 20
PRECISIONS = ("very-high", "high", "medium", "low")
_PROBLEM_SEVERITY = {"error": "error", "warning": "warning", "note": "recommendation"}


# ------------------------------------------------------------------ paths


def repo_root(cwd: str) -> str:
    """The nearest ancestor of ``cwd`` (itself included) holding ``.git``, else ``cwd``."""
    start = d = os.path.abspath(cwd)
    while True:
        if os.path.exists(os.path.join(d, ".git")):
            return d
        parent = os.path.dirname(d)
        if parent == d:
            return start
        d = parent


def repo_relative(path: str, cwd: str, root: str) -> str | None:
    """``path`` (relative to ``cwd``, or absolute) as a POSIX path relative to ``root``; None when outside it."""
    full = os.path.normpath(os.path.join(cwd, path))
    try:
        rel = os.path.relpath(full, root)
    except ValueError:  # another drive on Windows
        return None
    if rel == os.pardir or rel.startswith(os.pardir + os.sep) or os.path.isabs(rel):
        return None
    return Path(rel).as_posix()


def _dir_uri(path: str) -> str:
    uri = Path(path).as_uri()
    return uri if uri.endswith("/") else uri + "/"


def _artifact(path: str, cwd: str, root: str) -> om.ArtifactLocation:
    rel = repo_relative(path, cwd, root)
    if rel is None:
        return om.ArtifactLocation(uri=Path(os.path.abspath(os.path.join(cwd, path))).as_uri())
    return om.ArtifactLocation(uri=quote(rel, safe="/"), uri_base_id=SRCROOT)


def _region(s: Span) -> om.Region:
    end_line = max(s.end_line, s.line)
    end_col = max(s.end_col, s.col) if end_line == s.line else max(s.end_col, 1)
    return om.Region(start_line=s.line, start_column=s.col, end_line=end_line, end_column=end_col)


def _location(s: Span, cwd: str, root: str, message: str | None = None, id: int | None = None) -> om.Location:
    return om.Location(
        id=-1 if id is None else id,
        physical_location=om.PhysicalLocation(artifact_location=_artifact(s.path, cwd, root), region=_region(s)),
        message=om.Message(text=message) if message else None,
    )


# ------------------------------------------------------------------ rules


def _clip(text: str, limit: int = MAX_DESCRIPTION) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def first_paragraph(doc: str, section: str = "What it finds") -> str | None:
    m = re.search(rf"^## {re.escape(section)}[ \t]*\n+(.*?)(?:\n[ \t]*\n|\n#|\Z)", doc, re.S | re.M)
    return m.group(1).strip() if m and m.group(1).strip() else None


def _descriptor(meta) -> om.ReportingDescriptor:
    level = meta.severity.label
    props: dict = {"tags": list(meta.tags[:MAX_TAGS]), "problem.severity": _PROBLEM_SEVERITY[level]}
    if meta.precision in PRECISIONS:
        props["precision"] = meta.precision
    if meta.security_severity is not None:
        props["security-severity"] = f"{float(meta.security_severity):.1f}"
    return om.ReportingDescriptor(
        id=meta.id,
        name=meta.slug,
        short_description=om.MultiformatMessageString(text=_clip(meta.summary)),
        full_description=om.MultiformatMessageString(text=_clip(first_paragraph(meta.doc) or meta.summary)),
        help=om.MultiformatMessageString(text=meta.doc, markdown=meta.doc),
        help_uri=RULE_DOC_URI.format(id=meta.id, slug=meta.slug),
        default_configuration=om.ReportingConfiguration(level=level),
        properties=props,
    )


def _unknown_descriptor(f: Finding) -> om.ReportingDescriptor:
    """A finding from a rule the catalog does not know (should not happen): a minimal descriptor."""
    text = f"{f.rule_id} {f.slug}"
    return om.ReportingDescriptor(
        id=f.rule_id, name=f.slug, short_description=om.MultiformatMessageString(text=text),
        full_description=om.MultiformatMessageString(text=text), help=om.MultiformatMessageString(text=text),
        default_configuration=om.ReportingConfiguration(level=f.severity.label), properties={"tags": []},
    )


# ---------------------------------------------------------------- results


def _result(f: Finding, rule_index: int, cwd: str, root: str) -> om.Result:
    fingerprints = {k: v for k, v in ((LINE_HASH_KEY, f.line_hash), (FINGERPRINT_KEY, f.fingerprint)) if v}
    related = [_location(r.span, cwd, root, r.message or f.message, id=i) for i, r in enumerate(f.related[:MAX_RELATED])]
    return om.Result(
        message=om.Message(text=f.message or f"{f.rule_id} {f.slug}"),
        rule_id=f.rule_id,
        rule_index=rule_index,
        level=f.severity.label,
        locations=[_location(f.span, cwd, root)],
        related_locations=related or None,
        partial_fingerprints=fingerprints or None,
    )


def _most_severe(findings: list[Finding], limit: int) -> list[Finding]:
    """At most ``limit`` findings, the most severe first chosen, in their original order."""
    if len(findings) <= limit:
        return findings
    keep = sorted(sorted(range(len(findings)), key=lambda i: -findings[i].severity)[:limit])
    return [findings[i] for i in keep]


def render_sarif(findings: list[Finding], registry, cwd: str, category: str | None = None) -> str:
    root = repo_root(cwd)
    descriptors = [_descriptor(r.meta) for r in registry if not r.meta.retired]
    index = {d.id: i for i, d in enumerate(descriptors)}
    for f in findings:
        if f.rule_id not in index:
            index[f.rule_id] = len(descriptors)
            descriptors.append(_unknown_descriptor(f))

    kept = _most_severe(findings, MAX_RESULTS)
    notes = [
        om.Notification(message=om.Message(text=f.message), level="error", locations=[_location(f.span, cwd, root)])
        for f in findings if f.rule_id == "E003"
    ]
    if len(kept) < len(findings):
        notes.append(om.Notification(
            level="warning",
            message=om.Message(text=f"{len(findings) - len(kept)} results left out: GitHub code scanning accepts at most "
                                    f"{MAX_RESULTS} results per run; the most severe were kept"),
        ))
    run = om.Run(
        tool=om.Tool(driver=om.ToolComponent(
            name="golint-traefik", version=__version__, semantic_version=__version__,
            information_uri=INFORMATION_URI, rules=descriptors,
        )),
        invocations=[om.Invocation(
            execution_successful=not any(f.rule_id == "E003" for f in findings),
            tool_execution_notifications=notes or None,
        )],
        original_uri_base_ids={SRCROOT: om.ArtifactLocation(uri=_dir_uri(root))},
        column_kind="unicodeCodePoints",
        automation_details=om.RunAutomationDetails(id=category if category.endswith("/") else category + "/")
        if category else None,
        results=[_result(f, index[f.rule_id], cwd, root) for f in kept],
    )
    raw = json.loads(to_json(om.SarifLog(schema_uri=SCHEMA_URI, version="2.1.0", runs=[run])))
    # to_json dropped every level equal to the attrs default ("warning"): state it again.
    for r in raw["runs"]:
        for res in r["results"]:
            res.setdefault("level", "warning")
        for rule in r["tool"]["driver"]["rules"]:
            rule["defaultConfiguration"].setdefault("level", "warning")
        for inv in r["invocations"]:
            for n in inv.get("toolExecutionNotifications", ()):
                n.setdefault("level", "warning")
    return json.dumps(_tidy(raw), indent=2) + "\n"


_FIRST_KEYS = ("$schema", "version", "id", "name", "ruleId", "ruleIndex", "level", "message", "tool", "driver")
_KEY_RANK = {k: i for i, k in enumerate(_FIRST_KEYS)}


def _tidy(value):
    """Keys in a fixed, readable order: identifying keys first, then the rest alphabetically."""
    if isinstance(value, dict):
        return {k: _tidy(value[k]) for k in sorted(value, key=lambda k: (_KEY_RANK.get(k, len(_KEY_RANK)), k))}
    if isinstance(value, list):
        return [_tidy(v) for v in value]
    return value
