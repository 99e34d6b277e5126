#!/usr/bin/env python3
"""Recall of asynclint on flake8-async's own test files, per flake8-async code.

Run by hand from the repository root (never by the tests):

    python benchmarks/flake8_async_recall.py                      # pip-downloads the sdist
    python benchmarks/flake8_async_recall.py PATH                 # an sdist .tar.gz or its unpacked folder
    python benchmarks/flake8_async_recall.py PATH --json out.json

flake8-async's ``tests/eval_files`` mark each expected error on its line (``# error: ...`` for the
code the file is named after, ``# ASYNC232: ...`` for another). The script copies the files of the
codes below to a scratch folder, prepares them (see ``prepare``), runs ``asynclint check`` over
them once and prints, per flake8-async code:

- recall: expected lines on which asynclint reports one of the matching ASL codes, or that a finding
  names among the later calls on the object its call made (``with open(p) as f: f.read()`` is one
  finding), / expected lines;
- false positives: findings of those ASL codes on lines of the same files that expect no error
  (a line whose comment says its case "should error" or is "not handled" by flake8-async is neither).

Preparation, line numbers unchanged: asynclint resolves names through imports by design (it never
guesses from a bare name), so a module a file uses without importing it is imported at the end of
the file (function bodies are resolved after the whole module is read).
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile

VERSION = "26.8.1"

# flake8-async code -> the asynclint codes that report the same thing.
EQUIVALENT: dict[str, tuple[str, ...]] = {
    "ASYNC105": ("ASL201",),
    "ASYNC210": ("ASL102",), "ASYNC211": ("ASL102",), "ASYNC212": ("ASL102",),
    "ASYNC220": ("ASL105",), "ASYNC221": ("ASL105",), "ASYNC222": ("ASL105",),
    "ASYNC230": ("ASL103",), "ASYNC231": ("ASL103",),
    "ASYNC232": ("ASL104",),  # a method of a file object (opening it is ASYNC230, ASL103)
    "ASYNC240": ("ASL104",),
    "ASYNC250": ("ASL109",),
    "ASYNC251": ("ASL101",),
    "ASYNC300": ("ASL203",),
}
ASL_CODES = sorted({code for codes in EQUIVALENT.values() for code in codes})

# Modules the eval files use by name; a file that uses one without importing it gets the import.
MODULES = frozenset(
    "anyio asyncio httpx httpx2 io os pathlib requests socket subprocess sys time trio urllib urllib3".split())
# Names the eval files use as if imported from a module.
FROM_IMPORTS = {"urlopen": "urllib.request", "request": "urllib", "Optional": "typing"}

# How a finding names the later calls on the object its call made, and the code they count as.
LATER_CALLS = "later calls on what it returns:"
NAMED = "named"

_MARKER = re.compile(r"(error|ASYNC\d\d\d)(_\w*)?:([^#]*)(?=#|$)")
_FILE_CODE = re.compile(r"async(\d\d\d)")


def expected_lines(source: str, file_code: str | None) -> dict[int, set[str]]:
    """line -> the flake8-async codes expected there, read as flake8-async's test harness reads them."""
    expected: dict[int, set[str]] = {}
    for lineno, line in enumerate(source.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or "#" not in stripped:
            continue
        if "should error" in stripped or "not handled" in stripped:
            expected[lineno] = set()  # a known gap of flake8-async: not a negative line
            continue
        for code, _, _ in _MARKER.findall(stripped[stripped.index("#"):]):
            code = file_code if code == "error" else code
            if code:
                expected.setdefault(lineno, set()).add(code)
    return expected


def prepare(source: str) -> str:
    """The source with an import of each known module it uses but never binds, at the end."""
    tree = ast.parse(source)
    bound, used = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (used if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, ast.alias):
            bound.add((node.asname or node.name).partition(".")[0])
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
    missing = used - bound
    imports = [f"import {name}\n" for name in sorted(missing & MODULES)]
    imports += [f"from {FROM_IMPORTS[name]} import {name}\n" for name in sorted(missing & FROM_IMPORTS.keys())]
    return source.rstrip("\n") + "\n" + "".join(imports) if imports else source


def eval_files(root: str) -> str:
    folder = os.path.join(root, "tests", "eval_files")
    if not os.path.isdir(folder):
        sys.exit(f"no tests/eval_files in {root}")
    return folder


def sdist_root(path: str | None, scratch: str) -> str:
    """The unpacked sdist: ``path`` itself when it is a folder, else unpacked from the archive
    (downloaded with pip when no path is given)."""
    if path and os.path.isdir(path):
        return path
    if not path:
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", "flake8-async",
                        f"flake8-async=={VERSION}", "-d", scratch], check=True)
        path = next(os.path.join(scratch, n) for n in os.listdir(scratch) if n.endswith(".tar.gz"))
    with tarfile.open(path) as archive:
        archive.extractall(scratch, filter="data")
    top = next(n for n in os.listdir(scratch) if os.path.isdir(os.path.join(scratch, n)))
    return os.path.join(scratch, top)


