"""The pre-commit hooks, run by the real pre-commit against this checkout.

``pre-commit try-repo`` clones this checkout (uncommitted changes to tracked files included),
builds a virtualenv, pip-installs asynclint into it from the clone (its dependencies come
from PyPI) and runs the hook on a throwaway repository. The first run takes ~25 s; the
environment is shared by the tests of this module.
"""

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
# Signs that pip could not reach the package index: then the test cannot say anything.
_OFFLINE = ("NewConnectionError", "Temporary failure in name resolution", "Network is unreachable",
            "ProxyError", "Max retries exceeded")


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory):
    return tmp_path_factory.mktemp("pre-commit-home")


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
    _git("add", ".", cwd=repo)
    _git("-c", "user.name=t", "-c", "user.email=t@t.invalid", "commit", "-q", "-m", "init", cwd=repo)
    return repo


def _try_repo(hook, repo, home):
    proc = subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", ROOT, hook, "--all-files",
                           "--color", "never"], cwd=repo, env=_environment(home), capture_output=True,
                          text=True, timeout=600)
    output = proc.stdout + proc.stderr
    if proc.returncode not in (0, 1) or "An unexpected error has occurred" in output:
        log = os.path.join(home, "pre-commit.log")
        details = open(log, encoding="utf-8", errors="replace").read() if os.path.exists(log) else ""
        if any(sign in output + details for sign in _OFFLINE):
            pytest.skip("pip could not reach the package index to build the hook's environment")
    return proc.returncode, output


def test_check_hook_fails_with_the_finding(tmp_path, pre_commit_home):
    repo = _throwaway_repo(tmp_path)
    code, output = _try_repo("asynclint", repo, pre_commit_home)
    assert code == 1, output
    assert "asynclint" in output and "Failed" in output
    assert "app.py:5:5: ASL101 `time.sleep()` blocks the event loop" in output
    assert "clean.py" not in output
    assert "gen.py" not in output  # the hook passes --force-exclude: [tool.asynclint] exclude holds
    assert "README.txt" not in output  # types: [python]
    assert (repo / "app.py").read_text(encoding="utf-8") == BLOCKING


def _cli_has_fix():
    proc = subprocess.run([sys.executable, "-m", "asynclint", "check", "--help"], capture_output=True,
                          text=True, timeout=60)
    return "--fix" in proc.stdout


@pytest.mark.skipif(not _cli_has_fix(), reason="`asynclint check --fix` is not in the CLI yet (the autofix "
                                               "work adds it); the asynclint-fix hook runs it")
def test_fix_hook_rewrites_the_file(tmp_path, pre_commit_home):
    repo = _throwaway_repo(tmp_path)
    code, output = _try_repo("asynclint-fix", repo, pre_commit_home)
    assert code == 1, output  # pre-commit fails a hook that changed files
    fixed = (repo / "app.py").read_text(encoding="utf-8")
    assert fixed != BLOCKING
    assert "await asyncio.sleep(1)" in fixed and "time.sleep" not in fixed
    code, output = _try_repo("asynclint-fix", repo, pre_commit_home)
    assert code == 0, output  # fixed: a second run changes nothing and finds nothing
