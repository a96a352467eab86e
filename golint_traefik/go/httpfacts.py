"""Facts about Go HTTP code, from syntax alone: requests made, servers started, routes registered.

The GO4xx rules and the Go/Traefik cross-checks ask the same questions:

* which calls send an HTTP request and hand back a ``*http.Response``
  (:func:`request_calls`), and whether an expression is an ``*http.Client``
  (:func:`is_client`);
* which servers a file starts, on which address, with which handler and
  which timeouts (:func:`servers`, :func:`address`, :func:`is_loopback`,
  :func:`is_public`);
* which routes it registers on which mux (:func:`routes`);
* the keyed fields of a struct literal such as ``tls.Config{...}`` together
  with later ``x.Field = v`` assignments to the variable holding it
  (:func:`struct_literals`, :func:`literal_fields`, :func:`owner`,
  :func:`assigned_fields`), and the settings of one ``tls.Config`` field
  wherever they are made (:func:`tls_settings`).

Results are memoised on the file (``file.memo``).  Everything is syntax: a
package-level ``http.ListenAndServe`` is known by its import, a client by
its declared type or its initialiser, a mux by ``http.NewServeMux()``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterator, NamedTuple

from golint_traefik.go import decls, imports, scope
from golint_traefik.go.source import GoFile, GoPackage, Node

HTTP = ("net/http",)
HTTPTEST = ("net/http/httptest",)
TLS = ("crypto/tls",)
SIGNAL = ("os/signal",)
CTXHTTP = ("golang.org/x/net/context/ctxhttp",)

# Package-level net/http functions that start a server with no way to set a timeout.
SERVE_FUNCS = ("ListenAndServe", "ListenAndServeTLS", "Serve", "ServeTLS")


# ----------------------------------------------------------- requests


class RequestCall(NamedTuple):
    """A call that sends a request and returns ``(*http.Response, error)``.

    ``label`` is how the message names it (``http.Get``, ``client.Do``);
    ``method`` the function or method name (``Get``, ``Do``, ``RoundTrip``).
    """

    call: Node
    label: str
    method: str


# name -> number of arguments, for package functions and client methods that return a response.
_PKG_REQUESTS = {"Get": 1, "Post": 3, "PostForm": 2, "Head": 1}
_CTXHTTP_REQUESTS = {"Do": 3, "Get": 3, "Post": 5, "PostForm": 4, "Head": 3}
_CLIENT_METHODS = {"Do": 1, "Get": 1, "Post": 3, "PostForm": 2, "Head": 1}
_REQUEST_METHODS = frozenset({*_CLIENT_METHODS, "RoundTrip"})
_NEW_REQUEST = ("NewRequest", "NewRequestWithContext")


def _nargs(call: Node) -> int:
    args = call.child_by_field_name("arguments")
    return args.named_child_count if args is not None else 0


def is_pkg_selector(file: GoFile, expr: Node, paths, names) -> bool:
    """Whether ``expr`` is ``pkg.Name`` for one of ``names`` of the package ``paths`` (or a dot-imported ``Name``)."""
    expr = scope.unparen(expr)
    if expr.type == "selector_expression":
        operand, fld = expr.child_by_field_name("operand"), expr.child_by_field_name("field")
        return operand is not None and operand.type == "identifier" and file.text(fld) in names \
            and imports.package_of(file, operand, paths) is not None
    if expr.type == "identifier" and file.text(expr) in names:
        return imports.dot_imported(file, paths) is not None and scope.resolve(file, expr) is None
    return False


def is_client(package: GoPackage | None, file: GoFile, expr: Node) -> bool | None:
    """Whether ``expr`` is an ``http.Client``: ``http.DefaultClient``, or declared/constructed as one.
    None when the declaration says nothing."""
    if is_pkg_selector(file, expr, HTTP, ("DefaultClient",)):
        return True
    return decls.has_type(package, file, expr, HTTP, "Client")


def is_request(file: GoFile, expr: Node) -> bool:
    """Whether ``expr`` is an ``*http.Request``: ``http.NewRequest(...)``, a local assigned from one
    or declared as ``*http.Request``, or ``r.WithContext(ctx)`` / ``r.Clone(ctx)`` of such a request."""
    return _request_origin(file, expr) is not None


def request_method(file: GoFile, expr: Node) -> str | None:
    """The HTTP method of a request made with ``http.NewRequest(method, ...)`` in this file, when it
    is a constant (``"HEAD"``, ``http.MethodHead``); None when unknown."""
    origin = _request_origin(file, expr)
    if origin is None or origin.type != "call_expression":
        return None
    args = origin.child_by_field_name("arguments").named_children
    name = file.text(origin.child_by_field_name("function")).rsplit(".", 1)[-1]
    method = args[1 if name == "NewRequestWithContext" else 0] if len(args) >= 3 else None
    if method is None:
        return None
    const = constant_string(file, method)
    if const is not None:
        return const.upper()
    method = scope.unparen(method)
    if method.type == "selector_expression":
        fld = file.text(method.child_by_field_name("field"))
        if fld.startswith("Method") and is_pkg_selector(file, method, HTTP, (fld,)):
            return fld[len("Method"):].upper()
    return None


def _request_origin(file: GoFile, expr: Node) -> Node | None:
    """The ``http.NewRequest*`` call (or the ``*http.Request`` declaration) an expression comes from."""
    expr = scope.unparen(expr)
    for _ in range(6):
        if expr.type == "call_expression":
            fn = expr.child_by_field_name("function")
            if is_pkg_selector(file, fn, HTTP, _NEW_REQUEST):
                return expr
            if fn.type == "selector_expression" \
                    and file.text(fn.child_by_field_name("field")) in ("WithContext", "Clone"):
                expr = scope.unparen(fn.child_by_field_name("operand"))
                continue
            return None
        if expr.type != "identifier":
            return None
        b = scope.resolve(file, expr)
        if b is None:
            return None
        if b.type is not None:
            return b.type if imports.is_type(file, b.type, HTTP, "Request", pointer=True) else None
        if b.value is not None:
            expr = scope.unparen(b.value)
            continue
        if b.decl.type != "short_var_declaration":  # req, err := http.NewRequest(...)
            return None
        right = b.decl.child_by_field_name("right")
        if right is None or right.named_child_count != 1:
            return None
        expr = scope.unparen(right.named_children[0])
    return None


def request_calls(package: GoPackage | None, file: GoFile) -> list[RequestCall]:
    """Calls that return an ``*http.Response`` the caller must close: ``http.Get/Post/PostForm/Head``,
    ``ctxhttp.Do/Get/...``, ``c.Do/Get/Post/PostForm/Head`` on an ``http.Client`` (or ``Do`` on
    anything when the request was made with ``http.NewRequest``), and ``rt.RoundTrip(req)``."""

    def build() -> list[RequestCall]:
        out: list[RequestCall] = []
        if not file.has(b"net/http"):
            return out
        for c in imports.calls(file, HTTP, _PKG_REQUESTS):
            if _nargs(c.call) == _PKG_REQUESTS[c.name]:
                out.append(RequestCall(c.call, c.qualified, c.name))
        if file.has(b"ctxhttp"):
            for c in imports.calls(file, CTXHTTP, _CTXHTTP_REQUESTS):
                if _nargs(c.call) == _CTXHTTP_REQUESTS[c.name]:
                    out.append(RequestCall(c.call, c.qualified, c.name))
        seen = {r.call.id for r in out}
        # is_client needs net/http's Client spelt in a declaration of the package, is_request its NewRequest
        # or Request in this file: without those imports only RoundTrip calls send requests (as in the
        # net/http package itself, whose files mention its path in comments).
        clients = package_imports(package, file, HTTP)
        requests = imports.imports_any(file, HTTP)
        for call, recv, name in file.selector_calls(_REQUEST_METHODS if clients or requests else ("RoundTrip",)):
            method = file.text(name)
            arglist = call.child_by_field_name("arguments")
            if call.id in seen or arglist is None or arglist.type != "argument_list":
                continue
            args = arglist.named_children
            if method == "RoundTrip":
                if len(args) == 1:
                    out.append(RequestCall(call, f"{_short(file, recv)}.RoundTrip", method))
                continue
            if len(args) != _CLIENT_METHODS[method]:
                continue
            client = clients and is_client(package, file, recv)
            if client or method == "Do" and requests and is_request(file, args[0]):
                out.append(RequestCall(call, f"{_short(file, recv)}.{method}", method))
        out.sort(key=lambda r: r.call.start_byte)
        return out

    return file.memo_get("httpfacts.requests", build)


def _short(file: GoFile, expr: Node) -> str:
    text = file.text(expr)
    return text if len(text) <= 30 and "\n" not in text else "client"


# ------------------------------------------------------------ literals


class StructLiteral(NamedTuple):
    """A ``pkg.T{...}`` composite literal (``node``), possibly behind ``&`` (``expr`` is the outer expression)."""

    node: Node
    expr: Node
    fields: dict[str, Node]  # key -> value, for keyed elements


def _literals_named(file: GoFile, name: str) -> list[tuple[Node, Node]]:
    """(literal, type) of the composite literals ``name{...}`` and ``pkg.name{...}`` of the file, in source
    order: the type name's occurrences in the text, checked on the tree (no walk of the whole tree)."""
    out = []
    for n in file.spelt(name.encode(), "type_identifier"):
        typ = n.parent if n.parent is not None and n.parent.type == "qualified_type" else n
        lit = typ.parent
        if lit is not None and lit.type == "composite_literal" and lit.child_by_field_name("type") == typ:
            out.append((lit, typ))
    out.sort(key=lambda c: (c[0].start_byte, -c[0].end_byte))
    return out


