"""The engine: find files, parse each once, run the selected rules, collect findings.

Go files are analysed per directory (the package view) and the directories
are spread over a process pool; Traefik files are few and small and form one
project-wide model, built in the main process.  Rules that raise become
``E003 internal-error`` findings; the other rules and files go on.

Each of these *units* (a Go directory; all Traefik files together) has a
result-cache entry (see cache.py) when ``Settings.cache_dir`` is set: a unit
whose files, rules and options are unchanged is not read, parsed or checked
again.  Results are merged in unit order, so the output does not depend on
the number of jobs or on what came from the cache.
"""

from __future__ import annotations

import fnmatch
import gc
import glob
import operator
import os
import posixpath
import re
import stat
import sys
from contextlib import nullcontext
from dataclasses import dataclass, field, fields, replace
from functools import lru_cache
from typing import Iterable

from golint_traefik.finding import Finding, Span

GO_EXT = (".go",)
CONFIG_EXT = (".yml", ".yaml", ".toml")
SOURCE_EXT = GO_EXT + CONFIG_EXT
ALWAYS_SKIP_DIRS = frozenset({".git", ".hg", ".svn", "vendor", "node_modules", ".golint-traefik-cache"})
MAX_FILE_BYTES = 50 * 1024 * 1024
DEFAULT_GO_VERSION = (1, 22)
# Below this much Go source to analyse, starting worker processes costs more than it saves.
IN_PROCESS_BYTES = 768 * 1024


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
    cache_dir: str | None = None  # result cache (see cache.py), relative to base; None: none
    links: tuple[tuple[str, str], ...] = ()  # [links]: Traefik service -> Go main package directory (XS rules)
    # Read the rest of the project of each configuration file named as a file (not a directory) as
    # context (see "context" below).  The CLI turns it on (--no-context: off); the engine API does not.
    context: bool = False


@dataclass
class Source:
    """A file to analyse.  ``display`` is the path shown in findings (relative to the cwd)."""

    path: str
    display: str
    content: bytes | None = None  # given for stdin mode
    size: int | None = field(default=None, compare=False, repr=False)  # bytes, when discovery had them (see _size)


@dataclass
class RunResult:
    findings: list[Finding]
    files_checked: int = 0
    internal_errors: int = 0
    context_files: int = 0  # files not named but read for the project model (see "context" below)


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
    shown = rel if os.sep == "/" else rel.replace(os.sep, "/")
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


_NONE: frozenset[str] = frozenset()


def file_ignores(path: str, settings: Settings) -> frozenset[str]:
    """The rules ``per-file-ignores`` turns off for ``path``."""
    if not settings.per_file_ignores:  # the usual case, asked for every file of every cache key
        return _NONE
    base = settings.base or os.getcwd()
    out: set[str] = set()
    for pattern, ids in settings.per_file_ignores:
        if path_matches(path, (pattern,), base):
            out |= ids
    return frozenset(out)


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _real_dir(directory: str, known: dict[str, str]) -> str:
    """``os.path.realpath(directory)`` for an absolute, normalised path, built from its parent's: one
    ``lstat`` per directory not seen before, where realpath checks every component of every path
    (pre-commit names thousands of files of a few hundred directories)."""
    real = known.get(directory)
    if real is not None:
        return real
    chain = []  # the directory and its ancestors not known yet, innermost first
    d = directory
    while d not in known:
        parent = os.path.dirname(d)
        if parent == d:  # the root
            known[d] = d
            break
        chain.append(d)
        d = parent
    for d in reversed(chain):
        try:
            link = stat.S_ISLNK(os.lstat(d).st_mode)
        except OSError:
            link = True  # realpath decides
        known[d] = os.path.realpath(d) if link else os.path.join(known[os.path.dirname(d)], os.path.basename(d))
    return known[directory]


def _real_file(path: str, mode: int, known: dict[str, str]) -> str:
    """``os.path.realpath(path)`` for a file whose ``lstat`` gave ``mode`` (see :func:`_real_dir`)."""
    if stat.S_ISLNK(mode):
        return os.path.realpath(path)
    directory, name = os.path.split(path)
    return os.path.join(_real_dir(directory, known), name)


_NAME = operator.attrgetter("name")


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
    real_dirs: dict[str, str] = {}

    def shown(full: str) -> str:  # display_path, fast for the usual normalised ASCII path
        if os.sep == "/" and full.isascii():
            return full[len(prefix) :] if full.startswith(prefix) else full
        return display_path(full, cwd)

    def add(full: str, real: str, size: int | None = None) -> None:
        """Each file once; reached through a symlink and by its real path, the real path is shown."""
        if real not in seen:
            seen[real] = len(out)
            out.append(Source(full, shown(full), size=size))
        elif full == real:
            out[seen[real]] = Source(full, shown(full), size=size)

    def unreadable(err: OSError) -> None:
        where = display_path(err.filename or ".", cwd)
        problems.append(engine_finding("E002", Span(where, 1, 1, 1, 1), f"cannot read directory: {err.strerror or err}"))

    for raw in paths:
        p = os.path.abspath(os.path.join(cwd, raw))
        try:
            st = os.lstat(p)  # one system call for the many files pre-commit names
        except OSError:
            problems.append(engine_finding("E002", Span(display_path(p, cwd), 1, 1, 1, 1), f"no such file or directory: {raw}"))
            continue
        if settings.force_exclude and skip.match(p):
            continue
        mode = st.st_mode
        if not (stat.S_ISDIR(mode) or stat.S_ISLNK(mode) and os.path.isdir(p)):
            add(p, _real_file(p, mode, real_dirs), st.st_size if stat.S_ISREG(mode) else None)
            continue
        root_real = os.path.realpath(p)
        visited = {root_real}

        def walk(dirpath: str, real_dir: str) -> list[tuple[str, str]]:
            """Add the files of ``dirpath`` (whose real path is ``real_dir``); return its subdirectories, in name order."""
            try:
                with os.scandir(dirpath) as it:
                    entries = sorted(it, key=_NAME)
            except OSError as err:
                unreadable(err)
                return []
            real_prefix = real_dir if real_dir.endswith(os.sep) else real_dir + os.sep
            subdirs = []
            for e in entries:
                try:
                    is_link, is_dir = e.is_symlink(), e.is_dir()  # free (d_type) but for symlinks
                except OSError:
                    continue
                if is_dir:
                    if skip.match(e.path, ancestors=False):
                        continue
                    if is_link:
                        real = os.path.realpath(e.path)
                        if not follow or not _inside(real, root_real) or real in visited:
                            continue
                    else:
                        real = real_prefix + e.name
                    if follow:
                        visited.add(real)
                    subdirs.append((e.path, real))
                elif e.name.endswith(SOURCE_EXT):
                    if is_link:
                        real = os.path.realpath(e.path)
                        if not (follow and _inside(real, root_real)):
                            continue
                    else:
                        real = real_prefix + e.name
                    if not (exclude and exclude.match(e.path, ancestors=False)):
                        add(e.path, real)
            return subdirs

        stack = [(p, root_real)]
        while stack:  # depth first, without recursion: directory trees may be thousands deep
            stack.extend(reversed(walk(*stack.pop())))
    return out, problems


