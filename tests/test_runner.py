"""The runner: the per-file result cache and parallel checking give the same findings as a plain run."""

import ast
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from asynclint.cache import CACHE_DIR_NAME, UNUSED_DAYS, Cache, make_key, namespace
from asynclint.callgraph import KeptTrees
from asynclint.model import Settings
from asynclint.runner import RESULTS, check_paths
from conftest import FIXTURES, ROOT

BLOCKING = "import time\n\nasync def f():\n    time.sleep(1)\n"
CLEAN = "import asyncio\n\nasync def f():\n    await asyncio.sleep(1)\n"
NO_ASYNC = "def f():\n    return 1\n"


@pytest.fixture
def project(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.asynclint]\n")
    (tmp_path / "a.py").write_text(BLOCKING)
    (tmp_path / "b.py").write_text(CLEAN)
    (tmp_path / "c.py").write_text(NO_ASYNC)
    return tmp_path


@pytest.fixture
def parses(monkeypatch):
    """Count every ast.parse of a checked file (the engine's one parse per file)."""
    seen = []
    real = ast.parse

    def counting(source, filename="<unknown>", *args, **kwargs):
        if filename != "<unknown>":
            seen.append(filename)
        return real(source, filename, *args, **kwargs)

    monkeypatch.setattr(ast, "parse", counting)
    return seen


def _run(project, **kwargs):
    settings = Settings(project_root=str(project))
    kwargs.setdefault("jobs", 1)
    return check_paths([str(project)], settings, **kwargs)


def _keys(result):
    return [(os.path.basename(d.path), d.line, d.col, d.code, d.message) for d in result.diagnostics]


def test_second_run_parses_nothing(project, parses):
    first = _run(project)
    assert sorted(os.path.basename(p) for p in parses) == ["a.py", "b.py"]  # c.py: the early skip
    assert first.linted == 2 and first.skipped == 1
    parses.clear()
    second = _run(project)
    assert parses == []
    assert second.cached == 2 and second.linted == 0
    assert _keys(second) == _keys(first) and [d.code for d in first.diagnostics] == ["ASL101"]
    assert (project / CACHE_DIR_NAME / ".gitignore").read_text().splitlines()[-1] == "*"


def test_a_cached_finding_keeps_its_chain_and_related_calls(project, parses):
    (project / "d.py").write_text("async def load(p):\n    f = open(p)\n    return f.read() + f.read(1)\n\n\n"
                                  "def pause():\n    import time\n    time.sleep(1)\n\n\nasync def h():\n    pause()\n")
    first = _run(project)
    parses.clear()
    second = _run(project)
    assert parses == [] and second.diagnostics == first.diagnostics  # every field, fix data included
    opened, helper = [d for d in second.diagnostics if d.path.endswith("d.py")]
    assert helper.code == "ASL401" and helper.chain
    assert [(r.line, r.col, r.end_col, r.text, r.fix_kind) for r in opened.related] == [
        (3, 12, 20, "f.read()", "thread"), (3, 23, 32, "f.read(1)", "thread")]


def test_a_cold_run_parses_each_module_once(tmp_path, parses):
    """`app.py` is checked first and uses `helpers.py`, which is summarised then, and checked later
    from the same tree; `util.py`, summarised only, has no async code to check."""
    (tmp_path / "app.py").write_text("import helpers\n\n\nasync def main():\n    helpers.load()\n")
    (tmp_path / "helpers.py").write_text(
        "import util\n\n\ndef load():\n    return util.read()\n\n\nasync def ping():\n    pass\n")
    (tmp_path / "util.py").write_text("def read():\n    return open('x').read()\n")
    result = _run(tmp_path, cache=False)
    assert sorted(os.path.basename(p) for p in parses) == ["app.py", "helpers.py", "util.py"]
    assert [(os.path.basename(d.path), d.code) for d in result.diagnostics] == [("app.py", "ASL401")]


