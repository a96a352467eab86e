"""The result cache: findings of an analysis unit, reused while its inputs are unchanged.

A *unit* is what the engine analyses in one go: the Go files of one
directory (package-level rules see sibling files), or every Traefik
configuration file of the run (the project model is cross-file).  For
configuration files named on the command line, "every file of the run"
includes the rest of their project, read as context (see engine.py,
"context"): those files are members of the unit like the named ones, so the
key covers which files they are and the entry their contents -- a context
file edited, added or removed is a miss.  The entry holds the findings of
every member, and the engine keeps those of the named files afterwards; the
unit is the one a whole-project run forms, and shares its entry.  Its entry
is found by a key that hashes everything the result depends on except file
contents:

* the tool: version, a stamp (size, mtime) of the package's own files
  that shape results (not reports or the CLI), of tree-sitter,
  tree-sitter-go and ruamel.yaml, and the Python version (the entry
  directory is named after it, so an upgrade starts afresh);
* the active rule set (selected ids; each rule's default severity, default
  options and check function) and the options that shape a result
  (severity overrides, rule options, the resolved Go version, the Traefik
  version);
* the unit's members: real path, display path (findings and fingerprints
  carry it) and the rules per-file-ignores turns off for each.

A configuration unit's result also depends on files its model reads outside
the run (a compose ``env_file``): the entry keeps what each gave, found or
not, and is used only while each still gives the same (engine.py,
``externals_unchanged``).

The entry stores, per member, size, mtime_ns and a content hash.  A lookup
is a hit when every member's stat matches (as ruff does); when a stat
differs, the file is hashed, and the hash is the truth.  A file modified
within two seconds of being read is stored without an mtime, so it is always
hashed (git's "racy" case: a change within the same timestamp tick).

Entries are JSON (never pickle: a cache directory is not trusted), one file
per unit, holding its findings and optionally other per-unit data (the Go
facts that the project-wide cross-checks are recomputed from; what each Go
file read of the others, so that an edit re-analyses only the files it
affects: go/track.py), with a header carrying the format and a checksum of the body; an
entry that is corrupt, of another format or for another key is ignored and
rewritten.  Writes go to a temporary file renamed over the entry
(``os.replace``), so an interrupted run never leaves a broken entry.  Units
where a rule crashed or a file could not be read are not stored.  Remove the
directory to clear the cache; entry directories of other tool versions are
removed after a day without use.
"""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import fields
from enum import Enum
from functools import lru_cache
from typing import Iterable

try:  # CPython's own BLAKE2, without hashlib's import of OpenSSL (3-4 ms of every run's start-up)
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - another interpreter
    from hashlib import blake2b

from golint_traefik import __version__
from golint_traefik.finding import Finding, Related, Severity, Span

DIRNAME = ".golint-traefik-cache"
FORMAT = "golint-traefik-cache/1"
RACY_NS = 2_000_000_000  # an mtime this close to the time of reading is not trusted
PRUNE_AFTER_S = 24 * 3600  # entry directories of other tool stamps unused this long are removed
_CACHEDIR_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# golint-traefik result cache (https://bford.info/cachedir/)\n"


def digest(data: bytes) -> str:
    return blake2b(data, digest_size=16).hexdigest()


def _plain(v):
    """``v`` as JSON data that is the same in every process (sets sorted: their order follows str hashing)."""
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    if isinstance(v, (set, frozenset)):
        return sorted((_plain(x) for x in v), key=repr)
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if isinstance(v, (bool, int, float, str)) or v is None:
        return v.value if isinstance(v, Enum) else v
    return repr(v)


def _hash_parts(parts: Iterable) -> str:
    return digest(json.dumps(_plain(list(parts)), sort_keys=True, separators=(",", ":")).encode())


# ---------------------------------------------------------------- findings <-> JSON
#
# A finding is a list in Finding's field order.  Every field has a decoder that
# checks its type, so a foreign entry cannot smuggle in anything but findings.


def _str(v):
    if type(v) is not str:
        raise ValueError(v)
    return v


def _int(v):
    if type(v) is not int:
        raise ValueError(v)
    return v


