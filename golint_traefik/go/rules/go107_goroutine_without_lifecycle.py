"""GO107 goroutine-without-lifecycle: a forever-goroutine started where nobody can ever stop it.

A goroutine that never ends (GO105's endless loop) and watches no context or
stop channel, started

* by ``init()`` of a library package (it runs in every program that imports
  the package, tests included);
* inside ``once.Do(func() {...})`` of a library package (a lazily started
  singleton worker);
* by a deferred function literal;
* by a constructor or middleware factory: a function returning
  ``http.Handler``, ``func(http.Handler) http.Handler``, or a struct type of
  the package that has no ``Close``, ``Stop``, ``Shutdown`` or ``Cancel``
  method.

The goroutine may be a literal or ``go f()`` / ``go x.m()`` of the package.
"""

from __future__ import annotations

import re

from golint_traefik.go import channels, decls, imports, scope
from golint_traefik.registry import go_rule

_HANDLE = re.compile(r"(?i)^(ctx|\w*context|stop|done|quit|clos|shutdown|exit|die|cancel|term|finish|halt)")
_NAMES_Q = "[(identifier) (field_identifier)] @n"
_LIFECYCLE = ("Close", "Stop", "Shutdown", "Cancel", "Terminate", "Done")
NET_HTTP = ("net/http",)


@go_rule("GO107")
def check(p) -> None:
    f = p.file
    if not f.has(b"for") or not f.has(b"go "):  # `for` is the cheaper scan
        return
    library = f.package_name != "main"
    for go, call, fn in channels.go_calls(f):
        starter = _declaration(go)
        if starter is None:
            continue
        where = _context(p, f, go, starter, library)
        if where is None:
            continue
        body_file, body = _body(p, f, fn)
        if body is None or not _forever(body_file, body) or _watches(body_file, body):
            continue
        if fn.type != "func_literal" and _watches(f, call):
            continue  # a stop handle is passed to it
        p.report(go, f"goroutine that never ends and watches no context or stop channel, started {where}: "
                     "nothing can ever stop it",
                 fix="give it a way to stop -- a context or a done channel it selects on, closed by a "
                     "Close/Stop method of its owner -- or start it from main")


def _context(p, f, go, starter, library) -> str | None:
    """Why the goroutine has no owner to stop it, or None when it may have one."""
    how, _ = channels.runner(go, starter)
    lit = next(iter(scope.closures_between(go, starter)), None)  # the innermost
    if lit is not None and channels.launch(lit) == "defer":
        return "by a deferred function"
    if lit is not None and library and _once_do(f, lit):
        return "inside sync.Once.Do (a lazily started singleton)"
    if lit is not None and channels.launch(lit) == "go":
        return None  # started by another goroutine: its owner is that goroutine's business
    if how != "self" or lit is not None and channels.launch(lit) != "call":
        return None
    if lit is not None:
        return None
    if starter.type != "function_declaration" and starter.type != "method_declaration":
        return None
    name = f.text(starter.child_by_field_name("name"))
    if starter.type == "function_declaration" and name == "init":
        return "by init() of a library package" if library else None
    if scope.never_returns(f, starter):
        return None
    result = starter.child_by_field_name("result")
    if result is None:
        return None
    if _is_handler(f, result) or _is_middleware(f, result):
        return f"by `{name}`, which builds an HTTP handler (one more goroutine every time it is called)"
    tname = _struct_result(f, result)
    if tname is not None and not _has_lifecycle(p, f, tname) and not _singleton(p, f, starter, name):
        return f"by `{name}`, which returns a `{tname}` that has no Close or Stop method"
    return None


_CALL_Q = "(call_expression function: (identifier) @fn) @call"


def _singleton(p, f, func, name) -> bool:
    """Every call of the constructor in the package initialises a package-level variable: one instance
    that lives as long as the process."""
    if func.type != "function_declaration":
        return False
    files = p.package.same_package(f) if p.package is not None else [f]
    calls = []
    needle = name.encode() + b"("
    for g in files:
        if needle not in g.src:
            continue
        calls += [c["call"][0] for c in g.matches(_CALL_Q) if g.text(c["fn"][0]) == name]
    return bool(calls) and all(scope.enclosing_func(c) is None for c in calls)