# ------------------------------------------------------------------- context
#
# pre-commit names only the changed files.  With ``Settings.context`` (the CLI's
# default), a configuration file named on the command line is linted as a member of
# its *project*: the nearest directory at or above it that holds a
# .golint-traefik.toml, a pyproject.toml with a [tool.golint-traefik] table or a
# .git, or that is the configuration file's directory or the current directory.  A
# file outside the current directory with no such directory above it is a project of
# its own directory; the home directory and the file system root are never a
# project root (a home directory kept in git must not make every file a member of
# one huge project).
#
# The project is walked once, by the rules above (skipped directories, excludes,
# symlinks), and its other configuration files are read as *context*: they go into
# the Traefik model together with the named files, in the order of a whole-project
# run, and the findings located in them -- parse errors and unreadable files
# included, internal errors too -- are dropped: they were not asked for.  Findings
# located in no file (a rule that crashed on the project) are kept.  A named file
# thus gets the findings a run on the whole project reports for it, and the cache
# unit is the same as that run's (see cache.py).
#
# The cross-checks (XS) run, as before, when the named files include both Go and
# configuration files; the Go programs then come from the whole project too: its Go
# packages are analysed for their XS facts (their own findings are dropped; a warm
# cache holds the facts), and the XS findings are filtered the same way.  Go files
# named without configuration files read no context at all.
#
# Directories named on the command line are linted on their own, as before: a
# directory is a tree chosen as a whole (one deployment of several, examples/).


def _remote(d: str) -> bool:
    """The file system root or the home directory: never taken as a project root."""
    return os.path.dirname(d) == d or d == os.path.expanduser("~")


@lru_cache(maxsize=1024)
def project_root(directory: str, cwd: str, base: str | None = None) -> str | None:
    """The root of the project holding the (absolute) ``directory`` (None: it is the home directory or
    the file system root); ``base``: the configuration file's directory."""
    from golint_traefik import config as configmod

    try:
        found = configmod.find_config(directory)
    except configmod.ConfigError:  # an invalid file further up: the other markers still count
        found = None
    stops = {d for d in (cwd, base, os.path.dirname(os.path.abspath(found[0])) if found else None) if d and not _remote(d)}
    d = directory
    while not _remote(d):
        if d in stops or os.path.lexists(os.path.join(d, ".git")) or os.path.isfile(os.path.join(d, ".golint-traefik.toml")):
            return d
        d = os.path.dirname(d)
    return None if _remote(directory) else directory


_LOADER_CRASH = "internal error in the Traefik configuration loader"


@dataclass
class Context:
    """The configuration (and, for the cross-checks, Go) files of a run with its context files among them."""

    config: list[Source]  # named and context configuration files, in the order of a whole-project run
    go: list[Source]  # the same for Go files, when the cross-checks need them; else empty
    shown: frozenset[str]  # display paths of the context files: findings there are dropped

    @property
    def count(self) -> int:
        return len(self.shown)

    def keep(self, found: tuple[list[Finding], int]) -> tuple[list[Finding], int]:
        """(findings, internal errors) without what is located in context files.

        A crash of a project-wide step (a rule, the model) is pinned to some configuration file
        (see ``_anchor``); it concerns the named files as much as the others, so when that file
        is a context file the crash moves to the first named one instead of being dropped.  Only
        a context file's own loader crash goes (a run that names it reports it)."""
        findings, internal = found
        dropped = [f for f in findings if f.path in self.shown]
        if not dropped:
            return findings, internal
        named = next((s.display for s in self.config if s.display not in self.shown), None)
        out = [f for f in findings if f.path not in self.shown]
        for f in dropped:
            if f.rule_id == "E003" and named is not None and not f.message.startswith(_LOADER_CRASH):
                out.append(replace(f, span=Span(named, 1, 1, 1, 1)))
            elif f.rule_id == "E003":
                internal -= 1
        return out, internal


