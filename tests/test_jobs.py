"""Parallel analysis: the same findings for every --jobs value, in-process for small runs, with and without cache."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from golint_traefik import engine, workers
from golint_traefik.cli import cli
from golint_traefik.engine import Settings, run
from golint_traefik.registry import load_registry
from test_cache import BROKEN_GO, GOOD_GO, INSECURE_YAML


def make_big_tree(root: Path, packages: int = 24) -> Path:
    """More Go source than IN_PROCESS_BYTES, in packages of different sizes, each with findings."""
    filler = "\n".join(f"func f{i}() int {{ return {i} }}" for i in range(400))  # about 11 kB
    per_file = len(filler)
    files_needed = engine.IN_PROCESS_BYTES // per_file + packages
    for i in range(packages):
        d = root / f"pkg{i:02d}"
        d.mkdir(parents=True)
        (d / "good.go").write_text(GOOD_GO.format(pkg=f"p{i}"))
        (d / "broken.go").write_text(BROKEN_GO.format(pkg=f"p{i}"))
        for j in range(max(1, files_needed * (i % 4 + 1) // (packages * 2))):
            (d / f"filler{j}.go").write_text(f"package p{i}\n\n{filler}\n")
    (root / "traefik.yml").write_text(INSECURE_YAML)
    return root


def settings(**kw) -> Settings:
    kw.setdefault("selected", frozenset(load_registry().default_selection() | {"E001", "E002", "E003"}))
    return Settings(**kw)


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    return make_big_tree(tmp_path_factory.mktemp("big"))


@pytest.fixture
def pools(monkeypatch):
    """Records the worker counts of the process pools that analysed packages."""
    started: list[int] = []
    real = workers.Pool.run

    def counting(self, *a, **k):
        started.append(len(self.workers))
        return real(self, *a, **k)

    monkeypatch.setattr(workers.Pool, "run", counting)
    return started


def test_every_jobs_value_gives_the_same_findings(big, pools):
    reference = run([], settings(jobs=1), cwd=str(big))
    assert pools == []
    assert {"E001", "TR401"} <= {f.rule_id for f in reference.findings}
    for jobs in (2, 3, 0):
        result = run([], settings(jobs=jobs), cwd=str(big))
        assert result.findings == reference.findings  # every field, in the same order
        assert (result.files_checked, result.internal_errors) == (reference.files_checked, reference.internal_errors)
    assert pools == [2, 3, engine.jobs_default()] if engine.jobs_default() > 1 else pools == [2, 3]


@pytest.fixture
def forks(monkeypatch):
    """Counts the workers forked, replacements included."""
    forked: list[int] = []
    real = workers.Pool._fork

    def counting(self):
        w = real(self)
        forked.append(w.pid)
        return w

    monkeypatch.setattr(workers.Pool, "_fork", counting)
    return forked


@pytest.mark.parametrize("hold, replace", [(0, 0), (64 * 1024, 0), (64 * 1024, 1 << 40), (1 << 40, 0)])
def test_workers_that_retire_holding_their_trees_give_the_same_findings(big, forks, monkeypatch, tmp_path, hold, replace):
    """A worker keeps the trees it parsed until they hold engine.HOLD_BYTES of source, then retires
    (the system frees its memory whole) and a new worker takes the next batches -- or, with no more
    than REPLACE_BYTES left, it goes on and keeps those trees too."""
    reference = run([], settings(jobs=1), cwd=str(big))
    monkeypatch.setattr(engine, "HOLD_BYTES", hold)  # read by the workers, forked after this
    monkeypatch.setattr(engine, "REPLACE_BYTES", replace)
    result = run([], settings(jobs=2), cwd=str(big))
    assert result.findings == reference.findings
    assert (result.files_checked, result.internal_errors) == (reference.files_checked, reference.internal_errors)
    if hold == 1 << 40 or replace == 1 << 40:
        assert len(forks) == 2  # nobody held enough to retire, or what was left was too little to replace them
    else:
        assert len(forks) > 2
    cache_dir = str(tmp_path / "cache")
    assert run([], settings(jobs=2, cache_dir=cache_dir), cwd=str(big)).findings == reference.findings  # filling
    assert run([], settings(jobs=2, cache_dir=cache_dir), cwd=str(big)).findings == reference.findings  # read


def test_the_pool_knows_what_each_batch_weighs(big, monkeypatch):
    """A worker past its budget is replaced only while more than REPLACE_BYTES of source is left to
    hand out: the pool is given each batch's bytes of source."""
    seen: dict = {}
    real = workers.Pool.run

    def recording(self, fn, tasks, args=(), on_crash=None, weights=None, replace_above=0):
        seen.update(tasks=tasks, weights=weights, replace_above=replace_above)
        return real(self, fn, tasks, args, on_crash, weights, replace_above)

    monkeypatch.setattr(workers.Pool, "run", recording)
    run([], settings(jobs=2), cwd=str(big))
    assert seen["replace_above"] == engine.REPLACE_BYTES
    assert seen["weights"] == [sum(Path(s.path).stat().st_size for item in batch for s in item[3]) for batch in seen["tasks"]]
    assert sum(seen["weights"]) == sum(p.stat().st_size for p in big.rglob("*.go"))


