"""A bug in a checker: ASL002 for that file naming the checker, the other files are still checked,
the exit code is 2, and --verbose shows the traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest

import asynclint.rules.blocking as blocking
from asynclint.engine import lint_source

BAD = "from time import sleep as explode\n\nasync def f():\n    explode(1)\n"
GOOD = "import time\n\nasync def f():\n    time.sleep(1)\n"

# The bug: the blocking-call checker fails on calls spelled `explode(...)`.
INJECT = """
import sys
import asynclint.rules.blocking as blocking

real = blocking.source_text

def buggy(func):
    text = real(func)
    if text == "explode":
        raise KeyError("injected bug")
    return text

blocking.source_text = buggy
from asynclint.cli import main
raise SystemExit(main(sys.argv[1:]))
"""


def _run(tmp_path, *args):
    proc = subprocess.run([sys.executable, "-c", INJECT, "check", *args], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)
    return proc.returncode, proc.stdout, proc.stderr


@pytest.fixture
def tree(tmp_path):
    (tmp_path / "a_good.py").write_text(GOOD)
    (tmp_path / "b_bad.py").write_text(BAD)
    (tmp_path / "c_good.py").write_text(GOOD)
    return tmp_path


def test_injected_bug_is_asl002_and_the_run_goes_on(tree):
    code, out, err = _run(tree, ".")
    lines = [line.removeprefix("./") for line in out.splitlines() if ": ASL" in line]
    assert lines == [
        "a_good.py:4:5: ASL101 `time.sleep()` blocks the event loop; use `await asyncio.sleep()` [fix: safe]",
        "b_bad.py:1:1: ASL002 internal error in BlockingCallChecker (ASL100-ASL111): KeyError: 'injected bug'",
        "c_good.py:4:5: ASL101 `time.sleep()` blocks the event loop; use `await asyncio.sleep()` [fix: safe]",
    ]
    assert code == 2
    assert "Traceback" not in out + err


def test_verbose_shows_the_traceback(tree):
    code, out, err = _run(tree, "--verbose", ".")
    assert code == 2
    report = out[out.index("b_bad.py:1:1: ASL002"):]
    assert "Traceback (most recent call last)" in report
    assert "blocking.py" in report and "in visit_Call" in report and "KeyError: 'injected bug'" in report


def test_verbose_traceback_on_standard_input(tree):
    proc = subprocess.run([sys.executable, "-c", INJECT, "check", "--verbose", "-"], input=BAD, cwd=tree,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "<stdin>:1:1: ASL002 internal error in BlockingCallChecker" in proc.stdout
    assert "Traceback (most recent call last)" in proc.stdout


def _explode(func):
    raise KeyError("injected bug")


def test_bug_during_the_deep_walk_is_asl002_too(monkeypatch):
    """The deep walk runs on another thread: its errors still come back as ASL002."""
    monkeypatch.setattr(blocking, "source_text", _explode)
    source = "import time\nasync def f():\n    if a: pass\n" + "    elif a: time.sleep(1)\n" * 1500
    [d] = lint_source(source, "deep.py", verbose=True)
    assert d.code == "ASL002" and "BlockingCallChecker" in d.message and "Traceback" in d.message


def test_bug_outside_a_checker_names_the_analysis(monkeypatch):
    import asynclint.analysis as analysis

    def broken(self, node):
        raise RuntimeError("injected bug")

    monkeypatch.setattr(analysis.Analysis, "_import", broken)
    [d] = lint_source("import time\nasync def f(): pass\n", "x.py")
    assert d.message == "internal error in the analysis: RuntimeError: injected bug"
