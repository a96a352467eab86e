"""GO101 abandoned-sender: a goroutine's send that the receiver may never take.

A function makes a channel, starts goroutines that send on it, and receives
from it itself.  Without a buffer for every send, a sender whose value is not
received blocks forever -- its goroutine leaks.  Four shapes lose a receive:

* ``return`` between the ``go`` statement and the first receive;
* the only receive is a case of a ``select`` whose other case (a timeout,
  ``ctx.Done()``, ``default``) can win;
* more senders than receives ("first result wins");
* a counting receive loop (or a range over the channel) that can be left
  early while several senders are still pending.

The channel must be a local made in the function with a constant capacity,
received only by the function itself and never handed on; each goroutine is
a ``go func() {...}()`` literal whose send is a plain statement (a send that
is a ``select`` case can give up).  Senders are counted from the syntax: a
goroutine started in a loop runs once per iteration (a constant
``for i := 0; i < N; i++`` runs N times), a send in a loop repeats unless a
``return`` or ``break`` follows it.
"""

from __future__ import annotations

import re

from golint_traefik.go import channels, scope
from golint_traefik.go.source import words
from golint_traefik.registry import go_rule

MANY = channels.MANY



@go_rule("GO101")
def check(p) -> None:
    f = p.file
    chans = channels.local_channels(f)  # shared with GO102-GO104: most files have none
    if not chans or not f.has(b"go "):
        return
    for ch in chans:
        if ch.reassigned or ch.escapes or ch.capacity is None:
            continue
        if any(op.runner == "later" or op.kind == "len" for op in ch.ops):
            continue  # a closure run who knows when, or code that polls the length
        recvs, sends = ch.receives, ch.sends
        if not recvs or not sends or any(op.runner != "self" for op in recvs) or any(op.runner != "go" for op in sends):
            continue
        senders = _senders(f, ch, recvs)
        if not senders:
            continue
        most = _total(s.most for s in senders)
        if most <= ch.capacity or ch.capacity > 0 and most >= MANY:
            continue  # a buffer for every send, or a buffer against an unknown count: the author sized it
        found = _early_return(f, ch, senders, recvs) or _select_abandon(f, ch, senders, recvs) \
            or _first_wins(ch, senders, recvs) or _loop_exit(f, ch, senders, recvs)
        if found is None:
            continue
        send, why, related = found
        p.report(send.expr, f"the goroutine's send on `{ch.name}` can block forever: {why}",
                 fix=f"give `{ch.name}` a buffer for every send (`make(chan T, n)`), or let the sender select on "
                     "a done channel or ctx.Done()",
                 related=[(ch.make, f"`{ch.name}` is made here" + _cap_note(ch)), *related])


def _cap_note(ch) -> str:
    return " without a buffer" if ch.capacity == 0 else f" with a buffer of {ch.capacity}"


class _Sender:
    """A ``go func() {...}()`` with plain sends on the channel."""

    def __init__(self, go, lit, plain, sure, most):
        self.go, self.lit, self.plain = go, lit, plain
        self.sure = sure  # sends it surely makes (over all its copies)
        self.most = most  # sends it may make


def _total(counts) -> int:
    return min(MANY, sum(counts))


def _senders(f, ch, recvs) -> list[_Sender]:
    """The goroutines with a plain send on ``ch``; empty when one of them is not a function literal."""
    by_go: dict[int, list] = {}
    for op in ch.sends:
        by_go.setdefault(op.go.id, []).append(op)
    out = []
    for ops in by_go.values():
        go = ops[0].go
        lit = channels.go_literal(go)
        if lit is None:
            return []
        plain = [op for op in ops if not op.in_select]
        if not plain:
            continue  # every send can give up
        copies = _copies(f, ch, go, recvs)
        lo, hi = channels.sends_per_run(f, lit, plain)
        out.append(_Sender(go, lit, plain, min(MANY, lo * copies), min(MANY, hi * copies)))
    return out


