"""GO104 range-over-unclosed-channel: ``for range ch`` over a channel nobody closes.

A range loop over a channel ends only when the channel is closed.  When the
loop has no way out of its own (no ``return``, ``break`` or ``goto`` leaving
it) and no code that can see the channel ever closes it, the loop -- and the
goroutine running it -- waits forever once the senders are done.

Two kinds of channel are examined:

* a local made with ``make(chan ...)`` that never escapes the function (not
  passed, returned, stored or aliased: code we cannot see might close it);
* an unexported struct field declared as a channel in every struct of the
  package, which no file of the package closes, passes on or assigns
  anything but ``make(chan ...)`` or ``nil``.

Producers that never stop (a send inside an endless loop) make the endless
consumer a design, not a leak: those channels are left alone.
"""

from __future__ import annotations

import re

from golint_traefik.go import channels, decls, scope
from golint_traefik.registry import go_rule

_RANGE_FIELD = re.compile(rb"range[ \t]+([\w.()\[\]]*\.(\w+))[ \t]*\{")


@go_rule("GO104")
def check(p) -> None:
    f = p.file
    if not f.has(b"range"):
        return
    for ch in channels.local_channels(f):
        if ch.reassigned or ch.closed:
            continue
        passed = _passed(p, ch)
        if passed is None:
            continue  # handed to code we cannot follow: it may close the channel
        if any(o.kind == "close" for x in passed for o in x.ops):
            continue
        sends = [(f, op.expr) for op in ch.sends]
        sends += [(x.file, o.expr) for x in passed for o in x.ops if o.kind == "send"]
        if any(_endless_producer(g, send) for g, send in sends):
            continue
        after = "once the senders are done" if sends else "(nothing sends on it either)"
        for r in ch.of("range"):
            if not _no_way_out(f, r.expr):
                continue
            who = "the goroutine ranging over it leaks" if r.runner == "go" else "the loop blocks forever"
            p.report(_range_head(r.expr) or r.node,
                     f"range over `{ch.name}` never ends: nothing closes the channel, so {who} {after}",
                     fix=_fix(ch.name), related=_related(ch, sends))
        for x in passed:
            for o in x.ops:
                if o.kind != "range" or not _no_way_out(x.file, o.expr):
                    continue
                name = x.file.text(x.func.child_by_field_name("name"))
                who = "the goroutine running it leaks" if x.started or o.runner == "go" else "the call blocks forever"
                p.report(x.call, f"`{name}` ranges over `{ch.name}` (as `{x.param.name}`, line "
                                 f"{o.expr.start_point[0] + 1}) but nothing closes the channel, so {who} {after}",
                         fix=_fix(ch.name),
                         related=[(x.file.span(_range_head(o.expr) or o.node), f"`{name}` ranges over it here"),
                                  *_related(ch, sends)])
                break
    _fields(p)


def _passed(p, ch) -> list[channels.Passed] | None:
    """What the package functions ``ch`` is passed to do with it; None when one of its escapes is not
    such an argument (it is returned, stored, aliased...) or the callee hands it on again."""
    if any(_not_an_argument(op) for op in ch.escapes):
        return None  # before resolving any callee: that indexes the functions of the package
    out = []
    for op in ch.escapes:
        x = channels.passed_to(p.package, p.file, op)
        if x is None or any(o.kind in ("escape", "write") for o in x.ops):
            return None
        out.append(x)
    return out


def _not_an_argument(op) -> bool:
    """The escaping channel is not a call argument (see :func:`channels.passed_to`)."""
    par = scope.outer_paren(op.node).parent
    return par is None or par.type != "argument_list"


def _related(ch, sends) -> list:
    """Where ``ch`` is made and its first senders (only built for a finding: most channels have none)."""
    return [(ch.make, f"`{ch.name}` is made here"), *[(g.span(s), "a sender") for g, s in sends[:3]]]


def _fields(p) -> None:
    f = p.file
    for m in _RANGE_FIELD.finditer(f.src):
        name = m.group(2).decode()
        if not (name[:1].islower() or name[:1] == "_"):  # exported: other packages may close it
            continue
        if not _declared_as_chan(p, name):
            continue  # cheap text test before indexing the package's struct fields
        found = _range_over_selector(f, m.start(1), m.end(1))
        if found is None:
            continue
        sel, loop = found
        declared = decls.field_types(p.package, f).get(name)
        if not declared or not all(t.type == "channel_type" for _, t in declared):
            continue
        if not _no_way_out(f, loop):
            continue
        ops = channels.field_ops(p.package, f, name)
        if any(op.kind in ("close", "escape") for op in ops):
            continue
        if any(op.kind in ("write", "init") and not _fresh(op) for op in ops):
            continue  # it may hold a channel made (and closed) elsewhere
        sends = [op for op in ops if op.kind == "send"]
        if any(_endless_producer(op.file, op.expr) for op in sends):
            continue
        who = "the goroutine running it leaks" if scope.enclosing_func(loop) is not None else "it blocks"
        p.report(sel, f"range over the field `{name}` never ends: no code in the package closes it, so {who} "
                      "when its owner is done",
                 fix=f"close `{name}` when the owner shuts down (in its Close/Stop method), or select on a "
                     "done channel or ctx.Done() and return",
                 related=[(t, f"`{name}` is declared here") for g, t in declared if g is f][:1])


