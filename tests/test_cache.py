"""The result cache: same findings with and without it, invalidation, and never trusting an entry."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from golint_traefik import cache as cachemod
from golint_traefik import engine
from golint_traefik.cli import cli
from golint_traefik.engine import Settings, run
from golint_traefik.finding import Finding, Related, Severity, Span
from golint_traefik.registry import Rule, load_registry

GOOD_GO = """package {pkg}

import (
\t"context"
\t"sync"
)

var background, _ = context.WithCancel(context.Background())

func fanout(urls []string) {{
\tvar wg sync.WaitGroup
\tfor range urls {{
\t\tgo func() {{
\t\t\twg.Add(1)
\t\t\tdefer wg.Done()
\t\t}}()
\t}}
\twg.Wait()
}}
"""
BROKEN_GO = "package {pkg}\n\nfunc broken( {{\n"
INSECURE_YAML = "entryPoints:\n  web:\n    address: \":80\"\napi:\n  insecure: true\n"


def make_tree(root: Path, packages: int = 3) -> Path:
    """Go packages with a syntax error each (E001) and maybe GO rule findings, plus Traefik YAML (TR401)."""
    for i in range(packages):
        d = root / "svc" / f"p{i}"
        d.mkdir(parents=True)
        (d / "good.go").write_text(GOOD_GO.format(pkg=f"p{i}"))
        (d / "broken.go").write_text(BROKEN_GO.format(pkg=f"p{i}"))
    (root / "svc" / "p0" / "blob.go").write_bytes(b"package p0\x00\x01")  # E002: binary
    (root / "deploy").mkdir()
    (root / "deploy" / "traefik.yml").write_text(INSECURE_YAML)
    (root / "deploy" / "dynamic.yml").write_text("http:\n  routers:\n    r:\n      rule: Host(`x`)\n      service: s\n")
    return root


def settings(**kw) -> Settings:
    kw.setdefault("selected", frozenset(load_registry().default_selection() | {"E001", "E002", "E003"}))
    kw.setdefault("jobs", 1)
    return Settings(**kw)


def ids(findings) -> set[str]:
    return {f.rule_id for f in findings}


@pytest.fixture
def tree(tmp_path):
    return make_tree(tmp_path / "proj")


@pytest.fixture
def calls(monkeypatch):
    """Counts Go packages analysed and Traefik projects built (in-process runs)."""
    counts = {"go": 0, "traefik": 0}
    real_go = engine.analyze_go_package

    def go(*a, **k):
        counts["go"] += 1
        return real_go(*a, **k)

    from golint_traefik.traefik import model

    real_build = model.build_project

    def build(*a, **k):
        counts["traefik"] += 1
        return real_build(*a, **k)

    monkeypatch.setattr(engine, "analyze_go_package", go)
    monkeypatch.setattr(model, "build_project", build)
    return counts


def test_same_findings_with_and_without_cache(tree, tmp_path, calls):
    cache_dir = str(tmp_path / "cache")
    plain = run([], settings(), cwd=str(tree)).findings
    assert {"E001", "E002", "TR401"} <= ids(plain)
    first = run([], settings(cache_dir=cache_dir), cwd=str(tree)).findings
    assert calls == {"go": 6, "traefik": 2}
    second = run([], settings(cache_dir=cache_dir), cwd=str(tree)).findings
    assert calls == {"go": 6, "traefik": 2}  # nothing analysed again
    assert plain == first == second  # every field, fingerprints included


def test_cached_findings_round_trip_exactly():
    span = Span("dir/naïve \udcff.go", 3, 2, 4, 9)
    f = Finding("GO301", "lost-cancel", Severity.WARNING, "msg ✓ \"quoted\"", span, fix="call cancel()",
                related=(Related(Span("a.go", 1, 1, 1, 5), "here"), Related(span, "there")),
                fingerprint="abc:0", line_hash="1f:2")
    g = Finding("E001", "parse-error", Severity.ERROR, "m", span)
    assert cachemod.SCHEMA_OK
    for x in (f, g):
        assert cachemod.decode_finding(json.loads(json.dumps(cachemod.encode_finding(x)))) == x


@pytest.mark.parametrize("change", ["edit", "add", "remove"])
def test_only_the_changed_package_is_analysed_again(tree, tmp_path, calls, change):
    s = settings(cache_dir=str(tmp_path / "cache"))
    run([], s, cwd=str(tree))
    calls.update(go=0, traefik=0)
    p1 = tree / "svc" / "p1"
    if change == "edit":
        (p1 / "broken.go").write_text("package p1\n")
    elif change == "add":
        (p1 / "extra.go").write_text("package p1\n\nfunc extra( {\n")
    else:
        (p1 / "broken.go").unlink()
    warm = run([], s, cwd=str(tree)).findings
    assert calls == {"go": 1, "traefik": 0}
    assert warm == run([], settings(), cwd=str(tree)).findings


def test_a_changed_config_file_rebuilds_the_project(tree, tmp_path, calls):
    s = settings(cache_dir=str(tmp_path / "cache"))
    assert "TR401" in ids(run([], s, cwd=str(tree)).findings)
    (tree / "deploy" / "traefik.yml").write_text(INSECURE_YAML.replace("true", "false"))
    calls.update(go=0, traefik=0)
    assert "TR401" not in ids(run([], s, cwd=str(tree)).findings)
    assert calls == {"go": 0, "traefik": 1}


def test_touched_file_hits_by_content_and_the_entry_is_refreshed(tree, tmp_path, calls, monkeypatch):
    s = settings(cache_dir=str(tmp_path / "cache"))
    expected = run([], s, cwd=str(tree)).findings
    victim = tree / "svc" / "p2" / "good.go"
    os.utime(victim, ns=(10**18, 10**18))
    hashed: list[bytes] = []
    real_digest = cachemod.digest
    monkeypatch.setattr(cachemod, "digest", lambda data: hashed.append(data) or real_digest(data))
    calls.update(go=0, traefik=0)
    assert run([], s, cwd=str(tree)).findings == expected
    assert calls == {"go": 0, "traefik": 0}
    assert victim.read_bytes() in hashed  # the stat differed, the content is the same: a hit
    hashed.clear()
    assert run([], s, cwd=str(tree)).findings == expected
    assert calls == {"go": 0, "traefik": 0}
    assert victim.read_bytes() not in hashed  # the entry was refreshed with the new mtime


def test_same_size_same_mtime_edit_is_caught_when_racy(tree, tmp_path):
    """A file changed within the mtime granularity right after being read is not trusted by its stat."""
    s = settings(cache_dir=str(tmp_path / "cache"))
    victim = tree / "svc" / "p1" / "broken.go"
    run([], s, cwd=str(tree))  # victim was just written: stored without mtime
    st = victim.stat()
    victim.write_text(BROKEN_GO.format(pkg="p1").replace("broken(", "brokeN("))  # same size
    os.utime(victim, ns=(st.st_atime_ns, st.st_mtime_ns))
    found = run([], s, cwd=str(tree)).findings
    assert found == run([], settings(), cwd=str(tree)).findings
    assert any("brokeN" in f.message for f in found if f.rule_id == "E001")


@pytest.mark.parametrize("variant", [
    dict(selected=frozenset({"E001", "E002", "E003"})),
    dict(severity_overrides={"E001": Severity.NOTE}),
    dict(go_version=(1, 18)),
    dict(traefik_version="2"),
    dict(per_file_ignores=(("broken.go", frozenset({"GO301"})),)),
])
def test_options_that_shape_results_are_in_the_key(tree, tmp_path, calls, variant):
    cache_dir = str(tmp_path / "cache")
    run([], settings(cache_dir=cache_dir), cwd=str(tree))
    calls.update(go=0, traefik=0)
    changed = run([], settings(cache_dir=cache_dir, **variant), cwd=str(tree)).findings
    assert calls["go"] + calls["traefik"] > 0
    assert changed == run([], settings(**variant), cwd=str(tree)).findings


def test_unit_keys_are_the_plain_json_digest_of_every_part(tmp_path):
    """Members go into the key as they are; the digest is that of the parts made plain (sets sorted,
    tuples as lists), so a key names the same entry as before the shortcut."""
    c = cachemod.Cache(str(tmp_path), "stamp", [{"rules": {"GO101", "GO102"}}])
    members = [("/p/a.go", "a.go", []), ("/p/b.go", "b é.go", ["GO101", "GO204"])]
    extra = [(1, 22), {"x": {"b", "a"}}]
    expected = cachemod._hash_parts([cachemod.FORMAT, "stamp", cachemod._hash_parts([c.context]), "go", extra, members])
    assert c.key("go", extra, members) == expected
    assert c.key("go", extra, members[:1]) != expected


def test_display_paths_are_in_the_key(tree, tmp_path):
    cache_dir = str(tmp_path / "cache")
    a = run([], settings(cache_dir=cache_dir), cwd=str(tree)).findings
    b = run(["proj"], settings(cache_dir=cache_dir), cwd=str(tree.parent)).findings
    assert {f.path for f in a} != {f.path for f in b}
    assert b == run(["proj"], settings(), cwd=str(tree.parent)).findings


def test_a_different_rule_function_is_a_different_rule_set(tree, tmp_path, monkeypatch):
    cache_dir = str(tmp_path / "cache")
    run([], settings(cache_dir=cache_dir), cwd=str(tree))
    reg = load_registry()
    meta = reg.meta("TR401")

    def boom(p):
        raise RuntimeError("kaput")

    monkeypatch.setitem(reg._rules, "TR401", Rule(meta, boom))
    crashed = run([], settings(cache_dir=cache_dir), cwd=str(tree))
    assert crashed.internal_errors == 1 and "E003" in ids(crashed.findings)
    again = run([], settings(cache_dir=cache_dir), cwd=str(tree))  # a crash is never cached
    assert again.internal_errors == 1
    monkeypatch.undo()
    assert "TR401" in ids(run([], settings(cache_dir=cache_dir), cwd=str(tree)).findings)


def entries(cache_dir: Path) -> list[Path]:
    return [p for p in cache_dir.glob("v1-*/*") if p.is_file()]


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage", "empty", "foreign-key", "bad-finding", "pickle"])
def test_corrupt_or_foreign_entries_are_ignored_and_replaced(tree, tmp_path, calls, damage):
    cache_dir = tmp_path / "cache"
    s = settings(cache_dir=str(cache_dir))
    expected = run([], s, cwd=str(tree)).findings
    files = entries(cache_dir)
    assert len(files) == 4  # three Go packages and the Traefik project
    for p in files:
        raw = p.read_bytes()
        header, _, body = raw.partition(b"\n")
        doc = json.loads(body)
        if damage == "truncate":
            new = raw[: len(raw) // 2]
        elif damage == "flip":
            new = raw[:-5] + bytes([raw[-5] ^ 1]) + raw[-4:]
        elif damage == "garbage":
            new = os.urandom(200)
        elif damage == "empty":
            new = b""
        else:  # well-formed, correct checksum, but not what the engine asked for
            if damage == "foreign-key":
                doc["key"] = "0" * 32
                doc["findings"] = []
            elif damage == "bad-finding":
                doc["findings"] = [["E001", "x", 99, "m", ["a", 1, 1, 1, 1], None, [], "", ""]]
            else:
                doc["findings"] = [{"py/object": "os.system", "args": ["echo pwned"]}]
            body = json.dumps(doc).encode()
            new = f"{cachemod.FORMAT} {cachemod.digest(body)}\n".encode() + body
        p.write_bytes(new)
    calls.update(go=0, traefik=0)
    assert run([], s, cwd=str(tree)).findings == expected
    assert calls == {"go": 3, "traefik": 1}  # every entry ignored
    calls.update(go=0, traefik=0)
    assert run([], s, cwd=str(tree)).findings == expected
    assert calls == {"go": 0, "traefik": 0}  # and rewritten


def test_writes_are_atomic(tree, tmp_path, monkeypatch):
    cache_dir = tmp_path / "cache"

    real_replace = os.replace

    def interrupted(src, dst):  # Ctrl-C between writing an entry and renaming it
        if os.path.basename(dst) in (".gitignore", "CACHEDIR.TAG"):
            return real_replace(src, dst)
        raise KeyboardInterrupt

    monkeypatch.setattr(cachemod.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run([], settings(cache_dir=str(cache_dir)), cwd=str(tree))
    monkeypatch.undo()
    leftovers = [p for p in cache_dir.rglob("*") if p.is_file() and p.name not in (".gitignore", "CACHEDIR.TAG")]
    assert leftovers == []  # neither an entry nor a temporary file


def test_units_with_unreadable_files_are_not_stored(tree, tmp_path):
    cache_dir = tmp_path / "cache"
    big = tree / "svc" / "p1" / "big.go"
    big.write_text("package p1\n")
    os.truncate(big, engine.MAX_FILE_BYTES + 1)
    run([], settings(cache_dir=str(cache_dir)), cwd=str(tree))
    assert len(entries(cache_dir)) == 3  # p1 is not stored


def test_stdin_is_not_cached(tmp_path):
    cache_dir = tmp_path / "cache"
    src = engine.Source(str(tmp_path / "x.go"), "x.go", content=b"package x\nfunc (\n")
    r = run([], settings(cache_dir=str(cache_dir)), cwd=str(tmp_path), stdin=src)
    assert ids(r.findings) == {"E001"} and not cache_dir.exists()


# ------------------------------------------------------------------------ CLI


def cli_check(*args, env=None):
    return CliRunner().invoke(cli, ["check", "--format", "json", "--exit-zero", *args], env=env)


def test_cli_default_location_gitignore_and_no_cache(tree, monkeypatch):
    monkeypatch.chdir(tree)
    off = cli_check("--no-cache")
    assert off.exit_code == 0 and not (tree / cachemod.DIRNAME).exists()
    on = cli_check()
    assert on.exit_code == 0 and on.stdout == off.stdout
    assert (tree / cachemod.DIRNAME / ".gitignore").read_text().splitlines()[-1] == "*"
    assert (tree / cachemod.DIRNAME / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")
    assert entries(tree / cachemod.DIRNAME)
    assert cli_check().stdout == off.stdout  # warm


def test_cli_cache_lives_beside_the_config_file(tree, monkeypatch):
    (tree / ".golint-traefik.toml").write_text("")
    monkeypatch.chdir(tree / "svc")
    assert cli_check().exit_code == 0
    assert (tree / cachemod.DIRNAME).is_dir() and not (tree / "svc" / cachemod.DIRNAME).exists()


def test_cli_cache_dir_option_and_environment(tree, tmp_path, monkeypatch):
    monkeypatch.chdir(tree)
    assert cli_check("--cache-dir", "../c1").exit_code == 0
    assert entries(tmp_path / "c1")
    assert cli_check(env={"GOLINT_TRAEFIK_CACHE_DIR": str(tmp_path / "c2")}).exit_code == 0
    assert entries(tmp_path / "c2") and not (tree / cachemod.DIRNAME).exists()


def test_cli_unusable_cache_dir(tree, tmp_path, monkeypatch):
    monkeypatch.chdir(tree)
    (tree / cachemod.DIRNAME).write_text("not a directory")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    expected = cli_check("--no-cache").stdout
    r = cli_check()  # the default location falls back to the user's cache directory
    assert r.stdout == expected and "cache disabled" not in r.stderr
    assert entries(tmp_path / "xdg" / "golint-traefik")
    r = cli_check("--cache-dir", f"{cachemod.DIRNAME}/sub")  # an explicit one does not: warning, no cache
    assert r.stdout == expected and "result cache disabled" in r.stderr


def test_entry_directories_of_other_versions_are_pruned(tree, tmp_path):
    cache_dir = tmp_path / "cache"
    old = cache_dir / "v1-0123456789abcdef"
    old.mkdir(parents=True)
    (old / "x").write_text("old")
    recent = cache_dir / "v1-fedcba9876543210"
    recent.mkdir()
    os.utime(old, (1, 1))
    run([], settings(cache_dir=str(cache_dir)), cwd=str(tree))
    assert not old.exists() and recent.exists()


def test_tool_stamp_covers_the_files_that_shape_results(tmp_path):
    for rel in ("engine.py", "go/source.py", "traefik/data/options.txt", "cli.py", "config.py", "report/sarif.py",
                "go/__pycache__/source.cpython-311.pyc", "__pycache__/engine.cpython-311.pyc"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x")
    out: list = []
    cachemod._stat_tree(str(tmp_path), out)
    assert [p for p, _, _ in out] == ["engine.py", "go/source.py", "traefik/data/options.txt"]


def test_keys_are_the_same_in_every_process(tmp_path):
    """Sets (the selection) are hashed in sorted order: their iteration order changes with PYTHONHASHSEED.

    (The tool stamp is left out: code edited while the test runs would change it.)
    """
    import subprocess
    import sys

    code = (
        "from golint_traefik.engine import Settings, open_cache\n"
        "from golint_traefik.finding import Severity\n"
        f"s = Settings(selected=frozenset({{'E001', 'E002', 'E003', 'GO301', 'TR401'}}), cache_dir={str(tmp_path)!r},\n"
        "             severity_overrides={'GO301': Severity.ERROR}, rule_options={'TR401': {'x': {1, 2}}})\n"
        "from golint_traefik.cache import _hash_parts\n"
        "print(_hash_parts([open_cache(s).context, 'go', [(1, 22)], [('a.go', 'a.go', [])]]))\n"
    )
    keys = {
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                       env={**os.environ, "PYTHONHASHSEED": str(seed)}).stdout
        for seed in (1, 2, 3)
    }
    assert len(keys) == 1


def test_an_existing_cache_dir_gets_no_markers(tree, tmp_path):
    """--cache-dir may name a directory of the user's (even the project): no .gitignore is put there."""
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "v1-keep-me").mkdir()
    run([], settings(cache_dir=str(mine)), cwd=str(tree))
    assert entries(mine) and not (mine / ".gitignore").exists() and (mine / "v1-keep-me").exists()


