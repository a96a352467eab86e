"""Fingerprints: GitHub's primaryLocationLineHash, bit for bit, and our own stable baseline id."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from golint_traefik.cli import cli
from golint_traefik.engine import Settings, run
from golint_traefik.finding import Finding, Severity, Span
from golint_traefik.fingerprint import assign, github_line_hashes, with_line_hashes

MOD = 1 << 64


def utf16(ch: str) -> list[int]:
    c = ord(ch)
    if c < 0x10000:
        return [c]
    c -= 0x10000
    return [0xD800 + (c >> 10), 0xDC00 + (c & 0x3FF)]


def reference_hashes(text: str) -> list[str]:
    """A slow, literal reading of GitHub's algorithm: hash 100 squeezed UTF-16 units from each line start."""
    units: list[int] = []
    starts = [0]
    prev_cr = False
    for u in (u for ch in text for u in utf16(ch)):
        if u in (0x20, 0x09) or (prev_cr and u == 0x0A):
            prev_cr = False
            continue
        prev_cr = u == 0x0D
        units.append(0x0A if u == 0x0D else u)
        if units[-1] == 0x0A:
            starts.append(len(units))
    units.append(0xFFFF)
    units.extend([0] * 100)
    seen: dict[str, int] = {}
    out = []
    for s in starts:
        h = 0
        for i in range(100):
            h += units[s + i] * pow(37, 99 - i, MOD)
        value = format(h % MOD, "x")
        seen[value] = seen.get(value, 0) + 1
        out.append(f"{value}:{seen[value]}")
    return out


def hashes(text) -> list[str]:
    got = github_line_hashes(text)
    assert sorted(got) == list(range(1, len(got) + 1))
    return [got[n] for n in range(1, len(got) + 1)]


def test_empty_file_is_the_end_marker_alone():
    # Derived by hand: the only line's window is 0xFFFF followed by 99 zeros.
    expected = format(0xFFFF * pow(37, 99, MOD) % MOD, "x")
    assert hashes("") == [f"{expected}:1"]
    # ... and the value codeql-action's own tests give for an empty file.
    assert expected == "c129715d7a2bc9a3"


def test_one_character_by_hand():
    h = (ord("a") * pow(37, 99, MOD) + 0xFFFF * pow(37, 98, MOD)) % MOD
    assert hashes("a") == [f"{h:x}:1"]
    # A trailing newline adds a line (the end marker alone) and changes line 1's window.
    h1 = (ord("a") * pow(37, 99, MOD) + 10 * pow(37, 98, MOD) + 0xFFFF * pow(37, 97, MOD)) % MOD
    assert hashes("a\n") == [f"{h1:x}:1", "c129715d7a2bc9a3:1"]


def test_values_published_by_codeql_action():
    # Cross-check against the expectations in github/codeql-action src/fingerprints.test.ts.
    assert hashes(" a\nb\n  \t\tc\n d") == [
        "271789c17abda88f:1", "54703d4cd895b18:1", "180aee12dab6264:1", "a23a3dc5e078b07b:1",
    ]
    lorem = hashes("Lorem ipsum dolor sit amet.\n" * 10)
    assert lorem[:6] == [f"a7f2ff13bc495cf2:{k}" for k in range(1, 7)]
    assert lorem[6:] == ["a7f2ff1481e87703:1", "a9cf91f7bbf1862b:1", "55ec222b86bcae53:1", "cc97dc7b1d7d8f7b:1",
                         "c129715d7a2bc9a3:1"]


def test_line_endings_and_blanks_are_normalised():
    lf = " hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End\n"
    assert hashes(lf)[0] == "e9496ae3ebfced30:1"
    for variant in (lf.replace("\n", "\r"), lf.replace("\n", "\r\n"), " hello; \t\nworld!!!\r\n\n\r  \t\tGreetings\r End\r\n"):
        assert hashes(variant) == hashes(lf)
    # Spaces between CR and LF make two line breaks, as in GitHub's reader.
    assert len(hashes("a\r \nb")) == 3


@pytest.mark.parametrize("text", [
    "package main\n\nfunc main() {\n\tgo leak()\n}\n",
    "\ufeffapi:\n  insecure: true\n",          # BOM kept, as Node keeps it
    "x: \"😀 emoji\"\nüber: 1\r\ny\rz",        # surrogate pairs, CRLF, lone CR
    "k: " + "v" * 250 + "\n" * 3 + "end",     # lines longer than the window
    "same\nsame\nsame\n",
])
def test_matches_a_literal_reading_of_the_algorithm(text):
    assert hashes(text) == reference_hashes(text)


def test_bytes_are_decoded_like_node_and_lines_can_be_limited():
    text = "a: 1\nb: 2\nc: 3\n"
    assert github_line_hashes(text.encode()) == github_line_hashes(text)
    assert github_line_hashes(text, [2, 99]) == {2: github_line_hashes(text)[2]}
    assert github_line_hashes(b"\xff\n") == github_line_hashes("\ufffd\n")


# ------------------------------------------------------------ our fingerprint