def _range_over_selector(f, start, end):
    """(selector, for statement) for the ``range x.f`` whose operand spans the bytes start..end."""
    n = f.root.descendant_for_byte_range(start, end)
    while n is not None and not (n.start_byte <= start and n.end_byte >= end):
        n = n.parent
    while n is not None and n.parent is not None and n.parent.type == "selector_expression" \
            and n.parent.start_byte == start and n.parent.end_byte == end:
        n = n.parent
    if n is None or n.type != "selector_expression" or n.start_byte != start or n.end_byte != end:
        return None
    clause = n.parent
    if clause is None or clause.type != "range_clause" or clause.child_by_field_name("right") != n:
        return None
    loop = clause.parent
    return (n, loop) if loop is not None and loop.type == "for_statement" else None


_CHAN_DECL = re.compile(rb"[ \t]*(\w+(?:[ \t]*,[ \t]*\w+)*)[ \t]+(?:<-[ \t]*)?chan\b")  # at a line start


def _declared_as_chan(p, name) -> bool:
    """Some file of the package has a line ``name chan ...`` / ``a, name <-chan ...`` (a field or
    variable declared as a channel): a cheap test before indexing the package's struct fields."""
    files = p.package.same_package(p.file) if p.package is not None else [p.file]
    memo = p.package.memo if p.package is not None else {}
    key = ("GO104.chan_names", p.file.package_name)
    names = memo.get(key)
    if names is None:
        names = memo[key] = {n.strip().decode() for g in files for n in _chan_decl_names(g.src)}
    return name in names


_CHAN_WORD = re.compile(rb"chan\b")
_BEFORE_CHAN = frozenset(b" \t-")  # what precedes the `chan` of a declaration line: a blank, or `<-`


def _chan_decl_names(src: bytes):
    """The names of the lines ``a, b chan T`` of ``src``: only lines with a word ``chan`` after a blank
    or ``<-`` are matched (a regex anchored at every line start of the file is ten times slower, and
    ``chan`` inside longer words -- ``hchan``, ``chansend`` -- is frequent)."""
    line = -1
    for m in _CHAN_WORD.finditer(src):
        at = m.start()
        if at == 0 or src[at - 1] not in _BEFORE_CHAN:
            continue
        start = src.rfind(b"\n", 0, at) + 1
        if start != line:
            line = start
            decl = _CHAN_DECL.match(src, start)
            if decl:
                yield from decl.group(1).split(b",")


def _range_head(loop):
    """``for v := range ch`` without the body: the node to report on."""
    return next((c for c in loop.named_children if c.type == "range_clause"), None)


def _fresh(op: channels.FieldOp) -> bool:
    """The field is given a channel made right there (or nil), or a local channel made in the function
    that nobody closes or hands anywhere else."""
    v, g = op.value, op.file
    if v is None:
        return False
    if channels.is_make_chan(g, v) or v.type == "nil" or v.type == "identifier" and g.text(v) == "nil":
        return True
    if v.type != "identifier":
        return False
    b = scope.resolve(g, v)
    ch = next((c for c in channels.local_channels(g) if c.binding == b), None) if b is not None else None
    return ch is not None and not ch.reassigned and not ch.closed and all(e.node == v for e in ch.escapes)


def _no_way_out(f, loop) -> bool:
    """The range loop has no return, goto or break leaving it."""
    stmt = loop.parent if loop.parent is not None and loop.parent.type == "labeled_statement" else loop
    return scope.endless_loop(f, stmt, lambda clause: True) and not channels.calls_fatal(f, loop)


def _endless_producer(f, send) -> bool:
    """The send sits in a loop that never ends (``for {}`` or ``for range ticker.C`` without a way out)."""
    def over_time_channel(clause) -> bool:
        right = clause.child_by_field_name("right")
        return right is not None and right.type == "selector_expression" \
            and f.text(right.child_by_field_name("field")) == "C"

    for loop in scope.loops_between(send, None):
        stmt = loop.parent if loop.parent is not None and loop.parent.type == "labeled_statement" else loop
        if scope.endless_loop(f, stmt, over_time_channel):
            return True
    return False


def _fix(name: str) -> str:
    return (f"close `{name}` once the last send is done (`defer close({name})` in a single sender, or a "
            "goroutine that waits for a WaitGroup of senders and then closes it)")
