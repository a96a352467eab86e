"""Worker processes for the Go analysis: forked early, fed task by task, and allowed to die.

A :class:`Pool` forks its workers as soon as it is made, and each first runs a warm-up function
(the engine's one imports the rule modules and builds the parser) so that a run can start its
workers before it knows its files: while the main process walks the tree and checks the cache,
the workers get ready on the other cores.  :meth:`Pool.run` then hands them tasks -- lists of
work items (Go packages), pickled with the function that analyses them -- and gathers the
results.  This costs far less start-up than ``concurrent.futures`` (whose import alone takes
20-25 ms), and it lets the run survive a worker that dies: a process killed by a signal (a crash
in native code, the kernel's out-of-memory killer) costs the items it was analysing, not the run.
Its task is split into single items, tried again one by one in a new worker; an item that kills
its worker on its own gets the result ``on_crash`` makes for it (an internal-error finding), and
the others their normal results.

A worker may also ask to *retire* (:func:`retire`): once the parent has its task's result, it tells
the worker to leave, and a new worker, forked from the parent, takes the tasks still to come -- if
they weigh enough to be worth a new worker's start-up; otherwise the worker goes on with them.  The
engine's workers keep the trees they parse and retire once they hold enough: the system takes a
process's memory back whole, far faster than the trees are freed one node at a time.

Without ``fork`` (Windows) :func:`start` gives None, and :func:`run_tasks` runs the tasks on a
``concurrent.futures`` process pool.
"""

from __future__ import annotations

import os
import pickle
import signal
import struct
from typing import Callable

_LEN = struct.Struct("<Q")
_FORK = hasattr(os, "fork")
KILL_AFTER_S = 5.0  # how long an interrupted worker may take to leave
_RETIRE = [False]


def retire() -> None:
    """Called by a task function in a worker: once this task's result is sent, the worker is told to
    leave, without freeing anything, and a new worker takes the tasks still to come -- unless they
    weigh too little to be worth one (see :meth:`Pool.run`), in which case this worker is given the
    next task as usual.  For a task function that keeps what it built for the system to take back
    whole at the exit (see engine.HOLD_BYTES)."""
    _RETIRE[0] = True


def start(jobs: int, warm_up: Callable | None = None, args: tuple = (), wait: bool = True,
          prime: Callable | None = None) -> Pool | None:
    """A pool of ``jobs`` workers, forked now, each running ``warm_up(*args)`` first; None where
    processes cannot be forked.  ``wait=False``, for a caller about to end its process: the pool
    does not wait for its workers to finish leaving (see :meth:`Pool.close`).  ``prime(*args)`` runs
    in this process before it forks a worker to replace one that retired (see :func:`retire`)."""
    return Pool(jobs, warm_up, args, wait, prime) if _FORK else None


def run_tasks(fn: Callable, tasks: list[list], jobs: int, args: tuple = (),
              on_crash: Callable[[object, str], object] | None = None) -> list:
    """``fn(task, *args)`` for every task (a list of items) on a pool of ``jobs`` workers started
    for it: see :meth:`Pool.run`."""
    pool = start(min(jobs, len(tasks)))
    if pool is None:
        from concurrent.futures import ProcessPoolExecutor

        executor = ProcessPoolExecutor(max_workers=jobs)
        try:
            futures = [executor.submit(fn, task, *args) for task in tasks]
            return [r for fut in futures for r in fut.result()]
        finally:
            executor.shutdown(cancel_futures=True)
    try:
        return pool.run(fn, tasks, args, on_crash)
    finally:  # on Ctrl-C or an error here, workers still busy are stopped rather than waited for
        pool.close()