def test_a_kept_tree_serves_only_the_text_it_was_parsed_from():
    trees = KeptTrees()
    trees.keep("/p/a.py", "x = 1\n", "tree of a")
    assert trees.take("/p/a.py", "x = 1\n") is None  # nothing kept before a first question
    trees.keep("/p/a.py", "x = 1\n", "tree of a")
    assert trees.take("/p/a.py", "x = 2\n") is None  # edited since: parsed again
    assert trees.take("/p/a.py", "x = 1\n") is None  # given up with the mismatch
    trees.keep("/p/a.py", "x = 1\n", "tree of a")
    assert trees.take("/p/./a.py", "x = 1\n") == "tree of a"
    assert trees.take("/p/a.py", "x = 1\n") is None  # handed out once


def test_kept_trees_stay_within_their_budget(monkeypatch):
    monkeypatch.setattr(KeptTrees, "BUDGET", 10)
    trees = KeptTrees()
    trees.take("/a.py", "")
    trees.keep("/a.py", "123456", "a")
    trees.keep("/b.py", "123456", "b")  # over the budget: the oldest goes
    assert trees.take("/a.py", "123456") is None and trees.take("/b.py", "123456") == "b"


def test_an_edit_invalidates_that_file_only(project, parses):
    _run(project)
    parses.clear()
    (project / "b.py").write_text(BLOCKING + "# edited\n")  # new content (a.py's would be a cache hit)
    result = _run(project)
    assert [os.path.basename(p) for p in parses] == ["b.py"]
    assert [(os.path.basename(d.path), d.code) for d in result.diagnostics] == [("a.py", "ASL101"), ("b.py", "ASL101")]


def test_a_settings_change_invalidates(project, parses):
    _run(project)
    parses.clear()
    settings = Settings(project_root=str(project), ignore=("ASL101",))
    result = check_paths([str(project)], settings, jobs=1)
    assert len(parses) == 2 and result.diagnostics == []
    parses.clear()
    settings = Settings(project_root=str(project), extra_blocking={"time.sleep": "mylib.nap"})
    result = check_paths([str(project)], settings, jobs=1)
    assert len(parses) == 2 and [d.code for d in result.diagnostics] == ["ASL100"]  # a user row wins


def test_per_file_ignores_enter_the_key(project, parses):
    _run(project)
    parses.clear()
    settings = Settings(project_root=str(project), per_file_ignores={"a.py": ("ASL101",)})
    result = check_paths([str(project)], settings, jobs=1)
    assert [os.path.basename(p) for p in parses] == ["a.py"]  # b.py's enabled codes did not change
    assert result.diagnostics == []


def test_an_edit_of_a_conftest_invalidates_the_tests_that_used_its_fixtures(tmp_path):
    (tmp_path / "tests").mkdir()
    conftest = tmp_path / "tests" / "conftest.py"
    conftest.write_text("import pytest\n\n@pytest.fixture\ndef data(tmp_path):\n    return tmp_path / 'd'\n")
    (tmp_path / "tests" / "test_data.py").write_text("async def test_data(data):\n    data.read_text()\n")
    assert [d.code for d in _run(tmp_path).diagnostics] == ["ASL104"]
    conftest.write_text("import pytest\n\n@pytest.fixture\ndef data():\n    return 'not a path'\n")
    assert _run(tmp_path).diagnostics == []  # the test file is unchanged, its cached result is not used


def test_a_new_conftest_invalidates_the_tests_below_it(tmp_path):
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_data.py").write_text("async def test_data(data):\n    data.read_text()\n")
    settings = Settings(project_root=str(tmp_path))
    # Only tests/ is checked: the conftest.py above it is not in the list of files (the key).
    assert check_paths([str(tmp_path / "tests")], settings, jobs=1).diagnostics == []
    (tmp_path / "conftest.py").write_text("import pytest\n\n@pytest.fixture\ndef data(tmp_path):\n    return tmp_path\n")
    assert [d.code for d in check_paths([str(tmp_path / "tests")], settings, jobs=1).diagnostics] == ["ASL104"]


