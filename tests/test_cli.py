"""The command line contract: formats, selection, thresholds, exit codes, editor mode, --force-exclude, --output."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from golint_traefik import __version__
from golint_traefik.cli import cli
from golint_traefik.registry import Rule, load_registry

DATA = Path(__file__).parent / "data"
INSECURE = (DATA / "traefik-insecure.yml").read_text()
SECURE = (DATA / "traefik-secure.yml").read_text()
TR401_LINE = "traefik.yml:6:3: TR401 [error] api.insecure publishes the API"


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project dir (the cwd) with one insecure static config at deploy/traefik.yml."""
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "traefik.yml").write_text(INSECURE)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def check(*args, input=None):
    return CliRunner().invoke(cli, ["check", *args], input=input)


def test_version_via_python_m():
    out = subprocess.run([sys.executable, "-m", "golint_traefik", "--version"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and __version__ in out.stdout


def test_text_format_paths_relative_to_cwd_and_summary_on_stderr(project):
    r = check()
    assert r.exit_code == 1
    first = r.stdout.splitlines()[0]
    assert first.startswith(f"deploy/{TR401_LINE}") and first.endswith(" (api-insecure)")
    assert "\x1b[" not in r.stdout  # not a terminal: no colour
    assert "golint-traefik: 1 finding (1 error) in 1 file checked" in r.stderr
    assert "finding" not in r.stdout.split("\n", 1)[1]  # the summary is not on stdout
    r = check(str(project / "deploy"))  # absolute argument, still shown relative
    assert r.stdout.startswith(f"deploy/{TR401_LINE}")
    assert "\x1b[" in check("--color").stdout


def test_clean_project_exits_0(tmp_path, monkeypatch):
    (tmp_path / "traefik.yml").write_text(SECURE)
    monkeypatch.chdir(tmp_path)
    r = check(".")
    assert (r.exit_code, r.stdout) == (0, "")
    assert "0 findings" in r.stderr


def test_exit_zero_still_reports(project):
    r = check("--exit-zero")
    assert r.exit_code == 0 and TR401_LINE in r.stdout


@pytest.mark.parametrize("sel", ["TR401", "TR", "TR4", "api-insecure", "tr401", "GO,TR"])
def test_select_ids_prefixes_and_slugs(project, sel):
    if sel == "GO,TR" and not any(r.meta.id.startswith("GO") for r in load_registry()):
        pytest.skip("no GO rule registered yet")
    assert check("--select", sel).exit_code == 1


@pytest.mark.parametrize("ign", ["TR401", "TR4", "api-insecure"])
def test_ignore_ids_prefixes_and_slugs(project, ign):
    assert check("--ignore", ign).exit_code == 0


def test_unknown_select_value_is_a_usage_error(project):
    r = check("--select", "TR401,nonsense-rule")
    assert r.exit_code == 2
    assert "--select" in r.stderr and "'nonsense-rule'" in r.stderr
    assert check("--ignore", "XX9").exit_code == 2


def test_severity_threshold(project):
    assert check("--severity", "error").exit_code == 1
    (project / ".golint-traefik.toml").write_text('[severity]\nTR401 = "note"\n')
    r = check("--severity", "warning")
    assert (r.exit_code, r.stdout) == (0, "")
    r = check()
    assert r.exit_code == 1 and "TR401 [note]" in r.stdout
    assert check("--severity", "fatal").exit_code == 2


def test_bad_config_exits_2(project):
    (project / ".golint-traefik.toml").write_text("selct = ['TR']\n")
    r = check()
    assert r.exit_code == 2 and "selct" in r.stderr and ".golint-traefik.toml" in r.stderr
    (project / ".golint-traefik.toml").write_text("select = [\n")
    assert check().exit_code == 2
    assert check("--config", "missing.toml").exit_code == 2


def test_bad_go_version_exits_2(project):
    r = check("--go-version", "one.two")
    assert r.exit_code == 2 and "--go-version" in r.stderr
    assert check("--go-version", "1.21").exit_code == 1


def test_traefik_version_choice(project):
    assert check("--traefik-version", "2").exit_code == 1
    assert check("--traefik-version", "4").exit_code == 2


def test_json_is_one_document_with_findings_and_summary(project):
    r = check("--format", "json")
    assert r.exit_code == 1
    doc = json.loads(r.stdout)  # fails on two documents or stray text
    assert [(f["rule"], f["path"], f["line"]) for f in doc["findings"]] == [("TR401", "deploy/traefik.yml", 6)]
    assert doc["summary"]["findings"] == 1 and doc["summary"]["files_checked"] == 1


def test_output_file(project):
    r = check("--format", "json", "--output", "report.json")
    assert r.exit_code == 1 and r.stdout == ""
    doc = json.loads((project / "report.json").read_text())
    assert doc["findings"][0]["rule"] == "TR401"
    r = check("--output", str(project / "no" / "such" / "dir" / "r.txt"))
    assert r.exit_code == 2 and "--output" in r.stderr


def test_stdin_mode_reports_under_the_given_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the named file need not exist
    r = check("--stdin-filename", "deploy/traefik.yml", "-", input=INSECURE)
    assert r.exit_code == 1 and r.stdout.startswith(f"deploy/{TR401_LINE}")
    r = check("--stdin-filename", str(tmp_path / "x" / "traefik.yml"), "-", input=INSECURE)
    assert r.stdout.startswith(f"x/{TR401_LINE}")
    assert check("--stdin-filename", "traefik.yml", "-", input=SECURE).exit_code == 0
    assert check("-", input=INSECURE).exit_code == 2  # '-' needs --stdin-filename
    assert check("--stdin-filename", "a.yml", "-", "other.yml", input=INSECURE).exit_code == 2


def test_stdin_mode_go(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    src = "package main\n\nfunc main() {} //golint-traefik:ignore TR401 demo\n"
    r = check("--stdin-filename", "cmd/main.go", "-", input=src)
    assert r.exit_code == 1 and r.stdout.startswith("cmd/main.go:3:16: E004 [note] unused suppression: TR401")
    r = check("--stdin-filename", "cmd/main.go", "-", input="package main\n\nfunc main( {}\n")
    assert r.exit_code == 1 and r.stdout.startswith("cmd/main.go:3:") and " E001 [error] " in r.stdout


def test_explicit_files_and_force_exclude(project):
    (project / ".golint-traefik.toml").write_text('exclude = ["deploy"]\n')
    assert check().exit_code == 0  # walking skips the excluded directory
    assert check("deploy/traefik.yml").exit_code == 1  # named explicitly: analysed
    r = check("--force-exclude", "deploy/traefik.yml")
    assert r.exit_code == 0 and "0 findings in 0 files" in r.stderr
    r = check("--force-exclude", "--stdin-filename", "deploy/traefik.yml", "-", input=INSECURE)
    assert (r.exit_code, r.stdout) == (0, "")
    assert check("--stdin-filename", "deploy/traefik.yml", "-", input=INSECURE).exit_code == 1


def test_cli_exclude(project):
    assert check("--exclude", "deploy/*.yml").exit_code == 0
    assert check("--exclude", "./deploy/").exit_code == 0
    assert check("--exclude", "*.yaml").exit_code == 1


def test_missing_path_is_reported(project):
    r = check("nope.yml")
    assert r.exit_code == 1 and "nope.yml:1:1: E002 [error] no such file or directory" in r.stdout
    assert check("--ignore", "E002", "nope.yml").exit_code == 0


def test_a_named_path_is_not_judged_before_discovery(project, monkeypatch):
    """click.Path would stop the whole run with a usage error for a path it finds unreadable (and
    check every path twice): an unreadable file is E002 and the run goes on (test_robustness)."""
    monkeypatch.setattr(os, "access", lambda *a, **k: False)  # every path unreadable, as click would see it
    r = check("deploy/traefik.yml")
    assert r.exit_code == 1 and TR401_LINE.replace("traefik.yml", "deploy/traefik.yml") in r.stdout


@pytest.fixture
def crashing_tr401(monkeypatch):
    reg = load_registry()
    meta = reg.meta("TR401")

    def boom(p):
        raise RuntimeError("kaput")

    monkeypatch.setitem(reg._rules, "TR401", Rule(meta, boom))
    monkeypatch.setitem(reg._by_slug, meta.slug, Rule(meta, boom))


def test_rule_crash_exits_2_even_with_exit_zero(project, crashing_tr401):
    (project / "bad.yml").write_text("a: [\n")
    r = check("--exit-zero", "--format", "json")
    assert r.exit_code == 2
    doc = json.loads(r.stdout)
    assert {f["rule"] for f in doc["findings"]} == {"E003"}
    assert "kaput" in doc["findings"][0]["message"]
    assert "1 internal error" in r.stderr


def test_tool_crash_exits_2(project, monkeypatch):
    import golint_traefik.engine as engine

    def broken(*a, **k):
        raise ValueError("engine bug")

    monkeypatch.setattr(engine, "run", broken)
    r = check()
    assert r.exit_code == 2 and "internal error: ValueError: engine bug" in r.stderr


def test_rule_options_are_validated(project, monkeypatch):
    reg = load_registry()
    rule = reg.get("TR401")
    patched = Rule(dataclasses.replace(rule.meta, options={"port": 8080}), rule.check)
    monkeypatch.setitem(reg._rules, "TR401", patched)
    monkeypatch.setitem(reg._by_slug, "api-insecure", patched)
    cfg = project / ".golint-traefik.toml"
    cfg.write_text("[rules.TR401]\nport = 9090\n")
    assert check().exit_code == 1
    cfg.write_text("[rules.api-insecure]\nport = '9090'\n")
    r = check()
    assert r.exit_code == 2 and "rules.api-insecure.port" in r.stderr and "must be int" in r.stderr
    cfg.write_text("[rules.TR401]\nprot = 1\n")
    r = check()
    assert r.exit_code == 2 and "has no option 'prot'" in r.stderr
    cfg.write_text("[rules.TR999]\nport = 1\n")
    assert check().exit_code == 2


def test_rules_and_explain():
    r = CliRunner().invoke(cli, ["rules"])
    assert r.exit_code == 0 and any(line.startswith("TR401 ") and "api-insecure" in line for line in r.stdout.splitlines())
    assert "E004" not in r.stdout
    assert "E004" in CliRunner().invoke(cli, ["rules", "--all"]).stdout
    for key in ("TR401", "api-insecure"):
        r = CliRunner().invoke(cli, ["explain", key])
        assert r.exit_code == 0 and r.stdout.startswith("TR401 api-insecure\n") and "## How to fix" in r.stdout
    r = CliRunner().invoke(cli, ["explain", "no-such-rule"])
    assert r.exit_code == 2 and "no-such-rule" in r.stderr


def test_version_option():
    r = CliRunner().invoke(cli, ["--version"])
    assert r.exit_code == 0 and __version__ in r.stdout


def _console(args, cwd):
    """The console script in a subprocess, its stdout a pipe and block-buffered, as in CI."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    return subprocess.run([sys.executable, "-m", "golint_traefik", *args], cwd=cwd, capture_output=True, timeout=120, env=env)


def test_console_script_exits_with_the_report_whole(tmp_path):
    """The console script ends with os._exit (no interpreter shutdown): the report must still reach
    a pipe in full, far past a pipe's buffer, and the exit codes stay 0, 1 and 2."""
    n = 3000
    body = "".join(f"func f{i}(wg sync.WaitGroup) {{}}\n" for i in range(n))  # GO204, once per function
    big = tmp_path / "big"
    big.mkdir()
    (big / "big.go").write_text(f"package big\n\nimport \"sync\"\n\n{body}")
    for fmt in ("text", "json"):
        p = _console(["check", "--no-cache", "--select", "GO204", "--format", fmt, "."], big)
        assert p.returncode == 1, p.stderr
        assert len(p.stdout) > 256 * 1024
        if fmt == "json":
            assert len(json.loads(p.stdout)["findings"]) == n
        else:
            assert p.stdout.count(b" GO204 ") == n and p.stdout.endswith(b"\n")
        assert f"{n} findings".encode() in p.stderr
    small = tmp_path / "small"
    small.mkdir()
    (small / "one.go").write_text('package one\n\nimport "sync"\n\nfunc f(wg sync.WaitGroup) {}\n')
    p = _console(["check", "--no-cache", "--select", "GO204", "."], small)  # a few bytes: left in the buffers
    assert p.returncode == 1 and p.stdout.startswith(b"one.go:5:") and p.stdout.endswith(b"*sync.WaitGroup\n")
    out = tmp_path / "report.json"
    p = _console(["check", "--no-cache", "--select", "GO204", "--format", "json", "--output", str(out), "."], big)
    assert p.returncode == 1 and len(json.loads(out.read_text())["findings"]) == n
    clean = tmp_path / "clean"
    clean.mkdir()
    (clean / "ok.go").write_text("package ok\n")
    assert _console(["check", "--no-cache", "."], clean).returncode == 0
    assert _console(["check", "--no-cache", "--exit-zero", "--select", "GO204", "."], big).returncode == 0
    usage = _console(["check", "--format", "nope"], tmp_path)
    assert usage.returncode == 2 and b"Invalid value" in usage.stderr
