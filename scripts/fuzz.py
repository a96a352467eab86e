#!/usr/bin/env python3
"""Fuzz golint-traefik for longer than the test suite does.

Runs the properties of ``tests/test_fuzz.py`` (mutated fixtures, random
Traefik YAML: no exception, no E003, findings inside the file, every output
format valid, bounded CPU time) with many more examples and fresh random
seeds, and optionally the full-size hostile inputs of ``tests/hostile``
(10,000-deep nesting everywhere, 20 MB of ordinary Go code) through the
command line with a time limit.

Usage (from the repository root, with the test dependencies installed)::

    python scripts/fuzz.py                      # every property, 2 minutes each (8 minutes)
    python scripts/fuzz.py --seconds 600 --only yaml
    python scripts/fuzz.py --examples 5000 --seed 1234
    python scripts/fuzz.py --hostile-full       # also the full-size hostile cases (a few minutes)

Properties: ``go`` (mutated Go fixtures), ``config`` (mutated YAML/TOML
fixtures), ``yaml`` (random Traefik-shaped YAML with random router rules),
``project`` (the examples directory with files mutated: Go, compose and
Traefik files together, so that the XS cross-checks run too).

A failing property prints Hypothesis's falsifying example (the input as a
Python literal: paste it into ``assert_robust(name, data)`` to reproduce) and
the script exits 1.  Failures found are kept in ``.hypothesis/fuzz`` and tried
first on the next run.  Exit 0 when nothing failed.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "hostile")]


def fuzz_property(name: str, seconds: float, examples: int | None, seed: int) -> bool:
    """Run one property in batches of fresh seeds until the time (or the example count) is spent."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import seed as use_seed
    from hypothesis.database import DirectoryBasedExampleDatabase

    import test_fuzz

    strategy, check = test_fuzz.STRATEGIES[name]
    database = DirectoryBasedExampleDatabase(str(ROOT / ".hypothesis" / "fuzz"))
    rng = random.Random(seed)
    done, batch, started = 0, 200, time.monotonic()
    while True:
        if examples is not None and done >= examples:
            break
        if examples is None and time.monotonic() - started >= seconds:
            break
        n = batch if examples is None else min(batch, examples - done)

        @use_seed(rng.getrandbits(64))
        @settings(max_examples=n, deadline=None, database=database, print_blob=True,
                  suppress_health_check=list(HealthCheck))
        @given(strategy)
        def prop(case):
            check(case)

        try:
            prop()
        except Exception:  # noqa: BLE001 - report and go on with the next property
            print(f"[{name}] FAILED after {done} examples:", file=sys.stderr)
            traceback.print_exc()
            return False
        done += n
        print(f"[{name}] {done} examples, {time.monotonic() - started:.0f}s", flush=True)
    return True


def hostile_full(limit: float) -> bool:
    """The full-size hostile inputs, each beside the good files, through the command line."""
    import generate

    ok = True
    for name in sorted(generate.GENERATORS):
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            ext = {"go": ".go", "yaml": ".yml", "toml": ".toml"}[name.split("_")[0]]
            sub = root / ("pkg" if ext == ".go" else "cfg")
            sub.mkdir()
            generate.write(name, sub / (name + ext), full=True)
            for good in ("good.go", "good.yml"):
                dest = root / ("pkg" if good.endswith(".go") else "cfg") / good
                dest.parent.mkdir(exist_ok=True)
                dest.write_bytes((ROOT / "tests" / "hostile" / "good" / good).read_bytes())
            started = time.monotonic()
            try:
                p = subprocess.run([sys.executable, "-m", "golint_traefik", "check", "--no-cache", "--select", "ALL",
                                    "--format", "json", "."], cwd=root, capture_output=True, timeout=limit)
            except subprocess.TimeoutExpired:
                print(f"[hostile] {name}: TIMEOUT after {limit:.0f}s", flush=True)
                ok = False
                continue
            spent = time.monotonic() - started
            try:
                findings = json.loads(p.stdout)["findings"]
            except ValueError:
                print(f"[hostile] {name}: no JSON (exit {p.returncode}): {p.stderr.decode()[-500:]}", flush=True)
                ok = False
                continue
            rules = sorted({f["rule"] for f in findings})
            good = {f["path"] for f in findings} >= {"pkg/good.go", "cfg/good.yml"}
            bad = "E003" in rules or p.returncode not in (0, 1) or not good
            ok &= not bad
            print(f"[hostile] {name}: {spent:.1f}s exit {p.returncode} rules {rules}"
                  f"{'' if good else ' GOOD FINDINGS LOST'}{' FAILED' if bad else ''}", flush=True)
    return ok


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=120, help="time per property (default 120)")
    ap.add_argument("--examples", type=int, help="examples per property instead of a time budget")
    ap.add_argument("--only", default="go,config,yaml,project", help="comma-separated properties (default: all)")
    ap.add_argument("--seed", type=int, default=None, help="seed for the batch seeds (default: random)")
    ap.add_argument("--hostile-full", action="store_true", help="also run the full-size hostile inputs")
    ap.add_argument("--hostile-limit", type=float, default=600, help="seconds allowed per full-size input")
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(2**32)
    print(f"seed {seed}", flush=True)
    ok = True
    for name in [n.strip() for n in args.only.split(",") if n.strip()]:
        ok &= fuzz_property(name, args.seconds, args.examples, seed)
    if args.hostile_full:
        ok &= hostile_full(args.hostile_limit)
    print("OK" if ok else "FAILURES (see above)", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