def _span(v):
    path, line, col, end_line, end_col = v
    return Span(_str(path), _int(line), _int(col), _int(end_line), _int(end_col))


def _related(v):
    return tuple(Related(_span(s), _str(m)) for s, m in v)


_DECODERS = {
    "rule_id": _str,
    "slug": _str,
    "severity": lambda v: Severity(_int(v)),
    "message": _str,
    "span": _span,
    "fix": lambda v: None if v is None else _str(v),
    "related": _related,
    "fingerprint": _str,
    "line_hash": _str,
}
_FIELDS = tuple(f.name for f in fields(Finding))
# A field added to Finding without a decoder here turns the cache off rather than losing it.
SCHEMA_OK = set(_FIELDS) == set(_DECODERS)


def _encode_value(v):
    if isinstance(v, Severity):
        return int(v)
    if isinstance(v, Span):
        return [v.path, v.line, v.col, v.end_line, v.end_col]
    if isinstance(v, Related):
        return [_encode_value(v.span), v.message]
    if isinstance(v, tuple):
        return [_encode_value(x) for x in v]
    if v is None or type(v) in (str, int):
        return v
    raise TypeError(f"cannot cache a {type(v).__name__}")


def encode_finding(f: Finding) -> list:
    return [_encode_value(getattr(f, name)) for name in _FIELDS]


def decode_finding(v) -> Finding:
    if type(v) is not list or len(v) != len(_FIELDS):
        raise ValueError("not a finding")
    return Finding(**{name: _DECODERS[name](x) for name, x in zip(_FIELDS, v)})


# ------------------------------------------------------------------ tool stamp


# Modules that never shape a cached result: reports, the command line and configuration
# parsing (whatever they decide reaches the engine as Settings, which are in the key).
_NOT_IN_RESULTS = frozenset({"report/", "cli.py", "config.py", "baseline.py", "__main__.py", "__pycache__/"})


def _stat_tree(root: str, out: list, rel: str = "") -> None:
    """(relative path, size, mtime_ns) of every file below ``root`` but _NOT_IN_RESULTS and bytecode."""
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except OSError:
        return
    for e in entries:
        if e.is_dir(follow_symlinks=False):
            if rel or e.name + "/" not in _NOT_IN_RESULTS:
                _stat_tree(e.path, out, rel + e.name + "/")
        elif not e.name.endswith((".pyc", ".tmp")) and (rel or e.name not in _NOT_IN_RESULTS):
            st = e.stat()
            out.append((rel + e.name, st.st_size, st.st_mtime_ns))


@lru_cache(maxsize=1)
def tool_stamp() -> str:
    """What identifies this build of the tool: version, own sources (those that shape results), parser libraries, Python.

    (Rule documents matter only through each rule's default severity and options: see :func:`rule_set`.)
    Computed once per process: the code that runs is the code imported.
    """
    from importlib.util import find_spec

    parts: list = [__version__, sys.version, sys.implementation.cache_tag]
    _stat_tree(os.path.dirname(os.path.abspath(__file__)), parts)
    for name in ("tree_sitter", "tree_sitter_go", "ruamel.yaml"):
        try:
            spec = find_spec(name)
        except (ImportError, ValueError):
            spec = None
        parts.append(name)
        for loc in (spec.submodule_search_locations or []) if spec else []:
            try:  # the package's own files, the compiled binding among them
                parts.extend(sorted((e.name, e.stat().st_size, e.stat().st_mtime_ns) for e in os.scandir(loc) if e.is_file()))
            except OSError:
                pass
    return _hash_parts(parts)


def rule_set(registry, selected: Iterable[str]) -> list:
    """The active rule set as data: id, default severity and options, and which function checks it."""
    out = []
    for rid in sorted(selected):
        rule = registry.get(rid)
        if rule is None:
            continue
        # The module, not the function: naming it must not import it (a warm run imports no rule).
        # A test's stand-in function is named by itself.
        # A stand-in function (tests replace rules) is named as well.
        where, fn = rule.module or "", rule.loaded_check
        if fn is not None and fn.__module__ != where:
            where += f":{fn.__module__}.{fn.__qualname__}"
        out.append((rid, int(rule.meta.severity), rule.meta.options, where))
    return out