def struct_literals(file: GoFile, paths, name: str) -> list[StructLiteral]:
    """Every ``pkg.name{...}`` / ``&pkg.name{...}`` literal of the file, in source order."""

    def build() -> list[StructLiteral]:
        if not file.has(name.encode()) or not imports.imports_any(file, paths):
            return []
        out = []
        for lit, typ in _literals_named(file, name):
            if not imports.is_type(file, typ, paths, name, pointer=False):
                continue
            expr = lit
            par = scope.outer_paren(lit).parent
            if par is not None and par.type == "unary_expression" and file.text(par).startswith("&"):
                expr = par
            out.append(StructLiteral(lit, scope.outer_paren(expr), literal_fields(file, lit)))
        return out

    return file.memo_get(("httpfacts.literals", tuple(paths), name), build)


def literal_fields(file: GoFile, lit: Node) -> dict[str, Node]:
    """The keyed fields of a composite literal: name -> value expression."""
    out: dict[str, Node] = {}
    body = lit.child_by_field_name("body")
    if body is None:
        return out
    for el in body.named_children:
        if el.type != "keyed_element":
            continue
        key, value = el.child_by_field_name("key"), el.child_by_field_name("value")
        if key is None or value is None:
            continue
        k = key.named_children[0] if key.type == "literal_element" and key.named_child_count else key
        v = value.named_children[0] if value.type == "literal_element" and value.named_child_count else value
        if k.type in ("identifier", "field_identifier"):
            out[file.text(k)] = v
    return out


