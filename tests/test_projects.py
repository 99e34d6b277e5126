"""Project-wide analysis over the multi-module fixture projects in fixtures/projects/."""

import dataclasses
import os
import shutil
from collections import Counter

import pytest

from asynclint.callgraph import BlockingCall, CallOut, FunctionSummary, ModuleSummary, ProjectIndex
from asynclint.config import find_pyproject, load_settings
from asynclint.model import Settings
from asynclint.runner import check_paths
from conftest import FIXTURES
from expectations import expected_findings, unmatched

PROJECTS_DIR = os.path.join(FIXTURES, "projects")
PROJECTS = sorted(os.listdir(PROJECTS_DIR))


def _settings(root):
    pyproject = os.path.join(root, "pyproject.toml")
    return load_settings(pyproject) if os.path.isfile(pyproject) else Settings(project_root=root)


def _expected(root):
    expected = []
    for directory, _, names in os.walk(root):
        for name in names:
            if name.endswith(".py"):
                path = os.path.join(directory, name)
                with open(path, encoding="utf-8") as handle:
                    expected += [(os.path.relpath(path, root), e) for e in expected_findings(handle.read())]
    return expected


def _actual(root, settings):
    result = check_paths([root], settings)
    return Counter((os.path.relpath(d.path, root), d.line, d.code) for d in result.diagnostics), result


@pytest.mark.parametrize("name", PROJECTS)
def test_project_findings_match_markers(name):
    root = os.path.join(PROJECTS_DIR, name)
    _, result = _actual(root, _settings(root))
    expected = _expected(root)
    for path in {os.path.relpath(d.path, root) for d in result.diagnostics} | {p for p, _ in expected}:
        missing, unexpected = unmatched([e for p, e in expected if p == path],
                                        [d for d in result.diagnostics if os.path.relpath(d.path, root) == path])
        assert missing == [] and unexpected == [], path


def test_chain_names_every_step_and_the_blocking_call(monkeypatch):
    root = os.path.join(PROJECTS_DIR, "srclayout")
    monkeypatch.chdir(root)
    _, result = _actual(".", _settings(root))
    messages = {(os.path.basename(d.path), d.line): d.message for d in result.diagnostics}
    assert messages[("handlers.py", 14)] == (
        "`load_settings()` blocks the event loop: load_settings -> read_file -> open() [ASL103] "
        "(src/app/config.py:6)"
    )
    assert "is_even" not in str(messages)


def test_cycle_chain_is_the_shortest():
    root = os.path.join(PROJECTS_DIR, "cycles")
    _, result = _actual(root, _settings(root))
    (finding,) = result.diagnostics
    assert "walk -> walk_back -> time.sleep() [ASL101]" in finding.message


def test_results_follow_an_edit_between_runs(tmp_path):
    root = tmp_path / "srclayout"
    shutil.copytree(os.path.join(PROJECTS_DIR, "srclayout"), root)
    settings = _settings(str(root))
    before, _ = _actual(str(root), settings)
    assert ("src/app/handlers.py", 14, "ASL401") in before

    config = root / "src" / "app" / "config.py"
    config.write_text(config.read_text().replace("with open(path) as handle:\n        return handle.read()",
                                                 "return path"))
    after, _ = _actual(str(root), settings)
    assert ("src/app/handlers.py", 14, "ASL401") not in after
    assert ("src/app/handlers.py", 22, "ASL401") in after  # exists() still blocks


def test_checking_one_file_uses_the_other_modules(run_cli):
    root = os.path.join(PROJECTS_DIR, "reexports")
    service = os.path.join(root, "pkg", "service.py")
    with open(service, encoding="utf-8") as handle:
        source = handle.read()
    code, out, _ = run_cli("check", "--select", "ASL401", "--stdin-filename", service, "-", input=source, cwd=root)
    assert code == 1
    assert out.count("ASL401") == 3
    assert find_pyproject(service) == os.path.join(root, "pyproject.toml")


