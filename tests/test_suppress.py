"""Inline suppressions: Go (//golint-traefik:ignore, file-ignore, //nolint) and YAML (# golint-traefik: ignore[...]).

Most tests call suppress.apply_go / apply_yaml directly with hand-made findings
(TR401 stands in for any rule), so they do not depend on which rules exist.
"""

from __future__ import annotations

from pathlib import Path

from golint_traefik import suppress
from golint_traefik.engine import Settings, run
from golint_traefik.finding import Finding, Severity, Span
from golint_traefik.go.source import GoFile

DATA = Path(__file__).parent / "data"
ALL = frozenset({"TR401", "E004", "E005"})


def hit(path: str, line: int, rule: str = "TR401", slug: str = "api-insecure") -> Finding:
    return Finding(rule, slug, Severity.ERROR, "m", Span(path, line, 2, line, 5))


def go(src: str, lines: list[int], selected=ALL) -> list[tuple[str, int]]:
    """Findings left on a Go file with one TR401 finding per line in ``lines``: (rule, line) pairs."""
    f = GoFile("a.go", src.encode())
    return sorted((x.rule_id, x.span.line) for x in suppress.apply_go(f, [hit("a.go", n) for n in lines], selected))


def yaml(text: str, lines: list[int], selected=ALL) -> list[tuple[str, int]]:
    out = suppress.apply_yaml("c.yml", text, [hit("c.yml", n) for n in lines], selected)
    return sorted((x.rule_id, x.span.line) for x in out)


# --------------------------------------------------------------------- Go

def test_go_trailing_comment_covers_its_line_only():
    src = "package p\n\nfunc f() {\n\tx := 1 //golint-traefik:ignore TR401 reviewed\n\ty := 2\n}\n"
    assert go(src, [4, 5]) == [("TR401", 5)]


def test_go_comment_alone_covers_next_line_and_accepts_slugs():
    src = "package p\n\nfunc f() {\n\t//golint-traefik:ignore api-insecure reviewed\n\tx := 1\n\ty := 2\n}\n"
    assert go(src, [5, 6]) == [("TR401", 6)]


def test_go_stacked_directives_skip_comment_lines():
    src = "package p\n\n//golint-traefik:ignore tr401 reviewed\n//nolint:errcheck\nfunc f() {}\n"
    assert go(src, [5]) == []


def test_go_file_ignore_anywhere():
    src = "package p\n\nfunc f() {}\n\n//golint-traefik:file-ignore TR401 generated code\n"
    assert go(src, [1, 3]) == []


def test_go_nolint_forms():
    src = (
        "package p\n\nfunc f() {\n"
        "\ta := 1 //nolint:errcheck,TR401 // reviewed\n"  # 4: names us among others
        "\tb := 2 //nolint:api-insecure\n"  # 5: slug
        "\tc := 3 //nolint\n"  # 6: bare: everything
        "\td := 4 //nolint:all\n"  # 7
        "\te := 5 //nolint:errcheck\n"  # 8: not ours: kept, never reported
        "\tf := 6 //nolintlint is another word\n"  # 9
        "}\n"
    )
    assert go(src, [4, 5, 6, 7, 8, 9]) == [("TR401", 8), ("TR401", 9)]


def test_go_marker_inside_string_literal_is_not_a_suppression():
    src = (
        "package p\n\nfunc f() {\n"
        '\ts := "//golint-traefik:ignore TR401 reviewed"\n'
        "\tr := `//nolint`\n"
        "\t/* //nolint */ t := 1\n"
        "}\n"
    )
    assert go(src, [4, 5, 6]) == [("TR401", 4), ("TR401", 5), ("TR401", 6)]


def test_go_no_marker_returns_findings_untouched():
    f = GoFile("a.go", b"package p\n\nfunc f() {}\n")
    findings = [hit("a.go", 3)]
    assert suppress.apply_go(f, findings, ALL) is findings


def test_go_missing_reason_still_suppresses_but_is_reported():
    src = "package p\n\nfunc f() {\n\tx := 1 //golint-traefik:ignore TR401\n}\n"
    f = GoFile("a.go", src.encode())
    out = suppress.apply_go(f, [hit("a.go", 4)], ALL)
    assert [(x.rule_id, x.span.line, x.span.col) for x in out] == [("E005", 4, 9)]
    assert "no reason" in out[0].message and out[0].severity is Severity.WARNING


def test_go_unknown_rule_is_invalid_and_does_not_suppress():
    src = "package p\n\nfunc f() {\n\tx := 1 //golint-traefik:ignore GO999 reviewed\n}\n"
    f = GoFile("a.go", src.encode())
    out = suppress.apply_go(f, [hit("a.go", 4)], ALL)
    assert sorted(x.rule_id for x in out) == ["E005", "TR401"]
    assert "'GO999'" in next(x.message for x in out if x.rule_id == "E005")


def test_go_malformed_directives_are_invalid():
    src = (
        "package p\n\n"
        "//golint-traefik:ignore\n"  # 3: names no rule
        "//golint-traefik:ignroe TR401 x\n"  # 4: unknown directive
        "//golint-traefik:ignore E003 x\n"  # 5: engine diagnostics are not suppressible
        "func f() {}\n"
    )
    f = GoFile("a.go", src.encode())
    out = {x.span.line: x for x in suppress.apply_go(f, [], ALL)}
    assert sorted(out) == [3, 4, 5] and {x.rule_id for x in out.values()} == {"E005"}
    assert "names no rule" in out[3].message
    assert "golint-traefik:ignroe" in out[4].message
    assert "cannot be suppressed" in out[5].message


