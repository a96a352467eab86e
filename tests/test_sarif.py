"""SARIF output: valid against the 2.1.0 schema and shaped the way GitHub code scanning needs it."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from conftest import shared_path
from golint_traefik.cli import cli
from golint_traefik.engine import Settings, run
from golint_traefik.finding import Finding, Related, Severity, Span
from golint_traefik.registry import load_registry
from golint_traefik.report import sarif
from golint_traefik.report.sarif import render_sarif

FIXTURES = Path(__file__).parent / "fixtures"
REGISTRY = load_registry()


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(shared_path("schemas", "sarif-2.1.0.json").read_text(encoding="utf-8"))
    return jsonschema.Draft7Validator(schema)


def render(findings, cwd, category=None) -> dict:
    return json.loads(render_sarif(findings, REGISTRY, cwd=str(cwd), category=category))


def finding(path="traefik.yml", line=6, rule="TR401", severity=Severity.ERROR, message="api.insecure is on", **kw):
    meta = REGISTRY.meta(rule)
    return Finding(rule, meta.slug, severity, message, Span(path, line, 3, line, 11), **kw)


def assert_github_constraints(doc: dict) -> None:
    assert doc["$schema"] == sarif.SCHEMA_URI and doc["version"] == "2.1.0"
    for r in doc["runs"]:
        assert r["columnKind"] == "unicodeCodePoints"
        assert r["originalUriBaseIds"]["%SRCROOT%"]["uri"].startswith("file:///")
        assert r["originalUriBaseIds"]["%SRCROOT%"]["uri"].endswith("/")
        driver = r["tool"]["driver"]
        assert driver["name"] == "golint-traefik" and driver["semanticVersion"]
        rules = driver["rules"]
        ids = [x["id"] for x in rules]
        assert len(ids) == len(set(ids)), "rule ids must be unique"
        for x in rules:
            assert 0 < len(x["shortDescription"]["text"]) <= 1024
            assert 0 < len(x["fullDescription"]["text"]) <= 1024
            assert x["help"]["text"] and x["help"]["markdown"]
            assert x["defaultConfiguration"]["level"] in ("error", "warning", "note")
            assert len(x["properties"]["tags"]) <= 20
        assert len(r["results"]) <= 25_000
        for res in r["results"]:
            assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
            assert res["level"] in ("error", "warning", "note")
            assert res["message"]["text"]
            region = res["locations"][0]["physicalLocation"]["region"]
            assert {"startLine", "startColumn", "endLine", "endColumn"} <= set(region)
            assert res["partialFingerprints"]["golintTraefikFingerprint/v1"]


# ---------------------------------------------------------------- real runs


CONFIG = "entryPoints:\n  web:\n    address: ':80'\napi:\n  dashboard: true\n  insecure: true\n"


@pytest.fixture
def project(tmp_path) -> Path:
    """A repository with a static config at ``deploy/traefik.yml`` (TR401 on line 6); returns its root."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "traefik.yml").write_text(CONFIG, encoding="utf-8")
    return tmp_path


def test_every_fixture_renders_valid_sarif(validator):
    registry_ids = frozenset(r.meta.id for r in REGISTRY)
    result = run(["."], Settings(selected=registry_ids, jobs=1), cwd=str(FIXTURES))
    assert result.findings
    doc = render(result.findings, FIXTURES)
    validator.validate(doc)
    assert_github_constraints(doc)
    assert len(doc["runs"][0]["results"]) == len(result.findings)


def test_engine_run_is_valid_sarif(validator, project):
    cwd = project / "deploy"
    result = run(["."], Settings(selected=frozenset({"TR401"}), jobs=1), cwd=str(cwd))
    doc = render(result.findings, cwd, category="traefik")
    validator.validate(doc)
    assert_github_constraints(doc)
    [res] = doc["runs"][0]["results"]
    assert res["ruleId"] == "TR401" and res["level"] == "error"
    assert res["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "deploy/traefik.yml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 6, "startColumn": 3, "endLine": 6, "endColumn": 11},
    }
    assert doc["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"] == project.as_uri() + "/"
    assert doc["runs"][0]["automationDetails"] == {"id": "traefik/"}
    assert doc["runs"][0]["invocations"][0]["executionSuccessful"] is True


