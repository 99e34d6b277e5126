#!/usr/bin/env python3
"""`check --diff` / `--fix` on the real-code corpus: the same outputs from two checkouts, and
the time a fix run takes against a check (issue 26 item 5). Run by hand (never by the tests):

    # what one checkout's --diff and --fix make of every package (fixed on copies under OUT/trees)
    python benchmarks/fix_speed.py outputs --src /work/dl/realcode/src --asynclint A/bin/asynclint -o /tmp/before
    python benchmarks/fix_speed.py compare /tmp/before /tmp/after
    # time, paired in one alternating run: check and --diff --unsafe-fixes, per checkout
    python benchmarks/fix_speed.py time --src /work/dl/realcode/src --reps 3 \
        --asynclint before=A/bin/asynclint --asynclint after=B/bin/asynclint

Every run is cold: asynclint gets a fresh, empty cache directory (``--cache-dir``), so that
neither a cache nor the sources' folders are written to. ``--package aiohttp`` times one package
(its folder, run inside it); without it, every package of the corpus in one command (run in the
corpus folder). Extra arguments are passed on to asynclint (``--jobs 1``).
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from realcode import PACKAGES, folder_name

FIX_ARGS = ("--unsafe-fixes",)


def _run(asynclint: str, cwd: str, arguments: list[str]) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory(prefix="fix-speed-cache-") as cache:
        return subprocess.run([asynclint, "check", "--cache-dir", cache, *arguments], cwd=cwd,
                              capture_output=True)


def outputs(args: argparse.Namespace, extra: list[str]) -> None:
    """OUT/<package>.diff.{out,err,rc}, OUT/<package>.fix.{out,err,rc} and the fixed tree."""
    os.makedirs(args.output, exist_ok=True)
    for requirement in PACKAGES:
        name = folder_name(requirement)
        root = os.path.join(args.src, name)
        diff = _run(args.asynclint, root, ["--diff", *FIX_ARGS, *extra, "."])
        tree = os.path.join(args.output, "trees", name)
        shutil.rmtree(tree, ignore_errors=True)
        shutil.copytree(root, tree, symlinks=True)
        fixed = _run(args.asynclint, tree, ["--fix", *FIX_ARGS, *extra, "."])
        for kind, done in (("diff", diff), ("fix", fixed)):
            for part, data in (("out", done.stdout), ("err", done.stderr), ("rc", str(done.returncode).encode())):
                with open(os.path.join(args.output, f"{name}.{kind}.{part}"), "wb") as handle:
                    handle.write(data)
        print(f"{name}: --diff exit {diff.returncode}, {diff.stdout.count(b'+++ ')} files; "
              f"--fix exit {fixed.returncode}", file=sys.stderr)


def compare(args: argparse.Namespace, extra: list[str]) -> None:
    """Every output file and every file of the fixed trees, byte for byte."""
    differing = []
    for entry in sorted(os.listdir(args.before)):
        if entry == "trees":
            continue
        if not filecmp.cmp(os.path.join(args.before, entry), os.path.join(args.after, entry), shallow=False):
            differing.append(entry)
    before_trees, after_trees = os.path.join(args.before, "trees"), os.path.join(args.after, "trees")
    files = 0
    for directory, _, names in os.walk(before_trees):
        for name in names:
            path = os.path.join(directory, name)
            other = os.path.join(after_trees, os.path.relpath(path, before_trees))
            files += 1
            if not os.path.isfile(other) or not filecmp.cmp(path, other, shallow=False):
                differing.append(os.path.relpath(path, before_trees))
    for directory, _, names in os.walk(after_trees):
        for name in names:
            if not os.path.exists(os.path.join(before_trees, os.path.relpath(os.path.join(directory, name), after_trees))):
                differing.append("only after: " + os.path.relpath(os.path.join(directory, name), after_trees))
    print(f"{files} files of fixed trees and the outputs compared; {len(differing)} differ")
    for entry in differing:
        print(f"  {entry}")
    sys.exit(1 if differing else 0)


def timings(args: argparse.Namespace, extra: list[str]) -> None:
    if args.package:
        matches = [folder_name(r) for r in PACKAGES if folder_name(r).startswith(args.package + "-")]
        if not matches:
            sys.exit(f"no package {args.package!r} in the corpus")
        cwd, paths = os.path.join(args.src, matches[0]), ["."]
    else:
        cwd, paths = args.src, [folder_name(r) for r in PACKAGES]
    checkouts = [value.split("=", 1) for value in args.asynclint]
    commands = {f"{label} {kind}": (asynclint, [*flags, "--quiet", "--exit-zero", *extra, *paths])
                for label, asynclint in checkouts
                for kind, flags in (("check", []), ("diff", ["--diff", *FIX_ARGS]))}
    times: dict[str, list[float]] = {key: [] for key in commands}
    order = list(commands)
    for rep in range(args.reps):
        for key in order[rep % len(order):] + order[:rep % len(order)]:  # the first one rotates
            asynclint, arguments = commands[key]
            start = time.perf_counter()
            done = _run(asynclint, cwd, arguments)
            times[key].append(time.perf_counter() - start)
            if done.returncode not in (0, 1):
                sys.exit(f"{key} exited {done.returncode}:\n{done.stderr.decode()[-2000:]}")
    where = args.package or f"the corpus ({len(paths)} packages)"
    print(f"{where}, {args.reps} runs each, medians (s); diff = --diff {' '.join(FIX_ARGS)}")
    print("| checkout | check | diff | diff / check |")
    print("|---|---:|---:|---:|")
    medians = {key: statistics.median(values) for key, values in times.items()}
    for label, _ in checkouts:
        check, diff = medians[f"{label} check"], medians[f"{label} diff"]
        print(f"| {label} | {check:.2f} | {diff:.2f} | {diff / check:.1f}x |")
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(times, handle, indent=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    out = commands.add_parser("outputs")
    out.add_argument("--src", required=True)
    out.add_argument("--asynclint", default="asynclint")
    out.add_argument("-o", "--output", required=True)
    cmp_ = commands.add_parser("compare")
    cmp_.add_argument("before")
    cmp_.add_argument("after")
    timed = commands.add_parser("time")
    timed.add_argument("--src", required=True)
    timed.add_argument("--asynclint", action="append", required=True, metavar="LABEL=PATH")
    timed.add_argument("--package", help="time one package (aiohttp) instead of the whole corpus")
    timed.add_argument("--reps", type=int, default=3)
    timed.add_argument("--json", help="write every time measured to this file")
    args, extra = parser.parse_known_args()
    {"outputs": outputs, "compare": compare, "time": timings}[args.command](args, extra)


if __name__ == "__main__":
    main()
