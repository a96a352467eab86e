"""Package-level declarations across the files of a package: struct fields and variables.

Without a type checker, ``s.wg.Add(1)`` can still be known to call a
``sync.WaitGroup`` method when every struct field named ``wg`` in the package
is declared with that type.  These helpers index the package once
(``package.memo``) and answer such questions.
"""

from __future__ import annotations

import operator
import re

from golint_traefik.go import imports
from golint_traefik.go.scope import Binding, resolve
from golint_traefik.go.source import GoFile, GoPackage, Node, words

_START = operator.attrgetter("start_byte")

_FIELDS_Q = "(field_declaration type: (_) @type) @field"
_STRUCT_KW = re.compile(rb"struct\b")  # with source.words: at a word boundary


def field_types(package: GoPackage, file: GoFile) -> dict[str, list[tuple[GoFile, Node]]]:
    """Field name -> (file, type node) for every struct field declared in ``file``'s package.

    Embedded fields are indexed under their type name (``sync.WaitGroup`` -> ``WaitGroup``).
    """

    def build():
        out: dict[str, list[tuple[GoFile, Node]]] = {}
        for f in _files(package, file):
            for caps in (caps for struct in _outer_structs(f) for caps in f.matches(_FIELDS_Q, struct)):
                field, typ = caps["field"][0], caps["type"][0]
                for k in field_names(f, field, typ):
                    out.setdefault(k, []).append((f, typ))
        return out

    return _memo(package, ("decls.fields", file.package_name), build)


def field_names(f: GoFile, field: Node, typ: Node) -> list[str]:
    """The names a struct's field declaration gives (``a, b int``); an embedded field is named by
    its type (``sync.WaitGroup`` and ``*WaitGroup`` -> ``WaitGroup``)."""
    names = field.children_by_field_name("name")
    if names:
        return [f.text(n) for n in names]
    base = typ.named_children[0] if typ.type == "pointer_type" and typ.named_child_count else typ
    tname = base.child_by_field_name("name") if base.type == "qualified_type" else base
    return [f.text(tname)] if tname is not None else []


def _outer_structs(f: GoFile) -> list[Node]:
    """The outermost ``struct { ... }`` types of ``f`` (fields are declared only there), found from the
    ``struct`` keywords of the text: most files have few, and a query over them alone visits far
    fewer nodes than one over the whole tree."""
    out: list[Node] = []
    end = -1
    for m in words(_STRUCT_KW, f.src):
        if m.start() < end:
            continue  # inside the struct just taken
        kw = f.root.descendant_for_byte_range(m.start(), m.end())
        st = kw.parent if kw is not None and kw.type == "struct" else None
        if st is not None and st.type == "struct_type":
            out.append(st)
            end = st.end_byte
    return out


def package_var(package: GoPackage, file: GoFile, name: str) -> tuple[GoFile, Binding] | None:
    """The package-level ``var`` named ``name`` in ``file``'s package, with the file declaring it
    (its bindings are resolved only once some name asked for is one of them)."""
    if name not in package_var_names(package, file):
        return None

    def build():
        out: dict[str, tuple[GoFile, Binding]] = {}
        for f in _files(package, file):
            for decl in f.top_by_type.get("var_declaration", ()):
                for ident in _names(decl):
                    b = resolve(f, ident)
                    if b is not None:
                        out.setdefault(b.name, (f, b))
        return out

    return _memo(package, ("decls.vars", file.package_name), build).get(name)


def package_var_names(package: GoPackage | None, file: GoFile) -> frozenset[str]:
    """Names of the package-level variables of ``file``'s package (from the text of the top-level
    ``var`` blocks, nothing resolved)."""

    def build():
        return frozenset(f.text(n) for f in _files(package, file)
                         for decl in f.top_by_type.get("var_declaration", ()) for n in _names(decl))

    return _memo(package, ("decls.var_names", file.package_name), build)


def _names(decl: Node):
    for c in decl.named_children:
        specs = c.named_children if c.type == "var_spec_list" else [c]
        for spec in specs:
            if spec.type == "var_spec":
                yield from spec.children_by_field_name("name")


def _files(package: GoPackage, file: GoFile) -> list[GoFile]:
    files = package.same_package(file) if package is not None else []
    return files if file in files else [file, *files]


def _memo(package: GoPackage | None, key, build):
    if package is None:
        return build()
    try:
        return package.memo[key]
    except KeyError:
        value = package.memo[key] = build()
        return value


