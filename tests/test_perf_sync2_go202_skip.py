"""GO202 skips the flow of a goroutine whose text says neither ``return`` nor the name of a call that
ends a goroutine (``syncfacts.may_return_or_goexit``), unless it recovers from panics: such a flow has
no ``return`` and no ``goexit`` event, the only events the rule reports on.  Checked against the
flows themselves, over every function of the fixtures and of real code."""

from __future__ import annotations

from golint_traefik.go import scope, syncfacts
from golint_traefik.go.rules import go202_waitgroup_done_skipped as go202
from golint_traefik.go.source import GoFile

from go_sources import go_sources


CORNERS = """package p

import (
	"runtime"
	"sync"
	"testing"
)

func a(wg *sync.WaitGroup, t *testing.T) {
	go func() { work(); if bad() { t.FailNow() }; wg.Done() }()
	go func() { work(); if bad() { runtime.Goexit() }; wg.Done() }()
	go func() { work(); if bad() { return }; wg.Done() }()
	go func() { work(); wg.Done() }()
	go func() { for { if bad() { break } }; wg.Done() }()
	go func() { t.Fatalf("x"); wg.Done() }()
}

func work()      {}
func bad() bool { return false }
"""


def _sources():
    return go_sources("corners.go", CORNERS, ("sync", "net/http", "context", "runtime", "testing", "os/exec", "cmd/go/internal/work"))


def _flow(f, func):
    start = {("k", "d"): syncfacts.Fact(func)}
    return syncfacts.LockFlow(f, func, acquire={}, release=go202._RELEASE, start=start, releasing_name=None)


def test_flows_skipped_for_go202_have_no_return_and_no_goexit():
    skipped = kept = 0
    for path, src in _sources():
        f = GoFile(path, src)
        if f.has_error:
            continue
        for func in scope.functions(f):
            if func.child_by_field_name("body") is None:
                continue
            if syncfacts.may_return_or_goexit(f, func):
                kept += 1
                continue
            skipped += 1
            kinds = {ev.kind for ev in _flow(f, func).events}
            assert not kinds & {"return", "goexit"}, (path, func.start_point, kinds)
    assert skipped > 100 and kept > 100


def test_corner_goroutines():
    f = GoFile("corners.go", CORNERS.encode())
    assert not f.has_error
    lits = [g for g in scope.functions(f) if g.type == "func_literal"]
    assert [syncfacts.may_return_or_goexit(f, g) for g in lits] == [True, True, True, False, False, True]
    assert [{"return", "goexit"} & {ev.kind for ev in _flow(f, g).events} != set() for g in lits] == \
        [True, True, True, False, False, True]
