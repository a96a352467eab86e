"""GO301 lost-cancel: the cancel function of a derived context is dropped.

``ctx, _ := context.WithTimeout(...)``, a cancel variable nobody reads, or
one overwritten before anyone reads it: the child context stays registered
with its parent (and keeps its timer) until the parent ends.  The ``stop``
function of ``signal.NotifyContext`` is tracked the same way: without it the
signals stay caught.  Any read of the
variable -- a call, ``defer``, return, store, argument, closure -- counts as
handing it on; the rule is not path-sensitive.
"""

from __future__ import annotations

from golint_traefik.go import imports, scope
from golint_traefik.registry import go_rule

CONSTRUCTORS = ("WithCancel", "WithTimeout", "WithDeadline", "WithCancelCause", "WithTimeoutCause", "WithDeadlineCause")
SIGNAL = ("os/signal",)
_ASSIGN = ("assignment_statement", "short_var_declaration", "var_declaration")
_PATHS = (*imports.CONTEXT, *SIGNAL)


def _lifetime(f, c: imports.PkgCall) -> str:
    """What dropping this cancel function costs.  A child of Background/TODO is never registered
    with its parent (that parent cannot be cancelled): only its timer, if any, is held."""
    args = c.call.child_by_field_name("arguments")
    first = scope.unparen(args.named_children[0]) if args is not None and args.named_child_count else None
    root = first is not None and any(r.call == first for r in imports.calls(f, imports.CONTEXT, ("Background", "TODO"), first))
    if c.name == "NotifyContext":
        until = "for good" if root else "until the parent is cancelled"
        return f"the signals stay caught (their default action, such as exiting on Ctrl-C, stays off) {until}"
    if "Timeout" in c.name or "Deadline" in c.name:
        until = "the timeout fires" if "Timeout" in c.name else "the deadline passes"
        return f"its timer lives until {until}" if root else \
            f"the context and its timer live until {until} or the parent is cancelled"
    return "the context can never be cancelled" if root else "the context leaks until its parent is cancelled"


@go_rule("GO301")
def check(p) -> None:
    f = p.file
    if not imports.imports_any(f, _PATHS):  # one lookup for the files that import neither package
        return
    calls = list(imports.calls(f, imports.CONTEXT, CONSTRUCTORS))
    if imports.imports_any(f, SIGNAL) and f.has(b"NotifyContext"):  # its stop function is a cancel function too
        calls = sorted([*calls, *imports.calls(f, SIGNAL, ("NotifyContext",))], key=lambda c: c.call.start_byte)
    for c in calls:
        target = scope.assignment_target(f, c.call, 1)
        if target is None:  # returned or passed on as a pair, or not a two-value assignment
            continue
        target = scope.unparen(target)
        if target.type != "identifier":  # stored in a field, map or slice: someone else owns it
            continue
        kind = "stop" if c.name == "NotifyContext" else "cancel"
        what = f"the {kind} function returned by {c.qualified}"
        made = [(c.call, f"{c.qualified} is called here")]
        if f.text(target) == "_":
            p.report(target, f"{what} is discarded; {_lifetime(f, c)}", fix=_fix(kind), related=made)
            continue
        b = scope.resolve(f, target)
        if not scope.is_local(b) or b.kind != "var":  # results are returned; globals are shared
            continue
        name, assign = b.name, scope.statement_of(c.call)
        what = f"the {kind} function `{name}` returned by {c.qualified}"
        reads = [u for u in scope.uses(f, b) if u.is_read]
        if not any(_may_follow(u, c.call, b) for u in reads):
            p.report(target, f"{what} is never called or handed on; {_lifetime(f, c)}",
                     fix=_fix(name), related=made)
            continue
        later = _overwrite(f, b, assign, reads)
        if later is not None:
            p.report(target, f"{what} is overwritten on line {later.start_point[0] + 1} before it is called; "
                             f"{_lifetime(f, c)}",
                     fix=f"call {name}() before reusing the variable, or use a second variable",
                     related=[*made, (later, f"`{name}` is overwritten here")])


def _fix(name: str) -> str:
    return f"keep the cancel function and call `{name}()` when the work is done, usually `defer {name}()` right after"


def _may_follow(use: scope.Use, call, b: scope.Binding) -> bool:
    """Whether a read can run after the assignment: later in the text, in a closure, or around a loop."""
    if use.node.start_byte > call.end_byte or use.closure is not None:
        return True
    loops = {loop.id for loop in scope.loops_between(call, b.func)}
    return any(loop.id in loops for loop in scope.loops_between(use.node, b.func))


def _overwrite(f, b: scope.Binding, assign, reads: list[scope.Use]):
    """The next statement of the same block that assigns ``b`` again before any read of it."""
    if assign is None or any(u.closure is not None for u in reads):
        return None
    writes = {scope.statement_of(u.node).id for u in scope.uses(f, b)
              if u.kind == "write" and scope.statement_of(u.node) is not None}
    stmt = assign.next_named_sibling
    while stmt is not None:
        if any(scope.within(u.node, stmt) for u in reads):
            return None
        if stmt.id in writes and stmt.type in _ASSIGN:
            return stmt
        stmt = stmt.next_named_sibling
    return None
