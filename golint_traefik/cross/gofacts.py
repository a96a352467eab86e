"""Go facts for the cross-checks, read from the syntax of one package (see :mod:`.facts`).

Computed in the Go worker from the already-parsed :class:`GoPackage`
(:func:`package_facts`); nothing here needs types or other packages.

Routes
    ``http.ServeMux`` (``Handle``/``HandleFunc``; Go 1.22 ``"GET /x/{id}"``
    patterns when the module's ``go`` directive allows them), gorilla/mux
    (``HandleFunc(...).Methods(...)``, ``Path``/``PathPrefix``/``Methods``
    chains, ``Subrouter``), chi (``Get``... , ``Method``, ``Handle``,
    ``Route``, ``Group``, ``With``, ``Mount``, ``NotFound``), gin (``GET``... ,
    ``Any``, ``Handle``, ``Match``, ``Group``, ``Static*``, ``NoRoute``),
    echo (``GET``... , ``Any``, ``Match``, ``Add``, ``Group``, ``Static``,
    ``File``) and fiber (``Get``... , ``All``, ``Add``, ``Group``, ``Route``,
    ``Static``, ``Mount``).  A router is known by its constructor, its declared
    type, or the group method that made it; routers handed to functions,
    returned, or kept in struct fields and package variables become
    :class:`~.facts.Edge` records resolved when the whole program is known.

Servers
    ``http.ListenAndServe*``/``Serve*``, ``http.Server{Addr, Handler, *Timeout}``
    (plus ``srv.Field = v``), ``net.Listen``, gin ``Run``, echo ``Start*``
    (and ``e.Server.*Timeout``), fiber ``Listen*`` (and ``fiber.Config``
    timeouts).  Addresses are kept as :class:`~.facts.Value`: literals,
    constants, ``os.Getenv`` with a literal default (``if port == "" {port =
    "8080"}``, ``cmp.Or``, ``getEnv("PORT", "8080")`` helpers, struct tags
    ``env:"PORT" envDefault:"8080"``), flags with defaults (``flag.String``,
    ``flag.IntVar``, pflag/cobra ``*VarP``), ``fmt.Sprintf``,
    ``net.JoinHostPort``, ``strconv.Itoa`` and ``+``.

Handlers
    For handler functions (a ``ResponseWriter``/``*Request``, ``*gin.Context``,
    ``echo.Context`` or ``fiber.Ctx`` parameter) and handler literals: the
    work that can wait without bound (:class:`~.facts.Blocking`), including
    that of the package's functions they call directly.
"""

from __future__ import annotations

import posixpath
import re

from golint_traefik.cross import facts as F
from golint_traefik.go import decls, httpfacts, imports, scope
from golint_traefik.go.source import GoFile, GoPackage, Node

# ------------------------------------------------------------------ libraries

LIB_PATHS = {
    "servemux": ("net/http",),
    "gorilla": ("github.com/gorilla/mux",),
    "chi": ("github.com/go-chi/chi", "github.com/go-chi/chi/v5", "github.com/go-chi/chi/v4", "github.com/pressly/chi"),
    "gin": ("github.com/gin-gonic/gin",),
    "echo": ("github.com/labstack/echo", "github.com/labstack/echo/v4", "github.com/labstack/echo/v5"),
    "fiber": ("github.com/gofiber/fiber", "github.com/gofiber/fiber/v2", "github.com/gofiber/fiber/v3"),
}
CONSTRUCTORS = {
    "servemux": frozenset({"NewServeMux"}),
    "gorilla": frozenset({"NewRouter"}),
    "chi": frozenset({"NewRouter", "NewMux"}),
    "gin": frozenset({"New", "Default"}),
    "echo": frozenset({"New"}),
    "fiber": frozenset({"New"}),
}
ROUTER_TYPES = {
    "servemux": frozenset({"ServeMux"}),
    "gorilla": frozenset({"Router"}),
    "chi": frozenset({"Router", "Mux"}),
    "gin": frozenset({"Engine", "RouterGroup", "IRouter", "IRoutes"}),
    "echo": frozenset({"Echo", "Group"}),
    "fiber": frozenset({"App", "Router", "Group"}),
}
_UPPER_VERBS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "CONNECT", "TRACE")
_TITLE_VERBS = tuple(v.title() for v in _UPPER_VERBS)
ROUTE_METHODS = {
    "servemux": frozenset({"Handle", "HandleFunc"}),
    "gorilla": frozenset({"Handle", "HandleFunc", "Handler", "HandlerFunc"}),
    "chi": frozenset({*_TITLE_VERBS, "Method", "MethodFunc", "Handle", "HandleFunc", "Mount", "Route", "Group",
                      "NotFound"}),
    "gin": frozenset({*_UPPER_VERBS, "Any", "Handle", "Match", "Static", "StaticFS", "StaticFile", "NoRoute"}),
    "echo": frozenset({*_UPPER_VERBS, "Any", "Match", "Add", "Static", "File", "RouteNotFound"}),
    "fiber": frozenset({*_TITLE_VERBS, "All", "Add", "Route", "Static", "Mount"}),
}
_ALL_ROUTE_METHODS = frozenset().union(*ROUTE_METHODS.values())


def _sel_calls(names) -> str:
    """A query for ``x.M(...)`` calls with M one of ``names``."""
    return _SEL_CALL_Q.replace("{names}", " ".join(f'"{n}"' for n in sorted(names)))
# Methods that return a router view below the receiver: lib -> {method: index of the prefix argument or None}.
GROUPS = {
    "chi": {"With": None, "Group": None, "Route": 0},
    "gin": {"Group": 0},
    "echo": {"Group": 0},
    "fiber": {"Group": 0, "Route": 0},
}
_GORILLA_CHAIN = frozenset({"Path", "PathPrefix", "Methods", "Host", "Schemes", "Headers", "HeadersRegexp", "Queries",
                            "MatcherFunc", "Name", "NewRoute", "BuildVarsFunc", "Subrouter", "HandleFunc", "Handle",
                            "Handler", "HandlerFunc"})
_SERVER_TIMEOUTS = ("ReadTimeout", "ReadHeaderTimeout", "WriteTimeout", "IdleTimeout")

_GROUP_METHODS = frozenset({"Group", "Route", "With", "Subrouter"})
_ROUTERISH_Q = """
(call_expression
  function: (selector_expression field: (field_identifier) @m)
  (#any-of? @m "NewServeMux" "NewRouter" "NewMux" "New" "Default" "Group" "Route" "With" "Subrouter")) @c
"""
_SEL_CALL_Q = """
(call_expression
  function: (selector_expression operand: (_) @recv field: (field_identifier) @m)
  arguments: (argument_list) @args
  (#any-of? @m {names})) @call
"""
_TOP_Q = "(source_file [(const_declaration) (var_declaration)] @d)"
_FIELD_TAG_Q = "(field_declaration tag: (raw_string_literal) @tag) @field"
_HANDLER_PARAM = re.compile(r"http\.ResponseWriter|\*http\.Request|\*gin\.Context|echo\.Context|fiber\.Ctx")
_ENV_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")


def _lit_string(file: GoFile, node: Node | None) -> str | None:
    """The value of a Go string literal without escapes (None for anything else)."""
    if node is None:
        return None
    node = scope.unparen(node)
    if node.type in ("interpreted_string_literal", "raw_string_literal"):
        text = file.text(node)
        if node.type == "interpreted_string_literal" and "\\" in text:
            return None
        return text[1:-1]
    return None


def _args(call: Node) -> list[Node]:
    a = call.child_by_field_name("arguments")
    return [c for c in a.named_children if c.type != "comment"] if a is not None else []


class RRef:
    """A router expression: ``base`` key + ``prefix``; ``typed`` when it is certainly a router."""

    __slots__ = ("base", "prefix", "lib", "typed")

    def __init__(self, base: str, prefix: str = "", lib: str | None = None, typed: bool = False):
        self.base, self.prefix, self.lib, self.typed = base, prefix, lib, typed

    def sub(self, prefix: str, lib: str | None = None) -> "RRef":
        from golint_traefik.cross.paths import join

        return RRef(self.base, join(self.prefix, prefix), lib or self.lib, True)


