"""Two runs at once over one tree share its cache: each gives what a lone run gives, and the
cache they leave is whole (every entry readable) and gives the same findings again."""

import glob
import json
import os
import shutil
import subprocess
import sys

from conftest import FIXTURES

ARGS = ["check", "--format", "json", "--exit-zero", "--jobs", "2", "."]


def _run_together(root, count):
    procs = [subprocess.Popen([sys.executable, "-m", "asynclint", *ARGS], cwd=root, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(count)]
    outputs = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        outputs.append(json.loads(out))
    return outputs


def test_two_runs_at_once_share_the_cache_safely(tmp_path):
    root = tmp_path / "tree"
    shutil.copytree(os.path.join(FIXTURES, "rules"), root / "rules")
    shutil.copytree(os.path.join(FIXTURES, "projects", "srclayout", "src"), root / "src")
    (root / "pyproject.toml").write_text('[tool.asynclint]\nsrc = ["src"]\n')
    alone = subprocess.run([sys.executable, "-m", "asynclint", *ARGS, "--no-cache"], cwd=root,
                           capture_output=True, text=True, timeout=300)
    expected = json.loads(alone.stdout)
    assert expected

    for _ in range(2):  # both cold, then both reading what the first pair wrote
        assert _run_together(root, 2) == [expected, expected]

    entries = glob.glob(str(root / ".asynclint_cache" / "**" / "*"), recursive=True)
    files = [e for e in entries if os.path.isfile(e) and not e.endswith(".gitignore")]
    assert files, "the runs should have written cache entries"
    for entry in files:
        with open(entry, encoding="utf-8") as handle:
            json.load(handle)  # no entry is half-written
    assert not [e for e in entries if e.endswith(".tmp")], "no temporary file is left behind"
    assert _run_together(root, 1) == [expected]
