"""The registries are data the tests check: every rule module is loaded, every rule is found by a
checker (or reported by the engine itself), documented and exercised by fixtures."""

import ast
import glob
import os
import sys

import pytest

import asynclint.engine  # noqa: F401  (loads every rule module, as every door does)
from asynclint.analysis import Analysis
from asynclint.docs import DOCS_RULES
from asynclint.model import FixKind, Settings
from asynclint.rules import CHECKERS, RULES, Finding
from asynclint.rules.loops import LoopChecker
from conftest import FIXTURES, ROOT

RULE_MODULES = sorted(os.path.splitext(os.path.basename(p))[0]
                      for p in glob.glob(os.path.join(ROOT, "asynclint", "rules", "*.py")))
ENGINE_CODES = ("ASL001", "ASL002", "ASL003")  # files that could not be checked: the engine reports them


def test_every_rule_module_is_loaded_and_registers_something():
    for name in RULE_MODULES:
        if name == "__init__":
            continue
        module = sys.modules.get(f"asynclint.rules.{name}")
        assert module is not None, f"asynclint/rules/{name}.py is not loaded"
        registered = [r for r in RULES.values() if r.__module__ == module.__name__]
        registered += [c for c in CHECKERS if c.__module__ == module.__name__]
        assert registered, f"asynclint/rules/{name}.py registers no rule or checker"


def test_every_rule_is_found_by_exactly_one_checker():
    found_by = {}
    for checker in CHECKERS:
        for code in checker.codes:
            assert code in RULES, f"{checker.__name__} reports {code}, which is no rule"
            assert code not in found_by, f"{code}: {found_by[code].__name__} and {checker.__name__}"
            found_by[code] = checker
    assert sorted(set(RULES) - set(found_by)) == sorted(ENGINE_CODES)


def test_every_rule_has_a_doc_page_and_fixtures():
    text = ""
    for path in glob.glob(os.path.join(FIXTURES, "**", "*.py"), recursive=True):
        with open(path, encoding="utf-8") as handle:
            text += handle.read()
    for code in RULES:
        assert os.path.isfile(os.path.join(DOCS_RULES, f"{code}.md")), f"{code} has no page: python -m asynclint.docs"
        if code not in ENGINE_CODES:
            assert f"error: {code}" in text, f"{code} has no fixture that expects it"


def test_a_rule_on_the_loop_is_found_by_a_checker_that_looks_on_the_loop():
    """A checker whose rules all report code on the loop may skip sync bodies (on_loop_only)."""
    for checker in CHECKERS:
        if checker.on_loop_only:
            assert all(RULES[code].on_loop for code in checker.codes), checker.__name__


def test_a_finding_with_a_code_no_rule_has_fails_when_made():
    node = ast.parse("f()").body[0]
    with pytest.raises(ValueError, match="ASL999"):
        Finding(node, "ASL999", "a mistyped code")
    assert Finding(node, "ASL401", "found").fix == "unsafe"  # the rule's own applicability and kind
    assert Finding(node, "ASL401", "found").fix_kind is FixKind.THREAD


def test_a_checker_may_report_only_its_own_codes():
    tree = ast.parse("f()")
    analysis = Analysis(tree, Settings(), [LoopChecker])
    with pytest.raises(ValueError, match="ASL101"):
        analysis.checkers[0].report(tree.body[0], "ASL101", "not a loop rule")