class _Extractor:
    def __init__(self, package: GoPackage, directory: str, display_dir: str):
        self.package = package
        self.dir = directory
        self.display_dir = display_dir
        self.files = [f for f in package.files if not f.is_test]
        self.routes: list[F.Route] = []
        self.edges: list[F.Edge] = []
        self.servers: list[F.Server] = []
        self.handlers: dict[str, F.Handler] = {}
        self.returns: dict[str, str] = {}
        self._blocking_memo: dict[int, tuple[F.Blocking, ...]] = {}
        self._handler_override: dict[int, str] = {}  # http.Server literal id -> handler key (echo StartServer)
        self._server_extra: dict[int, list[F.Duration]] = {}
        self._router_idents: dict[str, list[Node]] = {}  # receivers of route registrations, per file

    # ------------------------------------------------------------ helpers
    def libs(self, file: GoFile) -> dict[str, str]:
        """Local import name -> library, for the router libraries ``file`` imports."""

        def build():
            out = {}
            for name, path in file.imports.items():
                for lib, paths in LIB_PATHS.items():
                    if path in paths:
                        out[name] = lib
            return out

        return file.memo_get("cross.libs", build)

    def lib_of_pkg_ident(self, file: GoFile, ident: Node) -> str | None:
        if ident.type != "identifier":
            return None
        lib = self.libs(file).get(file.text(ident))
        if lib is None or scope.resolve(file, ident) is not None:
            return None
        return lib

    def import_path(self, file: GoFile, ident: Node) -> str | None:
        """The import path an identifier names (``http`` in ``http.Get``), unless a declaration shadows it."""
        if ident.type != "identifier":
            return None
        path = file.imports.get(file.text(ident))
        if path is None:
            return None
        key = ("cross.import_path", ident.id)
        shadowed = file.memo.get(key)
        if shadowed is None:
            shadowed = file.memo[key] = scope.resolve(file, ident) is not None
        return None if shadowed else path

    def lib_of_type(self, file: GoFile, typ: Node | None) -> str | None:
        if typ is None:
            return None
        while typ.type in ("pointer_type", "parenthesized_type") and typ.named_child_count:
            typ = typ.named_children[0]
        if typ.type == "qualified_type":
            pkg, name = typ.child_by_field_name("package"), typ.child_by_field_name("name")
            lib = self.libs(file).get(file.text(pkg)) if pkg is not None else None
            if lib and name is not None and file.text(name) in ROUTER_TYPES[lib]:
                if lib == "servemux" and file.text(name) != "ServeMux":
                    return None
                return lib
        return None

    def field_lib(self, file: GoFile, name: str) -> str | None:
        for f, typ in decls.field_types(self.package, file).get(name, ()):
            lib = self.lib_of_type(f, typ)
            if lib:
                return lib
        return None

    def func_key(self, file: GoFile, func: Node) -> str:
        if func.type == "function_declaration":
            return f"func:{self.dir}:{file.text(func.child_by_field_name('name'))}"
        if func.type == "method_declaration":
            return f"method:{file.text(func.child_by_field_name('name'))}"
        r, c = func.start_point
        return f"lit:{file.path}:{r + 1}:{c + 1}"

    def callee_key(self, file: GoFile, fn: Node) -> str | None:
        """The function key of a callee expression (``f``, ``pkg.F``, ``x.M``, a literal)."""
        fn = scope.unparen(fn)
        if fn.type == "identifier":
            b = scope.resolve(file, fn)
            if b is not None and b.kind != "package":
                if b.value is not None and scope.unparen(b.value).type == "func_literal":
                    return self.func_key(file, scope.unparen(b.value))
                return None
            return f"func:{self.dir}:{file.text(fn)}"
        if fn.type == "selector_expression":
            operand, field = fn.child_by_field_name("operand"), fn.child_by_field_name("field")
            path = self.import_path(file, operand)
            if path is not None:
                return f"func:@{path}:{file.text(field)}"
            return f"method:{file.text(field)}"
        if fn.type == "func_literal":
            return self.func_key(file, fn)
        return None

    def root_key(self, file: GoFile, node: Node) -> str:
        r, c = node.start_point
        return f"root:{file.path}:{r + 1}:{c + 1}"

    # ------------------------------------------------------------ routers
    def router_of(self, file: GoFile, expr: Node | None, depth: int = 0) -> RRef | None:
        if expr is None or depth > 8:
            return None
        expr = scope.unparen(expr)
        t = expr.type
        if t == "unary_expression" and expr.named_child_count == 1 and file.text(expr)[:1] in "&*":
            return self.router_of(file, expr.named_children[0], depth + 1)
        if t == "call_expression":
            fn = scope.unparen(expr.child_by_field_name("function"))
            args = _args(expr)
            if fn.type == "selector_expression":
                operand, field = fn.child_by_field_name("operand"), file.text(fn.child_by_field_name("field"))
                lib = self.lib_of_pkg_ident(file, operand)
                if lib is not None:
                    if field in CONSTRUCTORS[lib]:
                        return RRef(self.root_key(file, expr), "", lib, True)
                    return None
                if field == "Subrouter":
                    chain = self.gorilla_chain(file, operand, depth + 1)
                    if chain is not None:
                        base, path, _prefix, _methods = chain
                        return base.sub(path or "", "gorilla")
                    return None
                for glib, methods in GROUPS.items():
                    if field in methods:
                        parent = self.router_of(file, operand, depth + 1)
                        if parent is None or (parent.lib not in (None, glib) and parent.typed):
                            continue
                        idx = methods[field]
                        if idx is None:
                            if glib == "chi" and field == "Group" and args and scope.unparen(args[0]).type != "identifier" \
                                    and file.text(args[0]) != "nil":
                                continue  # r.Group(fn) runs fn; the value returned is a new inline group
                            return RRef(parent.base, parent.prefix, parent.lib or glib, parent.typed)
                        prefix = _lit_string(file, args[idx]) if len(args) > idx else None
                        if prefix is None:
                            return RRef("?", "", parent.lib or glib, True)
                        return parent.sub(prefix, parent.lib or glib)
                key = self.callee_key(file, fn)
                return RRef(f"ret:{key}") if key else None
            if fn.type == "identifier":
                key = self.callee_key(file, fn)
                return RRef(f"ret:{key}") if key else None
            return None
        if t == "identifier":
            if self.import_path(file, expr) is not None:
                return None
            b = scope.resolve(file, expr)
            if b is None or b.kind == "package":
                found = self.package_value(file, file.text(expr))
                if found is not None:
                    f2, value, kind, typ = found
                    if value is not None:
                        r = self.router_of(f2, value, depth + 1)
                        if r is not None:
                            return r
                    lib = self.lib_of_type(f2, typ)
                    if kind == "var":
                        return RRef(f"pvar:{self.dir}:{file.text(expr)}", "", lib, lib is not None)
                return None
            if b.kind in ("param", "receiver"):
                if b.kind == "receiver" or b.func is None:
                    return None
                idx = self.param_index(file, b)
                lib = self.lib_of_type(file, b.type)
                if idx is None:
                    return None
                return RRef(f"param:{self.func_key(file, b.func)}#{idx}", "", lib, lib is not None)
            if b.kind == "var":
                if b.value is not None:
                    return self.router_of(file, b.value, depth + 1)
                for u in scope.uses(file, b):
                    if u.kind == "write":
                        value = _assigned_value(u.node)
                        if value is not None:
                            r = self.router_of(file, value, depth + 1)
                            if r is not None:
                                return r
                lib = self.lib_of_type(file, b.type)
                return RRef("?", "", lib, True) if lib else None
            return None
        if t == "selector_expression":
            operand, field = expr.child_by_field_name("operand"), file.text(expr.child_by_field_name("field"))
            if self.lib_of_pkg_ident(file, operand) == "servemux" and field == "DefaultServeMux":
                return RRef("default", "", "servemux", True)
            if self.import_path(file, operand) is not None:
                return None
            lib = self.field_lib(file, field)
            return RRef(f"field:{field}", "", lib, lib is not None)
        return None

    def param_index(self, file: GoFile, b: scope.Binding) -> int | None:
        plist = b.func.child_by_field_name("parameters")
        if plist is None:
            return None
        i = 0
        for decl in plist.named_children:
            if decl.type not in ("parameter_declaration", "variadic_parameter_declaration"):
                continue
            names = decl.children_by_field_name("name")
            if not names:
                i += 1
                continue
            for n in names:
                if n == b.ident:
                    return i
                i += 1
        return None

    def gorilla_chain(self, file: GoFile, expr: Node, depth: int = 0):
        """For a gorilla route chain ``r.PathPrefix("/x").Methods("GET")``: (router, path, is_prefix, methods)."""
        path_parts: list[tuple[str, bool]] = []
        methods: list[str] = []
        node = scope.unparen(expr)
        for _ in range(12):
            if node.type != "call_expression":
                break
            fn = scope.unparen(node.child_by_field_name("function"))
            if fn.type != "selector_expression":
                break
            m = file.text(fn.child_by_field_name("field"))
            if m not in _GORILLA_CHAIN or m in ("Subrouter", "HandleFunc", "Handle", "Handler", "HandlerFunc"):
                break
            args = _args(node)
            if m in ("Path", "PathPrefix"):
                p = _lit_string(file, args[0]) if args else None
                if p is None:
                    return RRef("?", "", "gorilla", True), None, False, ()
                path_parts.append((p, m == "PathPrefix"))
            elif m == "Methods":
                methods.extend(s.upper() for s in (_lit_string(file, a) or self.method_const(file, a) for a in args) if s)
            node = scope.unparen(fn.child_by_field_name("operand"))
        base = self.router_of(file, node, depth + 1)
        if base is None:
            return None
        if len(path_parts) > 1:
            return RRef("?", "", "gorilla", True), None, False, tuple(methods)
        path, is_prefix = path_parts[0] if path_parts else (None, False)
        return base, path, is_prefix, tuple(methods)

    def method_const(self, file: GoFile, node: Node) -> str | None:
        node = scope.unparen(node)
        if node.type == "selector_expression":
            fld = file.text(node.child_by_field_name("field"))
            if fld.startswith("Method") and httpfacts.is_pkg_selector(file, node, httpfacts.HTTP, (fld,)):
                return fld[len("Method"):].upper()
        return None

    # ------------------------------------------------------------- routes
    def guess_lib(self, file: GoFile, method: str, ref: RRef | None) -> str | None:
        if ref is not None and ref.lib is not None:
            return ref.lib if method in ROUTE_METHODS[ref.lib] else None
        libs = set(self.libs(file).values())
        cands = [lib for lib in libs if method in ROUTE_METHODS[lib]]
        if len(cands) == 1:
            return cands[0]
        if not cands:
            return None
        if method[:1].isupper() and method[1:2].islower() and method in _TITLE_VERBS:
            cands = [c for c in cands if c in ("chi", "fiber")] or cands
        for pref in ("gorilla", "chi", "gin", "echo", "fiber", "servemux"):
            if pref in cands:
                return pref
        return None

    def extract_routes(self, file: GoFile) -> None:
        if not self.libs(file):
            return
        for caps in file.matches(_ROUTE_CALLS_Q):
            m = file.text(caps["m"][0])
            call, recv = caps["call"][0], caps["recv"][0]
            args = [c for c in caps["args"][0].named_children if c.type != "comment"]
            if m in ("Handler", "HandlerFunc"):
                self.gorilla_handler(file, call, recv, args)
                continue
            # Package-level http.Handle / http.HandleFunc register on the default mux.
            recv_lib = self.lib_of_pkg_ident(file, scope.unparen(recv))
            if recv_lib is not None:
                if recv_lib == "servemux" and m in ("Handle", "HandleFunc"):
                    self.add_route(file, call, RRef("default", "", "servemux", True), "servemux", m, args)
                continue
            ref = self.router_of(file, recv)
            lib = self.guess_lib(file, m, ref)
            if lib is None:
                continue
            if ref is None:
                ref = RRef("?", "", lib, False)
            if scope.unparen(recv).type == "identifier":
                self._router_idents.setdefault(file.path, []).append(scope.unparen(recv))
            self.add_route(file, call, ref, lib, m, args)

    def add_route(self, file: GoFile, call: Node, ref: RRef, lib: str, m: str, args: list[Node]) -> None:
        span = file.span(call)
        methods: tuple[str, ...] = ()
        subtree = catch_all = False
        pattern_node: Node | None = None
        handler: Node | None = None
        if lib in ("gin", "fiber") and m in ("NoRoute",) or lib == "chi" and m == "NotFound":
            self.routes.append(F.Route(ref.base, ref.prefix, "", lib, (), span, catch_all=True,
                                       handler=self.handler_key(file, args[-1]) if args else None))
            return
        if lib in ("chi", "fiber") and m == "Route":
            if len(args) >= 2:
                p = _lit_string(file, args[0])
                child = self.closure_param(file, args[1])
                if child is not None:
                    parent = ref.sub(p, lib) if p is not None else RRef("?", "", lib, True)
                    self.edges.append(F.Edge(parent.base, parent.prefix, child, span))
            return
        if lib == "chi" and m == "Group":
            if args:
                child = self.closure_param(file, args[0])
                if child is not None:
                    self.edges.append(F.Edge(ref.base, ref.prefix, child, span))
            return
        if m == "Mount" and len(args) >= 2:
            p = _lit_string(file, args[0])
            sub = self.router_of(file, args[1])
            if sub is not None and sub.base != "?":
                prefix = ref.sub(p, lib) if p is not None else RRef("?", "", lib, True)
                self.edges.append(F.Edge(prefix.base, prefix.prefix, sub.base, span))
                return
            pattern_node, handler, subtree = args[0], args[1], True
        elif lib == "servemux" or m in ("Handle", "HandleFunc") and lib in ("gorilla", "chi"):
            if len(args) != 2:
                return
            pattern_node, handler = args
            if self.mount_handler(file, ref, lib, pattern_node, handler, span):
                return
            if lib == "gorilla":
                methods = self.trailing_methods(file, call)
        elif lib == "chi" and m in ("Method", "MethodFunc"):
            if len(args) != 3:
                return
            meth = _lit_string(file, args[0]) or self.method_const(file, args[0])
            methods = (meth.upper(),) if meth else ()
            pattern_node, handler = args[1], args[2]
        elif lib in ("gin", "echo", "fiber") and m in ("Static", "StaticFS"):
            if len(args) < 2:
                return
            pattern_node, subtree = args[0], True
        elif lib == "gin" and m == "StaticFile" or lib == "echo" and m == "File":
            if len(args) < 2:
                return
            pattern_node = args[0]
        elif lib == "echo" and m == "RouteNotFound":
            if len(args) < 2:
                return
            pattern_node, handler = args[0], args[1]
            catch_all = True
        elif m in ("Handle", "Add") and lib in ("gin", "echo", "fiber"):
            if len(args) < 3:
                return
            meth = _lit_string(file, args[0]) or self.method_const(file, args[0])
            methods = (meth.upper(),) if meth else ()
            pattern_node = args[1]
            handler = args[2] if lib == "echo" else args[-1]
        elif m == "Match" and lib in ("gin", "echo"):
            if len(args) < 3:
                return
            lst = scope.unparen(args[0])
            if lst.type == "composite_literal":
                body = lst.child_by_field_name("body")
                found = [(_lit_string(file, e.named_children[0]) if e.named_child_count else None) or
                         (self.method_const(file, e.named_children[0]) if e.named_child_count else None)
                         for e in (body.named_children if body is not None else [])]
                methods = tuple(x.upper() for x in found if x)
            pattern_node = args[1]
            handler = args[2] if lib == "echo" else args[-1]
        elif m in _UPPER_VERBS or m in _TITLE_VERBS or m in ("Any", "All"):
            if len(args) < 2:
                return
            methods = () if m in ("Any", "All") else (m.upper(),)
            pattern_node = args[0]
            handler = args[1] if lib in ("chi", "echo") else args[-1]
        else:
            return
        pattern = self.pattern_text(file, pattern_node)
        if pattern is None and ref.base == "?" and not ref.typed:
            return  # an unknown receiver with a computed pattern: probably not a router at all
        if pattern is not None and not ref.typed and not pattern.startswith(("/", "GET ", "POST ")) and lib != "servemux":
            return
        syntax = lib
        if lib == "servemux":
            syntax = "servemux" if file.go_version >= (1, 22) else "servemux-legacy"
            if pattern is not None:
                pattern, methods = _servemux_split(pattern, syntax)
                subtree = False  # expressed by the trailing "/" of the pattern
        if lib in ("fiber",) and pattern == "":
            pattern = "/"
        self.routes.append(F.Route(ref.base, ref.prefix, pattern, syntax, methods, span, subtree, catch_all,
                                   self.handler_key(file, handler) if handler is not None else None))

    def pattern_text(self, file: GoFile, node: Node | None) -> str | None:
        v = self.value(file, node)
        if v is None or any(p.kind != "lit" for p in v):
            return None
        return "".join(p.text or "" for p in v)

    def mount_handler(self, file: GoFile, ref: RRef, lib: str, pattern_node: Node, handler: Node, span) -> bool:
        """``mux.Handle("/api/", http.StripPrefix("/api", sub))`` and ``mux.Handle("/", router)``: an edge."""
        h = scope.unparen(handler)
        strip = ""
        if h.type == "call_expression" and httpfacts.is_pkg_selector(file, h.child_by_field_name("function"),
                                                                      httpfacts.HTTP, ("StripPrefix",)):
            a = _args(h)
            if len(a) != 2:
                return False
            s = _lit_string(file, a[0])
            if s is None:
                return False
            strip, h = s, scope.unparen(a[1])
        sub = self.router_of(file, h)
        if sub is None or not sub.typed or sub.base == "?":
            return False
        p = self.pattern_text(file, pattern_node)
        if p is None:
            return False
        parent = ref.sub(strip, lib) if strip else ref
        self.edges.append(F.Edge(parent.base, parent.prefix, sub.base, span))
        return True

    def gorilla_handler(self, file: GoFile, call: Node, recv: Node, args: list[Node]) -> None:
        """``r.Path("/x").Methods("GET").HandlerFunc(h)`` / ``r.PathPrefix("/static/").Handler(h)``."""
        if len(args) != 1:
            return
        chain = self.gorilla_chain(file, recv)
        if chain is None:
            return
        base, path, is_prefix, methods = chain
        if base.lib not in (None, "gorilla") or (base.base != "?" and not base.typed and "gorilla" not in self.libs(file).values()):
            return
        methods = tuple(methods) + self.trailing_methods(file, call)
        h = scope.unparen(args[0])
        if path is not None and is_prefix:
            sub = self.router_of(file, h)
            if sub is not None and sub.typed and sub.base != "?":
                self.edges.append(F.Edge(base.base, base.prefix, sub.base, file.span(call)))
                return
        pattern = path if path is not None else ""
        self.routes.append(F.Route(base.base, base.prefix, pattern if path is not None else None, "gorilla", methods,
                                   file.span(call), subtree=is_prefix, handler=self.handler_key(file, args[0])))

    def trailing_methods(self, file: GoFile, call: Node) -> tuple[str, ...]:
        """``.Methods("GET", "HEAD")`` called on the route a registration returns."""
        out: list[str] = []
        node = scope.outer_paren(call)
        for _ in range(6):
            sel = node.parent
            if sel is None or sel.type != "selector_expression":
                break
            outer = sel.parent
            if outer is None or outer.type != "call_expression":
                break
            if file.text(sel.child_by_field_name("field")) == "Methods":
                out.extend(s.upper() for s in (_lit_string(file, a) or self.method_const(file, a) for a in _args(outer)) if s)
            node = outer
        return tuple(out)

    def closure_param(self, file: GoFile, fn: Node) -> str | None:
        """The key of the router parameter of the function a ``Route``/``Group`` call runs."""
        fn = scope.unparen(fn)
        if fn.type == "func_literal":
            return f"param:{self.func_key(file, fn)}#0"
        key = self.callee_key(file, fn)
        return f"param:{key}#0" if key else None

    # ---------------------------------------------------------------- edges
    def extract_edges(self, file: GoFile) -> None:
        """Routers handed to functions, returned, or stored in fields and package variables.

        Starts from the values known to be routers -- constructor and group calls, router-typed
        parameters, receivers of route registrations -- and follows the uses of the variables
        holding them, so that the cost is proportional to the routers, not to the calls.
        """
        if not self.libs(file):
            return
        seeds: list[Node] = []  # router-valued expressions: calls, and the identifiers that hold routers
        bindings: dict[int, scope.Binding] = {}
        for caps in file.matches(_ROUTERISH_Q):
            call = caps["c"][0]
            m = file.text(caps["m"][0])
            fn = call.child_by_field_name("function")
            operand = fn.child_by_field_name("operand")
            lib = self.lib_of_pkg_ident(file, operand) if operand is not None else None
            if lib is not None and m not in CONSTRUCTORS[lib]:
                continue
            if lib is None and m not in _GROUP_METHODS:
                continue
            seeds.append(call)
        for ident in self._router_idents.get(file.path, ()):
            seeds.append(ident)
        for func in scope.functions(file):
            for ident, kind, decl, typ in scope._params(func):
                if kind == "param" and self.lib_of_type(file, typ):
                    seeds.append(ident)
        for expr in seeds:
            if expr.type == "identifier":
                b = scope.resolve(file, expr)
                if b is not None and b.kind in ("var", "param") and b.ident.id not in bindings:
                    bindings[b.ident.id] = b
                continue
            self.edge_from_value(file, expr)
            b = httpfacts.owner(file, expr)
            if b is not None and b.kind in ("var", "param") and b.ident.id not in bindings:
                bindings[b.ident.id] = b
        for b in bindings.values():
            for u in scope.uses(file, b):
                if u.kind in ("arg", "return", "store", "composite"):
                    self.edge_from_value(file, u.node)

    def edge_from_value(self, file: GoFile, expr: Node) -> None:
        """An edge for a router value ``expr`` passed as an argument, returned, or stored."""
        n = scope.outer_paren(expr)
        par = n.parent
        if par is None:
            return
        if par.type == "argument_list":
            call = par.parent
            fn = scope.unparen(call.child_by_field_name("function")) if call is not None else None
            if fn is None:
                return
            if fn.type == "selector_expression":
                if file.text(fn.child_by_field_name("field")) in _ALL_ROUTE_METHODS | {"Use"}:
                    return
                path = self.import_path(file, fn.child_by_field_name("operand"))
                if path is not None and (path.split("/", 1)[0] in _STDLIB or any(path in ps for ps in LIB_PATHS.values())):
                    return  # the standard library or a router library: not a function of the program
            r = self.router_of(file, n)
            if r is None or r.base == "?" or not (r.typed or r.base.startswith("ret:")):
                return  # a call's result may be a router (resolved when the program is known)
            key = self.callee_key(file, fn)
            if key is None:
                return
            i = [c for c in par.named_children if c.type != "comment"].index(n)
            self.edges.append(F.Edge(r.base, r.prefix, f"param:{key}#{i}", file.span(n)))
            return
        if par.type == "return_statement" or par.type == "expression_list" and par.parent is not None \
                and par.parent.type == "return_statement":
            func = scope.enclosing_func(par)
            r = self.router_of(file, n)
            if func is None or r is None or not r.typed or r.base == "?":
                return
            rk = f"ret:{self.func_key(file, func)}"
            if r.base.startswith("root:"):
                self.edges.append(F.Edge(rk, "", r.base, file.span(n)))
            else:
                self.edges.append(F.Edge(r.base, r.prefix, rk, file.span(n)))
            return
        if par.type in ("literal_element", "keyed_element"):
            el = par if par.type == "keyed_element" else par.parent
            if el is None or el.type != "keyed_element":
                return
            key = el.child_by_field_name("key")
            k = key.named_children[0] if key is not None and key.type == "literal_element" and key.named_child_count else key
            lit = el.parent.parent if el.parent is not None else None
            typ = lit.child_by_field_name("type") if lit is not None and lit.type == "composite_literal" else None
            if k is None or k.type not in ("identifier", "field_identifier") or \
                    typ is not None and typ.type == "qualified_type":
                return  # a field of another package's type (http.Server{Handler: r}): not a router of ours
            r = self.router_of(file, n)
            if r is not None and r.typed and r.base != "?":
                self.edges.append(F.Edge(r.base, r.prefix, f"field:{file.text(k)}", file.span(n)))
            return
        if par.type == "expression_list" and par.parent is not None and par.parent.type == "assignment_statement":
            stmt = par.parent
            left, right = stmt.child_by_field_name("left"), stmt.child_by_field_name("right")
            if right != par or left is None or left.named_child_count != right.named_child_count:
                return
            tgt = scope.unparen(left.named_children[list(right.named_children).index(n)])
            if tgt.type == "selector_expression":
                child = f"field:{file.text(tgt.child_by_field_name('field'))}"
            elif tgt.type == "identifier":
                b = scope.resolve(file, tgt)
                if b is not None and b.kind != "package":
                    return
                child = f"pvar:{self.dir}:{file.text(tgt)}"
            else:
                return
            r = self.router_of(file, n)
            if r is not None and r.typed and r.base != "?" and r.base != child:
                self.edges.append(F.Edge(r.base, r.prefix, child, file.span(n)))

    # --------------------------------------------------------------- values
    def package_value(self, file: GoFile, name: str):
        """A package-level const/var of the package: (file, value node or None, "const"|"var", type node)."""

        def build():
            out: dict[str, tuple] = {}
            for f in self.package.same_package(file) if file in self.package.files else [file]:
                for d in f.captures(_TOP_Q).get("d", []):
                    for spec in scope._specs(d):
                        names = spec.children_by_field_name("name")
                        vals = scope._values(spec.child_by_field_name("value"))
                        typ = spec.child_by_field_name("type")
                        kind = "const" if spec.type == "const_spec" else "var"
                        for i, n in enumerate(names):
                            out.setdefault(f.text(n), (f, vals[i] if len(vals) == len(names) else None, kind, typ))
            return out

        key = ("cross.pkgvals", file.package_name)
        table = self.package.memo.get(key)
        if table is None:
            table = self.package.memo[key] = build()
        return table.get(name)

    def value(self, file: GoFile, expr: Node | None, depth: int = 0) -> tuple[F.Part, ...] | None:
        """The string an expression computes, as parts (see :class:`~.facts.Part`); None when not a string."""
        if expr is None or depth > 8:
            return None
        expr = scope.unparen(expr)
        t = expr.type
        unknown = (F.Part("unknown"),)
        if t in ("interpreted_string_literal", "raw_string_literal"):
            s = _lit_string(file, expr)
            return (F.Part("lit", s),) if s is not None else unknown
        if t == "int_literal":
            return (F.Part("lit", file.text(expr).replace("_", "")),)
        if t == "binary_expression":
            op = expr.child_by_field_name("operator")
            if op is not None and file.text(op) == "+":
                a = self.value(file, expr.child_by_field_name("left"), depth + 1)
                b = self.value(file, expr.child_by_field_name("right"), depth + 1)
                if a is not None and b is not None:
                    return _concat(a, b)
            return unknown
        if t == "unary_expression" and expr.named_child_count == 1 and file.text(expr)[:1] == "*":
            return self.value(file, expr.named_children[0], depth + 1)
        if t == "identifier":
            b = scope.resolve(file, expr)
            if b is None or b.kind == "package":
                found = self.package_value(file, file.text(expr))
                if found is None:
                    return unknown
                f2, value, kind, _ = found
                if value is None:
                    return unknown
                return self.value(f2, value, depth + 1)
            if b.kind not in ("var", "const"):
                return unknown
            return self.local_value(file, b, depth)
        if t == "call_expression":
            return self.call_value(file, expr, depth)
        if t == "selector_expression":
            return self.field_value(file, file.text(expr.child_by_field_name("field")))
        return unknown

    def local_value(self, file: GoFile, b: scope.Binding, depth: int) -> tuple[F.Part, ...]:
        unknown = (F.Part("unknown"),)
        base = self.value(file, b.value, depth + 1) if b.value is not None else None
        writes = [u for u in scope.uses(file, b) if u.kind in ("write", "addr")]
        for u in writes:
            if u.kind == "addr":  # flag.StringVar(&addr, "addr", ":8080", "usage")
                flag = self.flag_var(file, u.node)
                if flag is not None:
                    return (flag,)
        if base is None:
            return unknown
        if len(base) == 1 and base[0].kind == "env" and base[0].text is None:
            default = self.empty_default(file, b, writes)
            if default is not None:
                return (F.Part("env", default, base[0].name),)
        if writes and not (len(base) == 1 and base[0].kind == "env"):
            return unknown
        return base

    def empty_default(self, file: GoFile, b: scope.Binding, writes) -> str | None:
        """``if port == "" { port = "8080" }``: the literal assigned when the variable is empty."""
        for u in writes:
            if u.kind != "write":
                continue
            value = _assigned_value(u.node)
            lit = _lit_string(file, value) if value is not None else None
            if lit is None:
                continue
            n = u.node.parent
            while n is not None and n.type != "if_statement" and n.type not in scope.FUNC_TYPES:
                n = n.parent
            if n is None or n.type != "if_statement":
                continue
            cond = n.child_by_field_name("condition")
            text = re.sub(r"\s+", "", file.text(cond)) if cond is not None else ""
            if text in (f'{b.name}==""', f'""=={b.name}', f"len({b.name})==0"):
                return lit
        return None

    def flag_var(self, file: GoFile, ident: Node) -> F.Part | None:
        """``&x`` as the first argument of ``flag.StringVar(&x, name, default, usage)`` (or ``*VarP``)."""
        amp = scope.outer_paren(ident).parent
        if amp is None or amp.type != "unary_expression":
            return None
        arglist = scope.outer_paren(amp).parent
        call = arglist.parent if arglist is not None and arglist.type == "argument_list" else None
        if call is None:
            return None
        fn = scope.unparen(call.child_by_field_name("function"))
        if fn.type != "selector_expression":
            return None
        m = file.text(fn.child_by_field_name("field"))
        args = _args(call)
        if not args or scope.unparen(args[0]) != amp:
            return None
        return self.flag_part(file, m, args[1:])

    def flag_part(self, file: GoFile, m: str, args: list[Node]) -> F.Part | None:
        base = m[:-3] if m.endswith("VarP") else m[:-2] if m.endswith("Var") and not m.endswith("VarP") else m
        if m.endswith("P") and not m.endswith("VarP"):
            base = m[:-1]
        p = m.endswith("P")
        if base not in ("String", "Int", "Uint", "Int64", "Uint64"):
            return None
        need = 3 + (1 if p else 0)
        if len(args) < need:
            return None
        name = _lit_string(file, args[0])
        default_node = args[2 if p else 1]
        if name is None:
            return None
        dv = self.value(file, default_node)
        default = "".join(x.text or "" for x in dv) if dv is not None and all(x.kind == "lit" for x in dv) else None
        return F.Part("flag", default, name)

    def call_value(self, file: GoFile, call: Node, depth: int) -> tuple[F.Part, ...]:
        unknown = (F.Part("unknown"),)
        fn = scope.unparen(call.child_by_field_name("function"))
        args = _args(call)
        name = file.text(fn.child_by_field_name("field")) if fn.type == "selector_expression" else file.text(fn) \
            if fn.type == "identifier" else ""
        operand = fn.child_by_field_name("operand") if fn.type == "selector_expression" else None
        pkg = self.import_path(file, operand) if operand is not None else None
        if pkg == "os" and name == "Getenv" and len(args) == 1:
            env = _lit_string(file, args[0])
            return (F.Part("env", None, env),) if env else unknown
        if pkg == "cmp" and name == "Or" and len(args) >= 2:
            first = self.value(file, args[0], depth + 1)
            second = self.value(file, args[1], depth + 1)
            if first and len(first) == 1 and first[0].kind == "env" and second and len(second) == 1 and second[0].kind == "lit":
                return (F.Part("env", second[0].text, first[0].name),)
            return unknown
        if pkg == "fmt" and name in ("Sprintf", "Sprint") and args:
            if name == "Sprint":
                out: tuple[F.Part, ...] = ()
                for a in args:
                    v = self.value(file, a, depth + 1)
                    out = _concat(out, v or unknown)
                return out
            return self.sprintf(file, args, depth)
        if pkg == "strconv" and name in ("Itoa", "FormatInt", "Quote") and args:
            return self.value(file, args[0], depth + 1) or unknown
        if pkg == "strings" and name in ("TrimSpace",) and args:
            return self.value(file, args[0], depth + 1) or unknown
        if pkg == "net" and name == "JoinHostPort" and len(args) == 2:
            h = self.value(file, args[0], depth + 1) or unknown
            p = self.value(file, args[1], depth + 1) or unknown
            return _concat(_concat(h, (F.Part("lit", ":"),)), p)
        if pkg in ("flag", "github.com/spf13/pflag") or name in ("String", "Int", "StringP", "IntP", "Uint", "Int64"):
            part = self.flag_part(file, name, args)
            if part is not None:
                return (part,)
        if not args and fn.type == "identifier":
            return self.func_value(file, fn, depth)
        if len(args) == 2 and "env" in name.lower():
            env = _lit_string(file, args[0])
            default = self.value(file, args[1], depth + 1)
            if env and _ENV_NAME.match(env) and default and all(p.kind == "lit" for p in default):
                return (F.Part("env", "".join(p.text or "" for p in default), env),)
        return unknown

    def func_value(self, file: GoFile, fn: Node, depth: int) -> tuple[F.Part, ...]:
        """What a parameterless function of the package returns: one value, or ``$VAR`` and a literal
        fallback (``port := os.Getenv("PORT"); if port == "" { return "8080" }; return port``)."""
        from golint_traefik.go import syncfacts

        unknown = (F.Part("unknown"),)
        b = scope.resolve(file, fn)
        if b is not None and b.kind != "package":
            return unknown
        found = syncfacts.top_funcs(self.package, file).get(file.text(fn))
        if found is None or depth > 4:
            return unknown
        f2, func = found
        values = []
        for n in scope.walk(func.child_by_field_name("body") or func):
            if n.type != "return_statement":
                continue
            vals = [c for c in n.named_children if c.type != "comment"]
            if len(vals) == 1 and vals[0].type == "expression_list":
                vals = list(vals[0].named_children)
            if len(vals) != 1:
                return unknown
            v = self.value(f2, vals[0], depth + 1)
            if v is None:
                return unknown
            if v not in values:
                values.append(v)
        if len(values) == 1:
            return values[0]
        envs = [v for v in values if len(v) == 1 and v[0].kind == "env" and v[0].text is None]
        lits = [v for v in values if len(v) == 1 and v[0].kind == "lit"]
        if len(values) == 2 and len(envs) == 1 and len(lits) == 1:
            return (F.Part("env", lits[0][0].text, envs[0][0].name),)
        return unknown

    def sprintf(self, file: GoFile, args: list[Node], depth: int) -> tuple[F.Part, ...]:
        unknown = (F.Part("unknown"),)
        fmt = self.value(file, args[0], depth + 1)
        if not fmt or any(p.kind != "lit" for p in fmt):
            return unknown
        text = "".join(p.text or "" for p in fmt)
        out: tuple[F.Part, ...] = ()
        i, ai = 0, 1
        while i < len(text):
            j = text.find("%", i)
            if j < 0:
                out = _concat(out, (F.Part("lit", text[i:]),))
                break
            if j > i:
                out = _concat(out, (F.Part("lit", text[i:j]),))
            if j + 1 < len(text) and text[j + 1] == "%":
                out = _concat(out, (F.Part("lit", "%"),))
                i = j + 2
                continue
            m = re.match(r"%[-+# 0]*\d*(?:\.\d+)?([a-zA-Z])", text[j:])
            if not m or m.group(1) not in "sdv" or ai >= len(args):
                return unknown
            out = _concat(out, self.value(file, args[ai], depth + 1) or unknown)
            ai += 1
            i = j + m.end()
        return out

    def tagged(self) -> dict[str, tuple[str | None, str | None, str | None]]:
        """Struct fields with configuration tags: field -> (env var, default, flag)
        (``env:"PORT" envDefault:"8080"``, envconfig, go-flags ``long:"port" default:"8080"``)."""
        key = "cross.tagged_fields"
        table = self.package.memo.get(key)
        if table is None:
            table = self.package.memo[key] = {}
            for f in self.files:
                if b"env" not in f.src and b"long:" not in f.src and b"default:" not in f.src:
                    continue
                for caps in f.matches(_FIELD_TAG_Q):
                    fld, tag = caps["field"][0], caps["tag"][0]
                    text = f.text(tag)
                    env = re.search(r'\b(?:env|envconfig)\s*:\s*"([^",]+)', text)
                    flag = re.search(r'\b(?:long|flag)\s*:\s*"([^",]+)', text)
                    if not env and not flag:
                        continue
                    dflt = re.search(r'\b(?:envDefault|default)\s*:\s*"([^"]*)"', text)
                    for n in fld.children_by_field_name("name"):
                        table.setdefault(f.text(n), (env.group(1) if env else None, dflt.group(1) if dflt else None,
                                                     flag.group(1) if flag else None))
        return table

    def field_value(self, file: GoFile, field: str) -> tuple[F.Part, ...]:
        """A config struct field: from its tags when this package declares it, else resolved when linking."""
        found = self.tagged().get(field)
        if found is None:
            return (F.Part("field", None, field),)
        return (tag_part(*found),)

    def duration(self, file: GoFile, expr: Node | None, depth: int = 0) -> tuple[float, bool] | None:
        """(amount, is a time.Duration unit product) of a duration expression; None when unknown."""
        if expr is None or depth > 6:
            return None
        expr = scope.unparen(expr)
        t = expr.type
        if t in ("int_literal", "float_literal"):
            try:
                return float(file.text(expr).replace("_", "")), False
            except ValueError:
                return None
        if t == "selector_expression":
            operand, field = expr.child_by_field_name("operand"), file.text(expr.child_by_field_name("field"))
            if self.import_path(file, operand) == "time" and field in _UNITS:
                return _UNITS[field], True
            return None
        if t == "binary_expression":
            op = file.text(expr.child_by_field_name("operator"))
            a = self.duration(file, expr.child_by_field_name("left"), depth + 1)
            b = self.duration(file, expr.child_by_field_name("right"), depth + 1)
            if a is None or b is None:
                return None
            if op == "*":
                return a[0] * b[0], a[1] or b[1]
            if op == "+":
                return a[0] + b[0], a[1] or b[1]
            if op == "-":
                return a[0] - b[0], a[1] or b[1]
            if op == "/" and b[0]:
                return a[0] / b[0], a[1] and not b[1]
            return None
        if t == "call_expression":
            fn = scope.unparen(expr.child_by_field_name("function"))
            args = _args(expr)
            if fn.type == "selector_expression" and self.import_path(file, fn.child_by_field_name("operand")) == "time" \
                    and file.text(fn.child_by_field_name("field")) == "Duration" and len(args) == 1:
                return self.duration(file, args[0], depth + 1)
            return None
        if t == "identifier":
            b = scope.resolve(file, expr)
            if b is None or b.kind == "package":
                found = self.package_value(file, file.text(expr))
                if found is None or found[1] is None:
                    return None
                return self.duration(found[0], found[1], depth + 1)
            if b.kind in ("var", "const") and b.value is not None:
                if b.kind == "var" and any(u.kind in ("write", "addr") for u in scope.uses(file, b)):
                    return None
                return self.duration(file, b.value, depth + 1)
        return None

    def seconds(self, file: GoFile, expr: Node | None) -> float | None:
        d = self.duration(file, expr)
        if d is None:
            return None
        amount, is_dur = d
        return amount if is_dur else amount * 1e-9

    # -------------------------------------------------------------- servers
    def handler_ref(self, file: GoFile, expr: Node | None) -> str | None:
        """What a server serves: a router key, ``default``, ``opaque`` or None (unknown)."""
        if expr is None:
            return "default"
        h = scope.unparen(expr)
        if file.text(h) == "nil" or httpfacts.is_pkg_selector(file, h, httpfacts.HTTP, ("DefaultServeMux",)):
            return "default"
        for _ in range(4):
            r = self.router_of(file, h)
            if r is not None and r.base != "?" and (r.typed or r.base.startswith(("ret:", "field:", "pvar:", "param:"))):
                return f"{r.base}|{r.prefix}"
            # Middleware around a router: handlers.LoggingHandler(os.Stdout, r), cors.Default().Handler(r) ...
            if h.type != "call_expression":
                break
            inner = [a for a in _args(h) if scope.unparen(a).type in ("identifier", "selector_expression", "call_expression", "unary_expression")]
            nxt = None
            for a in inner:
                r = self.router_of(file, a)
                if r is not None and r.typed and r.base != "?":
                    return f"{r.base}|{r.prefix}"
                if scope.unparen(a).type == "call_expression":
                    nxt = scope.unparen(a)
            if nxt is None:
                break
            h = nxt
        if h.type in ("identifier", "selector_expression") and self.router_of(file, h) is None:
            return None
        return "opaque"

    def addr_value(self, file: GoFile, node: Node | None) -> F.Value | None:
        if node is None:
            return None
        if node.type == "assignment_statement":  # srv.Addr = ...
            right = node.child_by_field_name("right")
            node = right.named_children[0] if right is not None and right.named_child_count == 1 else None
            if node is None:
                return None
        parts = self.value(file, node)
        if parts is None:
            return None
        return F.Value(parts, file.span(node))

    def timeouts(self, file: GoFile, fields: dict[str, Node]) -> tuple[F.Duration, ...]:
        out = []
        for name in _SERVER_TIMEOUTS:
            node = fields.get(name)
            if node is None:
                continue
            if node.type == "assignment_statement":
                right = node.child_by_field_name("right")
                node = right.named_children[0] if right is not None and right.named_child_count == 1 else node
            out.append(F.Duration(name, self.seconds(file, node), file.span(node)))
        return tuple(out)

    def extract_servers(self, file: GoFile) -> None:
        libs = self.libs(file)
        has_http = "net/http" in file.imports.values() or "net/http" in file.dot_imports
        listeners: dict[int, F.Server] = {}
        if "net" in file.imports.values() and b"Listen" in file.src:
            for c in imports.calls(file, ("net",), ("Listen",)):
                args = _args(c.call)
                if len(args) != 2:
                    continue
                srv = F.Server("net.Listen", file.span(c.call), self.addr_value(file, args[1]), None)
                owner = httpfacts.owner(file, c.call) or _first_target(file, c.call)
                if owner is not None:
                    listeners[owner.ident.id] = srv
                    handler = self.listener_handler(file, owner)
                    if handler is not None:
                        srv = F.Server(srv.via, srv.span, srv.addr, handler[0], handler[1], handler[2])
                self.servers.append(srv)
        if has_http:
            for s in httpfacts.servers(file):
                if s.kind == "func":
                    if s.name in ("Serve", "ServeTLS"):
                        continue  # on a listener: reported with net.Listen
                    self.servers.append(F.Server(f"http.{s.name}", file.span(s.node), self.addr_value(file, s.addr),
                                                 self.handler_ref(file, s.handler)))
                else:
                    handler = self._handler_override.get(s.node.id) or self.handler_ref(file, s.handler)
                    addr = self.addr_value(file, s.addr)
                    timeouts = self.timeouts(file, s.fields)
                    if addr is None and s.var is not None and self.served_on_listener(file, s.var):
                        continue
                    self.servers.append(F.Server("http.Server", file.span(s.node), addr, handler, timeouts))
        if not libs:
            return
        for caps in file.matches(_START_CALLS_Q):
            m = file.text(caps["m"][0])
            call, recv = caps["call"][0], caps["recv"][0]
            args = [c for c in caps["args"][0].named_children if c.type != "comment"]
            ref = self.router_of(file, recv)
            if ref is None or ref.lib not in ("gin", "echo", "fiber") or m not in _START_METHODS[ref.lib]:
                continue
            handler = f"{ref.base}|{ref.prefix}"
            span = file.span(call)
            if ref.lib == "gin":
                if m == "RunListener":
                    continue
                if not args:
                    addr = F.Value((F.Part("lit", ":"), F.Part("env", "8080", "PORT")), span)
                else:
                    addr = self.addr_value(file, args[0])
                self.servers.append(F.Server(f"gin.{m}", span, addr, handler, (), "gin"))
            elif ref.lib == "echo":
                timeouts = self.echo_timeouts(file, recv, call)
                if m == "StartServer":
                    lit = self.server_literal(file, args[0]) if args else None
                    if lit is not None:
                        self._handler_override[lit.id] = handler
                        # the http.Server literal was (or will be) reported by httpfacts; re-label it
                        self.relabel(file, lit, handler, timeouts)
                    continue
                self.servers.append(F.Server(f"echo.{m}", span, self.addr_value(file, args[0]) if args else None,
                                             handler, timeouts, "echo"))
            else:
                if m == "Listener":
                    continue
                timeouts = self.fiber_timeouts(file, recv)
                self.servers.append(F.Server(f"fiber.{m}", span, self.addr_value(file, args[0]) if args else None,
                                             handler, timeouts, "fiber"))

    def relabel(self, file: GoFile, lit: Node, handler: str, extra: tuple[F.Duration, ...]) -> None:
        span = file.span(lit)
        for i, s in enumerate(self.servers):
            if s.span == span:
                self.servers[i] = F.Server(s.via, s.span, s.addr, handler, s.timeouts + extra, "echo")

    def server_literal(self, file: GoFile, expr: Node) -> Node | None:
        e = scope.unparen(expr)
        if e.type == "unary_expression" and e.named_child_count == 1:
            e = scope.unparen(e.named_children[0])
        if e.type == "identifier":
            b = scope.resolve(file, e)
            if b is None or b.value is None:
                return None
            e = scope.unparen(b.value)
            if e.type == "unary_expression" and e.named_child_count == 1:
                e = scope.unparen(e.named_children[0])
        return e if e.type == "composite_literal" else None

    def echo_timeouts(self, file: GoFile, recv: Node, call: Node) -> tuple[F.Duration, ...]:
        """``e.Server.WriteTimeout = 10 * time.Second`` in the function that starts ``e``."""
        func = scope.enclosing_func(call)
        if func is None:
            return ()
        key = re.sub(r"\s+", "", file.text(recv))
        out = []
        for node in scope.walk(func.child_by_field_name("body") or func):
            if node.type != "assignment_statement":
                continue
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            if left is None or right is None or left.named_child_count != 1 or right.named_child_count != 1:
                continue
            text = re.sub(r"\s+", "", file.text(left.named_children[0]))
            for name in _SERVER_TIMEOUTS:
                if text == f"{key}.Server.{name}":
                    out.append(F.Duration(name, self.seconds(file, right.named_children[0]), file.span(right.named_children[0])))
        return tuple(out)

    def fiber_timeouts(self, file: GoFile, recv: Node) -> tuple[F.Duration, ...]:
        """Timeouts of the ``fiber.Config`` given to the ``fiber.New`` that made the app."""
        e = scope.unparen(recv)
        for _ in range(3):
            if e.type == "identifier":
                b = scope.resolve(file, e)
                if b is None or b.value is None:
                    return ()
                e = scope.unparen(b.value)
            elif e.type == "selector_expression":
                return ()
            else:
                break
        if e.type != "call_expression":
            return ()
        args = _args(e)
        if not args:
            return ()
        cfg = self.server_literal(file, args[0])
        if cfg is None:
            return ()
        return self.timeouts(file, httpfacts.literal_fields(file, cfg))

    def served_on_listener(self, file: GoFile, var: scope.Binding) -> bool:
        return any(u.kind == "method" and u.member in ("Serve", "ServeTLS") for u in scope.uses(file, var))

    def listener_handler(self, file: GoFile, ln: scope.Binding):
        """The handler served on a listener: ``http.Serve(ln, h)``, ``srv.Serve(ln)`` (srv an http.Server literal),
        ``r.RunListener(ln)``, ``app.Listener(ln)``: (handler, timeouts, library) or None."""
        for u in scope.uses(file, ln):
            if u.kind != "arg":
                continue
            call = scope.outer_paren(u.node).parent.parent
            if call is None or call.type != "call_expression":
                continue
            fn = scope.unparen(call.child_by_field_name("function"))
            args = _args(call)
            if httpfacts.is_pkg_selector(file, fn, httpfacts.HTTP, ("Serve", "ServeTLS")):
                return self.handler_ref(file, args[1] if len(args) > 1 else None), (), "net/http"
            if fn.type != "selector_expression":
                continue
            m = file.text(fn.child_by_field_name("field"))
            recv = fn.child_by_field_name("operand")
            if m in ("Serve", "ServeTLS"):
                lit = self.server_literal(file, recv)
                if lit is not None:
                    fields = httpfacts.literal_fields(file, lit)
                    owner = httpfacts.owner(file, lit) or httpfacts.owner(file, scope.outer_paren(lit).parent) \
                        if scope.outer_paren(lit).parent is not None else None
                    if owner is not None and scope.is_local(owner):
                        for k, stmt in httpfacts.assigned_fields(file, owner).items():
                            fields.setdefault(k, stmt)
                    return (self._handler_override.get(lit.id) or self.handler_ref(file, fields.get("Handler")),
                            self.timeouts(file, fields), "net/http")
            if m in ("RunListener", "Listener"):
                ref = self.router_of(file, recv)
                if ref is not None and ref.typed:
                    return f"{ref.base}|{ref.prefix}", self.fiber_timeouts(file, recv) if m == "Listener" else (), ref.lib
        return None

    # ------------------------------------------------------------- handlers
    def handler_key(self, file: GoFile, expr: Node | None, depth: int = 0) -> str | None:
        if expr is None or depth > 4:
            return None
        e = scope.unparen(expr)
        t = e.type
        if t == "func_literal":
            key = self.func_key(file, e)
            self.add_handler(file, key, e)
            return key
        if t == "identifier":
            b = scope.resolve(file, e)
            if b is None or b.kind == "package":
                return f"func:{self.dir}:{file.text(e)}"
            if b.value is not None:
                return self.handler_key(file, b.value, depth + 1)
            return None
        if t == "selector_expression":
            operand, field = e.child_by_field_name("operand"), file.text(e.child_by_field_name("field"))
            path = self.import_path(file, operand)
            if path is not None:
                return f"func:@{path}:{field}"
            return f"method:{field}"
        if t == "call_expression":
            fn = scope.unparen(e.child_by_field_name("function"))
            args = _args(e)
            if httpfacts.is_pkg_selector(file, fn, httpfacts.HTTP, ("HandlerFunc",)) and len(args) == 1:
                return self.handler_key(file, args[0], depth + 1)
            key = self.callee_key(file, fn)
            return f"ret:{key}" if key else None
        if t == "unary_expression" and e.named_child_count == 1:
            return self.handler_key(file, e.named_children[0], depth + 1)
        if t == "composite_literal":
            typ = e.child_by_field_name("type")
            if typ is not None and typ.type == "type_identifier":
                return f"type:{file.text(typ)}"
        return None

    def add_handler(self, file: GoFile, key: str, func: Node) -> None:
        if key in self.handlers:
            return
        blocking = self.blocking(file, func, follow=True)
        if blocking:
            name = func.child_by_field_name("name")
            where = file.span(name) if name is not None else file.span(func.children[0] if func.children else func)
            self.handlers[key] = F.Handler(key, where, blocking)

    def extract_handlers(self, file: GoFile) -> None:
        """Handler-shaped functions and methods, and the handler literals functions return."""
        if not (set(self.libs(file).values()) or "net/http" in file.imports.values()):
            return
        for func in scope.functions(file):
            if func.type == "func_literal":
                par = scope.outer_paren(func).parent
                if par is not None and par.type in ("return_statement", "expression_list", "argument_list"):
                    ret = par if par.type == "return_statement" else par.parent
                    if ret is not None and ret.type == "argument_list":  # return http.HandlerFunc(func...)
                        call = ret.parent
                        ret = scope.outer_paren(call).parent if call is not None else None
                        if ret is not None and ret.type == "expression_list":
                            ret = ret.parent
                    if ret is not None and ret.type == "return_statement":
                        outer = scope.enclosing_func(ret)
                        if outer is not None and self.is_handler_sig(file, func):
                            key = self.func_key(file, func)
                            self.returns[self.func_key(file, outer)] = key
                            self.add_handler(file, key, func)
                continue
            if not self.is_handler_sig(file, func):
                continue
            key = self.func_key(file, func)
            self.add_handler(file, key, func)
            name = func.child_by_field_name("name")
            if func.type == "method_declaration" and name is not None and file.text(name) == "ServeHTTP":
                from golint_traefik.go.syncfacts import receiver_of

                r = receiver_of(file, func)
                if r is not None and key in self.handlers:
                    tk = f"type:{r[0]}"
                    self.handlers[tk] = F.Handler(tk, self.handlers[key].span, self.handlers[key].blocking)

    def is_handler_sig(self, file: GoFile, func: Node) -> bool:
        params = func.child_by_field_name("parameters")
        return params is not None and bool(_HANDLER_PARAM.search(file.text(params)))

    def blocking(self, file: GoFile, func: Node, follow: bool) -> tuple[F.Blocking, ...]:
        memo_key = func.id * 2 + (1 if follow else 0)
        if memo_key in self._blocking_memo:
            return self._blocking_memo[memo_key]
        self._blocking_memo[memo_key] = ()
        body = func.child_by_field_name("body")
        out: list[F.Blocking] = []
        if body is None:
            return ()
        for n in scope.walk(body):
            t = n.type
            if t == "unary_expression" and n.children and n.children[0].type == "<-":
                if self.in_select_case(n):
                    continue
                operand = n.named_children[0] if n.named_child_count else None
                if operand is not None and self.bounded_channel(file, operand):
                    continue
                out.append(F.Blocking("receive", f"receives from {_short(file, operand)}", file.span(n)))
            elif t == "select_statement":
                if any(c.type == "default_case" for c in n.named_children):
                    continue
                bounded = False
                for case in n.named_children:
                    comm = case.child_by_field_name("communication") if case.type == "communication_case" else None
                    if comm is None:
                        continue
                    rx = comm if comm.type == "unary_expression" else comm.child_by_field_name("right")
                    if rx is not None and rx.type == "unary_expression" and rx.named_child_count and \
                            self.bounded_channel(file, rx.named_children[0]):
                        bounded = True
                    if comm.type == "send_statement":
                        continue
                if not bounded:
                    out.append(F.Blocking("receive", "waits in a select with no default case and no timeout",
                                          file.span(n.children[0] if n.children else n)))
            elif t == "for_statement":
                rc = next((c for c in n.named_children if c.type == "range_clause"), None)
                right = rc.child_by_field_name("right") if rc is not None else None
                if right is not None and self.is_channel(file, right):
                    out.append(F.Blocking("receive", f"ranges over channel {_short(file, right)}", file.span(rc)))
            elif t == "call_expression":
                b = self.blocking_call(file, n)
                if b is not None:
                    out.append(b)
                elif follow:
                    callee = self.local_callee(file, n)
                    if callee is not None:
                        cf, cnode, cname = callee
                        for inner in self.blocking_in(cf, cnode):
                            out.append(F.Blocking(inner.kind, inner.what, inner.span, inner.via or cname))
        result = tuple(out)
        self._blocking_memo[memo_key] = result
        return result

    def blocking_in(self, file: GoFile, func: Node) -> tuple[F.Blocking, ...]:
        return self.blocking(file, func, follow=False)

    def in_select_case(self, n: Node) -> bool:
        p = n.parent
        while p is not None and p.type in ("parenthesized_expression", "expression_list", "receive_statement"):
            p = p.parent
        return p is not None and p.type == "communication_case"

    def bounded_channel(self, file: GoFile, operand: Node) -> bool:
        """``time.After(d)``, ``t.C``, ``ctx.Done()``: a receive that ends by itself or with the request."""
        o = scope.unparen(operand)
        if o.type == "call_expression":
            fn = scope.unparen(o.child_by_field_name("function"))
            if fn.type == "selector_expression":
                name = file.text(fn.child_by_field_name("field"))
                if name in ("Done",) or self.import_path(file, fn.child_by_field_name("operand")) == "time" \
                        and name in ("After", "Tick"):
                    return True
        if o.type == "selector_expression" and file.text(o.child_by_field_name("field")) == "C":
            return True
        return False

    def is_channel(self, file: GoFile, expr: Node) -> bool:
        e = scope.unparen(expr)
        if e.type != "identifier":
            return False
        b = scope.resolve(file, e)
        if b is None:
            return False
        if b.type is not None and b.type.type == "channel_type":
            return True
        v = scope.unparen(b.value) if b.value is not None else None
        if v is not None and v.type == "call_expression":
            fn = v.child_by_field_name("function")
            a = _args(v)
            return fn is not None and file.text(fn) == "make" and bool(a) and a[0].type == "channel_type"
        return False

    def blocking_call(self, file: GoFile, call: Node) -> F.Blocking | None:
        fn = scope.unparen(call.child_by_field_name("function"))
        args = _args(call)
        if fn.type != "selector_expression":
            return None
        m = file.text(fn.child_by_field_name("field"))
        recv = fn.child_by_field_name("operand")
        if m in ("Lock", "RLock") and not args:
            return F.Blocking("lock", f"waits for the lock {_short(file, recv)}.{m}()", file.span(call))
        if m == "Wait" and not args:
            if decls.has_type(self.package, file, recv, ("sync",), "WaitGroup"):
                return F.Blocking("wait", f"waits for {_short(file, recv)}.Wait()", file.span(call))
            return None
        if m in ("Ping", "Query", "QueryRow", "Exec") and self.import_path(file, recv) is None:
            if decls.has_type(self.package, file, recv, ("database/sql",), "DB"):
                return F.Blocking("db", f"calls {_short(file, recv)}.{m}() without a context", file.span(call))
            return None
        if m in ("Get", "Post", "Head", "PostForm", "Do"):
            for rc in httpfacts.request_calls(self.package, file):
                if rc.call != call:
                    continue
                if self.request_bounded(file, rc, recv, args):
                    return None
                return F.Blocking("http", f"sends {rc.label}(...) with neither a context nor a client timeout",
                                  file.span(call))
        return None

    def request_bounded(self, file: GoFile, rc, recv: Node, args: list[Node]) -> bool:
        if rc.label.startswith("ctxhttp."):
            return True
        if rc.method == "Do" and args:
            origin = httpfacts._request_origin(file, args[0])
            if origin is not None and origin.type == "call_expression":
                fn = file.text(origin.child_by_field_name("function"))
                if fn.endswith("NewRequestWithContext"):
                    return True
            if self.uses_with_context(file, args[0]):
                return True
        if self.import_path(file, recv) == "net/http":
            return False  # http.Get & co.: the DefaultClient has no timeout
        if httpfacts.is_pkg_selector(file, recv, httpfacts.HTTP, ("DefaultClient",)):
            return False
        lit = self.client_literal(file, recv)
        if lit is None:
            return True  # a client made elsewhere: its timeout is not known, so nothing is claimed
        return "Timeout" in httpfacts.literal_fields(file, lit)

    def uses_with_context(self, file: GoFile, req: Node) -> bool:
        r = scope.unparen(req)
        if r.type == "call_expression":
            return file.text(r.child_by_field_name("function")).endswith(("WithContext", "Clone"))
        if r.type == "identifier":
            b = scope.resolve(file, r)
            if b is None:
                return False
            for u in scope.uses(file, b):
                if u.kind == "write":
                    v = _assigned_value(u.node)
                    if v is not None and file.text(v).endswith(")") and ".WithContext(" in file.text(v):
                        return True
        return False

    def client_literal(self, file: GoFile, recv: Node) -> Node | None:
        e = scope.unparen(recv)
        if e.type == "identifier":
            b = scope.resolve(file, e)
            value = b.value if b is not None else None
            if value is None:
                found = self.package_value(file, file.text(e)) if b is None or b.kind == "package" else None
                if found is None or found[1] is None:
                    return None
                file, value = found[0], found[1]
            return self.server_literal(file, value)
        if e.type == "composite_literal" or e.type == "unary_expression":
            return self.server_literal(file, e)
        return None

    def local_callee(self, file: GoFile, call: Node):
        """A function or (uniquely named) method of this package called by ``call``: (file, node, name)."""
        from golint_traefik.go import syncfacts

        fn = scope.unparen(call.child_by_field_name("function"))
        if fn.type == "identifier":
            found = syncfacts.top_funcs(self.package, file).get(file.text(fn))
            if found is None:
                return None
            b = scope.resolve(file, fn)
            if b is not None and b.kind != "package":
                return None
            return found[0], found[1], file.text(fn)
        if fn.type == "selector_expression":
            name = file.text(fn.child_by_field_name("field"))
            key = ("cross.methods_by_name", file.package_name)
            index = self.package.memo.get(key)
            if index is None:
                index = self.package.memo[key] = {}
                for (_, n), m in syncfacts.methods(self.package, file).items():
                    index.setdefault(n, []).append(m)
            cands = index.get(name, ())
            if len(cands) == 1 and self.import_path(file, fn.child_by_field_name("operand")) is None:
                return cands[0].file, cands[0].node, name
        return None

    # ----------------------------------------------------------------- run
    def run(self) -> F.PackageFacts:
        main_span = None
        for f in self.files:
            if f.package_name == "main":
                for child in f.root.named_children:
                    if child.type == "function_declaration":
                        name = child.child_by_field_name("name")
                        if name is not None and f.text(name) == "main":
                            main_span = f.span(name)
            self.extract_routes(f)
            self.extract_edges(f)
            self.extract_servers(f)
            self.extract_handlers(f)
        imports_ = sorted({p for f in self.files for p in f.imports.values()} | {p for f in self.files for p in f.dot_imports})
        package = "main" if any(f.package_name == "main" for f in self.files) else \
            (self.files[0].package_name if self.files else "")
        seen = set()
        edges = []
        for e in self.edges:
            k = (e.parent, e.prefix, e.child)
            if k not in seen:
                seen.add(k)
                edges.append(e)
        return F.PackageFacts(
            directory=self.dir, display_dir=self.display_dir, package=package,
            files=tuple(f.path for f in self.files), imports=tuple(imports_),
            routes=tuple(self.routes), edges=tuple(edges), servers=tuple(self.servers),
            handlers=tuple(self.handlers.values()), returns=tuple(sorted(self.returns.items())), main_span=main_span,
            tagged=tuple(sorted((k, *v) for k, v in self.tagged().items())),
        )


