"""The syntax-only analysis helpers the Go rules share: scopes, uses, flow, imports, declarations."""

from __future__ import annotations

import textwrap

import pytest

from golint_traefik.go import decls, imports, scope
from golint_traefik.go.source import GoFile, GoPackage


def gofile(src: str, path: str = "x.go") -> GoFile:
    f = GoFile(path, textwrap.dedent(src).lstrip().encode())
    assert f.first_error() is None, f.text(f.first_error())
    return f


def ident(f: GoFile, name: str, line: int, nth: int = 0):
    """The ``nth`` identifier ``name`` on 1-based ``line``."""
    found = [n for n in f.captures("(identifier) @id").get("id", [])
             if f.text(n) == name and n.start_point[0] + 1 == line]
    return found[nth]


def line_of(node) -> int:
    return node.start_point[0] + 1


SCOPES = """
package p

var g = 1

func f(a int, ctx context.Context) (res int) {
	x := 1
	x, y := 2, 3
	if x := "inner"; x != "" {
		use(x)
	}
	for i, v := range items {
		use(i, v)
	}
	switch t := a.(type) {
	case int:
		use(t)
	}
	select {
	case m := <-ch:
		use(m)
	}
	fn := func(x int) { use(x, y, g, res) }
	use(x, a, ctx, fn)
	return
}
"""


@pytest.mark.parametrize("name,line,nth,decl_line,kind", [
    ("x", 7, 0, 6, "var"),          # `x, y :=` redeclares nothing: x is the first x
    ("y", 7, 0, 7, "var"),
    ("x", 9, 0, 8, "var"),          # the if initializer shadows
    ("x", 8, 1, 8, "var"),          # condition sees the initializer
    ("i", 12, 0, 11, "range"),
    ("t", 16, 0, 14, "var"),        # type switch alias
    ("m", 20, 0, 19, "var"),        # select case variable
    ("x", 22, 1, 22, "param"),      # literal's parameter shadows the outer x
    ("y", 22, 0, 7, "var"),         # captured from the enclosing function
    ("res", 22, 0, 5, "result"),
    ("a", 23, 0, 5, "param"),
    ("x", 23, 0, 6, "var"),
    ("g", 22, 0, 3, "package"),
])
def test_resolve_follows_block_scoping(name, line, nth, decl_line, kind):
    f = gofile(SCOPES)
    b = scope.resolve(f, ident(f, name, line, nth))
    assert b is not None and (line_of(b.ident), b.kind) == (decl_line, kind)


def test_resolve_returns_none_for_names_declared_elsewhere():
    f = gofile(SCOPES)
    assert scope.resolve(f, ident(f, "use", 9)) is None
    assert scope.resolve(f, ident(f, "items", 11)) is None


USES = """
package p

func f(parent context.Context, s *S, ch chan func()) func() {
	ctx, cancel := context.WithCancel(parent)
	cancel()
	defer cancel()
	s.f = cancel
	m[k] = cancel
	ch <- cancel
	_ = cancel
	alias := cancel
	register(cancel)
	go func() { cancel() }()
	lit := S{f: cancel}
	p := &cancel
	if cancel != nil {
	}
	cancel = nil
	t.Stop()
	return cancel
}
"""


def test_use_kinds():
    f = gofile(USES)
    b = scope.resolve(f, ident(f, "cancel", 4))
    got = [(line_of(u.node), u.kind, u.closure is not None) for u in scope.uses(f, b)]
    assert got == [
        (5, "call", False), (6, "call", False), (7, "store", False), (8, "store", False), (9, "send", False),
        (10, "blank", False), (11, "alias", False), (12, "arg", False), (13, "call", True),
        (14, "composite", False), (15, "addr", False), (16, "other", False), (18, "write", False),
        (20, "return", False),
    ]
    assert [u.is_read for u in scope.uses(f, b)].count(False) == 2
    assert {u.kind for u in scope.uses(f, b) if u.hands_off} == {"store", "send", "alias", "arg", "composite", "addr", "return"}


def test_method_and_field_uses():
    f = gofile("""
        package p
        func f() {
        	t := time.NewTicker(d)
        	<-t.C
        	t.Reset(d)
        	cleanup(t.Stop)
        }
    """)
    b = scope.resolve(f, ident(f, "t", 3))
    assert [(u.kind, u.member) for u in scope.uses(f, b)] == [("field", "C"), ("method", "Reset"), ("field", "Stop")]


def test_uses_skip_shadowed_names():
    f = gofile("""
        package p
        func f() {
        	v := 1
        	{
        		v := 2
        		use(v)
        	}
        	use(v)
        }
    """)
    outer = scope.resolve(f, ident(f, "v", 3))
    assert [line_of(u.node) for u in scope.uses(f, outer)] == [8]


