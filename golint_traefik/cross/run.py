"""Running the cross rules: :class:`CrossPass` and :func:`run_cross`, called by the engine.

The Go workers return one :class:`~.facts.PackageFacts` per package
(:func:`go_facts`, called from ``analyze_go_package``); the engine hands
them to :func:`run_cross` together with the configuration files, and the
Traefik project when ``run_traefik`` built one.  The cross rules run once,
in the main process.

Cross findings point into Go files and configuration files alike; each
file's findings go through its inline suppressions and get their
fingerprints here.  Suppressions naming a cross rule are audited here
(E004) and not by the per-file passes, which cannot see cross findings.

The result is one cache unit (``cross``): the configuration files are its
members, and its key also holds a digest of the Go facts, of the Go files
they come from (size and mtime) and of the Go modules, so that any change
on either side recomputes it.
"""

from __future__ import annotations

import hashlib
import json
import os
from typing import Any

from golint_traefik.cross import facts as F
from golint_traefik.finding import Finding
from golint_traefik.passes import Pass


class CrossPass(Pass):
    """Pass for a cross rule: the Go programs, the Traefik project and the links between them."""

    def __init__(self, meta, severity, options, sink, model):
        super().__init__(meta, severity, options, sink)
        self.model = model

    @property
    def project(self):
        return self.model.project

    @property
    def index(self):
        return self.model.index


def wanted(settings) -> bool:
    """Whether any cross rule is selected (the Go workers then compute facts)."""
    from golint_traefik.cross import cross_ids

    return bool(cross_ids() & settings.selected)


def _digest(facts: list[F.PackageFacts], cwd: str, index) -> str:
    h = hashlib.blake2b(digest_size=16)
    h.update(json.dumps([F.FORMAT, [F.to_json(f) for f in facts], index.modules], separators=(",", ":")).encode())
    for f in facts:
        for path in f.files:
            try:
                st = os.stat(os.path.join(cwd, path))
                h.update(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\n".encode("utf-8", "surrogateescape"))
            except OSError:
                h.update(f"{path}\0-\n".encode("utf-8", "surrogateescape"))
    return h.hexdigest()


def run_cross(facts: list, sources: list, settings, cwd: str, project: Any = None, cache=None) -> tuple[list[Finding], int]:
    """Run the selected cross rules; ``sources`` are the configuration files of the run."""
    from golint_traefik.cross import cross_ids
    from golint_traefik.cross.model import CrossModel, GoIndex
    from golint_traefik.engine import _unit_key, externals_extra, externals_unchanged, internal_error, read_source
    from golint_traefik.registry import load_registry

    registry = load_registry()
    rules = [r for r in registry if r.meta.target == "cross" and r.meta.id in settings.selected]
    facts = [f for f in facts if f is not None]
    if not rules or not sources or not any(f.is_main for f in facts):
        return [], 0
    index = GoIndex(facts)
    key = _unit_key(cache, settings, "cross", sources, _digest(facts, cwd, index)) if cache is not None else None
    hit = cache.lookup_entry(key, [s.path for s in sources]) if key else None
    if hit is not None and externals_unchanged(hit[1]):
        return hit[0], 0
    stats: list | None = [] if key else None
    if project is None or key:
        loaded = []
        for src in sources:
            data, problem = read_source(src, stats)
            if problem is None:
                loaded.append((src.display, data))
        if project is None:
            from golint_traefik.traefik.model import build_project

            project = build_project(loaded, settings)
    findings: list[Finding] = []
    internal = 0
    if project.has_traefik:
        model = CrossModel(project, index, cwd, dict(settings.links), settings.base)
        for rule in rules:
            sev = settings.severity_overrides.get(rule.meta.id, rule.meta.severity)
            p = CrossPass(rule.meta, sev, settings.rule_options.get(rule.meta.id, {}), findings, model)
            mark = len(findings)
            try:
                rule.check(p)
            except Exception as exc:  # noqa: BLE001 - a crashing rule must not hide the others
                del findings[mark:]
                findings.append(internal_error(rule.meta.id, rule.meta.slug, "<cross-check>", exc))
                internal += 1
    out = _finish(findings, project, settings, cwd, cross_ids())
    extra = externals_extra(project)  # see engine.run_traefik
    if key and not internal and stats is not None and len(stats) == len(sources) and extra is not None:
        cache.store(key, stats, out, extra)
    return out, internal


def _finish(findings: list[Finding], project, settings, cwd: str, ids: frozenset[str]) -> list[Finding]:
    """Inline suppressions and fingerprints, file by file."""
    from golint_traefik import fingerprint, suppress
    from golint_traefik.engine import file_ignores

    by_path: dict[str, list[Finding]] = {}
    for f in findings:
        by_path.setdefault(f.path, []).append(f)
    out: list[Finding] = []
    audited = (ids & settings.selected) | ({"E004"} & settings.selected)
    for path, text in project.texts.items():
        if "golint-traefik:" in text and "XS" in text.upper():
            by_path.setdefault(path, [])  # unused cross suppressions are reported there too
    for path, group in sorted(by_path.items()):
        real = os.path.join(cwd, path)
        selected = audited - file_ignores(real, settings)
        if path.endswith(".go"):
            try:
                with open(real, "rb") as fh:
                    data = fh.read()
            except OSError:
                out.extend(fingerprint.assign(group, None))
                continue
            from golint_traefik.go.source import GoFile

            gf = GoFile(path, data)
            group = suppress.apply_go(gf, group, selected)
            out.extend(fingerprint.assign(group, gf.line_text))
            continue
        text = project.texts.get(path) or project.all_texts.get(path)
        if text is None:
            out.extend(fingerprint.assign(group, None))
            continue
        group = suppress.apply_yaml(path, text, group, selected)
        out.extend(fingerprint.assign_text(group, text))
    return out
