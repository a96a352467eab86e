"""GO208 cond-wait-not-in-loop: ``sync.Cond.Wait`` is called outside a ``for`` loop.

``Wait`` returns after a ``Signal`` or ``Broadcast``, but by the time the waiter
holds ``c.L`` again another goroutine may have changed the state: the condition
must be checked again, in a loop.  The rule reports ``x.Wait()`` only when
declarations say ``x`` is a ``sync.Cond`` (a ``*sync.Cond``/``sync.Cond``
variable, parameter or field, or a variable from ``sync.NewCond``) and no
``for`` statement of the same function surrounds the call.
"""

from __future__ import annotations

import re

from golint_traefik.go import scope, syncfacts
from golint_traefik.registry import go_rule


_STATE_Q = "[(selector_expression) (identifier)] @x"
_CONDS_Q = """
[(if_statement condition: (_) @c) (for_statement (_) @c body: (_)) (expression_switch_statement value: (_) @c)
 (binary_expression) @c]
"""
_CONSTANTS = frozenset({"nil", "true", "false", "iota"})


@go_rule("GO208")
def check(p) -> None:
    f = p.file
    if not f.has(b".Wait()") or not f.has(b"Cond") and not _package_has_cond(p):
        return
    for w in syncfacts.sync_calls(f, ("Wait",)):
        if w.nargs or w.func is None or not w.is_statement or scope.loops_between(w.call, w.func):
            continue
        guard = _guard(w.call)
        if guard is None:
            continue  # an unconditional Wait: a barrier the signaller orders, not a checked condition
        if syncfacts.sync_type(p, w.recv) != "Cond":
            continue
        state = _state(f, guard)
        if not state or _rechecked(f, w, state):
            continue
        if all(w.key == s or w.key.startswith(s + ".") for s in state):
            continue  # `if c != nil { c.Wait() }`: the guard is about the Cond, not a waited-for condition
        cond = f.text(guard)
        p.report(w.call, f"{w.key}.Wait() under `if {cond}` instead of a loop: when Wait returns, nothing checks "
                         f"`{cond}` again, although another goroutine may have run first or the wake-up was for "
                         "another reason (Broadcast wakes every waiter)",
                 fix=f"wait in a loop: `for {cond} {{ {w.key}.Wait() }}`",
                 related=[(guard, "the condition is checked once, before waiting")])


def _guard(call):
    """The condition of the ``if`` whose block holds the Wait statement directly."""
    stmt = scope.outer_paren(call).parent
    block = stmt.parent.parent if stmt.parent is not None else None
    ifs = block.parent if block is not None else None
    if block is None or block.type != "block" or ifs is None or ifs.type != "if_statement" \
            or ifs.child_by_field_name("consequence") != block:
        return None
    return ifs.child_by_field_name("condition")


def _state(f, guard) -> set[str]:
    """The variables and fields the guard reads (selectors when there are any, else identifiers)."""
    sels, idents = set(), set()
    for n in f.captures(_STATE_Q, guard).get("x", []):
        par = n.parent
        if par is not None and par.type == "call_expression" and par.child_by_field_name("function") == n:
            continue
        if n.type == "selector_expression":
            sels.add(f.text(n))
        elif f.text(n) not in _CONSTANTS and not (par is not None and par.type == "selector_expression"):
            idents.add(f.text(n))
    return sels or idents


def _rechecked(f, w, state: set[str]) -> bool:
    """A condition after the Wait, in the same function, reads the guard's state again."""
    for c in f.captures(_CONDS_Q, w.func).get("c", []):
        if c.start_byte < w.call.end_byte or scope.enclosing_func(c) != w.func:
            continue
        text = f.text(c)
        if any(re.search(r"(?<![\w.])" + re.escape(s) + r"(?!\w)", text) for s in state):
            return True
    return False


def _package_has_cond(p) -> bool:
    files = p.package.same_package(p.file) if p.package is not None else []
    return any(g.has(b"Cond") for g in files)