def test_cli_writes_valid_sarif(validator, monkeypatch, project):
    monkeypatch.chdir(project)
    out = project / "out.sarif"
    res = CliRunner().invoke(cli, ["check", "--format", "sarif", "-o", str(out), "--select", "TR401", "deploy"])
    assert res.exit_code == 1, res.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    validator.validate(doc)
    assert_github_constraints(doc)
    [res] = doc["runs"][0]["results"]
    assert (res["ruleId"], res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]) == (
        "TR401", "deploy/traefik.yml")
    assert "automationDetails" not in doc["runs"][0]


# ------------------------------------------------------------ descriptors


def test_rule_descriptors_come_from_the_rule_docs(tmp_path):
    doc = render([], tmp_path)
    rules = {r["id"]: r for r in doc["runs"][0]["tool"]["driver"]["rules"]}
    assert set(rules) == {r.meta.id for r in REGISTRY if not r.meta.retired}
    assert {"E001", "E002", "E003"} <= set(rules)
    tr = rules["TR401"]
    assert tr["name"] == "api-insecure"
    assert tr["shortDescription"]["text"] == REGISTRY.meta("TR401").summary
    paragraph = REGISTRY.meta("TR401").doc.split("## What it finds", 1)[1].strip().split("\n\n")[0]
    assert tr["fullDescription"]["text"] == " ".join(paragraph.split())
    assert tr["fullDescription"]["text"].startswith("`api.insecure: true` in the static configuration")
    assert tr["help"]["markdown"] == REGISTRY.meta("TR401").doc
    assert tr["helpUri"] == "https://github.com/golint-traefik/golint-traefik/blob/main/rules/TR401-api-insecure.md"
    assert tr["defaultConfiguration"] == {"level": "error"}
    assert tr["properties"]["security-severity"] == "8.1"
    assert tr["properties"]["precision"] == "high"
    assert tr["properties"]["tags"] == ["security"]
    assert "security-severity" not in rules["E001"]["properties"]
    # A default-level ("warning") rule keeps its level although it equals the sarif-om default.
    assert rules["E005"]["defaultConfiguration"] == {"level": "warning"}
    assert rules["E004"]["properties"]["problem.severity"] == "recommendation"


def test_full_description_is_the_first_paragraph_of_what_it_finds():
    doc = "## What it finds\n\nOne line\nand its   continuation.\n\nSecond paragraph.\n\n## Why it matters\n\nx\n"
    assert sarif.first_paragraph(doc) == "One line\nand its   continuation."
    assert sarif.first_paragraph("## What it finds\nOnly line") == "Only line"
    assert sarif.first_paragraph("## Why it matters\n\nx\n") is None


def test_long_descriptions_are_clipped_to_githubs_limit():
    assert len(sarif._clip("word " * 400)) == 1024


# ---------------------------------------------------------------- results


def test_every_result_states_its_level_and_fingerprints(validator, tmp_path):
    fs = [
        finding(severity=Severity.WARNING, fingerprint="abc:0", line_hash="5f1e2d:1"),
        finding(line=7, severity=Severity.NOTE, fingerprint="abd:0"),
    ]
    doc = render(fs, tmp_path)
    validator.validate(doc)
    first, second = doc["runs"][0]["results"]
    assert first["level"] == "warning" and second["level"] == "note"
    assert first["partialFingerprints"] == {"primaryLocationLineHash": "5f1e2d:1", "golintTraefikFingerprint/v1": "abc:0"}
    # Without a line hash GitHub's upload action computes one itself: do not send an empty value.
    assert second["partialFingerprints"] == {"golintTraefikFingerprint/v1": "abd:0"}


def test_related_locations_carry_ids_and_messages(validator, tmp_path):
    f = finding(fingerprint="x:0", related=(Related(Span("dynamic/routers.yml", 4, 7, 4, 20), "router defined here"),
                                             Related(Span("traefik.yml", 2, 1, 3, 5), "entrypoint defined here")))
    doc = render([f], tmp_path)
    validator.validate(doc)
    related = doc["runs"][0]["results"][0]["relatedLocations"]
    assert [(r["id"], r["message"]["text"]) for r in related] == [(0, "router defined here"), (1, "entrypoint defined here")]
    assert related[0]["physicalLocation"]["artifactLocation"]["uri"] == "dynamic/routers.yml"
    assert related[1]["physicalLocation"]["region"] == {"startLine": 2, "startColumn": 1, "endLine": 3, "endColumn": 5}


