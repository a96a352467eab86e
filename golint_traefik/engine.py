"""The engine: find files, parse each once, run the selected rules, collect findings.

Go files are analysed per directory (the package view) and the directories
are spread over a process pool; Traefik files are few and small and form one
project-wide model, built in the main process.  Rules that raise become
``E003 internal-error`` findings; the other rules and files go on.
"""

from __future__ import annotations

import fnmatch
import glob
import os
import posixpath
import re
import sys
import traceback
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
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
    base: str | None = None  # directory relative globs are relative to; None: the cwd of the run


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
#
# Globs (``exclude`` and the keys of ``per-file-ignores``):
# * a pattern without '/' matches the name of a file or directory at any depth
#   (``testdata``, ``*_gen.go``); a trailing '/' is ignored;
# * a pattern with '/' is anchored: relative ones are relative to
#   ``Settings.base`` (the configuration file's directory; the cwd when there
#   is none) and match the whole path, or a directory above it;
# * ``*`` also matches '/' (fnmatch), so ``deploy/*`` covers the whole tree.
#
# Walking a directory skips ALWAYS_SKIP_DIRS and the excludes, and never
# follows symlinks (unless ``follow_symlinks``; then only those whose target
# stays inside the walked root, each real directory once, so loops end).
# Targets inside the root are reached under their real path anyway.  Paths
# named on the command line are always analysed; with ``force_exclude`` the
# built-in and configured excludes apply to them too (pre-commit, editors).


def display_path(path: str, cwd: str) -> str:
    """``path`` as shown in findings: relative to ``cwd`` when inside it, else absolute; always printable UTF-8."""
    try:
        rel = os.path.relpath(path, cwd)
    except ValueError:  # different drive on Windows
        rel = os.path.abspath(path)
    if rel == os.pardir or rel.startswith(os.pardir + os.sep):
        rel = os.path.abspath(path)
    shown = Path(rel).as_posix()
    # Undecodable file names arrive as surrogate escapes, which no output stream can encode.
    return shown.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _posix(path: str) -> str:
    return os.path.abspath(path).replace(os.sep, "/")


class Globs:
    """Compiled ``exclude``/``per-file-ignores`` globs (see the rules above), relative to ``base``."""

    def __init__(self, patterns: Iterable[str], base: str):
        self.root = _posix(base).rstrip("/")
        names, anchored = [], []
        for pat in patterns:
            pat = pat.replace(os.sep, "/").rstrip("/")
            if not pat:
                continue
            if "/" not in pat:
                names.append(fnmatch.translate(pat))
            else:
                if not pat.startswith("/"):
                    pat = glob.escape(self.root) + "/" + pat
                anchored.append(fnmatch.translate(posixpath.normpath(pat)))
        self._name = re.compile("|".join(names)).match if names else None
        self._path = re.compile("|".join(anchored)).match if anchored else None

    def __bool__(self) -> bool:
        return bool(self._name or self._path)

    def match(self, path: str, ancestors: bool = True) -> bool:
        """Whether ``path`` matches; with ``ancestors`` also a directory above it (name globs: only below ``base``)."""
        full = _posix(path)
        if self._name:
            if not ancestors:
                names = [full.rsplit("/", 1)[-1]]
            elif full.startswith(self.root + "/"):
                names = full[len(self.root) + 1 :].split("/")
            else:
                names = [full.rsplit("/", 1)[-1]]
            if any(self._name(n) for n in names):
                return True
        if self._path:
            candidate = full
            while candidate:
                if self._path(candidate):
                    return True
                if not ancestors:
                    break
                candidate = candidate.rsplit("/", 1)[0] if "/" in candidate else ""
        return False


@lru_cache(maxsize=256)
def _globs(patterns: tuple[str, ...], base: str) -> Globs:
    return Globs(patterns, base)


def path_matches(path: str, patterns: Iterable[str], base: str, ancestors: bool = True) -> bool:
    """Whether ``path`` matches one of ``patterns`` (see the rules above); with ``ancestors`` also its directories."""
    return _globs(tuple(patterns), base).match(path, ancestors)


