"""The GO30x timer and GO4xx HTTP/TLS rules where fixtures cannot say it: severities that depend on
the go directive or on test files, related locations, options, and the shared helpers behind them
(``httpfacts``, the added ``scope``/``decls``/``source`` functions)."""

from __future__ import annotations

import textwrap

import pytest

from golint_traefik.engine import Settings, run
from golint_traefik.finding import Severity
from golint_traefik.go import decls, httpfacts, scope
from golint_traefik.go.source import GoFile, GoPackage, is_test_code


def lint(tmp_path, rule, src, name="x.go", also=(), **settings):
    (tmp_path / name).write_text(textwrap.dedent(src).lstrip())
    opts = {"selected": frozenset({rule}), "jobs": 1, **settings}
    return [f for f in run([name, *also], Settings(**opts), str(tmp_path)).findings if f.rule_id == rule]


def gofile(src: str, path: str = "x.go") -> GoFile:
    f = GoFile(path, textwrap.dedent(src).lstrip().encode())
    assert f.first_error() is None, f.text(f.first_error())
    return f


def line(node) -> int:
    return node.start_point[0] + 1


# ------------------------------------------------------------------ rules

TIMER = """
package p

import (
	"context"
	"time"
)

func wait(ctx context.Context, ch <-chan int) int {
	t := time.NewTimer(time.Minute)
	select {
	case v := <-ch:
		return v
	case <-ctx.Done():
	case <-t.C:
	}
	return 0
}
"""


def test_unstopped_timer_severity_follows_the_go_directive_and_relates_the_winning_case(tmp_path):
    (old,) = lint(tmp_path, "GO303", TIMER, go_version=(1, 22))
    assert (old.span.line, old.severity) == (9, Severity.WARNING)
    assert [(r.span.line, r.message) for r in old.related] == [
        (9, "time.NewTimer is called here"), (11, "when this case wins, the timer is left pending")]
    (new,) = lint(tmp_path, "GO303", TIMER, go_version=(1, 23))
    assert new.severity == Severity.NOTE and "since Go 1.23" in new.message
    (forced,) = lint(tmp_path, "GO303", TIMER, go_version=(1, 24), severity_overrides={"GO303": Severity.ERROR})
    assert forced.severity == Severity.ERROR


def test_unstopped_timer_in_a_test_file_is_a_note(tmp_path):
    (f,) = lint(tmp_path, "GO303", TIMER, name="x_test.go", go_version=(1, 21))
    assert f.severity == Severity.NOTE


AFTER = """
package p

import "time"

func loop(events <-chan string) {
	for {
		select {
		case <-events:
		case <-time.After(time.Minute):
			return
		}
	}
}
"""


def test_time_after_in_loop_severity_and_related_locations(tmp_path):
    (old,) = lint(tmp_path, "GO305", AFTER, go_version=(1, 22))
    assert (old.span.line, old.span.col, old.severity) == (9, 10, Severity.WARNING)
    assert [r.span.line for r in old.related] == [6, 8]  # the loop, the case that lets it go round
    (new,) = lint(tmp_path, "GO305", AFTER, go_version=(1, 23))
    assert new.severity == Severity.NOTE


TICK = """
package p

import "time"

func start(flush func()) {
	go func() {
		for range time.Tick(time.Second) {
			flush()
		}
	}()
}

func until(ready func() bool) {
	for range time.Tick(time.Second) {
		if ready() {
			return
		}
	}
}
"""


def test_time_tick_is_version_aware_and_the_goroutine_case_is_opt_in(tmp_path):
    assert [f.span.line for f in lint(tmp_path, "GO304", TICK, go_version=(1, 22))] == [14]
    assert lint(tmp_path, "GO304", TICK, go_version=(1, 23)) == []
    opted = lint(tmp_path, "GO304", TICK, go_version=(1, 23), rule_options={"GO304": {"endless-goroutines": True}})
    assert [f.span.line for f in opted] == [7]
    assert "every call of `start` leaves another goroutine" in opted[0].message
    assert [r.span.line for r in opted[0].related] == [6]


BODY = """
package p

import "net/http"

func status(u string) int {
	resp, err := http.Get(u)
	if err != nil {
		return 0
	}
	return resp.StatusCode
}
"""