def test_jobs_and_cache_together(big, tmp_path, pools):
    reference = run([], settings(jobs=1), cwd=str(big)).findings
    cache_dir = str(tmp_path / "cache")
    assert run([], settings(jobs=2, cache_dir=cache_dir), cwd=str(big)).findings == reference  # workers write
    assert pools == [2]
    assert run([], settings(jobs=1, cache_dir=cache_dir), cwd=str(big)).findings == reference  # read in-process
    assert run([], settings(jobs=3, cache_dir=cache_dir), cwd=str(big)).findings == reference
    assert pools == [2]  # everything came from the cache: no pool started
    (big / "pkg03" / "broken.go").write_text("package p3\n")
    try:
        changed = run([], settings(jobs=2, cache_dir=cache_dir), cwd=str(big)).findings
        assert changed == run([], settings(jobs=1), cwd=str(big)).findings
        assert pools == [2]  # one small package to analyse: in-process
    finally:
        (big / "pkg03" / "broken.go").write_text(BROKEN_GO.format(pkg="p3"))


def test_few_files_run_in_process(tmp_path, pools):
    for i in range(20):
        d = tmp_path / f"d{i}"
        d.mkdir()
        (d / "a.go").write_text(BROKEN_GO.format(pkg="a"))
    result = run([], settings(jobs=4), cwd=str(tmp_path))
    assert pools == [] and len(result.findings) == 20


def test_batches_cover_every_package_once_and_shrink_towards_the_end():
    todo = [(i, None, (1, 22), [f"pkg{i}"]) for i in range(200)]
    sizes = [1000 * (i % 7 + 1) for i in range(200)]
    batches = engine._batches(todo, sizes, 3)
    assert sorted(item[0] for b in batches for item in b) == list(range(200))
    loads = [sum(sizes[item[0]] + 1 for item in b) for b in batches]
    total = sum(loads)
    # No batch over 1/(8*jobs) of the work (Ctrl-C waits for batches handed out) beyond one package.
    assert all(load <= total / 24 + max(sizes) for load in loads)
    # The last batches are the small ones, so that the workers finish together.
    assert loads[-1] < loads[0] / 3
    assert max(loads[len(loads) // 2:]) <= max(loads[: len(loads) // 2])
    assert 24 <= len(batches) <= 24 * 8


def test_one_package_bigger_than_a_batch_is_a_batch_of_its_own():
    todo = [(i, None, (1, 22), [f"pkg{i}"]) for i in range(20)]
    sizes = [100_000] + [1000] * 19
    batches = engine._batches(todo, sizes, 2)
    assert [item[0] for item in batches[0]] == [0]
    assert sorted(item[0] for b in batches for item in b) == list(range(20))


def test_jobs_default_is_at_least_one():
    assert engine.jobs_default() >= 1


def test_cli_jobs_values_agree(big, monkeypatch):
    monkeypatch.chdir(big)
    outputs = {
        jobs: CliRunner().invoke(cli, ["check", "--format", "json", "--exit-zero", "--no-cache", "--jobs", jobs]).stdout
        for jobs in ("1", "2", "0")
    }
    assert outputs["1"] and outputs["1"] == outputs["2"] == outputs["0"]