# ---------------------------------------------------------------------- cache


class Cache:
    """Entries of one tool stamp under ``root``; see the module docstring."""

    def __init__(self, root: str, stamp: str, context: list):
        self.root = root
        self.stamp = stamp
        self.context = context
        self._context_digest: str | None = None
        self.dir = os.path.join(root, f"v1-{stamp[:16]}")

    @classmethod
    def open(cls, root: str, context: list, fallback: bool = False) -> Cache | None:
        """The cache at ``root`` (created if needed), else None (with a warning on stderr).

        ``context`` (JSON-able) is what every key includes besides the tool: the
        rule set and the options.  With ``fallback`` an unusable ``root`` is
        replaced by the user's cache directory.
        """
        if not SCHEMA_OK:
            return None
        stamp = tool_stamp()
        candidates = [root] + ([user_cache_dir()] if fallback else [])
        error = None
        for candidate in candidates:
            cache = cls(os.path.abspath(candidate), stamp, context)
            try:
                cache._prepare()
                return cache
            except OSError as exc:
                error = error or exc
        sys.stderr.write(f"golint-traefik: warning: result cache disabled: cannot use {root}: {error.strerror or error}\n")
        return None

    def _prepare(self) -> None:
        ours = not os.path.isdir(self.root) or os.path.basename(self.root) == DIRNAME
        if not os.path.isdir(self.dir):
            os.makedirs(self.dir, exist_ok=True)
            self._prune_others()
        elif not os.access(self.dir, os.W_OK):
            raise PermissionError(13, "not writable", self.dir)
        else:
            os.utime(self.dir)  # in use: keeps _prune_others of other versions away
        # Markers go only into a directory that is ours: --cache-dir may name an existing one.
        for name, text in ((".gitignore", "# created by golint-traefik\n*\n"), ("CACHEDIR.TAG", _CACHEDIR_TAG)):
            if ours and not os.path.exists(os.path.join(self.root, name)):
                _write_atomic(os.path.join(self.root, name), text.encode())

    def _prune_others(self) -> None:
        import re
        import shutil

        now = time.time()
        for e in os.scandir(self.root):
            if e.is_dir(follow_symlinks=False) and re.fullmatch(r"v1-[0-9a-f]{16}", e.name) and e.path != self.dir:
                try:
                    if now - e.stat().st_mtime > PRUNE_AFTER_S:
                        shutil.rmtree(e.path, ignore_errors=True)
                except OSError:
                    pass

    def key(self, kind: str, extra: list, members: list[tuple[str, str, list[str]]]) -> str:
        """The entry name of a unit: ``extra`` (options of this unit) is JSON-able data, ``members``
        (path, display path, sorted rule ids) per file.  The members are JSON as they are (lists of
        strings: :func:`_plain` would give the same, at a third of a warm run's lookup time)."""
        if self._context_digest is None:  # the rule set is the same for every unit: serialised once
            self._context_digest = _hash_parts([self.context])
        parts = [FORMAT, self.stamp, self._context_digest, kind, _plain(extra), members]
        return digest(json.dumps(parts, sort_keys=True, separators=(",", ":")).encode())

    def _path(self, key: str) -> str:
        return os.path.join(self.dir, key)

    def lookup(self, key: str, paths: list[str]) -> list[Finding] | None:
        """The cached findings of the unit with ``key`` whose files are ``paths`` (in order), or None."""
        entry = self.lookup_entry(key, paths)
        return None if entry is None else entry[0]

    def lookup_entry(self, key: str, paths: list[str], changed: list | None = None) -> tuple[list[Finding], object] | None:
        """(findings, extra) of the unit with ``key`` whose files are ``paths`` (in order), or None.

        ``extra`` is the JSON data stored with the findings (None when there is none); the caller
        checks its shape, since an entry is not trusted.  When the entry is for these files but a
        content differs, the entry's document is appended to ``changed`` with its records (``KEY.inc``)
        as ``"inc"``, when it has records (for an incremental analysis; unchecked as well).
        """
        try:
            with open(self._path(key), "rb") as fh:
                raw = fh.read()
            header, _, body = raw.partition(b"\n")
            if header != f"{FORMAT} {digest(body)}".encode():
                return None
            doc = json.loads(body)
            files = doc["files"]
            if doc["key"] != key or len(files) != len(paths):
                return None
            stats, stale = [], False
            for path, (stored_path, size, mtime, content) in zip(paths, files):
                if stored_path != path:
                    return None
                st = os.stat(path)
                stats.append((path, st, content))
                if st.st_size == size and st.st_mtime_ns == mtime:
                    continue
                with open(path, "rb") as fh:  # the stat differs (or was racy): the content decides
                    if st.st_size != size or digest(fh.read()) != content:
                        if changed is not None:
                            inc = self._records(key, doc)
                            if inc is not None:
                                changed.append({**doc, "inc": inc})
                        return None
                stale = True
            findings = [decode_finding(f) for f in doc["findings"]]
            extra = doc.get("extra")
        except Exception:  # noqa: BLE001 - whatever is wrong with an entry, it is not used
            return None
        if stale:  # same contents, new stats: remember them so that the next run need not hash
            self.store(key, stats, findings, extra)
        return findings, extra

    def store(self, key: str, files: list[tuple[str, os.stat_result, str]], findings: list[Finding],
              extra: object = None, inc: object = None) -> None:
        """Write the entry of ``key``: ``files`` are (path, stat taken before reading, content digest);
        ``extra`` is JSON data kept with the findings (the Go facts the cross-checks need), ``inc``
        what each file read of the others (for re-analysing an edit: engine.py, "records")."""
        try:
            limit = time.time_ns() - RACY_NS
            doc = {
                "key": key,
                "files": [[p, st.st_size, st.st_mtime_ns if st.st_mtime_ns < limit else None, c] for p, st, c in files],
                "findings": [encode_finding(f) for f in findings],
            }
            if extra is not None:
                doc["extra"] = extra
            body = json.dumps(doc, separators=(",", ":")).encode()  # ASCII (\uXXXX escapes) round-trips surrogate-escaped paths
            if inc is not None:  # first: an entry is never newer than its records
                self._write(key + ".inc", {"for": _contents(key, doc["files"]), "inc": inc})
            _write_atomic(self._path(key), f"{FORMAT} {digest(body)}\n".encode() + body)
        except (OSError, TypeError, ValueError, UnicodeError):
            pass  # a cache that cannot be written only costs time

    # What each Go file read of the others (engine.py, go/track.py) is kept beside the entry, in
    # KEY.inc: a hit never reads it, only an entry whose files changed since.  It names the contents
    # it was recorded for, so that it goes with its entry (whose stats may be refreshed) and no other.

    def _write(self, name: str, doc) -> None:
        body = json.dumps(doc, separators=(",", ":")).encode()
        _write_atomic(self._path(name), f"{FORMAT} {digest(body)}\n".encode() + body)

    def _records(self, key: str, doc) -> object:
        """The records kept beside the entry ``doc`` of ``key`` (unchecked JSON), or None."""
        try:
            with open(self._path(key + ".inc"), "rb") as fh:
                header, _, body = fh.read().partition(b"\n")
            if header != f"{FORMAT} {digest(body)}".encode():
                return None
            rec = json.loads(body)
            return rec["inc"] if rec["for"] == _contents(key, doc["files"]) else None
        except Exception:  # noqa: BLE001 - whatever is wrong with it, it is not used
            return None


def _contents(key: str, files) -> str:
    """A digest of an entry's key and its files' content digests (not their stats)."""
    return digest(json.dumps([key, [f[3] for f in files]]).encode())


def _write_atomic(path: str, data: bytes) -> None:
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def user_cache_dir() -> str:
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or os.path.expanduser("~\\AppData\\Local")
    elif sys.platform == "darwin":
        base = os.path.expanduser("~/Library/Caches")
    else:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return os.path.join(base, "golint-traefik")
