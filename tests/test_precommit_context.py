"""Files named on the command line are linted inside their project (pre-commit passes only the changed ones).

The other configuration files of the project (found from the nearest
``.golint-traefik.toml``, ``pyproject.toml`` with ``[tool.golint-traefik]``,
``.git`` or the current directory) are read as *context*: they feed the
Traefik model, but findings are reported only for the named files.  Directories
named on the command line, stdin and ``--no-context`` keep the old behaviour.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from click.testing import CliRunner

from golint_traefik import engine
from golint_traefik.cli import cli
from golint_traefik.engine import Settings, project_root, run
from golint_traefik.registry import load_registry

ROOT = Path(__file__).resolve().parents[1]

STATIC = """\
entryPoints:
  web:
    address: ":80"
  websecure:
    address: ":443"
providers:
  file:
    directory: /etc/traefik/dynamic
"""
ROUTERS = """\
http:
  routers:
    app:
      rule: Host(`app.example.com`)
      entryPoints: [websecure]
      middlewares: [auth, headers]
      service: app
"""
MIDDLEWARES = """\
http:
  middlewares:
    auth:
      basicAuth:
        usersFile: /etc/traefik/users
    headers:
      headers:
        frameDeny: true
"""
SERVICES = """\
http:
  services:
    app:
      loadBalancer:
        servers:
          - url: http://app:8080
"""
INSECURE_TRANSPORT = """\
http:
  serversTransports:
    skip:
      insecureSkipVerify: true
