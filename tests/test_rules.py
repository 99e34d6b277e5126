"""The rule registry: well-formed codes, documentation, and examples that prove themselves."""

import glob
import os
import re
from collections import Counter

import pytest

from asynclint.engine import lint_source
from asynclint.model import Settings
from asynclint.rules import RULES
from conftest import FIXTURES
from expectations import example_findings

ALL = Settings(select=tuple(sorted(RULES)))
CODES = sorted(RULES)


def test_codes_are_unique_and_well_formed():
    assert len(set(CODES)) == len(CODES)
    for code, rule in RULES.items():
        assert re.fullmatch(r"ASL\d{3}", code), code
        assert rule.code == code


def test_names_are_unique_kebab_case():
    names = [rule.name for rule in RULES.values()]
    assert len(set(names)) == len(names)
    for name in names:
        assert re.fullmatch(r"[a-z]+(-[a-z0-9]+)*", name), name


@pytest.mark.parametrize("code", CODES)
def test_rule_is_documented(code):
    rule = RULES[code]
    assert rule.name and rule.summary
    documentation = rule.documentation()
    assert "## What it does" in documentation
    assert "## Why is this bad?" in documentation


@pytest.mark.parametrize("code", [c for c in CODES if RULES[c].bad])
def test_bad_example_yields_exactly_its_markers(code):
    rule = RULES[code]
    found = Counter((d.line, d.code) for d in lint_source(rule.bad, "bad.py", ALL))
    expected = example_findings(rule.bad)
    assert expected, f"{code}'s bad example has no `# error:` marker"
    assert set(c for _, c in expected) == {code}
    assert found == expected


@pytest.mark.parametrize("code", [c for c in CODES if RULES[c].good])
def test_good_example_yields_nothing(code):
    assert lint_source(RULES[code].good, "good.py", ALL) == []


def test_every_blocking_rule_has_examples():
    """ASL100 is the exception: its example needs configuration, which its docs show."""
    missing = [c for c in CODES if c.startswith("ASL1") and c != "ASL100" and not (RULES[c].bad and RULES[c].good)]
    assert missing == []


def test_configured_rule_example():
    settings = Settings(select=("ASL",), extra_blocking={"mylib.fetch": "mylib.afetch"})
    source = "import mylib\n\nasync def f(url):\n    return mylib.fetch(url)\n"
    (finding,) = lint_source(source, "x.py", settings)
    assert (finding.line, finding.code) == (4, "ASL100")
    assert "`mylib.afetch`" in finding.message


BACKEND_FIXTURES = sorted(glob.glob(os.path.join(FIXTURES, "rules", "*_trio.py"))
                          + glob.glob(os.path.join(FIXTURES, "rules", "*_anyio.py")))


@pytest.mark.parametrize("path", BACKEND_FIXTURES, ids=[os.path.basename(p) for p in BACKEND_FIXTURES])
def test_messages_use_the_module_backend(path):
    """A trio (anyio) module is told trio's (anyio's) replacements, never another library's."""
    backend = "trio" if path.endswith("_trio.py") else "anyio"
    others = {"asyncio", "trio", "anyio"} - {backend}
    with open(path, encoding="utf-8") as handle:
        source = handle.read()
    diagnostics = lint_source(source, path, ALL)
    assert diagnostics
    for d in diagnostics:
        assert not any(re.search(rf"\b{other}\b", d.message) for other in others), d.message


def test_long_call_chains_are_one_finding_and_do_not_explode():
    """Each link of a chain asks about the links inside it; without memos this is 2**n work."""
    source = ("import sqlite3\n\n\nasync def f(conn: sqlite3.Connection):\n"
              "    conn.execute('x')" + ".execute('y')" * 60 + "\n"
              "    sqlite3.connect('db')" + ".execute('y')" * 60 + "\n")
    assert [(d.line, d.code) for d in lint_source(source, "x.py", ALL)] == [(5, "ASL107"), (6, "ASL107")]
