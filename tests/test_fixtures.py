"""Every fixture file: the engine reports exactly the findings its markers expect."""

import glob
import os
import re
from collections import Counter

import pytest

from asynclint.engine import lint_source
from conftest import FIXTURES
from expectations import expected_findings, fixture_settings

ON_LOOP = ("ASL1", "ASL301", "ASL302", "ASL401", "ASL402", "ASL501", "ASL502")
RULE_FIXTURES = sorted(glob.glob(os.path.join(FIXTURES, "rules", "**", "*.py"), recursive=True))


def _ids(paths):
    return [os.path.relpath(p, FIXTURES) for p in paths]


def _findings(source, path, settings):
    return Counter((d.line, d.code) for d in lint_source(source, path, settings))


@pytest.mark.parametrize("path", RULE_FIXTURES, ids=_ids(RULE_FIXTURES))
def test_fixture_findings_match_markers(path):
    with open(path, encoding="utf-8") as handle:
        source = handle.read()
    actual = _findings(source, path, fixture_settings(source))
    expected = expected_findings(source)
    missing = sorted((expected - actual).elements())
    unexpected = sorted((actual - expected).elements())
    assert not missing and not unexpected, f"missing: {missing}\nunexpected: {unexpected}"


@pytest.mark.parametrize("path", RULE_FIXTURES, ids=_ids(RULE_FIXTURES))
def test_on_loop_rules_go_silent_without_async(path):
    """Strip async/await: nothing runs on an event loop any more, so no rule about code on the
    loop may remain (ASL1xx, ASL301/ASL302, ASL401, ASL501, ASL502)."""
    with open(path, encoding="utf-8") as handle:
        source = handle.read()
    stripped = re.sub(r"\basync\s+(?=def|with|for)", "", source)
    stripped = re.sub(r"\bawait\s+", "", stripped)
    try:
        compile(stripped, path, "exec")
    except SyntaxError:
        pytest.skip("the fixture does not parse without async")
    on_loop = [f for f in _findings(stripped, path, fixture_settings(source)) if f[1].startswith(ON_LOOP)]
    assert on_loop == []


def test_every_rule_has_fixtures():
    text = ""
    for path in RULE_FIXTURES:
        with open(path, encoding="utf-8") as handle:
            text += handle.read()
    from asynclint.rules import RULES

    missing = [code for code in RULES if not code.startswith("ASL0") and f"error: {code}" not in text]
    assert missing == []


@pytest.mark.parametrize("path", RULE_FIXTURES, ids=_ids(RULE_FIXTURES))
def test_a_rule_reports_the_same_alone_as_with_every_rule(path):
    """What one rule reports never depends on which other rules run."""
    from dataclasses import replace

    from asynclint.rules import RULES

    with open(path, encoding="utf-8") as handle:
        source = handle.read()
    settings = fixture_settings(source)
    together = lint_source(source, path, settings)
    for code in RULES:
        alone = lint_source(source, path, replace(settings, select=(code,), ignore=(), extend_select=()))
        assert alone == [d for d in together if d.code == code], code
