"""GO401 response-body-not-closed: an HTTP response whose body nobody closes.

``resp, err := http.Get(u)`` (or ``client.Do(req)``, ``rt.RoundTrip(req)``...)
assigned to a local: if no ``resp.Body.Close()`` appears anywhere in the
function (deferred, in a closure, as a method value) and neither the response
nor its body is handed on (returned, stored, passed to a call other than a
reader such as ``io.ReadAll``), the connection behind it is never released.
A response assigned to ``_`` is lost at once.  Separately: ``defer
resp.Body.Close()`` placed before the error is checked dereferences a nil
response when the request fails.
"""

from __future__ import annotations

from golint_traefik.go import httpfacts, imports, scope
from golint_traefik.registry import go_rule

# Functions that read from the body (or wrap it) but never close it: passing resp.Body to them
# is not a hand-off.  Anything else that receives the body is assumed to take ownership.
_READERS = {
    "io": ("ReadAll", "Copy", "CopyN", "CopyBuffer", "ReadFull", "ReadAtLeast", "LimitReader", "TeeReader",
           "MultiReader", "NopCloser"),
    "io/ioutil": ("ReadAll", "NopCloser"),
    "encoding/json": ("NewDecoder",),
    "encoding/xml": ("NewDecoder",),
    "encoding/gob": ("NewDecoder",),
    "encoding/csv": ("NewReader",),
    "bufio": ("NewReader", "NewReaderSize", "NewScanner"),
    "compress/gzip": ("NewReader",),
    "compress/zlib": ("NewReader",),
    "compress/flate": ("NewReader",),
    "mime/multipart": ("NewReader",),
    "fmt": ("Fscan", "Fscanf", "Fscanln"),
}
_READER_METHODS = frozenset({"ReadFrom"})


@go_rule("GO401")
def check(p) -> None:
    f = p.file
    # In tests the connection lives as long as the test process: a note unless the user overrode the severity.
    quiet = p.note_if(f.is_test)
    for r in httpfacts.request_calls(p.package, f):
        if _head(f, r):  # a HEAD response has no body: the connection is released at once
            continue
        expr = scope.outer_paren(r.call)
        if expr.parent.type == "expression_statement":
            if f.is_test:  # tests discard the responses of fake transports and of requests meant to fail
                continue
            p.report(r.call, f"the response of {r.label} is discarded; its body can never be closed, so the"
                     " connection is never released", fix="keep the response and `defer resp.Body.Close()`")
            continue
        target = scope.assignment_target(f, r.call, 0)
        err = scope.assignment_target(f, r.call, 1)
        if target is None or err is None:  # returned or passed on as a pair
            continue
        target = scope.unparen(target)
        if target.type != "identifier":  # stored in a field, map or slice: its owner closes it
            continue
        if f.text(target) == "_":
            if f.is_test:
                continue
            p.report(target, f"the response of {r.label} is discarded; its body can never be closed, so the"
                     " connection is never released", fix="keep the response and `defer resp.Body.Close()`",
                     related=[(r.call, f"{r.label} is called here")])
            continue
        b = scope.resolve(f, target)
        if not scope.is_local(b) or b.kind != "var":
            continue
        closes, handed, looked = _fate(f, b)
        if handed or not looked:  # handed on, or only compared with nil (a request expected to fail)
            continue
        if not closes:
            p.report(target, f"the body of the response `{b.name}` from {r.label} is never closed and the response is"
                     " not handed on; its connection is never released for reuse",
                     fix=f"add `defer {b.name}.Body.Close()` once the error has been checked",
                     related=[(r.call, f"{r.label} is called here")], severity=quiet)
            continue
        early = _close_before_check(f, b, target, err)
        if early is not None:
            e = f.text(scope.unparen(err))
            p.report(early, f"`{b.name}.Body.Close` is deferred before `{e}` is checked; when {r.label} fails"
                     f" `{b.name}` is nil and the deferred call panics",
                     fix=f"move the defer after `if {e} != nil {{ ... }}`",
                     related=[(r.call, f"{r.label} is called here")])


def _fate(f, b: scope.Binding) -> tuple[bool, bool, bool]:
    """(the body is closed somewhere, the response or its body is handed to other code,
    the response is looked at: something other than a nil comparison)."""
    closes = looked = False
    for u in scope.uses(f, b):
        if u.kind in ("write", "blank"):
            continue
        if u.hands_off:
            return closes, True, True
        if u.kind == "other":
            if not _compared(u.node):
                return closes, True, True
            continue
        looked = True
        if u.kind == "method" and u.member == "Write":  # Response.Write closes the body after sending it
            closes = True
            continue
        if u.kind != "field" or u.member != "Body":
            continue
        body = scope.outer_paren(u.node.parent)
        bu = scope.use_of(f, body, b.func)
        if bu.kind in ("method", "field"):
            if bu.member == "Close":  # resp.Body.Close() or the method value resp.Body.Close
                closes = True
            continue
        if bu.kind == "arg":
            if not _reader(f, body):
                return closes, True, True
            continue
        if bu.kind == "other" and _compared(body):
            continue
        return closes, True, True  # returned, stored, assigned to, put in a literal: someone else owns it
    return closes, False, looked


def _head(f, r) -> bool:
    if r.method == "Head":
        return True
    if r.method not in ("Do", "RoundTrip"):
        return False
    args = r.call.child_by_field_name("arguments").named_children
    return bool(args) and httpfacts.request_method(f, args[-1]) == "HEAD"


def _compared(node) -> bool:
    par = scope.outer_paren(node).parent
    return par is not None and par.type == "binary_expression" and \
        any(not c.is_named and c.type in ("==", "!=") for c in par.children)


def _reader(f, arg) -> bool:
    """Whether the call ``arg`` is passed to only reads from it: io.ReadAll, json.NewDecoder, buf.ReadFrom..."""
    call = scope.outer_paren(arg).parent.parent
    fn = call.child_by_field_name("function")
    if fn is None:
        return False
    if fn.type == "selector_expression" and f.text(fn.child_by_field_name("field")) in _READER_METHODS:
        return True
    return any(httpfacts.is_pkg_selector(f, fn, (path,), names) for path, names in _READERS.items()
               if imports.imports_any(f, (path,)))


def _close_before_check(f, b: scope.Binding, target, err):
    """A ``defer resp.Body.Close()`` (or a deferred closure closing it) between the assignment
    and the first statement that reads the error variable."""
    err = scope.unparen(err)
    if err.type != "identifier" or f.text(err) == "_":
        return None
    stmt = scope.statement_of(target)
    if stmt is None:
        return None
    name = f.text(err).encode()
    body_uses = [u for u in scope.uses(f, b) if u.kind == "field" and u.member == "Body"]
    s = stmt.next_named_sibling
    while s is not None:
        if s.type == "comment":
            s = s.next_named_sibling
            continue
        if any(f.src[n.start_byte:n.end_byte] == name for n in _idents(f, s)):
            return None
        if s.type == "defer_statement" and any(scope.within(u.node, s) for u in body_uses):
            guarded = any(scope.within(u.node, s) and u.kind == "other" for u in scope.uses(f, b))
            return None if guarded else s  # `if resp != nil { resp.Body.Close() }` in a deferred closure
        if any(scope.within(u.node, s) for u in scope.uses(f, b)):  # resp is looked at (a nil check?) first
            return None
        s = s.next_named_sibling
    return None


def _idents(f, node):
    return f.captures("(identifier) @id", node).get("id", [])
