"""The shared channel facts (golint_traefik.go.channels) and the flow helpers the GO1xx rules add."""

from __future__ import annotations

from golint_traefik.go import channels, decls, scope
from golint_traefik.go.source import GoFile, GoPackage

SRC = b"""package p

import "context"

const four = 4

type S struct {
	events chan int
	other  int
}

func f(ctx context.Context, xs []int, sink func(chan int)) {
	a := make(chan int)
	var b = make(chan string, four)
	c := make(chan bool, len(xs))
	go func() {
		a <- 1
		defer func() { b <- "x" }()
		select {
		case a <- 2:
		case <-ctx.Done():
		}
	}()
	defer func() { <-a }()
	later := func() { c <- true }
	_ = later
	for v := range b {
		_ = v
	}
	close(b)
	if len(c) > 0 {
		sink(c)
	}
	a = nil
}
"""


def _file(src: bytes = SRC, path: str = "p.go") -> GoFile:
    return GoFile(path, src)


def _chan(f: GoFile, name: str) -> channels.LocalChan:
    return next(c for c in channels.local_channels(f) if c.name == name)


def test_local_channels_and_capacities():
    f = _file()
    chans = channels.local_channels(f)
    assert [c.name for c in chans] == ["a", "b", "c"]
    assert [c.capacity for c in chans] == [0, 4, None]
    assert channels.local_channels(f) is chans  # memoised on the file


def test_ops_are_classified_with_their_runner():
    f = _file()
    a = _chan(f, "a")
    kinds = [(op.kind, op.runner, op.in_select) for op in a.ops]
    assert kinds == [("send", "go", False), ("send", "go", True), ("recv", "defer", False), ("write", "self", False)]
    assert a.reassigned
    assert a.ops[0].go is not None and a.ops[0].go.type == "go_statement"
    b = _chan(f, "b")
    assert [(op.kind, op.runner) for op in b.ops] == [("send", "go"), ("range", "self"), ("close", "self")]
    assert b.closed and not b.escapes
    c = _chan(f, "c")
    assert [(op.kind, op.runner) for op in c.ops] == [("send", "later"), ("len", "self"), ("escape", "self")]


def test_launch_and_runner():
    f = _file(b"package p\nfunc g() {\n\tgo func() { func() { x() }() }()\n\tdefer func() { y() }()\n"
              b"\th := func() { z() }\n\t_ = h\n}\n")
    calls = {f.text(n.child_by_field_name("function")): n for n in scope.walk(f.root, skip_funcs=False)
             if n.type == "call_expression" and n.child_by_field_name("function").type == "identifier"}
    func = scope.functions(f)[0]
    assert channels.runner(calls["x"], func)[0] == "go"
    assert channels.runner(calls["y"], func) == ("defer", None)
    assert channels.runner(calls["z"], func) == ("later", None)


def test_sends_per_run_counts_paths():
    src = b"""package p
func g(ch chan int, xs []int, bad bool) {
	go func() {
		if bad {
			ch <- 1
			return
		}
		ch <- 2
	}()
	go func() {
		for _, x := range xs {
			ch <- x
		}
	}()
	go func() {
		for {
			ch <- 0
		}
	}()
	go func() {
		for _, x := range xs {
			if x > 0 {
				ch <- x
				break
			}
		}
		ch <- 0
	}()
}
"""
    f = _file(src)
    func = scope.functions(f)[0]
    b = scope.resolve(f, next(n for n in scope.walk(func) if n.type == "identifier" and f.text(n) == "ch"))
    ops = [channels._op(f, u, func) for u in scope.uses(f, b)]
    gos = channels.own_go_statements(f, func)
    counts = [channels.sends_per_run(f, channels.go_literal(g), [o for o in ops if o.go == g]) for g in gos]
    many = channels.MANY
    assert counts == [(1, 1), (0, many), (many, many), (1, 2)]


def test_fails_and_calls_fatal():
    f = _file(b"package p\nfunc TestX(t *T) {\n\tt.Fatal(1)\n}\nfunc g() {\n\tif x { panic(1) }\n}\n", "x_test.go")
    test, g = scope.functions(f)
    assert channels.fails(f, scope.body(test).named_children[0])
    assert not channels.fails(f, scope.body(g).named_children[0])  # only a nested panic
    assert channels.calls_fatal(f, scope.body(g))


def test_passed_to_follows_package_functions(tmp_path):
    a = _file(b"package p\nfunc start() {\n\tch := make(chan int)\n\tgo worker(ch)\n\tfeed(ch, 1)\n}\n", "a.go")
    b = _file(b"package p\nfunc worker(in chan int) {\n\tfor range in {}\n}\n"
              b"func feed(out chan int, n int) {\n\tout <- n\n\tclose(out)\n}\n", "b.go")
    pkg = GoPackage(str(tmp_path), [a, b])
    ch = _chan(a, "ch")
    worker, feed = (channels.passed_to(pkg, a, op) for op in ch.escapes)
    assert worker.started and worker.param.name == "in" and [o.kind for o in worker.ops] == ["range"]
    assert not feed.started and [o.kind for o in feed.ops] == ["send", "close"]
    assert decls.callee(pkg, a, worker.call.child_by_field_name("function"))[0] is b


def test_field_ops_across_files(tmp_path):
    a = _file(SRC, "a.go")
    b = _file(b"package p\nfunc (s *S) run() {\n\tfor range s.events {}\n}\n"
              b"func newS() *S { return &S{events: make(chan int)} }\nfunc newT() *S { return &S{nil, 1} }\n", "b.go")
    pkg = GoPackage(str(tmp_path), [a, b])
    ops = channels.field_ops(pkg, a, "events")
    assert sorted(op.kind for op in ops) == ["init", "init", "range"]
    positional = next(op for op in ops if op.kind == "init" and op.node.type == "literal_value")
    assert b.text(positional.value) == "nil"


def test_loop_exits():
    f = _file(b"package p\nfunc g(xs []int) int {\nL:\n\tfor _, x := range xs {\n\t\tswitch {\n\t\tcase x > 1:\n"
              b"\t\t\tbreak\n\t\tcase x > 2:\n\t\t\tbreak L\n\t\t}\n\t\tif x > 3 {\n\t\t\treturn x\n"
              b"\t\t}\n\t}\n\treturn 0\n}\n")
    loop = next(n for n in scope.walk(f.root) if n.type == "labeled_statement")
    assert [n.type for n in scope.loop_exits(f, loop)] == ["break_statement", "return_statement"]
    assert [n.start_point[0] + 1 for n in scope.loop_exits(f, loop)] == [9, 12]
