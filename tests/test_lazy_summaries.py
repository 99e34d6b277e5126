"""A module summarised for others has its function bodies walked only when a chain or a
coroutine question reads their summary: what it then holds is what one whole walk makes."""

import ast
import json

from asynclint.analysis import Analysis, scopes
from asynclint.engine import project_index, summarize_module
from asynclint.model import Settings

SOURCE = '''
import contextlib
import json
import threading
import time

state = threading.local()
RETRIES = 3


def fetch(path, retries=RETRIES):
    if retries:
        return open(path).read()
    return helper(path)


def helper(path):
    time.sleep(json.loads(path))  # json: a module outside the project, found in a body walked later


@contextlib.contextmanager
def opened(path):
    yield open(path)


def numbers():
    yield from range(3)


def outer():
    def inner():
        time.sleep(1)
    class Local(Base):
        pass
    return inner()


class Base:
    def __init__(self, path):
        self.path = path
        self.conn = None

    @property
    def size(self):
        return state.size

    @size.setter
    def size(self, value):
        time.sleep(value)

    async def run(self):
        return fetch(self.path)


def fetch(path):  # redefined: one summary for both, in the order of the module
    return helper(path)
'''


def _summary(tmp_path, lazy: bool) -> dict:
    path = tmp_path / "module.py"
    path.write_text(SOURCE)
    settings = Settings(project_root=str(tmp_path))
    context = project_index(settings).context_for(str(path))
    if lazy:
        summary = summarize_module(str(path), context, settings)
        summary.functions["Base.size"]  # one body asked for first
        list(summary.functions)  # the others afterwards (storing it would walk none of them)
    else:
        with Analysis(ast.parse(SOURCE), settings, [],
                      project=context.held_by_index(), source=SOURCE, summarize=True) as analysis:
            analysis.run()
            summary = analysis.summarizer.summary
    return json.loads(json.dumps(summary.to_json(), sort_keys=True))


def test_a_summary_walked_on_demand_is_the_summary_of_one_whole_walk(tmp_path):
    assert _summary(tmp_path, lazy=True) == _summary(tmp_path, lazy=False)


def test_only_the_bodies_asked_for_are_walked(tmp_path, monkeypatch):
    walked = []
    walk = scopes.Analysis._walk_function
    monkeypatch.setattr(scopes.Analysis, "_walk_function", lambda self, entry: (walked.append(entry[2].qualname),
                                                                                 walk(self, entry)))
    path = tmp_path / "module.py"
    path.write_text(SOURCE)
    settings = Settings(project_root=str(tmp_path))
    index = project_index(settings)  # a summary lives in its index: the walks left need it
    summary = summarize_module(str(path), index.context_for(str(path)), settings)
    assert walked == ["outer", "outer.<locals>.inner"]  # it defines a function and a class: walked at once
    assert "outer.<locals>.Local" in summary.classes
    assert "helper" in summary.functions and "Base.size" in summary.functions and "nothing" not in summary.functions
    assert walked == ["outer", "outer.<locals>.inner"]
    assert summary.outside == []
    assert summary.functions["helper"].blocking[0][1] == "time.sleep"
    assert walked[2:] == ["helper"]
    assert summary.outside == ["json"]
    assert summary.functions["fetch"].calls  # both of its bodies
    assert walked[3:] == ["fetch", "fetch"]


def test_the_summary_and_the_coroutine_facts_are_the_analysis_own(tmp_path):
    """Summarising runs no checker; a checker that reads the summary gets it written; the
    coroutine question has one answerer per walk, which the ASL2xx checker asks too."""
    from asynclint.rules.chains import ProjectCallChecker
    from asynclint.rules.coroutines import CoroutineChecker

    path = tmp_path / "module.py"
    path.write_text(SOURCE)
    settings = Settings(project_root=str(tmp_path))
    context = project_index(settings).context_for(str(path))
    with Analysis(ast.parse(SOURCE), settings, [], project=context, source=SOURCE) as analysis:
        assert analysis.summarizer is None  # nothing asks for it
    with Analysis(ast.parse(SOURCE), settings, [ProjectCallChecker, CoroutineChecker], project=context,
                  source=SOURCE) as analysis:
        analysis.run()
        assert analysis.summarizer.summary.functions
        assert analysis.checkers[1].calls is analysis.coroutines
