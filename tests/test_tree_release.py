"""A module's tree is freed as soon as its walk is done, by reference counting alone: nothing of it
waits for the cyclic garbage collector (which, in a run over many files, would traverse every
tree again and again: see Analysis.close)."""

import ast
import gc
import glob
import os
import weakref

import pytest

from asynclint.engine import lint_source, project_index
from asynclint.model import Settings
from conftest import FIXTURES
from expectations import fixture_settings


@pytest.fixture
def no_collector():
    """The cyclic collector off; yields a function that lists the AST nodes only it would free."""
    enabled = gc.isenabled()
    gc.collect()
    gc.disable()

    def nodes_left_to_the_collector() -> list[ast.AST]:
        gc.set_debug(gc.DEBUG_SAVEALL)
        try:
            gc.collect()
            return [o for o in gc.garbage if isinstance(o, ast.AST)]
        finally:
            gc.set_debug(0)
            gc.garbage.clear()

    yield nodes_left_to_the_collector
    if enabled:
        gc.enable()


def test_the_tree_of_every_rule_fixture_is_freed_when_its_findings_are_returned(no_collector):
    for path in sorted(glob.glob(os.path.join(FIXTURES, "rules", "**", "*.py"), recursive=True)):
        with open(path, encoding="utf-8") as handle:
            source = handle.read()
        tree = ast.parse(source, path)
        freed = weakref.ref(tree)
        lint_source(source, path, fixture_settings(source), tree=tree)
        del tree
        assert freed() is None, path
    assert no_collector() == []


def test_the_trees_of_modules_summarised_for_others_are_freed_too(tmp_path, no_collector):
    (tmp_path / "helpers.py").write_text(
        "class Store:\n    def __init__(self):\n        self.me = Store()\n\n"
        "    def load(self, path):\n        return open(path).read()\n")
    source = "from helpers import Store\n\nasync def handler(path):\n    return Store().load(path)\n"
    settings = Settings(project_root=str(tmp_path))
    path = str(tmp_path / "app.py")
    found = lint_source(source, path, settings, project=project_index(settings))
    assert [d.code for d in found] == ["ASL401"]  # helpers.py was summarised
    assert no_collector() == []


def test_an_index_holding_summaries_not_walked_yet_is_freed_by_reference_counting(tmp_path, no_collector):
    # helpers.py's summary keeps its analysis (and tree) for the bodies no chain asked for yet:
    # that analysis must not keep the index (and through it, every such tree) alive.
    (tmp_path / "helpers.py").write_text(
        "def load(path):\n    return open(path).read()\n\n\ndef unused(path):\n    return open(path).read()\n")
    source = "from helpers import load\n\nasync def handler(path):\n    return load(path)\n"
    settings = Settings(project_root=str(tmp_path))
    index = project_index(settings)
    found = lint_source(source, str(tmp_path / "app.py"), settings, project=index)
    assert [d.code for d in found] == ["ASL401"]
    freed = weakref.ref(index)
    del index
    assert freed() is None
    assert no_collector() == []
