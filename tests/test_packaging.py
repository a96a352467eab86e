"""The wheel is complete: rule docs, console script, and `explain` works from an installed copy.

The rule documents live in rules/ at the top of the repository and are
force-included into the wheel as golint_traefik/_rules; an editable install
never exercises that, so the wheel is built here (pip wheel, which fetches
hatchling from PyPI into an isolated build environment) and installed into a
fresh virtualenv.  That venv sees the dependencies of the interpreter running
the tests through a .pth file, so nothing but the build backend is
downloaded, and the package itself can only come from the wheel.
"""

from __future__ import annotations

import configparser
import os
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RULE_DOCS = sorted(p.name for p in (ROOT / "rules").glob("*.md") if p.name.upper() != "README.MD")


def _run(cmd, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=300, **kw)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    proc = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check", "-q", "-w", out, ROOT])
    assert proc.returncode == 0, f"pip wheel failed:\n{proc.stdout}\n{proc.stderr}"
    wheels = list(out.glob("golint_traefik-*.whl"))
    assert len(wheels) == 1, f"expected one wheel, got {wheels}"
    return wheels[0]


def _dist_info(names: list[str]) -> str:
    infos = {n.split("/")[0] for n in names if n.split("/")[0].endswith(".dist-info")}
    assert len(infos) == 1, infos
    return infos.pop()


def test_wheel_ships_every_rule_doc(wheel):
    assert RULE_DOCS, "rules/ holds no rule documents"
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        shipped = {n.rsplit("/", 1)[1] for n in names if n.startswith("golint_traefik/_rules/") and n.endswith(".md")}
        assert set(RULE_DOCS) <= shipped, f"rule docs missing from the wheel: {sorted(set(RULE_DOCS) - shipped)}"
        for name in RULE_DOCS:
            assert zf.read(f"golint_traefik/_rules/{name}").decode("utf-8") == (ROOT / "rules" / name).read_text(encoding="utf-8")


def test_wheel_holds_only_the_package(wheel):
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
    info = _dist_info(names)
    stray = [n for n in names if not n.startswith(("golint_traefik/", info + "/"))]
    assert not stray, f"files outside the package in the wheel: {stray}"
    assert "golint_traefik/__init__.py" in names and "golint_traefik/cli.py" in names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


def test_wheel_declares_console_script(wheel):
    with zipfile.ZipFile(wheel) as zf:
        info = _dist_info(zf.namelist())
        text = zf.read(f"{info}/entry_points.txt").decode("utf-8")
    ep = configparser.ConfigParser()
    ep.read_string(text)
    assert ep.has_section("console_scripts"), text
    assert ep["console_scripts"].get("golint-traefik", "").strip() == "golint_traefik.cli:main", text


@pytest.fixture(scope="module")
def installed(tmp_path_factory, wheel) -> Path:
    """A fresh venv holding the wheel (no deps), with this interpreter's site-packages on its path for the deps."""
    env_dir = tmp_path_factory.mktemp("venv") / "env"
    venv.EnvBuilder(with_pip=False, symlinks=os.name != "nt").create(env_dir)
    bindir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    py = bindir / ("python.exe" if os.name == "nt" else "python")
    proc = _run([sys.executable, "-m", "pip", "--python", py, "install", "--no-deps", "--no-index",
                 "--disable-pip-version-check", "-q", wheel])
    assert proc.returncode == 0, f"installing the wheel failed:\n{proc.stdout}\n{proc.stderr}"
    # Only now expose the dependencies: before, pip would have seen the golint-traefik
    # installed in this interpreter's environment and skipped the wheel.
    purelib = _run([py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip()
    deps = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    Path(purelib, "_golint_traefik_test_deps.pth").write_text("\n".join(sorted(deps)) + "\n", encoding="utf-8")
    return bindir


def _clean_env() -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env["NO_COLOR"] = "1"
    return env


def test_installed_package_comes_from_the_wheel(installed, tmp_path):
    py = installed / ("python.exe" if os.name == "nt" else "python")
    code = "import golint_traefik.registry as r; print(r.__file__); print(r._rules_dir())"
    proc = _run([py, "-c", code], cwd=tmp_path, env=_clean_env())
    assert proc.returncode == 0, proc.stderr
    module, rules_dir = (Path(line) for line in proc.stdout.split("\n")[:2])
    env_dir = installed.parent
    assert env_dir in module.parents, f"golint_traefik imported from {module}, not the venv holding the wheel"
    assert rules_dir == module.parent / "_rules", f"rule docs read from {rules_dir}, not the installed wheel"


def test_installed_console_script_explains_a_rule(installed, tmp_path):
    exe = installed / ("golint-traefik.exe" if os.name == "nt" else "golint-traefik")
    assert exe.exists(), f"console script not installed: {sorted(p.name for p in installed.iterdir())}"
    proc = _run([exe, "explain", "TR401"], cwd=tmp_path, env=_clean_env())
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    assert "api-insecure" in proc.stdout
    for section in ("What it finds", "Why it matters", "How to fix"):
        assert section in proc.stdout, f"{section!r} missing from explain output:\n{proc.stdout}"
    proc = _run([exe, "rules"], cwd=tmp_path, env=_clean_env())
    assert proc.returncode == 0 and "TR401" in proc.stdout, proc.stdout + proc.stderr
