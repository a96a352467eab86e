"""GO201 skips a goroutine literal whose body does not say ``Add``: every report it makes is about an
``x.Add(n)`` call of the body (``_calls(...)[0]["Add"]``), whose method name is that word of the text.
Checked against the full work on the fixtures and on real code."""

from __future__ import annotations

from golint_traefik.go.rules import go201_waitgroup_add_in_goroutine as go201
from golint_traefik.go.source import GoFile

from go_sources import go_sources


CORNERS = """package p

import "sync"

func f(wg *sync.WaitGroup, x interface{ Add(int) }) {
	go func() { wg.
		Add(1); defer wg.Done() }()
	go func() { wg. /* c */ Add(1); defer wg.Done() }()
	go func() { (wg).Add(1); defer wg.Done() }()
	go func() { defer wg.Done(); x.Add(2) }()
	go func() { defer wg.Done(); _ = "Add" }()
	go func() { defer wg.Done() }()
}
"""


def _sources():
    return go_sources("corners.go", CORNERS, ("sync", "net/http", "context", "database/sql", "runtime", "os/exec"), "*_test.go")


def test_goroutines_skipped_for_go201_have_no_add():
    skipped = kept = 0
    for path, src in _sources():
        f = GoFile(path, src)
        if f.has_error:
            continue
        for go, body in go201._literal_goroutines(f):
            own, _ = go201._calls(f, body, go)
            if f.src.find(b"Add", body.start_byte, body.end_byte) < 0:
                assert not own.get("Add"), (path, go.start_point)
                skipped += 1
            else:
                kept += 1
    assert skipped > 20 and kept > 5


def test_corner_adds_are_all_seen():
    f = GoFile("corners.go", CORNERS.encode())
    assert not f.has_error
    adds = [bool(go201._calls(f, body, go)[0].get("Add")) for go, body in go201._literal_goroutines(f)]
    assert adds == [True, True, True, True, False, False]
