"""File discovery: the fast exclusion matcher decides as pathspec does."""

import os

import pytest

from asynclint.files import _matcher, _spec, discover, excluder
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


@pytest.mark.parametrize("exclude", [
    (), ("migrations/",), ("*_pb2.py", "/docs/"), ("tests/", "**/c.py"), ("migrations/", "!keep.py"),
    ("build/", "!src/build/"), ("!build/",), ("!.venv/", "!x.egg-info/"),
])
def test_excluder_agrees_with_one_spec_of_every_pattern(tmp_path, exclude):
    """The built-in list's matcher is shared between projects: joined with a project's own
    patterns, it decides as one spec of them all, negations included."""
    (tmp_path / ".gitignore").write_text("# generated\n*.log\ndeep/a/\n")
    settings = Settings(exclude=exclude)
    spec = _spec(settings, str(tmp_path))
    assert spec.match_file("x.log") and spec.match_file("build/x.py") != ("!build/" in exclude)
    excluded = excluder(settings, str(tmp_path))
    for path in PATHS:
        assert excluded(path) == spec.match_file(path), (exclude, path)


def test_the_walk_matches_paths_relative_to_the_root(tmp_path, monkeypatch):
    """An anchored pattern excludes the directory at that place under the root only; a directory
    outside the root is matched by its name alone."""
    root, outside = tmp_path / "proj", tmp_path / "elsewhere"
    for directory in (root / "sub" / "gen", root / "other" / "sub" / "gen", outside / "gen", outside / "sub" / "gen"):
        directory.mkdir(parents=True)
        (directory / "m.py").write_text("")
    settings = Settings(project_root=str(root), exclude=("/sub/gen/", "elsewhere/"))
    monkeypatch.chdir(root)
    files, _ = discover([".", str(outside)], settings)
    found = sorted(os.path.relpath(f, tmp_path) for f in files)
    assert found == ["elsewhere/gen/m.py", "elsewhere/sub/gen/m.py", "proj/other/sub/gen/m.py"]


def test_a_walked_file_is_excluded_as_its_own_settings_say(tmp_path, monkeypatch):
    """The runner takes the walk's word for a file it found (config.Resolver.walked): the same as
    asking the file's settings, nested projects, .gitignore and negations included."""
    from asynclint.config import Resolver
    from asynclint.runner import select_files

    (tmp_path / "pyproject.toml").write_text('[tool.asynclint]\nexclude = ["gen/", "*_pb2.py", "!keep_pb2.py"]\n')
    (tmp_path / ".gitignore").write_text("*.log\n/sub/out/\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "pyproject.toml").write_text('[tool.asynclint]\nexclude = ["/local/"]\n')
    for name in ("a.py", "x_pb2.py", "keep_pb2.py", "gen/g.py", "sub/gen/g.py", "sub/out/o.py", "sub/local/l.py",
                 "sub/x_pb2.py", "sub/deep/local/l.py", "build/b.py", "sub/.venv/v.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("")
    monkeypatch.chdir(tmp_path)
    selected = [path for path, _ in select_files(["."], Resolver())[0]]
    files, _ = discover(["."], Resolver().directory)
    resolver = Resolver()
    assert selected == sorted(path for path in files if not resolver.file(path).excluded)
    assert sorted(os.path.relpath(p) for p in selected) == [
        "a.py", "keep_pb2.py", "sub/deep/local/l.py", "sub/gen/g.py", "sub/out/o.py", "sub/x_pb2.py"]
