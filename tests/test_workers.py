"""The worker processes: every task's results come back, and a worker that dies costs only the
item it died on (see golint_traefik/workers.py)."""

from __future__ import annotations

import os
import signal

import pytest

from golint_traefik import engine, workers
from golint_traefik.registry import Rule, load_registry
from test_jobs import make_big_tree, settings

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the fork pool needs os.fork")


def square(items, offset=0):
    return [(i, i * i + offset) for i in items]


def dies_on(items, poison=(), how="kill"):
    out = []
    for i in items:
        if i in poison:
            if how == "kill":
                os.kill(os.getpid(), signal.SIGKILL)
            os._exit(3)
        out.append((i, i * i))
    return out


def raises(items):
    raise ValueError(f"bad batch {items}")


def crashed(item, reason):
    return (item, reason)


def no_children_left() -> bool:
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


@pytest.mark.parametrize("jobs", [1, 2, 3, 8])
def test_every_task_gives_its_results_once(jobs):
    items = list(range(40))
    tasks = [items[i:i + 7] for i in range(0, 40, 7)]
    results = workers.run_tasks(square, tasks, jobs, (1,))
    assert sorted(results) == [(i, i * i + 1) for i in items]
    assert no_children_left()


def test_a_worker_killed_by_a_signal_costs_only_the_item_it_died_on():
    items = list(range(20))
    tasks = [items[:8], items[8:15], items[15:]]
    results = workers.run_tasks(dies_on, tasks, 2, ({3, 16},), on_crash=crashed)
    crashes = sorted(r for r in results if isinstance(r[1], str))
    assert crashes == [(3, "the worker process was killed by SIGKILL"), (16, "the worker process was killed by SIGKILL")]
    assert sorted(r for r in results if not isinstance(r[1], str)) == [(i, i * i) for i in items if i not in (3, 16)]
    assert no_children_left()


def test_a_worker_that_exits_is_reported_with_its_status():
    results = workers.run_tasks(dies_on, [[0, 1, 2]], 2, ({1}, "exit"), on_crash=crashed)
    assert sorted(results, key=str) == [(0, 0), (1, "the worker process exited with status 3"), (2, 4)]


def test_without_on_crash_a_dead_worker_fails_the_run():
    with pytest.raises(RuntimeError, match="killed by SIGKILL"):
        workers.run_tasks(dies_on, [[0], [1]], 2, ({1},))
    assert no_children_left()


def test_an_exception_in_the_task_function_is_raised_with_its_traceback():
    with pytest.raises(RuntimeError, match=r"(?s)ValueError: bad batch \[2\]"):
        workers.run_tasks(raises, [[2]], 1)
    assert no_children_left()


def test_without_fork_the_tasks_run_on_an_executor(monkeypatch):
    monkeypatch.setattr(workers, "_FORK", False)
    items = list(range(10))
    assert workers.start(2) is None
    assert sorted(workers.run_tasks(square, [items[:3], items[3:]], 2)) == [(i, i * i) for i in items]


def warm(marker):
    with open(marker, "a") as fh:
        fh.write(f"{os.getpid()}\n")


def test_workers_start_before_their_tasks_and_warm_up_first(tmp_path):
    marker = tmp_path / "warm"
    pool = workers.start(3, warm, (marker,))
    try:
        results = pool.run(square, [[1, 2], [3]], (0,))
    finally:
        pool.close()
    assert sorted(results) == [(1, 1), (2, 4), (3, 9)]
    assert len(set(marker.read_text().split())) == 3  # every worker warmed up, the idle one too
    assert no_children_left()


def retires_on(items, retiring=()):
    if any(i in retiring for i in items):
        workers.retire()
    return [(i, os.getpid()) for i in items]


def test_a_worker_that_retires_is_replaced_and_every_task_is_done_once(tmp_path):
    marker = tmp_path / "warm"
    primed: list[int] = []
    pool = workers.start(2, warm, (marker,), prime=lambda m: primed.append(os.getpid()))
    try:
        results = pool.run(retires_on, [[i] for i in range(12)], ({1, 2, 6},))
        leaving = len(pool.leaving)
    finally:
        pool.close()
    assert sorted(i for i, _ in results) == list(range(12))
    by_pid: dict[int, list[int]] = {}
    for i, pid in results:
        by_pid.setdefault(pid, []).append(i)
    for items in by_pid.values():  # a worker that retired ran nothing after: its next task went to a new one
        assert not any(i in {1, 2, 6} for i in items[:-1])
    assert len(by_pid) >= 4  # the two first, and a new one for each of 1 and 2 (with tasks still to come)
    assert leaving >= 3  # the three that retired left on their own
    assert set(marker.read_text().split()) >= {str(pid) for pid in by_pid}  # the new ones warmed up too
    assert primed == [os.getpid()]  # in this process, once, before the first new worker
    assert no_children_left()


