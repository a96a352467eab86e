"""Functions, local bindings and how each use of a local is used, from syntax alone.

The questions leak rules ask about a local variable are few: where was it
declared, where is it read, and does any read hand the value to someone else
(returned, stored, passed, sent, captured)?  This module answers them with
Go's block-scoping rules applied to the tree-sitter tree; there are no types.

* :func:`resolve` maps an identifier to the :class:`Binding` it refers to
  (``None`` for names declared in other files, builtins, or unresolvable).
* :func:`uses` lists the identifiers that refer to a binding, and
  :func:`use_of` says how one of them is used (a :class:`Use`).
* :func:`enclosing_func`, :func:`functions`, :func:`never_returns` and
  friends answer questions about function bodies.

Everything works on one :class:`~golint_traefik.go.source.GoFile`; results
that are expensive are memoised on it (``file.memo``).
"""

from __future__ import annotations

import re
from typing import Callable, Iterator, NamedTuple

from golint_traefik.go.source import GoFile, Node, words

FUNC_TYPES = frozenset({"function_declaration", "method_declaration", "func_literal"})
LOOP_TYPES = frozenset({"for_statement"})
_BREAKABLE = frozenset({"for_statement", "expression_switch_statement", "type_switch_statement", "select_statement"})
_PARAMS = ("receiver", "parameters", "result")

# How a use reads the value (see Use.kind).  HANDOFF kinds give the value to
# code we cannot see; a leak rule treats any of them as "someone else owns it".
HANDOFF = frozenset({"arg", "return", "alias", "store", "send", "composite", "addr"})
NOT_READ = frozenset({"write", "blank"})
_ASSIGNING = frozenset({"assignment_statement", "short_var_declaration", "var_spec", "receive_statement", "range_clause"})


class Binding(NamedTuple):
    """A declared name.  ``scope`` is the node whose subtree can see it (after ``ident``)."""

    name: str
    ident: Node  # the declaring identifier
    kind: str  # var | const | param | result | receiver | range | package
    decl: Node  # short_var_declaration, var_spec, parameter_declaration, range_clause, ...
    scope: Node
    func: Node | None  # the declaring function (None at package level)
    type: Node | None = None  # the written type, if any
    value: Node | None = None  # the initialiser of this very name, if one-to-one

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Binding) and other.ident.id == self.ident.id

    def __hash__(self) -> int:
        return hash(self.ident.id)


class Use(NamedTuple):
    """One identifier referring to a binding, and what the code does with it.

    ``kind`` is one of: ``call`` (``x()``), ``method`` (``x.M()``, ``member`` = M),
    ``field`` (``x.F`` not called), ``write`` (assigned to), ``blank`` (``_ = x``),
    ``arg``, ``return``, ``alias`` (``y = x``), ``store`` (``s.f = x``, ``m[k] = x``),
    ``send``, ``composite`` (element of a literal), ``addr`` (``&x``),
    ``range`` (``range x``) or ``other`` (comparisons, conversions, ...).
    ``closure`` is the outermost function literal between the use and the
    binding's function, or ``None`` when the use runs in the declaring function.
    """

    node: Node
    kind: str
    member: str | None = None
    closure: Node | None = None

    @property
    def is_read(self) -> bool:
        return self.kind not in NOT_READ

    @property
    def hands_off(self) -> bool:
        return self.kind in HANDOFF


# ------------------------------------------------------------ tree helpers


def within(node: Node, ancestor: Node) -> bool:
    """Whether ``node`` lies inside ``ancestor`` (byte ranges; a node is within itself)."""
    return ancestor.start_byte <= node.start_byte and node.end_byte <= ancestor.end_byte


def unparen(node: Node) -> Node:
    while node.type == "parenthesized_expression" and node.named_child_count == 1:
        node = node.named_children[0]
    return node


def outer_paren(node: Node) -> Node:
    while node.parent is not None and node.parent.type == "parenthesized_expression":
        node = node.parent
    return node


