"""GO204 sync-value-copied: a sync.Mutex, RWMutex, WaitGroup (or a struct holding one) is copied.

A copy of a lock is a second, unrelated lock that starts in whatever state
the original had.  The rule finds the copies that declarations make certain:

* a parameter or a value receiver whose type holds a ``sync`` value by value
  (``func f(wg sync.WaitGroup)``, ``func (c Cache) Get()`` when ``Cache`` has
  a ``sync.Mutex`` field);
* ``for _, v := range xs`` over a slice, array or map whose elements hold one;
* ``*p`` where ``p`` points to such a type, ``x.mu`` where every field ``mu``
  of the package is such a value, or a variable declared with such a type,
  used as a value: assigned, passed, returned, or put in a composite literal.

Which types hold a lock comes from the struct declarations of the package
(:func:`~golint_traefik.go.syncfacts.lock_holders`); types of other packages
are unknown and never reported.
"""

from __future__ import annotations

import re
from functools import lru_cache

from golint_traefik.go import decls, imports, scope, syncfacts
from golint_traefik.go.source import find_word, words
from golint_traefik.registry import go_rule

_RANGE = re.compile(rb"range\b")  # with source.words: at a word boundary
# `range` over a slice, array or map literal: spaces, comments and parentheses, then `[` or `map`.
# (A line comment runs to its newline: no way to split the text between two alternatives.)
_RANGE_LITERAL = re.compile(rb"range(?:\s|\(|//[^\n]*\n|/\*(?:[^*]|\*(?!/))*\*/)*(?:\[|map\b)")
_NO_COPY_BUILTINS = frozenset({"len", "cap", "new", "Sizeof", "Offsetof", "Alignof"})


@go_rule("GO204")
def check(p) -> None:
    f = p.file
    holders = syncfacts.lock_holders(p.package, f)
    has_sync = imports.imports_any(f, imports.SYNC)
    if not holders and not has_sync:
        return
    # Types are written where variables are declared: a file that names no holder type (and no
    # sync type) can only copy through fields or package variables declared elsewhere.
    uses = _type_uses(p, holders)
    if holders:
        _receivers(p, holders)
    _params(p, holders, uses)
    if f.has(b"range") and (uses or _mentions_fields(f, _container_fields(p))):
        _ranges(p, holders, uses)
    _values(p, holders, uses)


def _field_uses_re(names) -> re.Pattern:
    """``.name`` for any of the field names, the name captured (its literal ``.`` leads the regex
    engine's search: no need to look for the names first)."""
    return syncfacts.names_re(tuple(sorted(names)), rb"\.\s*")


def _mentions_fields(f, names) -> bool:
    return bool(names) and _field_uses_re(names).search(f.src) is not None


def _container_fields(p) -> frozenset[str]:
    """Field names declared as a slice, array or map of lock-holding values somewhere in the package."""
    f = p.file

    def build():
        out = set()
        for name, decl in _fields_naming_holders(p).items():
            if not any(_container_of_holder(p, g, t) for g, t in decl):
                continue
            for g, t, ptr in syncfacts.field_decls(p.package, f, name):
                field = {"slice_type": "element", "array_type": "element", "map_type": "value"}.get(t.type)
                if not ptr and field and syncfacts.holder_of_type(p.package, g, t.child_by_field_name(field)):
                    out.add(name)
        return frozenset(out)

    return decls._memo(p.package, ("GO204.containers", f.package_name), build)


def _holds(p, typ) -> str | None:
    """What sync value the written type holds by value (None for pointers, slices, maps...)."""
    return syncfacts.holder_of_type(p.package, p.file, typ)


def _what(typ_text: str, held) -> str:
    return held.describe(typ_text)


