"""GO303 unstopped-timer: a time.NewTimer the function abandons while it is still pending.

A timer assigned to a local is the function's to stop.  It is reported when no
``t.Stop()`` appears anywhere in the function, the timer is never handed on,
and a ``select`` waits on ``t.C`` next to another case that can win: when that
case is chosen (and, inside a loop, leaves it) the function moves on with the
timer still pending.  A plain ``<-t.C`` anywhere means the function waits for
it to fire, and is left alone.  Since Go 1.23 an unreferenced timer is
collected even when pending, so for modules at ``go >= 1.23`` it is a note.
"""

from __future__ import annotations

from golint_traefik.go import imports, scope, timers
from golint_traefik.registry import go_rule


@go_rule("GO303")
def check(p) -> None:
    f = p.file
    if not imports.imports_any(f, imports.TIME) or b"NewTimer" not in timers.constructors(f):
        return
    modern = timers.collected(f)
    # Since 1.23 the runtime collects abandoned timers; in tests they live as long as the test: notes.
    quiet = p.note_if(modern or f.is_test)
    cost = "; since Go 1.23 an unreferenced timer is collected, so this only delays its release" if modern else \
        "; before Go 1.23 the runtime holds it (and what it references) until then"
    for c in imports.calls(f, imports.TIME, ("NewTimer",)):
        par = scope.outer_paren(c.call).parent
        target = par if par.type == "expression_statement" else scope.assignment_target(f, c.call, 0)
        if target is None:  # returned, passed on, .C taken at once (time.After's shape): not this rule
            continue
        target = scope.unparen(target)
        if par.type == "expression_statement" or target.type == "identifier" and f.text(target) == "_":
            p.report(c.call, "the timer returned by time.NewTimer is discarded; it can never be stopped and fires"
                     " for nothing", fix="remove the call, or keep the timer and stop it", severity=quiet)
            continue
        if target.type != "identifier":  # stored in a field, map or slice: its owner stops it
            continue
        b = scope.resolve(f, target)
        if not scope.is_local(b) or b.kind != "var":
            continue
        uses = scope.uses(f, b)
        if any(u.member == "Stop" for u in uses):  # t.Stop(), defer t.Stop(), cleanup(t.Stop)
            continue
        if any(u.hands_off or u.kind == "other" for u in uses):  # someone else may stop it
            continue
        if timers.forever(f, c.call):  # the function never returns after it: nothing to release
            continue
        race = _abandoning_select(f, b, c.call, uses)
        if race is None:
            continue
        select, other = race
        p.report(target, f"the timer `{b.name}` from time.NewTimer is never stopped; when another case of the select"
                 " wins, it stays pending until it fires" + cost,
                 fix=f"add `defer {b.name}.Stop()` after creating the timer",
                 related=[(c.call, "time.NewTimer is called here"), (other, "when this case wins, the timer is"
                          " left pending")], severity=quiet)


def _abandoning_select(f, b: scope.Binding, call, uses):
    """(select, winning case) for a select that waits on ``t.C`` next to a case that lets the
    function move on without the timer having fired; None when every receive waits for it."""
    found = None
    for u in uses:
        if u.kind != "field" or u.member != "C":
            continue
        sel = scope.outer_paren(u.node.parent)
        recv = scope.outer_paren(sel).parent
        if recv is None or recv.type != "unary_expression" or not f.text(recv).startswith("<-"):
            return None  # ranged over, passed, stored: not a simple wait
        case = scope.select_case(recv)
        if case is None:
            return None  # a plain `<-t.C`: the function waits for the timer to fire
        if u.closure is not None or found is not None:
            continue
        select = case.parent
        # Loops between the select and the timer's creation: the select runs again unless a case leaves.
        loops = [loop for loop in scope.loops_between(select, b.func) if not scope.within(call, loop)]
        for other in select.named_children:
            if other == case or other.type not in ("communication_case", "default_case"):
                continue
            if not loops or scope.leaves(f, scope.case_statements(other), loops[-1]):
                found = (select, other)
                break
    return found
