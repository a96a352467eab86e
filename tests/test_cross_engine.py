"""The XS rules inside the engine: options, configured links, result cache, worker processes, suppressions."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from fixture_harness import FIXTURES, check_case
from golint_traefik import config as configmod
from golint_traefik import engine
from golint_traefik.cli import cli
from golint_traefik.engine import Settings, run
from golint_traefik.finding import Severity
from golint_traefik.registry import load_registry

XS = frozenset({"XS101", "XS102", "XS103", "XS104", "XS105"})


def settings(**kw) -> Settings:
    kw.setdefault("selected", frozenset(load_registry().default_selection()) | XS)
    kw.setdefault("jobs", 1)
    return Settings(**kw)


def xs(findings) -> list[tuple[str, str, int]]:
    return sorted((f.rule_id, f.path, f.span.line) for f in findings if f.rule_id.startswith("XS"))


def copy_case(case: str, tmp_path: Path) -> Path:
    dst = tmp_path / "proj"
    shutil.copytree(FIXTURES / case, dst)
    return dst


# ------------------------------------------------------------------ options


def test_unreached_handlers_is_an_opt_in_note():
    case = FIXTURES / "XS103-unreached"
    assert not check_case("XS103", case, {"rule_options": {"XS103": {"unreached_handlers": True}}})
    off = check_case("XS103", case)
    assert len(off) == 2 and all(p.startswith("missing finding") for p in off), off
    res = run([str(case)], settings(selected=frozenset({"XS103"}), rule_options={"XS103": {"unreached_handlers": True}}))
    assert {f.severity for f in res.findings} == {Severity.NOTE}


# ------------------------------------------------------------------ links


def test_configured_link_ties_a_service_to_go_code():
    case = FIXTURES / "XS1-links"
    sel = frozenset({"XS101", "XS102"})
    assert xs(run([str(case)], settings(selected=sel)).findings) == []  # the image name matches no directory
    linked = run([str(case)], settings(selected=sel, links=(("shop", str(case / "orders")),))).findings
    assert [(f.rule_id, f.span.line) for f in linked] == [("XS101", 6)]
    assert "orders/" in linked[0].message
    wrong = run([str(case)], settings(selected=sel, links=(("shop@docker", str(case / "billing")),))).findings
    assert sorted(f.rule_id for f in wrong) == ["XS101", "XS102"]  # billing serves /ping on :9090
    none = run([str(case)], settings(selected=sel, links=(("shop", ""),))).findings
    assert none == []


def test_links_in_the_configuration_file_are_relative_to_it(tmp_path):
    proj = copy_case("XS1-links", tmp_path)
    (proj / ".golint-traefik.toml").write_text('[links]\n"shop@docker" = "orders"\n', encoding="utf-8")
    other = tmp_path / "elsewhere"
    other.mkdir()
    old = os.getcwd()
    os.chdir(other)
    try:
        result = CliRunner().invoke(cli, ["check", str(proj), "--select", "XS101", "--config",
                                          str(proj / ".golint-traefik.toml"), "--no-cache"])
    finally:
        os.chdir(old)
    assert result.exit_code == 1, result.output
    assert "XS101" in result.output and "/health" in result.output


@pytest.mark.parametrize("value", ['"x"', "[1]", '{ a = 1 }'])
def test_links_must_map_names_to_directories(tmp_path, value):
    p = tmp_path / ".golint-traefik.toml"
    p.write_text(f"links = {value}\n", encoding="utf-8")
    with pytest.raises(configmod.ConfigError, match="links must be"):
        configmod.load(str(p), str(tmp_path))


# ------------------------------------------------------------------ cache and jobs


@pytest.fixture
def counts(monkeypatch):
    calls = {"go": 0, "traefik": 0}
    real_go = engine.analyze_go_package
    from golint_traefik.traefik import model

    real_build = model.build_project

    def go(*a, **k):
        calls["go"] += 1
        return real_go(*a, **k)

    def build(*a, **k):
        calls["traefik"] += 1
        return real_build(*a, **k)

    monkeypatch.setattr(engine, "analyze_go_package", go)
    monkeypatch.setattr(model, "build_project", build)
    return calls


def test_cross_findings_are_cached_and_follow_changes(tmp_path, counts):
    proj = copy_case("XS102/compose", tmp_path)
    cache = str(tmp_path / "cache")
    plain = run([], settings(), cwd=str(proj)).findings
    assert ("XS102", "docker-compose.yml", 7) in xs(plain)
    first = run([], settings(cache_dir=cache), cwd=str(proj)).findings
    before = dict(counts)
    second = run([], settings(cache_dir=cache), cwd=str(proj)).findings
    assert counts == before  # nothing analysed or built again
    assert plain == first == second
    main = proj / "envport" / "main.go"
    main.write_text(main.read_text().replace('"8080"', '"8081"'))
    os.utime(main, ns=(1, 1))
    third = run([], settings(cache_dir=cache), cwd=str(proj)).findings
    assert xs(third) == xs(second)  # compose sets PORT=9000 either way
    compose = proj / "docker-compose.yml"
    compose.write_text(compose.read_text().replace('PORT: "9000"', 'PORT: "8080"'))
    fourth = run([], settings(cache_dir=cache), cwd=str(proj)).findings
    assert ("XS102", "docker-compose.yml", 7) not in xs(fourth)


def test_worker_processes_give_the_same_findings(monkeypatch):
    monkeypatch.setattr(engine, "IN_PROCESS_BYTES", 0)
    paths = [str(FIXTURES / c) for c in ("XS101/chi", "XS102/kubernetes", "XS104/compose", "XS105/compose")]
    one = run(paths, settings(jobs=1)).findings
    many = run(paths, settings(jobs=4)).findings
    assert xs(one) and one == many


# ------------------------------------------------------------------ suppressions


def test_suppressions_of_cross_findings(tmp_path):
    proj = copy_case("XS104/compose", tmp_path)
    go = proj / "std" / "main.go"
    go.write_text(go.read_text().replace("IdleTimeout:  30 * time.Second,",
                                         "IdleTimeout:  30 * time.Second, //golint-traefik:ignore XS104 short on purpose"))
    dyn = proj / "dynamic.yml"
    dyn.write_text(dyn.read_text().replace("responseHeaderTimeout: 10s",
                                           "responseHeaderTimeout: 10s  # golint-traefik: ignore[XS104] batch jobs"))
    compose = proj / "docker-compose.yml"
    compose.write_text(compose.read_text().replace(
        "  std:\n", "  std:\n    # golint-traefik: ignore[XS101] nothing to suppress here\n"))
    found = run([], settings(), cwd=str(proj)).findings
    rules = sorted((f.rule_id, f.path, f.span.line) for f in found if f.rule_id.startswith(("XS", "E00")))
    assert ("XS104", "std/main.go", 16) not in rules
    assert ("XS104", "dynamic.yml", 5) not in rules
    assert ("XS104", "fib/main.go", 11) in rules
    # The unused XS101 suppression is reported once (by the cross pass), the used ones never.
    assert [r for r in rules if r[0] == "E004"] == [("E004", "docker-compose.yml", 7)]


def test_go_pass_leaves_cross_suppressions_alone(tmp_path):
    proj = copy_case("XS101/echo", tmp_path)
    go = proj / "svc" / "main.go"
    go.write_text(go.read_text().replace("e.GET(\"/health\", health)",
                                         "e.GET(\"/health\", health) //golint-traefik:ignore XS105 checked by hand"))
    found = run([], settings(), cwd=str(proj)).findings
    assert not [f for f in found if f.rule_id in ("E004", "E005")]