def test_a_worker_retiring_on_its_last_task_needs_no_replacement():
    primed: list[int] = []
    pool = workers.start(1, prime=lambda: primed.append(1))
    pid = next(iter(pool.workers.values())).pid
    try:
        assert pool.run(retires_on, [[0], [1]], ({1},)) == [(0, pid), (1, pid)]
        assert pool.leaving == [pid]
    finally:
        pool.close()
    assert primed == []
    assert no_children_left()


def test_a_worker_that_retires_with_little_left_goes_on_with_it():
    """A new worker costs a fork and a warm-up: it replaces one that retires only while the tasks
    not handed out yet weigh more than replace_above."""
    primed: list[int] = []
    pool = workers.start(1, prime=lambda: primed.append(1))
    first = next(iter(pool.workers.values())).pid
    try:
        results = pool.run(retires_on, [[0], [1], [2], [3], [4], [5]], ({0, 1},),
                           weights=[9, 1, 0, 0, 1, 1], replace_above=2)
        leaving = list(pool.leaving)
    finally:
        pool.close()
    pids = dict(results)
    assert sorted(pids) == [0, 1, 2, 3, 4, 5]
    assert pids[0] == first and pids[1] != first  # after 0, tasks weighing 3 were left: replaced
    assert pids[1] == pids[2] == pids[3] == pids[4] == pids[5]  # after 1, four tasks weighing 2: it went on
    assert leaving == [first, pids[5]]
    assert primed == [1]
    assert no_children_left()


def test_closing_a_pool_that_never_ran_stops_its_workers(tmp_path):
    pool = workers.start(2, warm, (tmp_path / "warm",))
    pool.close()
    pool.close()  # twice is harmless
    assert no_children_left()


def test_a_warm_up_that_fails_is_only_a_lost_head_start():
    pool = workers.start(2, raises, ([0],))
    try:
        assert sorted(pool.run(square, [[5], [6]])) == [(5, 25), (6, 36)]
    finally:
        pool.close()


def test_a_package_that_kills_its_worker_is_an_internal_error_and_the_rest_is_reported(tmp_path, monkeypatch):
    """A crash in native code (here: SIGKILL from a rule) while analysing one package: that package
    gets E003, every other package the findings a run in one process gives."""
    root = make_big_tree(tmp_path / "big")
    reference = engine.run([], settings(jobs=1), cwd=str(root)).findings
    reg = load_registry()
    rule = reg.get("GO302")

    def deadly(p):
        if p.file.path.startswith("pkg05/"):
            os.kill(os.getpid(), signal.SIGKILL)
        return rule.check(p)

    patched = Rule(rule.meta, deadly)
    monkeypatch.setitem(reg._rules, rule.meta.id, patched)
    monkeypatch.setitem(reg._by_slug, rule.meta.slug, patched)
    result = engine.run([], settings(jobs=2), cwd=str(root))
    errors = [f for f in result.findings if f.rule_id == "E003"]
    assert [(f.path, f.message) for f in errors] == [
        ("pkg05", "internal error in the Go package analysis: RuntimeError: the worker process was killed by "
                  "SIGKILL while analysing this package")]
    assert result.internal_errors == 1
    assert [f for f in result.findings if f.rule_id != "E003"] == [f for f in reference if not f.path.startswith("pkg05/")]
    assert no_children_left()


def test_a_pool_told_not_to_wait_leaves_its_stopped_workers_to_the_exit():
    pool = workers.start(2, wait=False)
    try:
        assert sorted(pool.run(square, [[1], [2], [3]])) == [(1, 1), (2, 4), (3, 9)]
        leaving = list(pool.leaving)
    finally:
        pool.close()
    assert len(leaving) == 2 and pool.leaving == []
    for pid in leaving:  # still this process's children: reaped here, as init would after the exit
        assert os.waitpid(pid, 0)[0] == pid
    assert no_children_left()


@pytest.fixture
def starts(monkeypatch):
    """Records when the engine starts workers: before discovery (early) or during the cache lookups."""
    seen: list[str] = []
    real_start, real_discover = workers.start, engine.discover
    phase = ["lookups"]

    def start(*a, **k):
        seen.append(phase[0])
        return real_start(*a, **k)

    def discover(*a, **k):
        phase[0] = "lookups"
        return real_discover(*a, **k)

    def run(*a, **k):
        phase[0] = "early"
        return real_run(*a, **k)

    real_run = engine.run
    monkeypatch.setattr(workers, "start", start)
    monkeypatch.setattr(engine, "discover", discover)
    return seen, run


