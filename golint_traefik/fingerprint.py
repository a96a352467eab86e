"""Stable identities for findings: our baseline fingerprint and GitHub's line hash.

``fingerprint`` is filled in by the engine on every finding; ``line_hash``
only by the SARIF report, the one format that carries it (see
:func:`with_line_hashes`: it reads the reported files again, so analysis
and the result cache never pay for it).

``fingerprint``
    Our own id, used by baselines and emitted in SARIF as
    ``golintTraefikFingerprint/v1``: a hash of the rule id, the finding's
    path, and the text of its primary line with all whitespace removed,
    followed by ``:n``, the finding's index among findings with the same key
    (in position order).  The line *number* is not part of it, so the
    fingerprint survives lines being added or removed elsewhere in the file,
    and changes when the flagged line itself changes.

``line_hash``
    GitHub code scanning's ``primaryLocationLineHash``, computed the way
    GitHub's upload action (codeql-action, ``src/fingerprints.ts``) does, so
    that the value we send is the one GitHub would compute itself:

    * the file is read as UTF-16 code units (as JavaScript strings are);
      spaces and tabs are dropped; ``\\r\\n`` and a lone ``\\r`` become ``\\n``;
    * a sentinel 0xFFFF marks the end of the file, followed by zeros;
    * the hash of a line is a polynomial hash, base 37 modulo 2**64, of the
      100 units starting at the line's first unit (its first non-blank
      character, or its newline when the line is blank); so it covers the
      following lines too;
    * the value is the hash in lower-case hex without leading zeros, then
      ``:k`` where k counts (from 1) the lines so far with the same hash.

    Lines are numbered as GitHub numbers them (``\\n``, ``\\r\\n`` and ``\\r`` end
    a line); for files with a lone ``\\r`` this can differ from the engine's
    numbering, and the hash then describes GitHub's line of that number.
"""

from __future__ import annotations

import re
import sys
from array import array
from dataclasses import replace
from itertools import accumulate
from typing import Callable, Iterable

try:  # CPython's own SHA-256, without hashlib's import of OpenSSL (3-4 ms of every run's start-up)
    from _sha256 import sha256
except ImportError:  # pragma: no cover - Python 3.12 renamed it; other interpreters
    from hashlib import sha256

from golint_traefik.finding import Finding

BLOCK = 100
_BASE = 37
_MASK = (1 << 64) - 1
_BASE_POW_BLOCK = pow(_BASE, BLOCK, 1 << 64)
_EOF = "\uffff"
_NEWLINE_UNIT = re.compile(b"\n\x00")


def github_line_hashes(text: str | bytes, lines: Iterable[int] | None = None) -> dict[int, str]:
    """GitHub's ``primaryLocationLineHash`` for 1-based lines of ``text``.

    ``lines`` limits the result to those lines (and the work to the part of
    the file they need); ``None`` means every line.  Bytes are decoded as
    UTF-8 with replacement characters and a BOM kept, as Node does.
    """
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    squeezed = text.replace("\r\n", "\n").replace("\r", "\n").replace(" ", "").replace("\t", "")
    data = (squeezed + _EOF).encode("utf-16-le", "surrogatepass")
    units = array("H", data)
    if sys.byteorder == "big":
        units.byteswap()
    # Unit index where each line starts: 0, then just after every newline unit.
    starts = [0] + [m.start() // 2 + 1 for m in _NEWLINE_UNIT.finditer(data) if m.start() % 2 == 0]
    wanted = None if lines is None else {n for n in lines if 1 <= n <= len(starts)}
    last = len(starts) if wanted is None else max(wanted, default=0)
    if last == 0:
        return {}
    end = starts[last - 1] + BLOCK
    seq = units[:end].tolist()
    seq.extend([0] * (end - len(seq)))
    # prefix[k] = hash of the first k units; a window [s, s+BLOCK) hashes to
    # prefix[s+BLOCK] - 37**BLOCK * prefix[s]  (mod 2**64).
    prefix = list(accumulate(seq, lambda h, c: (h * _BASE + c) & _MASK, initial=0))
    seen: dict[str, int] = {}
    out: dict[int, str] = {}
    for number in range(1, last + 1):
        s = starts[number - 1]
        value = format((prefix[s + BLOCK] - _BASE_POW_BLOCK * prefix[s]) & _MASK, "x")
        seen[value] = seen.get(value, 0) + 1
        if wanted is None or number in wanted:
            out[number] = f"{value}:{seen[value]}"
    return out


def _key(f: Finding, line_text: str) -> str:
    stripped = "".join(line_text.split())
    return sha256(f"{f.rule_id}\0{f.path}\0{stripped}".encode("utf-8", "surrogatepass")).hexdigest()[:16]


def assign(findings: list[Finding], line_of: Callable[[int], str] | None) -> list[Finding]:
    """Fill ``fingerprint`` on findings of one file, returned in position order.

    ``line_of(n)`` gives the text of 1-based line n in the engine's numbering
    (``None``: no source, e.g. an unreadable file).
    """
    ordered = sorted(findings, key=Finding.sort_key)
    counts: dict[str, int] = {}
    out = []
    for f in ordered:
        base = _key(f, (line_of(f.span.line) or "") if line_of else "")
        n = counts.get(base, 0)
        counts[base] = n + 1
        out.append(replace(f, fingerprint=f"{base}:{n}"))
    return out


def assign_text(findings: list[Finding], text: str) -> list[Finding]:
    """:func:`assign` for a decoded text file (YAML, TOML)."""
    lines = text.splitlines()
    return assign(findings, lambda n: lines[n - 1] if 0 < n <= len(lines) else "")


def with_line_hashes(findings: list[Finding], read: Callable[[str], bytes | None]) -> list[Finding]:
    """``findings`` with GitHub's ``line_hash`` filled in from ``read(path)``, the file as it is now
    (what GitHub's upload action would hash in the checkout).  A file that cannot be read, and the
    diagnostics about unreadable, binary or non-UTF-8 files (E002), keep an empty hash: GitHub then
    computes it itself."""
    lines: dict[str, set[int]] = {}
    for f in findings:
        if f.rule_id != "E002":
            lines.setdefault(f.path, set()).add(f.span.line)
    hashes: dict[str, dict[int, str]] = {}
    for path, wanted in lines.items():
        data = read(path)
        hashes[path] = github_line_hashes(data, wanted) if data is not None else {}
    return [replace(f, line_hash=h) if (h := hashes.get(f.path, {}).get(f.span.line, "")) != f.line_hash else f
            for f in findings]