def _type_uses(p, holders) -> list:
    """Type expressions of this file that name a lock-holding type (``T``, ``T[X]``, ``sync.Mutex``,
    arrays of them), found by name in the source and checked on the tree."""
    f = p.file
    names = set(holders)
    aliases: tuple[str, ...] = ()
    if imports.imports_any(f, imports.SYNC):
        if imports.dot_imported(f, imports.SYNC):
            names |= set(syncfacts.NO_COPY)
        aliases = tuple(sorted(imports.local_names(f, imports.SYNC)))
    out = []
    for start, end in _type_name_spans(f, aliases, tuple(sorted(names))):
        n = f.root.named_descendant_for_byte_range(start, end)
        if n is None or n.type != "type_identifier":
            continue
        par = n.parent
        if par is not None and par.type == "qualified_type":
            if syncfacts.sync_type_name(f, par, pointer=False) is None:
                continue
            n = par
        elif f.text(n) not in holders:
            continue
        elif par is not None and par.type == "generic_type" and par.child_by_field_name("type") == n:
            n = par
        while n.parent is not None and n.parent.type in ("array_type", "parenthesized_type") \
                and n.parent.child_by_field_name("length") != n:
            n = n.parent
        out.append(n)
    return out


def _type_name_spans(f, aliases: tuple[str, ...], names: tuple[str, ...]) -> list[tuple[int, int]]:
    """The type name in each ``sync.Mutex`` (any sync type, through any local name of sync) and
    each of ``names`` at the start of a word: what ``source.words`` finds with the pattern
    ``(?:sync)\\s*\\.\\s*(Mutex|...)\\b|(name1|name2|...)\\b``, the ``sync.T`` form tried first at
    each place.  Found from the occurrences of the aliases and names, as
    :func:`~golint_traefik.go.syncfacts.name_spans` (whatever the number of names)."""
    src = f.src
    if not aliases and not names:
        return []
    qualified, named = syncfacts.names_at(f, aliases), syncfacts.names_at(f, names)
    out = []
    end = 0
    for s in sorted({*qualified, *named}):
        if s < end:
            continue  # inside the match before
        span = None
        if s in qualified:
            m = _qualified_re(aliases).match(src, s)
            if m is not None:
                span, end = m.span(1), m.end()
        if span is None and s in named:
            e = syncfacts.name_end(src, s, named[s])
            if e is not None:
                span, end = (s, e), e
        if span is not None and syncfacts.word_start(src, s):
            out.append(span)
    return out


@lru_cache(maxsize=512)
def _qualified_re(aliases: tuple[str, ...]) -> re.Pattern:
    """``sync.Mutex`` (by each local name of sync), the sync type's name the group."""
    return re.compile(rb"(?:" + b"|".join(re.escape(a.encode()) for a in aliases) + rb")\s*\.\s*("
                      + b"|".join(n.encode() for n in syncfacts.NO_COPY) + rb")\b")


def _params(p, holders, uses) -> None:
    f = p.file
    for typ in uses:
        param = typ.parent
        if param is None or param.type != "parameter_declaration" or param.child_by_field_name("type") != typ:
            continue
        plist = param.parent
        func = plist.parent if plist is not None else None
        if func is None or func.child_by_field_name("parameters") != plist:
            continue  # a receiver or a result
        why = _holds(p, typ)
        if why is None or _type_param(f, param, typ):
            continue
        names = [f.text(n) for n in param.children_by_field_name("name")]
        who = f"parameter `{names[0]}`" if len(names) == 1 else \
            f"parameters {', '.join(f'`{n}`' for n in names)}" if names else "an unnamed parameter"
        what = _what(f.text(typ), why)
        p.report(typ, f"{who} receives a copy of {what}; the function works on the copy, not on the "
                      "caller's lock", fix=f"take a pointer: *{f.text(typ)}")


def _type_param(f, param, typ) -> bool:
    """The type is a type parameter of the function (``func g[T any](x T)``)."""
    if typ.type != "type_identifier":
        return False
    func = param.parent.parent if param.parent is not None else None
    tparams = func.child_by_field_name("type_parameters") if func is not None else None
    return tparams is not None and any(f.text(n) == f.text(typ) for d in tparams.named_children
                                       for n in d.children_by_field_name("name"))


def _receivers(p, holders) -> None:
    f = p.file
    if not any(syncfacts.occurrences(f, name.encode()) for name in holders):
        return  # the receiver's type is written in the file
    for m in syncfacts.top_level(f, "method_declaration"):
        h = syncfacts.method_head(f, m)
        if h is None or h[2] or h[0] not in holders:
            continue
        r = syncfacts.receiver_of(f, m)  # the receiver's type node, to report
        name = f.text(m.child_by_field_name("name"))
        held = holders[r[0]]
        p.report(r[3], f"{name} has a value receiver: every call copies {r[0]}, and with it the "
                       f"sync.{held.sync} {held.where}; the method locks a copy",
                 fix=f"use a pointer receiver: *{r[0]}")


