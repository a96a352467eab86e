"""The shared sync facts (golint_traefik.go.syncfacts) that the GO2xx rules stand on."""

from __future__ import annotations

import pytest

from golint_traefik.engine import Settings, run
from golint_traefik.go import scope, syncfacts
from golint_traefik.go.source import GoFile, GoPackage


def parse(src: str, path: str = "x.go") -> tuple[GoFile, GoPackage]:
    f = GoFile(path, src.encode())
    return f, GoPackage(".", [f])


def func_named(f: GoFile, name: str):
    for fn in scope.functions(f):
        n = fn.child_by_field_name("name")
        if n is not None and f.text(n) == name:
            return fn
    raise KeyError(name)


def held_at(flow, kind: str) -> list[tuple[int, set]]:
    """(line, held keys) of each event of ``kind``."""
    return [(e.node.start_point[0] + 1, {k for k, _ in e.state}) for e in flow.events if e.kind == kind]


FLOW = """package p

import "sync"

type S struct {
	mu sync.Mutex
	rw sync.RWMutex
	m  map[string]int
}

func (s *S) branches(k string, flag bool) int {
	s.mu.Lock()
	if flag {
		s.mu.Unlock()
		return 1
	}
	if k == "" {
		return 2
	}
	s.mu.Unlock()
	return 3
}

func (s *S) joins(flag bool) int {
	if flag {
		s.mu.Lock()
	}
	return 4
}

func (s *S) loops(keys []string) {
	for _, k := range keys {
		s.mu.Lock()
		if k == "" {
			continue
		}
		s.mu.Unlock()
	}
}

func (s *S) deferred() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return 5
}

func (s *S) switches(k string) int {
	s.mu.Lock()
	switch k {
	case "a":
		fallthrough
	case "b":
		s.mu.Unlock()
		return 6
	}
	return 7
}

func (s *S) reassigned(o *S) int {
	s.mu.Lock()
	s = o
	return 8
}

func (s *S) helper() int {
	s.mu.Lock()
	s.unlockAll()
	return 9
}

func (s *S) unlockAll() { s.mu.Unlock() }

func (s *S) goroutine() int {
	s.mu.Lock()
	go func() { s.mu.Unlock() }()
	return 10
}
"""


@pytest.fixture(scope="module")
def flow_file():
    return parse(FLOW)


def test_flow_tracks_locks_through_branches(flow_file):
    f, _ = flow_file
    flow = syncfacts.LockFlow(f, func_named(f, "branches"))
    assert held_at(flow, "return") == [(15, set()), (18, {"s.mu"}), (21, set())]


def test_flow_joins_by_intersection(flow_file):
    f, _ = flow_file
    flow = syncfacts.LockFlow(f, func_named(f, "joins"))
    assert held_at(flow, "return") == [(28, set())]


def test_flow_sees_continue_with_the_lock_held(flow_file):
    f, _ = flow_file
    flow = syncfacts.LockFlow(f, func_named(f, "loops"))
    assert held_at(flow, "continue") == [(35, {"s.mu"})]
    assert held_at(flow, "end") == [(31, set())]


def test_flow_marks_deferred_unlocks(flow_file):
    f, _ = flow_file
    flow = syncfacts.LockFlow(f, func_named(f, "deferred"))
    (ret,) = [e for e in flow.events if e.kind == "return"]
    assert ret.state[("s.mu", "w")].deferred


def test_flow_follows_fallthrough(flow_file):
    f, _ = flow_file
    flow = syncfacts.LockFlow(f, func_named(f, "switches"))
    assert held_at(flow, "return") == [(54, set()), (56, {"s.mu"})]


def test_flow_forgets_reassigned_receivers(flow_file):
    f, _ = flow_file
    flow = syncfacts.LockFlow(f, func_named(f, "reassigned"))
    assert held_at(flow, "return") == [(62, set())]


def test_flow_trusts_helpers_that_unlock(flow_file):
    f, pkg = flow_file
    unlockers = syncfacts.unlocking_funcs(pkg, f)
    assert unlockers["unlockAll"] == frozenset({"mu"})
    flow = syncfacts.LockFlow(f, func_named(f, "helper"), unlockers=unlockers)
    assert held_at(flow, "return") == [(68, set())]


def test_flow_trusts_goroutines_that_unlock(flow_file):
    f, _ = flow_file
    flow = syncfacts.LockFlow(f, func_named(f, "goroutine"))
    assert held_at(flow, "return") == [(76, set())]


HOLDERS = """package p

import (
	"sync"
	s2 "sync"
)

type A struct{ mu sync.Mutex }
type B struct{ a A }
type C struct{ list [2]B }
type D struct{ p *A }
type E struct{ *A }
type F struct{ wg s2.WaitGroup }
type G = A
type Mutex struct{}
type H struct{ m Mutex }
"""


def test_lock_holders_follow_fields_arrays_and_aliases():
    f, pkg = parse(HOLDERS)
    holders = syncfacts.lock_holders(pkg, f)
    assert set(holders) == {"A", "B", "C", "F", "G"}
    assert holders["C"].describe("C") == "C, whose list[i].a.mu is a sync.Mutex"
    assert holders["F"].sync == "WaitGroup"


def test_lock_holders_need_every_declaration():
    a = GoFile("a.go", b"package p\nimport \"sync\"\ntype T struct{ mu sync.Mutex }\n")
    b = GoFile("b.go", b"package p\ntype T struct{}\n")
    assert syncfacts.lock_holders(GoPackage(".", [a, b]), a) == {}


