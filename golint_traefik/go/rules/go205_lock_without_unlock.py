"""GO205 lock-without-unlock: a path leaves the critical section without the Unlock.

``mu.Lock()`` followed, in the same block, by a plain ``mu.Unlock()`` (or a
late ``defer mu.Unlock()``) marks a critical section the function means to
close itself.  A ``return`` inside it, a ``continue`` back to the loop that
takes the lock, or a ``break``/``goto`` out of it to a function end with no
Unlock on the way, leaves the mutex locked: the next ``Lock`` blocks forever.
The path analysis is :class:`~golint_traefik.go.syncfacts.LockFlow`: a lock
counts as held only when every path to the exit holds it.
"""

from __future__ import annotations

import bisect
import re

from golint_traefik.go import scope, syncfacts
from golint_traefik.registry import go_rule

_METHOD_VALUE_Q = '(selector_expression field: (field_identifier) @f (#any-of? @f "Unlock" "RUnlock")) @sel'


@go_rule("GO205")
def check(p) -> None:
    f = p.file
    if not f.has(b"Lock()") or not f.has(b"nlock()"):
        return
    by_func: dict[int, list[syncfacts.SyncCall]] = {}
    for c in syncfacts.sync_calls(f, syncfacts.LOCK_METHODS):
        if c.nargs == 0 and c.func is not None:
            by_func.setdefault(c.func.id, []).append(c)
    for cs in by_func.values():
        func = cs[0].func
        regions = _regions(f, cs)
        if not any(_may_leave(f, c, regions[c.call.id][1]) for c in cs if c.call.id in regions):
            continue
        skip = _handed_off(f, func, {k for k, _ in regions.values()})
        flow = syncfacts.flow(f, func, p.package)  # shared with GO206/GO207 (their call events are skipped here)
        reported: set = set()
        for ev in flow.events:
            if ev.kind not in ("return", "continue", "panic", "break", "goto"):
                continue
            for (key, mode), fact in ev.state.items():
                region = regions.get(fact.site.id)
                if region is None or fact.deferred or key in skip or fact.via is not None:
                    continue
                if ev.kind == "continue" and not scope.within(fact.site, ev.target):
                    continue  # continues a loop inside the critical section
                if ev.kind == "panic" and not syncfacts.defers_recover(f, func):
                    continue  # nothing survives the panic: the lock no longer matters
                if ev.kind in ("break", "goto") and not _leaves(f, flow, ev, key, mode, fact.site, region[1]):
                    continue
                if (ev.node.id, key, mode) in reported:
                    continue
                reported.add((ev.node.id, key, mode))
                _report(p, ev, key, mode, fact.site, region[1])


def _leaves(f, flow, ev, key, mode, site, end) -> bool:
    """A break or goto that carries the lock out of its critical section for good: it jumps past
    the statement list the lock was taken in, and nothing after the place it lands releases it."""
    if ev.target is None:
        return False
    if ev.kind == "break":
        if not scope.within(site, ev.target):
            return False  # breaks out of a loop or switch inside the critical section
        land = ev.target.end_byte
    else:
        stmt = scope.outer_paren(site).parent
        if stmt.start_byte <= ev.target.start_byte < end.end_byte:
            return False  # a jump within the critical section
        land = ev.target.start_byte
    return flow.released_after(key, mode, land) is None


def _regions(f, cs: list[syncfacts.SyncCall]) -> dict[int, tuple[str, object]]:
    """Lock site id -> (key, the statement that ends its critical section): a later statement of
    the same block that is ``key.Unlock()`` or ``defer key.Unlock()``.

    A lock whose very next statement is its ``defer key.Unlock()`` is left out: the flow marks the
    lock deferred before any exit can see it, and the rule skips deferred locks."""
    # (key, mode, block) -> release statements of that block, in source order (``cs`` is), with their offsets
    releases: dict[tuple, tuple[list[int], list]] = {}
    for c in cs:
        if c.method in syncfacts.RELEASE and (c.is_statement or c.deferred):
            stmt = scope.outer_paren(c.call).parent
            block = stmt.parent.id if stmt.parent is not None else None
            at, stmts = releases.setdefault((c.key, syncfacts.RELEASE[c.method], block), ([], []))
            at.append(stmt.start_byte)
            stmts.append(stmt)
    out = {}
    for c in cs:
        if c.method not in syncfacts.ACQUIRE or not c.is_statement:
            continue
        stmt = scope.outer_paren(c.call).parent
        block = stmt.parent.id if stmt.parent is not None else None
        at, stmts = releases.get((c.key, syncfacts.ACQUIRE[c.method], block), ((), ()))
        i = bisect.bisect_right(at, stmt.start_byte)  # the first release after the lock: linear, not quadratic
        if i < len(stmts) and not _deferred_next(stmt, stmts[i]):
            out[c.call.id] = (c.key, stmts[i])
    return out


