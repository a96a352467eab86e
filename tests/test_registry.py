"""The registry: documents and implementations match one to one, and rules are imported lazily."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from golint_traefik import registry as R

try:
    import tomllib
except ImportError:  # pragma: no cover - Python 3.10
    import tomli as tomllib
from golint_traefik.registry import RegistryError, Rule, load_registry, parse_rule_doc


def test_every_document_has_its_module_and_every_module_its_document():
    R.verify(load_registry())


def test_a_document_without_code_is_refused(tmp_path):
    doc = (Path(R._rules_dir()) / "GO302-unstopped-ticker.md").read_text(encoding="utf-8")
    meta = parse_rule_doc(doc.replace('id = "GO302"', 'id = "GO399"'), "GO399-unstopped-ticker.md")
    with pytest.raises(RegistryError, match="no implementation"):
        Rule(meta).check


def test_a_registered_function_under_an_unknown_id_is_refused(monkeypatch):
    monkeypatch.setitem(R._CHECKS, "GO398", lambda p: None)
    with pytest.raises(RegistryError, match="GO398 is implemented but has no document"):
        R.verify(load_registry())


def _modules_after(code: str, cwd=None) -> set[str]:
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys\nprint('\\n'.join(sys.modules))"],
                         capture_output=True, text=True, check=True, cwd=cwd,
                         env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)}).stdout
    return set(out.split())


def test_loading_the_registry_imports_no_rule():
    mods = _modules_after("from golint_traefik.registry import load_registry\nload_registry()")
    assert not [m for m in mods if ".rules." in m]
    assert "tomllib" not in mods  # every document's front matter is plain (test_plain_front_matter_reads_as_tomllib_does)
    assert "golint_traefik.traefik.model" not in mods and "golint_traefik.go.syncfacts" not in mods


def _modules_of_check(path) -> set[str]:
    return _modules_after(f"from golint_traefik.cli import cli\ntry:\n    cli(['check', '--no-cache', {str(path)!r}])\n"
                          "except SystemExit:\n    pass")


def test_a_go_only_run_imports_no_traefik_code(tmp_path):
    (tmp_path / "a.go").write_text("package a\n\nfunc f() {}\n")
    mods = _modules_of_check(tmp_path)
    assert "golint_traefik.go.rules.go101_abandoned_sender" in mods
    assert not [m for m in mods if m.startswith(("golint_traefik.traefik", "ruamel"))]


def test_a_go_run_loads_the_grammar_without_its_package(tmp_path):
    """tree_sitter_go's package imports importlib.resources (5 ms of every Go process's start-up) for
    query files the linter does not read: the grammar is loaded from the package's binding."""
    (tmp_path / "a.go").write_text("package a\n\nfunc f() {}\n")
    mods = _modules_of_check(tmp_path)
    assert "golint_traefik.go.source" in mods
    assert not [m for m in mods if m.startswith(("tree_sitter_go", "importlib.resources"))]


def test_the_grammar_falls_back_on_its_package(monkeypatch):
    import importlib.util

    import tree_sitter as ts

    from golint_traefik.go import source

    def lost(name):
        raise ImportError(name)

    monkeypatch.setattr(importlib.util, "find_spec", lost)  # a package laid out otherwise, say
    tree = ts.Parser(ts.Language(source._go_language())).parse(b"package a\n\nfunc f() {}\n")
    assert tree.root_node.type == "source_file" and not tree.root_node.has_error
    assert ts.Language(source._go_language()).node_kind_count == source.GO_LANGUAGE.node_kind_count


def test_a_run_without_configuration_imports_no_toml_parser(tmp_path):
    """The registry's documents read without tomllib, and a pyproject.toml that does not name our
    table is passed over unparsed: tomllib's import would cost more than finding the files.  (Nor
    pathlib: os.path does what the start-up needs, 3 ms sooner.)"""
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    (tmp_path / "a.go").write_text("package a\n\nfunc f() {}\n")
    mods = _modules_after("from golint_traefik.cli import cli\ntry:\n    cli(['check', '--no-cache', 'a.go'])\n"
                          "except SystemExit:\n    pass", cwd=tmp_path)
    assert "golint_traefik.go.source" in mods and "tomllib" not in mods and "pathlib" not in mods


def test_a_yaml_only_run_imports_no_go_code(tmp_path):
    (tmp_path / "traefik.yml").write_text("api:\n  insecure: true\n")
    mods = _modules_of_check(tmp_path)
    assert "golint_traefik.traefik.rules.tr401_api_insecure" in mods
    assert not [m for m in mods if m.startswith(("golint_traefik.go", "tree_sitter"))]


def test_version_imports_nothing_but_the_cli():
    mods = _modules_after("from golint_traefik.cli import cli\ntry:\n    cli(['--version'])\nexcept SystemExit:\n    pass")
    assert sorted(m for m in mods if m.startswith("golint_traefik")) == ["golint_traefik", "golint_traefik.cli"]
    assert not [m for m in mods if m.startswith(("tree_sitter", "ruamel", "sarif_om"))]



@pytest.mark.parametrize("doc", sorted((Path(__file__).parent.parent / "rules").glob("*.md")), ids=lambda p: p.name)
def test_plain_front_matter_reads_as_tomllib_does(doc):
    """The fast reading of the rule documents' front matter agrees with tomllib, value and type; every
    bundled document is written so that it reads that way (loading the registry imports no tomllib)."""
    text = doc.read_text(encoding="utf-8")
    front = text[4:text.find("\n+++\n", 4)]
    fast = R._plain_front_matter(front)
    expected = tomllib.loads(front)
    assert fast == expected and [type(v) for v in fast.values()] == [type(v) for v in expected.values()]
    assert [type(v) for v in fast.get("options", {}).values()] == [type(v) for v in expected.get("options", {}).values()]


@pytest.mark.parametrize("front", [
    'id = "GO101"\ntags = ["a", "b"]\ndefault = false\nsecurity_severity = 5.3\nsummary = "tab\there, ünï"',
    'tags = []',
    'retired = true',
    'security_severity = 0.5',
    "summary = 'a \"quoted\" word, a \\ backslash'",
    'options.x = false\noptions.y-z = 5\noptions.w = "s"\noptions.V_1 = -1.5',
    'id = "A"\noptions.x = true\ndefault = false\noptions.y = 0',
])
def test_plain_front_matter_reads_plain_lines(front):
    fast = R._plain_front_matter(front)
    assert fast == tomllib.loads(front)
    assert [type(v) for v in fast.values()] == [type(v) for v in tomllib.loads(front).values()]


@pytest.mark.parametrize("front", [
    'summary = "a \\"quoted\\" word"',  # escapes: tomllib's to read
    'summary = "bell\x07"',              # a control character: an error for tomllib
    'security_severity = 05.3',           # a leading zero: an error
    'id = "A"\nid = "B"',                # a key twice: an error
    'id = "A" # comment',
    '',
    'options = { x = false }',
    '[options]\nx = 1',
    'versions = "v2,v3"\n',
    'tags = ["a",]',
    "summary = 'two\nlines'",
    'options.x = 1\noptions.x = 2',        # an option twice: an error
    'options = "a"\noptions.x = 1',       # options both a string and a table: an error
    'options.x = 01',
    "options.x = 'literal'",
    'options.a.b = 1',
])
def test_plain_front_matter_leaves_everything_else_to_tomllib(front):
    assert R._plain_front_matter(front) is None
