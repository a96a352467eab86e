"""The shortcuts the sync rules take to skip work say nothing the full work would not.

Each cheap test that lets a GO2xx rule skip a flow, a file or a pattern is checked against the work
it stands for, over the rule fixtures and a few programs written for the corner cases.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from golint_traefik.go import scope, syncfacts
from golint_traefik.go.rules import go202_waitgroup_done_skipped as go202
from golint_traefik.go.rules import go204_sync_value_copied as go204
from golint_traefik.go.rules import go205_lock_without_unlock as go205
from golint_traefik.go.source import GoFile, GoPackage, find_word, words

FIXTURES = Path(__file__).parent / "fixtures"

CORNERS = """package p

import "sync"

var gmu sync.Mutex

type T struct {
	mu sync.Mutex
	rw sync.RWMutex
	n  int
}

func (t *T) lockA()      { t.mu.Lock() }
func (t *T) viaHelper()  { t.lockA() }
func (t *T) deep()       { t.viaHelper() }
func helper()            { gmu.Lock(); gmu.Unlock() }
func plain(x int) int    { return x + 1 }
func (t *T) Close()      {}
func (t *T) recursive()  { t.mu.Lock(); t.recursive(); t.mu.Unlock() }
func (t *T) callsDeep()  { t.mu.Lock(); t.deep(); t.mu.Unlock() }
func (t *T) callsPlain() { t.mu.Lock(); t.n = plain(t.n); t.Close(); t.mu.Unlock() }
func (t *T) before()     { t.deep(); t.mu.Lock(); t.n++; t.mu.Unlock() }
func (t *T) inLoop() {
	for i := 0; i < 3; i++ {
		t.mu.Lock()
	}
}
func (t *T) withGoto() {
again:
	t.mu.Lock()
	if t.n > 0 {
		goto again
	}
}
func (t *T) global()  { t.rw.RLock(); helper(); t.rw.RUnlock() }
func (t *T) literal() { t.mu.Lock(); func() { t.deep() }(); t.mu.Unlock() }
func (t *T) early(k int) int {
	t.mu.Lock()
	if k > 0 {
		return k
	}
	t.mu.Unlock()
	return 0
}
func (t *T) quiet(k int) int {
	t.mu.Lock()
	t.n += k
	t.mu.Unlock()
	return t.n
}
"""


def _sources() -> list[tuple[str, bytes]]:
    out = [("corners.go", CORNERS.encode())]
    for p in sorted(FIXTURES.rglob("*.go")):
        out.append((str(p), p.read_bytes()))
    return out


def _package(path: str, src: bytes) -> tuple[GoFile, GoPackage]:
    f = GoFile(path, src)
    return f, GoPackage(".", [f])


SOURCES = [s for s in _sources() if not GoFile(*s).has_error]


def _locking_funcs(f: GoFile):
    funcs = {}
    for c in syncfacts.sync_calls(f, syncfacts.ACQUIRE):
        if c.nargs == 0 and c.func is not None:
            funcs.setdefault(c.func.id, c.func)
    return list(funcs.values())


def _entry_locks_fresh(package, f, callee) -> dict:
    """entry_locks asked first, at depth 0 (the memo cleared before and after)."""
    key = ("syncfacts.entry", f.package_name)
    package.memo.pop(key, None)
    try:
        return syncfacts.entry_locks(package, f, *callee)
    finally:
        package.memo.pop(key, None)


@pytest.mark.parametrize("path,src", SOURCES, ids=[Path(p).name for p, _ in SOURCES])
def test_flows_skipped_for_go206_go207_have_nothing_to_say(path, src):
    f, package = _package(path, src)
    for func in _locking_funcs(f):
        if syncfacts.locks_while_holding(package, f, func):
            continue
        for ev in syncfacts.flow(f, func, package).events:
            if ev.kind == "lock":
                assert not ev.state, (path, ev.node.start_point)
            elif ev.kind == "call" and ev.state:
                callee = syncfacts.callee_decl(package, f, func, ev.node)
                assert callee is None or not _entry_locks_fresh(package, f, callee), (path, callee)


def test_corner_functions_that_must_keep_their_flow():
    f, package = _package("corners.go", CORNERS.encode())
    kept = {f.text(fn.child_by_field_name("name")) for fn in _locking_funcs(f)
            if fn.child_by_field_name("name") is not None and syncfacts.locks_while_holding(package, f, fn)}
    assert {"recursive", "callsDeep", "inLoop", "withGoto", "global"} <= kept
    assert not {"lockA", "callsPlain", "before", "literal", "quiet", "early"} & kept


@pytest.mark.parametrize("path,src", SOURCES, ids=[Path(p).name for p, _ in SOURCES])
def test_go205_regions_skipped_are_never_left(path, src):
    f, package = _package(path, src)
    by_func: dict[int, list] = {}
    for c in syncfacts.sync_calls(f, syncfacts.LOCK_METHODS):
        if c.nargs == 0 and c.func is not None:
            by_func.setdefault(c.func.id, []).append(c)
    for cs in by_func.values():
        regions = go205._regions(f, cs)
        quiet = {c.call.id for c in cs if c.call.id in regions and not go205._may_leave(f, c, regions[c.call.id][1])}
        for ev in syncfacts.flow(f, cs[0].func, package).events:
            if ev.kind in ("return", "continue", "panic", "break", "goto"):
                assert not any(fact.site.id in quiet and not fact.deferred and fact.via is None
                               for fact in ev.state.values()), (path, ev.kind, ev.node.start_point)


@pytest.mark.parametrize("path,src", SOURCES, ids=[Path(p).name for p, _ in SOURCES])
def test_go202_done_statement_precheck(path, src):
    f, _ = _package(path, src)
    dones = [c for c in syncfacts.sync_calls(f, ("Done",)) if c.nargs == 0 and c.is_statement and c.func is not None]
    if dones:
        assert go202._done_statement(f)


@pytest.mark.parametrize("path,src", SOURCES, ids=[Path(p).name for p, _ in SOURCES])
def test_text_helpers_match_their_patterns(path, src):
    f, package = _package(path, src)
    idents = sorted({m.group().decode() for m in re.finditer(rb"[A-Za-z_]\w*", src)})
    for names in (idents[:3], idents[::7], idents):  # few names, and many
        if names:
            want = [m.span() for m in words(syncfacts.names_re(tuple(sorted(names))), src)]
            assert syncfacts.name_spans(f, names) == want
            want = [m.span(1) for m in syncfacts.names_re(tuple(sorted(names)), rb"\*[\s(]*").finditer(src)]
            assert go204._derefs(src, set(names)) == want
    rx = re.compile(rb"(?:Mutex|Map|Once)\b")
    for t in scope.functions(f):
        assert syncfacts._has_word(rx, src, t.start_byte, t.end_byte) == \
            (find_word(rx, src, t.start_byte, t.end_byte) is not None)


@pytest.mark.parametrize("path,src", SOURCES, ids=[Path(p).name for p, _ in SOURCES])
def test_fields_naming_holders_has_every_field_that_can_hold(path, src):
    f, package = _package(path, src)
    naming = syncfacts.fields_naming_holders(package, f)
    for name, fields in syncfacts.struct_fields(package, f).items():
        for g, t in fields:
            inner = t.named_children[0] if t.type == "pointer_type" and t.named_child_count else t
            elem = {"slice_type": "element", "array_type": "element", "map_type": "value"}.get(t.type)
            if syncfacts.holder_of_type(package, g, inner) is not None or elem and \
                    syncfacts.holder_of_type(package, g, t.child_by_field_name(elem)) is not None:
                assert (g, t) in naming.get(name, []), (path, name)


def test_range_literal_pattern_stays_linear():
    src = b"package p\n// range" + b" ( // x\n" * 20000 + b"\n"
    start = time.process_time()
    assert find_word(go204._RANGE_LITERAL, src) is None
    assert time.process_time() - start < 1.0
    assert find_word(go204._RANGE_LITERAL, b"for _, m := range /* c */ ( []T{} ) {}") is not None
    assert find_word(go204._RANGE_LITERAL, b"for _, m := range // c\n\tmap[K]T{} {}") is not None
    assert find_word(go204._RANGE_LITERAL, b"for _, m := range xs {}") is None
