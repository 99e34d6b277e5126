#!/usr/bin/env python3
"""Does `asynclint check --fix --unsafe-fixes` leave a diff a reviewer merges? (issue 23)

Run by hand from the repository root (never by the tests; it downloads from PyPI):

    python benchmarks/fix_style.py --asynclint .venv/bin/asynclint             # the 8 projects
    python benchmarks/fix_style.py quart --asynclint A --asynclint B            # compare two builds
    python benchmarks/fix_style.py --corpus /work/dl/realcode --asynclint A     # and realcode.py's corpus
    python benchmarks/fix_style.py --safe --asynclint A                         # after --fix alone

For each project, its sdist at the pinned version is unpacked into ``<scratch>/<project>/before``
(``fix_suites.fetch``), copied and fixed by each asynclint given (``fix_suites.apply_fixes``),
and ruff is asked, in each tree under the project's own settings (its pyproject.toml's line
length and isort options): the number of ``I001`` (unsorted imports) and ``E501`` (line too long)
findings, and the files ``ruff format --check`` would reformat (and, for a file already unformatted
before, the lines ruff's formatter would change in it). A fix should add none of them.
``--corpus CACHE`` adds the packages realcode.py unpacked into ``CACHE/src`` (its ``--cache``),
each copied as it is into ``<scratch>/<package>/before``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fix_suites import Project, apply_fixes, fetch  # noqa: E402

PROJECTS = {name: Project(requirement=requirement, command=[]) for name, requirement in {
    "starlette": "starlette==1.10.0", "httpx": "httpx==0.28.1", "aiosqlite": "aiosqlite==0.22.1",
    "websockets": "websockets==17.4", "quart": "quart==0.22.0", "arq": "arq==0.28.0",
    "uvicorn": "uvicorn==0.54.0", "tornado": "tornado==6.6.1",
}.items()}
RUFF = [sys.executable, "-m", "ruff"]


def ruff_counts(tree: str) -> dict:
    """I001 and E501 findings, and the files ruff's formatter would change, in one tree."""
    checked = subprocess.run([*RUFF, "check", "--select", "I001,E501", "--output-format", "json", "--exit-zero",
                              "--no-cache", "."], cwd=tree, capture_output=True, text=True)
    found = json.loads(checked.stdout or "[]")
    codes = Counter(f["code"] for f in found)
    formatted = subprocess.run([*RUFF, "format", "--check", "--no-cache", "."], cwd=tree, capture_output=True,
                               text=True)
    # "Would reformat: path" (older ruff) or "unformatted: ..." then " --> path:line:column" (newer).
    unformatted = sorted(set(re.findall(r"^Would reformat: (.+)$", formatted.stdout, re.M)
                             + re.findall(r"^unformatted:.*\n\s*--> (.+?):\d+:\d+", formatted.stdout, re.M)))
    by_file = Counter(os.path.relpath(f["filename"], tree) for f in found)
    return {"I001": codes["I001"], "E501": codes["E501"], "unformatted": unformatted,
            "by_file": dict(by_file), "reformatted_lines": reformatted_lines(tree, unformatted)}


def reformatted_lines(tree: str, files: list[str]) -> dict[str, int]:
    """For each file ruff's formatter would change, the lines its diff removes and adds: a file
    that was unformatted before the fix must not become more so."""
    if not files:
        return {}
    done = subprocess.run([*RUFF, "format", "--diff", "--no-cache", *files], cwd=tree, capture_output=True, text=True)
    counts: Counter = Counter()
    current = None
    for line in done.stdout.splitlines():
        if line.startswith("--- "):
            current = os.path.normpath(line[4:].split("\t")[0])
        elif line.startswith("+++ "):
            continue
        elif current and line[:1] in "+-":
            counts[current] += 1
    return dict(counts)


def pristine(name: str, workdir: str, corpus: str | None) -> str:
    """The tree before the fix: the project's sdist, or a corpus package copied afresh."""
    if name in PROJECTS:
        return fetch(PROJECTS[name], workdir)
    before = os.path.join(workdir, "before")
    shutil.rmtree(before, ignore_errors=True)
    shutil.copytree(os.path.join(corpus, "src", name), before)
    return before


