#!/usr/bin/env python3
"""Do real projects' test suites still pass after `asynclint check --fix --unsafe-fixes`? (issue 14)

Run by hand from the repository root (never by the tests; it downloads from PyPI):

    python benchmarks/fix_suites.py                           # uvicorn, tornado, aiofiles, anyio, aiohttp, starlette, aiosqlite, distributed
    python benchmarks/fix_suites.py starlette --safe          # --fix alone (the safe fixes), into after-safe/
    python benchmarks/fix_suites.py uvicorn --asynclint ../main/.venv/bin/asynclint
    python benchmarks/fix_suites.py tornado --reuse-before    # keep the "before" results of a previous run

For each project, in a scratch folder (default /tmp/fix_suites, ``--scratch``):

1. ``pip download`` its sdist at the pinned version and unpack it into ``before/``;
2. a venv per project (made once) with the test dependencies the project declares, and the
   project installed editable from the tree under test;
3. run the suite (bounded: a per-test timeout and a timeout for the whole run), recording the
   outcome of every test id as it finishes, so a run killed by the timeout keeps what it saw;
4. copy ``before/`` to ``after/``, run ``asynclint check --fix --unsafe-fixes --no-cache .`` there
   (the whole tree, tests included), reinstall from ``after/`` and run the suite again;
5. print the tests passed before and after, the tests that passed before and fail or never finish
   after, and the files the fix changed (the full diff is in ``<scratch>/<project>/fix.diff``).

Only the CLI is used, so any checkout's asynclint can be measured. Tests that need the
internet fail in both runs: the comparison is what counts. distributed's sdist ships no tests:
its "suite" is our smoke tests, benchmarks/distributed_smoke.py.
"""

from __future__ import annotations

import argparse
import dataclasses
import filecmp
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
import tomllib

HERE = os.path.dirname(os.path.abspath(__file__))
FAILED = ("failed", "error", "collection error")

# Records each test's outcome as one JSON line in $FIX_SUITES_RECORD, as soon as it is known;
# a module that fails to import is recorded under its own id.
PYTEST_RECORDER = '''
import json, os

def _record(nodeid, outcome):
    with open(os.environ["FIX_SUITES_RECORD"], "a") as record:
        record.write(json.dumps({"id": nodeid, "outcome": outcome}) + "\\n")

def pytest_runtest_logreport(report):
    if report.when == "call" or report.outcome != "passed":
        _record(report.nodeid, "error" if report.failed and report.when != "call" else report.outcome)

def pytest_collectreport(report):
    if report.failed:
        _record(report.nodeid, "collection error")
'''

# The same for a unittest runner: wraps the result methods every TestResult subclass calls.
UNITTEST_RECORDER = '''
import json, os, unittest

def _recording(method, outcome):
    def record(self, test, *args):
        with open(os.environ["FIX_SUITES_RECORD"], "a") as record_file:
            failed_subtest = method == "addSubTest" and args[-1] is not None
            if method != "addSubTest" or failed_subtest:
                record_file.write(json.dumps({"id": test.id(), "outcome": outcome}) + "\\n")
        return getattr(unittest.TestResult, "_fix_suites_" + method)(self, test, *args)
    return record

for _method, _outcome in [("addSuccess", "passed"), ("addFailure", "failed"), ("addError", "error"),
                          ("addSkip", "skipped"), ("addExpectedFailure", "xfailed"),
                          ("addUnexpectedSuccess", "failed"), ("addSubTest", "failed")]:
    setattr(unittest.TestResult, "_fix_suites_" + _method, getattr(unittest.TestResult, _method))
    setattr(unittest.TestResult, _method, _recording(_method, _outcome))
'''


@dataclasses.dataclass
class Project:
    requirement: str
    command: list[str]  # run in the tree, with the venv's python first on PATH
    env: dict[str, str] = dataclasses.field(default_factory=dict)
    extras: str = ""  # the project's own extras its tests need
    test_group: str = ""  # the pyproject [dependency-groups] entry holding its test dependencies
    skip_deps: tuple[str, ...] = ()  # tools in that group that no test needs (linters, type checkers)
    extra_deps: tuple[str, ...] = ()
    runner: str = "pytest"
    own_tests: str = ""  # a test module of ours (in benchmarks/), copied to <scratch>/<project>/own_tests/