def _container_names(p, uses) -> set[str]:
    """Names this file or the package's top-level vars declare with a slice, array or map type of
    lock-holding elements (a pre-filter for ``range``)."""
    f = p.file
    out = set(_package_containers(p))
    for t in uses:
        c = t.parent
        if c is None or c.type not in ("slice_type", "array_type", "map_type") \
                or c.child_by_field_name("value" if c.type == "map_type" else "element") != t:
            continue
        par = c.parent
        if par is not None and par.type == "composite_literal":
            lst = par.parent
            stmt = lst.parent if lst is not None and lst.type == "expression_list" else None
            if stmt is not None and stmt.type in ("short_var_declaration", "var_spec", "assignment_statement"):
                names = stmt.children_by_field_name("name") if stmt.type == "var_spec" else \
                    list(stmt.child_by_field_name("left").named_children)
                out.update(f.text(n) for n in names)
        elif par is not None and par.type in ("var_spec", "parameter_declaration"):
            out.update(f.text(n) for n in par.children_by_field_name("name"))
    return out


def _package_containers(p) -> frozenset[str]:
    f = p.file

    def build():
        out = set()
        for g in decls._files(p.package, f):
            for decl in syncfacts.top_level(g, "var_declaration"):
                for c in decl.named_children:
                    for spec in (c.named_children if c.type == "var_spec_list" else [c]):
                        t = spec.child_by_field_name("type") if spec.type == "var_spec" else None
                        if t is not None and _container_of_holder(p, g, t):
                            out.update(g.text(n) for n in spec.children_by_field_name("name"))
        return frozenset(out)

    return decls._memo(p.package, ("GO204.pkg_containers", f.package_name), build)


def _ranges(p, holders, uses) -> None:
    f = p.file
    if not f.has(b"range"):
        return
    names = _container_names(p, uses)
    fields = _container_fields(p)
    if not names and not fields and find_word(_RANGE_LITERAL, f.src) is None:
        return  # no container to range over: no name, no field, no slice, array or map literal
    for m in words(_RANGE, f.src):
        kw = f.root.descendant_for_byte_range(m.start(), m.end())
        clause = kw.parent if kw is not None else None
        if clause is None or clause.type != "range_clause":
            continue
        left, over = clause.child_by_field_name("left"), clause.child_by_field_name("right")
        if left is None or over is None or left.named_child_count != 2:
            continue
        value = left.named_children[1]
        if value.type != "identifier" or f.text(value) == "_" or \
                not any(not c.is_named and c.type in (":=", "=") for c in clause.children):
            continue
        o = scope.unparen(over)
        if o.type == "identifier" and f.text(o) not in names or o.type == "selector_expression" \
                and f.text(o.child_by_field_name("field")) not in fields:
            continue
        el = _element_type(p, over)
        if el is None:
            continue
        g, typ = el
        why = syncfacts.holder_of_type(p.package, g, typ)
        if why is None:
            continue
        what = _what(g.text(typ), why)
        fix = "store pointers in the map" if typ.parent is not None and typ.parent.type == "map_type" else \
            f"range over the indexes and use &{f.text(over)}[i], or store pointers"
        p.report(value, f"range copies each element of {f.text(over)} into `{f.text(value)}`: {what}", fix=fix)


def _element_type(p, over):
    """(file, element type node) of the slice, array or map ``over`` ranges on, from declarations."""
    f = p.file
    over = scope.unparen(over)
    types = []
    if over.type == "identifier":
        b = scope.resolve(f, over)
        g = f
        if b is None:
            found = decls.package_var(p.package, f, f.text(over))
            if found is None:
                return None
            g, b = found
        if b.type is not None:
            types = [(g, b.type)]
        elif b.value is not None and b.value.type == "composite_literal":
            types = [(g, b.value.child_by_field_name("type"))]
    elif over.type == "selector_expression":
        name = f.text(over.child_by_field_name("field"))
        if name not in _container_fields(p):
            return None
        types = [(g, t) for g, t, ptr in syncfacts.field_decls(p.package, f, name) if not ptr]
    elif over.type == "composite_literal":
        types = [(f, over.child_by_field_name("type"))]
    out = set()
    for g, t in types:
        if t is None:
            return None
        field = {"slice_type": "element", "array_type": "element", "map_type": "value"}.get(t.type)
        if field is None:
            return None
        el = t.child_by_field_name(field)
        if el is None:
            return None
        out.add((g, el))
    if len({(g.path, g.text(el)) for g, el in out}) != 1:
        return None
    return next(iter(out))


