""".pre-commit-hooks.yaml: valid against the schema, and the hooks work through pre-commit itself.

pre-commit installs hooks from a git repository at a commit, so the files the
package is built from are copied (tracked or not: the working tree is what is
tested) into a temporary repository and committed there.  pre-commit then
builds a virtualenv and pip-installs that copy, which needs PyPI for the
dependencies and takes a few seconds with a warm pip cache (up to a minute
cold).  `try-repo` builds a fresh environment on every call, so it is used
for the two headline cases; the other cases go through `pre-commit run` with
a configuration pinned to the same commit and one PRE_COMMIT_HOME for the
module, which builds the environment once.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from conftest import shared_path

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = ROOT / ".pre-commit-hooks.yaml"
# What pip needs to build and install the package from the hook repository.
PACKAGE_FILES = ("pyproject.toml", "README.md", "LICENSE", ".pre-commit-hooks.yaml", "golint_traefik", "rules")

INSECURE_STATIC = 'entryPoints:\n  web:\n    address: ":80"\napi:\n  dashboard: true\n  insecure: true\n'
SECURE_STATIC = 'entryPoints:\n  web:\n    address: ":80"\napi:\n  dashboard: true\n  insecure: false\n'
CLEAN_GO = 'package main\n\nimport "fmt"\n\nfunc main() {\n\tfmt.Println("hello")\n}\n'
BROKEN_GO = "package main\n\nfunc main() {\n\tif {\n}\n"


def _load_manifest() -> list[dict]:
    return YAML(typ="safe", pure=True).load(MANIFEST.read_text(encoding="utf-8"))


# ------------------------------------------------------------ the manifest


def test_manifest_matches_schema():
    import jsonschema

    schema = json.loads(shared_path("schemas", "pre-commit-hooks.json").read_text(encoding="utf-8"))
    jsonschema.validate(_load_manifest(), schema)


def test_manifest_hooks():
    hooks = {h["id"]: h for h in _load_manifest()}
    assert set(hooks) == {"golint-traefik-go", "golint-traefik-yaml", "golint-traefik"}
    assert hooks["golint-traefik-go"]["types"] == ["go"]
    assert hooks["golint-traefik-yaml"]["types_or"] == ["yaml", "toml"]
    for hid in ("golint-traefik-go", "golint-traefik-yaml"):
        assert hooks[hid]["entry"] == "golint-traefik check --force-exclude"
        assert hooks[hid].get("pass_filenames", True)
    # The whole-project hook lints the repository root, not the changed files.
    assert hooks["golint-traefik"]["pass_filenames"] is False
    assert hooks["golint-traefik"]["entry"].split()[:2] == ["golint-traefik", "check"]
    for h in hooks.values():
        assert h["language"] == "python"


# ------------------------------------------------------- running pre-commit


def _pre_commit_cmd() -> list[str]:
    if importlib.util.find_spec("pre_commit") is not None:
        return [sys.executable, "-m", "pre_commit"]
    exe = shutil.which("pre-commit")
    if exe:
        return [exe]
    pytest.skip("pre-commit is not installed (it is in the 'test' extra: pip install '.[test]')")


def _env(home: Path) -> dict:
    # Nothing from an enclosing git hook or pre-commit run may leak in.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    env.update(
        PRE_COMMIT_HOME=str(home),
        GIT_AUTHOR_NAME="golint-traefik tests", GIT_AUTHOR_EMAIL="tests@example.invalid",
        GIT_COMMITTER_NAME="golint-traefik tests", GIT_COMMITTER_EMAIL="tests@example.invalid",
        GIT_CONFIG_NOSYSTEM="1", NO_COLOR="1",
    )
    return env


def _git(cwd: Path, *args: str, env: dict) -> None:
    subprocess.run(["git", "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args],
                   cwd=cwd, env=env, check=True, capture_output=True)


@pytest.fixture(scope="module")
def pc_home(tmp_path_factory) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed (pre-commit needs it)")
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory, pc_home) -> tuple[Path, str]:
    """A committed copy of the package as it is in the working tree; returns (path, commit)."""
    _pre_commit_cmd()
    repo = tmp_path_factory.mktemp("hook-repo")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for name in PACKAGE_FILES:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, repo / name, ignore=ignore)
        elif src.is_file():
            shutil.copy2(src, repo / name)
    env = _env(pc_home)
    _git(repo, "init", "-q", env=env)
    _git(repo, "add", "-A", env=env)
    _git(repo, "commit", "-q", "-m", "hook repository under test", env=env)
    rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, env=env, check=True, capture_output=True, text=True).stdout.strip()
    return repo, rev


def _project(root: Path, files: dict[str, str], env: dict) -> Path:
    """A sample project: a git repository holding ``files``, staged."""
    root.mkdir(parents=True, exist_ok=True)
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    _git(root, "init", "-q", env=env)
    _git(root, "add", "-A", env=env)
    return root


def _pre_commit(args: list[str], cwd: Path, env: dict) -> subprocess.CompletedProcess:
    proc = subprocess.run([*_pre_commit_cmd(), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    proc.output = proc.stdout + proc.stderr  # type: ignore[attr-defined]
    return proc


def _try_repo(hook_repo, pc_home, project: Path, hook: str, files: list[str]):
    return _pre_commit(["try-repo", str(hook_repo[0]), hook, "--color", "never", "--files", *files], project, _env(pc_home))


def _run(hook_repo, pc_home, project: Path, hook: str, files: list[str]):
    """``pre-commit run`` with a configuration pinned to the hook repo's commit (environment shared by the module)."""
    repo, rev = hook_repo
    config = project.parent / f"{project.name}-pre-commit-config.yaml"
    config.write_text(f"repos:\n  - repo: {repo}\n    rev: {rev}\n    hooks:\n      - id: {hook}\n", encoding="utf-8")
    return _pre_commit(["run", "-c", str(config), hook, "--color", "never", "--files", *files], project, _env(pc_home))