# Top-level packages of the standard library (module paths without a dot may be the program's own).
_STDLIB = frozenset({
    "archive", "bufio", "builtin", "bytes", "cmp", "compress", "container", "context", "crypto", "database", "debug",
    "embed", "encoding", "errors", "expvar", "flag", "fmt", "go", "hash", "html", "image", "index", "io", "iter", "log",
    "maps", "math", "mime", "net", "os", "path", "plugin", "reflect", "regexp", "runtime", "slices", "sort", "strconv",
    "strings", "structs", "sync", "syscall", "testing", "text", "time", "unicode", "unique", "unsafe", "weak",
})
_UNITS = {"Nanosecond": 1e-9, "Microsecond": 1e-6, "Millisecond": 1e-3, "Second": 1.0, "Minute": 60.0, "Hour": 3600.0}
_START_METHODS = {
    "gin": frozenset({"Run", "RunTLS", "RunListener"}),
    "echo": frozenset({"Start", "StartTLS", "StartAutoTLS", "StartH2CServer", "StartServer"}),
    "fiber": frozenset({"Listen", "ListenTLS", "ListenMutualTLS", "Listener"}),
}
_ALL_START_METHODS = frozenset().union(*_START_METHODS.values())
_ROUTE_CALLS_Q = _sel_calls(_ALL_ROUTE_METHODS)
_START_CALLS_Q = _sel_calls(_ALL_START_METHODS)