PROJECTS = {
    "uvicorn": Project(
        requirement="uvicorn==0.54.0",
        # -p no:cacheprovider: the tree stays as unpacked; -n 2: the machine's two cores;
        # --timeout: pytest-timeout fails a hung test instead of stalling the run.
        command=["python", "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "fix_suites_recorder",
                 "-n", "2", "--timeout", "60", "tests"],
        extras="standard", test_group="dev",
        skip_deps=("uvicorn", "ruff", "mypy", "types-", "twine"),
        extra_deps=("pytest-timeout",),
    ),
    "tornado": Project(
        requirement="tornado==6.6.1",
        # python -m tornado.test.runtests, with the recorder loaded first
        command=["python", "-c", "import fix_suites_recorder, runpy;"
                 " runpy.run_module('tornado.test.runtests', run_name='__main__', alter_sys=True)"],
        # tox.ini's setting for loaded CI machines: the per-test timeout of async tests.
        env={"ASYNC_TEST_TIMEOUT": "25"},
        runner="unittest",
    ),
    # Its tests open files in async tests and read them back: findings with later calls (issue 13).
    "aiofiles": Project(
        requirement="aiofiles==25.1.0",
        command=["python", "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "fix_suites_recorder",
                 "--timeout", "60", "tests"],
        test_group="test", skip_deps=("coverage",), extra_deps=("pytest-timeout",),
    ),
    # The corpus package with the most fixes (18 files: sockets, TLS, files, subprocesses and
    # temporary files in its tests and its own code), its suite run on asyncio and on trio.
    "anyio": Project(
        requirement="anyio==4.16.0",
        command=["python", "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "fix_suites_recorder",
                 "-n", "2", "--timeout", "60", "tests"],
        extras="trio", test_group="test", skip_deps=("coverage",), extra_deps=("pytest-xdist",),
    ),
    # The second most fixed (12 test modules: files, sockets, cookie jars). Pure Python (run with
    # AIOHTTP_NO_EXTENSIONS=1 set, for the build too); its pytest.ini's coverage options left out
    # with its addopts, keeping its default selection of tests.
    "aiohttp": Project(
        requirement="aiohttp==3.14.5",
        command=["python", "-m", "pytest", "-q", "-o", "addopts=", "-p", "no:cacheprovider",
                 "-p", "fix_suites_recorder", "-n", "2", "--timeout", "120",
                 "-m", "not dev_mode and not autobahn and not internal", "tests"],
        env={"AIOHTTP_NO_EXTENSIONS": "1"},
        extra_deps=("blockbuster", "coverage", "isal", "zlib_ng", "pytest-xdist", "pytest-codspeed", "trustme", "freezegun",
                    "proxy.py", "pytest", "pytest-mock", "pytest-timeout", "gunicorn", "uvloop"),
    ),
    # The rest of issue 23's eight projects whose sdists ship their tests. (websockets and quart
    # ship none; arq's need Docker, its conftest starts redis in testcontainers; httpx's and
    # arq's trees the fix leaves unchanged.)
    "starlette": Project(
        requirement="starlette==1.10.0",
        command=["python", "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "fix_suites_recorder",
                 "-n", "2", "--timeout", "60", "tests"],
        extras="full", test_group="dev",
        skip_deps=("starlette", "ruff", "mypy", "types-", "twine", "coverage", "pytest-codspeed"),
        extra_deps=("pytest-timeout", "pytest-xdist"),
    ),
    "aiosqlite": Project(
        requirement="aiosqlite==0.22.1",
        # python -m unittest aiosqlite.tests, with the recorder loaded first
        command=["python", "-c", "import fix_suites_recorder, runpy;"
                 " runpy.run_module('unittest', run_name='__main__', alter_sys=True)", "aiosqlite.tests"],
        runner="unittest",
    ),
    # Its sdist ships no tests: our smoke tests of what issue 14 saw break, run from outside the tree.
    "distributed": Project(
        requirement="distributed==2026.8.0",
        command=["python", "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "fix_suites_recorder",
                 "--timeout", "180", "../own_tests"],
        extra_deps=("pytest", "pytest-timeout"),
        own_tests="distributed_smoke.py",
    ),
}


def sh(command: list[str]) -> None:
    """Run a set-up step; its output is shown only if it fails (pip's build backends are chatty)."""
    print("+", " ".join(command), file=sys.stderr)
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"{done.stdout}{done.stderr}\nexit {done.returncode}: {' '.join(command)}")


def fetch(project: Project, workdir: str) -> str:
    """The pristine tree of the sdist, unpacked afresh into workdir/before."""
    dist = os.path.join(workdir, "dist")
    if not os.path.isdir(dist) or not os.listdir(dist):
        sh([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary",
            project.requirement.split("==")[0], "-d", dist, project.requirement])  # its build backend from wheels
    (archive,) = os.listdir(dist)
    tree = os.path.join(workdir, "before")
    shutil.rmtree(tree, ignore_errors=True)
    with tarfile.open(os.path.join(dist, archive)) as tarred:
        (top,) = {member.name.split("/")[0] for member in tarred.getmembers()}
        tarred.extractall(workdir, filter="data")
    os.rename(os.path.join(workdir, top), tree)
    return tree


