"""The example project in examples/ yields exactly the findings it is meant to show.

examples/ is a small Go service plus the Traefik configuration in front of
it.  Most of it is correct code (near misses for the rules); each deliberate
bug carries a plain ``Bug (RULE slug): ...`` comment just above it.  The run
uses the default rule selection, so a new rule that fires on the example, or
a rule that drifts to another line, fails here and has to be looked at.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from golint_traefik.cli import cli
from golint_traefik.registry import load_registry

ROOT = Path(__file__).resolve().parents[1]

# (rule, path relative to the repository root, line): text found on that line.
EXPECTED: dict[tuple[str, str, int], str] = {
    # Go service
    ("GO201", "examples/service/fanout.go", 20): "wg.Add(1)",
    ("GO301", "examples/service/handler.go", 43): "ctx, _ := context.WithTimeout(",
    ("GO302", "examples/service/worker.go", 32): "ticker := time.NewTicker(time.Minute)",
    # Go service versus the Traefik configuration in front of it
    ("XS104", "examples/service/main.go", 44): "IdleTimeout:       60 * time.Second,",
    # Traefik configuration
    ("TR201", "examples/traefik/dynamic/routers.yml", 22): "- rate-limt",
    ("TR401", "examples/traefik/traefik.yml", 19): "insecure: true",
    ("TR402", "examples/traefik/dynamic/transports.yml", 8): "insecureSkipVerify: true",
}
# Rules with no bug in the example, only near misses (listed so that a
# missing implementation is visible here too):
#   TR202 undefined-service: `service: api@internal`, `service: billing`
#   (defined in the same file) and the labelled `orders` service.
#   XS101-XS103, XS105: the `orders` service is linked to service/ (its compose
#   build context); its health check path, port and router prefix agree with
#   the Go code, and the /healthz handler does not block.
NEAR_MISS_ONLY = ("TR202", "XS101", "XS102", "XS103", "XS105")
RULES = sorted({rule for rule, _, _ in EXPECTED} | set(NEAR_MISS_ONLY))


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> dict:
    # An explicit empty configuration: the example is linted with the defaults,
    # whatever the repository's own pyproject.toml says.
    config = tmp_path_factory.mktemp("cfg") / ".golint-traefik.toml"
    config.write_text("", encoding="utf-8")
    old = os.getcwd()
    os.chdir(ROOT)
    try:
        result = CliRunner().invoke(cli, ["check", "examples/", "--format", "json", "--config", str(config), "-j", "1"])
    finally:
        os.chdir(old)
    assert result.exit_code in (0, 1), f"exit {result.exit_code}\n{result.output}\n{result.exception!r}"
    return json.loads(result.stdout)


def _found(report: dict) -> set[tuple[str, str, int]]:
    return {(f["rule"], f["path"], f["line"]) for f in report["findings"]}


def _describe(report: dict, keys) -> str:
    by_key = {(f["rule"], f["path"], f["line"]): f for f in report["findings"]}
    return "\n".join(f"  {r} {p}:{n}: {by_key[(r, p, n)]['message'] if (r, p, n) in by_key else EXPECTED.get((r, p, n))}"
                     for r, p, n in sorted(keys))


def test_expected_lines_hold_the_bugs():
    """The line numbers above still point at the buggy lines (catches edits that shift them)."""
    for (rule, path, line), text in EXPECTED.items():
        lines = (ROOT / path).read_text(encoding="utf-8").splitlines()
        assert line <= len(lines) and text in lines[line - 1], (
            f"{rule}: {path}:{line} is {lines[line - 1] if line <= len(lines) else '<past the end>'!r}, expected it to contain {text!r}"
        )


@pytest.mark.parametrize("rule", RULES)
def test_rule_findings(report, rule):
    assert load_registry().get(rule) is not None, f"{rule} is not a registered rule: renamed or retired? update EXPECTED"
    want = {k for k in EXPECTED if k[0] == rule}
    got = {k for k in _found(report) if k[0] == rule}
    problems = []
    if want - got:
        problems.append("missing:\n" + _describe(report, want - got))
    if got - want:
        problems.append("unexpected:\n" + _describe(report, got - want))
    assert not problems, f"{rule} on examples/:\n" + "\n".join(problems)


def test_no_other_findings(report):
    """No rule outside the expectations reports anything: the correct parts of the example stay clean."""
    others = {k for k in _found(report) if k[0] not in RULES}
    assert not others, "unexpected findings on examples/:\n" + _describe(report, others)


def test_every_file_checked(report):
    files = [p for p in (ROOT / "examples").rglob("*") if p.suffix in (".go", ".yml", ".yaml", ".toml")]
    assert report["summary"]["files_checked"] == len(files)
    assert report["summary"]["internal_errors"] == 0