def enclosing_func(node: Node) -> Node | None:
    """The innermost function declaration, method or function literal around ``node``."""
    n = node.parent
    while n is not None and n.type not in FUNC_TYPES:
        n = n.parent
    return n


def closures_between(node: Node, func: Node | None) -> list[Node]:
    """Function literals around ``node`` that sit inside ``func``, innermost first."""
    out = []
    n = node.parent
    while n is not None and n != func:
        if n.type == "func_literal":
            out.append(n)
        n = n.parent
    return out


_FUNC_KW = re.compile(rb"func\b")  # with source.words: at a word boundary


def functions(file: GoFile) -> list[Node]:
    """Every function, method and function literal of the file, in source order (found from the
    ``func`` keywords of the text, checked on the tree)."""

    def build() -> list[Node]:
        out = []
        root = file.root
        for m in words(_FUNC_KW, file.src):
            kw = root.descendant_for_byte_range(m.start(), m.end())
            if kw is not None and kw.type == "func" and kw.parent is not None and kw.parent.type in FUNC_TYPES:
                out.append(kw.parent)
        return out

    return file.memo_get("scope.functions", build)


def body(func: Node) -> Node | None:
    return func.child_by_field_name("body")


def statement_of(node: Node) -> Node | None:
    """The statement that directly holds ``node`` in a statement list (or None)."""
    n = node
    while n.parent is not None and n.parent.type != "statement_list":
        if n.type in FUNC_TYPES:
            return None
        n = n.parent
    return n if n.parent is not None else None


def loops_between(node: Node, stop: Node | None) -> list[Node]:
    """``for`` statements around ``node`` below ``stop``, innermost first."""
    out = []
    n = node.parent
    while n is not None and n != stop and n.type not in FUNC_TYPES:
        if n.type in LOOP_TYPES:
            out.append(n)
        n = n.parent
    return out


def walk(node: Node, skip_funcs: bool = True) -> Iterator[Node]:
    """Named descendants of ``node`` in source order, not entering function literals."""
    stack = list(reversed(node.named_children))
    while stack:
        n = stack.pop()
        yield n
        if skip_funcs and n.type == "func_literal":
            continue
        stack.extend(reversed(n.named_children))


# ------------------------------------------------------------ declarations


def _ident_list(node: Node | None) -> list[Node]:
    if node is None:
        return []
    if node.type == "identifier":
        return [node]
    return [c for c in node.named_children if c.type == "identifier"] if node.type == "expression_list" else []


def _values(node: Node | None) -> list[Node]:
    if node is None:
        return []
    return list(node.named_children) if node.type == "expression_list" else [node]


def _has_token(node: Node, token: str) -> bool:
    return any(not c.is_named and c.type == token for c in node.children)


def _declares(stmt: Node) -> Iterator[tuple[Node, str, Node, Node | None, Node | None]]:
    """(ident, kind, decl, type, value) for each name a declaring statement introduces."""
    t = stmt.type
    if t == "short_var_declaration":
        left = _ident_list(stmt.child_by_field_name("left"))
        right = _values(stmt.child_by_field_name("right"))
        for i, ident in enumerate(left):
            yield ident, "var", stmt, None, right[i] if len(right) == len(left) else None
    elif t in ("var_declaration", "const_declaration"):
        for spec in _specs(stmt):
            names = spec.children_by_field_name("name")
            vals = _values(spec.child_by_field_name("value"))
            typ = spec.child_by_field_name("type")
            kind = "var" if spec.type == "var_spec" else "const"
            for i, ident in enumerate(names):
                yield ident, kind, spec, typ, vals[i] if len(vals) == len(names) else None
    elif t == "labeled_statement":
        for c in stmt.named_children:
            if c.type != "label_name":
                yield from _declares(c)