def test_response_body_points_at_the_variable_and_the_call_and_is_a_note_in_tests(tmp_path):
    (f,) = lint(tmp_path, "GO401", BODY)
    assert (f.span.line, f.span.col, f.span.end_col, f.severity) == (6, 2, 6, Severity.WARNING)
    assert [(r.span.line, r.span.col) for r in f.related] == [(6, 15)]
    assert f.fix == "add `defer resp.Body.Close()` once the error has been checked"
    (t,) = lint(tmp_path, "GO401", BODY, name="p_test.go")
    assert t.severity == Severity.NOTE


def test_pprof_import_in_another_file_of_the_package_counts(tmp_path):
    (tmp_path / "debug.go").write_text('package p\n\nimport _ "net/http/pprof"\n')
    (f,) = lint(tmp_path, "GO408", 'package p\n\nimport "net/http"\n\nfunc s() { http.ListenAndServe(":6060", nil) }\n',
                also=["debug.go"])
    assert f.path == "x.go" and f.related == ()  # the import is in another file: no related location there
    (tmp_path / "debug.go").unlink()
    (g,) = lint(tmp_path, "GO408", 'package p\n\nimport (\n\t"net/http"\n\t_ "net/http/pprof"\n)\n\n'
                                   'func s() { http.ListenAndServe(":6060", nil) }\n')
    assert [r.span.line for r in g.related] == [5]


# ------------------------------------------------------------- httpfacts

SERVERS = """
package p

import (
	"fmt"
	"net/http"
	"time"
)

const addr = "0.0.0.0:9000"

func a(h http.Handler, port int) {
	http.HandleFunc("/healthz", health)
	mux := http.NewServeMux()
	mux.Handle("/api/", h)
	http.DefaultServeMux.Handle("/metrics", h)
	go http.ListenAndServe(fmt.Sprintf(":%d", port), nil)
	srv := &http.Server{Addr: addr, Handler: mux}
	srv.ReadHeaderTimeout = time.Second
	_ = http.ListenAndServeTLS("localhost:8443", "c", "k", h)
}

func health(w http.ResponseWriter, r *http.Request) {}
"""


def test_servers_addresses_and_routes():
    f = gofile(SERVERS)
    servers = httpfacts.servers(f)
    assert [(s.kind, s.name, line(s.node)) for s in servers] == [
        ("func", "ListenAndServe", 16), ("literal", "Server", 17), ("func", "ListenAndServeTLS", 19)]
    listen, literal, tls = servers
    assert httpfacts.address(f, listen.addr) == ":*" and listen.uses_default_mux(f)
    assert httpfacts.address(f, literal.addr) == "0.0.0.0:9000" and not literal.uses_default_mux(f)
    assert set(literal.fields) == {"Addr", "Handler", "ReadHeaderTimeout"} and literal.var.name == "srv"
    assert httpfacts.address(f, tls.addr) == "localhost:8443"
    routes = httpfacts.routes(f)
    assert [(r.pattern, r.mux is None) for r in routes] == [("/healthz", True), ("/api/", False), ("/metrics", True)]


@pytest.mark.parametrize("addr,loopback,public", [
    (":8080", False, True), ("", False, True), ("0.0.0.0:1", False, True), ("[::]:1", False, True),
    ("localhost:6060", True, False), ("127.0.0.1:0", True, False), ("[::1]:80", True, False),
    ("10.0.0.1:80", False, False), ("example.com:443", False, False), ("localhost:*", True, False),
])
def test_address_classes(addr, loopback, public):
    assert httpfacts.is_loopback(addr) is loopback
    assert httpfacts.is_public(addr) is public


REQUESTS = """
package p

import (
	"context"
	"net/http"
)

type svc struct{ hc *http.Client }

type kv struct{}

func (kv) Get(k string) (string, error) { return k, nil }

type doer interface {
	Do(*http.Request) (*http.Response, error)
}

func f(ctx context.Context, s *svc, rt http.RoundTripper, store kv, doer doer) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodHead, "u", nil)
	r1, _ := http.Get("u")
	r2, _ := s.hc.Do(req)
	r3, _ := doer.Do(req.WithContext(ctx))
	r4, _ := rt.RoundTrip(req)
	v, _ := store.Get("k")
	_, _, _, _, _ = r1, r2, r3, r4, v
}
"""