def test_uris_are_repo_relative_and_percent_encoded(validator, tmp_path):
    (tmp_path / ".git").mkdir()
    sub = tmp_path / "deploy"
    sub.mkdir()
    outside = tmp_path.parent / "elsewhere.yml"
    fs = [finding(path="my dir/cönfig ü.yml", fingerprint="a:0"), finding(path=str(outside), fingerprint="b:0"),
          finding(path="../top#1.yml", fingerprint="c:0")]
    doc = render(fs, sub)
    validator.validate(doc)
    r = doc["runs"][0]
    assert r["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.as_uri() + "/"
    locs = [res["locations"][0]["physicalLocation"]["artifactLocation"] for res in r["results"]]
    assert locs[0] == {"uri": "deploy/my%20dir/c%C3%B6nfig%20%C3%BC.yml", "uriBaseId": "%SRCROOT%"}
    assert locs[1] == {"uri": outside.as_uri()}  # outside the repository: absolute, no base id
    assert locs[2] == {"uri": "top%231.yml", "uriBaseId": "%SRCROOT%"}


def test_without_git_the_root_is_the_working_directory(tmp_path):
    if any((p / ".git").exists() for p in [tmp_path, *tmp_path.parents]):
        pytest.skip("the temporary directory is inside a git repository")
    doc = render([finding(fingerprint="a:0")], tmp_path)
    assert doc["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.as_uri() + "/"
    assert doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "traefik.yml"


@pytest.mark.parametrize("category,expected", [("traefik", "traefik/"), ("go/services/", "go/services/")])
def test_category_becomes_the_automation_id(tmp_path, category, expected):
    assert render([], tmp_path, category=category)["runs"][0]["automationDetails"] == {"id": expected}


def test_internal_errors_mark_the_run_unsuccessful(validator, tmp_path):
    crash = finding(rule="E003", message="internal error in rule TR401 (api-insecure): KeyError: 'x'", fingerprint="e:0")
    doc = render([crash, finding(fingerprint="a:0")], tmp_path)
    validator.validate(doc)
    inv = doc["runs"][0]["invocations"][0]
    assert inv["executionSuccessful"] is False
    [note] = inv["toolExecutionNotifications"]
    assert note["level"] == "error" and note["message"]["text"] == crash.message
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "traefik.yml"
    assert [r["ruleId"] for r in doc["runs"][0]["results"]] == ["E003", "TR401"]


def test_too_many_results_keeps_the_most_severe(validator, tmp_path, monkeypatch):
    monkeypatch.setattr(sarif, "MAX_RESULTS", 3)
    sev = [Severity.NOTE, Severity.ERROR, Severity.WARNING, Severity.ERROR, Severity.NOTE, Severity.ERROR]
    fs = [finding(line=i + 1, severity=s, fingerprint=f"f{i}:0") for i, s in enumerate(sev)]
    doc = render(fs, tmp_path)
    validator.validate(doc)
    r = doc["runs"][0]
    assert [res["locations"][0]["physicalLocation"]["region"]["startLine"] for res in r["results"]] == [2, 4, 6]
    [note] = r["invocations"][0]["toolExecutionNotifications"]
    assert note["level"] == "warning" and note["message"]["text"].startswith("3 results left out")
    assert r["invocations"][0]["executionSuccessful"] is True


def test_zero_width_spans_stay_valid(validator, tmp_path):
    f = Finding("E002", "unreadable-file", Severity.ERROR, "cannot read file", Span("x.go", 1, 1, 1, 1), fingerprint="z:0")
    doc = render([f], tmp_path)
    validator.validate(doc)
    assert doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 1, "startColumn": 1, "endLine": 1, "endColumn": 1}


def test_output_is_deterministic(tmp_path):
    fs = [finding(fingerprint="a:0"), finding(line=9, fingerprint="b:0")]
    assert render_sarif(fs, REGISTRY, cwd=str(tmp_path)) == render_sarif(fs, REGISTRY, cwd=str(tmp_path))
