"""GO305 time-after-in-loop: ``case <-time.After(d):`` in a select that a loop runs again and again.

Each time the select runs, ``time.After`` starts a new timer.  When another
case wins and the loop goes round, that timer is abandoned but stays pending
until ``d`` has passed: a busy loop with a long timeout piles up timers (before
Go 1.23 none of them can be collected until it fires).  Reported when the
``time.After`` (directly in the case, or through a variable assigned in the
same loop body) sits in a select inside a ``for`` loop of the same function
and some other case lets the loop continue.  A select whose other cases all
leave the loop (or receive from ``ctx.Done()``), or that is always followed by
a ``return`` before the loop goes round, abandons at most one timer per call,
and is left alone.
"""

from __future__ import annotations

from golint_traefik.go import imports, scope, timers
from golint_traefik.registry import go_rule


@go_rule("GO305")
def check(p) -> None:
    f = p.file
    if not imports.imports_any(f, imports.TIME) or not f.has(b"After"):
        return
    modern = timers.collected(f)
    # Since 1.23 the runtime collects abandoned timers; in tests they live as long as the test: notes.
    quiet = p.note_if(modern or f.is_test)
    cost = "; since Go 1.23 abandoned timers are collected, but each iteration still allocates one" if modern else \
        "; before Go 1.23 none of them is collected until it fires"
    for c in imports.calls(f, imports.TIME, ("After",)):
        recv = scope.outer_paren(c.call).parent
        if recv is None or recv.type != "unary_expression" or not f.text(recv).startswith("<-"):
            recv = _through_variable(f, c.call)
            if recv is None:
                continue
        case = scope.select_case(recv)
        if case is None:
            continue
        select = case.parent
        loops = scope.loops_between(select, scope.enclosing_func(select))
        if not loops:
            continue
        loop = loops[0]
        if _falls_out(f, select, loop):  # whichever case wins, the code after the select leaves the loop
            continue
        stays = next((other for other in select.named_children
                      if other != case and other.type in ("communication_case", "default_case")
                      and not _cancelled(f, other) and not scope.leaves(f, scope.case_statements(other), loop)),
                     None)
        if stays is None:
            continue
        p.report(c.call, "time.After in a select inside a loop starts a new timer on every iteration; when another"
                 " case wins, the timer is abandoned but stays pending until it fires" + cost,
                 fix="create one timer before the loop (time.NewTimer, with Reset after each use) and"
                     " `defer t.Stop()`, or a context with a deadline",
                 related=[(loop, "the loop that runs the select again"), (stays, "when this case wins, the loop"
                          " goes round and the timer stays pending")], severity=quiet)


def _cancelled(f, case) -> bool:
    """``case <-ctx.Done():``: cancellation; the loop is on its way out even if the case body is empty."""
    comm = case.child_by_field_name("communication")
    if comm is None or comm.type != "receive_statement":
        return False
    right = scope.unparen(comm.child_by_field_name("right"))
    if right.type != "unary_expression" or right.named_child_count != 1:
        return False
    call = scope.unparen(right.named_children[0])
    fn = call.child_by_field_name("function") if call.type == "call_expression" else None
    return fn is not None and fn.type == "selector_expression" and f.text(fn.child_by_field_name("field")) == "Done"


def _falls_out(f, select, loop) -> bool:
    """Whether a statement that always runs after the select (in its block or, leaving ``if`` blocks,
    in the blocks around it, up to the loop body) returns, ends the goroutine or breaks the loop."""
    cur = select
    while True:
        sib = cur.next_named_sibling
        while sib is not None:
            if sib.type in ("return_statement", "goto_statement") or scope.terminates(f, sib):
                return True
            if sib.type == "break_statement" and not sib.named_children and _breaks(sib) == loop:
                return True
            sib = sib.next_named_sibling
        up = cur.parent
        while up is not None and (up.parent is None or up.parent.type != "statement_list"):
            if up == loop or up.type in scope.FUNC_TYPES:
                return False
            up = up.parent
        if up is None or up == loop or up.type in ("for_statement", "labeled_statement"):
            return False
        cur = up


def _breaks(stmt):
    n = stmt.parent
    while n is not None and n.type not in ("for_statement", "expression_switch_statement", "type_switch_statement",
                                           "select_statement") and n.type not in scope.FUNC_TYPES:
        n = n.parent
    return n


def _through_variable(f, call):
    """``timeout := time.After(d)`` in a loop body whose only use is ``case <-timeout:`` in the same
    iteration: the receive expression, else None."""
    target = scope.assignment_target(f, call, 0)
    if target is None or target.type != "identifier":
        return None
    b = scope.resolve(f, target)
    if not scope.is_local(b) or b.kind != "var":
        return None
    uses = [u for u in scope.uses(f, b) if u.kind != "write"]
    if len(uses) != 1 or uses[0].closure is not None:
        return None
    recv = scope.outer_paren(uses[0].node).parent
    if recv is None or recv.type != "unary_expression" or not f.text(recv).startswith("<-"):
        return None
    # The assignment must run in the loop iteration of the select (inside the innermost loop around it).
    loops = scope.loops_between(recv, b.func)
    return recv if loops and scope.within(call, loops[0]) else None
