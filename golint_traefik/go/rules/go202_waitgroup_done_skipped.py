"""GO202 waitgroup-done-skipped: a goroutine can end without reaching its ``wg.Done()``.

A goroutine whose body calls ``wg.Done()`` as a plain statement (not
deferred) counts itself out only on the paths that reach it.  A ``return``
before it, ``runtime.Goexit``/``t.FailNow`` before it, or -- when the
goroutine recovers from panics -- any panic before it, leaves the counter
above zero and ``wg.Wait()`` blocks forever.  Goroutines are function
literals started with ``go`` and package functions or methods some ``go``
statement of the package starts by name.  The paths are followed with
:class:`~golint_traefik.go.syncfacts.LockFlow` (``Done`` releases the
goroutine's obligation); a path reports only when it surely skips ``Done``.
"""

from __future__ import annotations

import re

from golint_traefik.go import channels, scope, syncfacts
from golint_traefik.go.syncfacts import Fact, LockFlow
from golint_traefik.registry import go_rule

_GO_RE = re.compile(rb"go\s+[\w.]+\s*[(\[]")  # matched at the `go` of a go statement
_RELEASE = {"Done": "d"}


@go_rule("GO202")
def check(p) -> None:
    f = p.file
    if not f.has(b".Done()") or not _done_statement(f):
        return
    dones = [c for c in syncfacts.sync_calls(f, ("Done",)) if c.nargs == 0 and c.is_statement and c.func is not None]
    seen = set()
    for c in dones:
        func = c.func
        if func.id in seen or not _is_goroutine(p, func):
            continue
        body = func.child_by_field_name("body")
        top = [d for d in dones if d.func == func and scope.outer_paren(d.call).parent.parent is not None
               and scope.outer_paren(d.call).parent.parent.parent == body]
        if not top:
            continue
        seen.add(func.id)
        for done in _distinct(top):
            if not _waitgroup(p, done, func) or _own_count(p, done, func):
                continue
            _check_goroutine(p, func, done)


def _distinct(dones):
    out, keys = [], set()
    for d in dones:
        if d.key not in keys:
            keys.add(d.key)
            out.append(d)
    return out


def _started_names(p) -> frozenset[str]:
    """Names of the package functions and methods that some ``go`` statement of the package starts."""

    def build():
        out = set()
        for g in p.package.same_package(p.file) if p.package is not None else [p.file]:
            if not g.has(b"go "):
                continue
            for stmt in channels.go_statements(g):  # shared with the GO1xx rules
                if _GO_RE.match(g.src, stmt.start_byte) is None:
                    continue  # `go f(...)` / `go x.m(...)` written plainly
                call = stmt.named_children[0] if stmt.named_child_count else None
                fn = scope.unparen(call.child_by_field_name("function")) if call is not None \
                    and call.type == "call_expression" else None
                if fn is not None and fn.type == "identifier":
                    out.add(g.text(fn))
                elif fn is not None and fn.type == "selector_expression":
                    out.add(g.text(fn.child_by_field_name("field")))
        return frozenset(out)

    key = ("GO202.started", p.file.package_name)
    if p.package is None:
        return build()
    if key not in p.package.memo:
        p.package.memo[key] = build()
    return p.package.memo[key]


def _done_statement(f) -> bool:
    """Some ``x.Done()`` of the file is a statement of its own, as the rule's calls are: most
    files that say ``.Done()`` only read ``<-ctx.Done()``, and need no more looking at."""
    src = f.src
    for i in syncfacts.occurrences(f, b"Done"):
        if not syncfacts.word_start(src, i) or syncfacts.name_end(src, i, [b"Done"]) is None:
            continue
        name = f.root.named_descendant_for_byte_range(i, i + 4)
        sel = name.parent if name is not None and name.type == "field_identifier" else None
        call = sel.parent if sel is not None and sel.type == "selector_expression" else None
        if call is not None and call.type == "call_expression" and call.child_by_field_name("function") == sel:
            stmt = scope.outer_paren(call).parent
            if stmt is not None and stmt.type == "expression_statement":
                return True
    return False