def _specs(decl: Node) -> Iterator[Node]:
    for c in decl.named_children:
        if c.type in ("var_spec", "const_spec"):
            yield c
        elif c.type in ("var_spec_list", "const_spec_list"):
            yield from (s for s in c.named_children if s.type in ("var_spec", "const_spec"))


def _params(func: Node) -> Iterator[tuple[Node, str, Node, Node | None]]:
    for field, kind in zip(_PARAMS, ("receiver", "param", "result")):
        plist = func.child_by_field_name(field)
        if plist is None or plist.type != "parameter_list":
            continue
        for decl in plist.named_children:
            if decl.type in ("parameter_declaration", "variadic_parameter_declaration"):
                typ = decl.child_by_field_name("type")
                for ident in decl.children_by_field_name("name"):
                    yield ident, kind, decl, typ


def _bind(file: GoFile, ident: Node, kind: str, decl: Node, scope: Node, func: Node | None,
          typ: Node | None = None, value: Node | None = None) -> Binding:
    return Binding(file.text(ident), ident, kind, decl, scope, func, typ, value)


def _list_decls(file: GoFile, lst: Node) -> tuple[dict[bytes, list], dict[int, int]]:
    """A statement list's declarations by name, ``[(statement index, ident, kind, decl, type, value)]`` in
    order, and statement id -> index; built once per list, so that resolving stays linear in big functions."""

    def build():
        by_name: dict[bytes, list] = {}
        index: dict[int, int] = {}
        for i, stmt in enumerate(lst.named_children):
            index[stmt.id] = i
            for d in _declares(stmt):
                by_name.setdefault(file.src[d[0].start_byte:d[0].end_byte], []).append((i, *d))
        return by_name, index

    return file.memo_get(("scope.list_decls", lst.id), build)


def _declared_in(file: GoFile, node: Node, child: Node, name: bytes, ident: Node) -> Binding | None:
    """The binding of ``name`` that ``node`` makes visible to its child ``child``."""
    t = node.type
    src = file.src

    def named(n: Node) -> bool:
        return src[n.start_byte:n.end_byte] == name

    if t == "statement_list":  # the first declaration before ``child`` (or by ``ident`` itself in it)
        decls, index = _list_decls(file, node)
        at = index.get(child.id, len(index))
        for i, d_ident, kind, decl, typ, value in decls.get(name, ()):
            if i > at:
                return None
            if i < at or d_ident == ident:
                return _bind(file, d_ident, kind, decl, node, enclosing_func(node), typ, value)
        return None
    if t in ("if_statement", "expression_switch_statement", "type_switch_statement", "for_clause"):
        init = node.child_by_field_name("initializer")
        if init is not None and (child != init or ident.parent is not None and ident.parent.parent == init):
            for d_ident, kind, decl, typ, value in _declares(init):
                if named(d_ident) and (child != init or d_ident == ident):
                    return _bind(file, d_ident, kind, decl, node, enclosing_func(node), typ, value)
        if t == "type_switch_statement" and child.type == "type_case":
            for d_ident in _ident_list(node.child_by_field_name("alias")):
                if named(d_ident):
                    return _bind(file, d_ident, "var", node, node, enclosing_func(node))
        return None
    if t == "for_statement" and child == node.child_by_field_name("body"):
        for c in node.named_children:
            if c.type == "range_clause" and _has_token(c, ":="):
                for d_ident in _ident_list(c.child_by_field_name("left")):
                    if named(d_ident):
                        return _bind(file, d_ident, "range", c, node, enclosing_func(node))
            elif c.type == "for_clause":
                b = _declared_in(file, c, node, name, ident)
                if b is not None:
                    return b
        return None
    if t == "range_clause" and child == node.child_by_field_name("left") and _has_token(node, ":="):
        if ident in _ident_list(child):
            return _bind(file, ident, "range", node, node.parent, enclosing_func(node))
        return None
    if t == "communication_case" and child.type == "statement_list":
        comm = node.child_by_field_name("communication")
        if comm is not None and comm.type == "receive_statement" and _has_token(comm, ":="):
            for d_ident in _ident_list(comm.child_by_field_name("left")):
                if named(d_ident):
                    return _bind(file, d_ident, "var", comm, node, enclosing_func(node))
        return None
    if t in FUNC_TYPES and (child == node.child_by_field_name("body") or child.type == "parameter_list"):
        in_params = child.type == "parameter_list"  # only the parameter's own name resolves to it there
        for d_ident, kind, decl, typ in _params(node):
            if named(d_ident) and (not in_params or d_ident == ident):
                return _bind(file, d_ident, kind, decl, node, node, typ)
        return None
    if t == "source_file":
        return _package_level(file).get(name)
    return None


