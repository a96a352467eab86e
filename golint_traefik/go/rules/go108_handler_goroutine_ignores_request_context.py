"""GO108 handler-goroutine-ignores-request-context: a per-request goroutine that blocks without the request's context.

``func(w http.ResponseWriter, r *http.Request) { go func() { results <- slowCall() }() }``:
every request starts a goroutine that waits on a channel or on network
I/O, and never sees ``r.Context()``.  When the client goes away (or the
handler has returned) nothing tells the goroutine to stop: it keeps the
connection, the request's data and itself alive until the operation ends
on its own -- or forever, when nobody takes its value any more.

The goroutine must not mention the request ``r`` nor any context
(``ctx``, ``reqCtx``...), and must block: a plain channel send or receive
(not a ``select`` case), a range over a channel, or a call that does
network I/O (``http.Get``/``Post``/``Head``, ``client.Do``, ``net.Dial*``,
``io.Copy``, ``io.ReadAll``).
"""

from __future__ import annotations

import re

from golint_traefik.go import channels, decls, imports, scope
from golint_traefik.registry import go_rule

NET_HTTP = ("net/http",)
_NAMES_Q = "[(identifier) (field_identifier)] @n"
_CONTEXT = re.compile(r"(?i)ctx|context|cancel")
_IO = {"Get", "Post", "PostForm", "Head", "Do", "Dial", "DialContext", "DialTimeout", "Copy", "CopyN", "ReadAll",
       "ReadFull"}
_IO_PKGS = ("net/http", "net", "io", "io/ioutil")


@go_rule("GO108")
def check(p) -> None:
    f = p.file
    if not f.has(b"go ") or not f.has(b"http") or not imports.imports_any(f, NET_HTTP):
        return
    for go, call, fn in channels.go_calls(f):
        handler = scope.enclosing_func(go)
        if handler is None:
            continue
        req = _request_param(f, handler)
        if req is None or _hijacks(f, handler):
            continue  # a hijacked connection lives on its own terms
        body_file, body = _body(p, f, fn)
        if body is None:
            continue
        if _mentions_request(f, go, req) or _mentions_context(body_file, body):
            continue
        op = _blocking(body_file, body)
        if op is None or _awaited(f, handler, go, body_file, body):
            continue
        what, node = op
        p.report(go, f"per-request goroutine {what} without the request's context: when the client goes away "
                     f"nothing stops it",
                 fix="derive the goroutine's work from r.Context() (pass ctx and select on ctx.Done() around "
                     "channel operations, use http.NewRequestWithContext), or detach it on purpose with "
                     "context.WithoutCancel and a timeout",
                 related=[(body_file.span(node), "it blocks here"),
                          (req.ident, f"`{req.name}` carries the request's context")])


def _hijacks(f, handler) -> bool:
    return b".Hijack()" in f.src[handler.start_byte:handler.end_byte]


def _awaited(f, handler, go, g, body) -> bool:
    """The handler waits for the goroutine before it returns: ``wg.Wait()`` after the go statement, or a
    receive from a local channel the goroutine sends on or closes."""
    text = f.src[go.end_byte:handler.end_byte]
    if b".Wait()" in text:
        return True
    if g is not f:
        return False
    for ch in channels.local_channels(f):
        if ch.func != handler:
            continue
        inside = [op for op in ch.ops if scope.within(op.node, go) and op.kind in ("send", "close")]
        if inside and any(op.kind in ("recv", "range") and op.runner == "self" for op in ch.ops):
            return True
        if inside and ch.capacity not in (None, 0):
            return True  # a buffered result channel: the send does not block
    return False


def _request_param(f, func) -> scope.Binding | None:
    """The ``*http.Request`` parameter of a handler ``func(w http.ResponseWriter, r *http.Request)``."""
    plist = func.child_by_field_name("parameters")
    params = [d for d in plist.named_children if d.type == "parameter_declaration"] if plist is not None else []
    writer = req = None
    for d in params:
        typ = d.child_by_field_name("type")
        names = d.children_by_field_name("name")
        if imports.is_type(f, typ, NET_HTTP, "ResponseWriter"):
            writer = True
        elif imports.is_type(f, typ, NET_HTTP, "Request", pointer=True) and names:
            req = scope.resolve(f, names[-1])
    return req if writer else None


def _body(p, f, fn):
    if fn.type == "func_literal":
        return f, fn
    target = decls.callee(p.package, f, fn)
    return target if target is not None else (None, None)


def _mentions_request(f, go, req) -> bool:
    return any(scope.within(u.node, go) for u in scope.uses(f, req))


def _mentions_context(g, body) -> bool:
    return any(_CONTEXT.search(g.text(n)) for n in g.captures(_NAMES_Q, body).get("n", []))


def _blocking(g, body):
    """(what, node) for the first operation of the goroutine that may block."""
    for n in scope.walk(scope.body(body) or body):
        t = n.type
        if t == "send_statement" and channels.select_of(n) is None:
            return f"sends on `{g.text(n.child_by_field_name('channel'))}`", n
        if t == "unary_expression" and g.text(n).startswith("<-") and channels.select_of(n) is None:
            return f"receives from `{g.text(n.child_by_field_name('operand'))}`", n
        if t == "range_clause":
            right = n.child_by_field_name("right")
            if right is not None and right.type == "unary_expression":
                continue
        if t == "call_expression":
            fn = n.child_by_field_name("function")
            if fn is not None and fn.type == "selector_expression":
                name = g.text(fn.child_by_field_name("field"))
                operand = fn.child_by_field_name("operand")
                if name in _IO and (name == "Do" or operand.type == "identifier"
                                    and imports.package_of(g, operand, _IO_PKGS) is not None):
                    return f"calls `{g.text(fn)}`", n
    return None
