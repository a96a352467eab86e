"""GO404 httptest-server-not-closed: an httptest server that nobody closes.

``srv := httptest.NewServer(h)`` assigned to a local: if no ``srv.Close`` appears
anywhere in the function (called, deferred, in a closure, or as the method value
in ``t.Cleanup(srv.Close)``) and the server is never handed on (returned,
stored, passed, sent), its listener and serving goroutines outlive the test.
``httptest.NewServer(h).URL`` and a discarded server can never be closed at all.
"""

from __future__ import annotations

from golint_traefik.go import httpfacts, imports, scope
from golint_traefik.registry import go_rule

CONSTRUCTORS = ("NewServer", "NewTLSServer", "NewUnstartedServer")


@go_rule("GO404")
def check(p) -> None:
    f = p.file
    if not imports.imports_any(f, httpfacts.HTTPTEST):
        return
    for c in imports.calls(f, httpfacts.HTTPTEST, CONSTRUCTORS):
        what = f"httptest.{c.name}"
        fix = "keep the server and `defer srv.Close()` (or `t.Cleanup(srv.Close)`) right after creating it"
        expr = scope.outer_paren(c.call)
        par = expr.parent
        if par.type == "selector_expression" and par.child_by_field_name("operand") == expr:
            if f.text(par.child_by_field_name("field")) != "Close" and not _process_lifetime(f, c.call):
                p.report(par, f"the server from {what} is used once and dropped; it can never be closed, so its"
                         " listener and goroutines outlive the function", fix=fix)
            continue
        target = par if par.type == "expression_statement" else scope.assignment_target(f, c.call, 0)
        if target is None:  # returned, passed to a call, put in a literal: handed on
            continue
        target = scope.unparen(target)
        if par.type == "expression_statement" or target.type == "identifier" and f.text(target) == "_":
            if not _process_lifetime(f, c.call):
                p.report(c.call, f"the server from {what} is discarded; it can never be closed, so its listener and"
                         " goroutines outlive the function", fix=fix)
            continue
        if target.type != "identifier":  # stored in a field, map or slice: its owner closes it
            continue
        b = scope.resolve(f, target)
        if not scope.is_local(b) or b.kind != "var":
            continue
        uses = scope.uses(f, b)
        if any(u.member == "Close" for u in uses):  # srv.Close(), defer srv.Close(), t.Cleanup(srv.Close)
            continue
        if any(u.hands_off or u.kind == "other" for u in uses):  # returned, stored, passed: its new owner closes it
            continue
        if _process_lifetime(f, c.call) or any(_published(f, u.node) for u in uses):
            continue
        p.report(target, f"the test server `{b.name}` from {what} is never closed; its listener and serving"
                 " goroutines outlive the function",
                 fix=f"add `defer {b.name}.Close()` (or `t.Cleanup({b.name}.Close)`) after creating it",
                 related=[(c.call, f"{what} is called here")])


def _published(f, node) -> bool:
    """``serverAddr = srv.Listener.Addr().String()``: something of the server is stored in a package
    variable, so the server is meant to serve the whole test binary (usually set up once)."""
    stmt = scope.statement_of(node)
    if stmt is None or stmt.type != "assignment_statement":
        return False
    right, left = stmt.child_by_field_name("right"), stmt.child_by_field_name("left")
    if right is None or left is None or not scope.within(node, right):
        return False
    for target in left.named_children:
        target = scope.unparen(target)
        if target.type == "identifier" and f.text(target) != "_":
            b = scope.resolve(f, target)
            if b is None or b.kind == "package":
                return True
    return False


def _process_lifetime(f, node) -> bool:
    """The server lives as long as the process anyway: in ``main``, ``TestMain`` (which ends with
    ``os.Exit``) or a function that never returns."""
    func = scope.enclosing_func(node)
    while func is not None and func.type == "func_literal":
        func = scope.enclosing_func(func)
    if func is None:
        return True
    name = func.child_by_field_name("name")
    if func.type == "function_declaration" and name is not None and f.text(name) == "TestMain":
        return True
    inner = scope.enclosing_func(node)
    return scope.never_returns(f, inner) or scope.never_returns(f, func)
