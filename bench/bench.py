#!/usr/bin/env python3
"""Benchmark golint-traefik against a parse-only floor and, where installed, go vet / staticcheck.

Usage (after the README's install step):

    python bench/bench.py [--go-corpus /usr/share/go-1.19/src] [--yaml-corpus ../shared/corpus/traefik-docs]
                          [--runs 3] [--jobs N] [--skip-peers]

Figures per scenario: wall time, CPU time (user+sys of the children), peak RSS
of the largest process, files/s and lines/s; each is the median of ``--runs``
runs.  Scenarios:

  floor     tree-sitter parse of the same Go files, same number of processes, nothing else
  cold      golint-traefik check, no cache
  warm      golint-traefik check again with the cache full (only if the CLI has --no-cache/cache support)
  changed   warm, with one file touched
  precommit 10 files passed explicitly, as pre-commit does (includes interpreter start-up)
  scale     25%, 50%, 100% of the corpus (cold)
  peers     go vet ./... and staticcheck ./... on the same tree, if installed

The Go standard library comes from Debian's golang-1.19-src package
(``apt-get install golang-1.19-src``).  Nothing is timed in the test suite;
this script is run by hand and its table goes into the README.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def go_files(root: Path) -> list[Path]:
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in (".git", "vendor", "node_modules"))
        out.extend(Path(dirpath) / f for f in sorted(filenames) if f.endswith(".go"))
    return out


def count_lines(files: list[Path]) -> int:
    n = 0
    for f in files:
        try:
            with open(f, "rb") as fh:
                n += fh.read().count(b"\n")
        except OSError:
            pass
    return n


def run_measured(cmd: list[str], cwd: str | None = None, env: dict | None = None) -> dict:
    """Run a command; wall time, children CPU time and peak RSS (ru_maxrss of the largest child)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu, "rss_mb": after.ru_maxrss / 1024, "rc": proc.returncode,
            "stderr": proc.stderr.decode(errors="replace")[-400:]}


def median_of(runs: int, fn) -> dict:
    results = [fn() for _ in range(runs)]
    return {k: statistics.median(r[k] for r in results) if isinstance(results[0][k], (int, float)) else results[-1][k]
            for k in results[0]}


