"""A Go package's trees are freed as soon as its analysis ends, by reference counting alone.

Analysis facts may refer back to their file (a lock flow keeps its GoFile); the engine drops them
at the end of each package (``GoPackage.release``).  Without that, every such package stayed in
memory until the garbage collector found the cycles, and the collections grew long."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from golint_traefik.engine import Settings, Source, analyze_go_package
from golint_traefik.go.source import GoFile
from golint_traefik.registry import load_registry

FIXTURES = Path(__file__).parent / "fixtures"


def _live_go_files() -> int:
    return sum(1 for o in gc.get_objects() if isinstance(o, GoFile))


@pytest.mark.parametrize("tracked", [False, True], ids=["plain", "tracked"])
def test_no_go_file_outlives_its_package_analysis(tracked):
    """With the cache on, what each file read is recorded (go/track.py): frames that refer to each
    other and to the files, emptied with the package too."""
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
            records: list | None = [] if tracked else None
            findings, internal = analyze_go_package(unit, settings, None, [] if tracked else None, None, None, records)
            assert bool(records) == tracked
            assert internal == 0
            found += len(findings)
        assert found > 0  # the rules ran and built their facts
        assert _live_go_files() == before
    finally:
        if was_enabled:
            gc.enable()


def test_keep_holds_the_last_in_process_package_and_nothing_else(tmp_path):
    """``run(keep=...)`` (what the console script passes before its hard exit) changes no finding and
    holds the trees of the last package analysed in-process only; every other package is freed as before."""
    from golint_traefik.engine import run

    go_rules = frozenset(r.meta.id for r in load_registry() if r.meta.target == "go")
    dirs = ("GO101", "GO204", "GO401")
    for rule in dirs:
        (tmp_path / rule).mkdir()
        for p in sorted((FIXTURES / rule).glob("*.go")):
            (tmp_path / rule / p.name).write_bytes(p.read_bytes())
    settings = Settings(selected=go_rules, jobs=1)
    gc.collect()
    before = _live_go_files()
    plain = run([str(tmp_path)], settings, str(tmp_path))
    assert _live_go_files() == before
    keep: list = []
    kept = run([str(tmp_path)], settings, str(tmp_path), keep=keep)
    assert kept.findings == plain.findings and plain.findings
    assert len(keep) == 1
    last = sorted(dirs)[-1]
    assert {Path(f.path).parent.name for f in keep[0]} == {last}
    assert all(f.tree is not None for f in keep[0])
    assert _live_go_files() - before == len(keep[0])
    keep.clear()
    assert _live_go_files() == before
