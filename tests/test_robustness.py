"""Bad input yields a clear diagnostic, and the rest of the run goes on.

The table of hostile files is ``tests/hostile/cases.toml`` (see its README); the
rest of this module covers what needs a file system, a process or a crash:
unreadable and vanishing files, symlinks, FIFOs, rule and loader crashes,
Ctrl-C, output formats under hostile text, determinism, configuration errors,
and that linting never runs anything from the scanned tree nor uses the network.
"""

from __future__ import annotations

import builtins
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from conftest import shared_path
from golint_traefik import engine
from golint_traefik.cli import cli
from golint_traefik.engine import Settings
from golint_traefik.registry import Rule, load_registry

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

TESTS = Path(__file__).parent
HOSTILE = TESTS / "hostile"
sys.path.insert(0, str(HOSTILE))
import generate  # noqa: E402  (tests/hostile/generate.py)

CASES = tomllib.loads((HOSTILE / "cases.toml").read_text(encoding="utf-8"))["case"]
SURVIVORS = {"pkg/good.go": ("GO301", 9, 7), "cfg/good.yml": ("TR201", 8, 21)}
PWNED = ("golint-traefik-pwned-system", "golint-traefik-pwned-open")
_EXPECT = re.compile(r"^(?P<rule>[A-Z]+\d+)@(?P<line>\d+):(?P<col>\d+)(?:\s+~\s+(?P<regex>.*))?$")


# ------------------------------------------------------------------ helpers


@contextlib.contextmanager
def cwd(path: Path):
    old = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def check(where: Path, *args: str, fmt: str = "json", select: str = "ALL"):
    """``golint-traefik check`` in-process, in ``where``, without cache: (exit code, stdout, stderr)."""
    with cwd(where):
        r = CliRunner().invoke(cli, ["check", "--no-cache", "--select", select, "--format", fmt, *args])
    if r.exception is not None and not isinstance(r.exception, SystemExit):
        raise r.exception
    return r.exit_code, r.stdout, r.stderr


def findings(where: Path, *args: str, **kw) -> tuple[int, list[dict]]:
    code, out, err = check(where, *args, **kw)
    assert code in (0, 1, 2), err
    return code, json.loads(out)["findings"]


def brief(f: dict) -> str:
    return f"{f['rule']}@{f['path']}:{f['line']}:{f['column']} {f['message']}"


@pytest.fixture(scope="session")
def generated(tmp_path_factory):
    """Generated cases, written once per session: name -> path."""
    root = tmp_path_factory.mktemp("generated")
    made: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in made:
            made[name] = generate.write(name, root / name)
        return made[name]

    return get


def place(case: dict, root: Path, generated) -> Path:
    """Copy (or generate) the case's file into ``root``: Go into pkg/, configuration into cfg/."""
    kind, rest = case["file"].split("/", 1)
    dest = root / ("pkg" if kind == "go" else "cfg") / rest
    dest.parent.mkdir(parents=True, exist_ok=True)
    src = generated(case["generate"]) if "generate" in case else HOSTILE / case["file"]
    shutil.copyfile(src, dest)
    return dest


def with_survivors(root: Path) -> Path:
    for sub, name in (("pkg", "good.go"), ("cfg", "good.yml")):
        (root / sub).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(HOSTILE / "good" / name, root / sub / name)
    return root


@pytest.fixture(scope="module")
def survivors(tmp_path_factory) -> list[str]:
    """The findings of the good files linted alone: every hostile run must reproduce them."""
    root = with_survivors(tmp_path_factory.mktemp("survivors"))
    code, fs = findings(root, ".")
    assert code == 1
    got = {f["path"]: (f["rule"], f["line"], f["column"]) for f in fs}
    assert got == SURVIVORS, "the good files must have exactly their one documented finding each"
    return sorted(brief(f) for f in fs)


# ------------------------------------------------------------- the table


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_hostile_case(case, tmp_path, survivors, generated):
    root = with_survivors(tmp_path / "beside")
    target = place(case, root, generated)
    shown = target.relative_to(root).as_posix()
    started = time.process_time()
    code, fs = findings(root, ".")
    spent = time.process_time() - started

    assert not [brief(f) for f in fs if f["rule"] == "E003"], "internal error"
    assert spent < case.get("seconds", 60), f"{case['file']} took {spent:.1f}s of CPU"
    assert code == 1  # the good files always have findings
    assert sorted(brief(f) for f in fs if f["path"] != shown) == survivors, "findings of the good files changed"
    _match(case, [f for f in fs if f["path"] == shown])
    for name in PWNED:
        assert not (root / name).exists() and not Path(name).exists(), f"a YAML tag ran: {name} exists"

    alone = place(case, tmp_path / "alone", generated)
    code, fs = findings(tmp_path / "alone", ".")
    assert code == case["exit"], [brief(f) for f in fs]
    assert len(fs) == len(case["expect"]) and all(f["path"] == alone.relative_to(tmp_path / "alone").as_posix() for f in fs)


