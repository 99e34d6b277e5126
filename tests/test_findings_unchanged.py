"""A refactoring of the analysis changes no finding: the findings on the rule fixtures and on a
slice of the standard library are compared with a snapshot recorded before the refactoring
(tests/data/findings_snapshot.json).

A change that alters findings on purpose re-records the snapshot, and the diff of the JSON shows
exactly which findings changed: ``python tests/test_findings_unchanged.py``.
The standard-library part is compared only on the Python version that recorded it (its sources
differ between versions).
"""

import glob
import json
import os
import sys
import sysconfig

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from asynclint.engine import lint_source, project_index  # noqa: E402
from asynclint.model import Settings  # noqa: E402
from asynclint.rules import RULES  # noqa: E402
from conftest import FIXTURES  # noqa: E402
from expectations import fixture_settings  # noqa: E402

SNAPSHOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "findings_snapshot.json")
STDLIB = sysconfig.get_paths()["stdlib"]
# Packages of the standard library with async code, threads, sockets and files: every rule
# family has findings or near misses there.
STDLIB_SLICE = ("asyncio", "concurrent", "http", "logging", "multiprocessing", "sqlite3", "unittest", "urllib",
                "xmlrpc", os.path.join("test", "test_asyncio"))


def _row(finding, message: str) -> list:
    return [finding.line, finding.col, finding.end_line, finding.end_col, finding.code, message,
            finding.fix, finding.fix_kind, finding.target]


def _fixture_findings() -> dict:
    found = {}
    for path in sorted(glob.glob(os.path.join(FIXTURES, "rules", "**", "*.py"), recursive=True)):
        with open(path, encoding="utf-8") as handle:
            source = handle.read()
        found[os.path.relpath(path, FIXTURES)] = [_row(d, d.message)
                                                  for d in lint_source(source, path, fixture_settings(source, path))]
    return found


def _stdlib_paths() -> list[str]:
    return sorted(path for package in STDLIB_SLICE
                  for path in glob.glob(os.path.join(STDLIB, package, "**", "*.py"), recursive=True))


def _stdlib_findings() -> dict:
    settings = Settings(select=tuple(sorted(RULES)), project_root=STDLIB)
    project = project_index(settings)
    found = {}
    for path in _stdlib_paths():
        with open(path, encoding="utf-8", errors="surrogateescape") as handle:
            source = handle.read()
        findings = [_row(d, d.message.replace(STDLIB + os.sep, ""))
                    for d in lint_source(source, path, settings, project=project)]
        if findings:
            found[os.path.relpath(path, STDLIB)] = findings
    return found


def _python() -> str:
    return "%d.%d.%d" % sys.version_info[:3]


def _load() -> dict:
    with open(SNAPSHOT, encoding="utf-8") as handle:
        return json.load(handle)


def test_fixture_findings_unchanged():
    """On the fixtures the snapshot knows: a fixture added since is judged by its markers alone."""
    recorded = _load()["fixtures"]
    found = _fixture_findings()
    assert {name: found.get(name) for name in recorded} == recorded


def test_stdlib_slice_findings_unchanged():
    snapshot = _load()
    if snapshot["python"] != _python():
        pytest.skip(f"the snapshot's standard library is Python {snapshot['python']}'s")
    assert _stdlib_findings() == snapshot["stdlib"]


if __name__ == "__main__":
    os.makedirs(os.path.dirname(SNAPSHOT), exist_ok=True)
    with open(SNAPSHOT, "w", encoding="utf-8") as out:
        json.dump({"python": _python(), "fixtures": _fixture_findings(), "stdlib": _stdlib_findings()},
                  out, indent=1, sort_keys=True)
        out.write("\n")