def owner(file: GoFile, expr: Node) -> scope.Binding | None:
    """The variable a value is assigned to when it is created: ``x := expr``, ``var x = expr``,
    ``x = expr`` (one value per name).  None when it is a field, returned, passed, etc."""
    n = scope.outer_paren(expr)
    right = n.parent
    if right is None:
        return None
    if right.type == "expression_list":
        stmt = right.parent
        vals = right.named_children
    else:
        stmt, vals = right, [n]
    if stmt is None or stmt.type not in ("short_var_declaration", "assignment_statement", "var_spec"):
        return None
    if stmt.type == "var_spec":
        targets = stmt.children_by_field_name("name")
        value = stmt.child_by_field_name("value")
        if value is None or not scope.within(n, value):
            return None
    else:
        if stmt.child_by_field_name("right") is None or not scope.within(n, stmt.child_by_field_name("right")):
            return None
        left = stmt.child_by_field_name("left")
        targets = list(left.named_children) if left is not None else []
    if len(targets) != len(vals) or n not in vals:
        return None
    target = scope.unparen(targets[vals.index(n)])
    if target.type != "identifier":
        return None
    return scope.resolve(file, target)


def assigned_fields(file: GoFile, b: scope.Binding) -> dict[str, Node]:
    """``x.Field = value`` assignments to the variable ``b``: field -> the assignment statement."""
    out: dict[str, Node] = {}
    for u in scope.uses(file, b):
        if u.kind != "field":
            continue
        sel = scope.outer_paren(u.node.parent)
        lst = sel.parent
        if lst is None or lst.type != "expression_list":
            continue
        stmt = lst.parent
        if stmt is not None and stmt.type == "assignment_statement" and stmt.child_by_field_name("left") == lst:
            out.setdefault(u.member, stmt)
    return out