SHADOWING = """
    package p
    func f(v int) {
    	a, b := 1, 2
    	use(a, b)
    	a = b
    	c := a
    	c, d := a, c
    	{
    		a := 3
    		use(a)
    	}
    	if b := a; b > 0 {
    		use(b)
    	}
    	for _, a := range []int{c, d} {
    		use(a)
    	}
    	func(b int) { use(a, b) }(a)
    	select {
    	case d := <-ch:
    		use(d)
    	}
    	switch c := x.(type) {
    	default:
    		use(c)
    	}
    	var e = d
    	e, b = b, e
    	use(T{a: a, e: e}, v)
    }
"""


def test_uses_agree_with_resolving_every_identifier():
    """uses() takes identifiers after a binding's statement without resolving them when nothing in
    its scope can declare the name again; every shadowing form must still be told apart."""
    f = gofile(SHADOWING)
    idents = f.captures("(identifier) @i")["i"]
    bindings = {b.ident.id: b for b in (scope.resolve(f, n) for n in idents) if b is not None}
    assert len(bindings) >= 10
    for b in bindings.values():
        slow = [n.start_byte for n in idents if n != b.ident and scope.resolve(f, n) == b
                and (n.start_byte > b.ident.start_byte or b.kind in ("param", "result", "receiver", "package"))]
        assert [u.node.start_byte for u in scope.uses(f, b)] == slow, b.name


@pytest.mark.parametrize("body,expected", [
    ("for {\n\t\twork()\n\t}", True),
    ("for {\n\t\tif done() {\n\t\t\tbreak\n\t\t}\n\t}", False),
    ("for {\n\t\tselect {\n\t\tcase <-c:\n\t\t\tbreak\n\t\t}\n\t}", True),  # breaks the select only
    ("L:\n\tfor {\n\t\tselect {\n\t\tcase <-c:\n\t\t\tbreak L\n\t\t}\n\t}", False),
    ("for {\n\t\tif done() {\n\t\t\treturn\n\t\t}\n\t}", False),
    ("for ok() {\n\t}", False),
    ("for i := 0; ; i++ {\n\t}", True),
    ("work()", False),
    ("for {\n\t\tgo func() { return }()\n\t}", True),  # a return in a literal is not ours
    ("L:\n\tfor {\n\t\tfor {\n\t\t\tcontinue L\n\t\t}\n\t}", True),  # continues its own loop
])
def test_never_returns(body, expected):
    f = gofile(f"package p\n\nfunc f() {{\n\t{body}\n}}\n")
    assert scope.never_returns(f, scope.functions(f)[0]) is expected


def test_main_never_returns_and_range_predicate():
    f = gofile("package main\n\nfunc main() {\n\twork()\n}\n\nfunc g() {\n\tfor range t.C {\n\t}\n}\n")
    main, g = scope.functions(f)
    assert scope.never_returns(f, main)
    assert not scope.never_returns(f, g)
    assert scope.never_returns(f, g, lambda clause: True)


def test_assignment_target():
    f = gofile("""
        package p
        func f() {
        	a, b := pair()
        	s.x, m[k] = pair()
        	var c, d = pair()
        	use(pair())
        	e, g := pair(), 1
        }
    """)
    calls = sorted((n for n in f.captures("(call_expression function: (identifier) @fn) @call").get("call", [])
                    if f.text(n) == "pair()"), key=lambda n: n.start_byte)
    got = [scope.assignment_target(f, c, 1) for c in calls]
    assert [f.text(t) if t is not None else None for t in got] == ["b", "m[k]", "d", None, None]


IMPORTS = """
package p

import (
	ctxpkg "context"
	. "time"
	"sync"
	xctx "golang.org/x/net/context"
)

func f(parent ctxpkg.Context) {
	ctxpkg.WithCancel(parent)
	xctx.WithTimeout(parent, 1)
	NewTicker(1)
	other.WithCancel(parent)
	{
		ctxpkg := fake{}
		ctxpkg.WithCancel(parent)
	}
}

func g(NewTicker func(int)) {
	NewTicker(1)
}

var wg1 sync.WaitGroup
var wg2 = &sync.WaitGroup{}
var wg3 = new(sync.WaitGroup)
var wg4 *sync.WaitGroup
var notWG sync.Mutex
"""


def test_package_calls_honour_aliases_dot_imports_and_shadowing():
    f = gofile(IMPORTS)
    got = [(line_of(c.call), c.path, c.qualified) for c in imports.calls(f, imports.CONTEXT, ["WithCancel", "WithTimeout"])]
    assert got == [(11, "context", "context.WithCancel"), (12, "golang.org/x/net/context", "context.WithTimeout")]
    assert [line_of(c.call) for c in imports.calls(f, imports.TIME, ["NewTicker"])] == [13]
    assert list(imports.calls(f, ["net/http"], ["Get"])) == []