# The nodes that declare names for their children (see _declared_in); resolving skips the others.
_SCOPES = frozenset({"statement_list", "if_statement", "expression_switch_statement", "type_switch_statement",
                     "for_clause", "for_statement", "range_clause", "communication_case", "source_file",
                     *FUNC_TYPES})


def _package_level(file: GoFile) -> dict[bytes, Binding]:
    """This file's package-level variables, constants and functions, by name (first wins)."""

    def build() -> dict[bytes, Binding]:
        out: dict[bytes, Binding] = {}
        root = file.root
        by_type = file.top_by_type  # only these top-level nodes declare names
        decls = by_type.get("var_declaration", ()) + by_type.get("const_declaration", ()) \
            + by_type.get("function_declaration", ())
        for stmt in sorted(decls, key=lambda n: n.start_byte):
            found = [(d[0], d[2], d[3], d[4]) for d in _declares(stmt)]
            if stmt.type == "function_declaration" and stmt.child_by_field_name("name") is not None:
                found.append((stmt.child_by_field_name("name"), stmt, None, None))
            for ident, decl, typ, value in found:
                key = file.src[ident.start_byte:ident.end_byte]
                if key not in out:
                    out[key] = Binding(file.text(ident), ident, "package", decl, root, None, typ, value)
        return out

    return file.memo_get("scope.package_level", build)


def resolve(file: GoFile, ident: Node) -> Binding | None:
    """The declaration ``ident`` refers to, following Go's block scoping.

    Returns bindings of this file only: locals, parameters, results and this
    file's package-level declarations (``kind == "package"``).  ``None`` means
    declared elsewhere (another file of the package, a builtin) or unknown.
    """
    name = file.src[ident.start_byte:ident.end_byte]
    if name == b"_":
        return None
    child, node = ident, ident.parent
    while node is not None:
        if node.type in _SCOPES:
            b = _declared_in(file, node, child, name, ident)
            if b is not None:
                return b
        child, node = node, node.parent
    return None


def is_local(b: Binding | None) -> bool:
    return b is not None and b.func is not None


def _idents_named(file: GoFile, node: Node, name: bytes) -> Iterator[Node]:
    """The identifiers spelt ``name`` inside ``node``, in source order: the word's occurrences in the
    text, each checked on the tree (a scope mentions a name a few times; a query, or an index of every
    identifier, would visit all of them)."""
    return idents_between(file, node.start_byte, node.end_byte, name)


def idents_between(file: GoFile, start: int, end: int, name: bytes) -> Iterator[Node]:
    """The identifiers spelt ``name`` between the bytes ``start`` and ``end``, in source order."""
    return file.spelt(name, "identifier", start, end)


# Where a name is declared: the parents of a declaring identifier (see _declares and _params), and the
# statements whose left-hand expression list declares (``x, y := ...``, ``range``, ``case v := <-c``,
# ``switch v := x.(type)``).
_NAME_PARENTS = frozenset({"var_spec", "const_spec", "parameter_declaration", "variadic_parameter_declaration"})
_LEFT_DECLARES = frozenset({"short_var_declaration", "range_clause", "receive_statement", "type_switch_statement"})