def test_dependencies(project: Project, tree: str) -> list[str]:
    if not project.test_group:
        return list(project.extra_deps)
    with open(os.path.join(tree, "pyproject.toml"), "rb") as handle:
        group = tomllib.load(handle)["dependency-groups"][project.test_group]
    wanted = [dep for dep in group if isinstance(dep, str) and not dep.lower().startswith(project.skip_deps)]
    return wanted + list(project.extra_deps)


def prepare_venv(project: Project, workdir: str, tree: str) -> str:
    venv = os.path.join(workdir, "venv")
    python = os.path.join(venv, "bin", "python")
    deps = test_dependencies(project, tree)
    stamp = os.path.join(venv, "fix_suites_deps.json")
    if not (os.path.exists(stamp) and json.load(open(stamp)) == deps):
        shutil.rmtree(venv, ignore_errors=True)
        sh([sys.executable, "-m", "venv", venv])
        sh([python, "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
        # The project's own dependencies come with it; install() later swaps the tree under test.
        sh([python, "-m", "pip", "install", "--quiet", *deps, "-e", editable(project, tree)])
        with open(stamp, "w") as handle:
            json.dump(deps, handle)
    recorder = PYTEST_RECORDER if project.runner == "pytest" else UNITTEST_RECORDER
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    with open(os.path.join(site, "fix_suites_recorder.py"), "w") as handle:
        handle.write(recorder)
    return venv


def install(venv: str, project: Project, tree: str) -> None:
    """Install the tree under test editable (the dependencies are already there)."""
    sh([os.path.join(venv, "bin", "python"), "-m", "pip", "install", "--quiet", "--no-deps", "-e", editable(project, tree)])


def editable(project: Project, tree: str) -> str:
    return f"{tree}[{project.extras}]" if project.extras else tree


def run_suite(project: Project, venv: str, tree: str, record: str, timeout: float) -> dict[str, str]:
    """Each test id's outcome; a run cut by the timeout keeps the outcomes it reached."""
    if os.path.exists(record):
        os.remove(record)
    env = dict(os.environ, **project.env, FIX_SUITES_RECORD=record, VIRTUAL_ENV=venv,
               PATH=os.path.join(venv, "bin") + os.pathsep + os.environ["PATH"])
    env.pop("PYTHONPATH", None)
    log = record.replace(".jsonl", ".log")
    started = time.monotonic()
    print(f"+ {' '.join(project.command)}  (in {tree}, output in {log})", file=sys.stderr)
    with open(log, "w") as output:
        process = subprocess.Popen(project.command, cwd=tree, env=env, stdout=output, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)  # the run and every server or worker it started
            process.wait()
            print(f"  the suite did not finish in {timeout:.0f} s: killed", file=sys.stderr)
    print(f"  exit {process.returncode} after {time.monotonic() - started:.0f} s", file=sys.stderr)
    return read_outcomes(record) if os.path.exists(record) else {}


def read_outcomes(record: str) -> dict[str, str]:
    outcomes: dict[str, str] = {}
    for line in open(record):
        entry = json.loads(line)
        if outcomes.get(entry["id"]) not in FAILED:  # one failing phase fails the test
            outcomes[entry["id"]] = entry["outcome"]
    return outcomes


def apply_fixes(asynclint: str, before: str, after: str, unsafe: bool = True) -> tuple[list[str], str]:
    """Copy the tree, fix it (``--unsafe-fixes`` too unless ``unsafe`` is False), and return the
    files that changed and asynclint's summary. Its whole output goes to fix.log beside the trees."""
    shutil.rmtree(after, ignore_errors=True)
    shutil.copytree(before, after, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    done = subprocess.run([asynclint, "check", "--fix", *(["--unsafe-fixes"] if unsafe else []), "--no-cache", "."],
                          cwd=after, capture_output=True, text=True)
    if done.returncode not in (0, 1):
        sys.exit(f"asynclint --fix exited {done.returncode}:\n{done.stderr[-3000:]}")
    with open(os.path.join(os.path.dirname(after), "fix.log"), "w") as log:
        log.write(done.stdout + done.stderr)
    changed = []
    for folder, _, files in os.walk(after):
        for name in files:
            path = os.path.join(folder, name)
            original = os.path.join(before, os.path.relpath(path, after))
            if name.endswith(".py") and not (os.path.exists(original) and filecmp.cmp(original, path, shallow=False)):
                changed.append(os.path.relpath(path, after))
    return sorted(changed), "\n".join(done.stdout.strip().splitlines()[-2:])  # the summary lines


def compare(name: str, before: dict[str, str], after: dict[str, str], changed: list[str]) -> dict:
    passed_before = {test for test, outcome in before.items() if outcome == "passed"}
    passed_after = {test for test, outcome in after.items() if outcome == "passed"}
    broken = {test: after.get(test, "no outcome") for test in sorted(passed_before - passed_after)}
    errors_only_after = {test: outcome for test, outcome in after.items() if test not in before and outcome in FAILED}
    print(f"\n## {name}\n")
    print(f"tests run: {len(before)} before, {len(after)} after")
    print(f"passed before: {len(passed_before)}, passed after: {len(passed_after)}")
    print(f"passed before and fail or never finish after: {len(broken)}")
    for test, outcome in broken.items():
        print(f"  {outcome:16} {test}")
    for test, outcome in errors_only_after.items():
        print(f"  after only: {outcome} {test}")
    if "no outcome" in broken.values():
        print("  (no outcome: killed by the run's timeout, or never run: see the errors above and the log)")
    fixed = sorted(passed_after - passed_before)
    if fixed:
        print(f"passed only after (flaky?): {len(fixed)}")
        for test in fixed:
            print(f"  {test}")
    print(f"files changed by the fix: {len(changed)}")
    for path in changed:
        print(f"  {path}")
    return {"passed_before": len(passed_before), "passed_after": len(passed_after), "broken": broken,
            "errors_only_after": errors_only_after,
            "passed_only_after": fixed, "changed": changed}


def measure(name: str, args: argparse.Namespace) -> dict:
    project = PROJECTS[name]
    workdir = os.path.join(args.scratch, name)
    os.makedirs(workdir, exist_ok=True)
    before_record = os.path.join(workdir, "before.jsonl")
    reuse = args.reuse_before and os.path.exists(before_record)
    before = fetch(project, workdir)
    if project.own_tests:
        own_tests = os.path.join(workdir, "own_tests")
        os.makedirs(own_tests, exist_ok=True)
        shutil.copy(os.path.join(HERE, project.own_tests), os.path.join(own_tests, "test_" + project.own_tests))
    venv = prepare_venv(project, workdir, before)
    if reuse:
        before_outcomes = read_outcomes(before_record)
    else:
        install(venv, project, before)
        before_outcomes = run_suite(project, venv, before, before_record, args.timeout)
    after = os.path.join(workdir, "after" if args.unsafe else "after-safe")
    changed, summary = apply_fixes(args.asynclint, before, after, args.unsafe)
    print(f"  asynclint --fix: {summary}", file=sys.stderr)
    with open(os.path.join(workdir, "fix.diff" if args.unsafe else "fix-safe.diff"), "w") as handle:
        subprocess.run(["diff", "-ru", "before", os.path.basename(after), "--exclude=__pycache__", "--exclude=*.egg-info"],
                       cwd=workdir, stdout=handle)
    install(venv, project, after)
    after_outcomes = run_suite(project, venv, after, after + ".jsonl", args.timeout)
    return compare(name, before_outcomes, after_outcomes, changed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("projects", nargs="*", help=f"among {', '.join(PROJECTS)} (default: all of them)")
    parser.add_argument("--asynclint", default=shutil.which("asynclint") or "asynclint",
                        help="the asynclint executable that fixes (default: the one on PATH)")
    parser.add_argument("--scratch", default="/tmp/fix_suites", help="where the trees and venvs go (%(default)s)")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds for one run of a suite (%(default)s)")
    parser.add_argument("--reuse-before", action="store_true",
                        help="take the 'before' outcomes of a previous run in the same scratch folder")
    parser.add_argument("--safe", dest="unsafe", action="store_false",
                        help="fix with --fix alone (the safe fixes), into after-safe/, not --fix --unsafe-fixes")
    parser.add_argument("-o", "--output", help="write the comparison as JSON here")
    args = parser.parse_args()
    unknown = set(args.projects) - set(PROJECTS)
    if unknown:
        parser.error(f"unknown project(s): {', '.join(sorted(unknown))}; known: {', '.join(PROJECTS)}")
    args.asynclint = os.path.abspath(args.asynclint) if os.sep in args.asynclint else args.asynclint
    args.scratch = os.path.abspath(args.scratch)
    results = {name: measure(name, args) for name in args.projects or PROJECTS}
    if args.output:
        with open(args.output, "w") as handle:
            json.dump({"asynclint": args.asynclint, "projects": results}, handle, indent=1)


if __name__ == "__main__":
    main()
