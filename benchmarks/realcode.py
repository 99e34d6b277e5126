#!/usr/bin/env python3
"""asynclint's findings on the sources of 20 popular async packages, rule by rule (issue 12).

Run by hand from the repository root (never by the tests; it downloads from PyPI):

    python benchmarks/realcode.py run -o /tmp/after.json                 # download, check, print the table
    python benchmarks/realcode.py run --src /work/corpus/src -o /tmp/a.json --select ALL
    python benchmarks/realcode.py run --asynclint /other/checkout/.venv/bin/asynclint -o /tmp/b.json
    python benchmarks/realcode.py table /tmp/after.json
    python benchmarks/realcode.py sample /tmp/after.json --per-rule 25 --seed 1 --rules ASL401,ASL108
    python benchmarks/realcode.py diff /tmp/before.json /tmp/after.json

``run`` checks each package with one ``asynclint check --no-cache --format json --exit-zero .``
in the package's folder; arguments it does not know (``--select ALL``, ``--extend-select ASL402``)
are passed on to asynclint. Only the CLI is used, so two checkouts of any age can be compared.
A result set is the JSON file ``run -o`` writes, or a folder of ``<package>.json`` files that are
each one run's JSON output (such as /work/baseline).
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_CACHE = os.path.join(HERE, "corpus", "realcode")

PACKAGES = [
    "aiohttp==3.14.5", "httpx==0.28.1", "httpcore==1.0.9", "anyio==4.16.0", "starlette==1.10.0",
    "fastapi==0.165.0", "uvicorn==0.54.0", "aiofiles==25.1.0", "asyncpg==0.32.0", "redis==8.1.0",
    "motor==3.7.1", "aiokafka==0.14.0", "websockets==17.4", "sanic==25.12.1", "tornado==6.6.1",
    "aiosqlite==0.22.1", "trio==0.35.0", "discord.py==2.7.1", "aiogram==3.31.0", "telethon==1.45.0",
]
# Packages whose sdist does not build its metadata here: their wheel holds the same library code.
WHEEL_ONLY = {"telethon"}

TEST_DIRS = {"test", "tests", "_tests", "testing"}
EXAMPLE_DIRS = {"example", "examples", "doc", "docs"}


def folder_name(requirement: str) -> str:
    """`discord.py==2.7.1` -> `discord_py-2.7.1`, the name its archive unpacks to."""
    name, version = requirement.split("==")
    return f"{re.sub(r'[-_.]+', '_', name).lower()}-{version}"


def where(path: str) -> str:
    """Is a finding in the library, its tests, or examples/docs?"""
    parts = path.replace("\\", "/").split("/")
    filename = parts[-1]
    if TEST_DIRS & set(parts[:-1]) or filename.startswith("test_") or filename.endswith("_test.py") \
            or filename == "conftest.py":
        return "tests"
    if EXAMPLE_DIRS & set(parts[:-1]):
        return "examples"
    return "library"


# -- getting the sources -----------------------------------------------------------------------

def download(cache: str) -> str:
    """Fetch every package's sdist (telethon: its wheel) into cache/dist, unpack into cache/src."""
    for requirement in PACKAGES:
        fetch(requirement, cache, wheel=requirement.split("==")[0] in WHEEL_ONLY)
    return os.path.join(cache, "src")


def fetch(requirement: str, cache: str, wheel: bool = False) -> str:
    """One package's source folder, cache/src/<name>-<version>, downloaded and unpacked on first use."""
    dist, src = os.path.join(cache, "dist"), os.path.join(cache, "src")
    os.makedirs(dist, exist_ok=True)
    os.makedirs(src, exist_ok=True)
    target = os.path.join(src, folder_name(requirement))
    if not os.path.isdir(target):
        # The package's own sdist, but its build backend (uv_build, maturin, Cython...) from wheels:
        # `--no-binary :all:` would compile those from source too, minutes each (a Rust toolchain for some).
        name = requirement.split("==")[0]
        kind = ["--only-binary", ":all:"] if wheel else ["--no-binary", name]
        print(f"downloading {requirement}", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", *kind,
                        "-d", dist, requirement], check=True)
        unpack(os.path.join(dist, archive_of(dist, requirement)), target)
    return target


def archive_of(dist: str, requirement: str) -> str:
    """The sdist or wheel of `requirement` in dist, whatever spelling of its name it uses."""
    name, version = folder_name(requirement).split("-")
    for entry in os.listdir(dist):
        # An old sdist may keep the hyphens of its name (python-matter-server-5.5.0.tar.gz); a
        # wheel's name never has one (telethon-1.45.0-py3-none-any.whl).
        for suffix in (f"-{version}.tar.gz", f"-{version}.zip"):
            if entry.endswith(suffix) and folder_name(f"{entry[:-len(suffix)]}=={version}") == f"{name}-{version}":
                return entry
        project, _, rest = entry.partition("-")
        if folder_name(f"{project}=={version}") == f"{name}-{version}" and rest.startswith(f"{version}-"):
            return entry
    sys.exit(f"pip downloaded no archive of {requirement} into {dist}")