def test_go_unused_suppression_is_reported_for_selected_rules_only():
    src = "package p\n\nfunc f() {\n\tx := 1 //golint-traefik:ignore TR401 reviewed\n}\n"
    f = GoFile("a.go", src.encode())
    out = suppress.apply_go(f, [], ALL)
    assert [(x.rule_id, x.span.line) for x in out] == [("E004", 4)]
    assert "TR401 (api-insecure)" in out[0].message and out[0].severity is Severity.NOTE
    assert suppress.apply_go(f, [], frozenset({"E004", "E005"})) == []  # TR401 not selected: cannot tell
    assert suppress.apply_go(f, [], frozenset({"TR401"})) == []  # E004 itself not selected


def test_go_unused_nolint_is_never_reported():
    src = "package p\n\nfunc f() {\n\tx := 1 //nolint:TR401\n\ty := 2 //nolint\n}\n"
    assert go(src, []) == []


def test_go_no_unused_report_when_a_rule_crashed_in_the_file():
    src = "package p\n\nfunc f() {\n\tx := 1 //golint-traefik:ignore TR401 reviewed\n}\n"
    f = GoFile("a.go", src.encode())
    crash = Finding("E003", "internal-error", Severity.ERROR, "boom", Span("a.go", 1, 1, 1, 1))
    assert [x.rule_id for x in suppress.apply_go(f, [crash], ALL)] == ["E003"]


def test_go_engine_diagnostics_are_not_suppressed():
    src = "package p //nolint\n"
    f = GoFile("a.go", src.encode())
    crash = Finding("E003", "internal-error", Severity.ERROR, "boom", Span("a.go", 1, 1, 1, 1))
    assert suppress.apply_go(f, [crash], ALL) == [crash]


# ------------------------------------------------------------------- YAML

def test_yaml_trailing_and_line_above():
    text = (
        "api:\n"
        "  insecure: true  # golint-traefik: ignore[TR401] local only\n"  # 2
        "  # golint-traefik: ignore[api-insecure,TR401] local only\n"  # 3
        "  # an ordinary comment between\n"  # 4
        "  debug: true\n"  # 5
        "  other: true\n"  # 6
    )
    assert yaml(text, [2, 5, 6]) == [("TR401", 6)]


def test_yaml_file_ignore():
    text = "# golint-traefik: file-ignore[TR401] local development stack\napi:\n  insecure: true\n"
    assert yaml(text, [3]) == []


def test_yaml_hash_inside_value_is_not_a_comment():
    text = (
        'a: "x # golint-traefik: ignore[TR401] nope"\n'  # 1: inside a double-quoted string
        "b: x#golint-traefik: ignore[TR401] nope\n"  # 2: '#' not after whitespace
    )
    assert yaml(text, [1, 2]) == [("TR401", 1), ("TR401", 2)]


def test_yaml_invalid_and_unused():
    text = (
        "api:\n"
        "  insecure: true  # golint-traefik: ignore TR401 no brackets\n"  # 2
        "  debug: true  # golint-traefik: ignore[GO999] typo\n"  # 3
        "  x: 1  # golint-traefik: ignore[TR401] stale\n"  # 4
    )
    out = suppress.apply_yaml("c.yml", text, [hit("c.yml", 2)], ALL)
    got = sorted((x.rule_id, x.span.line) for x in out)
    assert got == [("E004", 4), ("E005", 2), ("E005", 3), ("TR401", 2)]
    e005 = {x.span.line: x.message for x in out if x.rule_id == "E005"}
    assert "brackets" in e005[2] and "'GO999'" in e005[3]
    assert next(x for x in out if x.rule_id == "E004").span.col == 9  # the '#'


# ----------------------------------------------------- through the engine

def test_engine_applies_yaml_suppressions_and_reports_unused_in_clean_files(tmp_path):
    insecure = (DATA / "traefik-insecure.yml").read_text().replace("insecure: true", "insecure: true  # golint-traefik: ignore[TR401] demo")
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "traefik.yml").write_text(insecure)
    (tmp_path / "b").mkdir()
    stale = (DATA / "traefik-secure.yml").read_text().replace("dashboard: true", "dashboard: true  # golint-traefik: ignore[TR401] demo")
    (tmp_path / "b" / "traefik.yml").write_text(stale)
    res = run(["."], Settings(selected=frozenset({"TR401", "E004", "E005"}), jobs=1), str(tmp_path))
    assert [(f.rule_id, f.path, f.span.line) for f in res.findings] == [("E004", "b/traefik.yml", 6)]
    assert all(f.fingerprint for f in res.findings)


def test_engine_applies_go_suppressions(tmp_path):
    (tmp_path / "main.go").write_text("package main\n\nfunc main() {} //golint-traefik:ignore TR401 demo\n")
    res = run(["."], Settings(selected=frozenset({"TR401", "E004"}), jobs=1), str(tmp_path))
    assert [(f.rule_id, f.path, f.span.line) for f in res.findings] == [("E004", "main.go", 3)]