def _is_goroutine(p, func) -> bool:
    if func.type == "func_literal":
        call = func.parent
        return call is not None and call.type == "call_expression" and call.child_by_field_name("function") == func \
            and call.parent is not None and call.parent.type == "go_statement"
    name = func.child_by_field_name("name")
    return name is not None and p.file.text(name) in _started_names(p)


def _waitgroup(p, done, func) -> bool:
    """The receiver is a sync.WaitGroup by its declaration; when that is unknown, the same
    receiver text gets ``Add`` calls in the file (a WaitGroup-like counter)."""
    kind = syncfacts.sync_type(p, done.recv)
    if kind is not None:
        return kind == "WaitGroup"
    return any(c.key == done.key and c.nargs == 1 and not scope.within(c.call, func)
               for c in syncfacts.sync_calls(p.file, ("Add",)))


def _own_count(p, done, func) -> bool:
    """The goroutine's Done may balance a count of its own: the WaitGroup is declared inside it, or
    it calls ``Add`` on it itself (``wg.Add(1); if !start(...) { wg.Done() }``)."""
    f = p.file
    recv = scope.unparen(done.recv)
    root = recv
    while root.type == "selector_expression":
        root = scope.unparen(root.child_by_field_name("operand"))
    if root.type == "identifier":
        b = scope.resolve(f, root)
        if b is not None and b.kind in ("var", "range") and scope.within(b.ident, func):
            return True
    return any(c.key == done.key and scope.within(c.call, func) for c in syncfacts.sync_calls(f, ("Add",)))


def _check_goroutine(p, func, done) -> None:
    f = p.file
    key = done.key
    recovers = syncfacts.defers_recover(f, func)
    if not recovers and not syncfacts.may_return_or_goexit(f, func):
        return  # the flow would have no event this rule reports on (a return, a Goexit), nor a recover
    if _handed_off(f, func, key):
        return
    helpers = syncfacts.unlocking_funcs(p.package, f, ("Done",))
    flow = LockFlow(f, func, acquire={}, release=_RELEASE, start={(key, "d"): Fact(done.call)},
                    unlockers=helpers, releasing_name=None)
    line = done.call.start_point[0] + 1
    for ev in flow.events:
        fact = ev.state.get((key, "d"))
        if fact is None or fact.deferred:
            continue
        if ev.kind == "return":
            p.report(ev.node, f"return ends the goroutine before {key}.Done() on line {line}: "
                              f"{key}.Wait() blocks forever", fix=_fix(key),
                     related=[(done.call, f"{key}.Done() is only reached on the other paths")])
        elif ev.kind == "goexit":
            p.report(ev.node, f"this call ends the goroutine (runtime.Goexit) before {key}.Done() on line {line}: "
                              f"{key}.Wait() blocks forever", fix=_fix(key),
                     related=[(done.call, f"{key}.Done() is only reached on the other paths")])
    if recovers and not _deferred_done(flow, key):
        p.report(done.call, f"{key}.Done() is not deferred in a goroutine that recovers from panics: a recovered "
                            f"panic before it skips it and {key}.Wait() blocks forever", fix=_fix(key))


def _deferred_done(flow, key) -> bool:
    return (key, "d") in flow.deferred_keys


def _fix(key: str) -> str:
    return f"make `defer {key}.Done()` the goroutine's first statement and drop the plain call"


def _handed_off(f, func, key) -> bool:
    """A function literal inside the goroutine (not deferred) calls ``key.Done()``: it may count
    the goroutine out on a path the flow does not see."""
    for c in syncfacts.sync_calls(f, ("Done",)):
        lit = c.func
        if c.key != key or lit is None or lit == func or lit.type != "func_literal" or not scope.within(lit, func):
            continue
        par = lit.parent
        if par is not None and par.type == "call_expression" and par.parent is not None \
                and par.parent.type == "defer_statement":
            continue
        return True
    return False