def find_context(paths: list[str], go_sources: list[Source], cfg_sources: list[Source], settings: Settings, cwd: str,
                 cross: bool) -> Context | None:
    """The context of the named files (see above), or None when the run needs none."""
    if not cfg_sources:  # no configuration file named, so none named as a file
        return None
    named_files: set[str] = set()
    starts: set[str] = set()
    named_dirs: list[str] = []
    by_path = {s.path: s for s in (*cfg_sources, *go_sources)}
    for raw in paths:
        p = os.path.abspath(os.path.join(cwd, raw))
        src = by_path.get(p)
        if src is None:
            if os.path.isdir(p):
                named_dirs.append(p)
            continue
        named_files.add(p)
        if src.display.endswith(CONFIG_EXT):
            starts.add(os.path.dirname(p))
    if not starts:  # no configuration file named as a file
        return None
    if cross:
        starts.update(os.path.dirname(p) for p in named_files if by_path[p].display.endswith(GO_EXT))
    roots: list[str] = []
    for r in sorted({project_root(d, cwd, settings.base or cwd) for d in starts} - {None}):  # parents sort first
        if not any(_inside(r, o) for o in roots) and not any(_inside(r, d) for d in named_dirs):
            roots.append(r)
    if not roots:
        return None
    walked, _ = discover(roots, replace(settings, force_exclude=False), cwd)  # unreadable directories: not asked for

    real_dirs: dict[str, str] = {}

    def real(path: str) -> str:  # the real path, for files that are not symlinks themselves
        d, name = os.path.split(path)
        return os.path.join(_real_dir(d, real_dirs), name)

    named: dict[str, Source] = {}
    for s in (*cfg_sources, *go_sources):
        named.setdefault(os.path.realpath(s.path) if s.path in named_files else real(s.path), s)
    config: list[Source] = []
    go: list[Source] = []
    shown: set[str] = set()
    used: set[int] = set()
    for w in walked:
        is_config = w.display.endswith(CONFIG_EXT)
        if not is_config and not (cross and w.display.endswith(GO_EXT)):
            continue
        s = named.get(real(w.path))
        if s is None:
            s = w
            shown.add(w.display)
        elif id(s) in used:
            continue
        else:
            used.add(id(s))
        (config if is_config else go).append(s)
    config.extend(s for s in cfg_sources if id(s) not in used)
    if cross:
        go.extend(s for s in go_sources if id(s) not in used)
    return Context(config, go, frozenset(shown))


# ------------------------------------------------------------ diagnostics


def engine_finding(rule_id: str, span: Span, message: str, fix: str | None = None) -> Finding:
    from golint_traefik.registry import load_registry

    meta = load_registry().meta(rule_id)
    return Finding(rule_id, meta.slug, meta.severity, message, span, fix=fix)


# Rules may recurse over syntax trees, and input can nest 10,000 levels deep (parentheses,
# blocks, rule expressions).  A rule that runs out of recursion is run once more on a thread
# with a large stack and a high recursion limit instead of failing as E003.
DEEP_RECURSION_LIMIT = 120_000
DEEP_STACK_BYTES = 768 * 1024 * 1024  # reserved address space; only the pages used are touched


def check_deep(check, p, sink: list, mark: int) -> None:
    """``check(p)``; on RecursionError, again (its findings from ``mark`` on dropped) with a deep stack."""
    try:
        check(p)
        return
    except RecursionError as exc:
        del sink[mark:]
        first = exc
    import threading

    outcome: list[BaseException] = []

    def target() -> None:
        try:
            check(p)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the calling thread
            outcome.append(exc)

    old_size, old_limit = threading.stack_size(), sys.getrecursionlimit()
    try:
        threading.stack_size(DEEP_STACK_BYTES)  # read when the thread starts
        sys.setrecursionlimit(max(old_limit, DEEP_RECURSION_LIMIT))
        worker = threading.Thread(target=target, name="golint-traefik-deep", daemon=True)
        worker.start()
    except (RuntimeError, ValueError, MemoryError):  # no such thread here: the recursion error stands
        sys.setrecursionlimit(old_limit)
        raise first from None
    finally:
        threading.stack_size(old_size)
    try:
        worker.join()
    finally:
        sys.setrecursionlimit(old_limit)
    if outcome:
        raise outcome[0]


def internal_error(rule_id: str, slug: str, path: str, exc: BaseException) -> Finding:
    return crash_finding(f"rule {rule_id} ({slug})", path, exc)


def crash_finding(what: str, path: str, exc: BaseException) -> Finding:
    """E003 for an exception raised by ``what`` (a rule, a loader) on ``path``: the exception and where."""
    import traceback

    tb = traceback.extract_tb(exc.__traceback__)
    where = f" at {os.path.basename(tb[-1].filename)}:{tb[-1].lineno}" if tb else ""
    msg = f"internal error in {what}: {type(exc).__name__}: {exc}{where}"
    return engine_finding("E003", Span(path, 1, 1, 1, 1), msg)