def unpack(archive: str, target: str) -> None:
    scratch = target + ".partial"
    shutil.rmtree(scratch, ignore_errors=True)
    if archive.endswith(".whl") or archive.endswith(".zip"):
        with zipfile.ZipFile(archive) as zipped:
            zipped.extractall(scratch)
    else:
        with tarfile.open(archive) as tarred:
            tarred.extractall(scratch, filter="data")
    entries = os.listdir(scratch)
    # An sdist holds one top folder (name-version/); a wheel holds the package itself.
    inner = os.path.join(scratch, entries[0]) if archive.endswith(".tar.gz") and len(entries) == 1 else scratch
    os.rename(inner, target)
    shutil.rmtree(scratch, ignore_errors=True)


# -- running asynclint -------------------------------------------------------------------------

def run(args: argparse.Namespace, extra: list[str]) -> None:
    src = args.src or download(args.cache)
    asynclint = os.path.abspath(args.asynclint) if os.sep in args.asynclint else args.asynclint  # runs in each package
    results = {"asynclint": asynclint, "extra_args": extra, "packages": {}}
    for requirement in PACKAGES:
        name = folder_name(requirement)
        root = os.path.abspath(os.path.join(src, name))
        if not os.path.isdir(root):
            sys.exit(f"{root} is missing: run without --src to download it")
        findings = check_folder(asynclint, root, extra)
        print(f"{name}: {len(findings)} findings", file=sys.stderr)
        results["packages"][name] = {"root": root, "findings": findings}
    if args.output:
        with open(args.output, "w") as handle:
            json.dump(results, handle, indent=1)
    print_table(results["packages"])


def check_folder(asynclint: str, root: str, extra: list[str]) -> list[dict]:
    """The findings of one `asynclint check` of a package's folder, run in that folder."""
    command = [asynclint, "check", "--no-cache", "--format", "json", "--exit-zero", *extra, "."]
    done = subprocess.run(command, cwd=root, capture_output=True, text=True)
    try:
        return json.loads(done.stdout)
    except json.JSONDecodeError:
        sys.exit(f"{root}: asynclint exited {done.returncode} without JSON:\n{done.stderr[-2000:]}")


def load(path: str) -> dict:
    """A result set: {package: {"root": folder or None, "findings": [...]}}."""
    if os.path.isdir(path):
        return {entry[:-5]: {"root": None, "findings": json.load(open(os.path.join(path, entry)))}
                for entry in sorted(os.listdir(path)) if entry.endswith(".json")}
    return json.load(open(path))["packages"]


# -- reports -----------------------------------------------------------------------------------

def print_table(packages: dict) -> None:
    counts = collections.defaultdict(collections.Counter)
    for package in packages.values():
        for finding in package["findings"]:
            counts[finding["code"]][where(finding["path"])] += 1
            counts["total"][where(finding["path"])] += 1
    print("| rule | findings | library | tests | examples/docs |")
    print("|---|---:|---:|---:|---:|")
    for code in sorted(counts, key=lambda c: (c == "total", c)):
        row = counts[code]
        label = f"**{code}**" if code == "total" else code
        print(f"| {label} | {sum(row.values())} | {row['library']} | {row['tests']} | {row['examples']} |")


def sample(args: argparse.Namespace) -> None:
    packages = load(args.results)
    by_rule = collections.defaultdict(list)
    for name, package in sorted(packages.items()):
        for finding in package["findings"]:
            if args.library_only and where(finding["path"]) != "library":
                continue
            by_rule[finding["code"]].append((name, package["root"] or os.path.join(args.src, name), finding))
    wanted = args.rules.split(",") if args.rules else sorted(by_rule)
    rng = random.Random(args.seed)
    for code in wanted:
        found = sorted(by_rule.get(code, []), key=lambda e: (e[0], e[2]["path"], e[2]["line"], e[2]["column"]))
        drawn = rng.sample(found, min(args.per_rule, len(found)))
        print(f"\n{'=' * 100}\n{code}: {len(drawn)} drawn of {len(found)} (seed {args.seed})")
        for number, (name, root, finding) in enumerate(drawn, 1):
            print(f"\n--- {code} #{number}  {name}/{finding['path'].lstrip('./')}:{finding['line']}:{finding['column']}"
                  f"  [{where(finding['path'])}]")
            print(f"    {finding['message']}")
            print(context(os.path.join(root, finding["path"]), finding["line"], finding.get("end_line") or finding["line"],
                          args.context))


