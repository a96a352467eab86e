"""GO105 endless-goroutine: a goroutine that can never end, started by a function given a way to stop it.

``func (s *S) Run(ctx context.Context) { go func() { for { s.poll() } }() }``:
the function was handed a context (or a stop/done/quit channel), but the
goroutine it starts runs an endless loop -- ``for {}``, ``for { select {...} }``,
``for range ticker.C`` -- with no return, break or goto out of it, and never
looks at that context or channel.  Every call leaves one more goroutine
behind that nothing can stop.

Forever-goroutines are normal in ``main``, ``init`` and daemons; the rule
only reports when the starting function returns and takes a cancellation
handle the goroutine ignores.  Goroutines started as ``go f(...)`` or
``go s.m(...)`` are followed into functions of the package.
"""

from __future__ import annotations

import re

from golint_traefik.go import channels, decls, imports, scope
from golint_traefik.registry import go_rule

_STOP_NAME = re.compile(r"(?i)stop|done|quit|exit|clos|shutdown|die|cancel|term|finish|halt")


@go_rule("GO105")
def check(p) -> None:
    f = p.file
    if not f.has(b"go "):
        return
    calls = channels.go_calls(f)  # most files with the word start no goroutine: `for` is looked for after
    if not calls or not f.has(b"for"):
        return
    handles_of: dict = {}  # a function starts several goroutines: its parameters are read once
    for go, call, fn in calls:
        starter = scope.enclosing_func(go)
        if starter is None:
            continue
        handles = handles_of.get(starter.id)
        if handles is None:
            handles = handles_of[starter.id] = _handles(f, starter)
        if not handles:
            continue
        body_file, body = _goroutine_body(p, f, fn)
        if body is None or not _never_ends(body_file, body):
            continue
        if scope.never_returns(f, starter, _over_time_channel(f)) or _is_main_or_init(f, starter):
            continue
        ignored = [b for b in handles if not _mentions(f, go, b)]
        if len(ignored) != len(handles):
            continue  # the goroutine gets the handle: it may stop on it (GO106 looks at how)
        names = " or ".join(f"`{b.name}`" for b in handles)
        loop = _endless_loop(body_file, body)
        where = f" (line {loop.start_point[0] + 1})" if loop is not None and body_file is f else ""
        p.report(go, f"this goroutine loops forever{where} and ignores {names}: it outlives every call of "
                     f"`{_func_name(f, starter)}` that starts it",
                 fix=f"pass {names} to the goroutine and return from the loop when it is done "
                     "(`case <-ctx.Done(): return`)",
                 related=[(handles[0].ident, f"`{handles[0].name}` is the caller's way to stop it")])


def _handles(f, func) -> list[scope.Binding]:
    """The parameters of ``func`` that signal cancellation: a context.Context, or a channel named
    like stop/done/quit/closing."""
    out = []
    plist = func.child_by_field_name("parameters")
    for decl in plist.named_children if plist is not None else []:
        if decl.type != "parameter_declaration":
            continue
        typ = decl.child_by_field_name("type")
        for name in decl.children_by_field_name("name"):
            text = f.text(name)
            if text == "_":
                continue
            if imports.is_type(f, typ, imports.CONTEXT, "Context") or \
                    typ is not None and typ.type == "channel_type" and _STOP_NAME.search(text):
                b = scope.resolve(f, name)
                if b is not None:
                    out.append(b)
    return out


def _goroutine_body(p, f, fn):
    """(file, function node) the goroutine runs: the literal, or the package function/method it calls."""
    if fn.type == "func_literal":
        return f, fn
    target = decls.callee(p.package, f, fn)
    return target if target is not None else (None, None)


def _over_time_channel(f):
    def endless(clause) -> bool:
        right = clause.child_by_field_name("right")
        return right is not None and right.type == "selector_expression" \
            and f.text(right.child_by_field_name("field")) == "C"
    return endless


def _never_ends(g, func) -> bool:
    return scope.never_returns(g, func, _over_time_channel(g)) and not channels.calls_fatal(g, scope.body(func))


def _endless_loop(g, func):
    for stmt in scope.block_statements(scope.body(func)):
        if scope.endless_loop(g, stmt, _over_time_channel(g)):
            return stmt
    return None


def _mentions(f, go, b) -> bool:
    return any(scope.within(u.node, go) for u in scope.uses(f, b))


def _is_main_or_init(f, func) -> bool:
    if func.type != "function_declaration":
        return False
    name = f.text(func.child_by_field_name("name"))
    return name == "init" or name == "main" and f.package_name == "main"


def _func_name(f, func) -> str:
    name = func.child_by_field_name("name")
    return f.text(name) if name is not None else "the function literal"