def test_deeply_nested_entry_is_ignored(tree, tmp_path):
    cache_dir = tmp_path / "cache"
    s = settings(cache_dir=str(cache_dir))
    expected = run([], s, cwd=str(tree)).findings
    for p in entries(cache_dir):
        body = b"[" * 100000 + b"]" * 100000
        p.write_bytes(f"{cachemod.FORMAT} {cachemod.digest(body)}\n".encode() + body)
    assert run([], s, cwd=str(tree)).findings == expected


def test_cross_checks_are_recomputed_from_cached_go_facts(tmp_path, monkeypatch):
    """A warm run of a Go + Traefik project parses no Go file: the XS facts come from the entries."""
    import shutil

    from golint_traefik.cross import gofacts

    xs_rules = frozenset(r.meta.id for r in load_registry() if r.meta.target == "cross")
    if not xs_rules:
        pytest.skip("no cross rules registered")
    fixture = Path(__file__).parent / "fixtures" / "XS102" / "compose"
    proj = tmp_path / "proj"
    shutil.copytree(fixture, proj)
    computed = []
    real = gofacts.package_facts
    monkeypatch.setattr(gofacts, "package_facts", lambda *a, **k: computed.append(1) or real(*a, **k))
    parsed = []
    from golint_traefik.go import source

    real_init = source.GoFile.__init__
    monkeypatch.setattr(source.GoFile, "__init__", lambda self, *a, **k: parsed.append(1) or real_init(self, *a, **k))
    cache_dir = str(tmp_path / "cache")
    everything = settings(selected=settings().selected | xs_rules)
    plain = run([], everything, cwd=str(proj)).findings
    assert any(f.rule_id in xs_rules for f in plain)
    # Entries written without the facts (no cross rule selected) are analysed again once, then hit.
    run([], settings(cache_dir=cache_dir), cwd=str(proj))
    assert run([], replace_settings(everything, cache_dir=cache_dir), cwd=str(proj)).findings == plain
    parsed.clear(), computed.clear()
    assert run([], replace_settings(everything, cache_dir=cache_dir), cwd=str(proj)).findings == plain
    assert parsed == [] and computed == []