def test_corrupt_entries_are_ignored(project, parses):
    first = _run(project)
    entries = [os.path.join(d, n) for d, _, names in os.walk(project / CACHE_DIR_NAME / namespace() / RESULTS)
               for n in names]
    assert len(entries) == 2
    for garbage, path in zip([b"\x00not json", b'{"key": "other", "payload": []}'], entries):
        with open(path, "wb") as handle:
            handle.write(garbage)
    parses.clear()
    again = _run(project)
    assert len(parses) == 2 and _keys(again) == _keys(first)
    parses.clear()
    _run(project)
    assert parses == []  # rewritten


def _age(path, days: float) -> None:
    then = time.time() - days * 86400
    os.utime(path, (then, then))


def test_what_no_run_used_for_long_is_removed(tmp_path):
    """Another version's entries are never read again: its namespace goes once no run has written
    to it for UNUSED_DAYS (a recent one, another version still in use, stays); so do the kinds'
    directories of the layout before namespaces, and this version's entries unused for as long."""
    root = tmp_path / CACHE_DIR_NAME
    stale, recent = root / "v0000000000000000", root / "v1111111111111111"
    for other in (stale, recent):
        (other / "results" / "ab").mkdir(parents=True)
        (other / "results" / "ab" / "abc.json").write_text("{}")
        (other / ".used").write_text("")
    _age(stale / ".used", UNUSED_DAYS + 1)
    _age(recent / ".used", UNUSED_DAYS - 1)
    (root / "results" / "cd").mkdir(parents=True)  # format 2
    old_entry, kept_entry = root / namespace() / "results" / "ef" / "old.json", root / namespace() / "results" / "ef" / "kept.json"
    old_entry.parent.mkdir(parents=True)
    old_entry.write_text("{}")
    kept_entry.write_text("{}")
    _age(old_entry, UNUSED_DAYS + 1)
    _age(kept_entry, UNUSED_DAYS - 1)

    Cache(str(root)).put("results", "ff" * 32, [])

    assert sorted(p.name for p in root.iterdir()) == sorted([".gitignore", namespace(), recent.name])
    assert not old_entry.exists() and kept_entry.exists()
    assert Cache(str(root)).get("results", "ff" * 32) == []


def test_a_namespace_is_swept_once_a_day(tmp_path):
    root = tmp_path / CACHE_DIR_NAME
    Cache(str(root)).put("results", "ab" * 32, [])
    entry = root / namespace() / "results" / "ab" / ("ab" * 32 + ".json")
    _age(entry, UNUSED_DAYS + 1)
    Cache(str(root)).put("results", "cd" * 32, [])
    assert entry.exists()  # swept by the first run today
    _age(root / namespace() / ".swept", 1.1)
    Cache(str(root)).put("results", "cd" * 32, [])
    assert not entry.exists()


def test_the_cache_can_be_deleted_at_any_time(project, parses):
    first = _run(project)
    shutil.rmtree(project / CACHE_DIR_NAME)
    assert _keys(_run(project)) == _keys(first)


def test_no_cache_neither_reads_nor_writes(project, parses):
    _run(project, cache=False)
    assert not (project / CACHE_DIR_NAME).exists()
    _run(project)
    parses.clear()
    result = _run(project, cache=False)
    assert len(parses) == 2 and result.cached == 0


