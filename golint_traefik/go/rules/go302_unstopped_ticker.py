"""GO302 unstopped-ticker: a time.NewTicker the function owns is never stopped.

A ticker assigned to a local is the function's to stop: if no ``t.Stop()``
appears anywhere in the function (deferred or in a closure) and the ticker is
never handed on (returned, stored, passed, sent, captured by address), it
keeps firing after the function is done.  ``time.NewTicker(d).C`` loses the
ticker at once.  Since Go 1.23 an unreachable ticker is garbage-collected, so
for modules at ``go >= 1.23`` a ticker only the function itself uses is a note.
"""

from __future__ import annotations

from golint_traefik.go import imports, scope, timers
from golint_traefik.registry import go_rule



@go_rule("GO302")
def check(p) -> None:
    f = p.file
    if not imports.imports_any(f, imports.TIME) or b"NewTicker" not in timers.constructors(f):
        return
    modern = timers.collected(f)
    quiet = p.note_if(modern)
    gc_note = "; since Go 1.23 an unreachable ticker is collected, so this only costs until then" if modern else \
        "; before Go 1.23 an unstopped ticker is never garbage-collected"
    for c in imports.calls(f, imports.TIME, ("NewTicker",)):
        expr = scope.outer_paren(c.call)
        par = expr.parent
        if par.type == "selector_expression" and f.text(par.child_by_field_name("field")) == "C":
            if not timers.forever(f, par):
                p.report(par, "the ticker from time.NewTicker is dropped and only its channel C is kept; it can never"
                         " be stopped" + gc_note, fix="assign the ticker to a variable and `defer ticker.Stop()`",
                         severity=quiet)
            continue
        target = par if par.type == "expression_statement" else scope.assignment_target(f, c.call, 0)
        if target is None:  # returned, passed to a call, or put in a literal: handed on
            continue
        target = scope.unparen(target)
        if par.type == "expression_statement" or target.type == "identifier" and f.text(target) == "_":
            p.report(c.call, "the ticker returned by time.NewTicker is discarded; it can never be stopped" + gc_note,
                     fix="remove the call, or keep the ticker and `defer ticker.Stop()`", severity=quiet)
            continue
        if target.type != "identifier":  # stored in a field, map or slice: the owner stops it
            continue
        b = scope.resolve(f, target)
        if not scope.is_local(b) or b.kind != "var":
            continue
        uses = scope.uses(f, b)
        if any(u.member == "Stop" for u in uses):  # t.Stop() or the method value t.Stop (t.Cleanup(t.Stop))
            continue
        if any(u.hands_off or u.kind == "other" for u in uses):  # someone else may stop it
            continue
        if timers.forever(f, c.call):  # it lives as long as the goroutine anyway
            continue
        related = [(c.call, "time.NewTicker is called here")]
        later = next((u.closure for u in uses if u.closure is not None and timers.outlives(u.closure)), None)
        if later is not None:  # a goroutine or stored closure keeps the ticker reachable on any Go version
            related.append((later, "this function literal keeps reading the ticker after the function returns"))
        where = "; a closure that reads it keeps it alive after the function returns" if later else gc_note
        p.report(target, f"the ticker `{b.name}` from time.NewTicker is never stopped" + where,
                 fix=f"add `defer {b.name}.Stop()` after creating the ticker", related=related,
                 severity=None if later else quiet)