def _match(case: dict, got: list[dict]) -> None:
    """Every finding of the file is expected, and every expectation is met, once."""
    left = list(got)
    problems = []
    for want in case["expect"]:
        m = _EXPECT.match(want)
        assert m, f"bad expectation {want!r} in cases.toml"
        rule, line, col, regex = m["rule"], int(m["line"]), int(m["col"]), m["regex"]
        hit = next((f for f in left if (f["rule"], f["line"], f["column"]) == (rule, line, col)
                    and (regex is None or re.search(regex, f["message"]))), None)
        if hit is None:
            problems.append(f"missing {want}")
        else:
            left.remove(hit)
    problems += [f"unexpected {f['rule']}@{f['line']}:{f['column']} {f['message']!r}" for f in left]
    assert not problems, f"{case['file']} ({case['why']}):\n" + "\n".join(problems)


def test_every_case_is_in_the_table():
    on_disk = {p.relative_to(HOSTILE).as_posix() for sub in ("go", "yaml", "toml")
               for p in (HOSTILE / sub).rglob("*") if p.is_file()}
    listed = {c["file"] for c in CASES if "generate" not in c}
    assert on_disk == listed
    assert {c["generate"] for c in CASES if "generate" in c} <= set(generate.GENERATORS)


def test_corpus_bytes_are_intact():
    """The corpus holds bytes on purpose; a checkout or an editor that normalises them breaks the cases."""
    raw = {p: (HOSTILE / p).read_bytes() for p in (
        "go/crlf.go", "go/crlf_non_ascii.go", "go/bom.go", "go/cr_only.go", "go/nul_bytes.go", "go/not_utf8.go",
        "yaml/crlf.yml", "yaml/bom.yml", "yaml/not_utf8.yml", "yaml/nul_byte.yml", "toml/not_utf8.toml")}
    for p in ("go/crlf.go", "go/crlf_non_ascii.go", "yaml/crlf.yml"):
        assert raw[p].count(b"\n") == raw[p].count(b"\r\n") > 3, p
    for p in ("go/bom.go", "go/crlf_non_ascii.go", "yaml/bom.yml"):
        assert raw[p].startswith(b"\xef\xbb\xbf"), p
    assert b"\n" not in raw["go/cr_only.go"] and b"\r" in raw["go/cr_only.go"]
    assert b"\x00" in raw["go/nul_bytes.go"] and b"\x00" in raw["yaml/nul_byte.yml"]
    for p in ("go/not_utf8.go", "yaml/not_utf8.yml", "toml/not_utf8.toml"):
        with pytest.raises(UnicodeDecodeError):
            raw[p].decode("utf-8")
    assert max(p.stat().st_size for p in HOSTILE.rglob("*") if p.is_file()) < 50_000


# ------------------------------------------------------------- positions


@pytest.mark.parametrize("name", ["go/crlf.go", "go/non_ascii.go", "go/crlf_non_ascii.go", "go/bom.go", "go/long_line.go"])
def test_go_columns_count_code_points(name, tmp_path, generated):
    """The column of the finding, worked out from the text: code points, after a BOM, before a CR."""
    case = next(c for c in CASES if c["file"] == name)
    target = place(case, tmp_path, generated)
    text = target.read_bytes().decode("utf-8-sig")
    line_no, line = next((i, l) for i, l in enumerate(text.split("\n"), 1) if "ctx, _ :=" in l)
    code, fs = findings(tmp_path, ".")
    assert [(f["rule"], f["line"], f["column"]) for f in fs] == [("GO301", line_no, line.index("_ :=") + 1)]


@pytest.mark.parametrize("name", ["yaml/crlf.yml", "yaml/bom.yml"])
def test_yaml_columns_count_code_points(name, tmp_path):
    target = place({"file": name}, tmp_path, None)
    text = target.read_bytes().decode("utf-8-sig")
    line_no, line = next((i, l) for i, l in enumerate(text.split("\n"), 1) if "-missing" in l)
    code, fs = findings(tmp_path, ".")
    assert [(f["rule"], f["line"], f["column"]) for f in fs] == [("TR201", line_no, line.index("[") + 2)]


# ------------------------------------------------------------- bounded time