def sole_binding_from(file: GoFile, b: Binding, later: list[Node]) -> int | None:
    """The end of the statement declaring ``b`` when every identifier of ``later`` (those spelt like
    ``b`` after it in its scope) that lies after that statement surely resolves to ``b``: ``b`` is
    declared in a statement list, by the first declaration of its name there, and none of ``later``
    stands where a name is declared -- so no block, function literal, ``if``/``for``/``switch`` header
    or ``select`` case in between declares the name again (:func:`resolve` would stop there).  None
    when that is not so; then each identifier must be resolved."""
    lst = b.scope
    if lst.type != "statement_list":
        return None
    stmt = b.ident
    while stmt.parent is not None and stmt.parent != lst:
        stmt = stmt.parent
    if stmt.parent is None:
        return None
    if next(idents_between(file, stmt.start_byte, b.ident.start_byte, b.name.encode()), None) is not None:
        return None  # `x, x := ...`: an earlier declaration of the name in the same statement
    for n in later:
        par = n.parent
        if par.type in _NAME_PARENTS:
            return None
        if par.type == "expression_list":
            n, par = par, par.parent
        if par.type in _LEFT_DECLARES and n != par.child_by_field_name("right") \
                and n != par.child_by_field_name("value"):
            return None
    return stmt.end_byte


def uses(file: GoFile, b: Binding) -> list[Use]:
    """Every identifier (other than the declaring one) that refers to ``b``, classified."""
    key = ("scope.uses", b.ident.id)
    cached = file.memo.get(key)
    if cached is not None:
        return cached
    name = b.name.encode()
    out = []
    before_ok = b.kind in ("param", "result", "receiver", "package")  # visible before the declaring name
    found = [n for n in _idents_named(file, b.scope, name)
             if n != b.ident and (n.start_byte > b.ident.start_byte or before_ok)]
    # Identifiers after the declaring statement need no resolving when nothing can declare the name again.
    sure = sole_binding_from(file, b, [n for n in found if n.start_byte > b.ident.start_byte])
    for n in found:
        if sure is not None and n.start_byte >= sure or resolve(file, n) == b:
            out.append(use_of(file, n, b.func))
    out.sort(key=lambda u: u.node.start_byte)
    file.memo[key] = out
    return out


def use_of(file: GoFile, ident: Node, func: Node | None) -> Use:
    """Classify how the expression ``ident`` is used (see :class:`Use`)."""
    closures = closures_between(ident, func)
    closure = closures[-1] if closures else None
    n = outer_paren(ident)
    par = n.parent
    if par is None:
        return Use(ident, "other", None, closure)
    t = par.type
    if t == "call_expression":
        return Use(ident, "call" if par.child_by_field_name("function") == n else "other", None, closure)
    if t == "selector_expression" and par.child_by_field_name("operand") == n:
        member = file.text(par.child_by_field_name("field"))
        sel = outer_paren(par)
        call = sel.parent
        called = call is not None and call.type == "call_expression" and call.child_by_field_name("function") == sel
        return Use(ident, "method" if called else "field", member, closure)
    if t == "argument_list":
        return Use(ident, "arg", None, closure)
    if t == "return_statement" or t == "expression_list" and par.parent.type == "return_statement":
        return Use(ident, "return", None, closure)
    if t == "send_statement":
        return Use(ident, "send" if par.child_by_field_name("value") == n else "other", None, closure)
    if t in ("literal_element", "keyed_element"):
        return Use(ident, "composite", None, closure)
    if t == "unary_expression" and _has_token(par, "&"):
        return Use(ident, "addr", None, closure)
    if t == "inc_statement" or t == "dec_statement":
        return Use(ident, "write", None, closure)
    if t == "range_clause" and par.child_by_field_name("right") == n:
        return Use(ident, "range", None, closure)
    if t == "range_clause" or t == "receive_statement" and par.child_by_field_name("left") == n:
        return Use(ident, "write", None, closure)
    if t == "expression_list" and par.parent is not None:
        stmt = par.parent
        if stmt.type in _ASSIGNING:
            left = stmt.child_by_field_name("left") or stmt.child_by_field_name("name")
            if par == left:
                compound = stmt.type == "assignment_statement" and not _has_token(stmt, "=")  # x += ... reads x
                return Use(ident, "other" if compound else "write", None, closure)
            if stmt.type in ("assignment_statement", "short_var_declaration", "var_spec"):
                return Use(ident, _assigned_to(file, stmt, par, n), None, closure)
    return Use(ident, "other", None, closure)