def _signal(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


class _Worker:
    def __init__(self, pid: int, tasks_w: int, results_r: int):
        self.pid, self.tasks_w, self.results_r = pid, tasks_w, results_r
        self.task: list | None = None


class Pool:
    """Forked worker processes; :meth:`run` once, then :meth:`close` (which ``run`` needs not)."""

    def __init__(self, jobs: int, warm_up: Callable | None = None, args: tuple = (), wait: bool = True,
                 prime: Callable | None = None):
        import selectors

        self.warm_up, self.warm_args, self.wait, self.prime = warm_up, args, wait, prime
        self.workers: dict[int, _Worker] = {}  # by the file descriptor its results arrive on
        self.leaving: list[int] = []  # workers told to stop, not waited for yet
        self.sel = selectors.DefaultSelector()
        try:
            for _ in range(max(1, jobs)):
                self._fork()
        except BaseException:
            self.close()
            raise

    # ------------------------------------------------------------- parent side
    def run(self, fn: Callable, tasks: list[list], args: tuple = (),
            on_crash: Callable[[object, str], object] | None = None,
            weights: list[float] | None = None, replace_above: float = 0) -> list:
        """``fn(task, *args)`` for every task, the tasks handed out in order to whichever worker is
        free; the results of all tasks concatenated in the order they finish (each result must say
        which item it is for).  ``on_crash(item, reason)`` gives the result of an item whose worker
        died while analysing it alone (without it, the death is raised as RuntimeError).  The
        workers leave when the tasks are done.

        A worker that asks to retire (:func:`retire`) is replaced only while the tasks not handed out
        yet weigh more than ``replace_above`` (``weights``: one per task; without them every task
        weighs 1); with less left, it takes the next task itself."""
        weight = {id(t): w for t, w in zip(tasks, weights)} if weights is not None else None
        pending = list(reversed(tasks))  # popped from the end: in the order given
        results: list = []
        for w in list(self.workers.values()):
            self._give(w, pending, fn, args)
        while self.workers:
            for key, _ in self.sel.select():
                w = self.workers[key.fd]
                reply = _read_message(w.results_r)
                if reply is not None:
                    ok, value, retiring = reply
                    if not ok:  # fn raised: an error of the analysis, not of the item
                        raise RuntimeError(f"worker process failed:\n{value}")
                    results.extend(value)
                    w.task = None
                    if not retiring or (sum(weight.get(id(t), 1) for t in pending) if weight is not None
                                        else len(pending)) <= replace_above:
                        self._give(w, pending, fn, args)
                        continue
                    # It retires: its task pipe closed, it leaves as when told to stop, and a new
                    # worker, forked now, takes its place.
                    self._forget(w)
                    self.leaving.append(w.pid)
                    self._prime()
                    self._give(self._fork(), pending, fn, args)
                    continue
                # The worker left: told to, or it died (its pipe closed before a whole reply came).
                if w.task is None:  # told to (or it died between tasks: its next task is pending)
                    self._forget(w)
                    self.leaving.append(w.pid)
                else:
                    reason = self._reap(w)
                    if len(w.task) > 1:
                        pending.extend([item] for item in reversed(w.task))  # each alone, next
                    elif w.task:
                        if on_crash is None:
                            raise RuntimeError(f"worker process died: {reason}")
                        results.append(on_crash(w.task[0], reason))
                if pending:
                    self._give(self._fork(), pending, fn, args)
        return results

    def _prime(self) -> None:
        """Run ``prime`` here, once, before the first worker forked to replace one that retired: what
        it imports, every later worker has from the start instead of importing it again."""
        prime, self.prime = self.prime, None
        if prime is not None:
            try:
                prime(*self.warm_args)
            except Exception:  # noqa: BLE001 - only a head start, as a failed warm-up is
                pass

    def _give(self, w: _Worker, pending: list, fn: Callable, args: tuple) -> None:
        """Send ``w`` its next task, or tell it to leave when none is left."""
        w.task = pending.pop() if pending else None
        try:
            _write_message(w.tasks_w, None if w.task is None else (fn, w.task, args))
        except BrokenPipeError:  # it died between tasks (its end shows in the select loop): the task waits
            if w.task is not None:
                pending.append(w.task)
            w.task = None

    def _fork(self) -> _Worker:
        import gc
        import selectors

        tasks_r, tasks_w = os.pipe()
        results_r, results_w = os.pipe()
        gc.freeze()  # the child's collector leaves the parent's objects alone (no copy-on-write)
        try:
            pid = os.fork()
        except BaseException:
            gc.unfreeze()
            for fd in (tasks_r, tasks_w, results_r, results_w):
                os.close(fd)
            raise
        if pid == 0:  # the worker: serve tasks until told to stop, then leave without clean-up
            code = 1
            try:
                os.close(tasks_w)
                os.close(results_r)
                for other in self.workers.values():
                    os.close(other.tasks_w)
                    os.close(other.results_r)
                self._serve(tasks_r, results_w)
                code = 0
            finally:  # also on Ctrl-C (KeyboardInterrupt here): the parent reports it
                os._exit(code)
        gc.unfreeze()
        os.close(tasks_r)
        os.close(results_w)
        w = self.workers[results_r] = _Worker(pid, tasks_w, results_r)
        self.sel.register(results_r, selectors.EVENT_READ)
        return w

    def _forget(self, w: _Worker) -> None:
        self.sel.unregister(w.results_r)
        del self.workers[w.results_r]
        os.close(w.results_r)
        os.close(w.tasks_w)

    def _reap(self, w: _Worker) -> str:
        """Forget the worker ``w``, which died; how it ended."""
        self._forget(w)
        _, status = os.waitpid(w.pid, 0)
        if os.WIFSIGNALED(status):
            sig = os.WTERMSIG(status)
            try:
                name = signal.Signals(sig).name
            except ValueError:
                name = f"signal {sig}"
            return f"the worker process was killed by {name}"
        return f"the worker process exited with status {os.waitstatus_to_exitcode(status)}"

    def close(self) -> None:
        """Stop and reap every worker.  One without a task is killed (it holds nothing); a busy one
        is interrupted (as Ctrl-C does: a cache entry being written is removed), then killed if it
        has not left after :data:`KILL_AFTER_S` seconds.

        Workers that finished and were told to stop have closed their end already, but the system
        takes a while to take back their memory (30-40 ms for the 300 MB of the standard library's
        largest package).  Unless the pool was made with ``wait=False`` (its process is about to
        end, and its children will be reaped by whoever inherits them), this waits for that too."""
        import time

        if self.wait:
            for pid in self.leaving:
                os.waitpid(pid, 0)
        self.leaving.clear()
        if self.sel is None:
            return
        for w in self.workers.values():
            _signal(w.pid, signal.SIGINT if w.task is not None else signal.SIGKILL)
            os.close(w.tasks_w)
        deadline = time.monotonic() + KILL_AFTER_S
        for w in self.workers.values():
            while os.waitpid(w.pid, os.WNOHANG)[0] == 0:
                if time.monotonic() > deadline:
                    _signal(w.pid, signal.SIGKILL)
                    os.waitpid(w.pid, 0)
                    break
                time.sleep(0.002)
            os.close(w.results_r)
        self.workers.clear()
        self.sel.close()
        self.sel = None

    # ------------------------------------------------------------- worker side
    def _serve(self, tasks_r: int, results_w: int) -> None:
        if self.warm_up is not None:
            try:
                self.warm_up(*self.warm_args)
            except Exception:  # noqa: BLE001 - only a head start: the task meets the same error and reports it
                pass
        while True:
            message = _read_message(tasks_r)
            if message is None:  # told to stop, or the parent is gone
                break
            fn, task, args = message
            _RETIRE[0] = False
            try:
                reply = (True, fn(task, *args), _RETIRE[0])
            except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises it
                import traceback

                reply = (False, "".join(traceback.format_exception(exc)), False)
            _write_message(results_w, reply)
        # Nothing left to say: closed now, the ends of the pipes a reader of this run's output waits
        # on do not wait for the system to take back this process's memory.
        os.close(results_w)
        os.closerange(0, 3)


def _write_message(fd: int, value) -> None:
    data = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
    view = memoryview(_LEN.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view):]


def _read_message(fd: int):
    """The next value written to ``fd``, or None at its end (or when the writer died mid-message)."""
    head = _read_exact(fd, _LEN.size)
    if head is None:
        return None
    body = _read_exact(fd, _LEN.unpack(head)[0])
    return None if body is None else pickle.loads(body)


def _read_exact(fd: int, n: int) -> bytes | None:
    chunks = []
    while n:
        chunk = os.read(fd, min(n, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)