def _cpu(tmp_path: Path, name: str, data: bytes) -> float:
    d = tmp_path / name
    d.mkdir()
    (d / "big.go").write_bytes(data)
    settings = Settings(selected=frozenset(r.meta.id for r in load_registry()), jobs=1)
    started = time.process_time()
    result = engine.run([str(d)], settings, cwd=str(d))
    spent = time.process_time() - started
    assert not [f for f in result.findings if f.rule_id in ("E001", "E002", "E003")]
    return spent


@pytest.mark.parametrize("make,small", [(generate.go_scaling, 400), (generate.go_big_function, 500)],
                         ids=["many-functions", "one-big-function"])
def test_work_grows_linearly_with_the_file(make, small, tmp_path):
    """Four times the code costs about four times the CPU, not sixteen (a quadratic rule would)."""
    _cpu(tmp_path, "warm", make(small // 4))
    base = min(_cpu(tmp_path, f"small{i}", make(small)) for i in range(2))
    big = _cpu(tmp_path, "big", make(4 * small))
    assert big / max(base, 0.05) < 9, f"{small} -> {4 * small}: {base:.2f}s -> {big:.2f}s"


def test_over_the_size_limit_is_e002(tmp_path):
    with open(tmp_path / "huge.go", "wb") as fh:  # sparse: no disk space used
        fh.truncate(engine.MAX_FILE_BYTES + 1)
    with_survivors(tmp_path)
    code, fs = findings(tmp_path, ".")
    assert code == 1
    assert [(f["rule"], f["path"]) for f in fs if f["path"] == "huge.go"] == [("E002", "huge.go")]
    assert "over the" in next(f["message"] for f in fs if f["path"] == "huge.go")
    assert {f["path"] for f in fs} == {"huge.go", *SURVIVORS}


# ------------------------------------------------------------- recursion


def _fake_rule(monkeypatch, rule_id: str, check_fn) -> None:
    reg = load_registry()
    rule = reg.get(rule_id)
    patched = Rule(rule.meta, check_fn)
    monkeypatch.setitem(reg._rules, rule.meta.id, patched)
    monkeypatch.setitem(reg._by_slug, rule.meta.slug, patched)


def test_a_rule_recursing_10000_deep_still_reports(tmp_path, monkeypatch):
    """Rules may recurse per nesting level: past Python's limit they run again with a deep stack."""
    def deep(p, n=10_000):
        if n:
            return deep(p, n - 1)
        p.report(p.file.root, "reached the bottom")

    _fake_rule(monkeypatch, "GO302", deep)
    with_survivors(tmp_path)
    code, fs = findings(tmp_path, ".")
    assert ("GO302", "pkg/good.go", "reached the bottom") in {(f["rule"], f["path"], f["message"]) for f in fs}
    assert code == 1 and not [f for f in fs if f["rule"] == "E003"]
    assert sys.getrecursionlimit() < engine.DEEP_RECURSION_LIMIT  # restored


def test_the_retry_has_a_deep_c_stack_too():
    """Recursion through C code (repr, json, comparisons) needs real stack: 100,000 levels of it
    overflow a default 8 MB thread stack, so the retry runs on a thread with a large one (in a
    subprocess: a failure here is a segmentation fault)."""
    code = ("from golint_traefik.engine import check_deep\n"
            "x = []\n"
            "for _ in range(100000): x = [x]\n"
            "out = []\n"
            "check_deep(lambda p: out.append(len(repr(x))), None, out, 0)\n"
            "assert out == [200002], out\n")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr[-2000:]


def test_endless_recursion_is_still_an_internal_error(tmp_path, monkeypatch):
    def endless(p):
        p.report(p.file.root, "partial finding, dropped")
        return endless(p)

    _fake_rule(monkeypatch, "GO302", endless)
    with_survivors(tmp_path)
    code, fs = findings(tmp_path, ".")
    assert code == 2
    crash = [f for f in fs if f["rule"] == "E003"]
    assert len(crash) == 1 and "GO302" in crash[0]["message"] and "RecursionError" in crash[0]["message"]
    assert crash[0]["path"] == "pkg/good.go"
    assert not [f for f in fs if f["message"] == "partial finding, dropped"]
    assert {(f["rule"], f["path"]) for f in fs} >= {("GO301", "pkg/good.go"), ("TR201", "cfg/good.yml")}


# ------------------------------------------------------------- files


def test_unreadable_file_is_e002_and_the_run_goes_on(tmp_path, monkeypatch):
    """Permissions cannot be tested as root: the open fails instead."""
    with_survivors(tmp_path)
    locked = tmp_path / "pkg" / "locked.go"
    shutil.copyfile(HOSTILE / "go" / "crlf.go", locked)
    real_open, real_os_open = builtins.open, os.open

    def deny(path) -> None:
        if isinstance(path, (str, os.PathLike)) and os.path.abspath(path) == str(locked):
            raise PermissionError(13, "Permission denied", os.fspath(path))

    def guarded_open(path, *a, **k):
        deny(path)
        return real_open(path, *a, **k)

    def guarded_os_open(path, *a, **k):
        deny(path)
        return real_os_open(path, *a, **k)

    monkeypatch.setattr(builtins, "open", guarded_open)
    monkeypatch.setattr(os, "open", guarded_os_open)
    code, fs = findings(tmp_path, ".")
    assert code == 1
    assert [(f["rule"], f["message"]) for f in fs if f["path"] == "pkg/locked.go"] == \
        [("E002", "cannot read file: Permission denied")]
    assert {f["path"] for f in fs} == {"pkg/locked.go", *SURVIVORS}


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads files whatever their mode")
def test_file_without_read_permission(tmp_path):  # pragma: no cover - not run as root
    with_survivors(tmp_path)
    locked = tmp_path / "pkg" / "locked.go"
    shutil.copyfile(HOSTILE / "go" / "crlf.go", locked)
    locked.chmod(0)
    code, fs = findings(tmp_path, ".")
    assert [(f["rule"], f["path"]) for f in fs if f["rule"] == "E002"] == [("E002", "pkg/locked.go")]


def test_file_deleted_during_the_run(tmp_path, monkeypatch):
    with_survivors(tmp_path)
    doomed = tmp_path / "pkg" / "doomed.go"
    shutil.copyfile(HOSTILE / "go" / "crlf.go", doomed)
    real = engine.discover

    def discover_then_delete(*a, **k):
        out = real(*a, **k)
        doomed.unlink()  # found, then gone before it is read
        return out

    monkeypatch.setattr(engine, "discover", discover_then_delete)
    code, fs = findings(tmp_path, ".")
    assert code == 1
    assert [(f["rule"], f["message"]) for f in fs if f["path"] == "pkg/doomed.go"] == \
        [("E002", "cannot read file: No such file or directory")]
    assert {f["path"] for f in fs} == {"pkg/doomed.go", *SURVIVORS}


def test_a_file_read_whole_whatever_size_its_stat_gave(tmp_path):
    """A file that grew or shrank between its stat and its read is read to its end."""
    data = b"package p\n" + b"// x\n" * 100_000
    (tmp_path / "f.go").write_bytes(data)
    for stale_size in (0, 10, len(data) - 1, len(data), len(data) + 1, 10 * len(data)):
        fd = os.open(tmp_path / "f.go", os.O_RDONLY)
        try:
            assert engine._read_to_end(fd, stale_size) == data
        finally:
            os.close(fd)
    (tmp_path / "empty.go").write_bytes(b"")
    fd = os.open(tmp_path / "empty.go", os.O_RDONLY)
    try:
        assert engine._read_to_end(fd, 0) == b""
    finally:
        os.close(fd)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_fifo_named_like_a_source_file_does_not_block(tmp_path):
    with_survivors(tmp_path)
    os.mkfifo(tmp_path / "pkg" / "pipe.go")
    os.mkfifo(tmp_path / "cfg" / "pipe.yml")
    p = subprocess.run([sys.executable, "-m", "golint_traefik", "check", "--no-cache", "--format", "json", "."],
                       cwd=tmp_path, capture_output=True, text=True, timeout=120)
    fs = json.loads(p.stdout)["findings"]
    assert p.returncode == 1, p.stderr
    assert sorted((f["rule"], f["path"]) for f in fs if f["rule"] == "E002") == \
        [("E002", "cfg/pipe.yml"), ("E002", "pkg/pipe.go")]
    assert "not a regular file" in fs[0]["message"] or "not a regular file" in fs[-1]["message"]
    assert {f["path"] for f in fs} == {"cfg/pipe.yml", "pkg/pipe.go", *SURVIVORS}


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_symlinks_loops_and_links_out_of_the_root(tmp_path):
    root = with_survivors(tmp_path / "root")
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.copyfile(HOSTILE / "go" / "crlf.go", outside / "leak.go")
    (root / "pkg" / "loop").symlink_to(root)                        # a directory loop
    (root / "pkg" / "a.go").symlink_to(root / "pkg" / "b.go")       # a file loop
    (root / "pkg" / "b.go").symlink_to(root / "pkg" / "a.go")
    (root / "out").symlink_to(outside)                               # leaves the scanned root
    (root / "leak.go").symlink_to(outside / "leak.go")
    code, fs = findings(root, ".")
    assert code == 1 and sorted(f["path"] for f in fs) == sorted(SURVIVORS)
    code, fs = findings(root, "pkg/a.go", "pkg/dir-does-not-exist.go", "cfg")  # named explicitly: a diagnostic
    assert sorted((f["rule"], f["path"]) for f in fs) == [
        ("E002", "pkg/a.go"), ("E002", "pkg/dir-does-not-exist.go"), ("TR201", "cfg/good.yml")]


def test_directory_named_like_a_file_is_walked(tmp_path):
    with_survivors(tmp_path)
    (tmp_path / "x.go").mkdir()
    (tmp_path / "x.yml").mkdir()
    shutil.copyfile(HOSTILE / "go" / "crlf.go", tmp_path / "x.go" / "inner.go")
    code, fs = findings(tmp_path, "x.go", "x.yml", "pkg", "cfg")
    assert code == 1 and sorted(f["path"] for f in fs) == sorted([*SURVIVORS, "x.go/inner.go"])


def test_paths_with_spaces_and_non_ascii_names_in_every_format(tmp_path, sarif_validator):
    (tmp_path / ".git").mkdir()
    d = tmp_path / "my dir" / "ünï cödé 日本"
    d.mkdir(parents=True)
    shutil.copyfile(HOSTILE / "go" / "crlf.go", d / "leak %20 #1.go")
    shown = "my dir/ünï cödé 日本/leak %20 #1.go"
    code, fs = findings(tmp_path, ".")
    assert [f["path"] for f in fs] == [shown]
    code, text, _ = check(tmp_path, ".", fmt="text")
    assert text.startswith(f"{shown}:6:7: GO301 ")
    code, gh, _ = check(tmp_path, ".", fmt="github")
    assert gh.startswith("::warning file=my dir/ünï cödé 日本/leak %2520 #1.go,line=6,")
    code, out, _ = check(tmp_path, ".", fmt="sarif")
    doc = json.loads(out)
    sarif_validator.validate(doc)
    loc = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert loc == {"uri": "my%20dir/%C3%BCn%C3%AF%20c%C3%B6d%C3%A9%20%E6%97%A5%E6%9C%AC/leak%20%2520%20%231.go",
                   "uriBaseId": "%SRCROOT%"}


# ------------------------------------------------------------- crashes lose nothing


@pytest.fixture(scope="module")
def sarif_validator():
    schema = json.loads(shared_path("schemas", "sarif-2.1.0.json").read_text(encoding="utf-8"))
    return jsonschema.Draft7Validator(schema)


def assert_valid_outputs(root: Path, validator, *args: str) -> dict[str, str]:
    """Every format renders the same findings, one line each in text and GitHub form; SARIF validates."""
    outputs = {fmt: check(root, *args, fmt=fmt) for fmt in ("json", "sarif", "text", "github")}
    codes = {fmt: o[0] for fmt, o in outputs.items()}
    assert len(set(codes.values())) == 1, codes
    doc = json.loads(outputs["json"][1])
    n = len(doc["findings"])
    validator.validate(json.loads(outputs["sarif"][1]))
    assert len(json.loads(outputs["sarif"][1])["runs"][0]["results"]) == n
    text = outputs["text"][1]
    heads = [line for line in text.split("\n") if line and not line.startswith("    ")]
    assert len(heads) == n and all(line.isprintable() for line in text.split("\n"))
    gh = outputs["github"][1]
    assert gh.endswith("\n") and "\r" not in gh
    lines = gh[:-1].split("\n") if gh else []
    assert len(lines) == n and all(re.match(r"^::(error|warning|notice) file=[^:]*::", line) for line in lines)
    assert all(line.isprintable() for line in lines)
    return {fmt: o[1] for fmt, o in outputs.items()}


def test_a_rule_crashing_on_one_file_hides_nothing_else(tmp_path, monkeypatch, sarif_validator):
    """E003 names the rule, the file and the exception; the other rules on that file, and the other
    files, are reported as usual; the exit code is 2 and every format stays valid."""
    with_survivors(tmp_path)
    shutil.copyfile(HOSTILE / "go" / "crlf.go", tmp_path / "pkg" / "victim.go")
    shutil.copyfile(HOSTILE / "yaml" / "hostile_strings.yml", tmp_path / "cfg" / "hostile_strings.yml")
    reg = load_registry()
    real = reg.get("GO302").check

    def crash_on_victim(p):
        if p.file.path.endswith("victim.go"):
            p.report(p.file.root, "dropped with the crash")
            raise RuntimeError("kaput\nsecond line \x1b[31m:: %0A")
        return real(p)

    _fake_rule(monkeypatch, "GO302", crash_on_victim)
    code, fs = findings(tmp_path, ".")
    assert code == 2
    crash = [f for f in fs if f["rule"] == "E003"]
    assert len(crash) == 1
    assert crash[0]["path"] == "pkg/victim.go"
    assert re.match(r"internal error in rule GO302 \(unstopped-ticker\): RuntimeError: kaput", crash[0]["message"])
    assert ("GO301", "pkg/victim.go") in {(f["rule"], f["path"]) for f in fs}, "the other rules on the file"
    assert {f["path"] for f in fs} >= {*SURVIVORS, "cfg/hostile_strings.yml"}
    assert not [f for f in fs if f["message"] == "dropped with the crash"]
    outputs = assert_valid_outputs(tmp_path, sarif_validator, ".")
    sarif = json.loads(outputs["sarif"])["runs"][0]
    assert sarif["invocations"][0]["executionSuccessful"] is False
    assert "kaput" in sarif["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"]


def test_a_traefik_rule_crash_keeps_the_go_findings(tmp_path, monkeypatch):
    with_survivors(tmp_path)

    def boom(p):
        raise ValueError("model rule bug")

    _fake_rule(monkeypatch, "TR201", boom)
    code, fs = findings(tmp_path, ".")
    assert code == 2
    # a project-wide rule's crash is pinned to the project's configuration file, so SARIF has a file
    assert {(f["rule"], f["path"]) for f in fs} == {("GO301", "pkg/good.go"), ("E003", "cfg/good.yml")}
    assert "TR201" in next(f["message"] for f in fs if f["rule"] == "E003")


def test_a_loader_crash_costs_one_file(tmp_path, monkeypatch):
    from golint_traefik.traefik import model

    with_survivors(tmp_path)
    shutil.copyfile(HOSTILE / "yaml" / "bom.yml", tmp_path / "cfg" / "victim.yml")
    real = model._load_file

    def load(path, text, loaded):
        if path.endswith("victim.yml"):
            raise KeyError("loader bug")
        return real(path, text, loaded)

    monkeypatch.setattr(model, "_load_file", load)
    code, fs = findings(tmp_path, ".")
    assert code == 2
    crash = [f for f in fs if f["rule"] == "E003"]
    assert [f["path"] for f in crash] == ["cfg/victim.yml"]
    assert crash[0]["message"].startswith("internal error in the Traefik configuration loader: KeyError: 'loader bug'")
    assert {f["path"] for f in fs} == {"cfg/victim.yml", *SURVIVORS}


def test_a_model_crash_keeps_the_go_findings(tmp_path, monkeypatch):
    from golint_traefik.traefik import model

    with_survivors(tmp_path)

    def broken(*a, **k):
        raise AttributeError("model bug")

    monkeypatch.setattr(model, "build_project", broken)
    code, fs = findings(tmp_path, ".")
    assert code == 2
    assert {(f["rule"], f["path"]) for f in fs} == {("GO301", "pkg/good.go"), ("E003", "cfg/good.yml")}


def test_a_crash_outside_the_rules_costs_one_go_package(tmp_path, monkeypatch):
    from golint_traefik.go import source

    with_survivors(tmp_path)
    (tmp_path / "other").mkdir()
    shutil.copyfile(HOSTILE / "go" / "crlf.go", tmp_path / "other" / "victim.go")
    real = source.GoFile.first_error

    def broken(self):
        if self.path.endswith("victim.go"):
            raise MemoryError("parser bug")
        return real(self)

    monkeypatch.setattr(source.GoFile, "first_error", broken)
    code, fs = findings(tmp_path, ".")
    assert code == 2
    assert [(f["rule"], f["path"]) for f in fs if f["rule"] == "E003"] == [("E003", "other")]
    assert "internal error in the Go package analysis: MemoryError: parser bug" in fs[[f["rule"] for f in fs].index("E003")]["message"]
    assert {f["path"] for f in fs} == {"other", *SURVIVORS}


# ------------------------------------------------------------- output


def test_hostile_names_cannot_break_any_format(tmp_path, sarif_validator):
    """Names quoting newlines, ``::``, ``%``, commas, NUL, ANSI and OSC escapes, U+2028: one line per
    finding in text and GitHub form, nothing raw that a terminal or the Actions runner would obey."""
    place({"file": "yaml/hostile_strings.yml"}, tmp_path, None)
    outputs = assert_valid_outputs(tmp_path, sarif_validator, ".")
    assert "\x1b" not in outputs["text"] + outputs["github"]
    doc = json.loads(outputs["json"])
    assert any("\x1b]8;;http://evil.example\x07link" in f["message"] for f in doc["findings"])  # kept, escaped


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_output_survives_a_narrow_stdout_encoding(tmp_path, encoding):
    """A console that cannot encode the text: escapes in text form, UTF-8 JSON regardless."""
    place({"file": "go/non_ascii.go"}, tmp_path, None)
    (tmp_path / "pkg" / "non_ascii.go").rename(tmp_path / "pkg" / "ünï.go")
    env = {**os.environ, "PYTHONIOENCODING": encoding}
    for fmt in ("text", "github", "json", "sarif"):
        p = subprocess.run([sys.executable, "-m", "golint_traefik", "check", "--no-cache", "--format", fmt, "."],
                           cwd=tmp_path, capture_output=True, env=env, timeout=120)
        assert p.returncode == 1, p.stderr
        assert b"Traceback" not in p.stderr
        if fmt in ("json", "sarif"):
            json.loads(p.stdout.decode("utf-8"))
        else:
            assert (b"\\xfc" if encoding == "ascii" else "ü".encode(encoding)) in p.stdout


def test_output_is_deterministic_whatever_the_jobs(tmp_path):
    """The same bytes for every --jobs value and run after run, in every format (the corpus plus
    enough Go packages to start worker processes)."""
    from golint_traefik import report

    root = tmp_path / "tree"
    for sub in ("go", "yaml", "toml", "good"):
        shutil.copytree(HOSTILE / sub, root / sub)
    for i in range(6):
        (root / f"gen{i}").mkdir()
        (root / f"gen{i}" / "code.go").write_bytes(generate.go_scaling(800 + 20 * i))
    assert sum(p.stat().st_size for p in root.rglob("*.go")) > engine.IN_PROCESS_BYTES
    registry = load_registry()
    settings = Settings(selected=frozenset(r.meta.id for r in registry))
    rendered = []
    for jobs in (1, 2, 2):
        result = engine.run(["."], Settings(selected=settings.selected, jobs=jobs), cwd=str(root))
        assert result.internal_errors == 0
        rendered.append([report.render(fmt, result.findings, registry=registry, result=result, cwd=str(root))
                         for fmt in ("json", "sarif", "text", "github")])
    assert rendered[0] == rendered[1] == rendered[2]
    cli_runs = [check(root, "--jobs", jobs, ".") for jobs in ("1", "3")]
    assert cli_runs[0] == cli_runs[1] and cli_runs[0][0] == 1


# ------------------------------------------------------------- interruption


def test_keyboard_interrupt_exits_130_without_a_traceback(tmp_path, monkeypatch):
    with_survivors(tmp_path)

    def interrupted(p):
        raise KeyboardInterrupt

    _fake_rule(monkeypatch, "GO302", interrupted)
    code, out, err = check(tmp_path, ".")
    assert code == 130
    assert out == "" and "interrupted" in err and "Traceback" not in err and "Aborted" not in err


def test_an_interrupted_run_leaves_no_broken_cache_entry(tmp_path, monkeypatch):
    root = tmp_path / "tree"
    for i in range(8):
        (root / f"p{i}").mkdir(parents=True)
        shutil.copyfile(HOSTILE / "go" / "crlf.go", root / f"p{i}" / "leak.go")
    with_survivors(root)
    cache = tmp_path / "cache"
    seen = []
    real = load_registry().get("GO302").check

    def interrupt_on_the_fifth_package(p):
        seen.append(p.file.path)
        if len(seen) == 5:
            raise KeyboardInterrupt
        return real(p)

    base = ["check", "--select", "ALL", "--format", "json", "--jobs", "1", "--cache-dir", str(cache), "."]
    with cwd(root):
        _fake_rule(monkeypatch, "GO302", interrupt_on_the_fifth_package)
        r = CliRunner().invoke(cli, base)
        assert r.exit_code == 130
        monkeypatch.undo()
        warm = CliRunner().invoke(cli, base)
        cold = CliRunner().invoke(cli, [a for a in base if a not in ("--cache-dir", str(cache))] + ["--no-cache"])
    assert warm.exit_code == cold.exit_code == 1
    assert warm.stdout == cold.stdout
    assert len(json.loads(cold.stdout)["findings"]) == 10


@pytest.mark.skipif(not hasattr(os, "killpg"), reason="needs process groups")
def test_ctrl_c_on_a_running_pool_is_prompt(tmp_path):
    """SIGINT to the process group (what a terminal sends) while worker processes run: exit 130, promptly,
    with one line on stderr and no traceback from the workers."""
    (tmp_path / "code.go.txt").write_bytes(generate.go_big_function(700))
    for i in range(300):  # minutes of work: the run is interrupted after a few seconds
        (tmp_path / f"p{i:03d}").mkdir()
        os.link(tmp_path / "code.go.txt", tmp_path / f"p{i:03d}" / "code.go")
    p = subprocess.Popen([sys.executable, "-m", "golint_traefik", "check", "--no-cache", "--jobs", "2", "."],
                         cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    time.sleep(3)
    assert p.poll() is None, "the run ended before it could be interrupted: give it more work"
    os.killpg(p.pid, signal.SIGINT)
    started = time.monotonic()
    out, err = p.communicate(timeout=60)
    assert p.returncode == 130, err
    assert time.monotonic() - started < 30
    assert b"Traceback" not in err and err.strip().splitlines() == [b"golint-traefik: interrupted"]


# ------------------------------------------------------------- safety


def test_nothing_from_the_scanned_tree_runs_and_nothing_uses_the_network(tmp_path, monkeypatch):
    """A full run over the hostile corpus, the examples and a tree full of traps, with the network,
    subprocesses and YAML construction all made to fail: no internal error, no trap sprung."""
    root = tmp_path / "tree"
    shutil.copytree(HOSTILE, root / "hostile", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(TESTS.parent / "examples", root / "examples")
    traps = root / "traps"
    (traps / "pkg").mkdir(parents=True)
    marker = tmp_path / "SPRUNG"
    payload = f"open({str(marker)!r}, 'w').write('x')\n"
    for name in ("__init__.py", "conftest.py", "setup.py", "traps_module.py", "sitecustomize.py"):
        (traps / name).write_text(payload)
    (traps / "pkg" / "gen.go").write_text(f"package pkg\n\n//go:generate touch {marker}\n//go:build ignore\n")
    (traps / "go.mod").write_text("module traps\n\ngo 1.22\n\ntoolchain go1.99.0\n")
    (traps / "Makefile").write_text(f"all:\n\ttouch {marker}\n")

    def refuse(*a, **k):
        raise AssertionError("golint-traefik must not do this")

    for target, attr in ((socket, "socket"), (socket, "create_connection"), (socket, "getaddrinfo"),
                         (subprocess, "Popen"), (os, "system"), (os, "execv"), (os, "execve"), (os, "posix_spawn")):
        if hasattr(target, attr):
            monkeypatch.setattr(target, attr, refuse)
    from ruamel.yaml import constructor

    for cls in (constructor.BaseConstructor, constructor.SafeConstructor):
        monkeypatch.setattr(cls, "construct_document", refuse)
        monkeypatch.setattr(cls, "construct_object", refuse)
    before = set(sys.modules)
    code, fs = findings(root, "--jobs", "1", ".")
    assert code == 1
    assert not [brief(f) for f in fs if f["rule"] == "E003"]
    assert not marker.exists()
    assert not [m for m in set(sys.modules) - before
                if str(root) in str(getattr(sys.modules[m], "__file__", "") or "")]
    paths = {f["path"] for f in fs}
    assert "hostile/go/syntax_error.go" in paths and "hostile/good/good.go" in paths
    assert any(p.startswith("examples/") for p in paths)


# ------------------------------------------------------------- configuration
# (unknown keys and wrong types: tests/test_config.py)


@pytest.mark.parametrize("name,data,words", [
    ("pyproject.toml", b"[tool.golint-traefik\nselect = 1\n", ["invalid TOML", "line 1"]),
    ("pyproject.toml", b"[tool.golint-traefik]\nselect = ['TR']\n\xff\xfe\n", ["invalid TOML", "not UTF-8"]),
    (".golint-traefik.toml", b"select = ['TR']\nselect = ['GO']\n", ["invalid TOML", "line 2"]),
    (".golint-traefik.toml", b"x = " + b"[" * 5000 + b"]" * 5000 + b"\n", ["invalid TOML", "nested too deeply"]),
    (".golint-traefik.toml", b"\x00\x01binary", ["invalid TOML"]),
])
def test_broken_configuration_exits_2_naming_the_file(tmp_path, name, data, words):
    with_survivors(tmp_path)
    (tmp_path / name).write_bytes(data)
    code, out, err = check(tmp_path, ".")
    assert code == 2 and out == ""
    assert f"golint-traefik: error: {tmp_path / name}: " in err
    assert all(w in err for w in words), err
    assert "Traceback" not in err
