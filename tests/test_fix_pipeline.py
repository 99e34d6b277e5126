"""`--fix` and `--diff` run through the runner: one project index, the cache, the workers; the
door prints and decides the exit code."""

import os

import pytest

from asynclint import callgraph, runner
from asynclint.cli import main
from asynclint.fix import rewrite
from asynclint.model import Settings
from asynclint.runner import FixRequest, check_paths

SLEEPY = "import time\n\n\nasync def f():\n    time.sleep(1)\n"
SLEEPY_FIXED = "import asyncio\n\n\nasync def f():\n    await asyncio.sleep(1)\n"
UNSAFE_ONLY = "import os\n\n\nasync def f():\n    os.remove('x')\n"
CLEAN = "import asyncio\n\n\nasync def f():\n    await asyncio.sleep(1)\n"
# A helper module whose blocking function another module calls from the loop (ASL401: no fix).
HELPERS = "import time\n\n\ndef wait():\n    time.sleep(1)\n\n\nasync def nap():\n    time.sleep(1)\n"
USES_HELPERS = "import helpers\n\n\nasync def run():\n    helpers.wait()\n"


@pytest.fixture
def cli(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)

    def run(*args):
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def indexes(monkeypatch):
    """Every ProjectIndex made."""
    made = []
    real_init = callgraph.ProjectIndex.__init__

    def counting(self, *args, **kwargs):
        made.append(self)
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(callgraph.ProjectIndex, "__init__", counting)
    return made


def _project(root, files):
    (root / "pyproject.toml").write_text("[tool.asynclint]\n")
    for name, text in files.items():
        (root / name).write_text(text)


def test_a_diff_run_makes_one_project_index(tmp_path, cli, indexes):
    _project(tmp_path, {"a.py": SLEEPY, "b.py": SLEEPY, "helpers.py": HELPERS, "uses.py": USES_HELPERS})
    code, out, err = cli("check", "--diff", "--no-cache", "--jobs", "1", ".")
    assert code == 1 and out.count("+++ b/") == 3, err
    assert len(indexes) == 1


def test_fix_passes_re_lint_only_the_file_they_fix(tmp_path, monkeypatch):
    import asynclint.fix

    linted = {"check": [], "fix": []}

    def counting(kind, real):
        def lint(source, path, *args, **kwargs):
            linted[kind].append((os.path.basename(path), source))
            return real(source, path, *args, **kwargs)
        return lint

    monkeypatch.setattr(runner, "lint_source", counting("check", runner.lint_source))
    monkeypatch.setattr(asynclint.fix, "lint_python", counting("fix", asynclint.fix.lint_python))
    _project(tmp_path, {"a.py": SLEEPY, "b.py": CLEAN})
    result = check_paths([str(tmp_path)], jobs=1, cache=False, fix=FixRequest(write=False))
    # Each file checked once; the fix of a.py starts from its findings and re-lints what its pass made.
    assert linted == {"check": [("a.py", SLEEPY), ("b.py", CLEAN)], "fix": [("a.py", SLEEPY_FIXED)]}
    assert [os.path.basename(f.path) for f in result.fixes] == ["a.py"] and result.fixes[0].source == SLEEPY_FIXED


def test_the_workers_fix_what_one_process_fixes(tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "CHUNK_FILES", 1)  # a chunk a file: the workers really run
    files = {f"m{n}.py": SLEEPY if n % 2 else CLEAN for n in range(6)}
    _project(tmp_path, {**files, "helpers.py": HELPERS, "uses.py": USES_HELPERS})
    started = []
    real_start = runner._Workers._start
    monkeypatch.setattr(runner._Workers, "_start", lambda self: started.append(self.jobs) or real_start(self))
    alone = check_paths([str(tmp_path)], jobs=1, cache=False, fix=FixRequest(unsafe=True, write=False))
    pooled = check_paths([str(tmp_path)], jobs=2, cache=False, fix=FixRequest(unsafe=True, write=False))
    assert started == [2]
    assert [(f.path, f.source, f.fixed) for f in pooled.fixes] == [(f.path, f.source, f.fixed) for f in alone.fixes]
    assert pooled.diagnostics == alone.diagnostics
    assert len(alone.fixes) == 5  # m1, m3, m5, helpers.nap and the call of helpers.wait in uses


def test_a_fix_run_reads_the_cache_for_files_it_does_not_fix(tmp_path):
    _project(tmp_path, {"a.py": SLEEPY, "b.py": UNSAFE_ONLY, "c.py": CLEAN})
    settings = Settings(project_root=str(tmp_path))
    check_paths([str(tmp_path)], settings, jobs=1)  # fills the cache
    diff = check_paths([str(tmp_path)], settings, jobs=1, fix=FixRequest(write=False))
    assert (diff.cached, diff.linted) == (2, 1)  # a.py has a safe fix: linted again, to be fixed
    assert [os.path.basename(f.path) for f in diff.fixes] == ["a.py"]
    unsafe = check_paths([str(tmp_path)], settings, jobs=1, fix=FixRequest(unsafe=True, write=False))
    assert (unsafe.cached, unsafe.linted) == (1, 2)
    assert (tmp_path / "a.py").read_text() == SLEEPY  # --diff writes nothing


