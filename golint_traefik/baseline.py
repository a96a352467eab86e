"""Baselines: record today's findings, then report only new ones.

A baseline is a JSON file::

    {"version": 1, "tool": "golint-traefik", "tool_version": "0.1.0",
     "entries": [{"rule": "TR401", "path": "traefik.yml", "fingerprint": "…:0", "message": "…"}, …]}

A finding is known when an entry has the same rule, path and fingerprint
(see ``fingerprint.py``: line numbers are not part of it, so findings stay
matched when unrelated lines move).  Matching counts: two identical entries
absorb two findings, a third one is new.  The message is stored only for
people reading the file.  Paths are as reported, relative to the working
directory, so use the baseline from the directory it was written in.
"""

from __future__ import annotations

import json
import os
from collections import Counter

from golint_traefik import __version__
from golint_traefik.finding import Finding

VERSION = 1
_KEYS = ("rule", "path", "fingerprint")


class BaselineError(Exception):
    """The baseline file is missing, unreadable, corrupt, or of another format version."""


def _entry(f: Finding) -> dict:
    return {"rule": f.rule_id, "path": f.path, "fingerprint": f.fingerprint, "message": f.message}


def write(path: str, findings: list[Finding]) -> None:
    entries = sorted((_entry(f) for f in findings), key=lambda e: (e["path"], e["rule"], e["fingerprint"], e["message"]))
    doc = {"version": VERSION, "tool": "golint-traefik", "tool_version": __version__, "entries": entries}
    try:
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    except OSError as exc:
        raise BaselineError(f"cannot write baseline {path}: {exc.strerror or exc}") from None


def load(path: str) -> Counter:
    """The baseline's (rule, path, fingerprint) keys with their counts."""
    if not os.path.isfile(path):
        raise BaselineError(f"baseline {path} not found (create it with --write-baseline {path})")
    try:
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
    except OSError as exc:
        raise BaselineError(f"cannot read baseline {path}: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BaselineError(f"baseline {path} is not valid JSON: {exc}") from None
    if not isinstance(doc, dict) or "version" not in doc:
        raise BaselineError(f"baseline {path} is not a golint-traefik baseline (no 'version')")
    if doc["version"] != VERSION:
        raise BaselineError(f"baseline {path} has format version {doc['version']!r}; this golint-traefik reads "
                            f"version {VERSION}: write it again with --write-baseline")
    entries = doc.get("entries")
    if not isinstance(entries, list):
        raise BaselineError(f"baseline {path}: 'entries' must be a list")
    keys: Counter = Counter()
    for i, e in enumerate(entries):
        if not isinstance(e, dict) or not all(isinstance(e.get(k), str) for k in _KEYS):
            raise BaselineError(f"baseline {path}: entry {i} must have string 'rule', 'path' and 'fingerprint'")
        keys[tuple(e[k] for k in _KEYS)] += 1
    return keys


def filter_new(path: str, findings: list[Finding]) -> list[Finding]:
    """The findings not absorbed by the baseline, in their order."""
    known = load(path)
    new = []
    for f in findings:
        key = (f.rule_id, f.path, f.fingerprint)
        if known[key] > 0:
            known[key] -= 1
        else:
            new.append(f)
    return new
