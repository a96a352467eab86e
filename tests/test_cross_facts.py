"""Go facts for the XS rules: extraction from syntax, JSON and pickle round trips, route paths."""

from __future__ import annotations

import json
import os
import pickle
from pathlib import Path

import pytest

from golint_traefik.cross import facts as F
from golint_traefik.cross import paths as P
from golint_traefik.cross.gofacts import package_facts
from golint_traefik.cross.model import GoIndex, Link, Deployment, listen_port
from golint_traefik.go.source import GoFile, GoPackage

FIXTURES = Path(__file__).parent / "fixtures"


def facts_of(directory: Path, version=(1, 22)) -> F.PackageFacts:
    files = [GoFile(str(p), p.read_bytes(), version) for p in sorted(directory.glob("*.go"))]
    pf = package_facts(GoPackage(str(directory), files), str(directory))
    assert pf is not None
    return pf


def program_of(directory: Path):
    pf = facts_of(directory)
    return GoIndex([pf]).program([pf])


def route_texts(directory: Path) -> set[str]:
    return {rp.text for rp in program_of(directory).routes}


# ------------------------------------------------------------------ extraction


@pytest.mark.parametrize("case,expected", [
    ("XS101/servemux/svc", {"GET /healthz", "/static/", "GET /orders/{id}"}),
    ("XS101/gorilla/app", {"GET HEAD /healthz", "GET /api/v1/status", "/assets/", "GET /api/v1/users/{id:[0-9]+}"}),
    ("XS101/chi/svc", {"GET /api/health", "GET /api/items/{id}", "GET /ready", "GET /admin/ping", "/admin/files/*"}),
    ("XS101/gin/svc", {"GET /healthz", "GET /v1/ping", "GET /v1/users/:id", "/static/*"}),
    ("XS101/echo/svc", {"GET /health", "GET /admin/status/:id", "POST /admin/jobs"}),
    ("XS101/fiber/svc", {"GET /Health", "GET /api/items/:id?", "GET /v2/live"}),
    ("XS103/gorilla-addprefix/app", {"GET /v1/items", "GET DELETE /v1/items/{id}"}),
])
def test_routes_per_library(case, expected):
    assert route_texts(FIXTURES / case) == expected


def test_listen_addresses_with_env_and_flags():
    base = FIXTURES / "XS102/compose"
    cases = {
        "envport": ({}, None, ":8080"),
        "flagport": ({}, None, ":7000"),
        "ginrun": ({}, None, ":8080"),
        "echostart": ({}, None, ":1323"),
        "fiberflag": ({}, ["/app", "-port=4000"], ":4000"),
        "netlisten": ({"HTTP_PORT": "8082"}, None, ":8082"),
    }
    for name, (env, args, want) in cases.items():
        prog = program_of(base / name)
        link = Link(prog, "test", Deployment(env=env, args=args))
        assert [link.value(s.addr) for s in prog.servers] == [want], name
    prog = program_of(base / "envport")
    assert Link(prog, "t", Deployment(env={"PORT": "9000"})).value(prog.servers[0].addr) == ":9000"
    assert Link(prog, "t", Deployment(env_open=True)).value(prog.servers[0].addr) is None
    assert Link(prog, "t", Deployment(env={"PORT": None})).value(prog.servers[0].addr) is None


def test_server_timeouts():
    prog = program_of(FIXTURES / "XS104/compose/std")
    (srv,) = prog.servers
    assert {d.name: d.seconds for d in srv.timeouts} == {"WriteTimeout": 30.0, "IdleTimeout": 30.0}
    (fib,) = program_of(FIXTURES / "XS104/compose/fib").servers
    assert {d.name: d.seconds for d in fib.timeouts} == {"ReadTimeout": 5.0, "WriteTimeout": 10.0}
    (ech,) = program_of(FIXTURES / "XS104/compose/ech").servers
    assert {d.name: d.seconds for d in ech.timeouts} == {"WriteTimeout": 8.0, "IdleTimeout": 120.0}


def test_handler_blocking_facts():
    prog = program_of(FIXTURES / "XS105/compose/chiapp")
    (route,) = [rp for rp in prog.routes if rp.text == "GET /ready"]
    (h,) = prog.handlers(route.route.handler)
    assert [(b.kind, b.via) for b in h.blocking] == [("receive", "waitReady")]
    (live,) = [rp for rp in prog.routes if rp.text == "GET /live"]
    assert prog.handlers(live.route.handler) == []
    fiber = program_of(FIXTURES / "XS105/compose/fiberapp")
    (hz,) = fiber.routes
    assert [b.kind for h in fiber.handlers(hz.route.handler) for b in h.blocking] == ["db"]


def test_servemux_patterns_follow_the_go_version(tmp_path):
    (tmp_path / "main.go").write_text(
        'package main\nimport "net/http"\nfunc main() {\n\thttp.HandleFunc("GET /x/{id}", nil)\n'
        '\thttp.ListenAndServe(":80", nil)\n}\n')
    new = facts_of(tmp_path, (1, 22))
    old = facts_of(tmp_path, (1, 21))
    assert [(r.pattern, r.methods, r.syntax) for r in new.routes] == [("/x/{id}", ("GET",), "servemux")]
    # Before Go 1.22 "GET " is a host part and "{id}" a literal: the route answers no request Traefik sends.
    assert [(r.pattern, r.methods, r.syntax) for r in old.routes] == [("/x/{id}", (), "servemux-legacy")]
    assert not P.matches(P.parse("/x/{id}", "servemux-legacy"), "/x/1")


