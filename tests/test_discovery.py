"""File discovery: the fast exclusion matcher decides as pathspec does."""

import os

import pytest

from asynclint.files import _matcher, _spec, discover
from asynclint.model import Settings
from conftest import ROOT

PATHS = ["a.py", "build/x.py", "src/build/x.py", "src/builder.py", ".venv/", "pkg/.venv/", "pkg/venv2/",
         "migrations/", "app/migrations/", "app/migrations/0001.py", "docs/conf.py", "tests/", "tests/t.py",
         "x.egg-info/", "keep.py", "deep/a/b/c.py", "node_modules/", "generated_pb2.py", "Makefile"]


@pytest.mark.parametrize("exclude", [
    (), ("migrations/",), ("*_pb2.py", "/docs/"), ("tests/", "**/c.py"), ("migrations/", "!keep.py"),
    ("build/", "!src/build/"),
])
def test_fast_matcher_agrees_with_pathspec(tmp_path, exclude):
    spec = _spec(Settings(exclude=exclude), str(tmp_path))
    fast = _matcher(spec)
    for path in PATHS:
        assert fast(path) == spec.match_file(path), (exclude, path)


def test_discovery_of_this_checkout():
    files, missing = discover([ROOT], Settings(project_root=ROOT))
    relative = {os.path.relpath(f, ROOT) for f in files}
    assert "asynclint/runner.py" in relative and missing == []
    assert not any(p.startswith(("benchmarks/corpus", "benchmarks/.venv", ".git")) for p in relative)