# ------------------------------------------------------------- servers


@dataclass(frozen=True)
class Server:
    """An HTTP server the file configures or starts.

    ``kind`` is ``"func"`` for the package-level ``http.ListenAndServe(addr, h)`` family
    (``node`` is the call) or ``"literal"`` for an ``http.Server{...}`` literal (``node`` is the
    literal).  ``addr`` and ``handler`` are the expressions given (None when absent: for a
    literal, the zero value; ``handler`` None or ``nil`` means ``http.DefaultServeMux``).
    ``fields`` are the literal's keyed fields plus later ``srv.Field = v`` assignments
    (value: the assigned expression or the assignment statement).  ``var`` is the variable
    holding a literal, when there is one.
    """

    node: Node
    kind: str
    name: str  # ListenAndServe, ListenAndServeTLS, Serve, ServeTLS, or "Server"
    addr: Node | None
    handler: Node | None
    fields: dict[str, Node] = field(default_factory=dict)
    var: scope.Binding | None = None

    def uses_default_mux(self, file: GoFile) -> bool:
        h = self.handler
        if h is None:
            return True
        h = scope.unparen(h)
        return file.text(h) == "nil" or is_pkg_selector(file, h, HTTP, ("DefaultServeMux",))


def servers(file: GoFile) -> list[Server]:
    """The servers of the file: package-level serve calls and ``http.Server`` literals."""

    def build() -> list[Server]:
        out: list[Server] = []
        for c in imports.calls(file, HTTP, SERVE_FUNCS):
            args = c.call.child_by_field_name("arguments").named_children
            want = 4 if c.name == "ListenAndServeTLS" or c.name == "ServeTLS" else 2
            if len(args) != want:
                continue
            addr = args[0] if c.name.startswith("ListenAndServe") else None
            out.append(Server(c.call, "func", c.name, addr, args[-1]))
        for lit in struct_literals(file, HTTP, "Server"):
            fields = dict(lit.fields)
            var = owner(file, lit.expr)
            if var is not None and scope.is_local(var) and var.kind == "var":
                for k, stmt in assigned_fields(file, var).items():
                    fields.setdefault(k, stmt)
            out.append(Server(lit.node, "literal", "Server", fields.get("Addr"), fields.get("Handler"), fields, var))
        out.sort(key=lambda s: s.node.start_byte)
        return out

    return file.memo_get("httpfacts.servers", build)


_SPRINTF_HOST = re.compile(r"^([^%]*):%")


def constant_string(file: GoFile, expr: Node | None, depth: int = 0) -> str | None:
    """The value of a string constant: a string literal, or a ``const``/variable of this file
    initialised with one (and never assigned again).  None when unknown."""
    if expr is None or depth > 3:
        return None
    expr = scope.unparen(expr)
    if expr.type in ("interpreted_string_literal", "raw_string_literal"):
        text = file.text(expr)
        return text[1:-1] if "\\" not in text else None
    if expr.type == "identifier":
        b = scope.resolve(file, expr)
        if b is None or b.value is None or b.kind not in ("var", "const", "package"):
            return None
        if b.kind != "const" and b.decl.type != "const_spec" and _reassigned(file, b):
            return None
        return constant_string(file, b.value, depth + 1)
    return None