"""

REF_RULES = ("TR201", "TR202", "TR203", "TR210", "TR211")


def make(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    return root


def project(tmp_path: Path, **extra: str) -> Path:
    """A Traefik project split over four files, with a git marker at its root."""
    root = tmp_path / "proj"
    files = {"traefik.yml": STATIC, "dynamic/routers.yml": ROUTERS, "dynamic/middlewares.yml": MIDDLEWARES,
             "dynamic/services.yml": SERVICES}
    files.update({k.replace("__", "/"): v for k, v in extra.items()})
    make(root, files)
    (root / ".git").mkdir()
    return root


def check(cwd: Path, *args: str, input: bytes | None = None):
    """``golint-traefik check`` in ``cwd``: (exit code, findings as (rule, path, line), stderr)."""
    old = os.getcwd()
    os.chdir(cwd)
    try:
        res = CliRunner().invoke(cli, ["check", "--format", "json", "--no-cache", *args], input=input)
    finally:
        os.chdir(old)
    assert res.exit_code in (0, 1), f"exit {res.exit_code}\n{res.output}\n{res.exception!r}"
    doc = json.loads(res.stdout)
    return res.exit_code, sorted((f["rule"], f["path"], f["line"]) for f in doc["findings"]), res.stderr


def rules(found) -> set[str]:
    return {r for r, _, _ in found}


# ------------------------------------------------------------------ references


def test_router_file_alone_resolves_definitions_in_other_files(tmp_path):
    root = project(tmp_path)
    code, found, err = check(root, "dynamic/routers.yml")
    assert code == 0 and found == [], found
    assert "read as context" in err
    # The project really needs the other files: on its own the router file has both problems.
    code, alone, _ = check(root, "--no-context", "dynamic/routers.yml")
    assert {"TR201", "TR202"} <= rules(alone), alone


def test_definitions_used_only_in_context_are_not_unused(tmp_path):
    root = project(tmp_path)
    on = ("--extend-select", "TR210,TR211")  # off by default
    _, found, _ = check(root, *on, "dynamic/middlewares.yml", "dynamic/services.yml")
    assert not rules(found) & set(REF_RULES), found
    _, alone, _ = check(root, *on, "--no-context", "dynamic/middlewares.yml", "dynamic/services.yml")
    assert {"TR210", "TR211"} <= rules(alone), alone


def test_undefined_middleware_in_the_named_file_is_still_reported(tmp_path):
    root = project(tmp_path)
    (root / "dynamic" / "routers.yml").write_text(ROUTERS.replace("[auth, headers]", "[auth, header]"))
    code, found, _ = check(root, "dynamic/routers.yml")
    assert code == 1
    assert [f for f in found if f[0] == "TR201"] == [("TR201", "dynamic/routers.yml", 6)], found


def test_findings_inside_context_files_are_not_reported(tmp_path):
    root = project(tmp_path, **{"dynamic__transports.yml": INSECURE_TRANSPORT})
    _, everything, _ = check(root, ".")
    assert ("TR402", "dynamic/transports.yml", 4) in everything
    _, found, _ = check(root, "dynamic/routers.yml")
    assert found == []
    _, found, _ = check(root, "dynamic/transports.yml")
    assert ("TR402", "dynamic/transports.yml", 4) in found
    assert {p for _, p, _ in found} == {"dynamic/transports.yml"}


def test_broken_context_files_give_no_diagnostics(tmp_path):
    root = project(tmp_path, **{
        "dynamic__broken.yml": "http:\n  routers:\n    x: [\n",  # a parse error (E001) when named
        "dynamic__latin1.yml": "",
    })
    (root / "dynamic" / "latin1.yml").write_bytes(b"http:\n  routers: {}\n# caf\xe9\n")
    (root / "unreadable").mkdir()
    (root / "unreadable" / "x.yml").write_text(MIDDLEWARES)
    os.chmod(root / "unreadable", 0)
    try:
        code, found, _ = check(root, "dynamic/routers.yml")
    finally:
        os.chmod(root / "unreadable", 0o755)
    assert code == 0 and found == [], found
    _, named, _ = check(root, "dynamic/broken.yml", "dynamic/latin1.yml")
    assert {(r, p) for r, p, _ in named} == {("E001", "dynamic/broken.yml"), ("E002", "dynamic/latin1.yml")}


def test_context_files_over_the_size_limit_are_skipped(tmp_path, monkeypatch):
    root = project(tmp_path)
    (root / "dynamic" / "middlewares.yml").write_text(MIDDLEWARES + "#" * 2000 + "\n")
    monkeypatch.setattr(engine, "MAX_FILE_BYTES", 1000)
    res = run(["dynamic/routers.yml"], Settings(selected=frozenset(REF_RULES) | {"E002"}, jobs=1, context=True), str(root))
    # Not read, so its middlewares are undefined -- and nothing is said about the file itself.
    assert sorted((f.rule_id, f.path) for f in res.findings) == [("TR201", "dynamic/routers.yml")] * 2


def test_static_configuration_only_in_context(tmp_path):
    # Through the image tag of a compose file not named, the project is Traefik v2: v2 rule syntax is right.
    v2_router = ROUTERS.replace("Host(`app.example.com`)", "HostRegexp(`{sub:[a-z]+}.example.com`)")
    root = project(tmp_path, **{
        "dynamic__routers.yml": v2_router,
        "docker-compose.yml": "services:\n  traefik:\n    image: traefik:v2.11\n",
    })
    _, found, _ = check(root, "dynamic/routers.yml")
    assert found == [], found
    _, alone, _ = check(root, "--no-context", "dynamic/routers.yml")
    assert rules(alone) & {"TR303", "TR304"}, alone  # v2 syntax under the default version 3
    (root / "docker-compose.yml").write_text("services:\n  traefik:\n    image: traefik:v3.1\n")
    _, v3, _ = check(root, "dynamic/routers.yml")
    assert rules(v3) & {"TR303", "TR304"}, v3


def test_entry_points_defined_in_context(tmp_path):
    # A second static configuration is named; websecure is defined only in traefik.yml, which is not.
    root = project(tmp_path, **{"edge/traefik.toml": '[entryPoints.web]\naddress = ":80"\n'})
    _, found, _ = check(root, "dynamic/routers.yml", "edge/traefik.toml")
    assert found == [], found
    _, alone, _ = check(root, "--no-context", "dynamic/routers.yml", "edge/traefik.toml")
    assert ("TR203", "dynamic/routers.yml", 5) in alone, alone


def test_same_findings_as_a_whole_project_run(tmp_path):
    proj = tmp_path / "examples"
    shutil.copytree(ROOT / "examples", proj)
    (proj / ".golint-traefik.toml").write_text("")
    _, everything, _ = check(proj, ".")
    configs = sorted(str(p.relative_to(proj)) for p in proj.rglob("*.y*ml"))
    assert len(configs) >= 4
    for name in configs:
        _, found, _ = check(proj, name)  # no Go file named: no cross-check runs
        assert found == [f for f in everything if f[1] == name and not f[0].startswith("XS")], name
    # Several files at once, Go among them: the cross-checks see the whole program and configuration.
    named = ["service/main.go", "traefik/dynamic/routers.yml", "docker-compose.yml"]
    _, found, _ = check(proj, *named)
    project_wide = ("TR", "XS")  # (Go rules see only the named files of a package)
    assert [f for f in found if f[0].startswith(project_wide)] == \
        [f for f in everything if f[1] in named and f[0].startswith(project_wide)]
    assert ("XS104", "service/main.go", 44) in found


# ------------------------------------------------------------------ project root


def test_project_root_markers(tmp_path):
    top = tmp_path / "repo"
    make(top, {"a/b/x.yml": "", "sub/.golint-traefik.toml": "", "sub/c/y.yml": "", "py/pyproject.toml": "[tool.golint-traefik]\n",
               "py/z.yml": "", "other/pyproject.toml": "[project]\nname = 'x'\n", "other/w.yml": ""})
    (top / ".git").mkdir()
    (top / "mod" / "deep").mkdir(parents=True)
    (top / "mod" / ".git").write_text("gitdir: ../.git/modules/mod\n")  # a submodule
    cwd = str(top)
    assert project_root(str(top / "a" / "b"), cwd, cwd) == cwd
    assert project_root(str(top / "sub" / "c"), cwd, cwd) == str(top / "sub")
    assert project_root(str(top / "py"), cwd, cwd) == str(top / "py")
    assert project_root(str(top / "other"), cwd, cwd) == cwd  # a pyproject.toml without the table is no marker
    assert project_root(str(top / "mod" / "deep"), cwd, cwd) == str(top / "mod")
    # The current directory bounds the search for files inside it ...
    inner = str(top / "a")
    assert project_root(str(top / "a" / "b"), inner, inner) == inner
    # ... and a file outside it with no marker above it is its own project.
    lone = tmp_path / "lone" / "d"
    lone.mkdir(parents=True)
    assert project_root(str(lone), cwd, cwd) == str(lone)


def test_nested_project_sees_only_its_own_files(tmp_path):
    root = project(tmp_path)
    make(root, {"team/.golint-traefik.toml": "", "team/routers.yml": ROUTERS})
    _, found, _ = check(root, "team/routers.yml")
    assert {"TR201", "TR202"} <= rules(found)  # the middlewares and services of the outer project are not its
    _, found, _ = check(root, "dynamic/routers.yml")
    assert found == []


def test_excluded_files_are_not_context(tmp_path):
    root = project(tmp_path)
    (root / ".golint-traefik.toml").write_text('exclude = ["dynamic/middlewares.yml"]\n')
    _, found, _ = check(root, "dynamic/routers.yml")
    assert [r for r, _, _ in found] == ["TR201", "TR201"]


def shared(root: Path) -> Path:
    """Adds a middleware defined at the top of the project, used by dynamic/routers.yml (line 6)."""
    make(root, {"shared.yml": "http:\n  middlewares:\n    shared:\n      compress: {}\n",
                "dynamic/routers.yml": ROUTERS.replace("[auth, headers]", "[auth, headers, shared]")})
    return root


def test_run_from_a_subdirectory_bounds_the_context(tmp_path):
    root = shared(project(tmp_path))
    _, found, _ = check(root / "dynamic", "routers.yml")  # shared.yml is above the current directory
    assert found == [("TR201", "routers.yml", 6)]
    _, found, _ = check(root, "dynamic/routers.yml")
    assert found == []


# ------------------------------------------------------------------ what keeps the old behaviour


def test_named_directories_are_linted_on_their_own(tmp_path):
    root = shared(project(tmp_path))
    _, found, _ = check(root, "dynamic")
    assert found == [("TR201", "dynamic/routers.yml", 6)]  # shared.yml is outside the named directory
    _, found, _ = check(root, "dynamic", "shared.yml")
    assert found == []


def test_stdin_is_linted_on_its_own(tmp_path):
    root = project(tmp_path)
    data = (root / "dynamic" / "routers.yml").read_bytes()
    _, found, _ = check(root, "--stdin-filename", "dynamic/routers.yml", "-", input=data)
    _, alone, _ = check(root, "--no-context", "dynamic/routers.yml")
    assert found == alone and {"TR201", "TR202"} <= rules(found)


def test_go_files_alone_read_no_context(tmp_path, monkeypatch):
    root = project(tmp_path, **{"main.go": "package main\n\nfunc main() {}\n"})
    walked = []
    real = engine.discover
    monkeypatch.setattr(engine, "discover", lambda paths, *a, **k: walked.append(list(paths)) or real(paths, *a, **k))
    code, found, err = check(root, "main.go")
    assert code == 0 and found == [] and "context" not in err
    assert walked == [["main.go"]]


def test_engine_default_is_no_context(tmp_path):
    root = project(tmp_path)
    res = run(["dynamic/routers.yml"], Settings(selected=frozenset(REF_RULES), jobs=1), str(root))
    assert {"TR201", "TR202"} <= {f.rule_id for f in res.findings}
    res = run(["dynamic/routers.yml"], Settings(selected=frozenset(REF_RULES), jobs=1, context=True), str(root))
    assert res.findings == [] and res.files_checked == 1 and res.context_files == 3


def test_help_mentions_no_context():
    res = CliRunner().invoke(cli, ["check", "--help"])
    assert "--no-context" in res.output


# ------------------------------------------------------------------ cache


def test_cache_follows_changes_in_context_files(tmp_path, monkeypatch):
    from golint_traefik.traefik import model

    root = project(tmp_path)
    builds = []
    real = model.build_project
    monkeypatch.setattr(model, "build_project", lambda *a, **k: builds.append(1) or real(*a, **k))
    s = Settings(selected=frozenset(load_registry().default_selection()), jobs=1, context=True, cache_dir=str(tmp_path / "cache"))
    first = run(["dynamic/routers.yml"], s, str(root)).findings
    assert first == [] and len(builds) == 1
    assert run(["dynamic/routers.yml"], s, str(root)).findings == [] and len(builds) == 1  # a hit
    # A context file changes (same size, old mtime: only its content tells).
    mw = root / "dynamic" / "middlewares.yml"
    st = mw.stat()
    mw.write_text(MIDDLEWARES.replace("auth:", "auht:"))
    os.utime(mw, ns=(st.st_atime_ns, st.st_mtime_ns))
    changed = run(["dynamic/routers.yml"], s, str(root)).findings
    assert [(f.rule_id, f.path, f.span.line) for f in changed] == [("TR201", "dynamic/routers.yml", 6)]
    assert len(builds) == 2
    # A context file is added (a new unit), then removed (back to the previous unit, still valid).
    make(root, {"dynamic/more.yml": "http:\n  middlewares:\n    auth:\n      stripPrefix:\n        prefixes: [/a]\n"})
    assert run(["dynamic/routers.yml"], s, str(root)).findings == []
    assert len(builds) == 3
    (root / "dynamic" / "more.yml").unlink()
    assert [f.rule_id for f in run(["dynamic/routers.yml"], s, str(root)).findings] == ["TR201"]
    assert len(builds) == 3
    # The entry is the whole project's: a run on the whole project finds it, and so does the next explicit run.
    whole = run(["."], s, str(root)).findings
    assert len(builds) == 3 and [(f.rule_id, f.path) for f in whole if f.rule_id == "TR201"] == [("TR201", "dynamic/routers.yml")]


# ------------------------------------------------------------------ cross-checks


XS_COMPOSE = """\
services:
  orders:
    build: ./svc
    labels:
      - traefik.enable=true
      - traefik.http.routers.orders.rule=PathPrefix(`/orders`)
      - traefik.http.services.orders.loadbalancer.server.port=8080
      - traefik.http.services.orders.loadbalancer.healthcheck.path=/healthz