def test_without_pyproject_the_project_is_the_common_root_of_the_paths(run_cli, tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "util.py").write_text("import time\n\n\ndef helper():\n    time.sleep(1)\n")
    (package / "app.py").write_text("from pkg.util import helper\n\n\nasync def main():\n    helper()\n")
    code, out, _ = run_cli("check", "pkg", cwd=tmp_path)
    assert code == 1
    assert "pkg/app.py:5:5: ASL401 `helper()` blocks the event loop: helper -> time.sleep() [ASL101]" in out


def test_the_cache_follows_an_edit_to_a_module_used_elsewhere(tmp_path, monkeypatch):
    import ast

    root = tmp_path / "srclayout"
    shutil.copytree(os.path.join(PROJECTS_DIR, "srclayout"), root)
    settings = _settings(str(root))
    parsed = []
    real_parse = ast.parse
    monkeypatch.setattr(ast, "parse", lambda source, filename="<unknown>", *a, **k: (
        parsed.append(os.path.basename(filename)), real_parse(source, filename, *a, **k))[1])

    first = check_paths([str(root)], settings, jobs=1)
    assert any(d.line == 14 and d.path.endswith("handlers.py") for d in first.diagnostics)
    parsed.clear()
    second = check_paths([str(root)], settings, jobs=1)
    assert parsed == [] and second.diagnostics == first.diagnostics  # nothing parsed again

    config = root / "src" / "app" / "config.py"
    config.write_text(config.read_text().replace("with open(path) as handle:\n        return handle.read()",
                                                 "return path"))
    parsed.clear()
    third = check_paths([str(root)], settings, jobs=1)
    assert not any(d.line == 14 and d.path.endswith("handlers.py") for d in third.diagnostics)
    # config.py is parsed again (it changed) and so is handlers.py (it used config.py); the
    # summaries of the unchanged modules come from the cache.
    assert "config.py" in parsed and "handlers.py" in parsed and "db.py" not in parsed


def test_a_nested_project_keeps_its_own_configuration(run_cli, tmp_path):
    sleep = "import time\n\n\nasync def f():\n    time.sleep(1)\n"
    (tmp_path / "pyproject.toml").write_text('[tool.asynclint]\nignore = ["ASL101"]\n')
    (tmp_path / "top.py").write_text(sleep)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "pyproject.toml").write_text("[tool.asynclint]\n")
    (tmp_path / "sub" / "inner.py").write_text(sleep)
    code, out, _ = run_cli("check", "--format", "concise", "--no-cache", ".", cwd=tmp_path)
    assert out.splitlines() == ["./sub/inner.py:5:5: ASL101 `time.sleep()` blocks the event loop; "
                                "use `await asyncio.sleep()`"] and code == 1


def test_json_keeps_the_chain_with_the_condition_of_each_link():
    from asynclint.report import as_dict

    root = os.path.join(PROJECTS_DIR, "cycles")
    _, result = _actual(root, _settings(root))
    (finding,) = result.diagnostics
    assert finding.code == "ASL402" and "may block the event loop, when n > 100:" in finding.message
    chain = as_dict(finding)["chain"]
    assert [(step["step"], step["when"]) for step in chain] == [
        ("walk", None), ("walk_back", None), ("time.sleep() [ASL101]", "n > 100")]
    assert chain[-1]["path"].endswith("odd.py") and chain[-1]["line"] == 12


def test_a_module_named_by_its_stem_does_not_stand_in_for_another_of_that_name(tmp_path):
    """Outside every root (here in a folder whose name is no identifier), modules are named by
    their stem alone. `trio/client.py`'s `.connection` must not resolve to `sync/connection.py`,
    checked before it in the same process, whose `send` blocks (websockets 17.4 in a folder of
    many packages reported exactly this, and only when other rules made the sync module parsed)."""
    package = tmp_path / "websockets-17.4"
    for folder, connection in (("sync", "import threading\n\n\nclass Connection:\n    def send(self):\n"
                                        "        threading.Thread().join()\n\n\nasync def unrelated():\n    pass\n"),
                               ("trio", "class Connection:\n    def send(self):\n        return None\n")):
        (package / folder).mkdir(parents=True)
        (package / folder / "connection.py").write_text(connection)
    (package / "trio" / "client.py").write_text(
        "from .connection import Connection\n\n\nclass Client(Connection):\n    async def go(self):\n"
        "        self.send()\n")
    result = check_paths([str(tmp_path)], Settings(project_root=str(tmp_path)), jobs=1, cache=False)
    assert [d.code for d in result.diagnostics] == []


