"""Go sources for the tests that check a performance shortcut against the work it replaces: an
inline file of corner cases, every fixture, and a few packages of the Go standard library when
Debian's golang-1.19-src is installed (real code, plain and odd)."""

from __future__ import annotations

import os
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
STDLIB = Path("/usr/share/go-1.19/src")


def go_sources(name: str, text: str, stdlib_dirs: tuple[str, ...], pattern: str = "*.go") -> list[tuple[str, bytes]]:
    """(path, content): ``text`` as ``name``, the fixtures, then ``pattern`` in each of ``stdlib_dirs``."""
    out = [(name, text.encode())]
    out += [(str(p), p.read_bytes()) for p in sorted(FIXTURES.rglob("*.go"))]
    if STDLIB.is_dir():
        for d in stdlib_dirs:
            out += [(str(p), p.read_bytes()) for p in sorted((STDLIB / d).glob(pattern)) if os.path.isfile(p)]
    return out