"""
XS_MAIN = """\
package main

import (
	"net/http"

	"example.com/svc/routes"
)

func main() {
	mux := http.NewServeMux()
	routes.Register(mux)
	mux.HandleFunc("GET /orders/{id}", orders)
	http.ListenAndServe(":8080", mux)
}
"""
XS_HANDLERS = """\
package main

import "net/http"

func orders(w http.ResponseWriter, r *http.Request) {}
"""
XS_ROUTES = """\
package routes

import "net/http"

func Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {})
}
"""


def test_cross_checks_see_the_whole_program(tmp_path):
    root = make(tmp_path / "proj", {"docker-compose.yml": XS_COMPOSE, "svc/go.mod": "module example.com/svc\n\ngo 1.22\n",
                                    "svc/main.go": XS_MAIN, "svc/handlers.go": XS_HANDLERS, "svc/routes/routes.go": XS_ROUTES,
                                    "traefik.yml": STATIC})
    (root / ".git").mkdir()
    sel = ("--select", "XS101,XS102,XS103")
    _, everything, _ = check(root, *sel, ".")
    assert everything == []
    _, found, _ = check(root, *sel, "svc/main.go", "docker-compose.yml")
    assert found == []
    # Without the rest of the program, /healthz (registered in routes/) is not served.
    _, alone, _ = check(root, *sel, "--no-context", "svc/main.go", "docker-compose.yml")
    assert ("XS101", "docker-compose.yml", 8) in alone
    # A real finding is reported when its file is named, and only then.
    (root / "svc" / "routes" / "routes.go").write_text(XS_ROUTES.replace("/healthz", "/health"))
    _, found, _ = check(root, *sel, "svc/main.go", "docker-compose.yml")
    assert ("XS101", "docker-compose.yml", 8) in found
    _, found, _ = check(root, *sel, "svc/main.go", "traefik.yml")  # the finding is in docker-compose.yml, not named
    assert found == []


def test_a_rule_crash_is_reported_at_a_named_file_not_dropped_with_the_context(tmp_path, monkeypatch):
    """A Traefik rule that crashes did not check the named files either: its E003 is pinned to the
    project's static file, a context file here, and must then move to the named file (exit 2)."""
    from golint_traefik.registry import Rule

    root = project(tmp_path)
    reg = load_registry()
    meta = reg.get("TR201").meta

    def boom(p):
        raise ValueError("rule bug")

    monkeypatch.setitem(reg._rules, "TR201", Rule(meta, boom))
    old = os.getcwd()
    os.chdir(root)
    try:
        res = CliRunner().invoke(cli, ["check", "--format", "json", "--no-cache", "dynamic/routers.yml"])
    finally:
        os.chdir(old)
    assert res.exit_code == 2, res.output
    crash = [f for f in json.loads(res.stdout)["findings"] if f["rule"] == "E003"]
    assert [(f["path"], f["line"]) for f in crash] == [("dynamic/routers.yml", 1)]
    assert "TR201" in crash[0]["message"]
