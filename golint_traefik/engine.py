"""The engine: find files, parse each once, run the selected rules, collect findings.

Go files are analysed per directory (the package view) and the directories
are spread over a process pool; Traefik files are few and small and form one
project-wide model, built in the main process.  Rules that raise become
``E003 internal-error`` findings; the other rules and files go on.
"""

from __future__ import annotations

import fnmatch
import os
import re
import sys
import traceback
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Iterable

from golint_traefik.finding import Finding, Severity, Span

GO_EXT = (".go",)
CONFIG_EXT = (".yml", ".yaml", ".toml")
ALWAYS_SKIP_DIRS = frozenset({".git", ".hg", ".svn", "vendor", "node_modules", ".golint-traefik-cache"})
MAX_FILE_BYTES = 50 * 1024 * 1024
DEFAULT_GO_VERSION = (1, 22)


@dataclass(frozen=True)
class Settings:
    """Everything that shapes a run; picklable so worker processes get a copy."""

    selected: frozenset[str]
    severity_overrides: dict = field(default_factory=dict)  # id -> Severity
    rule_options: dict = field(default_factory=dict)  # id -> {option: value}
    go_version: tuple[int, int] | None = None  # None: nearest go.mod, else DEFAULT_GO_VERSION
    traefik_version: str = "auto"  # "2", "3" or "auto"
    jobs: int = 0  # 0: all cores
    exclude: tuple[str, ...] = ()
    force_exclude: bool = False
    per_file_ignores: tuple[tuple[str, frozenset[str]], ...] = ()
    follow_symlinks: bool = False


@dataclass
class Source:
    """A file to analyse.  ``display`` is the path shown in findings (relative to the cwd)."""

    path: str
    display: str
    content: bytes | None = None  # given for stdin mode


@dataclass
class RunResult:
    findings: list[Finding]
    files_checked: int = 0
    internal_errors: int = 0


# ----------------------------------------------------------------- discovery


def display_path(path: str, cwd: str) -> str:
    try:
        rel = os.path.relpath(path, cwd)
    except ValueError:  # different drive on Windows
        return Path(path).as_posix()
    if rel.startswith(".."):
        return Path(os.path.abspath(path)).as_posix()
    return Path(rel).as_posix()


def excluded(display: str, patterns: Iterable[str]) -> bool:
    """Whether a display path matches an exclude glob (whole path or any one path component)."""
    p = PurePosixPath(display)
    parts = p.parts
    for pat in patterns:
        pat = pat.rstrip("/")
        if fnmatch.fnmatch(display, pat) or any(fnmatch.fnmatch(part, pat) for part in parts):
            return True
        if "/" in pat and (display.startswith(pat + "/") or fnmatch.fnmatch(display, pat + "/*")):
            return True
    return False


def discover(paths: list[str], settings: Settings, cwd: str) -> tuple[list[Source], list[Finding]]:
    """Expand the given paths into files we can analyse.

    Directories are walked (skipping VCS, vendor, node_modules and configured
    excludes); files named explicitly are always analysed unless
    ``--force-exclude`` is set and they match an exclude.
    """
    out: list[Source] = []
    problems: list[Finding] = []
    seen: set[str] = set()
    for raw in paths:
        p = os.path.join(cwd, raw)
        disp = display_path(p, cwd)
        if os.path.isdir(p):
            root_real = os.path.realpath(p)
            for dirpath, dirnames, filenames in os.walk(p, followlinks=settings.follow_symlinks):
                keep = []
                for d in sorted(dirnames):
                    full = os.path.join(dirpath, d)
                    if d in ALWAYS_SKIP_DIRS or excluded(display_path(full, cwd), settings.exclude):
                        continue
                    if os.path.islink(full):
                        real = os.path.realpath(full)
                        if not settings.follow_symlinks or not real.startswith(root_real + os.sep) and real != root_real:
                            continue
                    keep.append(d)
                dirnames[:] = keep
                for name in sorted(filenames):
                    if not name.endswith(GO_EXT + CONFIG_EXT):
                        continue
                    full = os.path.join(dirpath, name)
                    d = display_path(full, cwd)
                    if excluded(d, settings.exclude):
                        continue
                    if os.path.islink(full):
                        real = os.path.realpath(full)
                        if not settings.follow_symlinks and not real.startswith(root_real + os.sep):
                            continue
                    if full not in seen:
                        seen.add(full)
                        out.append(Source(full, d))
        elif os.path.exists(p) or os.path.islink(p):
            if settings.force_exclude and excluded(disp, settings.exclude):
                continue
            if p not in seen:
                seen.add(p)
                out.append(Source(p, disp))
        else:
            problems.append(engine_finding("E002", Span(disp, 1, 1, 1, 1), f"no such file or directory: {raw}"))
    return out, problems


# ------------------------------------------------------------ diagnostics


def engine_finding(rule_id: str, span: Span, message: str, fix: str | None = None) -> Finding:
    from golint_traefik.registry import load_registry

    meta = load_registry().meta(rule_id)
    return Finding(rule_id, meta.slug, meta.severity, message, span, fix=fix)