def _values(p, holders, uses) -> None:
    """``*ptr``, ``x.field`` and variables holding a lock, used as values.  Candidates are found by
    name in the source first (few), then checked on the tree."""
    f = p.file
    names = _holder_fields(p)
    value_names, ptr_names = _holder_var_names(p, uses)
    var_names = value_names | ptr_names
    seen = set()
    cands = []
    src = f.src
    if names:  # `x.name` not followed by `.`, `(` or `[`
        for m in syncfacts.names_re(tuple(sorted(names)), rb"\.\s*", _NOT_A_VALUE).finditer(src):
            n = f.root.named_descendant_for_byte_range(m.start(1), m.end(1))
            if n is not None and n.type == "field_identifier" and n.parent is not None \
                    and n.parent.type == "selector_expression":
                cands.append(n.parent)
    for start, end in syncfacts.name_spans(f, value_names):
        if _NOT_A_VALUE_AFTER.match(src, end) is None:
            n = f.root.named_descendant_for_byte_range(start, end)
            if n is not None and n.type == "identifier":
                cands.append(n)
    if ptr_names:  # a pointer is copied only through `*p`
        for start, end in _derefs(src, ptr_names):
            if _NOT_A_VALUE_AFTER.match(src, end) is None:
                n = f.root.named_descendant_for_byte_range(start, end)
                if n is not None and n.type == "identifier":
                    cands.append(n)
    for v in cands:
        # `*x` / `*s.f`: the dereference is the copied value.
        outer = scope.outer_paren(v)
        deref = outer.parent if outer.parent is not None and outer.parent.type == "unary_expression" \
            and f.text(outer.parent)[:1] == "*" else None
        node = deref or v
        if node.id in seen:
            continue
        seen.add(node.id)
        how = _value_position(f, node)
        if how is None:
            continue
        what = None
        if deref is not None:
            what = _points_to_holder(p, v, var_names)
        elif v.type == "selector_expression":
            name = f.text(v.child_by_field_name("field"))
            if name in names and not _package_operand(f, v):
                what = _field_value(p, name)
        elif v.type == "identifier":
            what = _holder_var(p, v)
        if what is None:
            continue
        p.report(node, f"{how} copies {f.text(node)} ({what}); the copy is a separate lock",
                 fix="pass or store a pointer instead of the value")


# After a name, what makes it the operand of a selector, a call or an index (``x.f``, ``x(...)``,
# ``x[i]``, ``x...``), never a value of its own: :func:`_value_position` has nothing to say of it.
_NOT_A_VALUE = rb"(?!\s*[.(\[])"
_NOT_A_VALUE_AFTER = re.compile(rb"\s*[.(\[]")


_DEREF = re.compile(rb"\*[\s(]*([A-Za-z_][A-Za-z0-9_]*)")


def _derefs(src: bytes, names: set[str]) -> list[tuple[int, int]]:
    """Where one of ``names`` follows a ``*`` (and spaces or parentheses): the matches of
    ``\\*[\\s(]*(name1|name2|...)\\b``.  For ASCII names, one pattern for every file finds the
    words after a ``*`` and the names are looked up, not compiled into a pattern per file."""
    if not all(n.isascii() for n in names):
        return [m.span(1) for m in syncfacts.names_re(tuple(sorted(names)), rb"\*[\s(]*").finditer(src)]
    wanted = {n.encode() for n in names}
    return [m.span(1) for m in _DEREF.finditer(src) if m.group(1) in wanted]