def test_cache_dir_option(project, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("cache")
    _run(project, cache_dir=str(elsewhere))
    assert not (project / CACHE_DIR_NAME).exists()
    assert (elsewhere / namespace() / RESULTS).is_dir()


def test_cache_api_keeps_kinds_apart(tmp_path):
    cache = Cache(str(tmp_path / "c"))
    key = make_key("content", "settings")
    assert cache.get("results", key) is None
    cache.put("results", key, [[1, 2]])
    cache.put("summary", key, {"exports": ["f"]})
    assert cache.get("results", key) == [[1, 2]]
    assert cache.get("summary", key) == {"exports": ["f"]}
    assert make_key("ab", "c") != make_key("a", "bc")
    assert Cache(str(tmp_path / "d"), enabled=False).get("results", key) is None


def test_jobs_give_identical_output(tmp_path):
    """Enough files to fill several chunks, so that workers really run."""
    for index in range(150):
        body = BLOCKING if index % 3 == 0 else (CLEAN if index % 3 == 1 else NO_ASYNC)
        (tmp_path / f"m{index:03}.py").write_text(body * (1 + index % 4))
    (tmp_path / "broken.py").write_text("async def f(:\n")
    (tmp_path / "binary.py").write_bytes(b"\x00\x01")
    settings = Settings(project_root=str(tmp_path))
    one = check_paths([str(tmp_path)], settings, jobs=1, cache=False)
    two = check_paths([str(tmp_path)], settings, jobs=2, cache=False)
    assert one.diagnostics == two.diagnostics and len(one.diagnostics) > 50
    assert {"ASL001", "ASL003", "ASL101"} <= {d.code for d in one.diagnostics}
    warm_two = check_paths([str(tmp_path)], settings, jobs=2)  # workers write the cache
    cached = check_paths([str(tmp_path)], settings, jobs=1)
    assert warm_two.diagnostics == cached.diagnostics == one.diagnostics
    assert cached.linted == 0 and cached.cached == warm_two.linted + warm_two.cached  # syntax errors too


@pytest.mark.parametrize("files", [1, 2, 3])
def test_big_files_with_jobs(tmp_path, files):
    """Files bigger than a chunk: one (never worth workers), two and three (workers start)."""
    from asynclint.runner import CHUNK_CHARS

    body = BLOCKING * 10 + "#" * CHUNK_CHARS + "\n"  # more than a chunk, cheap to parse
    for index in range(files):
        (tmp_path / f"big{index}.py").write_text(body)
    settings = Settings(project_root=str(tmp_path))
    one = check_paths([str(tmp_path)], settings, jobs=1, cache=False)
    two = check_paths([str(tmp_path)], settings, jobs=2, cache=False)
    assert len(one.diagnostics) == 10 * files and two.diagnostics == one.diagnostics


def test_cli_jobs_and_cache_flags(project, monkeypatch, capsys):
    from asynclint.cli import main

    monkeypatch.chdir(project)
    outputs = []
    for args in (["--jobs", "1"], ["--jobs", "2"], ["--no-cache"], ["--cache-dir", "elsewhere"], []):
        outputs.append((main(["check", *args, "."]), capsys.readouterr().out))
    assert all(output == outputs[0] for output in outputs) and outputs[0][0] == 1
    assert (project / CACHE_DIR_NAME).is_dir() and (project / "elsewhere" / namespace() / RESULTS).is_dir()
    with pytest.raises(SystemExit) as exit:
        main(["check", "--jobs", "0", "."])
    assert exit.value.code == 2 and "positive integer" in capsys.readouterr().err


def test_fixtures_through_the_runner_match_the_engine(tmp_path):
    """The runner (workers, cache) reports exactly what lint_source reports on each fixture."""
    from asynclint.engine import check_file

    settings = Settings(project_root=ROOT)
    files = sorted(os.path.join(d, n) for d, _, names in os.walk(FIXTURES) for n in names if n.endswith(".py"))
    direct = sorted((d for path in files for d in check_file(path, settings)), key=lambda d: d.sort_key())
    for jobs in (1, 2):
        for _ in range(2):  # cold, then cached
            result = check_paths([FIXTURES], settings, jobs=jobs, cache_dir=str(tmp_path / "c"))
            assert result.diagnostics == direct


def _children(pid: int) -> list[str]:
    with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as handle:
        return handle.read().split()


@pytest.mark.skipif(not os.path.exists(f"/proc/{os.getpid()}/task/{os.getpid()}/children"),
                    reason="needs Linux's /proc to see the workers start")
def test_ctrl_c_exits_130_without_traceback(tmp_path):
    big = "import time\n\nasync def f():\n    time.sleep(1)\n" * 4000
    for index in range(120):
        (tmp_path / f"m{index:03}.py").write_text(big)
    proc = subprocess.Popen([sys.executable, "-m", "asynclint", "check", "--no-cache", "--jobs", "2", "."],
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    # The run is under way once its workers exist (whatever the machine's load); the run lasts
    # far longer than that.
    while proc.poll() is None and len(_children(proc.pid)) < 2:
        time.sleep(0.01)
    assert proc.poll() is None, "the run ended before it could be interrupted"
    os.killpg(proc.pid, signal.SIGINT)  # as a terminal does: the whole process group
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, (out[-500:], err[-2000:])
    assert "Traceback" not in err and "interrupted" in err


def test_default_jobs_follow_the_amount_of_work(tmp_path, monkeypatch):
    """Without --jobs, a run with little work stays in this process; with enough work, and idle
    CPUs, it starts workers. Either way the findings are the same."""
    from asynclint import runner

    for index in range(80):
        (tmp_path / f"m{index:02}.py").write_text("import time\n\nasync def f():\n    time.sleep(1)\n")
    started = []
    real_start = runner._Workers._start
    monkeypatch.setattr(runner._Workers, "_start", lambda self: started.append(self.jobs) or real_start(self))
    monkeypatch.setattr(runner, "default_jobs", lambda: 2)
    alone = check_paths([str(tmp_path)], Settings(project_root=str(tmp_path)), cache=False)
    assert started == [] and len(alone.diagnostics) == 80
    monkeypatch.setattr(runner, "PARALLEL_MIN_CHARS", 1000)
    shared = check_paths([str(tmp_path)], Settings(project_root=str(tmp_path)), cache=False)
    assert started == [2] and shared.diagnostics == alone.diagnostics


def _two_projects(root, files_one, files_two):
    for name, files in (("one", files_one), ("two", files_two)):
        (root / name).mkdir()
        (root / name / "pyproject.toml").write_text("[tool.asynclint]\n")
        for index in range(files):
            (root / name / f"m{index:03}.py").write_text(BLOCKING * (1 + index % 3))


def test_one_pool_of_workers_serves_every_project(tmp_path, monkeypatch):
    """Each pyproject.toml makes a group with its own settings and index; the workers are
    started once for the run, not once per group, and the findings are those of one process."""
    from asynclint import runner

    _two_projects(tmp_path, 80, 80)
    started = []
    real_start = runner._Workers._start
    monkeypatch.setattr(runner._Workers, "_start", lambda self: started.append(self.jobs) or real_start(self))
    alone = check_paths([str(tmp_path)], jobs=1, cache=False)
    shared = check_paths([str(tmp_path)], jobs=2, cache=False)
    assert started == [2] and shared.diagnostics == alone.diagnostics
    assert len(alone.diagnostics) == 2 * sum(1 + index % 3 for index in range(80))


def test_a_dead_worker_costs_the_files_in_flight_only(tmp_path, monkeypatch):
    """A worker that dies (here: at the first file) fails the chunks then in flight with ASL002;
    a fresh pool checks the rest, whatever their group."""
    from asynclint import runner

    _two_projects(tmp_path, 400, 40)
    (tmp_path / "one" / "a_dies.py").write_text(BLOCKING)
    real_lint_file = runner._Linter._lint_file

    def dying(self, path, enabled, group):
        if path.endswith("a_dies.py"):
            os._exit(1)
        return real_lint_file(self, path, enabled, group)

    monkeypatch.setattr(runner._Linter, "_lint_file", dying)  # the workers are forked: they inherit it
    result = check_paths([str(tmp_path)], jobs=2, cache=False)
    codes = {}
    for d in result.diagnostics:
        codes.setdefault(d.path, set()).add(d.code)
    assert codes[str(tmp_path / "one" / "a_dies.py")] == {"ASL002"}
    assert len(codes) == 441 and all(found in ({"ASL002"}, {"ASL101"}) for found in codes.values())
    lost = [path for path, found in codes.items() if found == {"ASL002"}]
    in_flight = 2 * runner.IN_FLIGHT_PER_JOB * runner.CHUNK_FILES
    assert len(lost) <= in_flight and all(os.sep + "one" + os.sep in path for path in lost)


@pytest.mark.parametrize("load, runnable, idle", [
    (0.2, 1, 4), (2.7, 3, 2),  # the average and the tasks runnable now agree
    (1.9, 1, 4),  # the average still counts a run that has ended: nothing else runs now
    (0.4, 3, 4),  # the average bounds the count: a burst it does not show yet is not counted
    (1.5, None, 3),  # no /proc/loadavg: the average alone
    (9.0, 9, 1),  # never fewer than one
])
def test_default_jobs_leave_out_the_cpus_other_work_keeps_busy(load, runnable, idle):
    from asynclint.runner import idle_cpus

    assert idle_cpus(4, load, runnable) == idle


def test_the_collector_is_left_as_it_was(project):
    """The run holds the cyclic collector back while a file is linted; it leaves it as it found
    it: on with its thresholds, or off when the caller had turned it off."""
    import gc

    thresholds = gc.get_threshold()
    gc.disable()
    try:
        _run(project, cache=False)
        assert not gc.isenabled()
    finally:
        gc.enable()
    _run(project, cache=False)
    assert gc.isenabled() and gc.get_threshold() == thresholds


def test_a_cached_message_names_paths_as_seen_from_the_run_directory(tmp_path, monkeypatch):
    """ASL401 names the module of the blocking call relative to the working directory: a result
    cached by a run elsewhere (same files, named by absolute path) must not name it as seen there."""
    project = tmp_path / "proj"
    project.mkdir()
    (project / "app.py").write_text("import helpers\n\n\nasync def main():\n    helpers.load()\n")
    (project / "helpers.py").write_text("def load():\n    return open('x').read()\n")
    settings = Settings(project_root=str(project))
    cache_dir = str(tmp_path / "cache")
    monkeypatch.chdir(project)
    here = check_paths([str(project)], settings, jobs=1, cache_dir=cache_dir)
    assert "(helpers.py:2)" in here.diagnostics[0].message
    monkeypatch.chdir(tmp_path)
    above = check_paths([str(project)], settings, jobs=1, cache_dir=cache_dir)
    fresh = check_paths([str(project)], settings, jobs=1, cache=False)
    assert "(proj/helpers.py:2)" in fresh.diagnostics[0].message
    assert above.diagnostics == fresh.diagnostics


@pytest.fixture
def reads(monkeypatch):
    """Count the reads of checked files (by the plan, then by the linter: jobs=1)."""
    import asynclint.runner as runner

    seen = []
    real = runner.read_source
    monkeypatch.setattr(runner, "read_source", lambda path: (seen.append(os.path.basename(path)), real(path))[1])
    return seen


def test_an_unchanged_file_is_neither_read_nor_hashed(project, reads, monkeypatch):
    import asynclint.runner as runner

    first = _run(project)
    reads.clear()
    monkeypatch.setattr(runner, "SETTLED_NS", 0)  # the files were written just now
    second = _run(project)  # read again: the first run saw them too fresh to stamp
    assert sorted(reads) == ["a.py", "b.py", "c.py"] and second.diagnostics == first.diagnostics
    reads.clear()
    third = _run(project)
    assert reads == [] and third.diagnostics == first.diagnostics
    assert (third.cached, third.skipped, third.linted) == (2, 1, 0)
    entries = []
    real = Cache.get
    monkeypatch.setattr(Cache, "get", lambda self, kind, key: (entries.append(kind), real(self, kind, key))[1])
    fourth = _run(project)  # the index now holds the results too: one entry read in all
    assert entries == ["stamps"] and reads == [] and fourth.diagnostics == first.diagnostics


def test_an_edit_in_the_same_tick_is_seen(project, reads):
    """A file written just before a run and edited again after it with the same size and mtime:
    it got no stamp (too recent), so it is read again."""
    (project / "b.py").write_text(CLEAN)
    mtime = os.stat(project / "b.py").st_mtime_ns
    first = _run(project)
    assert [d.path for d in first.diagnostics] == [str(project / "a.py")]
    (project / "b.py").write_text(BLOCKING.ljust(len(CLEAN)))  # the same size
    assert (project / "b.py").stat().st_size == len(CLEAN)
    os.utime(project / "b.py", ns=(mtime, mtime))
    reads.clear()
    second = _run(project)
    assert "b.py" in reads
    assert [os.path.basename(d.path) for d in second.diagnostics] == ["a.py", "b.py"]


def test_an_edit_that_puts_the_mtime_back_is_seen(project, reads, monkeypatch):
    """A stamped file edited with its size and mtime kept (touch -r, tar, rsync -t): the ctime
    tells."""
    import asynclint.runner as runner

    mtime = os.stat(project / "b.py").st_mtime_ns
    monkeypatch.setattr(runner, "SETTLED_NS", 0)
    _run(project)
    reads.clear()
    assert _run(project).diagnostics and reads == []  # stamped
    time.sleep(0.02)  # the next change gets a later ctime whatever the file system's tick
    (project / "b.py").write_text(BLOCKING.ljust(len(CLEAN)))  # the same size
    assert os.stat(project / "b.py").st_size == len(CLEAN)
    os.utime(project / "b.py", ns=(mtime, mtime))
    result = _run(project)
    assert set(reads) == {"b.py"}  # read by the plan, then linted
    assert [os.path.basename(d.path) for d in result.diagnostics] == ["a.py", "b.py"]


def test_files_that_swap_names_are_read_again(project, reads, monkeypatch):
    import asynclint.runner as runner

    monkeypatch.setattr(runner, "SETTLED_NS", 0)
    _run(project)
    _run(project)
    reads.clear()
    time.sleep(0.02)
    os.rename(project / "a.py", project / "x.py")
    os.rename(project / "b.py", project / "a.py")
    os.rename(project / "x.py", project / "b.py")
    result = _run(project)
    assert sorted(reads) == ["a.py", "b.py"]
    assert [os.path.basename(d.path) for d in result.diagnostics] == ["b.py"]


def test_results_kept_in_the_stamp_index_follow_an_edit_of_a_module_they_used(tmp_path, reads, monkeypatch):
    import asynclint.runner as runner

    monkeypatch.setattr(runner, "SETTLED_NS", 0)
    (tmp_path / "app.py").write_text("import helpers\n\n\nasync def main():\n    helpers.load()\n")
    helpers = tmp_path / "helpers.py"
    helpers.write_text("def load():\n    return open('x').read()\n")
    for _ in range(3):  # the third run finds the results in the index
        assert [d.code for d in _run(tmp_path).diagnostics] == ["ASL401"]
    reads.clear()
    time.sleep(0.02)
    helpers.write_text("def load():\n    return 'x'\n")
    assert _run(tmp_path).diagnostics == [] and "app.py" in reads
    assert _run(tmp_path).diagnostics == []
    helpers.write_text("def load():\n    return open('x').read()\n")
    assert [d.code for d in _run(tmp_path).diagnostics] == ["ASL401"]