def address(file: GoFile, expr: Node | None, depth: int = 0) -> str | None:
    """The listen address an expression stands for, when its host is a constant: a
    :func:`constant_string`, ``fmt.Sprintf("host:%d", ...)`` or ``"host:" + port`` (the port is then
    ``*``).  None when unknown."""
    if expr is None or depth > 3:
        return None
    const = constant_string(file, expr)
    if const is not None:
        return const
    expr = scope.unparen(expr)
    if expr.type == "identifier":  # a variable initialised with one of the shapes below
        b = scope.resolve(file, expr)
        if b is not None and b.value is not None and b.kind in ("var", "package") and not _reassigned(file, b):
            return address(file, b.value, depth + 1)
        return None
    if expr.type == "call_expression":
        fn = expr.child_by_field_name("function")
        args = expr.child_by_field_name("arguments").named_children
        if is_pkg_selector(file, fn, ("fmt",), ("Sprintf",)) and args:
            fmt_ = constant_string(file, args[0])
            m = _SPRINTF_HOST.match(fmt_) if fmt_ is not None else None
            if m and "%" not in m.group(1):
                return m.group(1) + ":*"
        return None
    if expr.type == "binary_expression" and expr.named_child_count == 2:  # "host:" + port
        left = constant_string(file, expr.named_children[0])
        if left is not None and left.endswith(":"):
            return left + "*"
    return None


def _reassigned(file: GoFile, b: scope.Binding) -> bool:
    return any(u.kind == "write" or u.kind == "addr" for u in scope.uses(file, b))


_LOOPBACK_HOSTS = frozenset({"localhost", "ip6-localhost", "::1", "[::1]"})


def host_of(addr: str) -> str:
    """The host part of ``host:port`` (``""`` for ``:8080``)."""
    if addr.startswith("["):
        end = addr.find("]")
        return addr[: end + 1] if end >= 0 else addr
    return addr.rsplit(":", 1)[0] if ":" in addr else addr


def is_loopback(addr: str) -> bool:
    """Whether a listen address only accepts local connections (``localhost:``, ``127.x``, ``[::1]``)."""
    host = host_of(addr).lower()
    return host in _LOOPBACK_HOSTS or host.startswith("127.") or host.endswith(".localhost")


def is_public(addr: str) -> bool:
    """Whether a listen address accepts connections on every interface: ``:port``, ``0.0.0.0:``, ``[::]:``,
    or the empty address (``:http``)."""
    host = host_of(addr)
    return host in ("", "0.0.0.0", "[::]", "::")


# -------------------------------------------------------------- routes


class Route(NamedTuple):
    """A handler registration: ``mux.Handle(pattern, h)`` / ``HandleFunc``.

    ``mux`` is None for the package-level ``http.Handle``/``http.HandleFunc`` (the default mux);
    ``pattern`` the literal pattern when it is a constant.
    """

    call: Node
    mux: Node | None
    pattern: str | None
    handler: Node


_ROUTE_Q = """
(call_expression
  function: (selector_expression operand: (_) @recv field: (field_identifier) @method)
  arguments: (argument_list . (_) @pattern . (_) @handler .)
  (#any-of? @method "Handle" "HandleFunc")) @call
"""


def routes(file: GoFile) -> list[Route]:
    """Routes on the default mux (``http.Handle``, ``http.HandleFunc``, ``http.DefaultServeMux.Handle``)
    and on a ``*http.ServeMux`` of this file (made with ``http.NewServeMux()`` or declared as one)."""

    def build() -> list[Route]:
        out: list[Route] = []
        if not file.has(b"Handle") or not imports.imports_any(file, HTTP):
            return out
        for caps in file.matches(_ROUTE_Q):
            call, recv = caps["call"][0], caps["recv"][0]
            if recv.type == "identifier" and imports.package_of(file, recv, HTTP) is not None \
                    or is_pkg_selector(file, recv, HTTP, ("DefaultServeMux",)):
                mux = None
            elif is_servemux(None, file, recv):
                mux = recv
            else:
                continue
            out.append(Route(call, mux, constant_string(file, caps["pattern"][0]), caps["handler"][0]))
        return out

    return file.memo_get("httpfacts.routes", build)


def is_servemux(package: GoPackage | None, file: GoFile, expr: Node) -> bool:
    expr = scope.unparen(expr)
    if expr.type == "identifier":
        b = scope.resolve(file, expr)
        if b is not None and b.value is not None:
            v = scope.unparen(b.value)
            if v.type == "call_expression" \
                    and is_pkg_selector(file, v.child_by_field_name("function"), HTTP, ("NewServeMux",)):
                return True
    return bool(decls.has_type(package, file, expr, HTTP, "ServeMux"))


