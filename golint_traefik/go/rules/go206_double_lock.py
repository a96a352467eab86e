"""GO206 double-lock: a mutex is locked again while the same function already holds it.

``sync.Mutex`` is not reentrant.  The rule reports a ``Lock``/``RLock`` reached
while every path to it already holds the same mutex (same receiver text) in a
conflicting mode, and a call ``r.m()`` (a method of the same receiver) or
``g()`` (a package function) made while holding a mutex that the callee
locks on its main path (:func:`~golint_traefik.go.syncfacts.entry_locks`).
"""

from __future__ import annotations

from golint_traefik.go import syncfacts
from golint_traefik.registry import go_rule


@go_rule("GO206")
def check(p) -> None:
    f = p.file
    if not f.has(b"Lock()"):
        return
    funcs = {}
    for c in syncfacts.sync_calls(f, syncfacts.ACQUIRE):
        if c.nargs == 0 and c.func is not None:
            funcs.setdefault(c.func.id, c.func)
    for func in funcs.values():
        if not syncfacts.locks_while_holding(p.package, f, func):
            continue  # every lock is taken with nothing held, and nothing called then locks
        flow = syncfacts.flow(f, func, p.package)
        for ev in flow.events:
            if ev.kind == "lock":
                _direct(p, ev)
            elif ev.kind == "call" and ev.state:
                _through_call(p, func, ev)


def _line(node) -> int:
    return node.start_point[0] + 1


def _conflict(held: str, wanted: str) -> str | None:
    """How taking ``wanted`` while holding ``held`` goes wrong: "deadlock", "recursive-read" or None."""
    if held == "w" or wanted == "w":
        return "deadlock"
    return "recursive-read"


def _verb(mode: str) -> str:
    return "RLock" if mode == "r" else "Lock"


def _direct(p, ev) -> None:
    key = ev.key
    if "(" in key or "[" in key:
        return  # the receiver is computed: maybe another mutex each time
    for held in ("w", "r"):
        fact = ev.state.get((key, held))
        if fact is None:
            continue
        if _adjacent(fact.site, ev.node):
            return  # `mu.RLock(); mu.RLock()` back to back: a deliberate probe of the lock (its own tests)
        kind = _conflict(held, ev.mode)
        took = f"{key}.{_verb(held)}() on line {_line(fact.site)}"
        if kind == "recursive-read":
            msg = (f"{key}.RLock() while this function already holds {took}: a recursive read lock blocks "
                   f"forever when a writer calls {key}.Lock() in between")
        else:
            msg = f"{key}.{_verb(ev.mode)}() while {key} is still held from {took}: sync mutexes are not " \
                  "reentrant, this blocks forever"
        p.report(ev.node, msg, fix=f"unlock {key} before locking it again, or restructure so it is locked once",
                 related=[(fact.site, f"{key} is locked here and not released on any path to the second lock")])
        return


def _adjacent(first, second) -> bool:
    """The two lock calls are consecutive statements of one block."""
    a, b = first.parent, second.parent
    if a is None or b is None or a.type != "expression_statement" or b.type != "expression_statement":
        return False
    nxt = a.next_named_sibling
    while nxt is not None and nxt.type == "comment":
        nxt = nxt.next_named_sibling
    return nxt == b


def _through_call(p, func, ev) -> None:
    f = p.file
    callee = syncfacts.callee_decl(p.package, f, func, ev.node)
    if callee is None:
        return
    locks = syncfacts.entry_locks(p.package, f, callee[0], callee[1])
    if not locks:
        return
    for (key, held), fact in ev.state.items():
        name = syncfacts.lock_name(p.package, f, func, fact.site)
        el = locks.get(name) if name is not None else None
        if el is None:
            continue
        kind = _conflict(held, el.mode)
        called = f.text(ev.node.child_by_field_name("function"))
        path = " -> ".join(el.chain)
        via = f" (through {path})" if len(el.chain) > 1 else ""
        took = f"{key}.{_verb(held)}() on line {_line(fact.site)}"
        if kind == "recursive-read":
            msg = (f"{called}() read-locks {key} again{via} while this function holds {took}: a recursive "
                   f"read lock blocks forever when a writer calls Lock in between")
        else:
            verb = "read-locks" if el.mode == "r" else "locks"
            msg = (f"{called}() {verb} {key}{via} while this function holds {took}: sync mutexes are not "
                   "reentrant, this call blocks forever")
        where = el.file.path if el.file is not f else "line"
        related = [(fact.site, f"{key} is locked here"),
                   (el.site if el.file is f else fact.site,
                    f"{el.chain[-1]} locks it here" if el.file is f else
                    f"{el.chain[-1]} locks it in {where}:{_line(el.site)}")]
        p.report(ev.node, msg, fix=f"call a variant of {callee[1]} that expects {key} to be held "
                                   f"(e.g. {callee[1]}Locked), or release {key} before the call",
                 related=related)
        return
