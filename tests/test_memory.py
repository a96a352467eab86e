"""A Go package's trees are freed as soon as its analysis ends, by reference counting alone.

Analysis facts may refer back to their file (a lock flow keeps its GoFile); the engine drops them
at the end of each package (``GoPackage.release``).  Without that, every such package stayed in
memory until the garbage collector found the cycles, and the collections grew long."""

from __future__ import annotations

import gc
from pathlib import Path

from golint_traefik.engine import Settings, Source, analyze_go_package
from golint_traefik.go.source import GoFile
from golint_traefik.registry import load_registry

FIXTURES = Path(__file__).parent / "fixtures"


def _live_go_files() -> int:
    return sum(1 for o in gc.get_objects() if isinstance(o, GoFile))


def test_no_go_file_outlives_its_package_analysis():
    go_rules = frozenset(r.meta.id for r in load_registry() if r.meta.target == "go")
    settings = Settings(selected=go_rules, jobs=1)
    # Packages that exercise the lock flows, channels, scopes and HTTP facts.
    dirs = [FIXTURES / rule for rule in ("GO101", "GO104", "GO204", "GO205", "GO207", "GO401")]
    sources = [[Source(str(p), str(p)) for p in sorted(d.glob("*.go"))] for d in dirs]
    gc.collect()
    before = _live_go_files()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        found = 0
        for unit in sources:
            findings, internal = analyze_go_package(unit, settings)
            assert internal == 0
            found += len(findings)
        assert found > 0  # the rules ran and built their facts
        assert _live_go_files() == before
    finally:
        if was_enabled:
            gc.enable()