def file_ignores(path: str, settings: Settings) -> frozenset[str]:
    """The rules ``per-file-ignores`` turns off for ``path``."""
    base = settings.base or os.getcwd()
    out: set[str] = set()
    for pattern, ids in settings.per_file_ignores:
        if path_matches(path, (pattern,), base):
            out |= ids
    return frozenset(out)


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def discover(paths: list[str], settings: Settings, cwd: str) -> tuple[list[Source], list[Finding]]:
    """Expand the given paths into files we can analyse (see the rules above)."""
    base = settings.base or cwd
    skip = _globs((*ALWAYS_SKIP_DIRS, *settings.exclude), base)
    exclude = _globs(tuple(settings.exclude), base)
    follow = settings.follow_symlinks
    out: list[Source] = []
    problems: list[Finding] = []
    seen: dict[str, int] = {}  # real path -> index in out
    cwd = os.path.abspath(cwd)
    prefix = cwd.rstrip(os.sep) + os.sep

    def shown(full: str) -> str:  # display_path, fast for the usual normalised path below the cwd
        if os.sep == "/" and full.startswith(prefix) and full.isascii():
            return full[len(prefix) :]
        return display_path(full, cwd)

    def add(full: str, real: str) -> None:
        """Each file once; reached through a symlink and by its real path, the real path is shown."""
        if real not in seen:
            seen[real] = len(out)
            out.append(Source(full, shown(full)))
        elif full == real:
            out[seen[real]] = Source(full, shown(full))

    def unreadable(err: OSError) -> None:
        where = display_path(err.filename or ".", cwd)
        problems.append(engine_finding("E002", Span(where, 1, 1, 1, 1), f"cannot read directory: {err.strerror or err}"))

    for raw in paths:
        p = os.path.abspath(os.path.join(cwd, raw))
        if not os.path.lexists(p):
            problems.append(engine_finding("E002", Span(display_path(p, cwd), 1, 1, 1, 1), f"no such file or directory: {raw}"))
            continue
        if settings.force_exclude and skip.match(p):
            continue
        if not os.path.isdir(p):
            add(p, os.path.realpath(p))
            continue
        root_real = os.path.realpath(p)
        visited = {root_real}
        for dirpath, dirnames, filenames in os.walk(p, onerror=unreadable, followlinks=follow):
            # Without following links every walked path is the root's real path plus the same tail.
            real_dir = os.path.realpath(dirpath) if follow else root_real + dirpath[len(p):]
            keep = []
            for d in sorted(dirnames):
                full = os.path.join(dirpath, d)
                if skip.match(full, ancestors=False):
                    continue
                if os.path.islink(full):
                    real = os.path.realpath(full)
                    if not follow or not _inside(real, root_real) or real in visited:
                        continue
                    visited.add(real)
                elif follow:
                    visited.add(os.path.join(real_dir, d))
                keep.append(d)
            dirnames[:] = keep
            for name in sorted(filenames):
                if not name.endswith(GO_EXT + CONFIG_EXT):
                    continue
                full = os.path.join(dirpath, name)
                if os.path.islink(full):
                    real = os.path.realpath(full)
                    if not (follow and _inside(real, root_real)):
                        continue
                else:
                    real = os.path.join(real_dir, name)
                if not (exclude and exclude.match(full, ancestors=False)):
                    add(full, real)
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
    skipped: dict[str, frozenset[str]] = {}  # display path -> rules per-file-ignores turns off
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
        skipped[f.path] = file_ignores(src.path, settings)
    package = GoPackage(directory, files)
    go_rules = [r for r in registry if r.meta.target == "go" and r.meta.id in settings.selected]
    for f in files:
        file_findings: list[Finding] = []
        for rule in go_rules:
            if rule.meta.id in skipped[f.path]:  # not even run: per-file-ignores is also the cure for a crashing rule
                continue
            sev = settings.severity_overrides.get(rule.meta.id, rule.meta.severity)
            p = GoPass(rule.meta, sev, settings.rule_options.get(rule.meta.id, {}), file_findings, f, package)
            mark = len(file_findings)
            try:
                rule.check(p)
            except Exception as exc:  # noqa: BLE001 - a crashing rule must not hide the others
                del file_findings[mark:]
                file_findings.append(internal_error(rule.meta.id, rule.meta.slug, f.path, exc))
                internal += 1
        file_findings = suppress.apply_go(f, file_findings, settings.selected - skipped[f.path])
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
    # Suppressions and fingerprints need each file's text: group by path.  Every file with
    # a text is visited, with or without findings, so that unused suppressions are seen.
    by_path: dict[str, list[Finding]] = {path: [] for path in project.texts}
    for f in findings:
        by_path.setdefault(f.path, []).append(f)
    real = {s.display: s.path for s in sources}
    texts = project.texts
    out: list[Finding] = []
    for path, group in by_path.items():
        text = texts.get(path)
        if text is not None:
            selected = settings.selected - file_ignores(real.get(path, path), settings)
            group = suppress.apply_yaml(path, text, group, selected)
            lines = text.splitlines()
            out.extend(fingerprint.assign(group, lambda n, _l=lines: _l[n - 1] if 0 < n <= len(_l) else ""))
        else:
            out.extend(fingerprint.assign(group, None))
    return out, internal


# ---------------------------------------------------------------------- run


def run(paths: list[str], settings: Settings, cwd: str | None = None, stdin: Source | None = None) -> RunResult:
    """Analyse ``paths`` (or the one ``stdin`` source) and return the kept findings, sorted.

    Severity overrides apply to every finding here (also to engine diagnostics
    and to findings a rule reported at an explicit severity); ``per-file-ignores``
    drops findings of any rule but E003, which is always reported.  E001-E003 are
    kept whatever the selection (the CLI removes those the user ignored).
    """
    cwd = os.path.abspath(cwd or os.getcwd())
    settings = replace(settings, base=os.path.abspath(os.path.join(cwd, settings.base or cwd)))
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
    ignores: dict[str, frozenset[str]] = {}
    kept = []
    for f in findings:
        if f.rule_id != "E003":
            if f.rule_id not in settings.selected and f.rule_id not in ("E001", "E002"):
                continue
            if settings.per_file_ignores:
                if f.path not in ignores:
                    ignores[f.path] = file_ignores(os.path.join(cwd, f.path), settings)
                if f.rule_id in ignores[f.path]:
                    continue
        sev = settings.severity_overrides.get(f.rule_id)
        kept.append(f if sev is None or sev == f.severity else replace(f, severity=sev))
    kept.sort(key=Finding.sort_key)
    return RunResult(kept, files_checked=len(go_sources) + len(cfg_sources), internal_errors=internal)


def jobs_default() -> int:
    return os.cpu_count() or 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit("use the golint-traefik command")
