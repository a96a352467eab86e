"""GO203 waitgroup-wait-in-loop: ``wg.Wait()`` inside the loop that starts the goroutines.

``for ... { wg.Add(1); go work(); wg.Wait() }`` waits for each goroutine
before starting the next: the loop runs them one at a time, and the
goroutine only adds a scheduling round-trip.  When the author meant a
fork-join, the ``Wait`` belongs after the loop.  The rule reports only the
plain shape: one ``go`` statement per iteration, ``Add`` on the same
WaitGroup before it in the iteration, the goroutine calls ``Done`` on it (or
is handed it), and the ``Wait`` follows the ``go`` statement directly in the
same block -- no other work runs while the goroutine does.
"""

from __future__ import annotations

from golint_traefik.go import scope, syncfacts
from golint_traefik.registry import go_rule

_GO_Q = "(go_statement) @go"


@go_rule("GO203")
def check(p) -> None:
    f = p.file
    if not f.has(b".Wait()") or not f.has(b"go "):
        return
    adds = syncfacts.sync_calls(f, ("Add",))
    if not adds:
        return
    for w in syncfacts.sync_calls(f, ("Wait",)):
        if w.nargs or w.func is None or not w.is_statement:
            continue
        loops = scope.loops_between(w.call, w.func)
        if not loops:
            continue
        loop = loops[0]
        stmt = scope.outer_paren(w.call).parent
        prev = stmt.prev_named_sibling
        while prev is not None and prev.type == "comment":
            prev = prev.prev_named_sibling
        if prev is None or prev.type != "go_statement":
            continue
        body = loop.child_by_field_name("body")
        gos = [g for g in f.captures(_GO_Q, body).get("go", [])
               if scope.enclosing_func(g) == w.func and scope.loops_between(g, w.func)[:1] == [loop]]
        if len(gos) != 1 or gos[0] != prev:
            continue
        if not any(a.key == w.key and a.func == w.func and scope.within(a.call, body)
                   and a.call.start_byte < prev.start_byte and scope.loops_between(a.call, w.func)[:1] == [loop]
                   for a in adds):
            continue
        if not _counts(f, prev, w.key):
            continue
        root = scope.unparen(w.recv)
        if root.type == "identifier":
            b = scope.resolve(f, root)
            if b is not None and scope.within(b.ident, loop):
                continue  # a WaitGroup per iteration: waiting for this iteration's goroutine is the point
        kind = syncfacts.sync_type(p, w.recv)
        if kind not in (None, "WaitGroup"):
            continue
        p.report(w.call, f"{w.key}.Wait() right after the go statement, inside the loop that starts the goroutines: "
                         "each iteration waits for its own goroutine, so they run one at a time",
                 fix=f"move {w.key}.Wait() after the loop (or call the function directly if one at a time is meant)",
                 related=[(prev, "the goroutine is started here")])


def _counts(f, go, key: str) -> bool:
    """The goroutine calls ``key.Done()`` (a function literal) or is handed the WaitGroup."""
    call = next((c for c in go.named_children if c.type == "call_expression"), None)
    if call is None:
        return False
    fn = call.child_by_field_name("function")
    if fn is not None and fn.type == "func_literal":
        return any(c.key == key and scope.within(c.call, fn) for c in syncfacts.sync_calls(f, ("Done",)))
    args = call.child_by_field_name("arguments")
    return args is not None and any(syncfacts.key_text(f, a) == key for a in args.named_children)