NAMES = """package p

import "sync"

var global sync.Mutex

type T struct {
	sync.Mutex
	mu sync.RWMutex
}

func (t *T) a() {
	t.mu.Lock()
	t.Lock()
	global.Lock()
	var local sync.Mutex
	local.Lock()
}

func (t *T) entry() {
	if t == nil {
		return
	}
	t.mu.RLock()
	defer t.mu.RUnlock()
}

func (t *T) chained() { t.entry() }

func (t *T) late(x bool) {
	if x {
		return
	}
	t.entry()
}

func (t *T) expectsHeld() {
	t.mu.Unlock()
	t.mu.Lock()
}
"""


def test_lock_names_identify_receiver_fields_and_globals():
    f, pkg = parse(NAMES)
    fn = func_named(f, "a")
    names = [syncfacts.lock_name(pkg, f, fn, c.call) for c in syncfacts.sync_calls(f, ("Lock",)) if c.func == fn]
    assert names == ["T.mu", "T", "::global", None]


def test_entry_locks_follow_top_level_calls():
    f, pkg = parse(NAMES)
    entry = syncfacts.entry_locks(pkg, f, "T", "entry")
    assert {k: v.mode for k, v in entry.items()} == {"T.mu": "r"}
    chained = syncfacts.entry_locks(pkg, f, "T", "chained")
    assert chained["T.mu"].chain == ("chained", "entry")
    assert syncfacts.entry_locks(pkg, f, "T", "late") == {}  # only past an early return
    assert syncfacts.entry_locks(pkg, f, "T", "expectsHeld") == {}


def test_terminating_calls():
    f, _ = parse('package p\nimport (\n"log"\n"os"\n"testing"\n)\n'
                 'func g(t *testing.T, l interface{ Fatal(...any) }) {\n'
                 'panic(1)\nos.Exit(1)\nlog.Fatalf("")\nt.FailNow()\nl.Fatal()\n}\n')
    calls = syncfacts.func_calls(f, func_named(f, "g"))
    assert [syncfacts.terminates(f, c) for c in calls] == ["panic", "exit", "exit", "goexit", None]


def test_func_calls_leave_calls_of_function_literals_to_them():
    f, _ = parse("package p\nfunc g() {\n\ta()\n\tgo func() { b(); func() { c() }() }()\n\td(e())\n}\n")
    g = func_named(f, "g")
    names = [f.text(c.child_by_field_name("function")).split("(")[0] for c in syncfacts.func_calls(f, g)]
    assert names == ["a", "func", "d", "e"]  # the literal's own call is g's; b, c and the inner call are not
    lit = next(n for n in scope.functions(f) if n.type == "func_literal")
    assert [f.text(c)[:3] for c in syncfacts.func_calls(f, lit)] == ["b()", "fun"]


def test_key_text_ignores_address_and_parens():
    f, _ = parse("package p\nfunc g() { (&s.mu).Lock(); s.mu.Unlock() }\n")
    keys = [c.key for c in syncfacts.sync_calls(f, ("Lock", "Unlock"))]
    assert keys == ["s.mu", "s.mu"]


def test_sync_rules_report_nothing_on_clean_code(tmp_path):
    (tmp_path / "x.go").write_text(FLOW.split("func (s *S) branches")[0] + """
func (s *S) Get(k string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m[k]
}
""")
    found = run(["x.go"], Settings(selected=frozenset({f"GO20{i}" for i in range(1, 9)}), jobs=1),
                str(tmp_path)).findings
    assert found == []


def lint(tmp_path, rules, files: dict[str, str]):
    for name, src in files.items():
        (tmp_path / name).write_text(src)
    return run(sorted(files), Settings(selected=frozenset(rules), jobs=1), str(tmp_path)).findings


def test_lock_without_unlock_points_at_the_exit_the_lock_and_the_unlock(tmp_path):
    src = ("package p\n\nimport \"sync\"\n\nvar mu sync.Mutex\n\nfunc f(m map[string]int, k string) int {\n"
           "\tmu.Lock()\n\tv, ok := m[k]\n\tif !ok {\n\t\treturn 0\n\t}\n\tmu.Unlock()\n\treturn v\n}\n")
    (finding,) = lint(tmp_path, {"GO205"}, {"x.go": src})
    assert finding.span.line == 11
    assert [r.span.line for r in finding.related] == [8, 13]
    assert "defer mu.Unlock()" in finding.fix


def test_lock_order_inversion_is_reported_once_per_pair(tmp_path):
    a = ("package p\n\nimport \"sync\"\n\ntype T struct{ a, b sync.Mutex }\n\n"
         "func (t *T) AB() {\n\tt.a.Lock()\n\tt.b.Lock()\n\tt.b.Unlock()\n\tt.a.Unlock()\n}\n")
    b = ("package p\n\nfunc (t *T) BA() {\n\tt.b.Lock()\n\tt.a.Lock()\n\tt.a.Unlock()\n\tt.b.Unlock()\n}\n\n"
         "func (t *T) BA2() {\n\tt.b.Lock()\n\tdefer t.b.Unlock()\n\tt.a.Lock()\n\tdefer t.a.Unlock()\n}\n")
    found = lint(tmp_path, {"GO207"}, {"a.go": a, "b.go": b})
    assert [(f.path, f.span.line) for f in found] == [("b.go", 13)]


def test_opt_in_sync_rules():
    from golint_traefik.registry import load_registry

    default = load_registry().default_selection()
    assert {"GO201", "GO202", "GO204", "GO205", "GO206", "GO207"} <= default
    assert not {"GO203", "GO208"} & default