def measure(root: str, scratch: str) -> dict:
    folder = eval_files(root)
    work = os.path.join(scratch, "prepared")
    os.makedirs(work, exist_ok=True)
    expectations: dict[str, dict[int, set[str]]] = {}
    for name in sorted(os.listdir(folder)):
        match = _FILE_CODE.match(name)
        if not name.endswith(".py"):
            continue
        with open(os.path.join(folder, name), encoding="utf-8") as f:
            source = f.read()
        expected = expected_lines(source, f"ASYNC{match.group(1)}" if match else None)
        if not any(code in EQUIVALENT for codes in expected.values() for code in codes):
            continue
        with open(os.path.join(work, name), "w", encoding="utf-8") as f:
            f.write(prepare(source))
        expectations[name] = expected
    run = subprocess.run(
        [sys.executable, "-m", "asynclint", "check", "--no-cache", "--exit-zero", "--format", "json",
         "--select", ",".join(ASL_CODES), "."], cwd=work, capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"asynclint failed:\n{run.stderr}")
    found: dict[str, dict[int, set[str]]] = {}
    for finding in json.loads(run.stdout):
        lines = found.setdefault(os.path.basename(finding["path"]), {})
        lines.setdefault(finding["line"], set()).add(finding["code"])
        # A finding on a call that makes an object names the object's later blocking calls.
        _, _, later = finding["message"].partition(LATER_CALLS)
        for line in re.findall(r"\(line (\d+)\)", later):
            lines.setdefault(int(line), set()).add(NAMED)
    results = {}
    for code, asl in EQUIVALENT.items():
        expected_count = reported = false_positives = 0
        missed, wrong = [], []
        for name, expected in expectations.items():
            if not any(code in codes for codes in expected.values()):
                continue
            reported_here = found.get(name, {})
            for line, codes in expected.items():
                if code in codes:
                    expected_count += 1
                    if reported_here.get(line, set()) & {*asl, NAMED}:
                        reported += 1
                    else:
                        missed.append(f"{name}:{line}")
            for line, codes in reported_here.items():
                if codes & set(asl) and line not in expected:
                    false_positives += 1
                    wrong.append(f"{name}:{line}")
        results[code] = {"asynclint": list(asl), "expected": expected_count, "reported": reported,
                         "recall": reported / expected_count if expected_count else None,
                         "false_positives": false_positives, "missed": missed, "false_positive_lines": wrong}
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sdist", nargs="?", help=f"flake8-async {VERSION} sdist (.tar.gz) or its unpacked folder")
    parser.add_argument("--json", help="write the per-code results, with missed lines, to this file")
    parser.add_argument("--missed", action="store_true", help="list the missed and false-positive lines")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="asynclint-recall-") as scratch:
        results = measure(sdist_root(args.sdist, scratch), scratch)
    print(f"flake8-async {VERSION} eval files\n")
    print("| flake8-async | asynclint | expected | reported | recall | false positives |")
    print("|---|---|---:|---:|---:|---:|")
    for code, r in results.items():
        recall = f"{r['recall']:.0%}" if r["recall"] is not None else "-"
        print(f"| {code} | {', '.join(r['asynclint'])} | {r['expected']} | {r['reported']} | {recall} | "
              f"{r['false_positives']} |")
        if args.missed and (r["missed"] or r["false_positive_lines"]):
            print(f"|   missed: {' '.join(r['missed'])} fp: {' '.join(r['false_positive_lines'])} |")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
