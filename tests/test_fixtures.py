"""Every fixture file: the engine reports exactly the findings its markers expect."""

import glob
import os
import re
from collections import Counter

import pytest

from asynclint import catalog
from asynclint.engine import lint_source
from asynclint.model import Settings
from asynclint.rules import RULES
from conftest import FIXTURES
from expectations import MarkerError, expected_findings, fixture_settings, unmatched

RULE_FIXTURES = sorted(glob.glob(os.path.join(FIXTURES, "rules", "**", "*.py"), recursive=True))


def _ids(paths):
    return [os.path.relpath(p, FIXTURES) for p in paths]


def _findings(source, path, settings):
    return Counter((d.line, d.code) for d in lint_source(source, path, settings))


@pytest.mark.parametrize("path", RULE_FIXTURES, ids=_ids(RULE_FIXTURES))
def test_fixture_findings_match_markers(path):
    with open(path, encoding="utf-8") as handle:
        source = handle.read()
    found = lint_source(source, path, fixture_settings(source, path))
    missing, unexpected = unmatched(expected_findings(source), found)
    assert not missing and not unexpected, f"missing: {missing}\nunexpected: {unexpected}"


def test_a_marker_pins_column_and_message():
    source = "import time\nasync def f():\n    time.sleep(1)  # error: {}\n"
    finding = lint_source(source.format("x"), "m.py", Settings(select=("ASL101",)))
    assert unmatched(expected_findings(source.format('ASL101:5 "asyncio.sleep"')), finding) == ([], [])
    for wrong in ('ASL101:6 "asyncio.sleep"', 'ASL101:5 "trio.sleep"', 'ASL104:5 "asyncio.sleep"'):
        assert unmatched(expected_findings(source.format(wrong)), finding) != ([], []), wrong
    for malformed in ("ASL101", "ASL101:5", 'ASL101 "asyncio.sleep"', 'ASL101:5 "a" ASL104:9 "b"', ""):
        with pytest.raises(MarkerError):
            expected_findings(source.format(malformed))


@pytest.mark.parametrize("path", RULE_FIXTURES, ids=_ids(RULE_FIXTURES))
def test_on_loop_rules_go_silent_without_async(path):
    """Strip async/await: nothing runs on an event loop any more, so no rule about code on the
    loop (``Rule.on_loop``) may remain."""
    with open(path, encoding="utf-8") as handle:
        source = handle.read()
    stripped = re.sub(r"\basync\s+(?=def|with|for)", "", source)
    stripped = re.sub(r"\bawait\s+", "", stripped)
    # A sync function a framework marks as run on the loop is code on the loop too: unmark it.
    settings = fixture_settings(source)
    markers = {name.rpartition(".")[2] for name in catalog.LOOP_CALLBACK_DECORATORS | settings.loop_callback_decorators}
    stripped = re.sub(r"^[ \t]*@[\w.]*\b(?:%s)\b.*$" % "|".join(map(re.escape, sorted(markers))), "", stripped,
                      flags=re.MULTILINE)
    # So is a method a framework calls on the loop (a tornado handler's get()): make the base plain.
    bases = {name.rpartition(".")[2] for name in catalog.LOOP_METHODS_OF}
    stripped = re.sub(r"\b[\w.]*\b(?:%s)\b(?=\))" % "|".join(map(re.escape, sorted(bases))), "object", stripped)
    try:
        compile(stripped, path, "exec")
    except SyntaxError:
        pytest.skip("the fixture does not parse without async")
    on_loop = [f for f in _findings(stripped, path, settings) if RULES[f[1]].on_loop]
    assert on_loop == []


@pytest.mark.parametrize("path", RULE_FIXTURES, ids=_ids(RULE_FIXTURES))
def test_a_rule_reports_the_same_alone_as_with_every_rule(path):
    """What one rule reports never depends on which other rules run."""
    from dataclasses import replace

    with open(path, encoding="utf-8") as handle:
        source = handle.read()
    settings = fixture_settings(source)
    together = lint_source(source, path, settings)
    for code in RULES:
        alone = lint_source(source, path, replace(settings, select=(code,), ignore=(), extend_select=()))
        assert alone == [d for d in together if d.code == code], code