def _copies(f, ch, go, recvs) -> int:
    """How many times the go statement runs per receiving round: loops around it that hold no receive."""
    n = 1
    for loop in channels.loops_upto(go, ch.statement, ch.func):
        if any(scope.within(r.expr, loop) for r in recvs):
            continue  # send and receive pair up per iteration
        n *= _trips(f, loop)
    return min(n, MANY)


def _trips(f, loop) -> int:
    """The iteration count of ``for i := 0; i < N; i++`` with a constant N, else MANY."""
    clause = next((c for c in loop.named_children if c.type == "for_clause"), None)
    if clause is None:
        right = next((c.child_by_field_name("right") for c in loop.named_children if c.type == "range_clause"), None)
        if right is not None and right.type == "composite_literal":
            body = right.child_by_field_name("body")
            return len([c for c in body.named_children if c.type != "comment"]) if body is not None else MANY
        if right is not None:
            n = channels.int_value(f, right)  # for range N (Go 1.22)
            return n if n is not None else MANY
        return MANY
    init, cond = clause.child_by_field_name("initializer"), clause.child_by_field_name("condition")
    if init is None or cond is None or cond.type != "binary_expression":
        return MANY
    start = init.child_by_field_name("right")
    start = channels.int_value(f, start.named_children[0]) if start is not None and start.named_child_count == 1 \
        else None
    op = cond.child_by_field_name("operator")
    end = channels.int_value(f, cond.child_by_field_name("right"))
    if start is None or end is None or op is None or f.text(op) not in ("<", "<="):
        return MANY
    return max(0, end - start + (f.text(op) == "<="))


def _first(senders):
    return min((op for s in senders for op in s.plain), key=lambda op: op.expr.start_byte)


def _line(n) -> int:
    return n.start_point[0] + 1


def _early_return(f, ch, senders, recvs):
    """A return between a sender's go statement and the first receive."""
    first = min(r.expr.start_byte for r in recvs)
    for s in senders:
        if s.go.end_byte > first:
            continue
        for ret in _returns(f, ch.func, s.go.end_byte, first):
            if any(scope.within(r.expr, ret) or r.select is not None and scope.within(ret, r.select) for r in recvs):
                continue  # it returns the receive, or returns from the select that receives
            if _exclusive(s.go, ret):
                continue
            if any(scope.within(r.expr, loop) for loop in scope.loops_between(ret, ch.func) for r in recvs):
                continue  # a receive loop: an earlier iteration may have received
            if ret.parent is not None and ret.parent.type == "statement_list" and channels.fails(f, ret.parent):
                continue  # the test or the program fails there anyway
            return s.plain[0], f"the function returns on line {_line(ret)} before receiving from it", \
                [(ret, "returns here without receiving"), (s.go, "the sender starts here")]
    return None


_RETURN = re.compile(rb"return(?![0-9A-Za-z_])")  # with source.words: the keyword


def _returns(f, func, start, end) -> list:
    """The return statements of ``func`` itself (not of function literals inside it) that start between
    the bytes ``start`` and ``end``, in source order: found from the ``return`` keywords of the text."""
    out = []
    for m in words(_RETURN, f.src, start, end):
        kw = channels.node_at(f, m.start(), m.end())
        ret = kw.parent if kw is not None and kw.type == "return" else None
        if ret is not None and ret.type == "return_statement" and ret.start_byte == m.start() \
                and scope.enclosing_func(ret) == func:
            out.append(ret)
    return out


def _exclusive(a, b) -> bool:
    """``a`` and ``b`` sit in different branches of one if/switch/select."""
    n = b.parent
    while n is not None and not scope.within(a, n):
        n = n.parent
    if n is None:
        return False
    if n.type in ("expression_switch_statement", "type_switch_statement", "select_statement"):
        return True
    if n.type != "if_statement":
        return False
    cons, alt = n.child_by_field_name("consequence"), n.child_by_field_name("alternative")

    def arm(x):
        return 1 if cons is not None and scope.within(x, cons) else 2 if alt is not None and scope.within(x, alt) else 0

    return arm(a) != arm(b) and bool(arm(a)) and bool(arm(b))