def test_a_module_known_only_after_a_lookup_missed_it_is_seen_by_the_chains(tmp_path):
    """The chains cached while `helpers` was nowhere must not outlive its arrival (a file named by
    its stem, checked later): a module new to the index keeps the caches only when nothing can
    have asked for it before."""
    (tmp_path / "app.py").write_text("")
    app = ModuleSummary("app", str(tmp_path / "app.py"),
                        {"run": FunctionSummary(False, 1, calls=[CallOut("helpers.wait", [], None, "call", False)])})
    index = ProjectIndex([str(tmp_path)], lambda path, context: app)
    assert index.blocking_chain("app.run") is None
    helpers = ModuleSummary("helpers", str(tmp_path / "elsewhere" / "helpers.py"),
                            {"wait": FunctionSummary(False, 3, blocking=[BlockingCall("ASL101", "time.sleep", 4, [])])})
    with index.checking(helpers):
        _, steps = index.blocking_chain("app.run")
    assert [step.label for step in steps] == ["run", "wait", "time.sleep() [ASL101]"]


def test_the_chain_names_a_module_by_the_same_path_however_its_summary_was_made(tmp_path, monkeypatch):
    """`aio.py` is checked before `main.py` uses it (its summary is the one made while checking
    it, under the path given); `zlib_helpers.py` after (summarised on demand, under the project
    root): either way a link's path is the absolute one, so that which worker checked what, or
    the directory of a cached run, never changes a finding."""
    blocking = "import time\n\ndef wait():\n    time.sleep(1)\n"
    (tmp_path / "pyproject.toml").write_text("[tool.asynclint]\n")
    (tmp_path / "aio.py").write_text("async def unused():\n    pass\n\n" + blocking)
    (tmp_path / "zlib_helpers.py").write_text("async def unused():\n    pass\n\n" + blocking)
    (tmp_path / "main.py").write_text("import aio, zlib_helpers\n\nasync def run():\n"
                                      "    aio.wait()\n    zlib_helpers.wait()\n")
    monkeypatch.chdir(tmp_path)
    result = check_paths(["."], jobs=1, cache=False)
    chains = [d.chain for d in result.diagnostics if d.code == "ASL401"]
    assert [[step[1] for step in chain] for chain in chains] == [
        [str(tmp_path / "aio.py")] * 2, [str(tmp_path / "zlib_helpers.py")] * 2]


def test_a_subclass_summarised_later_still_counts_as_an_override(tmp_path):
    """The known subclasses are kept between questions and take in each module summarised since:
    once `plain` is loaded, `Base.save` has a plain override, and calling it is no longer judged
    a coroutine call."""
    (tmp_path / "base.py").write_text("class Base:\n    async def save(self):\n        pass\n")
    (tmp_path / "plain.py").write_text(
        "from base import Base\n\n\nclass Plain(Base):\n    def save(self):\n        pass\n\n\n"
        "def helper():\n    pass\n")
    (tmp_path / "app.py").write_text(
        "import plain\nfrom base import Base\n\n\nasync def store():\n    obj = Base()\n"
        "    obj.save()\n    plain.helper()\n    obj.save()\n")
    result = check_paths([str(tmp_path / "app.py")], Settings(project_root=str(tmp_path)), jobs=1, cache=False)
    assert [(d.line, d.code) for d in result.diagnostics] == [(7, "ASL201")]


# Cached results follow an edit to a module that a kept answer of the index (a chain, a class
# order) was made from, though only the first file to ask made it: `a.py` and `b.py` make the
# same call, and the module at the far end starts blocking.
KEPT_ANSWERS = {
    # the chain helpers.load -> util.read
    "chain": ("import helpers", "helpers.load()",
              {"helpers.py": "import util\n\n\ndef load():\n    return util.read()\n"},
              "util.py", "def read():\n    return {}\n"),
    # Mid().load() is Base.load, through the class order of Mid
    "class order": ("from mid import Mid", "Mid().load()",
                    {"mid.py": "from base import Base\n\n\nclass Mid(Base):\n    pass\n"},
                    "base.py", "class Base:\n    def load(self):\n        return {}\n"),
    # Own().load() is Mid.load, found through Own's class order, which names Mid (_defining)
    "base class": ("from mid import Mid\n\n\nclass Own(Mid):\n    pass", "Own().load()", {},
                   "mid.py", "class Mid:\n    def load(self):\n        return {}\n"),
    # helpers.load is deep.load, re-exported: the function a call of helpers.load runs (resolve)
    "re-export": ("import helpers", "helpers.load()", {"helpers.py": "from deep import load\n"},
                  "deep.py", "def load():\n    return {}\n"),
}


