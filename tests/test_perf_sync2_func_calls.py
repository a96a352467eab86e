"""``syncfacts.func_calls`` finds the function literals inside a function from the ``func`` keywords of
that function's text alone: it must leave out the same calls as with every function of the file
(``scope.functions``), which it used before."""

from __future__ import annotations

import bisect

from golint_traefik.go import scope, syncfacts
from golint_traefik.go.source import GoFile

from go_sources import go_sources


NESTED = """package p

import "sync"

type funcT func(int) func() // "func" in a type, a comment: func
var hook = func() {}

func outer(mu *sync.Mutex, cb func(func())) {
	mu.Lock()
	cb(func() { mu.Unlock(); func() { mu.Lock() }() })
	s := "func() {}"
	defer func() {
		go func() { mu.Unlock() }()
	}()
	var f funcT
	_ = f
	_ = s
	g := func(x int) func() {
		return func() { mu.Lock() }
	}
	g(1)()
	func() {}()
	mu.Unlock()
}

func (t *T) method() { func() { t.mu.Lock() }(); t.mu.Unlock() }

type T struct{ mu sync.Mutex }

func last() func() { return func() {} }
func trailing() { _ = funcT(nil) }
"""


def _old_calls(f: GoFile, func):
    """func_calls as it was: the literals from the file's functions (scope.functions)."""
    calls = f.captures(syncfacts._CALL_Q, func).get("c", [])
    funcs = scope.functions(f)
    starts = [g.start_byte for g in funcs]
    ranges = []
    for g in funcs[bisect.bisect_right(starts, func.start_byte):bisect.bisect_left(starts, func.end_byte)]:
        if g.end_byte <= func.end_byte and not (ranges and g.end_byte <= ranges[-1][1]):
            ranges.append((g.start_byte, g.end_byte))
    return [c for c in calls if not any(s <= c.start_byte and c.end_byte <= e for s, e in ranges)]


def _sources():
    return go_sources("nested.go", NESTED, ("sync", "net/http", "context", "database/sql", "go/types"))


def test_func_calls_leave_out_the_same_literals():
    checked = with_literals = 0
    for path, src in _sources():
        f = GoFile(path, src)
        for func in scope.functions(f):
            assert syncfacts.func_calls(f, func) == _old_calls(f, func), (path, func.start_point)
            checked += 1
            with_literals += bool(syncfacts._inner_funcs(f, func))
    assert checked > 100 and with_literals > 10


def test_nested_literals_belong_to_the_outermost_literal():
    f = GoFile("nested.go", NESTED.encode())
    assert not f.has_error
    outer = next(g for g in scope.functions(f) if g.type == "function_declaration"
                 and f.text(g.child_by_field_name("name")) == "outer")
    inner = syncfacts._inner_funcs(f, outer)
    texts = [f.src[s:e].decode() for s, e in inner]
    # cb's argument, the deferred one, g, `func() {}()`: the literals inside those are theirs
    assert len(texts) == 4
    assert texts[0].startswith("func() { mu.Unlock(); func()") and texts[3] == "func() {}"
    assert texts[2].startswith("func(x int) func()") and "return func()" in texts[2]
    called = {f.text(c.child_by_field_name("function")) for c in syncfacts.func_calls(f, outer)}
    assert {"mu.Lock", "mu.Unlock", "cb"} <= called and "f" not in called
