"""The early skips lose no finding: the fast path (skip a file in which no enabled checker's
trigger occurs; skip sync function bodies that cannot hold code on the event loop) reports
exactly what the full path (always parse, walk every body) reports."""

import ast
import glob
import os
import re
import sysconfig

import pytest

from asynclint.analysis import scopes as analysis
from asynclint.engine import enabled_codes, lint_source, needs_parse
from asynclint.model import Settings
from asynclint.rules import RULES
from conftest import FIXTURES, ROOT

ALL_RULES = Settings(select=tuple(sorted(RULES)))
STDLIB = sysconfig.get_paths()["stdlib"]
EDGE_CASES = [
    "import time\nasync \\\n  def f():\n    time.sleep(1)\n",  # keywords split by a continuation
    "import time\nasync\tdef f():\n    time.sleep(1)\n",
    "import time\nclass C:\n    async  def f(self):\n        time.sleep(1)\n",
    "import asyncio, time\ndef f():\n    time.sleep(1)\n    asyncio.run(g())\n",  # asyncio, no async def
    "import time\nf = lambda: time.sleep(1)\n",
    # sync functions that define what runs on the loop: their bodies must be walked
    "import time\ndef outer():\n    s = time\n    async def inner():\n        s.sleep(1)\n    return inner\n",
    "import time\ndef make():\n    t = time\n    if True:\n        class C:\n            async def m(self):\n"
    "                t.sleep(1)\n    return C\n",
    "import time\ndef f():\n    try:\n        pass\n    finally:\n        async def g():\n            time.sleep(1)\n",
]


def _full(source, path, settings):
    """Parse whatever the text, walk every function body."""
    analysis.SKIP_SYNC_BODIES = False
    try:
        tree = ast.parse(source, path)
    except (SyntaxError, ValueError):
        return lint_source(source, path, settings)  # both paths report the syntax error
    else:
        return lint_source(source, path, settings, tree=tree)
    finally:
        analysis.SKIP_SYNC_BODIES = True


def _sources():
    paths = sorted(glob.glob(os.path.join(FIXTURES, "**", "*.py"), recursive=True))
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            source = handle.read()
        yield path, source
        stripped = re.sub(r"\bawait\s+", "", re.sub(r"\basync\s+(?=def|with|for)", "", source))
        yield path + " (async stripped)", stripped
    for code, rule in sorted(RULES.items()):
        for name in ("bad", "good"):
            if rule.__dict__.get(name):
                yield f"{code}.{name}", rule.__dict__[name]
    for index, source in enumerate(EDGE_CASES):
        yield f"edge case {index}", source
    for name in ("asyncio/tasks.py", "asyncio/base_events.py", "concurrent/futures/thread.py",
                 "subprocess.py", "socket.py", "http/client.py"):
        path = os.path.join(STDLIB, name)
        if os.path.exists(path):
            with open(path, encoding="utf-8") as handle:
                yield path, handle.read()


def _compare(path, source):
    fast = lint_source(source, path, ALL_RULES)
    full = _full(source, path, ALL_RULES)
    assert fast == full, path
    if not needs_parse(source, enabled_codes(ALL_RULES, path), ALL_RULES):
        assert full == [], path


SOURCES = list(_sources())


@pytest.mark.parametrize("path,source", SOURCES, ids=[
    os.path.relpath(p, ROOT) if p.startswith(ROOT) else os.path.basename(p) for p, _ in SOURCES])
def test_fast_path_equals_full_path(path, source):
    _compare(path, source)


def test_the_skip_skips(monkeypatch):
    parsed = []
    real = ast.parse
    monkeypatch.setattr(ast, "parse", lambda source, filename="<unknown>", *a, **k: (
        parsed.append(filename), real(source, filename, *a, **k))[1])
    lint_source("import os\n\ndef f():\n    return os.listdir(g())\n", "m.py", Settings())
    assert parsed == []  # no trigger: nothing runs on an event loop, no coroutine is named
    lint_source(EDGE_CASES[0], "n.py", Settings())
    assert parsed == ["n.py"]


def _corpus_files():
    roots = [STDLIB, os.path.join(ROOT, "benchmarks", "corpus", "mixed")]
    for root in roots:
        for path in sorted(glob.glob(os.path.join(root, "**", "*.py"), recursive=True)):
            if "site-packages" not in path:
                yield path


@pytest.mark.slow
def test_fast_path_equals_full_path_on_a_corpus():
    """The standard library and, once downloaded, the benchmark's mixed corpus (-m slow)."""
    checked = 0
    for path in _corpus_files():
        try:
            with open(path, encoding="utf-8") as handle:
                source = handle.read()
        except (OSError, UnicodeDecodeError):
            continue
        _compare(path, source)
        checked += 1
    assert checked > 500