def package_imports(package: GoPackage | None, file: GoFile, paths) -> bool:
    """Whether a file of ``file``'s package (same package clause, ``file`` included) imports one of
    ``paths`` under a name or with ``.``: only there can a declaration spell a type of theirs (see
    :func:`decls.has_type`).  Memoised on the package."""
    if package is None:
        return imports.imports_any(file, paths)
    key = ("httpfacts.package_imports", file.package_name, tuple(paths))
    found = package.memo.get(key)
    if found is None:
        found = package.memo[key] = any(imports.imports_any(g, paths) for g in iter_files(package, file))
    return found


def iter_files(package: GoPackage | None, file: GoFile) -> Iterator[GoFile]:
    """``file`` and the other files of its package (same package clause)."""
    yield file
    if package is not None:
        for g in package.same_package(file):
            if g is not file:
                yield g


# ------------------------------------------------------------------ TLS

# Fields of net/http (and common) types that hold a *tls.Config.
TLS_CONFIG_FIELDS = frozenset({"TLSClientConfig", "TLSConfig"})


class TLSSetting(NamedTuple):
    """One setting of a ``tls.Config`` field: ``Field: value`` in a literal or ``cfg.Field = value``.

    ``config`` holds the settings of the same config when they are known, else None: the
    literal's fields, overridden by assignments to its variable (value: the assignment statement).
    """

    node: Node  # the keyed element or the assignment statement
    value: Node
    config: dict[str, Node] | None


def _field_assignments(file: GoFile, name: str) -> list[tuple[Node, Node, Node]]:
    """(statement, receiver, value) for every ``recv.name = value`` of the file (one target, one value), in
    source order: the field name's occurrences in the text, each checked on the tree (a file mentions a
    field a few times, while a query would visit every node of the file)."""
    out = []
    for fld in file.spelt(name.encode(), "field_identifier"):
        sel = fld.parent
        if sel is None or sel.type != "selector_expression" or sel.child_by_field_name("field") != fld:
            continue
        left = sel.parent
        stmt = left.parent if left is not None and left.type == "expression_list" else None
        if stmt is None or stmt.type != "assignment_statement" or stmt.child_by_field_name("left") != left \
                or left.named_child_count != 1:
            continue
        right = stmt.child_by_field_name("right")
        recv = sel.child_by_field_name("operand")
        if right is None or right.type != "expression_list" or right.named_child_count != 1 or recv is None:
            continue
        out.append((stmt, recv, right.named_children[0]))
    return out


def tls_settings(package: GoPackage | None, file: GoFile, name: str) -> list[TLSSetting]:
    """Settings of the ``tls.Config`` field ``name`` in the file, in source order."""
    out: list[TLSSetting] = []
    if not file.has(name.encode()):
        return out
    for lit in struct_literals(file, TLS, "Config"):
        value = lit.fields.get(name)
        if value is None:
            continue
        config = dict(lit.fields)
        var = owner(file, lit.expr)
        if var is not None and scope.is_local(var):
            config.update(assigned_fields(file, var))  # a later assignment wins over the literal
        out.append(TLSSetting(value.parent if value.parent.type == "literal_element" else value, value, config))
    for stmt, recv, value in _field_assignments(file, name):
        recv = scope.unparen(recv)
        is_config = recv.type == "selector_expression" \
            and file.text(recv.child_by_field_name("field")) in TLS_CONFIG_FIELDS \
            or decls.has_type(package, file, recv, TLS, "Config") is True
        if not is_config:
            continue
        config = None
        if recv.type == "identifier":
            b = scope.resolve(file, recv)
            if b is not None and scope.is_local(b):
                config = dict(assigned_fields(file, b))
                if b.value is not None and scope.unparen(b.value).type in ("composite_literal", "unary_expression"):
                    lit = scope.unparen(b.value)
                    lit = lit.named_children[0] if lit.type == "unary_expression" and lit.named_child_count else lit
                    if lit.type == "composite_literal":
                        config.update(literal_fields(file, lit))
        out.append(TLSSetting(stmt, value, config))
    out.sort(key=lambda s: s.node.start_byte)
    return out