def finding(line: int, rule: str = "TR401", path: str = "traefik.yml", col: int = 3) -> Finding:
    return Finding(rule, "api-insecure", Severity.ERROR, "msg", Span(path, line, col, line, col + 8))


def lines_of(text: str):
    lines = text.splitlines()
    return lambda n: lines[n - 1] if 0 < n <= len(lines) else ""


CONFIG = "api:\n  dashboard: true\n  insecure: true\n"


def test_fingerprint_ignores_line_numbers_and_whitespace():
    [a] = assign([finding(3)], lines_of(CONFIG))
    moved = "# added\nentryPoints:\n  web: {}\n" + CONFIG.replace("  insecure: true", "  insecure:   true   ")
    [b] = assign([finding(6)], lines_of(moved))
    assert a.fingerprint == b.fingerprint
    assert a.fingerprint.endswith(":0") and len(a.fingerprint) == 18
    assert a.line_hash == ""  # only the SARIF report fills it (with_line_hashes)


def test_fingerprint_changes_with_the_flagged_line_rule_and_path():
    [a] = assign([finding(3)], lines_of(CONFIG))
    changed = CONFIG.replace("insecure: true", "insecure: yes")
    assert assign([finding(3)], lines_of(changed))[0].fingerprint != a.fingerprint
    assert assign([finding(3, rule="TR402")], lines_of(CONFIG))[0].fingerprint != a.fingerprint
    assert assign([finding(3, path="other.yml")], lines_of(CONFIG))[0].fingerprint != a.fingerprint


def test_identical_keys_get_occurrence_indexes_in_position_order():
    text = "insecure: true\ninsecure: true\n"
    out = assign([finding(2), finding(1)], lines_of(text))
    assert [f.span.line for f in out] == [1, 2]
    base = out[0].fingerprint.split(":")[0]
    assert [f.fingerprint for f in out] == [f"{base}:0", f"{base}:1"]
    out = with_line_hashes(out, {"traefik.yml": text.encode()}.get)
    assert [f.line_hash.split(":")[1] for f in out] == ["1", "1"]  # GitHub's windows differ: the 2nd sees EOF


def test_line_hashes_come_from_each_reported_file_and_skip_what_cannot_be_read():
    other = "a: 1\ninsecure: true\n"
    files = {"traefik.yml": CONFIG.encode(), "other.yml": other.encode()}
    out = with_line_hashes([finding(3), finding(2, path="other.yml"), finding(1, path="gone.yml"),
                            finding(1, rule="E002")], files.get)
    assert [f.line_hash for f in out] == [github_line_hashes(CONFIG)[3], github_line_hashes(other)[2], "", ""]
    assert [f.fingerprint for f in out] == ["", "", "", ""]  # fingerprints are the engine's, untouched


def test_without_source_the_fingerprint_is_still_set_and_the_line_hash_is_empty():
    [f] = assign([finding(1, rule="E002")], None)
    assert f.fingerprint and f.line_hash == ""


def test_engine_fingerprint_survives_unrelated_lines_above(tmp_path):
    cfg = tmp_path / "traefik.yml"
    settings = Settings(selected=frozenset({"TR401"}), jobs=1)

    def only_finding():
        [f] = [f for f in run(["traefik.yml"], settings, cwd=str(tmp_path)).findings if f.rule_id == "TR401"]
        return f

    cfg.write_text("entryPoints:\n  web:\n    address: ':80'\napi:\n  insecure: true\n")
    before = only_finding()
    cfg.write_text("# comment\nlog:\n  level: INFO\nentryPoints:\n  web:\n    address: ':80'\napi:\n  insecure: true\n")
    after = only_finding()
    assert (before.span.line, after.span.line) == (5, 8)
    assert after.fingerprint == before.fingerprint
    cfg.write_text("entryPoints:\n  web:\n    address: ':80'\napi:\n  insecure: True\n")
    assert only_finding().fingerprint != before.fingerprint


def test_the_engine_leaves_githubs_line_hash_to_the_sarif_report(tmp_path):
    (tmp_path / "traefik.yml").write_text("api:\n  insecure: true\n")
    result = run(["traefik.yml"], Settings(selected=frozenset({"TR401"}), jobs=1), cwd=str(tmp_path))
    [f] = [f for f in result.findings if f.rule_id == "TR401"]
    assert f.fingerprint and f.line_hash == ""


@pytest.mark.parametrize("stdin", [False, True])
def test_sarif_output_carries_githubs_line_hash_of_the_file(tmp_path, monkeypatch, stdin):
    text = "api:\n  insecure: true\n"
    (tmp_path / "traefik.yml").write_text("" if stdin else text)  # in editor mode, stdin is the truth
    monkeypatch.chdir(tmp_path)
    args = ["check", "--format", "sarif", "--select", "TR401", "--no-cache", "--exit-zero"]
    args += ["--stdin-filename", "traefik.yml", "-"] if stdin else ["traefik.yml"]
    out = CliRunner().invoke(cli, args, input=text if stdin else None)
    assert out.exit_code == 0, out.output
    [res] = json.loads(out.stdout)["runs"][0]["results"]
    assert res["partialFingerprints"]["primaryLocationLineHash"] == github_line_hashes(text)[2]