@pytest.mark.parametrize("answer", sorted(KEPT_ANSWERS))
def test_a_cached_result_follows_an_edit_to_what_a_kept_answer_was_made_from(tmp_path, answer):
    imported, call, middle, far_name, far_text = KEPT_ANSWERS[answer]
    (tmp_path / "pyproject.toml").write_text("[tool.asynclint]\n")
    for name in ("a", "b"):
        (tmp_path / f"{name}.py").write_text(f"{imported}\n\n\nasync def {name}():\n    {call}\n")
    for name, text in middle.items():
        (tmp_path / name).write_text(text)
    far = tmp_path / far_name
    far.write_text(far_text.format("'x'"))
    settings = _settings(str(tmp_path))
    assert check_paths([str(tmp_path)], settings, jobs=1).diagnostics == []
    far.write_text(far_text.format("open('x').read()"))
    os.utime(far, ns=(1, 1))  # a stamp of its own, however coarse the clock
    found = check_paths([str(tmp_path)], settings, jobs=1)
    assert sorted((os.path.basename(d.path), d.code) for d in found.diagnostics) == [("a.py", "ASL401"),
                                                                                   ("b.py", "ASL401")]


# What a file's findings were made from besides its own text, edited between two cached runs: the
# second run reports what a cold one does. `user_a.py` and `user_b.py` ask the same question (the
# index answers the second from what it kept for the first); each case's edit changes the answer.
UNAWAITED = "from base import Base\n\n\nasync def use():\n    obj = Base()\n    obj.save()\n"
BASE = "class Base:\n    async def save(self):\n        pass\n"
PLAIN = "from {base} import {name}\n\n\nclass Plain({name}):\n    {kind}def save(self):\n        pass\n\n\nasync def unused():\n    pass\n"
CACHED_THEN_EDITED = {
    # a module checked earlier in the run, which the index knows by the summary made while checking it
    "a module checked before": (
        {"helpers.py": "async def unused():\n    pass\n\n\ndef load():\n    return {}\n",
         "user_a.py": "import helpers\n\n\nasync def use():\n    helpers.load()\n"},
        {"helpers.py": "async def unused():\n    pass\n\n\ndef load():\n    return open('x').read()\n"}),
    # an override in a subclass no longer agrees: calling Base.save may not make a coroutine
    "an override in a subclass": (
        {"base.py": BASE, "plain.py": PLAIN.format(base="base", name="Base", kind="async "),
         "user_a.py": UNAWAITED, "user_b.py": UNAWAITED},
        {"plain.py": PLAIN.format(base="base", name="Base", kind="")}),
    # the subclass's base no longer derives from Base: its override no longer counts
    "the base of a subclass": (
        {"base.py": BASE, "mid.py": "from base import Base\n\n\nclass Mid(Base):\n    pass\n",
         "plain.py": PLAIN.format(base="mid", name="Mid", kind=""), "user_a.py": UNAWAITED, "user_b.py": UNAWAITED},
        {"mid.py": "class Mid:\n    pass\n"}),
    # a new module that a module summarised on disk calls into: m.py's summary, kept on disk, was
    # made while `helpers` was not the project's (the calls into it left out)
    "a module a summary called into appears": (
        {"user_a.py": "import m\n\n\nasync def use():\n    m.f()\n",
         "m.py": "import helpers\n\n\ndef f():\n    helpers.g()\n"},
        {"helpers.py": "import time\n\n\ndef g():\n    time.sleep(1)\n"}),
    # a module summarised for others (never checked: no trigger word), stored with a body not walked
    "a module stored with bodies left to walk": (
        {"helpers.py": "def load():\n    return {}\n\n\ndef unused():\n    return {}\n",
         "user_a.py": "import helpers\n\n\nasync def use():\n    helpers.load()\n"},
        {"helpers.py": "def load():\n    return open('x').read()\n\n\ndef unused():\n    return {}\n"}),
    # a new file (the list of files is part of every key)
    "a new subclass module": (
        {"base.py": BASE, "user_a.py": UNAWAITED, "user_b.py": UNAWAITED},
        {"plain.py": PLAIN.format(base="base", name="Base", kind="")}),
}