def replace_settings(s: Settings, **kw) -> Settings:
    import dataclasses

    return dataclasses.replace(s, **kw)


def _count_models(monkeypatch) -> list:
    from golint_traefik.traefik import model

    built: list = []
    real = model.build_project

    def counting(*a, **k):
        built.append(1)
        return real(*a, **k)

    monkeypatch.setattr(model, "build_project", counting)
    return built


def test_an_env_file_of_the_traefik_service_is_part_of_the_entry(tmp_path, monkeypatch):
    """A compose env_file is read by the model but is not a file of the run: the entry keeps what it
    read, so an unchanged env_file is a hit and an edited one a miss that changes the findings."""
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / "docker-compose.yml").write_text("services:\n  traefik:\n    image: traefik:v3.1\n    env_file: traefik.env\n")
    env = proj / "traefik.env"
    env.write_text("TRAEFIK_API_INSECURE=true\n")
    s = settings(cache_dir=str(tmp_path / "cache"))
    built = _count_models(monkeypatch)
    first = run([], s, cwd=str(proj)).findings
    assert "TR401" in ids(first) and len(built) == 1
    assert run([], s, cwd=str(proj)).findings == first and len(built) == 1  # answered from the cache
    env.write_text("TRAEFIK_API_INSECURE=false\n")
    assert "TR401" not in ids(run([], s, cwd=str(proj)).findings) and len(built) == 2
    env.unlink()  # gone: a miss too (the model reports nothing from it now)
    assert "TR401" not in ids(run([], s, cwd=str(proj)).findings) and len(built) == 3
    env.write_text("TRAEFIK_API_INSECURE=true\n")  # created after a run that found it absent
    assert "TR401" in ids(run([], s, cwd=str(proj)).findings) and len(built) == 4
    assert run([], s, cwd=str(proj)).findings == first and len(built) == 4


def test_externals_of_another_shape_are_a_miss(tmp_path):
    """The externals kept with an entry are checked like the rest of it: any other shape is a miss."""
    assert engine.externals_unchanged({"externals": []})
    for bad in (None, [], {}, {"externals": [[1, "absent"]]}, {"externals": [["/x"]]}, {"externals": "x"}):
        assert not engine.externals_unchanged(bad), bad
    missing = str(tmp_path / "nothing-here.env")
    assert engine.externals_unchanged({"externals": [[missing, "absent"]]})
    assert not engine.externals_unchanged({"externals": [[missing, "0123"]]})