def context(path: str, line: int, end_line: int, size: int) -> str:
    try:
        lines = open(path, encoding="utf-8", errors="replace").read().splitlines()
    except OSError as error:
        return f"    ({error})"
    end_line = min(end_line, line + size)  # a multi-line call: show its start, not all of it
    first, last = max(1, line - size // 2), min(len(lines), end_line + size // 2)
    return "\n".join(f"{'>' if line <= n <= end_line else ' '}{n:5d} | {lines[n - 1]}" for n in range(first, last + 1))


def diff(args: argparse.Namespace) -> None:
    """Per rule: findings before, after, lost and gained; a lost finding whose place gained
    another code (ASL401 -> ASL402) is listed as recoded, not lost."""
    before, after = load(args.before), load(args.after)

    def keyed(packages: dict) -> dict:
        return {(name, f["path"], f["line"], f["column"], f["code"]): f
                for name, package in packages.items() for f in package["findings"]}

    old, new = keyed(before), keyed(after)
    new_places = collections.defaultdict(set)
    for (name, path, line, column, code) in new:
        new_places[name, path, line, column].add(code)
    lost = collections.defaultdict(list)
    gained = collections.defaultdict(list)
    recoded = collections.Counter()
    for key in old.keys() - new.keys():
        if new_places.get(key[:4], set()) - {key[4]}:
            recoded[key[4], ",".join(sorted(new_places[key[:4]]))] += 1
        lost[key[4]].append(key)
    for key in new.keys() - old.keys():
        gained[key[4]].append(key)
    codes = sorted({k[4] for k in old} | {k[4] for k in new})
    print("| rule | before | after | lost | gained |")
    print("|---|---:|---:|---:|---:|")
    for code in codes:
        print(f"| {code} | {sum(k[4] == code for k in old)} | {sum(k[4] == code for k in new)} "
              f"| {len(lost[code])} | {len(gained[code])} |")
    print(f"| **total** | {len(old)} | {len(new)} | {sum(map(len, lost.values()))} | {sum(map(len, gained.values()))} |")
    for (was, now), count in sorted(recoded.items()):
        print(f"\n{count} lost {was} findings are reported at the same place as {now}")
    for title, table, source in (("lost", lost, old), ("gained", gained, new)):
        for code in codes:
            for key in sorted(table[code])[: args.show]:
                print(f"{title} {code} {key[0]}/{key[1].lstrip('./')}:{key[2]}: {source[key]['message']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0], allow_abbrev=False)
    commands = parser.add_subparsers(dest="command", required=True)
    run_parser = commands.add_parser("run", allow_abbrev=False,
                                     help="check every package (other arguments go to asynclint)")
    run_parser.add_argument("--src", help="a folder already holding <name>-<version>/ of each package")
    run_parser.add_argument("--cache", default=DEFAULT_CACHE, help="where to download and unpack (default %(default)s)")
    run_parser.add_argument("--asynclint", default=shutil.which("asynclint") or "asynclint",
                            help="the asynclint executable (default: the one on PATH)")
    run_parser.add_argument("-o", "--output", help="write the result set (JSON) here")
    table_parser = commands.add_parser("table", help="the per-rule table of a result set")
    table_parser.add_argument("results")
    sample_parser = commands.add_parser("sample", help="a seeded random sample of findings per rule, with code")
    sample_parser.add_argument("results")
    sample_parser.add_argument("--per-rule", type=int, default=25)
    sample_parser.add_argument("--seed", type=int, default=1)
    sample_parser.add_argument("--rules", help="comma-separated codes (default: every rule found)")
    sample_parser.add_argument("--library-only", action="store_true", help="skip tests, examples and docs")
    sample_parser.add_argument("--context", type=int, default=8, help="lines of code around each finding")
    sample_parser.add_argument("--src", default=os.path.join(DEFAULT_CACHE, "src"),
                               help="the sources, for a result set that is a folder of JSON files")
    diff_parser = commands.add_parser("diff", help="what each rule lost and gained between two result sets")
    diff_parser.add_argument("before")
    diff_parser.add_argument("after")
    diff_parser.add_argument("--show", type=int, default=10, help="findings listed per rule and direction")
    args, extra = parser.parse_known_args()
    if extra and args.command != "run":
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if args.command == "run":
        run(args, extra)
    elif args.command == "table":
        print_table(load(args.results))
    elif args.command == "sample":
        sample(args)
    else:
        diff(args)


if __name__ == "__main__":
    main()