def _watches(g, node) -> bool:
    """``node`` mentions something that looks like a way to stop: ctx, a context, stop/done/quit/closing..."""
    return any(_HANDLE.match(g.text(n)) for n in g.captures(_NAMES_Q, node).get("n", []))


def _declaration(node):
    """The function or method declaration around ``node`` (crossing function literals)."""
    n = node.parent
    while n is not None and n.type not in ("function_declaration", "method_declaration"):
        n = n.parent
    return n


def _once_do(f, lit) -> bool:
    call = scope.outer_paren(lit).parent
    call = call.parent if call is not None and call.type == "argument_list" else None
    if call is None or call.type != "call_expression":
        return False
    fn = call.child_by_field_name("function")
    return fn is not None and fn.type == "selector_expression" and f.text(fn.child_by_field_name("field")) == "Do"


def _body(p, f, fn):
    if fn.type == "func_literal":
        return f, fn
    target = decls.callee(p.package, f, fn)
    return target if target is not None else (None, None)


def _forever(g, func) -> bool:
    def endless(clause) -> bool:
        right = clause.child_by_field_name("right")
        return right is not None and right.type == "selector_expression" \
            and g.text(right.child_by_field_name("field")) == "C"
    return scope.never_returns(g, func, endless) and not channels.calls_fatal(g, scope.body(func))


def _is_handler(f, result) -> bool:
    t = _single(result)
    return t is not None and imports.is_type(f, t, NET_HTTP, "Handler") or \
        t is not None and imports.is_type(f, t, NET_HTTP, "HandlerFunc")


def _is_middleware(f, result) -> bool:
    t = _single(result)
    if t is None or t.type != "function_type":
        return False
    params, res = t.child_by_field_name("parameters"), t.child_by_field_name("result")
    ps = [c for c in params.named_children if c.type == "parameter_declaration"] if params is not None else []
    return len(ps) == 1 and imports.is_type(f, ps[0].child_by_field_name("type"), NET_HTTP, "Handler") \
        and res is not None and _is_handler(f, res)


def _single(result):
    if result.type == "parameter_list":
        decls_ = [c for c in result.named_children if c.type == "parameter_declaration"]
        return decls_[0].child_by_field_name("type") if len(decls_) == 1 else None
    return result


def _struct_result(f, result) -> str | None:
    """The package type T of a result ``*T`` / ``T`` (first result), when T is a struct of the file's package."""
    t = result
    if t.type == "parameter_list":
        first = next((c for c in t.named_children if c.type == "parameter_declaration"), None)
        t = first.child_by_field_name("type") if first is not None else None
    if t is not None and t.type == "pointer_type":
        t = t.named_children[0] if t.named_child_count else None
    if t is None or t.type != "type_identifier":
        return None
    return f.text(t)


_METHOD = re.compile(rb"func[ \t]*\([^)]*?(\w+)(?:\[[^\]]*\])?[ \t]*\)[ \t]*(\w+)[ \t]*[\[(]")
_STRUCT = re.compile(rb"struct[ \t]*\{")
_TYPE_NAME = re.compile(rb"(\w+)(?:\[[^\]]*\])?[ \t]+$")


def _has_lifecycle(p, f, tname) -> bool:
    """``T`` has a Close/Stop/... method somewhere in the package, or is not a struct declared in it."""
    methods, structs = _type_index(p, f)
    return any(m in _LIFECYCLE for m in methods.get(tname, ())) or tname not in structs


def _type_index(p, f):
    """(receiver type -> method names, struct type names) of the package, from the source text."""
    files = p.package.same_package(f) if p.package is not None else [f]
    memo = p.package.memo if p.package is not None else {}
    key = ("GO107.types", f.package_name)
    if key not in memo:
        methods: dict[str, set[str]] = {}
        structs: set[str] = set()
        for g in files:
            for m in _METHOD.finditer(g.src):
                methods.setdefault(m.group(1).decode(), set()).add(m.group(2).decode())
            for m in _STRUCT.finditer(g.src):
                line_start = g.src.rfind(b"\n", 0, m.start()) + 1
                t = _TYPE_NAME.search(g.src, line_start, m.start())
                if t is not None:
                    structs.add(t.group(1).decode())
        memo[key] = (methods, structs)
    return memo[key]