def internal_error(rule_id: str, slug: str, path: str, exc: BaseException) -> Finding:
    tb = traceback.extract_tb(exc.__traceback__)
    where = f" at {Path(tb[-1].filename).name}:{tb[-1].lineno}" if tb else ""
    msg = f"internal error in rule {rule_id} ({slug}): {type(exc).__name__}: {exc}{where}"
    return engine_finding("E003", Span(path, 1, 1, 1, 1), msg)


def read_source(src: Source) -> tuple[bytes | None, Finding | None]:
    if src.content is not None:
        return src.content, None
    try:
        if os.path.isdir(src.path):
            return None, engine_finding("E002", Span(src.display, 1, 1, 1, 1), "is a directory, not a file")
        size = os.path.getsize(src.path)
        if size > MAX_FILE_BYTES:
            return None, engine_finding(
                "E002", Span(src.display, 1, 1, 1, 1), f"file is {size} bytes, over the {MAX_FILE_BYTES}-byte limit; not analysed"
            )
        with open(src.path, "rb") as fh:
            return fh.read(), None
    except OSError as exc:
        return None, engine_finding("E002", Span(src.display, 1, 1, 1, 1), f"cannot read file: {exc.strerror or exc}")


def is_binary(data: bytes) -> bool:
    return b"\x00" in data[:8192]


# ------------------------------------------------------------------ go side

_GO_DIRECTIVE = re.compile(rb"^go\s+(\d+)\.(\d+)", re.M)
_gomod_cache: dict[str, tuple[int, int] | None] = {}


def go_version_for(directory: str) -> tuple[int, int]:
    """The ``go`` directive of the nearest go.mod above ``directory``."""
    d = os.path.abspath(directory)
    chain = []
    found: tuple[int, int] | None = None
    while True:
        if d in _gomod_cache:
            found = _gomod_cache[d]
            break
        chain.append(d)
        mod = os.path.join(d, "go.mod")
        if os.path.isfile(mod):
            try:
                with open(mod, "rb") as fh:
                    m = _GO_DIRECTIVE.search(fh.read(65536))
                found = (int(m.group(1)), int(m.group(2))) if m else None
            except OSError:
                found = None
            break
        parent = os.path.dirname(d)
        if parent == d:
            break
        d = parent
    for c in chain:
        _gomod_cache[c] = found
    return found or DEFAULT_GO_VERSION


def analyze_go_package(sources: list[Source], settings: Settings) -> tuple[list[Finding], int]:
    """Parse the Go files of one directory and run every selected Go rule on each."""
    from golint_traefik import fingerprint, suppress
    from golint_traefik.go.source import GoFile, GoPackage
    from golint_traefik.passes import GoPass
    from golint_traefik.registry import load_registry

    registry = load_registry()
    findings: list[Finding] = []
    internal = 0
    files: list[GoFile] = []
    directory = os.path.dirname(sources[0].path) if sources else "."
    version = settings.go_version or go_version_for(directory)
    for src in sources:
        data, problem = read_source(src)
        if problem:
            findings.append(problem)
            continue
        if is_binary(data):
            findings.append(engine_finding("E002", Span(src.display, 1, 1, 1, 1), "binary file (contains NUL bytes); not analysed as Go"))
            continue
        f = GoFile(src.display, data, version)
        err = f.first_error()
        if err is not None:
            what = "missing " + err.type if err.is_missing else "syntax error"
            near = f.text(err)[:40].splitlines()[0] if err.end_byte > err.start_byte else ""
            detail = f" near {near!r}" if near.strip() else ""
            findings.append(
                engine_finding("E001", f.span(err) if not err.is_missing else f.point_span(*err.start_point),
                               f"Go {what}{detail}; Go rules skipped for this file")
            )
            continue
        files.append(f)
    package = GoPackage(directory, files)
    go_rules = [r for r in registry if r.meta.target == "go" and r.meta.id in settings.selected]
    for f in files:
        file_findings: list[Finding] = []
        for rule in go_rules:
            sev = settings.severity_overrides.get(rule.meta.id, rule.meta.severity)
            p = GoPass(rule.meta, sev, settings.rule_options.get(rule.meta.id, {}), file_findings, f, package)
            mark = len(file_findings)
            try:
                rule.check(p)
            except Exception as exc:  # noqa: BLE001 - a crashing rule must not hide the others
                del file_findings[mark:]
                file_findings.append(internal_error(rule.meta.id, rule.meta.slug, f.path, exc))
                internal += 1
        file_findings = suppress.apply_go(f, file_findings, settings.selected)
        findings.extend(fingerprint.assign(file_findings, f.line_text))
    # Diagnostics about unreadable or broken files carry no line text to hash.
    findings = [fd for fd in findings if fd.fingerprint] + fingerprint.assign([fd for fd in findings if not fd.fingerprint], None)
    return findings, internal


def _go_worker(batch: list[list[Source]], settings: Settings) -> tuple[list[Finding], int]:
    out: list[Finding] = []
    internal = 0
    for pkg in batch:
        f, n = analyze_go_package(pkg, settings)
        out.extend(f)
        internal += n
    return out, internal


