"""GO106 unguarded-send-in-cancellable-loop: a loop that watches for cancellation, but sends blind.

``for { select { case <-ctx.Done(): return; case v := <-in: out <- f(v) } }``:
the loop stops when ``ctx`` is done -- but only while it waits in the
select.  The send on ``out`` elsewhere in the loop waits for a receiver
without looking at ``ctx``: when the consumer has gone away (it was
cancelled by the same ``ctx``), the goroutine blocks on that send forever.

The loop must have a select case that receives from the stop signal
(``<-x.Done()``, or a channel named like stop/done/quit/closing) and leaves
the loop (``return``, ``break`` out, ``goto``).  The send must be a plain
statement in the same loop (not a case of a select that also watches the
signal), on a channel that is not a local with a constant buffer.
"""

from __future__ import annotations

import re

from golint_traefik.go import channels, scope
from golint_traefik.registry import go_rule

_STOP_NAME = re.compile(r"(?i)^(stop|done|quit|exit|clos|shutdown|die|cancel|term|finish|halt)")
_SELECT_Q = "(select_statement) @select"


@go_rule("GO106")
def check(p) -> None:
    f = p.file
    if not f.has(b"select") or not f.has(b"<-"):
        return
    reported: set[int] = set()
    loop_of: dict[int, object] = {}
    for sel in f.captures(_SELECT_Q).get("select", []):
        loop = _innermost_loop(sel, loop_of)
        if loop is None:
            continue
        signal = _stop_case(f, sel, loop)
        if signal is None:
            continue
        sig_text, case = signal
        for send in _sends(loop):
            if send.id in reported or _guarded(f, send, sig_text, loop) or scope.within(send, case):
                continue  # a reply sent while shutting down is the shutdown protocol
            chan = send.child_by_field_name("channel")
            if _buffered_local(f, chan) or _buffered_field(p, chan) or _reply(f, chan) \
                    or _optional(f, send, chan, loop):
                continue
            reported.add(send.id)
            p.report(send, f"send on `{f.text(chan)}` does not watch `{sig_text}`: when nobody receives any more, "
                           f"this loop blocks here forever although it stops on `{sig_text}` at line "
                           f"{case.start_point[0] + 1}",
                     fix=f"send in a select that also waits for `{sig_text}`: "
                         f"`select {{ case {f.text(chan)} <- v: case <-{sig_text}: return }}`",
                     related=[(case, "the loop's way out, watched only here")])


def _innermost_loop(node, memo: dict):
    """The innermost ``for`` around ``node`` in its function (``scope.loops_between(node, None)[0]``),
    remembered for the nodes passed on the way up: ``node.parent`` is not O(1) in tree-sitter, and
    walking up from each of many nested selects would be cubic in the nesting depth."""
    chain = []
    n, found = node.parent, None
    while n is not None and n.type not in scope.FUNC_TYPES:
        if n.id in memo:
            found = memo[n.id]
            break
        if n.type in scope.LOOP_TYPES:
            found = n
            break
        chain.append(n.id)
        n = n.parent
    for key in chain:
        memo[key] = found
    return found


def _stop_case(f, sel, loop):
    """(signal text, case) for a case of ``sel`` that receives a stop signal and leaves ``loop``."""
    for case in sel.named_children:
        if case.type != "communication_case":
            continue
        sig = _signal(f, case.child_by_field_name("communication"))
        if sig is None:
            continue
        if _leaves(f, case, loop):
            return sig, case
    return None