def test_try_repo_yaml_hook_fails_on_insecure_api(hook_repo, pc_home, tmp_path):
    project = _project(tmp_path / "project", {"traefik.yml": INSECURE_STATIC}, _env(pc_home))
    proc = _try_repo(hook_repo, pc_home, project, "golint-traefik-yaml", ["traefik.yml"])
    assert proc.returncode == 1, proc.output
    assert "Failed" in proc.output and "TR401" in proc.output and "traefik.yml" in proc.output, proc.output


def test_try_repo_yaml_hook_passes_on_clean_config(hook_repo, pc_home, tmp_path):
    project = _project(tmp_path / "project", {"traefik.yml": SECURE_STATIC}, _env(pc_home))
    proc = _try_repo(hook_repo, pc_home, project, "golint-traefik-yaml", ["traefik.yml"])
    assert proc.returncode == 0, proc.output
    assert "Passed" in proc.output, proc.output


def test_go_hook_fails_on_broken_go_and_passes_on_clean_go(hook_repo, pc_home, tmp_path):
    project = _project(tmp_path / "project", {"go.mod": "module example.com/x\n\ngo 1.22\n", "main.go": CLEAN_GO,
                                               "broken/broken.go": BROKEN_GO}, _env(pc_home))
    proc = _run(hook_repo, pc_home, project, "golint-traefik-go", ["main.go"])
    assert proc.returncode == 0 and "Passed" in proc.output, proc.output
    proc = _run(hook_repo, pc_home, project, "golint-traefik-go", ["main.go", "broken/broken.go"])
    assert proc.returncode == 1, proc.output
    assert "broken/broken.go:" in proc.output and "E001" in proc.output, proc.output
    # Not a Go file: the hook does not run at all.
    (project / "notes.yml").write_text("a: 1\n", encoding="utf-8")
    proc = _run(hook_repo, pc_home, project, "golint-traefik-go", ["notes.yml"])
    assert proc.returncode == 0 and "no files to check" in proc.output, proc.output


def test_yaml_hook_force_excludes_configured_paths(hook_repo, pc_home, tmp_path):
    project = _project(tmp_path / "project", {
        ".golint-traefik.toml": 'exclude = ["testdata"]\n',
        "testdata/traefik.yml": INSECURE_STATIC,
        "deploy/traefik.yml": SECURE_STATIC,
    }, _env(pc_home))
    proc = _run(hook_repo, pc_home, project, "golint-traefik-yaml", ["testdata/traefik.yml", "deploy/traefik.yml"])
    assert proc.returncode == 0 and "Passed" in proc.output, proc.output


def test_whole_project_hook_lints_unchanged_files(hook_repo, pc_home, tmp_path):
    project = _project(tmp_path / "project", {"main.go": CLEAN_GO, "deploy/traefik.yml": INSECURE_STATIC}, _env(pc_home))
    # Only main.go changed, but the whole project is linted.
    proc = _run(hook_repo, pc_home, project, "golint-traefik", ["main.go"])
    assert proc.returncode == 1, proc.output
    assert "TR401" in proc.output and "deploy/traefik.yml" in proc.output, proc.output
