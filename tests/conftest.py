import atexit
import os
import shutil
import sys
import tempfile

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "fixtures")

# Subprocesses (the CLI, flake8) import asynclint from this checkout, whatever else is installed.
sys.path.insert(0, ROOT)
os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (ROOT, os.environ.get("PYTHONPATH")) if p)
# The summaries of installed libraries (ASL404) go to the user's cache: a session's own, here.
_USER_CACHE = tempfile.mkdtemp(prefix="asynclint-tests-cache-")
atexit.register(shutil.rmtree, _USER_CACHE, ignore_errors=True)
os.environ["XDG_CACHE_HOME"] = _USER_CACHE


@pytest.fixture
def run_cli(tmp_path):
    """Run ``python -m asynclint ARGS`` and return (exit code, stdout, stderr)."""
    import subprocess

    def run(*args, input=None, cwd=None):
        proc = subprocess.run([sys.executable, "-m", "asynclint", *args], input=input, capture_output=True,
                              text=True, cwd=cwd or tmp_path, timeout=120)
        return proc.returncode, proc.stdout, proc.stderr

    return run
