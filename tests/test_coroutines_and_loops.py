"""What the fixtures cannot say about ASL2xx, ASL3xx and ASL5xx."""

import glob
import os
import re
import textwrap

import pytest

from asynclint.engine import lint_source
from asynclint.model import Settings
from conftest import FIXTURES
from expectations import fixture_settings

CODES = ("ASL201", "ASL202", "ASL203", "ASL204", "ASL301", "ASL302", "ASL501", "ASL502")
OWN_FIXTURES = sorted(p for p in glob.glob(os.path.join(FIXTURES, "rules", "*.py"))
                      if os.path.basename(p).startswith(("ASL2", "ASL3", "ASL5")))


def _codes(source, settings=Settings()):
    return [(d.line, d.code) for d in lint_source(textwrap.dedent(source), "t.py", settings)]


SEQUENTIAL = """\
async def fetch(url): ...

async def fetch_all(urls):
    return [await fetch(u) for u in urls]
"""


def test_asl501_is_off_by_default_and_on_when_selected():
    assert _codes(SEQUENTIAL) == []
    assert _codes(SEQUENTIAL, Settings(select=("ASL5",))) == [(4, "ASL501")]
    assert _codes(SEQUENTIAL, Settings(select=("ASL",), extend_select=("ASL501",))) == [(4, "ASL501")]


def test_cpu_loop_threshold_setting():
    source = """\
    async def count():
        for i in range(50):
            pass
    """
    assert _codes(source) == []
    assert _codes(source, Settings(cpu_loop_threshold=49)) == [(2, "ASL301")]
    assert _codes(source, Settings(cpu_loop_threshold=50)) == []


def test_attribute_assigned_three_different_ways_does_not_crash():
    source = """\
    class Conn:
        def __init__(self):
            self.state = None

        def open(self):
            self.state = 1

        def close(self):
            self.state = "closed"

    async def use(conn: Conn):
        conn.state
    """
    assert _codes(source) == []


@pytest.mark.parametrize("path", OWN_FIXTURES, ids=[os.path.basename(p) for p in OWN_FIXTURES])
def test_messages_are_one_line_and_name_the_call(path):
    with open(path, encoding="utf-8") as handle:
        source = handle.read()
    for diagnostic in lint_source(source, path, fixture_settings(source)):
        if diagnostic.code in CODES:
            assert "\n" not in diagnostic.message
            assert re.search(r"`[^`]+`", diagnostic.message), diagnostic.message
            assert re.search(r"\b(use|offload|await|keep|run)\b", diagnostic.message), diagnostic.message
            # Only ASL201 (insert await: unsafe, inside async code) and ASL502 (safe) have fixes.
            assert diagnostic.fix in {"ASL201": (None, "unsafe"), "ASL502": ("safe",)}.get(diagnostic.code, (None,))
