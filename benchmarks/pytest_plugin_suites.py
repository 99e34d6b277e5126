#!/usr/bin/env python3
"""The pytest plugin (issue 22) on real projects' suites: episodes, what the static check reports of
them, and the plugin's overhead (wall time with and without it, in pairs that alternate).

Run by hand (never by the tests; it downloads from PyPI):

    python benchmarks/pytest_plugin_suites.py --scratch /tmp/plugin_suites            # all projects
    python benchmarks/pytest_plugin_suites.py starlette --pairs 5 --asynclint-tree .

For each project: ``pip download`` its sdist at the pinned version into the scratch folder, a
venv with the project (editable) and its test dependencies and asynclint from the tree under
test (editable), then ``--pairs`` pairs of suite runs, the order in each pair swapped every time
(without, with; with, without; ...), the "with" runs writing the JSON report. Prints the wall
and CPU times, their ratios (median of the pairs) and the episodes of the last "with" run.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import resource
import statistics
import subprocess
import sys
import tarfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))

# project -> (version, pip extras / test dependencies, pytest arguments)
PROJECTS = {
    "starlette": ("1.10.0", ["-e", "{src}[full]", "pytest", "trio", "blockbuster", "opentelemetry-sdk", "httpx2"], ["tests", "-p", "no:cacheprovider"]),
    "asgiref": ("3.13.0", ["-e", "{src}[tests]"], ["tests", "-p", "no:cacheprovider"]),
    "httpx": ("0.28.1", ["-e", "{src}[brotli,cli,http2,socks,zstd]", "pytest", "trio", "trustme", "uvicorn", "chardet"],
              ["tests", "-p", "no:cacheprovider"]),
    "aiosqlite": ("0.22.1", ["-e", "{src}", "pytest"],
                  ["aiosqlite/tests/smoke.py", "aiosqlite/tests/perf.py", "-p", "no:cacheprovider"]),
}


def setup(name: str, scratch: str, tree: str) -> tuple[str, str]:
    version, requirements, _ = PROJECTS[name]
    src = os.path.join(scratch, f"{name}-{version}")
    if not os.path.isdir(src):
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", name,
                        f"{name}=={version}", "-d", scratch], check=True)
        with tarfile.open(os.path.join(scratch, f"{name}-{version}.tar.gz")) as archive:
            archive.extractall(scratch, filter="data")
    venv = os.path.join(scratch, f"venv-{name}")
    if not os.path.isdir(venv):
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        subprocess.run([os.path.join(venv, "bin", "pip"), "install", "-q", *[r.format(src=src) for r in requirements],
                        "-e", tree], check=True)
    return src, os.path.join(venv, "bin", "python")


def run_suite(python: str, src: str, args: list[str], plugin: bool, report: str) -> tuple[float, float, int]:
    """Wall and CPU seconds (user + system) of one run of the suite, and its exit code."""
    extra = ["--asynclint-blocking", f"--asynclint-blocking-report={report}"] if plugin else []
    used = _children_cpu()
    start = time.perf_counter()
    proc = subprocess.run([python, "-m", "pytest", "-q", *args, *extra], cwd=src, capture_output=True, text=True,
                          timeout=1800)
    return time.perf_counter() - start, _children_cpu() - used, proc.returncode


def run_pair(name: str, python: str, src: str, args: list[str], report: str, pair: int,
             walls: dict[bool, list[float]], cpus: dict[bool, list[float]]) -> None:
    """One run without the plugin and one with it, in the order the pair's number says."""
    for plugin in ((False, True) if pair % 2 == 0 else (True, False)):
        wall, cpu, code = run_suite(python, src, args, plugin, report)
        walls[plugin].append(wall)
        cpus[plugin].append(cpu)
        print(f"{name} pair {pair + 1} {'with' if plugin else 'without'}: {wall:.1f} s wall, "
              f"{cpu:.1f} s CPU (exit {code})", flush=True)


@contextlib.contextmanager
def _locked(path: str | None):
    if path is None:
        yield
        return
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("projects", nargs="*", default=sorted(PROJECTS))
    parser.add_argument("--scratch", default="/tmp/plugin_suites")
    parser.add_argument("--asynclint-tree", default=os.path.dirname(HERE))
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--lock", help="a file to flock(2) for each pair: a machine shared with other heavy runs "
                                       "runs none of them beside the pair")
    options = parser.parse_args()
    os.makedirs(options.scratch, exist_ok=True)
    for name in options.projects:
        src, python = setup(name, options.scratch, os.path.abspath(options.asynclint_tree))
        args = PROJECTS[name][2]
        report = os.path.join(options.scratch, f"{name}-episodes.json")
        walls: dict[bool, list[float]] = {False: [], True: []}
        cpus: dict[bool, list[float]] = {False: [], True: []}
        for pair in range(options.pairs):
            with _locked(options.lock):
                run_pair(name, python, src, args, report, pair, walls, cpus)
        for what, seconds in (("wall", walls), ("CPU", cpus)):
            ratios = [w / wo for w, wo in zip(seconds[True], seconds[False])]
            print(f"{name} {what}: without {statistics.median(seconds[False]):.1f} s, with "
                  f"{statistics.median(seconds[True]):.1f} s, ratio {statistics.median(ratios):.3f} "
                  f"(pairs: {', '.join(f'{r:.3f}' for r in ratios)})")
        events = json.load(open(report))["events"]
        reported = sum(1 for e in events if e["static"] == "reported")
        print(f"{name}: {len(events)} episodes, {reported} reported by asynclint check")
        for event in sorted(events, key=lambda e: -e["duration_ms"]):
            print(f"  {event['duration_ms']:.0f} ms (gc {event['gc_ms']:.0f}, {event['samples']} samples) "
                  f"{event['nodeid']} {event['path']}:{event['line']} {event['function']} call={event['call']} "
                  f"library={event['library_frame']} {event['static']} {event.get('code') or event.get('suggestion')}")


if __name__ == "__main__":
    main()