def test_request_calls_and_request_methods():
    f = gofile(REQUESTS)
    calls = httpfacts.request_calls(None, f)
    assert [(r.label, line(r.call)) for r in calls] == [
        ("http.Get", 20), ("s.hc.Do", 21), ("doer.Do", 22), ("rt.RoundTrip", 23)]
    arg = calls[1].call.child_by_field_name("arguments").named_children[0]
    assert httpfacts.request_method(f, arg) == "HEAD"


def test_tls_settings_merge_later_assignments():
    f = gofile("""
        package p

        import "crypto/tls"

        func c(insecure bool) *tls.Config {
        	cfg := &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS12}
        	cfg.InsecureSkipVerify = insecure
        	return cfg
        }
        """)
    settings = httpfacts.tls_settings(None, f, "InsecureSkipVerify")
    assert [(line(s.node), f.text(s.value)) for s in settings] == [(6, "true"), (7, "insecure")]
    assert settings[0].config["InsecureSkipVerify"].type == "assignment_statement"


# ------------------------------------------------- scope, decls, source

FLOW = """
package p

func f(events <-chan int, stop <-chan struct{}, ok bool) {
	if ok {
		g()
	}
Loop:
	for {
		select {
		case <-events:
			continue Loop
		case <-stop:
			break Loop
		default:
			panic("x")
		}
	}
}

func g() {}
"""


def test_guards_select_case_and_leaves():
    f = gofile(FLOW)
    calls = [n for n in f.captures("(call_expression) @c")["c"]]
    assert [f.text(g) for g in scope.guards(calls[0])] == ["ok"]
    assert [g.type for g in scope.guards(calls[1])] == ["default_case"]
    recvs = f.captures("(unary_expression) @u")["u"]
    cases = [scope.select_case(u) for u in recvs]
    assert [line(c) for c in cases] == [10, 12]
    loop = f.captures("(for_statement) @l")["l"][0]
    select = cases[0].parent
    bodies = [scope.case_statements(c) for c in select.named_children if c.type.endswith("case")]
    assert [scope.leaves(f, b, loop) for b in bodies] == [False, True, True]  # continue Loop stays; break, panic leave
    assert scope.select_case(calls[0]) is None


def test_has_type_reads_declarations_fields_and_initialisers():
    src = """
        package p

        import "net/http"

        type svc struct {
        	client *http.Client
        	other  *http.Transport
        }

        var shared = &http.Client{}

        func f(c *http.Client, s *svc) {
        	local := http.Client{}
        	var mux http.ServeMux
        	use(c, s.client, s.other, shared, local, mux)
        }
        """
    f = gofile(src)
    pkg = GoPackage(".", [f])
    q = "(call_expression function: (identifier) @fn arguments: (argument_list) @a)"
    args = f.captures(q)["a"][0].named_children
    got = [decls.has_type(pkg, f, a, httpfacts.HTTP, "Client") for a in args]
    assert got == [True, True, False, True, True, False]


@pytest.mark.parametrize("path,package,expected", [
    ("pkg/server.go", "server", False),
    ("pkg/server_test.go", "server", True),
    ("internal/testutil/tls.go", "testutil", True),
    ("pkg/fake/fake.go", "servertest", True),
    ("test/e2e/basic/basic.go", "basic", True),
    ("fixtures/GO406/x.go", "client", False),
])
def test_is_test_code(path, package, expected):
    assert is_test_code(GoFile(path, f"package {package}\n".encode())) is expected


SERVER_WITH_DEFAULT_CLIENT = """
package p

import "net/http"

func proxy(w http.ResponseWriter, r *http.Request) {
	resp, err := http.DefaultClient.Get("http://upstream/")
	if err == nil {
		resp.Body.Close()
	}
	resp, err = http.Get("http://other/")
	if err == nil {
		resp.Body.Close()
	}
}

func routes(mux *http.ServeMux) {
	mux.HandleFunc("/", proxy)
}
"""


def test_client_without_timeout_is_opt_in_and_its_default_client_part_needs_the_option(tmp_path):
    from golint_traefik.registry import load_registry

    assert "GO403" not in load_registry().default_selection()
    assert lint(tmp_path, "GO403", SERVER_WITH_DEFAULT_CLIENT) == []
    opted = lint(tmp_path, "GO403", SERVER_WITH_DEFAULT_CLIENT,
                 rule_options={"GO403": {"default-client-in-servers": True}})
    assert [(f.span.line, f.message.split(" ")[0]) for f in opted] == [(6, "http.DefaultClient"), (10, "http.Get")]
