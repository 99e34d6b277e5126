"""A summary stored in the cache holds the function bodies walked so far; the others are walked
when a later run (or another worker) first reads them, from the module parsed again: what they
then hold, and what is found with them, is what one whole walk makes."""

import ast
import glob
import json
import os
import weakref

import pytest

from asynclint.analysis import Analysis
from asynclint.cache import Cache
from asynclint.callgraph import SUMMARIES, LazyFunctions
from asynclint.engine import lint_source, project_index
from asynclint.source import read_source
from asynclint.runner import check_paths
from test_lazy_summaries import SOURCE
from test_projects import PROJECTS, PROJECTS_DIR, _settings
from test_tree_release import no_collector  # noqa: F401 (a fixture)


def _modules(root):
    return sorted(path for path in glob.glob(os.path.join(root, "**", "*.py"), recursive=True))


def _eager(path, settings, index) -> dict:
    """The function summaries of one whole walk of the module."""
    source = read_source(path)
    with Analysis(ast.parse(source), settings, [],
                  project=index.context_for(path).held_by_index(), source=source, summarize=True) as analysis:
        analysis.run()
        summary = analysis.summarizer.summary
    return {name: f.to_json() for name, f in summary.functions.items()}, summary.outside


def _stored_partial(name, tmp_path):
    """(root, settings, cache) of a fixture project whose modules are all summarised for others and
    stored, with no body walked but those walked at once."""
    root = os.path.join(PROJECTS_DIR, name)
    settings = _settings(root)
    store = Cache(str(tmp_path / "cache"))
    index = project_index(settings, store)
    for path in _modules(root):
        index.summary(index.context_for(path).module)
    index.store_walked()
    return root, settings, store


def _summarised(settings, store, module) -> None:
    """The module summarised for others, and stored as a run does when it is done with its index."""
    index = project_index(settings, store)
    index.summary(module)
    index.store_walked()


@pytest.mark.parametrize("name", PROJECTS)
def test_function_summaries_walked_from_a_stored_partial_summary_are_those_of_one_whole_walk(name, tmp_path):
    root, settings, store = _stored_partial(name, tmp_path)
    index = project_index(settings, store)
    partial = 0
    for path in _modules(root):
        summary = index.summary(index.context_for(path).module)
        if summary is None:
            continue
        partial += isinstance(summary.functions, LazyFunctions) and bool(summary.functions.left())
        functions, outside = _eager(path, settings, index)
        assert {name: f.to_json() for name, f in summary.functions.items()} == functions, path
        assert summary.outside == outside, path
    assert partial  # the summaries came from the cache with bodies left to walk


@pytest.mark.parametrize("name", PROJECTS)
def test_findings_made_with_stored_partial_summaries_are_those_made_without_a_cache(name, tmp_path):
    root, settings, store = _stored_partial(name, tmp_path)
    for path in _modules(root):
        source = read_source(path)
        with_partial = lint_source(source, path, settings, project=project_index(settings, store))
        assert with_partial == lint_source(source, path, settings, project=project_index(settings)), path


def _entries(cache_dir) -> list[str]:
    """The files of the summaries stored in a cache directory."""
    return glob.glob(os.path.join(cache_dir, "**", SUMMARIES, "*", "*.json"), recursive=True)


def _stored(cache_dir, module) -> dict:
    found = []
    for path in _entries(cache_dir):
        with open(path, encoding="utf-8") as handle:
            payload = json.load(handle)["payload"]
        if payload["module"] == module:
            found.append(payload)
    (payload,) = found
    return payload


# No trigger word: a run never checks it, only summarises it for others.
HELPERS = "import time\n\n\ndef load():\n    return {}\n\n\ndef other():\n    time.sleep(1)\n"


def test_a_later_run_walks_the_bodies_a_stored_summary_left_and_stores_them(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.asynclint]\n")
    (tmp_path / "helpers.py").write_text(HELPERS)
    user = tmp_path / "user.py"
    user.write_text("import helpers\n\n\nasync def use():\n    helpers.load()\n")
    settings = _settings(str(tmp_path))
    cache_dir = str(tmp_path / ".asynclint_cache")

    def findings(**options):
        result = check_paths([str(tmp_path)], settings, jobs=1, **options)
        return sorted((os.path.basename(d.path), d.line, d.code) for d in result.diagnostics)

    assert findings() == []
    assert _stored(cache_dir, "helpers")["later"] == ["other"]  # stored without walking it
    user.write_text("import helpers\n\n\nasync def use():\n    helpers.other()\n")
    os.utime(user, ns=(1, 1))  # a stamp of its own, however coarse the clock
    assert findings() == findings(cache=False) == [("user.py", 5, "ASL401")]
    assert _stored(cache_dir, "helpers")["later"] == []  # stored again, once walked


