"""Finding files: skipped directories, excludes, explicit files, symlinks, unusual names."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from golint_traefik.cli import cli
from golint_traefik.engine import Settings, discover, display_path, path_matches, run

DATA = Path(__file__).parent / "data"
INSECURE = (DATA / "traefik-insecure.yml").read_text()
GO = "package p\n"


def settings(**kw) -> Settings:
    return Settings(selected=frozenset({"TR401"}), jobs=1, **kw)


def found(root: Path, paths=(".",), **kw) -> list[str]:
    sources, problems = discover(list(paths), settings(**kw), str(root))
    assert not problems, [p.message for p in problems]
    return sorted(s.display for s in sources)


def make(root: Path, *files: str) -> None:
    for f in files:
        p = root / f
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(GO if f.endswith(".go") else "a: 1\n")


def test_walk_skips_vcs_vendor_node_modules_and_other_files(tmp_path):
    make(tmp_path, "main.go", "cfg/traefik.yml", "cfg/t.toml", "cfg/a.yaml", "README.md",
         "vendor/x/x.go", ".git/hooks/h.go", "node_modules/m/c.yml", "sub/vendor/y.go", "sub/vendored/z.go")
    assert found(tmp_path) == ["cfg/a.yaml", "cfg/t.toml", "cfg/traefik.yml", "main.go", "sub/vendored/z.go"]


def test_excludes_name_and_anchored_patterns(tmp_path):
    make(tmp_path, "a/testdata/x.go", "a/b/gen_x.go", "a/b/keep.go", "deploy/old/t.yml", "x/deploy/old/t.yml")
    got = found(tmp_path, exclude=("testdata", "gen_*.go", "deploy/old"))
    assert got == ["a/b/keep.go", "x/deploy/old/t.yml"]
    # anchored patterns are relative to Settings.base (the config file's directory)
    assert found(tmp_path, exclude=("old",), base=str(tmp_path / "x")) == ["a/b/gen_x.go", "a/b/keep.go", "a/testdata/x.go"]
    assert found(tmp_path, exclude=("deploy/old",), base=str(tmp_path / "x")) == [
        "a/b/gen_x.go", "a/b/keep.go", "a/testdata/x.go", "deploy/old/t.yml"]


def test_explicit_files_ignore_excludes_unless_forced(tmp_path):
    make(tmp_path, "gen/a.go", "vendor/v.go", "ok.go")
    names = ["gen/a.go", "vendor/v.go", "ok.go"]
    assert found(tmp_path, names, exclude=("gen",)) == ["gen/a.go", "ok.go", "vendor/v.go"]
    assert found(tmp_path, names, exclude=("gen",), force_exclude=True) == ["ok.go"]
    assert found(tmp_path, ["gen"], exclude=("gen",), force_exclude=True) == []


def test_each_file_once(tmp_path):
    make(tmp_path, "a/x.go")
    assert found(tmp_path, [".", "a", "a/x.go", "./a/../a/x.go"]) == ["a/x.go"]


def test_explicit_files_through_symlinks_are_one_file(tmp_path):
    """Named files are told apart by their real paths (each directory resolved once): a file named
    through a linked directory, through a linked file and by its own path is one file, shown by
    its real path."""
    make(tmp_path, "real/a.go", "real/b.go")
    try:
        os.symlink(tmp_path / "real", tmp_path / "linked")
        os.symlink(tmp_path / "real" / "b.go", tmp_path / "alias.go")
    except (OSError, NotImplementedError):
        pytest.skip("no symlinks here")
    names = ["linked/a.go", "alias.go", "real/a.go", "real/b.go", "linked/b.go"]
    assert found(tmp_path, names) == ["real/a.go", "real/b.go"]
    assert found(tmp_path, ["linked/a.go"]) == ["linked/a.go"]


def test_real_directories_resolved_from_their_parents_agree_with_realpath(tmp_path):
    """engine._real_dir builds a directory's real path from its parent's (one lstat each): links at
    any depth, relative links, links to links and a dangling link resolve as realpath does."""
    from golint_traefik.engine import _real_dir

    make(tmp_path, "top/mid/deep/a.go", "other/x/b.go")
    try:
        os.symlink(tmp_path / "top" / "mid", tmp_path / "other" / "to-mid")  # absolute
        os.symlink("../../top", tmp_path / "other" / "x" / "up")  # relative
        os.symlink("to-mid", tmp_path / "other" / "again")  # a link to a link
        os.symlink(tmp_path / "nowhere", tmp_path / "other" / "dangling")
    except (OSError, NotImplementedError):
        pytest.skip("no symlinks here")
    dirs = ["top/mid/deep", "other/to-mid/deep", "other/x/up/mid/deep", "other/again/deep", "other/again",
            "other/x", "other/dangling", "other/dangling/below", "top"]
    known: dict[str, str] = {}
    for d in dirs:
        path = os.path.abspath(tmp_path / d)
        assert _real_dir(path, known) == os.path.realpath(path), d
    names = ["top/mid/deep/a.go", "other/to-mid/deep/a.go", "other/x/up/mid/deep/a.go", "other/again/deep/a.go"]
    assert found(tmp_path, names) == ["top/mid/deep/a.go"]
    assert found(tmp_path, ["other/again"]) == ["other/again/deep/a.go"]  # a named link to a directory: walked


def test_missing_path_is_e002(tmp_path):
    sources, problems = discover(["nope.go"], settings(), str(tmp_path))
    assert sources == [] and [(p.rule_id, p.path) for p in problems] == [("E002", "nope.go")]


def _with_timeout(fn, seconds=20):
    out = {}
    t = threading.Thread(target=lambda: out.setdefault("v", fn()), daemon=True)
    t.start()
    t.join(seconds)
    assert not t.is_alive(), "discovery hangs"
    return out["v"]


@pytest.mark.parametrize("follow", [False, True])
def test_symlink_loop_terminates(tmp_path, follow):
    make(tmp_path, "root/a/x.go")
    try:
        os.symlink(tmp_path / "root", tmp_path / "root" / "a" / "loop")
        os.symlink("self", tmp_path / "root" / "self")  # a link to itself
    except OSError:
        pytest.skip("no symlinks here")
    got = _with_timeout(lambda: found(tmp_path / "root", follow_symlinks=follow))
    assert got == ["a/x.go"]


@pytest.mark.parametrize("follow", [False, True])
def test_symlinks_leaving_the_root_are_not_followed(tmp_path, follow):
    make(tmp_path, "outside/o.go", "outside/d/p.go", "root/in.go")
    try:
        os.symlink(tmp_path / "outside" / "o.go", tmp_path / "root" / "o.go")
        os.symlink(tmp_path / "outside" / "d", tmp_path / "root" / "d")
        os.symlink(tmp_path / "root" / "in.go", tmp_path / "root" / "alias.go")
    except OSError:
        pytest.skip("no symlinks here")
    assert found(tmp_path / "root", follow_symlinks=follow) == ["in.go"]
    # named explicitly, a symlink is read
    assert found(tmp_path / "root", ["o.go"]) == ["o.go"]


def test_spaces_and_non_ascii_names(tmp_path, monkeypatch):
    d = tmp_path / "my deploy" / "träfik"
    d.mkdir(parents=True)
    (d / "statique conf ü.yml").write_text(INSECURE)
    res = run(["."], settings(), str(tmp_path))
    assert [(f.rule_id, f.path, f.span.line) for f in res.findings] == [("TR401", "my deploy/träfik/statique conf ü.yml", 6)]
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(cli, ["check", "my deploy"])
    assert r.stdout.startswith("my deploy/träfik/statique conf ü.yml:6:3: TR401")


def test_undecodable_file_name(tmp_path, monkeypatch):
    raw = os.fsencode(str(tmp_path)) + b"/bad-\xff.yml"
    try:
        with open(raw, "wb") as fh:
            fh.write(INSECURE.encode())
    except (OSError, UnicodeError):
        pytest.skip("file system refuses non-UTF-8 names")
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(cli, ["check", "--format", "json", "."])
    assert r.exit_code == 1, r.stderr
    [f] = json.loads(r.stdout)["findings"]
    assert f["rule"] == "TR401" and f["path"] == "bad-\ufffd.yml"


def test_unreadable_directory_is_e002(tmp_path):
    make(tmp_path, "locked/x.go", "ok.go")
    (tmp_path / "locked").chmod(0)
    try:
        if os.access(tmp_path / "locked", os.R_OK):
            pytest.skip("running as root: permissions are not enforced")
        sources, problems = discover(["."], settings(), str(tmp_path))
        assert [s.display for s in sources] == ["ok.go"]
        assert [(p.rule_id, p.path) for p in problems] == [("E002", "locked")]
    finally:
        (tmp_path / "locked").chmod(0o755)


def test_display_path(tmp_path):
    cwd = str(tmp_path / "w")
    assert display_path(str(tmp_path / "w" / "..x.go"), cwd) == "..x.go"
    assert display_path(str(tmp_path / "w" / "a" / "b.go"), cwd) == "a/b.go"
    assert display_path(str(tmp_path / "o.go"), cwd) == (tmp_path / "o.go").as_posix()


def test_path_matches():
    base = "/p"
    assert path_matches("/p/a/testdata/x.go", ["testdata"], base)
    assert not path_matches("/p/a/testdata/x.go", ["testdata"], base, ancestors=False)
    assert path_matches("/p/a/x_gen.go", ["*_gen.go"], base, ancestors=False)
    assert path_matches("/p/deploy/old/t.yml", ["deploy/old/"], base)
    assert path_matches("/p/deploy/old/t.yml", ["./deploy/*.yml"], base)
    assert not path_matches("/q/deploy/old/t.yml", ["deploy/old"], base)
    assert not path_matches("/p/x/deploy/old/t.yml", ["deploy/old"], base)
    assert path_matches("/q/t.yml", ["/q/*.yml"], base)
    assert not path_matches("/home/testdata/p/x.go", ["testdata"], "/home/testdata/p")  # above the base: not looked at
    assert path_matches("/b[1]/deploy/t.yml", ["deploy/t.yml"], "/b[1]")  # glob characters in the base are literal


def test_named_files_are_weighed_with_what_discovery_saw(tmp_path, monkeypatch):
    """The workers' batches are weighed in bytes of source: a file named on the command line has
    its size from discovery's one lstat; a file found by walking a directory is stat'ed then."""
    from golint_traefik import engine

    (tmp_path / "a.go").write_text("package a\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.go").write_text("package b\n\nfunc f() {}\n")
    (tmp_path / "l.go").symlink_to(tmp_path / "sub" / "b.go")
    sources, problems = discover(["a.go", "sub", "l.go"], settings(), str(tmp_path))
    assert problems == []
    assert [(s.display, s.size) for s in sources] == [("a.go", 10), ("sub/b.go", None)]  # l.go is sub/b.go
    assert engine._size(sources) == 10 + 23
    real_stat = os.stat

    def stat(path, *args, **kwargs):
        assert not str(path).endswith("a.go"), "a.go was stat'ed again"
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", stat)
    assert engine._size(sources) == 33
