"""Baselines: write today's findings, then report only the new ones."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from golint_traefik import __version__, baseline
from golint_traefik.cli import cli
from golint_traefik.finding import Finding, Severity, Span


def finding(fp: str, path: str = "traefik.yml", rule: str = "TR401", line: int = 1) -> Finding:
    return Finding(rule, "api-insecure", Severity.ERROR, f"msg {fp}", Span(path, line, 1, line, 2), fingerprint=fp)


def test_write_then_filter(tmp_path):
    path = str(tmp_path / "baseline.json")
    old = [finding("b:0", line=9), finding("a:0", path="z.yml"), finding("a:0", rule="TR402")]
    baseline.write(path, old)
    doc = json.loads((tmp_path / "baseline.json").read_text(encoding="utf-8"))
    assert doc["version"] == baseline.VERSION and doc["tool_version"] == __version__
    assert doc["entries"] == [
        {"rule": "TR401", "path": "traefik.yml", "fingerprint": "b:0", "message": "msg b:0"},
        {"rule": "TR402", "path": "traefik.yml", "fingerprint": "a:0", "message": "msg a:0"},
        {"rule": "TR401", "path": "z.yml", "fingerprint": "a:0", "message": "msg a:0"},
    ]
    assert baseline.filter_new(path, old) == []
    new = finding("c:0")
    # Lines moved (line 9 -> 20) but same fingerprint: still known; another path or fingerprint is new.
    assert baseline.filter_new(path, [finding("b:0", line=20), new, finding("b:0", path="other.yml")]) == [
        new, finding("b:0", path="other.yml")]


def test_identical_entries_absorb_as_many_findings(tmp_path):
    path = str(tmp_path / "b.json")
    baseline.write(path, [finding("a:0"), finding("a:0")])
    three = [finding("a:0", line=1), finding("a:0", line=2), finding("a:0", line=3)]
    assert baseline.filter_new(path, three) == [three[2]]


@pytest.mark.parametrize("content,expected", [
    (None, "not found"),
    ("{not json", "not valid JSON"),
    ("[]", "not a golint-traefik baseline"),
    ('{"version": 99, "entries": []}', "format version 99"),
    ('{"version": 1, "entries": {}}', "'entries' must be a list"),
    ('{"version": 1, "entries": [{"rule": "TR401", "path": "x"}]}', "entry 0 must have"),
])
def test_bad_baselines_raise_a_clear_error(tmp_path, content, expected):
    path = tmp_path / "b.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(baseline.BaselineError, match=expected) as err:
        baseline.filter_new(str(path), [finding("a:0")])
    assert str(path) in str(err.value)


CONFIG = "entryPoints:\n  web:\n    address: ':80'\napi:\n  insecure: true\n"


def test_cli_baseline_round_trip(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "traefik.yml").write_text(CONFIG)
    runner = CliRunner()
    res = runner.invoke(cli, ["check", "--select", "TR401", "--write-baseline", "base.json", "."])
    assert res.exit_code == 0, res.output
    assert len(json.loads((tmp_path / "base.json").read_text())["entries"]) == 1
    # Unrelated lines added above: the finding is still the baselined one.
    (tmp_path / "traefik.yml").write_text("# edited\nlog:\n  level: INFO\n" + CONFIG)
    res = runner.invoke(cli, ["check", "--select", "TR401", "--baseline", "base.json", "--format", "json", "."])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["findings"] == []
    # The flagged line itself changed: reported as new.
    (tmp_path / "traefik.yml").write_text(CONFIG.replace("insecure: true", "insecure: True"))
    res = runner.invoke(cli, ["check", "--select", "TR401", "--baseline", "base.json", "--format", "json", "."])
    assert res.exit_code == 1
    assert [f["line"] for f in json.loads(res.stdout)["findings"]] == [5]


def test_cli_reports_a_missing_baseline(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "traefik.yml").write_text(CONFIG)
    res = CliRunner().invoke(cli, ["check", "--baseline", "nope.json", "."])
    assert res.exit_code == 2
    assert "baseline nope.json not found" in res.stderr
