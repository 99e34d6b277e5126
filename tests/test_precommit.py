"""The pre-commit hooks, run by the real pre-commit against this checkout.

``pre-commit try-repo`` clones this checkout (uncommitted changes to tracked files included),
builds a virtualenv, pip-installs asynclint into it from the clone (its dependencies come
from PyPI) and runs the hooks on a throwaway repository: ~25-35 s, once for this module.
"""

import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT

pytest.importorskip("pre_commit", reason="pre-commit is not installed (it is in the `test` extra)")
if shutil.which("git") is None:
    pytest.skip("git is not installed", allow_module_level=True)

BLOCKING = "import time\n\n\nasync def handler():\n    time.sleep(1)\n"
NOTEBOOK = {"cells": [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                       "source": BLOCKING.splitlines(keepends=True)}],
            "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
# Signs that pip could not reach the package index: then the test cannot say anything.
_OFFLINE = ("NewConnectionError", "Temporary failure in name resolution", "Network is unreachable",
            "ProxyError", "Max retries exceeded")


def _git(*args, cwd):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def _environment(home):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PRE_COMMIT", "GIT_", "VIRTUAL_ENV"))}
    env.update(PRE_COMMIT_HOME=str(home), NO_COLOR="1",
               GIT_AUTHOR_NAME="asynclint tests", GIT_AUTHOR_EMAIL="tests@asynclint.invalid",
               GIT_COMMITTER_NAME="asynclint tests", GIT_COMMITTER_EMAIL="tests@asynclint.invalid")
    # The hook must run the installed asynclint, not this checkout through PYTHONPATH.
    env.pop("PYTHONPATH", None)
    return env


def _throwaway_repo(tmp_path):
    repo = tmp_path / "project"
    repo.mkdir()
    _git("init", "-q", cwd=repo)
    (repo / "app.py").write_text(BLOCKING, encoding="utf-8")
    (repo / "clean.py").write_text("import asyncio\n\n\nasync def ok():\n    await asyncio.sleep(1)\n",
                                   encoding="utf-8")
    (repo / "pyproject.toml").write_text('[tool.asynclint]\nexclude = ["generated/"]\n', encoding="utf-8")
    (repo / "generated").mkdir()
    (repo / "generated" / "gen.py").write_text(BLOCKING, encoding="utf-8")
    (repo / "README.txt").write_text("time.sleep(1) in a file that is not Python\n", encoding="utf-8")
    (repo / "explore.ipynb").write_text(json.dumps(NOTEBOOK, indent=1) + "\n", encoding="utf-8")
    _git("add", ".", cwd=repo)
    _git("-c", "user.name=t", "-c", "user.email=t@t.invalid", "commit", "-q", "-m", "init", cwd=repo)
    return repo


def _try_repo(repo, home, *hooks):
    proc = subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", ROOT, *hooks, "--all-files",
                           "--color", "never"], cwd=repo, env=_environment(home), capture_output=True,
                          text=True, timeout=600)
    output = proc.stdout + proc.stderr
    if proc.returncode not in (0, 1) or "An unexpected error has occurred" in output:
        log = os.path.join(home, "pre-commit.log")
        details = open(log, encoding="utf-8", errors="replace").read() if os.path.exists(log) else ""
        if any(sign in output + details for sign in _OFFLINE):
            pytest.skip("pip could not reach the package index to build the hook's environment")
    return proc.returncode, output


def _hook_output(output, hook_id):
    """The part of pre-commit's output that one hook printed (from its status line on)."""
    sections = output.split("- hook id: ")
    for previous, section in zip(sections, sections[1:]):
        if section.split("\n", 1)[0].strip() == hook_id:
            return previous.rstrip().rsplit("\n", 1)[-1] + "\n" + section
    return ""


@pytest.fixture(scope="module")
def both_hooks(tmp_path_factory):
    """One `pre-commit try-repo` run of every hook of the manifest, in order: asynclint sees the
    file as committed, then asynclint-fix rewrites it. (Each try-repo builds its own virtualenv,
    ~25 s, so the two hooks share one run.)"""
    tmp_path = tmp_path_factory.mktemp("try-repo")
    repo = _throwaway_repo(tmp_path)
    code, output = _try_repo(repo, tmp_path / "pre-commit-home")
    return repo, code, output


def test_manifest_declares_both_hooks():
    text = open(os.path.join(ROOT, ".pre-commit-hooks.yaml"), encoding="utf-8").read()
    for needle in ("- id: asynclint\n", "- id: asynclint-fix\n", "entry: asynclint check --force-exclude\n",
                   "entry: asynclint check --force-exclude --fix\n"):
        assert needle in text
    assert text.count("types_or: [python, jupyter]") == 2 and text.count("require_serial: false") == 2


def test_check_hook_fails_with_the_finding(both_hooks):
    repo, code, output = both_hooks
    assert code == 1, output
    check = _hook_output(output, "asynclint")
    assert check.startswith("asynclint.") and "Failed" in check.splitlines()[0], output
    assert "app.py:5:5: ASL101 `time.sleep()` blocks the event loop" in check
    assert "clean.py" not in check
    assert "gen.py" not in check  # the hook passes --force-exclude: [tool.asynclint] exclude holds
    assert "README.txt" not in check  # types_or: [python, jupyter]
    assert "explore.ipynb:cell 1:5:5: ASL101" in check  # a notebook is checked too


def _cli_has_fix():
    proc = subprocess.run([sys.executable, "-m", "asynclint", "check", "--help"], capture_output=True,
                          text=True, timeout=60)
    return "--fix" in proc.stdout


@pytest.mark.skipif(not _cli_has_fix(), reason="`asynclint check --fix` is not in the CLI yet (the autofix "
                                               "work adds it); the asynclint-fix hook runs it")
def test_fix_hook_rewrites_the_file(both_hooks):
    repo, code, output = both_hooks
    fix = _hook_output(output, "asynclint-fix")
    assert "files were modified by this hook" in fix, output  # pre-commit fails a hook that changed files
    fixed = (repo / "app.py").read_text(encoding="utf-8")
    assert "await asyncio.sleep(1)" in fixed and "time.sleep" not in fixed
    assert (repo / "generated" / "gen.py").read_text(encoding="utf-8") == BLOCKING  # excluded: untouched
    notebook = json.loads((repo / "explore.ipynb").read_text(encoding="utf-8"))
    assert "await asyncio.sleep(1)" in "".join(notebook["cells"][0]["source"])
    proc = subprocess.run([sys.executable, "-m", "asynclint", "check", "app.py"], cwd=repo, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout  # nothing left to report