def test_types_and_constructors():
    f = gofile(IMPORTS)
    specs = {f.text(s.child_by_field_name("name")): s for s in f.captures("(var_spec) @s")["s"]}

    def typ(n):
        return specs[n].child_by_field_name("type")

    def value(n):
        return specs[n].child_by_field_name("value").named_children[0]

    assert imports.is_type(f, typ("wg1"), imports.SYNC, "WaitGroup", pointer=False)
    assert imports.is_type(f, typ("wg4"), imports.SYNC, "WaitGroup")
    assert not imports.is_type(f, typ("wg4"), imports.SYNC, "WaitGroup", pointer=False)
    assert not imports.is_type(f, typ("notWG"), imports.SYNC, "WaitGroup")
    assert imports.is_constructed(f, value("wg2"), imports.SYNC, "WaitGroup")
    assert imports.is_constructed(f, value("wg3"), imports.SYNC, "WaitGroup")


def test_go_file_imports():
    f = gofile('package p\n\nimport (\n\tc "context"\n\t. "time"\n\t_ "embed"\n\t"github.com/a/go-yaml/v3"\n)\n\nimport `sync`\n')
    assert f.package_name == "p"
    assert f.imports == {"c": "context", "yaml": "github.com/a/go-yaml/v3", "sync": "sync"}
    assert f.dot_imports == frozenset({"time"})
    assert f.local_names("context") == frozenset({"c"})


def test_package_declarations_across_files():
    a = gofile('package p\n\nimport "sync"\n\ntype S struct {\n\twg sync.WaitGroup\n\tmu, other *sync.Mutex\n\tsync.Once\n}\n', "a.go")
    b = gofile('package p\n\nimport "sync"\n\nvar group sync.WaitGroup\n\nvar (\n\tx, y = 1, 2\n)\n', "b.go")
    pkg = GoPackage(".", [a, b])
    fields = decls.field_types(pkg, a)
    assert sorted(fields) == ["Once", "mu", "other", "wg"]
    assert imports.is_type(a, fields["wg"][0][1], imports.SYNC, "WaitGroup")
    found = decls.package_var(pkg, a, "group")
    assert found is not None and found[0] is b and found[1].kind == "package"
    assert decls.package_var(pkg, a, "y") is not None and decls.package_var(pkg, a, "nope") is None


RUNS_FOREVER = """
package p

func f(ok bool) {
	if !ok {
		return
	}
	a := 1
	if ok {
		b := 2
		use(b)
	}
	for {
		work()
	}
}

func g(xs []int) {
	c := 3
Outer:
	for _, x := range xs {
		d := 4
		for {
			if x > 0 {
				continue Outer
			}
		}
	}
	e := 5
	for range t.C {
	}
}
"""


@pytest.mark.parametrize("name,line,expected", [
    ("a", 7, True),    # an endless loop follows in the same block
    ("b", 9, True),    # ... or after the if that holds this block
    ("c", 18, False),  # a range over a slice ends
    ("d", 21, False),  # inside a loop: the next iteration may leave
    ("e", 28, False),  # range over a channel: ends when it is closed
])
def test_runs_forever_after(name, line, expected):
    f = gofile(RUNS_FOREVER)
    assert scope.runs_forever_after(f, ident(f, name, line)) is expected


def test_runs_forever_after_with_an_endless_range():
    f = gofile(RUNS_FOREVER)
    assert scope.runs_forever_after(f, ident(f, "e", 28), lambda clause: True)


def test_endless_loop_left_by_a_labelled_continue():
    f = gofile(RUNS_FOREVER)
    inner = [n for n in f.captures("(for_statement) @f")["f"] if n.start_point[0] + 1 == 22]
    assert len(inner) == 1 and not scope.endless_loop(f, inner[0])
    first = [n for n in f.captures("(for_statement) @f")["f"] if n.start_point[0] + 1 == 12]
    assert scope.endless_loop(f, first[0])


def test_query_results_come_in_source_order_outer_first():
    """Rules keep the first of several candidates (GO106 names the first way out of a loop), so
    captures and matches must be in source order, outer before inner, whatever order tree-sitter
    hands them out in (its captures of nested calls come out of order)."""
    f = GoFile("x.go", b"package p\n\nfunc f() {\n\ta(b(c(d())), e(f()))\n\tg(h())\n}\n")
    q = "(call_expression function: (identifier) @fn) @call"
    calls = [f.text(n.child_by_field_name("function")) for n in f.captures(q)["call"]]
    assert calls == ["a", "b", "c", "d", "e", "f", "g", "h"]
    assert [f.text(caps["fn"][0]) for caps in f.matches(q)] == calls