def test_each_file_is_fixed_against_the_others_as_they_are_on_disk(tmp_path):
    """--fix writes what --diff shows: helpers.py is fixed first, but the index keeps knowing it by
    its text on disk (ProjectIndex.trying), so uses.py is fixed as if it were fixed alone."""
    _project(tmp_path, {"helpers.py": HELPERS, "uses.py": USES_HELPERS})
    diff = check_paths([str(tmp_path)], jobs=1, cache=False, fix=FixRequest(unsafe=True, write=False))
    fixed = check_paths([str(tmp_path)], jobs=1, cache=False, fix=FixRequest(unsafe=True))
    assert [(f.path, f.source) for f in fixed.fixes] == [(f.path, f.source) for f in diff.fixes]
    for f in fixed.fixes:
        assert open(f.path).read() == f.source


def test_a_file_changed_while_being_fixed_is_left_as_it_is(tmp_path, monkeypatch):
    _project(tmp_path, {"a.py": SLEEPY})
    real_fix_text = runner.fix_text

    def edited_meanwhile(path, source, *args, **kwargs):
        fixed = real_fix_text(path, source, *args, **kwargs)
        with open(path, "a") as handle:
            handle.write("# an edit\n")
        return fixed

    monkeypatch.setattr(runner, "fix_text", edited_meanwhile)
    result = check_paths([str(tmp_path)], jobs=1, cache=False, fix=FixRequest())
    assert result.fixes[0].error == "the file changed while it was being fixed"
    assert (tmp_path / "a.py").read_text() == SLEEPY + "# an edit\n"
    assert [d.code for d in result.diagnostics] == ["ASL101"]  # as checked


@pytest.mark.parametrize("files, args, expected", [
    ({"a.py": SLEEPY}, ["--diff"], 1),  # something to fix
    ({"a.py": CLEAN}, ["--diff"], 0),
    ({"a.py": UNSAFE_ONLY}, ["--diff"], 0),  # an unsafe fix only: nothing to show without --unsafe-fixes
    ({"a.py": SLEEPY}, ["--fix"], 0),  # all fixed
    ({"a.py": SLEEPY, "b.py": UNSAFE_ONLY}, ["--fix"], 1),  # a finding left
    ({"a.py": SLEEPY, "b.py": UNSAFE_ONLY}, ["--fix", "--exit-zero"], 0),
    ({"a.py": SLEEPY, "b.py": UNSAFE_ONLY}, ["--fix-only"], 0),
    ({"a.py": SLEEPY}, ["--fix", "--exit-non-zero-on-fix"], 1),
    ({"a.py": SLEEPY, "gone.py": None}, ["--fix"], 2),  # a path that does not exist
])
def test_exit_codes_of_a_fix_run(tmp_path, cli, files, args, expected):
    _project(tmp_path, {name: text for name, text in files.items() if text is not None})
    code, out, err = cli("check", *args, "--no-cache", *files)
    assert code == expected, (out, err)


def test_a_file_that_cannot_be_fixed_exits_2_and_keeps_every_byte(tmp_path, cli, monkeypatch):
    original = SLEEPY.replace("\n", "\r\n").encode()
    (tmp_path / "a.py").write_bytes(original)
    monkeypatch.setattr(rewrite, "apply_pass", lambda source, ds, *context: (source + "def (:\n", ds))
    code, out, err = cli("check", "--fix", "--no-cache", "a.py")
    assert code == 2 and "a.py: not fixed, left unchanged: the fix would not parse" in err
    assert (tmp_path / "a.py").read_bytes() == original
    assert "ASL101" in out  # the findings as checked


def test_a_text_on_trial_leaves_the_index_knowing_the_file_by_its_text(tmp_path):
    from asynclint.engine import lint_source, project_index

    path = str(tmp_path / "a.py")
    (tmp_path / "a.py").write_text(SLEEPY)
    settings = Settings(project_root=str(tmp_path))
    index = project_index(settings)
    lint_source(SLEEPY, path, settings, project=index)
    as_on_disk = index.summary("a")
    with index.trying(path):
        assert lint_source(SLEEPY_FIXED, path, settings, project=index) == []
    assert index.summary("a") is as_on_disk
    lint_source(SLEEPY_FIXED, path, settings, project=index)  # an editor's buffer stands for its file
    assert index.summary("a") is not as_on_disk
