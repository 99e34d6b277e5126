#!/usr/bin/env python3
"""Recall on ground truth taken from real history (issue 25).

Each file in benchmarks/history/ lists, for one project, the blocking calls that a later release
moved off the event loop (run_in_executor, to_thread, an executor helper, an async replacement)
and that really blocked on the loop in the earlier release. Each case names the old release's
file and line, the call, its cause and why it blocked. This script downloads the old releases
(sdists, from PyPI), runs a given asynclint on each with its default rules, and counts the cases
it finds, per project and per cause.

Run by hand from the repository root (never by the tests; it downloads):

    python benchmarks/history_recall.py check                       # every case's line holds its call
    python benchmarks/history_recall.py run --asynclint .venv/bin/asynclint -o /tmp/before.json
    python benchmarks/history_recall.py run -o /tmp/all.json --extend-select ASL4   # other arguments go to asynclint
    python benchmarks/history_recall.py report /tmp/before.json --missed
    python benchmarks/history_recall.py compare /tmp/before.json /tmp/after.json

A case is found when a finding of the run lands on the case's line of the case's file (the lines
from the finding's `line` to its `end_line`), or when a finding's chain (ASL401 and its kin:
the steps from the call on the loop down to the first blocking call) has a step on that line,
or passes through the function that holds the line (a chain names only the first blocking call
of a helper; a caller warned about the helper is warned about the case too). The report counts
the last kind apart ("via a chain"), so the strict figure stays visible.
"""

from __future__ import annotations

import argparse
import ast
import collections
import glob
import json
import os
import sys

import realcode

HERE = os.path.dirname(os.path.abspath(__file__))
HISTORY = os.path.join(HERE, "history")
DEFAULT_CACHE = os.path.join(HERE, "corpus", "history")

# The causes of issue 25, in its order; every case has exactly one, the first thing that keeps
# a checker from seeing it (a case's "then" says what it would meet next, if anything).
CAUSES = {
    "types": "behind types across modules",
    "no_async_def": "on the loop without async def",
    "import": "import on the loop",
    "library": "inside a library",
    "catalog": "catalog gap",
    "plain": "plain in async def",
}
CASE_KEYS = {"file", "line", "call", "cause", "moved", "why"}
OPTIONAL_KEYS = {"then"}


def load_lists(folder: str = HISTORY) -> list[dict]:
    """Every project's list, checked for shape (a bad list stops the run with its name)."""
    lists = []
    for path in sorted(glob.glob(os.path.join(folder, "*.json"))):
        with open(path) as handle:
            project = json.load(handle)
        for number, case in enumerate(project["cases"], 1):
            keys = set(case)
            if not CASE_KEYS <= keys <= CASE_KEYS | OPTIONAL_KEYS or case["cause"] not in CAUSES:
                sys.exit(f"{path}: case {number} needs {sorted(CASE_KEYS)} (and may have "
                         f"{sorted(OPTIONAL_KEYS)}), cause one of {sorted(CAUSES)}: {case}")
        lists.append(project)
    return lists


def requirement(project: dict) -> str:
    return f"{project['project']}=={project['old']}"


# -- getting the sources -----------------------------------------------------------------------

def fetch(project: dict, cache: str) -> str:
    return realcode.fetch(requirement(project), cache)


def check(args: argparse.Namespace) -> None:
    """Each case's line in the old release holds the name it calls: a wrong line number is
    found here, not counted as a miss."""
    wrong = 0
    for project in load_lists():
        root = fetch(project, args.cache)
        for case in project["cases"]:
            with open(os.path.join(root, case["file"]), encoding="utf-8") as handle:
                lines = handle.read().splitlines()
            name = case["call"].split("(")[0].rsplit(".", 1)[-1]
            text = lines[case["line"] - 1] if case["line"] <= len(lines) else ""
            if name not in text:
                wrong += 1
                print(f"{project['project']} {case['file']}:{case['line']}: `{name}` not on the line: {text.strip()!r}")
    print(f"{wrong} case(s) whose line does not hold their call")
    sys.exit(1 if wrong else 0)


# -- running asynclint -------------------------------------------------------------------------

def run(args: argparse.Namespace, extra: list[str]) -> None:
    asynclint = os.path.abspath(args.asynclint) if os.sep in args.asynclint else args.asynclint
    results = {"asynclint": asynclint, "extra_args": extra, "projects": {}}
    for project in load_lists():
        root = fetch(project, args.cache)
        results["projects"][project["project"]] = {"root": root, "findings": realcode.check_folder(asynclint, root, extra)}
    if args.output:
        with open(args.output, "w") as handle:
            json.dump(results, handle, indent=1)
    print_report(score(results), missed=False)


# -- scoring -----------------------------------------------------------------------------------