def measure(name: str, builds: list[str], scratch: str, corpus: str | None = None, unsafe: bool = True) -> dict:
    workdir = os.path.join(scratch, name)
    os.makedirs(workdir, exist_ok=True)
    before = pristine(name, workdir, corpus)
    result = {"before": ruff_counts(before)}
    for index, build in enumerate(builds):
        after = os.path.join(workdir, f"after{index}")
        changed, summary = apply_fixes(build, before, after, unsafe)
        counts = ruff_counts(after)
        base = result["before"]
        counts["fix"] = summary.splitlines()[-1] if summary else ""
        counts["changed"] = changed
        # What the fix added, in the files it changed: findings and files to reformat.
        counts["new_findings"] = {path: counts["by_file"].get(path, 0) - base["by_file"].get(path, 0)
                                  for path in changed if counts["by_file"].get(path, 0) > base["by_file"].get(path, 0)}
        counts["newly_unformatted"] = sorted(
            path for path in set(counts["unformatted"]) & set(changed)
            if counts["reformatted_lines"].get(path, 0) > base["reformatted_lines"].get(path, 0))
        result[build] = counts
    return result


def table(results: dict, builds: list[str]) -> str:
    rows = ["| project | files fixed | I001 | E501 | files `ruff format` would change |", "|---|---|---|---|---|"]
    for name, result in results.items():
        base = result["before"]
        cells = [f"{len(result[b]['changed'])}" for b in builds]
        i001 = " → ".join([str(base["I001"]), *(str(result[b]["I001"]) for b in builds)])
        e501 = " → ".join([str(base["E501"]), *(str(result[b]["E501"]) for b in builds)])
        fmt = " → ".join([str(len(base["unformatted"])), *(str(len(result[b]["unformatted"])) for b in builds)])
        rows.append(f"| {name} | {' / '.join(cells)} | {i001} | {e501} | {fmt} |")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("projects", nargs="*", help=f"among {', '.join(PROJECTS)} (default: all of them)")
    parser.add_argument("--asynclint", action="append", required=True,
                        help="an asynclint executable that fixes; give it more than once to compare builds")
    parser.add_argument("--scratch", default="/tmp/fix_style", help="where the trees go (%(default)s)")
    parser.add_argument("--corpus", help="realcode.py's cache: its unpacked packages (CACHE/src/*) are measured too")
    parser.add_argument("--safe", dest="unsafe", action="store_false",
                        help="fix with --fix alone (the safe fixes), not --fix --unsafe-fixes")
    parser.add_argument("-o", "--output", help="write the results as JSON here")
    args = parser.parse_args()
    corpus = os.path.abspath(args.corpus) if args.corpus else None
    # A corpus package already among the projects (httpx-0.28.1 is httpx==0.28.1) is measured once.
    pinned = {requirement.replace("==", "-") for requirement in (p.requirement for p in PROJECTS.values())}
    packages = sorted({entry for entry in os.listdir(os.path.join(corpus, "src")) if not entry.endswith(".partial")}
                      - pinned) if corpus else []
    unknown = set(args.projects) - set(PROJECTS) - set(packages)
    if unknown:
        parser.error(f"unknown project(s): {', '.join(sorted(unknown))}; known: {', '.join([*PROJECTS, *packages])}")
    builds = [os.path.abspath(b) if os.sep in b else b for b in args.asynclint]
    results = {}
    for name in args.projects or [*PROJECTS, *packages]:
        results[name] = measure(name, builds, os.path.abspath(args.scratch), corpus, args.unsafe)
        for build in builds:
            added = results[name][build]
            print(f"{name} [{build}]: {added['fix']}; new findings {added['new_findings'] or 'none'}; "
                  f"newly unformatted {added['newly_unformatted'] or 'none'}", file=sys.stderr)
    print(table(results, builds))
    if args.output:
        with open(args.output, "w") as handle:
            json.dump(results, handle, indent=1)


if __name__ == "__main__":
    main()