@pytest.mark.parametrize("case", sorted(CACHED_THEN_EDITED))
def test_a_cached_result_follows_an_edit_to_what_it_was_made_from(tmp_path, case):
    files, edits = CACHED_THEN_EDITED[case]
    (tmp_path / "pyproject.toml").write_text("[tool.asynclint]\n")
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    settings = _settings(str(tmp_path))

    def findings(**options):
        result = check_paths([str(tmp_path)], settings, jobs=1, **options)
        return sorted((os.path.basename(d.path), d.line, d.code) for d in result.diagnostics)

    before = findings()
    for name, text in edits.items():
        (tmp_path / name).write_text(text)
        os.utime(tmp_path / name, ns=(1, 1))  # a stamp of its own, however coarse the clock
    cached = findings()
    assert cached == findings(cache=False) != before


def test_chains_to_imports_are_switched_off_with_asl112():
    """ASL112 off (an ignore), the chains that end at an import go too."""
    root = os.path.join(PROJECTS_DIR, "imports")
    settings = _settings(root)
    on, _ = _actual(root, settings)
    off, _ = _actual(root, dataclasses.replace(settings, ignore=("ASL112",)))
    assert any(code == "ASL401" for _, _, code in on)
    assert not any(code in ("ASL112", "ASL401") for _, _, code in off)


def test_types_from_another_module_follow_an_edit_of_it(tmp_path):
    """A value typed by another module's summary (a return annotation, a class attribute) depends
    on that module: a cached result does not outlive an edit of it."""
    root = tmp_path / "types"
    shutil.copytree(os.path.join(PROJECTS_DIR, "types"), root, ignore=shutil.ignore_patterns(".asynclint_cache"))
    settings = _settings(str(root))
    before, _ = _actual(str(root), settings)
    assert {("app/handlers.py", 32, "ASL104"), ("app/handlers.py", 25, "ASL401")} <= set(before)

    core = root / "app" / "core.py"
    core.write_text(core.read_text().replace("def file_path_to_path(name: str) -> Path:",
                                             "def file_path_to_path(name: str) -> str:")
                    .replace("    http: Http\n", "    http: object\n").replace("self.http = Http()", "self.http = 0"))
    after, _ = _actual(str(root), settings)
    assert ("app/handlers.py", 32, "ASL104") not in after
    assert ("app/handlers.py", 25, "ASL401") not in after
    assert ("app/handlers.py", 33, "ASL104") not in after  # core.file_path_to_path too
    assert ("app/handlers.py", 50, "ASL104") in after  # DATA_DIR is still a Path


def test_a_summary_kept_on_disk_follows_the_modules_it_was_made_from(tmp_path):
    """A helper's summary types its calls with another module's summary (``app.root`` is a Path):
    kept on disk, it holds only while that module is unchanged."""
    root = tmp_path / "project"
    (root / "pkg").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[project]\nname = "p"\nversion = "0"\n')
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "model.py").write_text(
        "from pathlib import Path\n\n\nclass App:\n    root: Path\n")
    (root / "pkg" / "helpers.py").write_text(
        "from pkg.model import App\n\n\ndef read(app: App):\n    return app.root.read_text()\n")
    (root / "pkg" / "main.py").write_text(
        "from pkg.helpers import read\n\n\nasync def handler(app):\n    return read(app)\n")
    settings = _settings(str(root))
    before, _ = _actual(str(root), settings)
    assert ("pkg/main.py", 5, "ASL401") in before

    model = root / "pkg" / "model.py"
    model.write_text(model.read_text().replace("root: Path", "root: str"))
    after, _ = _actual(str(root), settings)
    assert ("pkg/main.py", 5, "ASL401") not in after