FLOOR = r"""
import sys, os
from concurrent.futures import ProcessPoolExecutor
import tree_sitter as ts, tree_sitter_go as tsg

def parse_batch(paths):
    p = ts.Parser(ts.Language(tsg.language()))
    n = 0
    for path in paths:
        with open(path, "rb") as fh:
            n += p.parse(fh.read()).root_node.child_count
    return n

if __name__ == "__main__":
    files = [l.strip() for l in open(sys.argv[1]) if l.strip()]
    jobs = int(sys.argv[2])
    if jobs <= 1:
        parse_batch(files)
    else:
        chunks = [files[i::jobs * 4] for i in range(jobs * 4)]
        with ProcessPoolExecutor(jobs) as pool:
            sum(pool.map(parse_batch, chunks))
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--go-corpus", default="/usr/share/go-1.19/src")
    ap.add_argument("--yaml-corpus", default=str(HERE.parent.parent / "shared" / "corpus" / "traefik-docs"))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--skip-peers", action="store_true", help="do not run go vet / staticcheck")
    args = ap.parse_args()

    corpus = Path(args.go_corpus)
    if not corpus.is_dir():
        print(f"Go corpus {corpus} not found: apt-get install golang-1.19-src, or pass --go-corpus", file=sys.stderr)
        return 2
    exe = shutil.which("golint-traefik") or str(Path(sys.executable).with_name("golint-traefik"))
    files = go_files(corpus)
    lines = count_lines(files)
    print(f"# corpus: {corpus}: {len(files)} Go files, {lines} lines; jobs={args.jobs}; runs={args.runs}")
    print(f"# machine: {os.cpu_count()} cores, python {sys.version.split()[0]}, {time.strftime('%Y-%m-%d')}")

    work = Path(tempfile.mkdtemp(prefix="golint-bench-"))
    listing = work / "files.txt"
    listing.write_text("\n".join(map(str, files)))
    floor_py = work / "floor.py"
    floor_py.write_text(FLOOR)
    has_cache = "--no-cache" in subprocess.run([exe, "check", "--help"], capture_output=True, text=True).stdout

    rows: list[tuple[str, dict, int, int]] = []

    def add(name, res, nfiles=len(files), nlines=lines):
        rows.append((name, res, nfiles, nlines))
        print(f"  {name:<22} wall {res['wall']:.2f}s  cpu {res['cpu']:.2f}s  rss {res['rss_mb']:.0f} MB  rc {res['rc']}",
              file=sys.stderr)

    base = [exe, "check", "--format", "json", "--output", os.devnull, "--jobs", str(args.jobs), "--exit-zero"]
    nocache = ["--no-cache"] if has_cache else []
    add("floor (parse only)", median_of(args.runs, lambda: run_measured([sys.executable, str(floor_py), str(listing), str(args.jobs)])))
    add("cold", median_of(args.runs, lambda: run_measured(base + nocache + [str(corpus)])))
    if has_cache:
        cache_env = dict(os.environ)
        run_measured(base + [str(corpus)], env=cache_env)
        add("warm", median_of(args.runs, lambda: run_measured(base + [str(corpus)], env=cache_env)))
        victim = files[len(files) // 2]

        def changed():
            os.utime(victim)  # mtime changes; content hash does not: the cache must still hit
            return run_measured(base + [str(corpus)], env=cache_env)

        add("one file touched", median_of(args.runs, changed))
    ten = [str(f) for f in files[:: max(1, len(files) // 10)][:10]]
    add("pre-commit (10 files)", median_of(args.runs, lambda: run_measured(base + nocache + ["--jobs", "1"] + ten)),
        10, count_lines([Path(t) for t in ten]))
    for frac in (0.25, 0.5):
        subset = files[: int(len(files) * frac)]
        sub_listing = work / f"files-{frac}.txt"
        sub_listing.write_text("\n".join(map(str, subset)))
        add(f"cold {int(frac * 100)}%", median_of(args.runs, lambda s=subset: run_measured(base + nocache + [str(x) for x in s])),
            len(subset), count_lines(subset))
    yaml_corpus = Path(args.yaml_corpus)
    if yaml_corpus.is_dir():
        ylist = [p for p in yaml_corpus.rglob("*") if p.suffix in (".yml", ".yaml", ".toml")]
        add("traefik docs corpus", median_of(args.runs, lambda: run_measured(base + nocache + [str(yaml_corpus)])),
            len(ylist), count_lines(ylist))
    if not args.skip_peers:
        go = shutil.which("go")
        if go:
            add("go vet", median_of(1, lambda: run_measured([go, "vet", "./..."], cwd=str(corpus))))
        sc = shutil.which("staticcheck")
        if sc:
            add("staticcheck", median_of(1, lambda: run_measured([sc, "./..."], cwd=str(corpus))))

    ref = {name: res for name, res, _, _ in rows}
    print()
    print("| scenario | files | wall s | cpu s | peak RSS MB | files/s | lines/s | ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for name, res, nf, nl in rows:
        ratio = ""
        if name == "cold":
            ratio = f"{res['wall'] / ref['floor (parse only)']['wall']:.2f}x floor"
        elif name in ("go vet", "staticcheck"):
            ratio = f"{res['wall'] / ref['cold']['wall']:.1f}x ours"
        elif name.startswith("cold ") and "cold" in ref:
            share = nf / len(files)
            ratio = f"{res['wall'] / (ref['cold']['wall'] * share):.2f}x proportional"
        print(f"| {name} | {nf} | {res['wall']:.2f} | {res['cpu']:.2f} | {res['rss_mb']:.0f} | "
              f"{nf / res['wall']:.0f} | {nl / res['wall']:.0f} | {ratio} |")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