_LEAVE = re.compile(rb"\b(?:return|break|continue|goto)\b|[pP]anic")


def _may_leave(f, lock, end) -> bool:
    """Some path may leave the critical section from ``lock`` to ``end`` other than through
    ``end``: its text says ``return``, ``break``, ``continue``, ``goto`` or ``panic`` (``Panic``).

    ``end`` is in the lock's block, so a path that takes none of these reaches it; one that
    reaches no event the rule reports on holds the lock nowhere else either (a lock held past a
    jump is carried by it: the event is the jump).  Without them, the flow need not be built."""
    return _LEAVE.search(f.src, lock.call.start_byte, end.start_byte) is not None


def _deferred_next(stmt, end) -> bool:
    """``end``, the release ending the critical section the lock statement ``stmt`` opens, is a
    ``defer`` right after ``stmt`` (comments aside) whose call is not in parentheses (the flow
    defers the call a ``defer`` statement holds, not an expression around it)."""
    if end.type != "defer_statement":
        return False
    nxt = stmt.next_named_sibling
    while nxt is not None and nxt.type == "comment":
        nxt = nxt.next_named_sibling
    return nxt == end and any(c.type == "call_expression" for c in end.named_children)


def _handed_off(f, func, keys: set[str]) -> set[str]:
    """Keys whose unlocking the function hands to other code: the method value ``mu.Unlock`` is
    taken, or a function literal (not deferred) unlocks the key without locking it first."""
    text = f.src[func.start_byte:func.end_byte]
    out = set()
    if re.search(rb"\.\s*R?Unlock\b(?!\s*\()", text):
        for sel in f.captures(_METHOD_VALUE_Q, func).get("sel", []):
            call = scope.outer_paren(sel).parent
            if call is None or call.type != "call_expression" \
                    or scope.outer_paren(sel) != call.child_by_field_name("function"):
                out.add(syncfacts.key_text(f, sel.child_by_field_name("operand")))
    for c in syncfacts.sync_calls_in(f, syncfacts.LOCK_METHODS, func):
        lit = c.func
        if c.key not in keys or c.method not in syncfacts.RELEASE or lit is None or lit == func \
                or not scope.within(lit, func) or lit.type != "func_literal":
            continue
        if lit.parent is not None and lit.parent.type == "call_expression" and \
                lit.parent.parent is not None and lit.parent.parent.type == "defer_statement":
            continue  # a deferred closure: the flow sees it
        if not any(o.key == c.key and o.method in syncfacts.ACQUIRE and o.func == lit
                   and o.call.start_byte < c.call.start_byte
                   for o in syncfacts.sync_calls_in(f, syncfacts.LOCK_METHODS, lit)):
            out.add(c.key)
    return out


def _line(node) -> int:
    return node.start_point[0] + 1


def _report(p, ev, key, mode, site, end) -> None:
    lock, unlock = ("RLock", "RUnlock") if mode == "r" else ("Lock", "Unlock")
    state = "read-locked" if mode == "r" else "locked"
    if end.type == "defer_statement":
        skipped = f"the `defer {key}.{unlock}()` on line {_line(end)} is not reached"
    else:
        skipped = f"the {key}.{unlock}() on line {_line(end)} is skipped"
    if ev.kind == "continue":
        msg = f"continue leaves {key} {state}: {skipped}, and the next iteration's {key}.{lock}() blocks forever"
        fix = f"call {key}.{unlock}() before continue"
    elif ev.kind in ("break", "goto"):
        msg = f"{ev.kind} leaves {key} {state}: {skipped} and nothing unlocks it after the jump"
        fix = f"call {key}.{unlock}() before the {ev.kind}"
    elif ev.kind == "panic":
        msg = f"this panic leaves {key} {state} when the function's deferred recover() survives it: {skipped}"
        fix = f"use `defer {key}.{unlock}()` right after {key}.{lock}()"
    else:
        msg = f"return leaves {key} {state}: {skipped}, so the next {key}.{lock}() blocks forever"
        fix = f"call {key}.{unlock}() before returning, or `defer {key}.{unlock}()` right after {key}.{lock}()"
    related = [(site, f"{key}.{lock}() is called here"), (end, "the critical section ends here on the other paths")]
    p.report(ev.node, msg, fix=fix, related=related)
