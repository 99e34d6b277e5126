"""Fuzzing the engine: no exception escapes and every diagnostic points inside the file.

Three sources of programs:
- hypothesmith's grammar-based programs, as they are;
- the same programs made async: wrapped in an ``async def``, their functions turned into
  coroutines, with blocking calls and ``await`` inserted into every block;
- programs composed from snippets that exercise what the analysis models (imports and
  aliases, classes with ``self.x`` attributes, nested and deferred functions, lambdas,
  comprehensions, walrus, global/nonlocal, string annotations, with/for protocols);
and arbitrary text and mutated programs, for the syntax-error path.

Example counts are kept small for CI; ``ASYNCLINT_FUZZ_EXAMPLES=2000 pytest tests/test_fuzz.py``
runs a longer, randomised session (the CI profile is derandomised, so it is repeatable).
"""

from __future__ import annotations

import ast
import os
import warnings

import hypothesmith
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asynclint.engine import lint_source
from asynclint.model import Settings
from asynclint.rules import RULES
from positions import internal_errors, position_problems

ALL_RULES = Settings(select=tuple(sorted(RULES)))
_EXAMPLES = int(os.environ.get("ASYNCLINT_FUZZ_EXAMPLES", "0"))
PROGRAMS = hypothesmith.from_grammar()  # built once: building it takes seconds
_RELAXED = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]


def fuzz_settings(ci_examples: int):
    """Few, repeatable examples in CI; many random ones when ASYNCLINT_FUZZ_EXAMPLES is set."""
    if _EXAMPLES:
        return settings(max_examples=_EXAMPLES, deadline=None, suppress_health_check=_RELAXED)
    return settings(max_examples=ci_examples, deadline=None, suppress_health_check=_RELAXED,
                    derandomize=True, database=None)


def check_engine(source: str, tree: ast.Module | None = None) -> list:
    """Run the engine as a check run does; fail on an escaped exception, an internal error or
    a position outside the file. Returns the diagnostics."""
    diagnostics = lint_source(source, "fuzz.py", ALL_RULES, tree=tree, verbose=True)
    assert internal_errors(diagnostics) == [], source
    if tree is None:
        assert position_problems(source, diagnostics) == [], source
    return diagnostics


def _parse(source: str) -> ast.Module | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


# -- hypothesmith programs, plain and made async ----------------------------------------------------

@fuzz_settings(30)
@given(PROGRAMS)
def test_generated_programs(source):
    check_engine(source)
    tree = _parse(source)
    if tree is not None:  # and with the analysis forced on, whatever the trigger words
        check_engine(source, tree=tree)


HEADER = "import asyncio, os, pathlib, requests, socket, sqlite3, subprocess, threading, time\n"
BLOCKING = [
    "time.sleep(1)", "open('f').read()", "requests.get('u').json()", "subprocess.run(['x'])",
    "os.path.exists('p')", "threading.Lock().acquire()", "input()", "asyncio.run(main())",
    "sqlite3.connect('db').execute('q').fetchall()", "socket.gethostbyname('h')",
    "pathlib.Path('p').read_text()", "await asyncio.sleep(0)",
]


class _Asyncify(ast.NodeTransformer):
    """Functions become coroutines (some of them), blocks get blocking calls and awaits."""

    def __init__(self, draw):
        self.draw = draw

    def generic_visit(self, node):
        node = super().generic_visit(node)
        for field in ("body", "orelse", "finalbody"):
            block = getattr(node, field, None)
            if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
                index = self.draw(st.integers(0, len(block)))
                call = ast.parse(self.draw(st.sampled_from(BLOCKING))).body[0]
                block.insert(index, call)
        return node

    def visit_FunctionDef(self, node):
        node = self.generic_visit(node)
        if not self.draw(st.booleans()):
            return node
        fields = {name: getattr(node, name) for name in node._fields}
        return ast.copy_location(ast.AsyncFunctionDef(**fields), node)

    def visit_Expr(self, node):
        if isinstance(node.value, ast.Call) and self.draw(st.booleans()):
            node.value = ast.Await(node.value)
        return node


@fuzz_settings(40)
@given(PROGRAMS, st.data())
def test_generated_programs_made_async(source, data):
    tree = _parse(source)
    if tree is None:
        return
    tree = _Asyncify(data.draw).visit(tree)
    wrapper = ast.parse("async def fuzzed():\n    pass\n").body[0]
    wrapper.body = tree.body or [ast.Pass()]
    module = ast.Module(body=ast.parse(HEADER).body + [wrapper], type_ignores=[])
    ast.fix_missing_locations(module)
    try:
        text = ast.unparse(module)
    except Exception:  # a tree ast.unparse cannot print: analyse the tree itself
        check_engine("", tree=module)
        return
    if _parse(text) is None:
        check_engine(text, tree=module)
    else:
        check_engine(text)


# -- programs composed from snippets the analysis models ------------------------------------------