def test_a_body_left_in_a_module_changed_since_claims_nothing(tmp_path):
    helpers = tmp_path / "helpers.py"
    helpers.write_text(HELPERS)
    store = Cache(str(tmp_path / "cache"))
    settings = _settings(str(tmp_path))
    _summarised(settings, store, "helpers")
    index = project_index(settings, store)
    summary = index.summary("helpers")
    assert summary.functions.left() == ["load", "other"]
    helpers.write_text(HELPERS.replace("time.sleep(1)", "pass"))  # before the body is walked
    other = summary.functions["other"]  # as a question already under way would read it
    assert not other.runs_when("call")  # no chain goes through it
    assert other.hazard  # nothing vouches for moving it to a thread
    assert index.blocking_chain("helpers.other") is None  # the index itself reads the new text
    helpers.write_text(HELPERS)  # its text again: walked as it is
    again = project_index(settings, store)  # a summary lives in its index: the walks left need it
    assert again.summary("helpers").functions["other"].blocking


@pytest.mark.parametrize("entry", ["without later", "later and made", "later not a list"])
def test_a_summary_entry_of_another_format_is_made_again(tmp_path, entry):
    (tmp_path / "helpers.py").write_text(HELPERS)
    store = Cache(str(tmp_path / "cache"))
    settings = _settings(str(tmp_path))
    _summarised(settings, store, "helpers")
    (path,) = _entries(store.directory)
    with open(path, encoding="utf-8") as handle:
        stored = json.load(handle)
    payload = stored["payload"]
    if entry == "without later":
        del payload["later"]
    elif entry == "later and made":  # a function both summarised and left to walk
        payload["functions"]["other"] = [False, 9, [], [], False, "body", [], {}, [], None]
    else:
        payload["later"] = 3
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(stored, handle)
    chain = project_index(settings, store).blocking_chain("helpers.other")
    assert chain is not None and chain[1][-1].label == "time.sleep() [ASL101]"


def test_a_stored_summary_walked_again_frees_its_trees_by_reference_counting(tmp_path, no_collector):  # noqa: F811
    (tmp_path / "helpers.py").write_text(HELPERS + "\n\ndef unused():\n    time.sleep(2)\n")
    store = Cache(str(tmp_path / "cache"))
    settings = _settings(str(tmp_path))
    _summarised(settings, store, "helpers")
    source = "from helpers import other\n\nasync def handler():\n    return other()\n"
    index = project_index(settings, store)
    found = lint_source(source, str(tmp_path / "app.py"), settings, project=index)
    assert [d.code for d in found] == ["ASL401"]
    assert "other" not in index.summary("helpers").functions.left()  # walked again: the module is held
    freed = weakref.ref(index)
    del index
    assert freed() is None
    assert no_collector() == []


def test_a_module_of_every_kind_of_function_stored_partial_is_walked_again_as_one_whole_walk(tmp_path):
    path = tmp_path / "module.py"
    path.write_text(SOURCE)
    store = Cache(str(tmp_path / "cache"))
    settings = _settings(str(tmp_path))
    first = project_index(settings, store)
    first.summary("module").functions["Base.size"]  # one body walked before it is stored again
    first.store_walked()
    index = project_index(settings, store)
    summary = index.summary("module")
    assert "Base.size" not in summary.functions.left() and "fetch" in summary.functions.left()
    functions, outside = _eager(str(path), settings, index)
    assert {name: f.to_json() for name, f in summary.functions.items()} == functions
    assert summary.outside == outside == ["json"]


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_workers_of_a_run_store_whole_summaries_for_one_another(tmp_path, monkeypatch, jobs):
    """One process stores what it walked; workers store every body walked, as the other workers
    would otherwise parse the module again for the bodies they read."""
    from asynclint import runner

    monkeypatch.setattr(runner, "CHUNK_FILES", 1)  # a chunk a file: the workers really run
    (tmp_path / "helpers.py").write_text(HELPERS)
    for name in ("a", "b", "c"):
        (tmp_path / f"{name}.py").write_text("import helpers\n\n\nasync def use():\n    helpers.load()\n")
    check_paths([str(tmp_path)], _settings(str(tmp_path)), jobs=jobs)
    assert _stored(str(tmp_path / ".asynclint_cache"), "helpers")["later"] == ([] if jobs == 2 else ["other"])


def test_a_package_stored_whole_keeps_its_reexports_resolvable(tmp_path):
    """A worker walks a fresh summary's bodies only once the index knows it: walking a package's
    ``__getattr__`` (an import of its own) asks what the package imports (``from . import jar``:
    the package itself). Walked before, that asked for the summary being made, and the re-export
    below was lost under --jobs 2 (aiohttp's CookieJar)."""
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text(
        "from . import jar\nfrom .jar import Jar as Jar\n\n\ndef __getattr__(name):\n    from .worker import Worker\n    return Worker\n")
    (package / "jar.py").write_text("class Jar:\n    def save(self, path):\n        with open(path, 'w') as f:\n"
                                    "            f.write('x')\n")
    (package / "worker.py").write_text("class Worker:\n    pass\n")
    source = "from pkg import Jar\n\n\nasync def test_save(tmp_path):\n    Jar().save(tmp_path / 'x')\n"
    settings = _settings(str(tmp_path))
    found = {}
    for whole in (False, True):
        index = project_index(settings, Cache(str(tmp_path / f"cache-{whole}")))
        index.store_whole = whole
        found[whole] = [d.message for d in lint_source(source, str(tmp_path / "test_jar.py"), settings,
                                                       project=index)]
    assert found[True] == found[False] and "Jar.save -> open()" in found[True][0]