def test_workers_start_early_without_a_cache_and_at_the_first_misses_with_one(tmp_path, starts):
    seen, run = starts
    root = make_big_tree(tmp_path / "big")
    reference = engine.run([], settings(jobs=1), cwd=str(root)).findings
    assert run([], settings(jobs=2), cwd=str(root)).findings == reference
    assert seen == ["early"]
    cache = str(tmp_path / "cache")
    assert run([], settings(jobs=2, cache_dir=cache), cwd=str(root)).findings == reference  # empty cache
    assert seen == ["early", "lookups"]
    assert run([], settings(jobs=2, cache_dir=cache), cwd=str(root)).findings == reference  # warm: no workers
    assert seen == ["early", "lookups"]
    assert run([str(p) for p in sorted(root.rglob("good.go"))[:3]], settings(jobs=2), cwd=str(root)).findings \
        == [f for f in reference if f.path in {"pkg00/good.go", "pkg01/good.go", "pkg02/good.go"}]
    assert seen == ["early", "lookups"]  # three files: in-process, no workers
    assert no_children_left()


def test_with_more_workers_than_cores_the_main_process_imports_once_for_all(tmp_path, monkeypatch):
    """Workers' own imports would queue for the cores: past one worker per core, the main process
    imports first and the workers inherit it (each still warms up, finding everything there).  With
    one worker per core it imports only before forking a worker to replace one that retired."""
    root = make_big_tree(tmp_path / "big")
    reference = engine.run([], settings(jobs=1), cwd=str(root)).findings
    in_main: list[int] = []
    real = engine._import_go_analysis

    def recording(s):
        in_main.append(os.getpid())  # a worker's appends stay in the worker's copy of the list
        return real(s)

    monkeypatch.setattr(engine, "_import_go_analysis", recording)
    cores = engine.jobs_default()
    assert engine.run([], settings(jobs=cores), cwd=str(root)).findings == reference
    assert in_main == []  # one worker per core (or, on one core, no worker), none retiring: no import here
    assert engine.run([], settings(jobs=cores + 2), cwd=str(root)).findings == reference
    assert in_main == [os.getpid()]
    monkeypatch.setattr(engine, "HOLD_BYTES", 0)  # every worker retires after each task
    monkeypatch.setattr(engine, "REPLACE_BYTES", 0)  # and is replaced while anything is left
    in_main.clear()
    assert engine.run([], settings(jobs=2), cwd=str(root)).findings == reference
    assert in_main == [os.getpid()]  # once, for all the workers that replaced others
    assert no_children_left()


def test_a_worker_keeps_trees_up_to_its_budget_and_all_of_what_it_is_given_past_it(tmp_path, monkeypatch):
    """In a worker (see engine.HOLD_BYTES): a batch's packages are kept while the worker holds less
    than the budget, the rest of that batch is freed, and the worker asks to retire.  A task it is
    given after that (too little was left to be worth a new worker) keeps every tree."""
    items = []
    for i, name in enumerate("abcd"):
        (tmp_path / name).mkdir()
        path = tmp_path / name / "x.go"
        path.write_text(f"package {name}\n\nfunc F() int {{ return {i} }}\n")
        items.append((i, None, (1, 22), [engine.Source(str(path), f"{name}/x.go")], None))
    monkeypatch.setattr(engine, "_IN_WORKER", True)
    monkeypatch.setattr(engine, "_KEPT", [])
    monkeypatch.setattr(engine, "_HELD", [0])
    monkeypatch.setattr(engine, "HOLD_BYTES", (tmp_path / "a" / "x.go").stat().st_size)
    monkeypatch.setattr(workers, "_RETIRE", [False])
    assert [r[0] for r in engine._go_worker(items[:2], settings(), None)] == [0, 1]
    assert [[f.path for f in files] for files in engine._KEPT] == [["a/x.go"]]  # b was freed
    assert workers._RETIRE == [True]
    workers._RETIRE[0] = False  # as the worker does before each task
    assert [r[0] for r in engine._go_worker(items[2:], settings(), None)] == [2, 3]
    assert [[f.path for f in files] for files in engine._KEPT] == [["a/x.go"], ["c/x.go"], ["d/x.go"]]
    assert workers._RETIRE == [True]  # still past the budget: the parent decides again