def read_source(src: Source, facts: list | None = None) -> tuple[bytes | None, Finding | None]:
    """The bytes of ``src``, or a E002 finding.  ``facts`` collects (path, stat, digest) for the cache."""
    if src.content is not None:
        return src.content, None
    try:
        # O_NONBLOCK: a FIFO named like a source file must not block the run waiting for a writer.
        fd = os.open(src.path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        try:
            st = os.fstat(fd)  # before reading: a later change shows in the mtime
            if not stat.S_ISREG(st.st_mode):
                what = "is a directory, not a file" if stat.S_ISDIR(st.st_mode) else "not a regular file (a pipe, socket or device); not read"
                return None, engine_finding("E002", Span(src.display, 1, 1, 1, 1), what)
            if st.st_size > MAX_FILE_BYTES:
                return None, engine_finding(
                    "E002", Span(src.display, 1, 1, 1, 1), f"file is {st.st_size} bytes, over the {MAX_FILE_BYTES}-byte limit; not analysed"
                )
            data = _read_to_end(fd, st.st_size)
        finally:
            os.close(fd)
    except OSError as exc:
        if os.path.isdir(src.path):
            return None, engine_finding("E002", Span(src.display, 1, 1, 1, 1), "is a directory, not a file")
        return None, engine_finding("E002", Span(src.display, 1, 1, 1, 1), f"cannot read file: {exc.strerror or exc}")
    if facts is not None:
        from golint_traefik.cache import digest

        facts.append((src.path, st, digest(data)))
    return data, None


def _read_to_end(fd: int, size: int) -> bytes:
    """Everything ``fd`` has left, ``size`` the size it had: one read for a file that kept its size
    (plain ``os.read`` calls cost half of a buffered file object's, over thousands of small files)."""
    chunks = []
    while True:
        chunk = os.read(fd, size + 1 if not chunks else 1 << 20)  # +1: a file that grew is read on
        if not chunk:
            return b"".join(chunks) if len(chunks) != 1 else chunks[0]
        chunks.append(chunk)


def is_binary(data: bytes) -> bool:
    return b"\x00" in data[:8192]


def not_utf8(display: str, data: bytes) -> Finding | None:
    """An E002 finding at the first byte that is not UTF-8, or None when ``data`` is UTF-8."""
    if data.isascii():
        return None
    try:
        data.decode("utf-8")
        return None
    except UnicodeDecodeError as exc:
        at = exc.start
    line_start = data.rfind(b"\n", 0, at) + 1
    line = data.count(b"\n", 0, at) + 1
    prefix = data[line_start:at]
    col = len((prefix[3:] if line_start == 0 and prefix.startswith(b"\xef\xbb\xbf") else prefix).decode("utf-8", "replace")) + 1
    return engine_finding("E002", Span(display, line, col, line, col + 1),
                          f"not UTF-8 text (byte 0x{data[at]:02x} at line {line}, column {col}); not analysed")


# ------------------------------------------------------------------ go side

_GO_DIRECTIVE = re.compile(rb"^go\s+(\d+)\.(\d+)", re.M)
_gomod_cache: dict[str, tuple[str, bytes] | None] = {}


def nearest_gomod(directory: str) -> tuple[str, bytes] | None:
    """``(directory, first 64 KiB)`` of the nearest go.mod at or above ``directory``; cached per directory."""
    d = os.path.abspath(directory)
    chain = []
    found: tuple[str, bytes] | None = None
    while True:
        if d in _gomod_cache:
            found = _gomod_cache[d]
            break
        chain.append(d)
        mod = os.path.join(d, "go.mod")
        if os.path.isfile(mod):
            try:
                with open(mod, "rb") as fh:
                    found = (d, fh.read(65536))
            except OSError:
                found = None
            break
        parent = os.path.dirname(d)
        if parent == d:
            break
        d = parent
    for c in chain:
        _gomod_cache[c] = found
    return found


def go_version_for(directory: str) -> tuple[int, int]:
    """The ``go`` directive of the nearest go.mod above ``directory``."""
    mod = nearest_gomod(directory)
    m = _GO_DIRECTIVE.search(mod[1]) if mod else None
    return (int(m.group(1)), int(m.group(2))) if m else DEFAULT_GO_VERSION


_NO_FRAME = nullcontext()


def analyze_go_package(sources: list[Source], settings: Settings, version: tuple[int, int] | None = None,
                       facts: list | None = None, cross_facts: list | None = None,
                       keep: list | None = None, records: list | None = None,
                       prev: dict | None = None) -> tuple[list[Finding], int]:
    """Parse the Go files of one directory and run every selected Go rule on each (and collect its XS facts).

    The package's trees are freed on return, unless ``keep`` is given: the parsed files are then
    appended to it, and live as long as it does (see :func:`run`).

    With ``records`` (a list), what each file's findings read of the other files is recorded (see
    go/track.py) and appended to it, as JSON data for the cache.  ``prev``, the records of an earlier
    analysis of the same files (:func:`_previous`), lets a file whose reads are unaffected by the files
    changed since keep its findings: it is not analysed again, nor parsed unless another file's
    analysis needs it."""
    from golint_traefik import fingerprint, suppress
    from golint_traefik.cross import cross_ids
    from golint_traefik.go.source import GoFile, GoPackage
    from golint_traefik.passes import GoPass
    from golint_traefik.registry import load_registry

    registry = load_registry()
    findings: list[Finding] = []
    internal = 0
    files: list[GoFile] = []
    skipped: dict[str, frozenset[str]] = {}  # display path -> rules per-file-ignores turns off
    directory = os.path.dirname(sources[0].path) if sources else "."
    version = version or settings.go_version or go_version_for(directory)
    tracked = records is not None
    if tracked:
        from golint_traefik.go import track

        track.reset()
        File, Package = track.TrackedGoFile, track.TrackedPackage
    else:
        File, Package = GoFile, GoPackage
    changed: set[str] = set()  # display paths of the files whose content differs from ``prev``'s
    clean = True  # every source analysed (no E001/E002): only then are records kept
    for src in sources:
        data, problem = read_source(src, facts)
        if problem:
            findings.append(problem)
            clean = False
            continue
        if is_binary(data):
            findings.append(engine_finding("E002", Span(src.display, 1, 1, 1, 1), "binary file (contains NUL bytes); not analysed as Go"))
            clean = False
            continue
        bad = not_utf8(src.display, data)
        if bad is not None:  # the Go compiler rejects such a file ("invalid UTF-8 encoding")
            findings.append(bad)
            clean = False
            continue
        f = File(src.display, data, version)
        if prev is not None and facts and prev["digests"].get(src.path) == facts[-1][2]:
            files.append(f)  # as it was: it parsed without an error then, and is parsed when needed
            skipped[f.path] = file_ignores(src.path, settings)
            continue
        changed.add(src.display)
        err = f.first_error()
        if err is not None:
            what = "missing " + err.type if err.is_missing else "syntax error"
            near = f.text(err)[:40].splitlines()[0] if err.end_byte > err.start_byte else ""
            detail = f" near {near!r}" if near.strip() else ""
            findings.append(
                engine_finding("E001", f.span(err) if not err.is_missing else f.point_span(*err.start_point),
                               f"Go {what}{detail}; Go rules skipped for this file")
            )
            clean = False
            continue
        files.append(f)
        skipped[f.path] = file_ignores(src.path, settings)
    package = Package(directory, files)
    reuse = track.reusable(prev, files, changed) if prev is not None and clean else {}
    if cross_facts is not None:  # the package's facts for the XS rules, from the trees parsed here
        from golint_traefik.cross.gofacts import package_facts

        try:
            cross_facts.append(package_facts(package, directory))
        except Exception as exc:  # noqa: BLE001 - costs the cross-checks of this package, reported, not hidden
            cross_facts.append(None)
            findings.append(crash_finding("the cross-check facts of this Go package", sources[0].display, exc))
            internal += 1
    # One pass per rule for the package, pointed at each file in turn (options merged once).
    passes = [(rule, rule.meta, GoPass(rule.meta, settings.severity_overrides.get(rule.meta.id, rule.meta.severity),
                                       settings.rule_options.get(rule.meta.id, {}), [], None, package))
              for rule in registry if rule.meta.target == "go" and rule.meta.id in settings.selected]
    frames: list = []
    counts: list[int] = []
    for f in files:
        old = reuse.get(f.path)
        if old is not None:  # unaffected by the edits: its findings and reads as they were
            findings.extend(old[0])
            frames.append(old[1])
            counts.append(len(old[0]))
            continue
        file_findings: list[Finding] = []
        off = skipped[f.path]
        with track.owner_frame(f) if tracked else _NO_FRAME as frame:  # what the rules read (go/track.py)
            for rule, meta, p in passes:
                if off and meta.id in off:  # not even run: per-file-ignores is also the cure for a crashing rule
                    continue
                p.file, p._sink = f, file_findings
                mark = len(file_findings)
                try:
                    check_deep(rule.check, p, file_findings, mark)
                except Exception as exc:  # noqa: BLE001 - a crashing rule must not hide the others
                    del file_findings[mark:]
                    file_findings.append(internal_error(meta.id, meta.slug, f.path, exc))
                    internal += 1
            file_findings = suppress.apply_go(f, file_findings, settings.selected - skipped[f.path] - cross_ids())
            file_findings = fingerprint.assign(file_findings, f.line_text)
        frames.append(frame)
        counts.append(len(file_findings))
        findings.extend(file_findings)
    if tracked and clean:
        records.append(track.records(files, frames, counts, prev))
    if tracked:
        package.release(frames)  # the frames too: they refer to the files
        track.reset()
    else:
        package.release()  # trees are freed now, not at the next garbage collection
    if keep is not None:
        keep.append(files)
    # Diagnostics about unreadable or broken files carry no line text to hash.
    findings = [fd for fd in findings if fd.fingerprint] + fingerprint.assign([fd for fd in findings if not fd.fingerprint], None)
    return findings, internal


def _previous(doc, sources: list[Source]) -> dict | None:
    """The records of an entry whose files' contents changed since (see Cache.lookup_entry), checked for
    shape (an entry is not trusted), or None."""
    from golint_traefik.cache import decode_finding
    from golint_traefik.go import track

    try:
        inc = track.checked(doc["inc"], len(sources))
        if inc is None:
            return None
        findings = [decode_finding(f) for f in doc["findings"]]
        if sum(inc["n"]) != len(findings):
            return None
        inc["digests"] = {path: content for path, _, _, content in doc["files"]}
    except Exception:  # noqa: BLE001 - an entry is not trusted
        return None
    inc["findings"] = findings
    return inc


def _unit_key(cache, settings: Settings, kind: str, unit: list[Source], *extra) -> str | None:
    """The cache key of a unit (see cache.py), or None when it is not cached (stdin)."""
    if cache is None or any(s.content is not None for s in unit):
        return None
    members = [(s.path, s.display, sorted(file_ignores(s.path, settings))) for s in unit]
    return cache.key(kind, list(extra), members)


def _go_worker(batch: list[tuple[int, str | None, tuple[int, int], list[Source]]], settings: Settings, cache,
               cross: bool = False, keep: list | None = None) -> list:
    """Analyse Go packages (index, cache key, Go version, files); returns (index, findings, internal errors, XS facts).
    ``keep`` receives the trees of the last package (see :func:`run`); a worker keeps more (see HOLD_BYTES)."""
    out = []
    # The analysis allocates many small objects (tree nodes, facts) and frees them per package; Python's
    # default collector thresholds would run full collections over them again and again.
    threshold = gc.get_threshold()
    gc.set_threshold(max(threshold[0], 50_000), max(threshold[1], 50), max(threshold[2], 100))
    hold = keep is None and _IN_WORKER  # see HOLD_BYTES
    # A task that finds this worker past its budget was given to it because too little was left to
    # be worth a new worker (see REPLACE_BYTES): it keeps those trees too.
    over = hold and _HELD[0] >= HOLD_BYTES
    try:
        for i, item in enumerate(batch):
            if hold:
                kept = _KEPT if over or _HELD[0] < HOLD_BYTES else None
            else:
                kept = keep if i == len(batch) - 1 else None
            before = len(_KEPT)
            out.append(_go_unit(item, settings, cache, cross, kept))
            if hold and len(_KEPT) > before:
                _HELD[0] += sum(f.size() for f in _KEPT[-1])
    finally:
        gc.set_threshold(*threshold)
    if hold and _HELD[0] >= HOLD_BYTES:
        from golint_traefik import workers

        workers.retire()  # after this task's reply
    return out


# A worker process does not free the trees of the packages it analyses: it keeps them until they
# hold HOLD_BYTES of source (about 35 times that in memory; later packages of the batch are freed),
# then retires after its task (workers.retire), and the system takes its memory back whole.  Freeing
# a tree walks it node by node, and once its package is done a tree is no longer in the processor's
# cache: on the standard library that walk took 0.63 s of CPU in one process, and the exits take a
# fifth of it.  The new workers' fresh pages give part of the saving back as system time (README,
# Performance).
#
# A new worker costs a fork, a warm-up and fresh pages (the first, the main process's imports too),
# and its only gain is memory: while no more than REPLACE_BYTES of source is left to hand out, a
# worker past its budget stays and keeps the trees of what it is still given.  A worker thus holds
# at most HOLD_BYTES + REPLACE_BYTES and one package (about 400 MB), usually far less: what is left
# is shared among the workers.
HOLD_BYTES = 4_000_000
REPLACE_BYTES = 6_000_000
_HELD = [0]  # bytes of source held by this worker (in _KEPT)


def _go_unit(item, settings: Settings, cache, cross: bool, keep: list | None = None) -> tuple:
    """One Go package: (index, findings, internal errors, XS facts); stored in the cache when clean."""
    index, key, version, sources, prev = item
    facts: list | None = [] if key else None
    xfacts: list | None = [] if cross else None
    records: list | None = [] if key else None
    try:
        findings, internal = analyze_go_package(sources, settings, version, facts, xfacts, keep, records, prev)
    except Exception as exc:  # noqa: BLE001 - a bug outside the rules costs this package, not the run
        findings, internal, xfacts = _package_crash(sources, exc), 1, None
    xf = xfacts[0] if xfacts else None
    if key and not internal and len(facts) == len(sources):
        cache.store(key, facts, findings, _encode_facts(xf) if cross else None, records[0] if records else None)
    return index, findings, internal, xf


def _package_crash(sources: list[Source], exc: BaseException) -> list[Finding]:
    """The E003 finding of a Go package whose analysis failed outside the rules."""
    from golint_traefik import fingerprint

    where = os.path.dirname(sources[0].display) or "." if sources else "."
    return fingerprint.assign([crash_finding("the Go package analysis", where, exc)], None)


def _crashed_unit(item, reason: str) -> tuple:
    """The result of a Go package whose worker process died analysing it alone (see workers.py)."""
    index, _, _, sources, _ = item
    return index, _package_crash(sources, RuntimeError(f"{reason} while analysing this package")), 1, None


# A Go unit's cache entry keeps the package's XS facts (when they were computed) beside its findings,
# so that the cross-checks are recomputed from cached facts: [facts FORMAT, facts or null].


def _encode_facts(xf):
    from golint_traefik.cross import facts as F

    try:
        return [F.FORMAT, None if xf is None else F.to_json(xf)]
    except (TypeError, ValueError):
        return None  # stored without facts: a run that needs them analyses the package again


def _decode_facts(extra):
    """(True, facts) from a cache entry's extra data, or (False, None) when it holds no usable facts."""
    from golint_traefik.cross import facts as F

    try:
        version, data = extra
        if version == F.FORMAT:
            return True, None if data is None else F.from_json(data)
    except Exception:  # noqa: BLE001 - an entry is not trusted
        pass
    return False, None


def _size(sources: list[Source]) -> int:
    """Bytes of source, to weigh the packages for the workers: as discovery found them (a file
    named on the command line), else one stat each."""
    total = 0
    for s in sources:
        if s.size is not None:
            total += s.size
            continue
        try:
            total += os.stat(s.path).st_size if s.content is None else len(s.content)
        except OSError:
            pass
    return total


def _batches(todo: list, sizes: list[int], jobs: int) -> list[list]:
    """Packages in batches for the worker processes, largest packages first, the batches shrinking
    towards the end (guided self-scheduling).

    A batch holds about what is left divided by ``2 * jobs``, at most 1/(8 * jobs) of the whole (so
    that Ctrl-C waits only for batches of that size already handed out) and at least 1/(64 * jobs)
    (so that per-task overhead stays small).  Batches of equal size left one worker idle for most of
    the last batch (0.2-0.3 s on the stdlib); small last batches let the workers finish together.
    """
    total = sum(sizes) + len(sizes)
    cap, least = total / (8 * jobs), total / (64 * jobs)
    out: list[list] = []
    batch: list = []
    load = 0
    remaining = total
    for item, size in sorted(zip(todo, sizes), key=lambda t: -t[1]):
        batch.append(item)
        load += size + 1
        if load >= max(least, min(cap, remaining / (2 * jobs))):
            out.append(batch)
            remaining -= load
            batch, load = [], 0
    if batch:
        out.append(batch)
    return out


def run_go(sources: list[Source], settings: Settings, cache=None, cross_facts: list | None = None,
           keep: list | None = None, pool=None) -> tuple[list[Finding], int]:
    """Analyse the Go files package by package: from the cache, in-process, or spread over worker processes
    (``keep``: see :func:`run`).  ``pool``: workers started before the files were known (see :func:`run`),
    used when the packages to analyse are worth it, else closed here; without it, workers are started
    as soon as the packages the cache does not answer are worth them."""
    from golint_traefik import workers

    by_dir: dict[str, list[Source]] = {}
    for s in sources:
        by_dir.setdefault(os.path.dirname(s.path), []).append(s)
    results: list = [None] * len(by_dir)
    todo: list = []
    sizes: list[int] = []
    wanted = settings.jobs or jobs_default()
    own = False
    for index, directory in enumerate(sorted(by_dir)):
        unit = by_dir[directory]
        version = settings.go_version or go_version_for(directory)
        key = _unit_key(cache, settings, "go", unit, version)
        changed: list = []
        hit = cache.lookup_entry(key, [s.path for s in unit], changed) if key else None
        ok, xf = _decode_facts(hit[1]) if hit is not None and cross_facts is not None else (True, None)
        if hit is not None and ok:
            results[index] = (index, hit[0], 0, xf)
            continue
        # Not cached, or cached without the XS facts this run needs; an entry for files since edited
        # tells which files' findings still stand.
        todo.append((index, key, version, unit, _previous(changed[0], unit) if changed else None))
        if wanted > 1:
            sizes.append(_size(unit))
            if pool is None and sum(sizes) >= IN_PROCESS_BYTES:  # worth workers: they get ready during the rest of the lookups
                pool, own = _start_go_workers(wanted, settings, keep is None), True
    # In-process below IN_PROCESS_BYTES of source to analyse; else on the workers, even for one big
    # package (they have the rules imported already, and their exit frees nothing).
    if not todo or wanted <= 1 or sum(sizes) < IN_PROCESS_BYTES:
        if pool is not None:
            pool.close()  # before the analysis: workers still warming up would take a core from it
        done = _go_worker(todo, settings, cache, cross_facts is not None, keep)
    else:
        jobs = min(wanted, len(todo))
        batches = _batches(todo, sizes, jobs)
        args = (settings, cache, cross_facts is not None)
        if pool is None:  # no fork on this platform
            done = workers.run_tasks(_go_worker, batches, jobs, args)
        else:
            size = {item[0]: n for item, n in zip(todo, sizes)}
            try:
                done = pool.run(_go_worker, batches, args, on_crash=_crashed_unit,
                                weights=[sum(size[item[0]] for item in b) for b in batches], replace_above=REPLACE_BYTES)
            finally:
                if own:
                    pool.close()
    for r in done:
        results[r[0]] = r
    if cross_facts is not None:
        cross_facts.extend(r[3] for r in results)
    return [f for _, fs, *_ in results for f in fs], sum(r[2] for r in results)


_IN_WORKER = False  # set in worker processes, which leave with os._exit
_KEPT: list = []  # in a worker: the trees of the packages it analysed, freed by its exit (see HOLD_BYTES)


def _start_go_workers(jobs: int, settings: Settings, wait: bool):
    """``jobs`` Go workers (see workers.start), each importing what the analysis needs as it starts,
    while this process goes on.  With more workers than cores those imports would queue for the
    cores: this process imports once, first, and the workers inherit it.  Otherwise it imports
    before it forks the first worker to replace one that retired (see HOLD_BYTES), which then starts
    ready, as every later one does."""
    from golint_traefik import workers

    if jobs > jobs_default():
        _import_go_analysis(settings)
        return workers.start(jobs, _warm_go_worker, (settings,), wait)
    return workers.start(jobs, _warm_go_worker, (settings,), wait, prime=_import_go_analysis)


def _warm_go_worker(settings: Settings) -> None:
    """In a new worker process: import what analysing a Go package needs, while the main process
    finds the files."""
    global _IN_WORKER
    _IN_WORKER = True
    _KEPT.clear()  # a worker forked to replace one that retired starts with nothing held
    _HELD[0] = 0
    _import_go_analysis(settings)


def _import_go_analysis(settings: Settings) -> None:
    """Import what analysing a Go package needs (the selected rules among it) and build the parser."""
    import importlib

    from golint_traefik.go.source import parser
    from golint_traefik.registry import load_registry

    for module in ("golint_traefik.fingerprint", "golint_traefik.suppress", "golint_traefik.cross", "golint_traefik.passes"):
        importlib.import_module(module)
    parser()
    for rule in load_registry():
        if rule.meta.target == "go" and rule.meta.id in settings.selected:
            try:
                rule.check  # noqa: B018 - imports the rule's module
            except Exception:  # noqa: BLE001 - the analysis meets the same error and reports it (E003)
                pass


# Without a cache every Go package will be analysed: the workers start before discovery when the
# run names a directory or this many files, and import the rules while the main process walks the
# tree.  (With a cache they start at the first lookups that leave enough to analyse: a warm run
# starts none.)
EARLY_POOL_FILES = 64


def _early_go_pool(paths: list[str], settings: Settings, cwd: str, wait: bool):
    jobs = settings.jobs or jobs_default()
    if jobs <= 1 or settings.cache_dir is not None or (
            len(paths) < EARLY_POOL_FILES and not any(os.path.isdir(os.path.join(cwd, p)) for p in paths or ["."])):
        return None
    return _start_go_workers(jobs, settings, wait)


# ------------------------------------------------------------- traefik side


def _anchor(project) -> str:
    """Where a finding about the whole Traefik project goes (a rule's crash): the static
    configuration file, else the first configuration file, so that it has a file to point at."""
    for s in getattr(project, "static", ()):
        if getattr(s, "path", None) in project.texts:
            return s.path
    return next(iter(sorted(project.texts)), "<traefik project>")


def run_traefik(sources: list[Source], settings: Settings, cache=None, built: dict | None = None) -> tuple[list[Finding], int]:
    """Build the project model of every configuration file and run the Traefik rules on it.

    The files form one cache unit: the model is cross-file, and re-reading a
    project's few configuration files costs less than tracking which of them
    a result depends on.
    """
    key = _unit_key(cache, settings, "traefik", sources)
    hit = cache.lookup_entry(key, [s.path for s in sources]) if key else None
    if hit is not None and externals_unchanged(hit[1]):
        return hit[0], 0
    from golint_traefik import fingerprint, suppress
    from golint_traefik.cross import cross_ids
    from golint_traefik.passes import TraefikPass
    from golint_traefik.registry import load_registry
    from golint_traefik.traefik.model import build_project

    registry = load_registry()
    loaded = []
    findings: list[Finding] = []
    facts: list | None = [] if key else None
    for src in sources:
        data, problem = read_source(src, facts)
        if problem:
            findings.append(problem)
            continue
        loaded.append((src.display, data))
    try:
        project = build_project(loaded, settings)
    except Exception as exc:  # noqa: BLE001 - a model bug loses the Traefik checks, not the rest of the run
        from golint_traefik.traefik.model import Project

        where = loaded[0][0] if loaded else "<traefik project>"
        project = Project(diagnostics=[crash_finding("the Traefik configuration model", where, exc)])
    if built is not None:  # for the XS rules (see cross/run.py)
        built["project"] = project
    findings.extend(project.diagnostics)
    internal = sum(1 for d in project.diagnostics if d.rule_id == "E003")  # loader crashes (see build_project)
    rule_findings: list[Finding] = []
    if project.has_traefik:
        for rule in registry:
            if rule.meta.target != "traefik" or rule.meta.id not in settings.selected:
                continue
            sev = settings.severity_overrides.get(rule.meta.id, rule.meta.severity)
            p = TraefikPass(rule.meta, sev, settings.rule_options.get(rule.meta.id, {}), rule_findings, project)
            mark = len(rule_findings)
            try:
                check_deep(rule.check, p, rule_findings, mark)
            except Exception as exc:  # noqa: BLE001
                del rule_findings[mark:]
                rule_findings.append(internal_error(rule.meta.id, rule.meta.slug, _anchor(project), exc))
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
            selected = settings.selected - file_ignores(real.get(path, path), settings) - cross_ids()
            group = suppress.apply_yaml(path, text, group, selected)
            out.extend(fingerprint.assign_text(group, text))
        else:
            out.extend(fingerprint.assign(group, None))
    extra = externals_extra(project)
    if key and not internal and len(facts) == len(sources) and extra is not None:
        cache.store(key, facts, out, extra)
    return out, internal


# Files the Traefik model reads besides those of the run (a compose env_file) are not members of a
# unit, but its result depends on them: the entry keeps what each gave (found or not), and is used
# only while each still gives the same.


def externals_extra(project) -> dict | None:
    """The extra data of a configuration unit's cache entry: the state of each file outside the run
    that the model looked for (``Project.external_states``); None when unknown (not to be stored)."""
    states = getattr(project, "external_states", None)
    return None if states is None else {"externals": sorted([path, state] for path, state in states.items())}


def externals_unchanged(extra) -> bool:
    """Whether every file outside the run that an entry's result depends on reads as it did then."""
    from golint_traefik.traefik.model import external_state

    try:
        return all(type(path) is str and external_state(path)[0] == state for path, state in extra["externals"])
    except Exception:  # noqa: BLE001 - an entry is not trusted: one of another shape is not used
        return False


# ---------------------------------------------------------------------- run


def run(paths: list[str], settings: Settings, cwd: str | None = None, stdin: Source | None = None,
        keep: list | None = None) -> RunResult:
    """Analyse ``paths`` (or the one ``stdin`` source) and return the kept findings, sorted.

    ``keep``, for a caller that is about to end its process (the command line): the trees of the
    last Go package analysed in this process are appended to it instead of being freed, node by
    node, on the way out (0.05-0.1 s for the largest package of the Go standard library); the process's
    exit returns their memory at once.  Worker processes that finished are not waited for either:
    the system takes back their memory after this process has ended (see workers.Pool.close).

    Go packages are analysed in worker processes when there is enough source to analyse (see
    :func:`run_go`); without a cache, the workers are started before the files are found.

    Severity overrides apply to every finding here (also to engine diagnostics
    and to findings a rule reported at an explicit severity); ``per-file-ignores``
    drops findings of any rule but E003, which is always reported.  E001-E003 are
    kept whatever the selection (the CLI removes those the user ignored).
    """
    cwd = os.path.abspath(cwd or os.getcwd())
    settings = replace(settings, base=os.path.abspath(os.path.join(cwd, settings.base or cwd)))
    pool = _early_go_pool(paths, settings, cwd, keep is None) if stdin is None else None
    try:
        return _run(paths, settings, cwd, stdin, keep, pool)
    finally:
        if pool is not None:
            pool.close()


def _run(paths: list[str], settings: Settings, cwd: str, stdin: Source | None, keep: list | None, pool) -> RunResult:
    if stdin is not None:
        sources, problems = [stdin], []
    else:
        sources, problems = discover(paths or ["."], settings, cwd)
    go_sources = [s for s in sources if s.display.endswith(GO_EXT)]
    cfg_sources = [s for s in sources if s.display.endswith(CONFIG_EXT)]
    cache = open_cache(settings) if sources and stdin is None else None
    findings: list[Finding] = list(problems)
    internal = 0
    cross = False
    if go_sources and cfg_sources and stdin is None:  # the XS rules' module is left unimported otherwise
        from golint_traefik.cross.run import wanted

        cross = wanted(settings)
    ctx = find_context(paths, go_sources, cfg_sources, settings, cwd, cross) if settings.context and stdin is None else None
    xfacts: list | None = [] if cross else None
    built: dict = {}
    if go_sources:
        f, n = run_go(go_sources, settings, cache, xfacts, keep, pool)
        findings.extend(f)
        internal += n
    if pool is not None:
        pool.close()
    if cfg_sources:
        f, n = run_traefik(cfg_sources, settings, cache, built) if ctx is None else \
            ctx.keep(run_traefik(ctx.config, settings, cache, built))
        findings.extend(f)
        internal += n
    if xfacts and ctx is not None:
        xfacts = context_facts(xfacts, go_sources, ctx.go, settings, cache)
    if xfacts:  # XS rules: the Go facts against the Traefik configuration
        from golint_traefik.cross.run import run_cross

        f, n = run_cross(xfacts, cfg_sources, settings, cwd, built.get("project"), cache) if ctx is None else \
            ctx.keep(run_cross(xfacts, ctx.config, settings, cwd, built.get("project"), cache))
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
    kept.sort(key=lambda f: (f.sort_key(), f.fingerprint))
    return RunResult(kept, files_checked=len(go_sources) + len(cfg_sources), internal_errors=internal,
                     context_files=ctx.count if ctx is not None else 0)


def context_facts(named_facts: list, named_go: list[Source], go: list[Source], settings: Settings, cache) -> list:
    """The XS facts of every Go package of the project (``go``: named and context files): those of directories
    named in full come from the run of the named files, the others are analysed here (findings dropped)."""
    named_dirs: dict[str, set[str]] = {}
    for s in named_go:
        named_dirs.setdefault(os.path.dirname(s.path), set()).add(s.path)
    by_dir: dict[str, list[Source]] = {}
    for s in go:
        by_dir.setdefault(os.path.dirname(s.path), []).append(s)
    done = {f.directory: f for f in named_facts if f is not None}
    out, todo = [], []
    for d, unit in by_dir.items():
        if d in done and {s.path for s in unit} == named_dirs.get(d):
            out.append(done[d])
        else:
            todo.extend(unit)
    if todo:
        more: list = []
        run_go(todo, settings, cache, more)  # for the facts; these files were not asked for
        out.extend(more)
    return sorted((f for f in out if f is not None), key=lambda f: f.directory)  # as run_go orders a whole-project run


# Settings that do not shape a unit's result, or that reach its key resolved (per file, per directory).
# (``context`` decides which files form a unit and which findings are kept, never a unit's result.)
_NOT_IN_CACHE_KEY = frozenset({"jobs", "cache_dir", "exclude", "force_exclude", "follow_symlinks", "base", "per_file_ignores",
                               "context"})


def open_cache(settings: Settings):
    """The result cache of ``settings.cache_dir`` for this rule set and options (None: no cache).

    The default directory (``cache_dir`` = ``.golint-traefik-cache``, in ``Settings.base``)
    falls back to the user's cache directory when it cannot be written.
    """
    if not settings.cache_dir:
        return None
    from golint_traefik.cache import DIRNAME, Cache, rule_set
    from golint_traefik.registry import load_registry

    options = {f.name: getattr(settings, f.name) for f in fields(Settings) if f.name not in _NOT_IN_CACHE_KEY}
    context = [rule_set(load_registry(), settings.selected), options]
    root = os.path.join(settings.base or os.getcwd(), settings.cache_dir)
    return Cache.open(root, context, fallback=settings.cache_dir == DIRNAME)


def jobs_default() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit("use the golint-traefik command")