def _assigned_to(file: GoFile, stmt: Node, right: Node, value: Node) -> str:
    """The kind for ``value`` on the right of an assignment: blank, alias or store."""
    if stmt.type == "var_spec":
        targets = stmt.children_by_field_name("name")
    else:
        left = stmt.child_by_field_name("left")
        targets = list(left.named_children) if left is not None else []
    vals = list(right.named_children)
    if len(targets) != len(vals):
        return "store"
    target = unparen(targets[vals.index(value)])
    if target.type == "identifier":
        return "blank" if file.src[target.start_byte:target.end_byte] == b"_" else "alias"
    return "store"


# ------------------------------------------------------------------ flow


def assignment_target(file: GoFile, expr: Node, index: int) -> Node | None:
    """For ``a, b := expr`` / ``a, b = expr`` / ``var a, b = expr``: the ``index``-th target.

    Only when ``expr`` is the single value on the right (a multi-value call).
    Returns the target expression (identifier, selector, index expression, ...).
    """
    n = outer_paren(expr)
    right = n.parent
    if right is None or right.type != "expression_list" or right.named_child_count != 1:
        return None
    stmt = right.parent
    if stmt is None:
        return None
    if stmt.type in ("short_var_declaration", "assignment_statement"):
        if stmt.child_by_field_name("right") != right or not (_has_token(stmt, "=") or _has_token(stmt, ":=")):
            return None
        targets = list(stmt.child_by_field_name("left").named_children)
    elif stmt.type == "var_spec" and stmt.child_by_field_name("value") == right:
        targets = stmt.children_by_field_name("name")
    else:
        return None
    return targets[index] if index < len(targets) else None


def never_returns(file: GoFile, func: Node, endless_range: Callable[[Node], bool] | None = None) -> bool:
    """Whether a function syntactically never returns: ``main`` of package ``main`` (the process
    ends with it), or no ``return`` at all and a body-level :func:`endless_loop`."""
    if func.type == "function_declaration" and file.package_name == "main":
        name = func.child_by_field_name("name")
        if name is not None and file.text(name) == "main":
            return True
    if any(n.type == "return_statement" for n in walk(func.child_by_field_name("body") or func)):
        return False
    return any(endless_loop(file, stmt, endless_range) for stmt in block_statements(func.child_by_field_name("body")))


def endless_loop(file: GoFile, stmt: Node, endless_range: Callable[[Node], bool] | None = None) -> bool:
    """Whether ``stmt`` is a (labelled) ``for`` loop that can never be left.

    The loop has no condition (or a range clause for which ``endless_range(clause)``
    is true, e.g. over a ticker's channel), and nothing in it returns, jumps
    with ``goto`` or breaks out of it; function literals inside do not count.
    """
    loop = stmt.named_children[-1] if stmt.type == "labeled_statement" and stmt.named_children else stmt
    if loop.type != "for_statement" or not _endless(loop, endless_range):
        return False
    if any(n.type in ("return_statement", "goto_statement") for n in walk(loop)):
        return False
    return not _breaks_out(file, loop, stmt)


