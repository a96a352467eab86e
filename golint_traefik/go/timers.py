"""Facts the timer rules (GO302-GO305) share: which timer constructors a file mentions, when the runtime
collects timers, and whether control ever leaves a place after a timer is made."""

from __future__ import annotations

import re

from golint_traefik.go import imports, scope

# Go 1.23 lets the garbage collector reclaim timers and tickers nobody references any more.
GC_SINCE = (1, 23)

_CONSTRUCTORS = re.compile(rb"NewTi(?:cker|mer)")


def constructors(f) -> frozenset[bytes]:
    """Which of ``NewTicker`` and ``NewTimer`` the text of ``f`` mentions: one scan answers GO302 and
    GO303, where a word test each would scan the file twice (most files that import time have neither)."""
    return f.memo_get("timers.constructors", lambda: frozenset(m.group() for m in _CONSTRUCTORS.finditer(f.src)))


def collected(f) -> bool:
    """Whether the file's Go version collects unreferenced timers."""
    return tuple(f.go_version) >= GC_SINCE


def outlives(literal) -> bool:
    """A function literal that may run after its function returns: started with ``go``, stored or passed on."""
    call = literal.parent
    return not (call.type == "call_expression" and call.child_by_field_name("function") == literal) \
        or call.parent is not None and call.parent.type == "go_statement"


def forever(f, node) -> bool:
    """Control never leaves the function after ``node``: an endless loop follows (ranging over a
    time channel ``x.C`` or ``time.Tick(d)`` is endless: they are never closed), or it is ``main``."""
    def over_time_channel(clause) -> bool:
        right = clause.child_by_field_name("right")
        if right is not None and right.type == "call_expression":
            return any(c.call == right for c in imports.calls(f, imports.TIME, ("Tick",), right))
        return right is not None and right.type == "selector_expression" \
            and f.text(right.child_by_field_name("field")) == "C"

    func = scope.enclosing_func(node)
    return scope.runs_forever_after(f, node, over_time_channel) or func is not None and scope.never_returns(f, func)
