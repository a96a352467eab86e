"""GO103 dropped-result-channel: a call whose returned channel -- fed by a goroutine -- is thrown away.

``func watch() <-chan Event { ch := make(chan Event); go func() { ch <- e }(); return ch }``
called as a bare statement ``watch()`` (or ``_ = watch()``, ``go watch()``,
``defer watch()``): nobody can ever receive from the channel, so the
goroutine blocks forever on its first send.

The callee must be a function or method of the same package whose body makes
a channel, returns it, hands it to nobody else, and starts a
``go func() {...}()`` with a plain send on it (a send that is a ``select``
case can give up) that may send more values than the channel buffers.
Calls are resolved with :func:`decls.callee` (package functions; methods
on the enclosing method's receiver or on a local built as ``&T{...}``).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from golint_traefik.go import channels, decls, scope
from golint_traefik.go.source import GoFile, Node
from golint_traefik.registry import go_rule

_CHAN_RESULT = re.compile(rb"\nfunc[ \t(][^\n{]*\)[^\n]*\bchan\b")
_HOW = {"go_statement": "dropped by the go statement", "defer_statement": "dropped by the defer statement"}
_DROPPING = frozenset({"expression_statement", "go_statement", "defer_statement"})  # statements of a bare call


class _Fed(NamedTuple):
    file: GoFile
    func: Node
    chan: channels.LocalChan
    send: Node  # the goroutine's send statement

    @property
    def name(self) -> bytes:
        n = self.func.child_by_field_name("name")
        return self.file.src[n.start_byte:n.end_byte]


@go_rule("GO103")
def check(p) -> None:
    f = p.file
    fed = _fed_functions(p.package, f)
    if not fed or not any(x.name in f.src for x in fed.values()):
        return  # a call goes to a function of its name (see decls.callee)
    for call, fn in _dropped_calls(f, {x.name.decode() for x in fed.values()}):
        fn = scope.unparen(fn)
        callee = decls.callee(p.package, f, fn)
        target = fed.get(callee[1].id) if callee is not None else None
        if target is None:
            continue
        name = f.text(fn)
        how = _HOW.get(call.parent.type, "discarded")
        unbuffered = ", unbuffered" if target.chan.capacity == 0 else ""
        line = target.send.start_point[0] + 1
        p.report(call, f"the channel returned by `{name}` is {how}: nothing can receive from it, so the goroutine "
                       f"it starts blocks forever on its send (line {line}{_where(f, target)})",
                 fix=f"receive from the channel (`<-{name}(...)` or a range loop), or change `{name}` so the "
                     "goroutine does not block when nobody listens (a buffered channel, or a select on a done "
                     "channel)",
                 related=[(target.file.span(target.send), f"`{target.chan.name}` is sent on here{unbuffered}"),
                          (target.file.span(target.chan.make), f"`{target.chan.name}` is made here and returned")])


def _dropped_calls(f, names) -> list[tuple[Node, Node]]:
    """(call, function expression) for the calls ``name(...)`` / ``x.name(...)`` of the file whose result
    nobody takes: a statement of their own, the call of a go or defer statement, or ``_ = call``.  In
    source order, from the names' occurrences in the text (a query would visit every node of the file)."""
    found = []
    for name in sorted(names):
        for n in channels.spelt(f, name):
            if n.type == "field_identifier" and n.parent.type == "selector_expression" \
                    and n.parent.child_by_field_name("field") == n:
                n = n.parent
            elif n.type != "identifier":
                continue
            fn = scope.outer_paren(n)
            call = fn.parent
            if call is None or call.type != "call_expression" or call.child_by_field_name("function") != fn:
                continue
            if call.parent.type in _DROPPING:
                found.append((call.start_byte, call, fn))
                continue
            blank = _blank_target(f, call)
            if blank is not None:
                found.append((blank.start_byte, call, fn))
    found.sort(key=lambda c: c[0])
    return [(call, fn) for _, call, fn in found]


def _blank_target(f, call) -> Node | None:
    """The ``_`` of ``_ = call``."""
    right = call.parent
    stmt = right.parent if right.type == "expression_list" else None
    if stmt is None or stmt.type != "assignment_statement" or stmt.child_by_field_name("right") != right \
            or right.named_child_count != 1:
        return None
    left = stmt.child_by_field_name("left")
    blank = left.named_children[0] if left is not None and left.named_child_count == 1 else None
    return blank if blank is not None and blank.type == "identifier" and f.text(blank) == "_" else None


def _where(f, target) -> str:
    return "" if target.file is f else f" of {target.file.path.rsplit('/', 1)[-1]}"


def _fed_functions(package, file) -> dict:
    """Declaration node id -> _Fed for the package's functions that return a channel some goroutine
    they start sends on."""

    def build():
        out: dict = {}
        files = package.files if package is not None else []
        for g in files if file in files else [file, *files]:
            if not channels.makes_channels(g) or g.package_name != file.package_name:
                continue  # no function that makes a channel, or a file of another package clause
            for m in _CHAN_RESULT.finditer(g.src):
                kw = channels.node_at(g, m.start() + 1, m.start() + 5)
                func = kw.parent if kw is not None else None
                if func is None or func.type not in ("function_declaration", "method_declaration"):
                    continue
                result = func.child_by_field_name("result")
                if result is None or "chan" not in g.text(result):
                    continue
                found = _feeds(g, func)
                if found is not None:
                    out[func.id] = found
        return out

    if package is None:
        return build()
    key = ("GO103.fed", file.package_name)
    if key not in package.memo:
        package.memo[key] = build()
    return package.memo[key]


def _feeds(g, func) -> _Fed | None:
    """The unbuffered local channel ``func`` returns after starting a goroutine that sends on it."""
    found = None
    for ch in channels.local_channels(g):
        if ch.func != func or ch.reassigned or ch.capacity is None:
            continue
        if not ch.escapes or not all(_returned(op.node, func) for op in ch.escapes):
            continue
        if any(op.runner == "self" and op.kind in ("recv", "range", "send") for op in ch.ops):
            continue  # the function talks on it itself
        plain = [op for op in ch.sends if op.runner == "go" and not op.in_select
                 and channels.go_literal(op.go) is not None]
        if not plain:
            continue
        lit = channels.go_literal(plain[0].go)
        if channels.sends_per_run(g, lit, [op for op in plain if op.go == plain[0].go])[1] <= ch.capacity:
            continue  # the buffer takes every send
        if found is not None:
            return None  # two such channels: which one is returned is not ours to guess
        found = _Fed(g, func, ch, plain[0].expr)
    return found


def _returned(ident, func) -> bool:
    """``ident`` is (part of) a value returned by ``func`` itself: ``return ch``, ``return ch, nil``,
    ``return (<-chan T)(ch)``."""
    n = ident.parent
    while n is not None and n.type in ("parenthesized_expression", "type_conversion_expression", "expression_list"):
        n = n.parent
    return n is not None and n.type == "return_statement" and scope.enclosing_func(n) == func