def test_packages_without_http_give_only_imports(tmp_path):
    (tmp_path / "util.go").write_text('package util\nimport "strings"\nfunc F() string { return strings.ToUpper("x") }\n')
    files = [GoFile(str(p), p.read_bytes()) for p in tmp_path.glob("*.go")]
    assert package_facts(GoPackage(str(tmp_path), files), str(tmp_path)) is None


# ------------------------------------------------------------------ serialisation


@pytest.mark.parametrize("case", ["XS101/chi/svc", "XS104/compose/fib", "XS105/compose/mux", "XS102/compose/netlisten"])
def test_json_and_pickle_round_trip(case):
    pf = facts_of(FIXTURES / case)
    data = json.loads(json.dumps(F.to_json(pf)))
    assert F.from_json(data) == pf
    assert pickle.loads(pickle.dumps(pf)) == pf


@pytest.mark.parametrize("bad", [None, [], ["x"], {"a": 1}, [1] * 12])
def test_from_json_rejects_malformed_data(bad):
    with pytest.raises((ValueError, TypeError)):
        F.from_json(bad)


def test_from_json_rejects_wrong_field_types():
    pf = facts_of(FIXTURES / "XS101/echo/svc")
    data = F.to_json(pf)
    data[0] = 42  # directory must be a string
    with pytest.raises(ValueError):
        F.from_json(data)


# ------------------------------------------------------------------ path matching


@pytest.mark.parametrize("pattern,syntax,subtree,path,ok", [
    ("/x/{id}", "servemux", False, "/x/1", True),
    ("/x/{id}", "servemux", False, "/x/1/2", False),
    ("/x/{rest...}", "servemux", False, "/x/1/2", True),
    ("/x/", "servemux", False, "/x/a/b", True),
    ("/x/", "servemux", False, "/x", True),  # redirected to /x/
    ("/x/{$}", "servemux", False, "/x/a", False),
    ("/users/{id:[0-9]+}", "gorilla", False, "/users/12", True),
    ("/users/{id:[0-9]+}", "gorilla", False, "/users/bob", False),
    ("/static", "gorilla", True, "/static/css/a.css", True),
    ("/files/*", "chi", False, "/files/a/b", True),
    ("/users/:id", "gin", False, "/users/7/", True),
    ("/files/*path", "gin", False, "/files/a/b", True),
    ("/a/:b", "echo", False, "/a/", False),
    ("/Items/:id?", "fiber", False, "/items", True),
    ("/api/+", "fiber", False, "/api/", False),
])
def test_matches(pattern, syntax, subtree, path, ok):
    assert P.matches(P.parse(pattern, syntax, subtree), path) is ok


@pytest.mark.parametrize("pattern,syntax,prefix,ok", [
    ("/api/users/{id}", "chi", "/api", True),
    ("/api/users/{id}", "chi", "/api/users/7/x", False),
    ("/api/users/{id}", "chi", "/api/u", True),
    ("/v1/items", "gin", "/v2", False),
    ("/healthz", "servemux", "/", True),
    ("/x/:id", "echo", "/x/abc", True),
])
def test_prefix_compatible(pattern, syntax, prefix, ok):
    assert P.prefix_compatible(P.parse(pattern, syntax), prefix) is ok


def test_listen_port():
    assert listen_port(":8080") == 8080
    assert listen_port("0.0.0.0:http") == 80
    assert listen_port("[::1]:9000") == 9000
    assert listen_port("8080") is None
    assert listen_port(None) is None


def test_import_paths_resolve_through_go_mod(tmp_path):
    (tmp_path / "go.mod").write_text("module example.com/app\n\ngo 1.22\n")
    (tmp_path / "cmd" / "api").mkdir(parents=True)
    (tmp_path / "internal" / "web").mkdir(parents=True)
    (tmp_path / "cmd" / "api" / "main.go").write_text(
        'package main\nimport (\n\t"net/http"\n\t"example.com/app/internal/web"\n)\n'
        'func main() {\n\tmux := http.NewServeMux()\n\tweb.Register(mux)\n\thttp.ListenAndServe(":8080", mux)\n}\n')
    (tmp_path / "internal" / "web" / "web.go").write_text(
        'package web\nimport "net/http"\nfunc Register(mux *http.ServeMux) {\n'
        '\tmux.HandleFunc("GET /hello", func(w http.ResponseWriter, r *http.Request) {})\n}\n')
    main = facts_of(tmp_path / "cmd" / "api")
    web = facts_of(tmp_path / "internal" / "web")
    index = GoIndex([main, web])
    prog = index.program([main])
    assert [p.directory for p in prog.packages] == sorted([main.directory, web.directory])
    assert [rp.text for rp in prog.routes] == ["GET /hello"]
    assert not prog.routes[0].unknown_prefix
    assert os.path.basename(prog.mains[0].directory) == "api"