def function_lines(path: str, cache: dict) -> dict[int, range]:
    """The def line of each function of a file -> the lines of its body."""
    if path not in cache:
        try:
            with open(path, encoding="utf-8") as handle:
                tree = ast.parse(handle.read())
        except (OSError, SyntaxError, ValueError):
            tree = ast.Module(body=[], type_ignores=[])
        cache[path] = {node.lineno: range(node.lineno, node.end_lineno + 1) for node in ast.walk(tree)
                       if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}
    return cache[path]


def places(findings: list[dict], root: str) -> dict[tuple[str, int], list[str]]:
    """(file relative to the project, line) -> how findings reach it: a finding on the line
    (its code), a chain step on the line ("CODE chain"), or a chain through the function that
    holds the line ("CODE via"): a chain names the first blocking call of a function it passes
    through, and a call of that function reaches the others too."""
    found = collections.defaultdict(list)
    parsed: dict = {}
    root = os.path.realpath(root)  # chains name real paths; the cache may hold links
    for finding in findings:
        path = os.path.normpath(finding["path"])
        for line in range(finding["line"], (finding.get("end_line") or finding["line"]) + 1):
            found[path, line].append(finding["code"])
        for step in finding.get("chain") or []:
            step_path = os.path.relpath(os.path.realpath(step["path"]), root)
            found[step_path, step["line"]].append(finding["code"] + " chain")
            for line in function_lines(step["path"], parsed).get(step["line"], ()):
                found[step_path, line].append(finding["code"] + " via")
    return found


def score(results: dict) -> list[tuple[dict, dict, list[str]]]:
    """(project list, case, codes that found it) for every case of every project run."""
    scored = []
    for project in load_lists():
        run_of = results["projects"].get(project["project"])
        if run_of is None:
            continue
        found = places(run_of["findings"], run_of["root"])
        for case in project["cases"]:
            scored.append((project, case, found.get((os.path.normpath(case["file"]), case["line"]), [])))
    return scored


def direct(codes: list[str]) -> bool:
    return any(not code.endswith(" via") for code in codes)


def tally(scored: list, key) -> dict[str, collections.Counter]:
    counts = collections.defaultdict(collections.Counter)
    for project, case, codes in scored:
        row = counts[key(project, case)]
        row["total"] += 1
        row["found"] += bool(codes)
        row["via"] += bool(codes) and not direct(codes)
    return counts


def print_report(scored: list, missed: bool) -> None:
    by_project = tally(scored, lambda project, case: f"{project['project']} {project['old']}")
    by_cause = tally(scored, lambda project, case: CAUSES[case["cause"]])
    every = tally(scored, lambda project, case: "**all**")
    for title, table in (("project (old release)", by_project), ("cause", by_cause)):
        print(f"| {title} | found / total | of which via a chain |\n|---|---:|---:|")
        for name, row in [*sorted(table.items()), *every.items()]:
            print(f"| {name} | {row['found']} / {row['total']} | {row['via']} |")
        print()
    if missed:
        for project, case, codes in scored:
            if not codes:
                print(f"missed [{case['cause']}] {project['project']} {case['file']}:{case['line']} "
                      f"{case['call']}: {case['why']}")


def load_results(path: str) -> dict:
    with open(path) as handle:
        return json.load(handle)


def compare(args: argparse.Namespace) -> None:
    before, after = score(load_results(args.before)), score(load_results(args.after))
    print("## before"), print_report(before, missed=False)
    print("\n## after"), print_report(after, missed=False)
    for (project, case, was), (_, _, now) in zip(before, after):
        if bool(was) != bool(now):
            change = "now found" if now else "LOST"
            print(f"{change} [{case['cause']}] {project['project']} {case['file']}:{case['line']} "
                  f"{case['call']} {sorted(set(now or was))}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0], allow_abbrev=False)
    commands = parser.add_subparsers(dest="command", required=True)
    for name, help_text in (("check", "every case's line in the old release holds its call"),
                            ("run", "download the old releases, run asynclint, print found/total")):
        sub = commands.add_parser(name, help=help_text)
        sub.add_argument("--cache", default=DEFAULT_CACHE, help="where to download and unpack (default %(default)s)")
    run_parser = commands.choices["run"]
    run_parser.add_argument("--asynclint", default="asynclint", help="the asynclint executable (default: on PATH)")
    run_parser.add_argument("-o", "--output", help="write the findings (JSON) here")
    report_parser = commands.add_parser("report", help="found/total of a saved run")
    report_parser.add_argument("results")
    report_parser.add_argument("--missed", action="store_true", help="list the cases not found")
    compare_parser = commands.add_parser("compare", help="two saved runs side by side, and the cases that changed")
    compare_parser.add_argument("before")
    compare_parser.add_argument("after")
    args, extra = parser.parse_known_args()
    if extra and args.command != "run":
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if args.command == "check":
        check(args)
    elif args.command == "run":
        run(args, extra)
    elif args.command == "report":
        print_report(score(load_results(args.results)), args.missed)
    else:
        compare(args)


if __name__ == "__main__":
    main()