def runs_forever_after(file: GoFile, node: Node, endless_range: Callable[[Node], bool] | None = None) -> bool:
    """Whether control that reaches ``node`` never leaves its function: the statement holding it,
    or one after it (in its block or, leaving ``if``/``switch`` blocks, in the blocks around),
    is an :func:`endless_loop`.  Inside a loop the answer is False (the next iteration may leave)."""
    n = statement_of(node)
    while n is not None:
        s = n
        while s is not None:
            if endless_loop(file, s, endless_range):
                return True
            s = s.next_named_sibling
        n = n.parent  # the statement list; climb to the statement that holds its block
        while n is not None and (n.parent is None or n.parent.type != "statement_list"):
            if n.type in FUNC_TYPES or n.type == "for_statement":
                return False
            n = n.parent
        if n is not None and n.type in ("for_statement", "labeled_statement"):
            return False
    return False


def _endless(loop: Node, endless_range: Callable[[Node], bool] | None) -> bool:
    """``for {}``, ``for ;; {}``, or a range clause the caller knows never ends."""
    body = loop.child_by_field_name("body")
    head = next((c for c in loop.named_children if c != body and c.type != "comment"), None)
    if head is None:
        return True
    if head.type == "for_clause":
        return head.child_by_field_name("condition") is None
    return head.type == "range_clause" and endless_range is not None and endless_range(head)


def block_statements(block: Node | None) -> list[Node]:
    """The statements of a ``{ ... }`` block (comments left out)."""
    if block is None:
        return []
    lst = next((c for c in block.named_children if c.type == "statement_list"), None)
    return [c for c in lst.named_children if c.type != "comment"] if lst is not None else []


def _breaks_out(file: GoFile, loop: Node, stmt: Node) -> bool:
    """Whether a ``break`` (or a ``continue`` to an outer label) leaves ``loop``."""
    label = None
    if stmt.type == "labeled_statement":
        ln = stmt.child_by_field_name("label")
        label = file.text(ln) if ln is not None else None
    for n in walk(loop.child_by_field_name("body") or loop):
        if n.type not in ("break_statement", "continue_statement"):
            continue
        target = next((c for c in n.named_children if c.type == "label_name"), None)
        if n.type == "continue_statement":  # `continue Outer` leaves this loop for an enclosing one
            if target is not None and file.text(target) != label:
                return True
            continue
        if target is not None:
            if label is not None and file.text(target) == label:
                return True
            continue
        # An unlabelled break leaves the innermost for/switch/select around it.
        p = n.parent
        while p is not None and p.type not in _BREAKABLE:
            p = p.parent
        if p == loop:
            return True
    return False


def loop_exits(file: GoFile, stmt: Node) -> list[Node]:
    """The statements that leave the (labelled) ``for`` loop ``stmt`` early, in source order:
    ``return`` and ``goto`` anywhere in it, ``break`` statements that target it, and ``continue``
    statements to an outer label.  Function literals inside do not count."""
    loop = stmt.named_children[-1] if stmt.type == "labeled_statement" and stmt.named_children else stmt
    label = None
    if stmt.type == "labeled_statement":
        ln = stmt.child_by_field_name("label")
        label = file.text(ln) if ln is not None else None
    out = []
    for n in walk(loop):
        if n.type in ("return_statement", "goto_statement"):
            out.append(n)
        elif n.type in ("break_statement", "continue_statement"):
            target = next((c for c in n.named_children if c.type == "label_name"), None)
            if target is not None:
                name = file.text(target)
                if n.type == "continue_statement" and name != label or n.type == "break_statement" and name == label:
                    out.append(n)
            elif n.type == "break_statement":
                p = n.parent
                while p is not None and p.type not in _BREAKABLE:
                    p = p.parent
                if p == loop:
                    out.append(n)
    return out


_BRANCHES = frozenset({"expression_case", "default_case", "type_case", "communication_case"})


