"""The text-driven searches that replaced whole-tree queries in the GO103 and GO406/GO407 paths find
exactly what the queries found, and the import shortcuts of ``httpfacts.request_calls`` keep the
RoundTrip calls of a file that only mentions net/http (the net/http package itself)."""

from __future__ import annotations

import textwrap

from golint_traefik.go import httpfacts, scope
from golint_traefik.go.rules import go103_dropped_result_channel as go103
from golint_traefik.go.source import GoFile, GoPackage

# The queries the searches replaced, kept here as the reference.
_FIELD_ASSIGN_Q = """
(assignment_statement
  left: (expression_list . (selector_expression operand: (_) @recv field: (field_identifier) @field) .)
  right: (expression_list . (_) @value .)) @stmt
"""
_DROPPED_Q = """
[(expression_statement (call_expression function: (_) @fn) @call)
 (go_statement (call_expression function: (_) @fn) @call)
 (defer_statement (call_expression function: (_) @fn) @call)
 (assignment_statement left: (expression_list . (identifier) @blank .)
                       right: (expression_list . (call_expression function: (_) @fn) @call .))]
"""


def gofile(src: str, path: str = "x.go") -> GoFile:
    f = GoFile(path, textwrap.dedent(src).lstrip().encode())
    assert f.first_error() is None, f.text(f.first_error())
    return f


ASSIGNMENTS = """
package p

func f() {
	x.MinVersion /* c */ = 1
	x.MinVersion = /* c */ 2
	x.MinVersion = 3 // c
	x.MinVersion, y = 4, 5
	(x.MinVersion) = 6
	x.MinVersion += 7
	x.
		MinVersion = 8
	x.MinVersion = func() int { y.MinVersion = 9; return 1 }()
	a.b.MinVersion = 10
	f().MinVersion = 11
	x.MinVersionX = 12
	// x.MinVersion = 13
	s := "x.MinVersion = 14"
	MinVersion = 15
	c := Config{MinVersion: 16}
	_, _ = s, c
}
"""


def test_field_assignments_match_the_query():
    f = gofile(ASSIGNMENTS)
    want = [(c["stmt"][0], c["recv"][0], c["value"][0]) for c in f.matches(_FIELD_ASSIGN_Q)
            if f.text(c["field"][0]) == "MinVersion"]
    got = httpfacts._field_assignments(f, "MinVersion")
    assert [tuple(n.id for n in t) for t in got] == [tuple(n.id for n in t) for t in want]
    assert [f.text(v) for _, _, v in got] == ["1", "2", "3", "7", "8", "func() int { y.MinVersion = 9; return 1 }()",
                                              "9", "10", "11"]


DROPPED = """
package p

func watch() <-chan int { return nil }

type T struct{}

func (T) watch() <-chan int { return nil }

func g(t T) {
	watch()
	(watch)()
	go watch()
	defer t.watch()
	_ = watch()
	x := watch()
	y = watch()
	_ = watch(), 1
	_, _ = watch(), 1
	<-watch()
	t.watch()
	watch.x()
	f(watch())
	if watch() == nil {
	}
	func() { watch() }()
	_ = x
}
"""


def test_dropped_calls_match_the_query():
    f = gofile(DROPPED)
    want = []
    for caps in f.matches(_DROPPED_Q):
        blank = caps.get("blank")
        fn = scope.unparen(caps["fn"][0])
        name = f.text(fn.child_by_field_name("field")) if fn.type == "selector_expression" else f.text(fn)
        if (not blank or f.text(blank[0]) == "_") and name == "watch":
            want.append((caps["call"][0].id, caps["fn"][0].id))
    got = [(call.id, fn.id) for call, fn in go103._dropped_calls(f, {"watch"})]
    assert got == want
    assert len(got) == 7  # watch(), (watch)(), go, defer, _ =, t.watch(), the one in the literal


def test_request_calls_in_a_file_that_only_mentions_net_http():
    """Without a net/http import in the package only RoundTrip calls can send requests: they are kept."""
    f = gofile("""
        // Package http is like net/http.
        package http

        func send(rt RoundTripper, c *Client, req *Request) {
        	resp, err := rt.RoundTrip(req)
        	r2, err := c.Do(req)
        	h.Get("x")
        	_, _, _ = resp, r2, err
        }
        """)
    calls = httpfacts.request_calls(GoPackage(".", [f]), f)
    assert [r.label for r in calls] == ["rt.RoundTrip"]
