"""Worker processes for the Go analysis: forked, fed task by task, and allowed to die.

The engine hands :func:`run_tasks` its work items (Go packages), grouped into tasks (batches),
and a module-level function that analyses a list of items and returns one result per item.

Where the platform can ``fork``, the workers are forked from the main process: they start with
everything it has imported and built (rule modules, compiled queries, the items themselves), so
a task is sent as the positions of its items and only results are pickled.  This costs far less
start-up than ``concurrent.futures`` (whose import alone takes 20-25 ms, paid on every run that
starts a pool), and it lets the run survive a worker that dies: a process killed by a signal (a
crash in native code, the kernel's out-of-memory killer) costs the items it was analysing, not
the run.  Its task is split into single items, tried again one by one in a new worker; an item
that kills its worker on its own gets the result ``on_crash`` makes for it (an internal-error
finding), and the others their normal results.

Elsewhere (Windows) the tasks run on a ``concurrent.futures`` process pool.
"""

from __future__ import annotations

import os
import pickle
import signal
import struct
from typing import Callable, Sequence

_LEN = struct.Struct("<Q")
_FORK = hasattr(os, "fork")
KILL_AFTER_S = 5.0  # how long an interrupted worker may take to leave


def _signal(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def run_tasks(fn: Callable, items: Sequence, tasks: list[list[int]], jobs: int, args: tuple = (),
              on_crash: Callable[[object, str], object] | None = None) -> list:
    """``fn([items[i] for i in task], *args)`` for every task, on ``jobs`` worker processes; the
    results of all tasks, concatenated in the order the tasks finish (each result says which item
    it is for).  ``on_crash(item, reason)`` gives the result of an item whose worker died while
    analysing it alone (without it, the death is raised as RuntimeError)."""
    if not _FORK:
        return _run_on_executor(fn, items, tasks, jobs, args)
    pool = _ForkPool(fn, items, args, on_crash)
    try:
        return pool.run(tasks, jobs)
    finally:  # on Ctrl-C or an error here, workers still busy are stopped rather than waited for
        pool.close()


def _run_on_executor(fn, items, tasks, jobs, args) -> list:
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(max_workers=jobs)
    try:
        futures = [pool.submit(fn, [items[i] for i in task], *args) for task in tasks]
        return [r for fut in futures for r in fut.result()]
    finally:
        pool.shutdown(cancel_futures=True)


class _Worker:
    def __init__(self, pid: int, tasks_w: int, results_r: int):
        self.pid, self.tasks_w, self.results_r = pid, tasks_w, results_r
        self.task: list[int] | None = None


class _ForkPool:
    def __init__(self, fn, items, args, on_crash):
        self.fn, self.items, self.args, self.on_crash = fn, items, args, on_crash
        self.workers: dict[int, _Worker] = {}  # by the file descriptor its results arrive on

    # ------------------------------------------------------------- parent side
    def run(self, tasks: list[list[int]], jobs: int) -> list:
        import selectors

        pending = list(reversed(tasks))  # popped from the end: in the order given
        results: list = []
        sel = selectors.DefaultSelector()
        try:
            for _ in range(min(jobs, len(tasks))):
                self._give(self._fork(sel), pending)
            while self.workers:
                for key, _ in sel.select():
                    w = self.workers[key.fd]
                    reply = _read_message(w.results_r)
                    if reply is not None:
                        ok, value = reply
                        if not ok:  # fn raised: an error of the analysis, not of the item
                            raise RuntimeError(f"worker process failed:\n{value}")
                        results.extend(value)
                        w.task = None
                        self._give(w, pending)
                        continue
                    # The worker died (its pipe closed before a whole reply came).
                    reason = self._reap(w, sel)
                    task = w.task or []
                    if len(task) > 1:
                        pending.extend([i] for i in reversed(task))  # each alone, next
                    elif task:
                        if self.on_crash is None:
                            raise RuntimeError(f"worker process died: {reason}")
                        results.append(self.on_crash(self.items[task[0]], reason))
                    if pending:
                        self._give(self._fork(sel), pending)
        finally:
            sel.close()
        return results

    def _give(self, w: _Worker, pending: list) -> None:
        """Send ``w`` its next task, or tell it to exit when none is left."""
        w.task = pending.pop() if pending else None
        try:
            _write_message(w.tasks_w, w.task)
        except BrokenPipeError:  # it died between tasks (its end shows in the select loop): the task waits
            if w.task is not None:
                pending.append(w.task)
            w.task = None

    def _fork(self, sel) -> _Worker:
        import gc
        import selectors

        tasks_r, tasks_w = os.pipe()
        results_r, results_w = os.pipe()
        gc.freeze()  # the child's collector leaves the parent's objects alone (no copy-on-write)
        try:
            pid = os.fork()
        except BaseException:
            gc.unfreeze()
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
        sel.register(results_r, selectors.EVENT_READ)
        return w

    def _reap(self, w: _Worker, sel) -> str:
        """Forget the dead worker ``w``; what ended it."""
        sel.unregister(w.results_r)
        del self.workers[w.results_r]
        os.close(w.results_r)
        os.close(w.tasks_w)
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
        """Stop and reap every worker: an idle one leaves when its task pipe closes; a busy one is
        interrupted (as Ctrl-C does: a cache entry being written is removed), then killed if it
        has not left after a few seconds."""
        import time

        for w in self.workers.values():
            if w.task is not None:
                _signal(w.pid, signal.SIGINT)
            os.close(w.tasks_w)
        deadline = time.monotonic() + KILL_AFTER_S
        for w in self.workers.values():
            while os.waitpid(w.pid, os.WNOHANG)[0] == 0:
                if time.monotonic() > deadline:
                    _signal(w.pid, signal.SIGKILL)
                    os.waitpid(w.pid, 0)
                    break
                time.sleep(0.005)
            os.close(w.results_r)
        self.workers.clear()

    # ------------------------------------------------------------- worker side
    def _serve(self, tasks_r: int, results_w: int) -> None:
        while True:
            task = _read_message(tasks_r)
            if task is None:  # told to stop, or the parent is gone
                return
            try:
                reply = (True, self.fn([self.items[i] for i in task], *self.args))
            except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises it
                import traceback

                reply = (False, "".join(traceback.format_exception(exc)))
            _write_message(results_w, reply)


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