def guards(node: Node) -> list[Node]:
    """The conditions ``node`` runs under in its own function, innermost first: the condition of
    each ``if`` whose branch holds it, and the clause of each ``case``/``default`` (its values, or
    the clause itself for ``default``)."""
    out = []
    n = node
    while n.parent is not None and n.type not in FUNC_TYPES:
        par = n.parent
        if par.type == "if_statement" and n != par.child_by_field_name("condition") \
                and n != par.child_by_field_name("initializer"):
            cond = par.child_by_field_name("condition")
            if cond is not None:
                out.append(cond)
        elif par.type in _BRANCHES:
            out.append(par.child_by_field_name("value") or par.child_by_field_name("communication")
                       or par.child_by_field_name("type") or par)
        n = par
    return out


def select_case(node: Node) -> Node | None:
    """The ``communication_case`` whose communication (``case <-ch:``, ``case v := <-ch:``) holds
    ``node``, or None when ``node`` is not a select case's receive or send."""
    n = node
    while n.parent is not None and n.type not in FUNC_TYPES:
        par = n.parent
        if par.type == "communication_case":
            return par if n == par.child_by_field_name("communication") else None
        if par.type in ("statement_list", "block"):
            return None
        n = par
    return None


def case_statements(case: Node) -> list[Node]:
    """The statements of a ``case``/``default`` clause of a switch or select (comments left out)."""
    lst = next((c for c in case.named_children if c.type == "statement_list"), None)
    return [c for c in lst.named_children if c.type != "comment"] if lst is not None else []


# Calls that end the goroutine (or the process, or the test): panic, os.Exit, log.Fatal, t.Fatal, t.Skip...
TERMINATING_CALLS = frozenset({"panic", "Exit", "Goexit", "Fatal", "Fatalf", "Fatalln", "FailNow", "Skip", "Skipf",
                               "SkipNow", "Panic", "Panicf", "Panicln"})


def terminates(file: GoFile, stmt: Node) -> bool:
    """Whether ``stmt`` is a call statement that never returns: ``panic(...)``, ``os.Exit``, ``log.Fatal*``,
    ``t.Fatal*``/``t.Skip*``/``t.FailNow``, ``runtime.Goexit`` (by name; a method of the same name counts)."""
    if stmt.type != "expression_statement" or stmt.named_child_count != 1:
        return False
    call = unparen(stmt.named_children[0])
    if call.type != "call_expression":
        return False
    fn = unparen(call.child_by_field_name("function"))
    name = fn.child_by_field_name("field") if fn.type == "selector_expression" else fn
    return name is not None and file.text(name) in TERMINATING_CALLS


def leaves(file: GoFile, stmts: list[Node], loop: Node | None) -> bool:
    """Whether running ``stmts`` (a case body) can leave ``loop`` -- or, with ``loop`` None, the
    function: a ``return``, a ``goto``, a labelled ``break``/``continue`` to a statement other
    than the loop's own ``continue``, or a :func:`terminates` call.  An unlabelled ``break`` in
    a select or switch case leaves only that statement; function literals do not count."""
    label = None
    if loop is not None and loop.parent is not None and loop.parent.type == "labeled_statement":
        ln = loop.parent.child_by_field_name("label")
        label = file.text(ln) if ln is not None else None
    for stmt in stmts:
        for n in (stmt, *walk(stmt)):
            t = n.type
            if t in ("return_statement", "goto_statement") or t == "expression_statement" and terminates(file, n):
                return True
            if t in ("break_statement", "continue_statement") and loop is not None:
                target = next((c for c in n.named_children if c.type == "label_name"), None)
                if target is None:
                    if t == "break_statement" and _innermost_breakable(n) == loop:
                        return True
                    continue
                if t == "continue_statement" and file.text(target) == label:
                    continue
                return True
    return False


def _innermost_breakable(node: Node) -> Node | None:
    p = node.parent
    while p is not None and p.type not in _BREAKABLE and p.type not in FUNC_TYPES:
        p = p.parent
    return p if p is not None and p.type in _BREAKABLE else None