def _select_abandon(f, ch, senders, recvs):
    """The only receive is a select case; another case can win."""
    if len(recvs) != 1 or recvs[0].select is None:
        return None
    r = recvs[0]
    if channels.loops_inside(r.select, ch.statement, ch.func):
        return None  # the select runs again: a later round may receive
    own = r.expr.parent if r.expr.parent.type == "receive_statement" else r.expr
    case = own.parent
    others = [c for c in r.select.named_children if c.type in ("communication_case", "default_case") and c != case]
    for other in others:
        if channels.fails(f, other):
            continue  # that case fails the test or ends the program
        if other.type == "default_case":
            return _first(senders), f"the select on line {_line(r.select)} takes its `default` case when the " \
                                    "value is not ready yet", [(other, "the default case")]
        comm = other.child_by_field_name("communication")
        if comm is None or _signalled_by(f, comm, senders):
            continue  # the sender itself closes or sends on that channel: then it does not send on ours
        text = " ".join(f.text(comm).split())
        if len(text) > 40:
            text = text[:37] + "..."
        return _first(senders), f"the select on line {_line(r.select)} may take the `{text}` case instead of " \
                                "receiving it", [(comm, "this case can win")]
    return None


def _signalled_by(f, comm, senders) -> bool:
    """The case receives from a variable (or a field of one) that a sender goroutine also uses."""
    recv = comm.child_by_field_name("right") if comm.type == "receive_statement" else None
    if recv is None or recv.type != "unary_expression":
        return False
    operand = scope.unparen(recv.child_by_field_name("operand"))
    if operand.type == "selector_expression":
        operand = operand.child_by_field_name("operand")
    if operand.type != "identifier":
        return False
    b = scope.resolve(f, operand)
    if b is None:
        return False
    return any(scope.within(u.node, s.lit) for u in scope.uses(f, b) for s in senders)


def _first_wins(ch, senders, recvs):
    """More senders than receives (plus buffer), and no receive in a loop."""
    if any(r.kind == "range" or channels.loops_inside(r.expr, ch.statement, ch.func) for r in recvs):
        return None
    sure = _total(s.sure for s in senders)
    if sure <= 1 or len(recvs) + ch.capacity >= sure:
        return None
    many = "one goroutine per loop iteration sends" if sure >= MANY else f"{sure} goroutines send"
    got = "one value is" if len(recvs) == 1 else f"{len(recvs)} values are"
    return _first(senders), f"{many} on it but only {got} received; the other senders are never taken", \
        [(r.expr, "the only receive" if len(recvs) == 1 else "a receive") for r in recvs]


def _loop_exit(f, ch, senders, recvs):
    """A counting receive loop, or a range over the channel, that can be left early while several
    senders are pending."""
    if _total(s.sure for s in senders) < ch.capacity + 2:
        return None
    for r in recvs:
        if r.kind == "range":
            loop = r.expr
        else:
            loops = channels.loops_inside(r.expr, ch.statement, ch.func)
            if not loops or not _counting(loops[-1]):
                continue
            loop = loops[-1]
        if any(scope.within(s.go, loop) for s in senders):
            continue  # senders start inside the loop: per-iteration pairs
        stmt = loop.parent if loop.parent is not None and loop.parent.type == "labeled_statement" else loop
        exits = [e for e in scope.loop_exits(f, stmt) if e.type in ("return_statement", "break_statement")
                 and not channels.fails(f, e.parent)]
        if not exits:
            continue
        e = exits[0]
        what = "returns" if e.type == "return_statement" else "leaves the loop"
        return _first(senders), f"the receive loop on line {_line(loop)} {what} early on line {_line(e)}, " \
                                "leaving the remaining senders blocked", [(e, "leaves the receive loop here")]
    return None


def _counting(loop) -> bool:
    """``for i := 0; i < n; i++`` or ``for range xs``: a loop with an end of its own (not ``for {}``)."""
    for c in loop.named_children:
        if c.type == "for_clause":
            return c.child_by_field_name("condition") is not None
        if c.type == "range_clause":
            return True
    return False