def _batches(packages: list[list[Source]], jobs: int) -> list[list[list[Source]]]:
    """Spread packages over about 4*jobs batches of similar total size (largest first)."""
    def size(pkg):
        total = 0
        for s in pkg:
            try:
                total += len(s.content) if s.content is not None else os.path.getsize(s.path)
            except OSError:
                pass
        return total

    n = max(1, min(len(packages), jobs * 4))
    bins: list[list[list[Source]]] = [[] for _ in range(n)]
    loads = [0] * n
    for pkg, sz in sorted(((p, size(p)) for p in packages), key=lambda t: -t[1]):
        i = loads.index(min(loads))
        bins[i].append(pkg)
        loads[i] += sz + 1
    return [b for b in bins if b]


def run_go(sources: list[Source], settings: Settings) -> tuple[list[Finding], int]:
    by_dir: dict[str, list[Source]] = {}
    for s in sources:
        by_dir.setdefault(os.path.dirname(s.path), []).append(s)
    packages = [by_dir[d] for d in sorted(by_dir)]
    jobs = settings.jobs or os.cpu_count() or 1
    if jobs <= 1 or len(sources) < 16 or len(packages) < 2:
        return _go_worker(packages, settings)
    findings: list[Finding] = []
    internal = 0
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(_go_worker, batch, settings) for batch in _batches(packages, jobs)]
        for fut in futures:
            f, n = fut.result()
            findings.extend(f)
            internal += n
    return findings, internal


# ------------------------------------------------------------- traefik side


def run_traefik(sources: list[Source], settings: Settings) -> tuple[list[Finding], int]:
    from golint_traefik import fingerprint, suppress
    from golint_traefik.passes import TraefikPass
    from golint_traefik.registry import load_registry
    from golint_traefik.traefik.model import build_project

    registry = load_registry()
    loaded = []
    findings: list[Finding] = []
    for src in sources:
        data, problem = read_source(src)
        if problem:
            findings.append(problem)
            continue
        loaded.append((src.display, data))
    project = build_project(loaded, settings)
    findings.extend(project.diagnostics)
    internal = 0
    rule_findings: list[Finding] = []
    if project.has_traefik:
        for rule in registry:
            if rule.meta.target != "traefik" or rule.meta.id not in settings.selected:
                continue
            sev = settings.severity_overrides.get(rule.meta.id, rule.meta.severity)
            p = TraefikPass(rule.meta, sev, settings.rule_options.get(rule.meta.id, {}), rule_findings, project)
            mark = len(rule_findings)
            try:
                rule.check(p)
            except Exception as exc:  # noqa: BLE001
                del rule_findings[mark:]
                rule_findings.append(internal_error(rule.meta.id, rule.meta.slug, "<traefik project>", exc))
                internal += 1
    findings.extend(rule_findings)
    # Suppressions and fingerprints need each file's text: group by path.
    by_path: dict[str, list[Finding]] = {}
    for f in findings:
        by_path.setdefault(f.path, []).append(f)
    texts = project.texts
    out: list[Finding] = []
    for path, group in by_path.items():
        text = texts.get(path)
        if text is not None:
            group = suppress.apply_yaml(path, text, group, settings.selected)
            lines = text.splitlines()
            out.extend(fingerprint.assign(group, lambda n, _l=lines: _l[n - 1] if 0 < n <= len(_l) else ""))
        else:
            out.extend(fingerprint.assign(group, None))
    return out, internal


# ---------------------------------------------------------------------- run


def run(paths: list[str], settings: Settings, cwd: str | None = None, stdin: Source | None = None) -> RunResult:
    cwd = cwd or os.getcwd()
    if stdin is not None:
        sources, problems = [stdin], []
    else:
        sources, problems = discover(paths or ["."], settings, cwd)
    go_sources = [s for s in sources if s.display.endswith(GO_EXT)]
    cfg_sources = [s for s in sources if s.display.endswith(CONFIG_EXT)]
    findings: list[Finding] = list(problems)
    internal = 0
    if go_sources:
        f, n = run_go(go_sources, settings)
        findings.extend(f)
        internal += n
    if cfg_sources:
        f, n = run_traefik(cfg_sources, settings)
        findings.extend(f)
        internal += n
    findings = [f for f in findings if _keep(f, settings)]
    findings.sort(key=Finding.sort_key)
    return RunResult(findings, files_checked=len(go_sources) + len(cfg_sources), internal_errors=internal)


def _keep(f: Finding, settings: Settings) -> bool:
    if f.rule_id.startswith("E"):
        return f.rule_id in settings.selected or f.rule_id in ("E001", "E002", "E003")
    if f.rule_id not in settings.selected:
        return False
    for pattern, ids in settings.per_file_ignores:
        if f.rule_id in ids and (fnmatch.fnmatch(f.path, pattern) or fnmatch.fnmatch(PurePosixPath(f.path).name, pattern)):
            return False
    return True


def jobs_default() -> int:
    return os.cpu_count() or 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit("use the golint-traefik command")