def _value_position(f, v) -> str | None:
    """How ``v`` is copied: "assignment", "call argument", "return", "composite literal"; None when
    it is not used as a value (an assignment target, a key, a receiver)."""
    par = v.parent
    if par is None:
        return None
    if par.type == "argument_list":
        call = par.parent
        fn = call.child_by_field_name("function") if call is not None else None
        if fn is not None and (fn.type == "identifier" and f.text(fn) in _NO_COPY_BUILTINS or
                               fn.type == "selector_expression" and f.text(fn.child_by_field_name("field"))
                               in _NO_COPY_BUILTINS):
            return None
        return "call argument"
    if par.type == "literal_element":
        kv = par.parent
        if kv is not None and kv.type == "keyed_element" and kv.child_by_field_name("key") == par:
            return None
        return "composite literal"
    if par.type == "expression_list":
        stmt = par.parent
        if stmt is None:
            return None
        if stmt.type == "return_statement":
            return "return"
        if stmt.type in ("assignment_statement", "short_var_declaration") and stmt.child_by_field_name("right") == par:
            if not any(not c.is_named and c.type in ("=", ":=") for c in stmt.children):
                return None
            left = stmt.child_by_field_name("left")
            i = list(par.named_children).index(v)
            targets = list(left.named_children) if left is not None else []
            if i < len(targets) and f.text(targets[i]) == "_" or len(targets) != par.named_child_count:
                return None
            return "assignment"
        if stmt.type == "var_spec" and stmt.child_by_field_name("value") == par:
            return "assignment"
    return None


def _package_operand(f, sel) -> bool:
    """``pkg.Name``: the operand is an imported package, not a struct value."""
    op = sel.child_by_field_name("operand")
    return op.type == "identifier" and f.text(op) in f.imports and scope.resolve(f, op) is None


def _container_of_holder(p, g, t) -> bool:
    field = {"slice_type": "element", "array_type": "element", "map_type": "value"}.get(t.type)
    return field is not None and syncfacts.holder_of_type(p.package, g, t.child_by_field_name(field)) is not None


def _fields_naming_holders(p) -> dict[str, list]:
    """The fields of the package's top-level structs whose type names a lock-holding type or a
    sync type (:func:`~golint_traefik.go.syncfacts.fields_naming_holders`): the only fields that
    can hold a lock, point to a holder or contain holders."""
    return syncfacts.fields_naming_holders(p.package, p.file)


def _holder_fields(p) -> frozenset[str]:
    """Names of top-level struct fields of the package that hold a lock or point to a holder: the
    candidates, confirmed per name by :func:`_field_value` / :func:`_field_pointer` on use."""
    f = p.file

    def build():
        return frozenset(name for name, decl in _fields_naming_holders(p).items()
                         if any(syncfacts.holder_of_type(p.package, g, t.named_children[0] if t.type == "pointer_type"
                                                         and t.named_child_count else t) for g, t in decl))

    return decls._memo(p.package, ("GO204.fields", f.package_name), build)


def _field_value(p, name: str) -> str | None:
    """What ``x.name`` holds when every struct field ``name`` of the package holds a lock by value.

    The fields of the package's top-level structs are looked at first: they are among all the
    fields (:func:`~golint_traefik.go.syncfacts.field_decls`, local types included), so one of
    them that is a pointer or holds no lock answers without indexing the others."""
    f = p.file

    def build():
        top = syncfacts.struct_fields(p.package, f).get(name, [])
        if not all(_holds_by_value(p, g, t) for g, t in top):
            return None
        decl = syncfacts.field_decls(p.package, f, name)
        whys = [(g.text(t), None if ptr else syncfacts.holder_of_type(p.package, g, t)) for g, t, ptr in decl]
        return _what(*whys[0]) if whys and all(w for _, w in whys) else None

    return decls._memo(p.package, ("GO204.field", f.package_name, name), build)


def _holds_by_value(p, g, typ) -> bool:
    """The field type ``typ`` (in ``g``) holds a lock by value (neither ``*T`` nor an embedded ``*T``)."""
    return typ.type != "pointer_type" and not syncfacts.embedded_pointer(typ) \
        and syncfacts.holder_of_type(p.package, g, typ) is not None