def _signal(f, comm) -> str | None:
    """``ctx.Done()`` / ``stop`` / ``s.quit`` when the communication receives from a stop signal."""
    if comm is None or comm.type != "receive_statement":
        return None
    recv = comm.child_by_field_name("right")
    if recv is None or recv.type != "unary_expression":
        return None
    operand = scope.unparen(recv.child_by_field_name("operand"))
    if operand.type == "call_expression":
        fn = operand.child_by_field_name("function")
        if fn is not None and fn.type == "selector_expression" and f.text(fn.child_by_field_name("field")) == "Done":
            return f.text(operand)
        return None
    name = operand if operand.type == "identifier" else \
        operand.child_by_field_name("field") if operand.type == "selector_expression" else None
    if name is not None and _STOP_NAME.search(f.text(name)):
        return f.text(operand)
    return None


def _leaves(f, case, loop) -> bool:
    stmt = loop.parent if loop.parent is not None and loop.parent.type == "labeled_statement" else loop
    exits = scope.loop_exits(f, stmt)
    return any(scope.within(e, case) for e in exits) or channels.calls_fatal(f, case)


def _sends(loop):
    return [n for n in scope.walk(loop.child_by_field_name("body") or loop) if n.type == "send_statement"
            and channels.select_of(n) is None]


def _guarded(f, send, sig_text, loop) -> bool:
    """The send sits in a loop nested inside ``loop`` that has its own select on the signal, or it is in a
    select case body... (only a select whose communication is the send guards it)."""
    inner = scope.loops_between(send, loop)
    return bool(inner) and any(_has_signal_case(f, n, sig_text) for n in inner)


def _has_signal_case(f, loop, sig_text) -> bool:
    for n in scope.walk(loop):
        if n.type == "communication_case" and _signal(f, n.child_by_field_name("communication")) == sig_text:
            return True
    return False


def _buffered_local(f, chan) -> bool:
    chan = scope.unparen(chan)
    if chan.type != "identifier":
        return False
    b = scope.resolve(f, chan)
    return any(c.binding == b and c.capacity not in (None, 0) for c in channels.local_channels(f)) if b else False


def _received(f, b) -> bool:
    """A local bound by a receive (``case req := <-reqs``, ``errc := <-quit``) or a range over a channel."""
    if b is None or b.func is None or b.kind not in ("var", "range"):
        return False
    if b.decl.type in ("receive_statement", "range_clause"):
        return True
    v = b.value
    return v is not None and v.type == "unary_expression" and f.text(v).startswith("<-")


def _optional(f, send, chan, loop) -> bool:
    """``if x.step != nil { x.step <- v }``: an optional notification channel (mostly tests hook it)."""
    text = f.text(chan)
    n = send.parent
    while n is not None and n != loop and n.type not in ("func_literal", "function_declaration", "method_declaration"):
        if n.type == "if_statement":
            cond = n.child_by_field_name("condition")
            if cond is not None and f.text(cond).replace(" ", "") == text.replace(" ", "") + "!=nil":
                return True
        n = n.parent
    return False


def _buffered_field(p, chan) -> bool:
    """``s.out <- v`` where some ``make`` given to the field ``out`` in the package has a buffer (or one we
    cannot read): the author sized it; we cannot tell whether it suffices."""
    chan = scope.unparen(chan)
    if chan.type != "selector_expression":
        return False
    name = p.file.text(chan.child_by_field_name("field"))
    for op in channels.field_ops(p.package, p.file, name):
        if op.kind in ("write", "init") and op.value is not None and channels.is_make_chan(op.file, op.value):
            if channels.capacity(op.file, scope.unparen(op.value)) != 0:
                return True
    return False


def _reply(f, chan) -> bool:
    """``req.reply <- v``: a reply channel of a request received in the loop (its sender waits for it)."""
    chan = scope.unparen(chan)
    if chan.type == "identifier":
        return _received(f, scope.resolve(f, chan))  # errc := <-s.terminate
    if chan.type not in ("selector_expression", "index_expression"):
        return False
    base = chan.child_by_field_name("operand")
    while base is not None and base.type in ("selector_expression", "index_expression"):
        base = base.child_by_field_name("operand")
    if base is None or base.type != "identifier":
        return False
    b = scope.resolve(f, base)
    return _received(f, b)
