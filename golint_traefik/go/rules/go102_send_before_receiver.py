"""GO102 send-before-receiver: a send on a fresh unbuffered channel before anyone can receive.

``ch := make(chan T)`` followed, in the same goroutine, by ``ch <- v`` before
the channel has been handed to anybody -- no goroutine captures it, it is not
passed, stored, returned or aliased -- blocks forever: an unbuffered send
waits for a receiver, and no other goroutine knows the channel.  Uses inside
a loop around the send count as "before" (an earlier iteration may have
started the receiver); a deferred closure runs too late to help.
"""

from __future__ import annotations

from golint_traefik.go import channels
from golint_traefik.registry import go_rule


@go_rule("GO102")
def check(p) -> None:
    f = p.file
    for ch in channels.local_channels(f):
        if ch.capacity != 0 or ch.reassigned:
            continue
        for send in ch.sends:
            if send.runner != "self" or send.in_select:  # a select may take another case
                continue
            if any(_may_receive(ch, op, send) for op in ch.ops if op is not send):
                break  # later sends are no more certain to block than this one
            line = ch.make.start_point[0] + 1
            p.report(send.expr, f"send on unbuffered channel `{ch.name}` blocks forever: no other goroutine can "
                                f"receive from it yet (made on line {line} and not shared before this send)",
                     fix=f"start the goroutine that receives from `{ch.name}` before sending, or give the channel "
                         "a buffer (`make(chan T, 1)`)",
                     related=[(ch.make, f"`{ch.name}` is made here")])
            break


def _may_receive(ch: channels.LocalChan, op: channels.ChanOp, send: channels.ChanOp) -> bool:
    """Whether ``op`` may give another goroutine the channel before ``send`` runs."""
    if op.kind == "close" and op.runner == "self" and op.node.start_byte < send.expr.start_byte:
        return True  # the send panics on the closed channel rather than blocking
    if op.runner == "self" and op.kind != "escape" or op.runner == "defer":
        return False  # the sending goroutine itself; a deferred literal runs after the block
    if op.node.start_byte < send.expr.start_byte:
        return True
    stmt = ch.statement
    around_send = {loop.id for loop in channels.loops_inside(send.expr, stmt, ch.func)}
    return any(loop.id in around_send for loop in channels.loops_upto(op.node, stmt, ch.func))
