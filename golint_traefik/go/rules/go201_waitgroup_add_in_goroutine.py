"""GO201 waitgroup-add-in-goroutine: ``wg.Add`` runs inside the goroutine it counts.

``go func() { wg.Add(1); defer wg.Done(); ... }()`` races with ``wg.Wait()``:
the goroutine may not have started (so not yet added itself) when Wait
looks at the counter, which can be zero -- Wait returns early.  The rule
reports only when the WaitGroup is known to be a ``sync.WaitGroup`` (or,
failing that, is used like one with ``Wait`` in the same function), the
goroutine surely counts itself out (a body-level ``Done`` or a deferred one),
and it does not call ``Wait`` itself.  An ``Add`` inside an ``if`` or a loop
of the goroutine counts only when the goroutine starts no goroutine of its
own (otherwise it may be counting those).  ``go worker(&wg)`` is followed
into a package function whose body adds to its ``*sync.WaitGroup``
parameter and counts itself out (:func:`_named`).
"""

from __future__ import annotations

import re

from golint_traefik.go import channels, decls, imports, scope, syncfacts
from golint_traefik.go.source import find_word
from golint_traefik.registry import go_rule

_GO_FUNC = re.compile(rb"go\s+func\s*\(")  # with source.find_word: at a word boundary
_NAMED_GO = re.compile(rb"go\s+[\w.]+\s*\(")  # with source.find_word: at a word boundary
_WG_CALLS_Q = """
(call_expression
  function: (selector_expression operand: (_) @recv field: (field_identifier) @method)
  arguments: (argument_list) @args
  (#any-of? @method "Add" "Done" "Wait")) @call
"""


@go_rule("GO201")
def check(p) -> None:
    f = p.file
    if f.has(b".Wait()") and find_word(_NAMED_GO, f.src):
        _named(p)
    if not f.has(b".Add(") or not find_word(_GO_FUNC, f.src):  # cheap byte test before walking the tree
        return
    for go, body in _literal_goroutines(f):
        if f.src.find(b"Add", body.start_byte, body.end_byte) < 0:
            continue  # every report is about an `x.Add(n)` of the body: its field is the word in the text
        top = scope.block_statements(body)
        own, nested = _calls(f, body, go)
        spawns = bool(channels.go_statements_in(f, body))
        for recv, add in own.get("Add", []):
            key = f.text(recv)
            if _statement(add, top) is None and spawns:  # inside an if/for/switch: it may count goroutines it starts
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


def _go_calls(f):
    """(go statement, call) for each ``go`` statement whose child is a call."""
    for go in channels.go_statements(f):
        call = next((c for c in go.named_children if c.type == "call_expression"), None)
        if call is not None:
            yield go, call


def _literal_goroutines(f):
    """(go statement, body block) for each ``go func() {...}()``."""
    for go, call in _go_calls(f):
        fn = call.child_by_field_name("function")
        body = fn.child_by_field_name("body") if fn is not None and fn.type == "func_literal" else None
        if body is not None and body.type == "block":
            yield go, body


def _named_goroutines(f):
    """(go statement, function, arguments) for each ``go name(...)`` / ``go x.name(...)``."""
    for go, call in _go_calls(f):
        fn, args = call.child_by_field_name("function"), call.child_by_field_name("arguments")
        if fn is not None and fn.type in ("identifier", "selector_expression") and args is not None \
                and args.type == "argument_list":
            yield go, fn, args


def _named(p) -> None:
    """``go worker(&wg)``: a package function (or a method with a unique name) started with ``go``
    whose body adds to a ``*sync.WaitGroup`` parameter as a top-level statement and counts itself
    out with ``Done`` -- while the spawner waits on the WaitGroup it passed."""
    f = p.file
    for go, fn, args in _named_goroutines(f):
        decl = _callee(p, fn)
        if decl is None:
            continue
        g, node = decl
        params = [(ident, typ) for d in (node.child_by_field_name("parameters").named_children
                                         if node.child_by_field_name("parameters") is not None else [])
                  if d.type == "parameter_declaration" for typ in [d.child_by_field_name("type")]
                  for ident in d.children_by_field_name("name")]
        for i, (ident, typ) in enumerate(params):
            if i >= args.named_child_count or not imports.is_type(g, typ, imports.SYNC, "WaitGroup", pointer=True):
                continue
            add = _self_counting_add(g, node, g.text(ident))
            if add is None:
                continue
            arg = args.named_children[i]
            key = syncfacts.key_text(f, arg)
            wait = _outer_wait_key(f, key, go)
            if wait is None:
                continue
            name = f.text(fn)
            related = [(wait, f"{key}.Wait() here can return before {name}'s Add has run")]
            if g is f:
                related.insert(0, (add, f"{name} calls {g.text(ident)}.Add here, inside the goroutine"))
            p.report(go, f"{name} calls Add on the WaitGroup it is handed, inside the goroutine this statement "
                         f"starts; {key}.Wait() can return before the goroutine has started",
                     fix=f"call {key}.Add before the go statement and remove the Add from {name}", related=related)


def _callee(p, fn):
    """The declaration a ``go`` statement's callee names: a package function, or a method whose
    name no other type of the package uses."""
    f = p.file
    if fn.type == "identifier":
        b = scope.resolve(f, fn)
        if b is not None and b.kind != "package":
            return None
        return syncfacts.top_funcs(p.package, f).get(f.text(fn))
    name = f.text(fn.child_by_field_name("field"))
    found = [m for (t, n), m in syncfacts.methods(p.package, f).items() if n == name]
    return (found[0].file, found[0].node) if len(found) == 1 else None


def _self_counting_add(g, node, param: str):
    """``param.Add(n)`` as a top-level statement of the body, with a top-level or deferred
    ``param.Done()`` and no goroutine started in the body."""
    body = node.child_by_field_name("body")
    top = scope.block_statements(body)
    if body is None or channels.go_statements_in(g, body):
        return None
    add = done = None
    for c in syncfacts.sync_calls(g, ("Add", "Done")):
        if c.key != param or c.func != node:
            continue
        if c.method == "Add" and c.nargs == 1 and _statement(c.call, top) is not None:
            arg = g.text(c.call.child_by_field_name("arguments"))[1:-1].strip()
            if not arg.startswith("-"):
                add = add or c.call
        elif c.method == "Done" and c.nargs == 0 and _statement(c.call, top, deferred=True) is not None:
            done = c.call
    return add if add is not None and done is not None else None


def _outer_wait_key(f, key, go):
    func = scope.enclosing_func(go)
    if func is None:
        return None
    for c in syncfacts.sync_calls(f, ("Wait",)):
        if c.key == key and c.nargs == 0 and c.func == func and not scope.within(c.call, go):
            return c.call
    return None


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