def _holder_var_names(p, uses) -> tuple[set[str], set[str]]:
    """(value names, pointer names): names this file declares with a lock-holding type or a pointer
    to one, or initialises with ``T{}`` (value), ``&T{}`` or ``new(T)`` (pointer) of such a type
    -- a cheap pre-filter; uses are resolved later."""
    f = p.file
    values, pointers = set(), set()
    for t in uses:
        par = t.parent
        ptr = par is not None and par.type == "pointer_type"
        if ptr:
            t, par = par, par.parent
        if par is None:
            continue
        if par.type in ("var_spec", "parameter_declaration") and par.child_by_field_name("type") == t:
            (pointers if ptr else values).update(f.text(n) for n in par.children_by_field_name("name"))
            continue
        # T{...}, &T{...}, new(T) as the value of a declaration
        v = par if par.type == "composite_literal" else par.parent \
            if par.type == "argument_list" and par.parent is not None and par.parent.type == "call_expression" else None
        if v is None:
            continue
        out = pointers if par.type == "argument_list" else values  # new(T) gives a pointer
        if v.parent is not None and v.parent.type == "unary_expression":
            v, out = v.parent, pointers
        lst = v.parent
        stmt = lst.parent if lst is not None and lst.type == "expression_list" else None
        if stmt is None or stmt.type not in ("short_var_declaration", "var_spec", "assignment_statement"):
            continue
        names = stmt.children_by_field_name("name") if stmt.type == "var_spec" else \
            list(stmt.child_by_field_name("left").named_children)
        vals = list(lst.named_children)
        if len(names) == len(vals) and v in vals:
            out.add(f.text(names[vals.index(v)]))
    return values, pointers


def _constructed_holder(p, v):
    """The lock-holding type node ``v`` builds: ``T{}``, ``&T{}`` or ``new(T)``."""
    f = p.file
    if v.type == "unary_expression" and f.text(v)[:1] == "&" and v.named_child_count == 1:
        v = v.named_children[0]
    if v.type == "composite_literal":
        t = v.child_by_field_name("type")
    elif v.type == "call_expression" and f.text(v.child_by_field_name("function")) == "new":
        args = v.child_by_field_name("arguments")
        t = args.named_children[0] if args is not None and args.named_child_count == 1 else None
    else:
        return None
    return t if t is not None and syncfacts.holder_of_type(p.package, f, t) is not None else None


def _holder_var(p, ident) -> str | None:
    """A variable (not a parameter) declared with a lock-holding type by value, or ``T{}``."""
    f = p.file
    b = scope.resolve(f, ident)
    if b is None or b.kind not in ("var", "package") or b.ident == ident:
        return None
    typ = b.type
    if typ is None and b.value is not None and b.value.type == "composite_literal":
        typ = b.value.child_by_field_name("type")
    why = syncfacts.holder_of_type(p.package, f, typ) if typ is not None else None
    return _what(f.text(typ), why) if why is not None else None


def _points_to_holder(p, x, var_names) -> str | None:
    """``x`` is a pointer to a lock-holding type: declared ``*T``, a pointer receiver, ``&T{}`` or
    ``new(T)``; or ``s.f`` where every field ``f`` of the package is such a pointer."""
    f = p.file
    if x.type == "identifier":
        if f.text(x) not in var_names and not _is_receiver_name(f, x):
            return None
        b = scope.resolve(f, x)
        if b is None:
            return None
        if b.type is not None:
            t = b.type
            if t.type != "pointer_type" or not t.named_child_count:
                return None
            return _pointee(p, t.named_children[0])
        if b.value is not None and scope.unparen(b.value).type != "composite_literal":
            return _pointee(p, _constructed_holder(p, scope.unparen(b.value)))
        return None
    if x.type == "selector_expression":
        decl = syncfacts.field_decls(p.package, f, f.text(x.child_by_field_name("field")))
        whys = {(g.text(t), syncfacts.holder_of_type(p.package, g, t.named_children[0]))
                if t.type == "pointer_type" and t.named_child_count else
                (g.text(t), syncfacts.holder_of_type(p.package, g, t)) if ptr else (g.text(t), None)
                for g, t, ptr in decl}
        if len(whys) == 1:
            text, why = whys.pop()
            if why is not None:
                return _what(text, why)
    return None


def _pointee(p, typ) -> str | None:
    if typ is None:
        return None
    why = syncfacts.holder_of_type(p.package, p.file, typ)
    return _what(p.file.text(typ), why) if why is not None else None


def _is_receiver_name(f, x) -> bool:
    b = scope.resolve(f, x)
    return b is not None and b.kind == "receiver"
