"""Generated documentation stays true: the README rule table comes from the rule documents.

Run with GOLINT_TRAEFIK_UPDATE_DOCS=1 to rewrite the generated parts instead of failing.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from click.testing import CliRunner

from golint_traefik.cli import cli
from golint_traefik.registry import load_registry
from golint_traefik.report import rules_listing

ROOT = Path(__file__).resolve().parents[1]
START, END = "<!-- rules-table:start -->", "<!-- rules-table:end -->"


def _table() -> str:
    metas = [r.meta for r in load_registry() if not r.meta.retired]
    return rules_listing(metas, "markdown")


def test_readme_rule_table_is_generated_from_rule_docs():
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    assert START in text and END in text, "README.md lacks the rule table markers"
    current = text[text.index(START) + len(START): text.index(END)].strip("\n") + "\n"
    expected = _table()
    if current != expected and os.environ.get("GOLINT_TRAEFIK_UPDATE_DOCS") == "1":
        new = text[: text.index(START) + len(START)] + "\n" + expected + text[text.index(END):]
        readme.write_text(new, encoding="utf-8")
        current = expected
    assert current == expected, "README rule table is stale: run GOLINT_TRAEFIK_UPDATE_DOCS=1 python -m pytest tests/test_docs.py"


def test_every_rule_doc_renders_with_explain():
    runner = CliRunner()
    for rule in load_registry():
        res = runner.invoke(cli, ["explain", rule.meta.slug])
        assert res.exit_code == 0, res.output
        assert res.output.startswith(f"{rule.meta.id} {rule.meta.slug}\n")
        assert rule.meta.summary in res.output


def test_rule_docs_have_bad_and_good_examples():
    for rule in load_registry():
        if rule.meta.target == "engine":
            continue
        doc = rule.meta.doc
        for section in ("## Example", "## Use instead"):
            body = doc.split(section, 1)[1].split("\n## ", 1)[0]
            assert "```" in body, f"{rule.meta.id}: section {section!r} has no code block"


def test_help_mentions_every_check_option():
    res = CliRunner().invoke(cli, ["check", "--help"])
    assert res.exit_code == 0
    for opt in ("--format", "--output", "--select", "--ignore", "--severity", "--config", "--exit-zero",
                "--traefik-version", "--go-version", "--stdin-filename", "--force-exclude", "--baseline",
                "--write-baseline", "--sarif-category", "--jobs"):
        assert opt in res.output, opt


def test_numbering_scheme_is_documented_in_readme():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for family in ("E0xx", "GO1xx", "GO2xx", "GO3xx", "GO4xx", "TR1xx", "TR2xx", "TR3xx", "TR4xx", "TR5xx", "TR6xx", "TR7xx"):
        assert family in text, family
    assert re.search(r"never reused", text)