def has_type(package: GoPackage | None, file: GoFile, expr: Node, paths, name: str) -> bool | None:
    """Whether ``expr`` (a variable ``x`` or a field selector ``s.f``) is declared as ``pkg.name``
    or ``*pkg.name``: True, False, or None when the declaration says nothing either way.

    A local or package variable counts by its written type or by its initialiser (``T{}``,
    ``&T{}``, ``new(T)``); a field selector by the declared types of every struct field of the
    package with that name (all must agree).
    """
    while expr.type == "parenthesized_expression" and expr.named_child_count == 1:
        expr = expr.named_children[0]
    if expr.type == "identifier":
        b = resolve(file, expr)
        owner = file
        if b is None:
            found = package_var(package, file, file.text(expr))
            if found is None:
                return None
            owner, b = found
        if b.type is not None:
            return imports.is_type(owner, b.type, paths, name)
        if b.value is None:
            return None
        if imports.is_constructed(owner, b.value, paths, name):
            return True
        value = b.value
        if value.type == "unary_expression" and value.named_child_count == 1:
            value = value.named_children[0]
        return False if value.type == "composite_literal" else None
    if expr.type == "selector_expression":
        field = expr.child_by_field_name("field")
        fields = field_types(package, file).get(file.text(field)) if field is not None else None
        if not fields:
            return None
        typed = [imports.is_type(g, t, paths, name) for g, t in fields]
        return True if all(typed) else False if not any(typed) else None
    return None


def receiver_type(file: GoFile, method: Node) -> str | None:
    """The base type name of a method's receiver (``*T``, ``T[K]`` -> ``T``); None for functions."""
    recv = method.child_by_field_name("receiver")
    if recv is None:
        return None
    decl = next((c for c in recv.named_children if c.type == "parameter_declaration"), None)
    t = decl.child_by_field_name("type") if decl is not None else None
    while t is not None and t.type in ("pointer_type", "generic_type", "parenthesized_type"):
        t = t.child_by_field_name("type") if t.type == "generic_type" else \
            (t.named_children[0] if t.named_child_count else None)
    return file.text(t) if t is not None and t.type == "type_identifier" else None


def functions(package: GoPackage | None, file: GoFile) -> dict[tuple[str | None, str], list[tuple[GoFile, Node]]]:
    """(receiver type name or None, name) -> (file, declaration) for the functions and methods of
    ``file``'s package (several when build tags give one name several bodies)."""

    def build():
        out: dict[tuple[str | None, str], list[tuple[GoFile, Node]]] = {}
        for f in _files(package, file):
            by_type = f.top_by_type  # Go declares functions and methods at the top level only
            funcs = by_type.get("function_declaration", ()) + by_type.get("method_declaration", ())
            for func in sorted(funcs, key=_START):
                name = func.child_by_field_name("name")
                if name is None:
                    continue
                rtype = receiver_type(f, func) if func.type == "method_declaration" else None
                if func.type == "method_declaration" and rtype is None:
                    continue
                out.setdefault((rtype, f.text(name)), []).append((f, func))
        return out

    return _memo(package, ("decls.functions", file.package_name), build)


def callee(package: GoPackage | None, file: GoFile, fn: Node) -> tuple[GoFile, Node] | None:
    """The declaration a call's function expression ``fn`` goes to, when syntax can tell:

    * ``name(...)`` with ``name`` not declared locally and declared once as a function of the package;
    * ``r.name(...)`` with ``r`` the receiver of the enclosing method and ``name`` declared once as a
      method of the same receiver type;
    * ``v.name(...)`` with ``v`` a local initialised with ``&T{...}``, ``T{...}`` or ``new(T)`` of a
      package type ``T`` that has a method ``name``.
    """
    from golint_traefik.go import scope

    fn = scope.unparen(fn)
    if fn.type == "identifier":
        b = resolve(file, fn)
        if b is not None and (b.kind != "package" or b.decl.type != "function_declaration"):
            return None  # a local, or a package variable holding a function
        if b is None and file.text(fn) in file.imports:
            return None
        found = functions(package, file).get((None, file.text(fn)), [])
    elif fn.type == "selector_expression":
        operand = scope.unparen(fn.child_by_field_name("operand"))
        if operand.type != "identifier":
            return None
        b = resolve(file, operand)
        if b is None or b.func is None:
            return None
        if b.kind == "receiver":
            rtype = receiver_type(file, b.func)
        elif b.kind == "var":
            rtype = _constructed_type(file, b.value)
        else:
            return None
        found = functions(package, file).get((rtype, file.text(fn.child_by_field_name("field"))), []) if rtype else []
    else:
        return None
    return found[0] if len(found) == 1 else None


def _constructed_type(file: GoFile, value: Node | None) -> str | None:
    """``T`` for a value ``&T{...}``, ``T{...}`` or ``new(T)`` of a plain (unqualified) type name."""
    if value is None:
        return None
    if value.type == "unary_expression" and value.named_child_count == 1 and file.text(value).startswith("&"):
        value = value.named_children[0]
    t = None
    if value.type == "composite_literal":
        t = value.child_by_field_name("type")
    elif value.type == "call_expression":
        fn, args = value.child_by_field_name("function"), value.child_by_field_name("arguments")
        if fn is not None and file.text(fn) == "new" and args is not None and args.named_child_count == 1:
            t = args.named_children[0]
    return file.text(t) if t is not None and t.type == "type_identifier" else None