def tag_part(env: str | None, default: str | None, flag: str | None) -> F.Part:
    """The value of a tagged config field: the environment variable wins over the flag's default."""
    if env:
        return F.Part("env", default, env)
    return F.Part("flag", default, flag)


def _concat(a: tuple[F.Part, ...], b: tuple[F.Part, ...]) -> tuple[F.Part, ...]:
    if a and b and a[-1].kind == "lit" and b[0].kind == "lit":
        return a[:-1] + (F.Part("lit", (a[-1].text or "") + (b[0].text or "")),) + b[1:]
    return a + b


def _servemux_split(pattern: str, syntax: str) -> tuple[str, tuple[str, ...]]:
    """``"GET example.com/x"`` -> ("/x", ("GET",)) for Go 1.22 patterns."""
    methods: tuple[str, ...] = ()
    if syntax == "servemux":
        m = re.match(r"^([A-Z]+)\s+(.*)$", pattern)
        if m:
            methods = (m.group(1),)
            pattern = m.group(2).strip()
    if not pattern.startswith("/"):
        slash = pattern.find("/")
        pattern = pattern[slash:] if slash >= 0 else "/"
    return pattern, methods


def _assigned_value(ident: Node) -> Node | None:
    """For ``x = v`` (one value per name), the ``v`` assigned to the identifier ``ident``."""
    n = scope.outer_paren(ident)
    left = n.parent
    if left is None or left.type != "expression_list":
        return None
    stmt = left.parent
    if stmt is None or stmt.type not in ("assignment_statement", "short_var_declaration"):
        return None
    right = stmt.child_by_field_name("right")
    if right is None or right.named_child_count != left.named_child_count:
        return None
    return right.named_children[list(left.named_children).index(n)]


def _first_target(file: GoFile, call: Node) -> scope.Binding | None:
    """``ln, err := net.Listen(...)``: the binding of ``ln``."""
    t = scope.assignment_target(file, call, 0)
    if t is None or t.type != "identifier":
        return None
    return scope.resolve(file, t)


def _short(file: GoFile, node: Node | None) -> str:
    if node is None:
        return "a channel"
    text = re.sub(r"\s+", " ", file.text(node))
    return text if len(text) <= 40 else text[:37] + "..."


_MARKERS = (b"net/http", b"\"net\"", b"gorilla/mux", b"go-chi/chi", b"pressly/chi", b"gin-gonic", b"labstack/echo",
            b"gofiber/fiber")


def package_facts(package: GoPackage, directory: str) -> F.PackageFacts | None:
    """The facts of one package, or None when it holds nothing the cross-checks use."""
    files = [f for f in package.files if not f.is_test]
    if not files:
        return None
    relevant = any(m in f.src for f in files for m in _MARKERS)
    if not relevant and not any(f.package_name == "main" for f in files):
        return None
    display = posixpath.dirname(files[0].path) or "."
    ex = _Extractor(package, directory, display)
    facts = ex.run()
    return facts if facts.relevant else None