IMPORTS = [
    "import time", "import time as t", "from time import sleep", "import os, os.path",
    "from os import path as osp", "import requests", "from requests import Session",
    "import subprocess as sp", "import threading", "from threading import Lock",
    "import sqlite3", "import socket", "import pathlib", "from pathlib import Path",
    "import asyncio", "import trio", "import anyio", "from typing import Optional, Annotated",
    "import io", "import queue", "import shutil", "from . import sibling", "from .. import *",
]
STATEMENTS = [
    "time.sleep(1)", "t.sleep(0.5)", "sleep(x)", "os.path.exists(p)", "osp.isfile(p)",
    "with open(p) as f:\n    data = f.read()", "for line in open(p):\n    pass",
    "s = Session()\ns.get(u).json()", "s = requests.Session()\nwith s:\n    s.post(u)",
    "lock = Lock()\nwith lock:\n    pass", "lock.acquire(blocking=False)",
    "conn = sqlite3.connect(p)\nconn.execute(q).fetchall()", "x = self.handle.read()",
    "self.handle = open(p)", "self.handle: io.TextIOWrapper = h", "self.lock = threading.Lock()",
    "self.x = 1", "self.x = None", "self.x = self.x", "self.y: 'Path' = p",
    "await asyncio.sleep(0)", "async with a as b:\n    pass", "async for a in b:\n    pass",
    "x = [open(q) for q in ps if q]", "x = {k: v.read() for k, v in d.items()}",
    "g = (sleep(i) for i in range(3))", "y = lambda: time.sleep(1)", "y = lambda q=open(p): q",
    "global G\nG = open(p)", "nonlocal p", "if (n := open(p)):\n    n.read()",
    "try:\n    pass\nexcept OSError as e:\n    e.strerror", "x: 'pathlib.Path' = p\nx.read_text()",
    "x: Optional[Path] = None\nx.exists()", "x: Annotated[Path, 1]\nx.unlink()",
    "sp.run(['ls'], check=True)", "asyncio.run(main())", "trio.run(main)", "del x", "return x",
    "yield x", "raise", "x = Path(p) / 'a' / 'b'\nx.read_bytes()", "q = queue.Queue()\nq.get(block=False)",
    "shutil.rmtree(p)", "socket.create_connection((h, 1)).recv(1)", "input('?')", "print(x)",
    "x = y = open(p)", "a, *b = open(p), 2", "x += open(p).read()", "x[0] = open(p)",
    "f'{time.sleep(1)}'", "x = 'unterminated' if p else time.sleep", "x = Self().method()",
    "x = C().attr.read()", "x = C.attr", "super().run()", "x: 'a\\ud800b' = 1", "x: '\\x00' = 1",
]
DEF_HEADERS = [
    "def f(self):", "async def f(self):", "async def g(p, *args, **kwargs):",
    "def h(p: 'Path', q: Optional[Path] = None):", "async def k(self, p: pathlib.Path):",
    "@staticmethod\nasync def s(p):", "@classmethod\nasync def c(cls):", "@property\ndef prop(self):",
    "@decorator(open(p))\nasync def d(x=time.sleep(1)):", "async def __aenter__(self):",
    "def __init__(self, h: io.TextIOWrapper):", "async def m(self, *, key: 'requests.Session'):",
]
CLASS_HEADERS = ["class C:", "class Self(Base, metaclass=M):", "@dataclass\nclass D:", "class C(C):"]
COMPOUND_HEADERS = ["if p:", "while x:", "for a in b:", "with x as y:", "async with x as y:",
                    "async for a in b:", "with open(p) as f, lock:", "else_less = 1\nif not p:"]


def _indent(text: str, level: int) -> list[str]:
    return ["    " * level + line for line in text.splitlines()]


@st.composite
def _block(draw, level: int, depth: int) -> list[str]:
    lines: list[str] = []
    kinds = ["statement", "statement", "def", "class", "compound"] if depth < 3 else ["statement"]
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(kinds))
        if kind == "statement":
            lines += _indent(draw(st.sampled_from(STATEMENTS)), level)
            continue
        headers = {"def": DEF_HEADERS, "class": CLASS_HEADERS, "compound": COMPOUND_HEADERS}[kind]
        lines += _indent(draw(st.sampled_from(headers)), level)
        lines += draw(_block(level + 1, depth + 1))
    return lines


@st.composite
def composed_programs(draw) -> str:
    imports = draw(st.lists(st.sampled_from(IMPORTS), max_size=8))
    body = draw(_block(0, 0))
    newline = draw(st.sampled_from(["\n", "\n", "\r\n"]))
    return newline.join(imports + body) + newline


@fuzz_settings(200)
@given(composed_programs())
def test_composed_async_programs(source):
    diagnostics = check_engine(source)
    if _parse(source) is not None:
        assert not [d for d in diagnostics if d.code == "ASL001"], source


# -- text that is not Python ---------------------------------------------------------------------

@fuzz_settings(200)
@given(st.one_of(st.text(max_size=300), st.text(alphabet="()[]{}:=\"'\\\n\r\t #fasyncdefawait.x1", max_size=200)))
def test_arbitrary_text(source):
    check_engine(source + "\nasync def f(): pass\n")  # the trigger word: always parsed
    check_engine(source)


@fuzz_settings(100)
@given(composed_programs(), st.data())
def test_mutated_programs(source, data):
    """Programs with characters deleted, duplicated or replaced: syntax errors anywhere."""
    for _ in range(data.draw(st.integers(1, 4))):
        if not source:
            break
        at = data.draw(st.integers(0, len(source) - 1))
        how = data.draw(st.sampled_from(["delete", "duplicate", "replace"]))
        if how == "delete":
            source = source[:at] + source[at + 1:]
        elif how == "duplicate":
            source = source[:at] + source[at] + source[at:]
        else:
            source = source[:at] + data.draw(st.sampled_from("([{:'\"\\\n\r\t é\0\x0c")) + source[at + 1:]
    check_engine(source)


@pytest.mark.parametrize("source", [
    # Found by these tests or the corpus run; kept as regressions.
    "class A:\n    def __init__(self):\n        self.x = 1\n        self.x = 2\n        self.x = 3\n"
    "async def f():\n    pass\n",
    'async def f(x: "\\ud800"):\n    pass\n',
])
def test_regressions(source):
    check_engine(source)
