#!/usr/bin/env python3
"""What ASL404 costs (issue 21): the corpus checked by main's asynclint and by this one with
ASL404 selected and the corpus's own dependencies installed (--python ENV), cold (fresh result
cache, fresh library cache) and cached (the same caches again), in pairs that alternate the two
builds so that noise falls on both. One worker (-j 1), so that a run's peak memory is its own
process's (wait4's ru_maxrss).

    python benchmarks/library_cost.py --src /work/dl/realcode/src --base-src /path/to/main/checkout \\
        --python /work/dl/libraries/venv --pairs 2 fastapi-0.165.0 aiogram-3.31.0 ...

Run by hand, under `flock /tmp/heavy.lock` on a shared machine. Results go in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def timed(command: list[str], cwd: str, env: dict) -> tuple[float, int]:
    """(wall seconds, peak resident KiB) of one run."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - started, usage.ru_maxrss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("packages", nargs="+", help="folders under --src")
    parser.add_argument("--src", required=True)
    parser.add_argument("--base-src", required=True, help="main's source tree (put first on PYTHONPATH)")
    parser.add_argument("--python", required=True, help="the environment with the corpus's dependencies")
    parser.add_argument("--pairs", type=int, default=2)
    args = parser.parse_args()
    scratch = tempfile.mkdtemp(prefix="asynclint-library-cost-")
    check = [sys.executable, "-m", "asynclint", "check", "--format", "json", "--exit-zero", "-j", "1"]
    builds = {
        "main": ([], {"PYTHONPATH": os.path.abspath(args.base_src)}),
        "ASL404": (["--extend-select", "ASL404", "--python", args.python], {}),
    }
    results: dict[tuple[str, str], list[tuple[float, int]]] = {}
    try:
        for pair in range(args.pairs):
            order = list(builds) if pair % 2 == 0 else list(builds)[::-1]
            for name in order:
                extra, env_over = builds[name]
                caches = os.path.join(scratch, f"{name}-{pair}")
                env = {**os.environ, **env_over, "XDG_CACHE_HOME": os.path.join(caches, "user")}
                for phase in ("cold", "cached"):
                    total, peak = 0.0, 0
                    for package in args.packages:
                        seconds, kib = timed([*check, "--cache-dir", os.path.join(caches, package), *extra, "."],
                                             os.path.join(args.src, package), env)
                        total, peak = total + seconds, max(peak, kib)
                    results.setdefault((name, phase), []).append((total, peak))
                    print(f"pair {pair} {name:7} {phase:6} {total:7.2f} s  peak {peak / 1024:6.1f} MiB", flush=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print("\n| run | main (s) | ASL404 (s) | ratio | main peak (MiB) | ASL404 peak (MiB) |\n|---|---:|---:|---:|---:|---:|")
    for phase in ("cold", "cached"):
        base = [t for t, _ in results["main", phase]]
        new = [t for t, _ in results["ASL404", phase]]
        ratios = [n / b for n, b in zip(new, base)]
        print(f"| {phase} | {statistics.median(base):.2f} | {statistics.median(new):.2f} | "
              f"{statistics.median(ratios):.2f} | {max(p for _, p in results['main', phase]) / 1024:.0f} | "
              f"{max(p for _, p in results['ASL404', phase]) / 1024:.0f} |")


if __name__ == "__main__":
    main()
