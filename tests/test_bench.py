"""bench/bench.py runs from the repository on any Go tree: a smoke run on a tiny corpus checks that
every scenario runs and is reported.  It asserts no timing: speed is what the script measures, not
what a test should."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench" / "bench.py"

SCENARIOS = ("floor (parse only)", "cold", "cold+fill (empty cache)", "warm (nothing changed)", "one file touched",
             "one file edited", "edited, largest pkg", "pre-commit (10 files)", "--version", "cold 25%", "cold 50%",
             "traefik docs corpus")


def test_bench_runs_every_scenario_on_a_small_corpus(tmp_path):
    go = tmp_path / "go"
    for i in range(4):
        pkg = go / f"pkg{i}"
        pkg.mkdir(parents=True)
        for j in range(3 + i):
            (pkg / f"f{j}.go").write_text(
                f"package pkg{i}\n\nimport \"time\"\n\nfunc F{j}() {{\n\tfor range time.Tick(time.Second) {{\n\t}}\n}}\n")
    yml = tmp_path / "yaml"
    yml.mkdir()
    (yml / "traefik.yml").write_text("api:\n  insecure: true\nentryPoints:\n  web:\n    address: \":80\"\n")
    p = subprocess.run([sys.executable, str(BENCH), "--go-corpus", str(go), "--yaml-corpus", str(yml), "--runs", "2",
                        "--skip-peers", "--jobs", "2"], capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr[-2000:]
    table = [line for line in p.stdout.splitlines() if line.startswith("| ")]
    names = [row.split(" | ")[0][2:] for row in table[1:]]
    for scenario in SCENARIOS:
        assert any(n.startswith(scenario) for n in names), (scenario, names)
    for line in p.stderr.splitlines():
        if "wall" in line and " rc " in line:
            assert line.rstrip().endswith(("rc 0", "rc 1")), line
    cold = next(row for row in table if row.startswith("| cold |"))
    assert "x floor (rounds: median " in cold
    assert "x proportional" in next(row for row in table if row.startswith("| cold 25% |"))
