"""Configuration: discovery upward, pyproject vs .golint-traefik.toml, validation, globs relative to the config file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from golint_traefik import config
from golint_traefik.cli import cli
from golint_traefik.finding import Severity

DATA = Path(__file__).parent / "data"
INSECURE = (DATA / "traefik-insecure.yml").read_text()


def check(*args):
    return CliRunner().invoke(cli, ["check", *args])


def findings(*args) -> list[tuple[str, str, str]]:
    r = check("--format", "json", *args)
    assert r.exit_code in (0, 1), r.stderr
    return [(f["rule"], f["path"], f["severity"]) for f in json.loads(r.stdout)["findings"]]


@pytest.fixture
def tree(tmp_path, monkeypatch):
    """tmp/{traefik.yml, deploy/traefik.yml, deploy/legacy/traefik.yml}, all insecure; cwd = tmp."""
    for d in ("", "deploy", "deploy/legacy"):
        (tmp_path / d).mkdir(exist_ok=True)
        (tmp_path / d / "traefik.yml").write_text(INSECURE)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_found_from_cwd_upward(tree, monkeypatch):
    (tree / ".golint-traefik.toml").write_text('ignore = ["TR401"]\n')
    monkeypatch.chdir(tree / "deploy" / "legacy")
    assert check().exit_code == 0
    assert config.load(None, str(tree / "deploy")).path == str(tree / ".golint-traefik.toml")


def test_dedicated_file_wins_over_pyproject_in_the_same_directory(tree):
    (tree / "pyproject.toml").write_text('[tool.golint-traefik]\nignore = ["TR401"]\n')
    assert check().exit_code == 0
    (tree / ".golint-traefik.toml").write_text('severity-threshold = "note"\n')
    assert check().exit_code == 1


def test_pyproject_without_our_table_is_passed_over(tree, monkeypatch):
    (tree / "pyproject.toml").write_text('[tool.golint-traefik]\nignore = ["TR401"]\n')
    (tree / "deploy" / "pyproject.toml").write_text('[project]\nname = "x"\n')
    monkeypatch.chdir(tree / "deploy")
    assert check().exit_code == 0
    r = check("--config", "pyproject.toml")  # named explicitly, it must have the table
    assert r.exit_code == 2 and "no [tool.golint-traefik] table" in r.stderr


def test_a_pyproject_that_does_not_name_our_table_is_passed_over_unparsed(tree, monkeypatch):
    """Most pyproject.toml files have no [tool.golint-traefik] table: one whose text cannot spell it
    is passed over without parsing (and without importing tomllib)."""
    (tree / "pyproject.toml").write_text('[tool.golint-traefik]\nignore = ["TR401"]\n')
    (tree / "deploy" / "pyproject.toml").write_text('[project\nname = "x"\n')  # broken, but not ours
    monkeypatch.chdir(tree / "deploy")
    assert config.load(None, str(tree / "deploy")).path == str(tree / "pyproject.toml")
    assert check().exit_code == 0
    # The name spelled with an escape in a quoted key is still the table: such a file is parsed.
    (tree / "deploy" / "pyproject.toml").write_text('[tool."golint\\u002Dtraefik"]\nseverity-threshold = "note"\n')
    assert config.load(None, str(tree / "deploy")).path == str(tree / "deploy" / "pyproject.toml")
    (tree / "deploy" / "pyproject.toml").write_text('[tool.golint-traefik\n')  # ours, and broken
    r = check()
    assert r.exit_code == 2 and "invalid TOML" in r.stderr


def test_explicit_config_overrides_discovery(tree):
    (tree / ".golint-traefik.toml").write_text('ignore = ["TR401"]\n')
    (tree / "strict.toml").write_text('select = ["TR"]\n')
    assert check().exit_code == 0
    assert check("--config", "strict.toml").exit_code == 1


@pytest.mark.parametrize("text,words", [
    ('selct = ["TR"]\n', ["'selct'"]),
    ('extend_select = ["TR"]\n', ["'extend_select'", "did you mean 'extend-select'"]),
    ('[tool.golint-traefik]\nselect = ["TR"]\n', ["'tool'", "top level"]),
])
def test_unknown_key_exits_2_naming_key_and_file(tree, text, words):
    (tree / ".golint-traefik.toml").write_text(text)
    r = check()
    assert r.exit_code == 2
    for w in [*words, str(tree / ".golint-traefik.toml")]:
        assert w in r.stderr


@pytest.mark.parametrize("text,key", [
    ("select = 3\n", "select"),
    ("exclude = [1]\n", "exclude"),
    ('severity = "error"\n', "severity"),
    ('[severity]\nTR401 = "fatal"\n', "severity.TR401"),
    ('severity-threshold = 2\n', "severity-threshold"),
    ("go-version = 1.22\n", "go-version"),
    ('traefik-version = "4"\n', "traefik-version"),
    ('[per-file-ignores]\n"a/*" = 1\n', "per-file-ignores.a/*"),
    ("rules = 1\n", "rules"),
])
def test_wrong_type_exits_2_naming_key_and_file(tree, text, key):
    (tree / "pyproject.toml").write_text("[tool.golint-traefik]\n" + text.replace("[severity]", "[tool.golint-traefik.severity]")
                                         .replace("[per-file-ignores]", "[tool.golint-traefik.per-file-ignores]"))
    r = check()
    assert r.exit_code == 2
    assert f"{tree / 'pyproject.toml'}: {key}" in r.stderr


def test_unknown_rule_in_config_exits_2(tree):
    (tree / ".golint-traefik.toml").write_text('ignore = ["TR401", "no-such-rule"]\n')
    r = check()
    assert r.exit_code == 2 and "ignore" in r.stderr and "'no-such-rule'" in r.stderr


def test_parse_values():
    cfg = config.parse({"traefik-version": 3, "go-version": "1.21", "severity": {"api-insecure": "Warning"},
                        "select": "TR", "severity-threshold": "ERROR"}, "x.toml")
    assert cfg.traefik_version == "3" and cfg.go_version == "1.21" and cfg.select == ["TR"]
    assert cfg.severity == {"api-insecure": Severity.WARNING} and cfg.severity_threshold == "error"
    assert config.parse({}, "/srv/app/pyproject.toml").base == "/srv/app" and config.Config().base is None


def test_severity_override_changes_reported_severity(tree):
    (tree / ".golint-traefik.toml").write_text('[severity]\napi-insecure = "warning"\n')
    assert {s for _, _, s in findings()} == {"warning"}
    r = check("deploy/legacy")
    assert "TR401 [warning]" in r.stdout


def test_per_file_ignores_are_relative_to_the_config_file(tree, monkeypatch):
    (tree / ".golint-traefik.toml").write_text('[per-file-ignores]\n"deploy/legacy/*" = ["api-insecure"]\n"nothing/*" = ["TR"]\n')
    assert findings() == [("TR401", "deploy/traefik.yml", "error"), ("TR401", "traefik.yml", "error")]
    monkeypatch.chdir(tree / "deploy")  # same config, same meaning
    assert findings() == [("TR401", "traefik.yml", "error")]
    assert findings("legacy/traefik.yml") == []


def test_per_file_ignores_name_pattern_and_directory(tree):
    (tree / ".golint-traefik.toml").write_text('[per-file-ignores]\n"legacy" = ["TR401"]\n"deploy/traefik.yml" = ["TR401"]\n')
    assert findings() == [("TR401", "traefik.yml", "error")]


def test_exclude_is_relative_to_the_config_file(tree, monkeypatch):
    (tree / "other" / "deploy" / "legacy").mkdir(parents=True)
    (tree / "other" / "deploy" / "legacy" / "traefik.yml").write_text(INSECURE)
    (tree / ".golint-traefik.toml").write_text('exclude = ["deploy/legacy/"]\n')
    assert [p for _, p, _ in findings()] == ["deploy/traefik.yml", "other/deploy/legacy/traefik.yml", "traefik.yml"]
    monkeypatch.chdir(tree / "deploy")
    assert [p for _, p, _ in findings()] == ["traefik.yml"]


def test_command_line_exclude_is_relative_to_the_cwd(tree, monkeypatch):
    (tree / ".golint-traefik.toml").write_text('severity-threshold = "note"\n')  # base = tree
    monkeypatch.chdir(tree / "deploy")
    assert [p for _, p, _ in findings("--exclude", "legacy/traefik.yml")] == ["traefik.yml"]
