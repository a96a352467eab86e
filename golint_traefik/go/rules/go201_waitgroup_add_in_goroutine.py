"""GO201 waitgroup-add-in-goroutine: ``wg.Add`` runs inside the goroutine it counts.

``go func() { wg.Add(1); defer wg.Done(); ... }()`` races with ``wg.Wait()``:
the goroutine may not have started (so not yet added itself) when Wait
looks at the counter, which can be zero -- Wait returns early.  The rule
reports only when the WaitGroup is known to be a ``sync.WaitGroup`` (or,
failing that, is used like one with ``Wait`` in the same function), the
``Add`` is a statement of the goroutine's body (not inside an ``if`` or a
loop, where it may count goroutines the goroutine starts), the goroutine
surely counts itself out (a body-level ``Done`` or a deferred one), and it
does not call ``Wait`` itself.
"""

from __future__ import annotations

import re

from golint_traefik.go import decls, imports, scope
from golint_traefik.registry import go_rule

_GO_FUNC = re.compile(rb"\bgo\s+func\s*\(")
_GO_Q = "(go_statement (call_expression function: (func_literal body: (block) @body))) @go"
_WG_CALLS_Q = """
(call_expression
  function: (selector_expression operand: (_) @recv field: (field_identifier) @method)
  arguments: (argument_list) @args
  (#any-of? @method "Add" "Done" "Wait")) @call
"""


@go_rule("GO201")
def check(p) -> None:
    f = p.file
    if b".Add(" not in f.src or not _GO_FUNC.search(f.src):  # cheap byte test before walking the tree
        return
    for caps in f.matches(_GO_Q):
        go, body = caps["go"][0], caps["body"][0]
        top = scope.block_statements(body)
        own, nested = _calls(f, body, go)
        for recv, add in own.get("Add", []):
            key = f.text(recv)
            if _statement(add, top) is None:  # inside an if/for/switch: it may count other goroutines
                continue
            if not any(f.text(r) == key and _statement(done, top, deferred=True) for r, done in own.get("Done", [])):
                continue  # the goroutine does not surely count itself out: not its own count
            if key in nested:  # it counts goroutines it starts itself, while it is still counted: fine
                continue
            if any(f.text(r) == key for r, _ in own.get("Wait", [])):  # it waits itself: Add precedes its Wait
                continue
            arg = f.text(add.child_by_field_name("arguments"))[1:-1].strip()
            if arg.startswith("-"):
                continue
            is_wg, wait = _waitgroup(p, recv, go, body)
            if not is_wg or wait is not None and _handshake(f, add, body, go, wait):
                continue
            related = [(go, "the goroutine starts here; it may not have run when Wait checks the counter")]
            if wait is not None:
                related.append((wait, f"{key}.Wait() here can return before the goroutine's Add has run"))
            p.report(add, f"{key}.Add is called inside the goroutine it accounts for; {key}.Wait() can return "
                          "before the goroutine has started",
                     fix=f"call {key}.Add({arg}) before the go statement", related=related)


def _statement(call, top, deferred=False):
    """The statement of the goroutine's body that is ``call`` itself (or, if ``deferred``, defers it)."""
    for stmt in top:
        if scope.within(call, stmt):
            if stmt.type == "expression_statement" and scope.unparen(stmt.named_children[0]) == call:
                return stmt
            return stmt if deferred and stmt.type == "defer_statement" else None
    return None


def _calls(f, body, go) -> tuple[dict[str, list], set[str]]:
    """Add/Done/Wait calls (receiver, call) the goroutine runs itself, and the receivers that
    goroutines started inside it call ``Done`` on."""
    own: dict[str, list] = {}
    nested: set[str] = set()
    for caps in f.matches(_WG_CALLS_Q, body):
        call, method, args = caps["call"][0], f.text(caps["method"][0]), caps["args"][0]
        if (method == "Add") != (args.named_child_count == 1):
            continue
        runner = _runner(call, go)
        if runner == "self":
            own.setdefault(method, []).append((caps["recv"][0], call))
        elif runner == "go" and method == "Done":
            nested.add(f.text(caps["recv"][0]))
    return own, nested


def _runner(node, go) -> str:
    """Who runs ``node`` inside the goroutine ``go``: "self" (its body, or a function literal it calls
    or defers on the spot), "go" (a goroutine it starts) or "later" (a closure it hands on)."""
    n, runner = node.parent, "self"
    while n is not None and n != go:
        if n.type == "go_statement":
            return "go"
        if n.type == "func_literal" and n.parent.type != "call_expression" or \
                n.type == "func_literal" and n.parent.child_by_field_name("function") != n:
            runner = "later"
        n = n.parent
    return runner


_SEND_Q = "(send_statement channel: (_) @ch) @send"
_RECV_Q = '[(unary_expression operator: "<-" operand: (_) @ch) (range_clause right: (_) @ch)] @recv'


def _handshake(f, add, body, go, wait) -> bool:
    """The goroutine sends on a channel after its Add and the spawner receives from it before Wait:
    the Add happens before the Wait after all."""
    sent = {f.text(c["ch"][0]) for c in f.matches(_SEND_Q, body)
            if c["send"][0].start_byte > add.end_byte and _runner(c["send"][0], go) == "self"}
    if not sent:
        return False
    func = scope.enclosing_func(go)
    return any(f.text(c["ch"][0]) in sent and go.end_byte <= c["recv"][0].start_byte < wait.start_byte
               for c in f.matches(_RECV_Q, func))


def _waitgroup(p, recv, go, body):
    """(is a WaitGroup, its Wait() call around the go statement or None).

    Declared type first; when it is unknown, the receiver must be used like a
    WaitGroup: ``Wait()`` on it in the function around the go statement.
    """
    typed = _declared_waitgroup(p, recv, body)
    wait = _outer_wait(p.file, recv, go) if typed is not False else None
    return (wait is not None if typed is None else typed), wait


def _declared_waitgroup(p, recv, body) -> bool | None:
    """Whether ``recv`` is declared as a sync.WaitGroup: True, False, or None when unknown."""
    f = p.file
    recv = scope.unparen(recv)
    if recv.type == "identifier":
        b = scope.resolve(f, recv)
        if b is None:
            found = decls.package_var(p.package, f, f.text(recv))
            if found is None:
                return None
            f, b = found
        elif scope.within(b.ident, body):  # the goroutine's own WaitGroup: nobody outside waits on it
            return False
        if b.type is not None:
            return imports.is_type(f, b.type, imports.SYNC, "WaitGroup")
        if b.value is not None and imports.is_constructed(f, b.value, imports.SYNC, "WaitGroup"):
            return True
        return None
    if recv.type == "selector_expression":
        fields = decls.field_types(p.package, f).get(f.text(recv.child_by_field_name("field")))
        if not fields:
            return None
        return all(imports.is_type(g, t, imports.SYNC, "WaitGroup") for g, t in fields)
    return None


def _outer_wait(f, recv, go):
    """A ``<recv>.Wait()`` call in the function around the go statement, outside the goroutine."""
    func = scope.enclosing_func(go)
    if func is None:
        return None
    key = f.text(recv)
    for caps in f.matches(_WG_CALLS_Q, func):
        call = caps["call"][0]
        if f.text(caps["method"][0]) == "Wait" and not scope.within(call, go) and f.text(caps["recv"][0]) == key \
                and caps["args"][0].named_child_count == 0:
            return call
    return None
