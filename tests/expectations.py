"""Inline expectations in fixture files.

``time.sleep(1)  # error: ASL101:5 "asyncio.sleep"`` expects, on that line, a finding of that code
at that column (1-based, in characters) whose message contains the quoted fragment; several are
separated by commas (``# error: ASL103:10 "open", ASL104:20 "os.remove"``). A line without a
marker expects nothing. ``# asynclint-config: key = value`` lines (TOML) set options for the
fixture. A rule fixture runs with the rules it is about (``fixture_rules``): the code or family
its name starts with (``ASL101_sleep.py``: ASL101; ``ASL1xx_smoke.py``: every ASL1 rule), off by
default or not, or those a ``select`` line names; so a new rule touches only its own fixtures.

Rule examples (``Rule.bad``, shown in the docs) mark lines with the code alone
(``# error: ASL101``): ``example_findings`` reads those.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass

from asynclint.config import settings_from_table
from asynclint.model import Settings
from asynclint.rules import RULES

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

_MARKER = re.compile(r"#\s*error:(?P<entries>.*)$")
_ENTRY = re.compile(r'\s*(?P<code>ASL[0-9]{3}):(?P<col>[0-9]+)\s+"(?P<fragment>[^"]+)"\s*(?:,|$)')
_EXAMPLE = re.compile(r"#\s*error:\s*(?P<codes>ASL[0-9]{3}(?:\s*,\s*ASL[0-9]{3})*)\s*$")
_CONFIG = re.compile(r"^#\s*asynclint-config:\s*(?P<toml>.+)$", re.MULTILINE)


class MarkerError(ValueError):
    """A marker that does not pin code, column and message fragment."""


@dataclass(frozen=True)
class Expected:
    line: int
    code: str
    col: int
    fragment: str

    def matches(self, finding) -> bool:
        return ((finding.line, finding.code, finding.col) == (self.line, self.code, self.col)
                and self.fragment in finding.message)


def expected_findings(source: str) -> list[Expected]:
    found = []
    for number, line in enumerate(source.splitlines(), start=1):
        marker = _MARKER.search(line)
        if marker is None:
            continue
        entries, position = marker.group("entries"), 0
        while position < len(entries):
            entry = _ENTRY.match(entries, position)
            if entry is None:
                raise MarkerError(f"line {number}: expected `ASLnnn:column \"message fragment\"` "
                                  f"at {entries[position:]!r}")
            found.append(Expected(number, entry.group("code"), int(entry.group("col")), entry.group("fragment")))
            position = entry.end()
        if position == 0:
            raise MarkerError(f"line {number}: an empty marker")
    return found


def unmatched(expected: list[Expected], findings) -> tuple[list[Expected], list]:
    """(expectations no finding meets, findings no expectation allows)."""
    missing = list(expected)
    unexpected = []
    for finding in findings:
        match = next((e for e in missing if e.matches(finding)), None)
        if match is None:
            unexpected.append(finding)
        else:
            missing.remove(match)
    return missing, unexpected


def example_findings(source: str) -> Counter:
    """(line, code) pairs a rule example marks with ``# error: ASL101``."""
    found = Counter()
    for number, line in enumerate(source.splitlines(), start=1):
        match = _EXAMPLE.search(line)
        if match:
            for code in re.split(r"\s*,\s*", match.group("codes")):
                found[(number, code)] += 1
    return found


def fixture_rules(path: str) -> tuple[str, ...]:
    """The rule prefix a fixture's name starts with: ``ASL101_sleep.py`` -> ASL101, ``ASL1xx_*`` -> ASL1."""
    prefix = os.path.basename(path).partition("_")[0]
    return (prefix.removesuffix("xx"),)


def fixture_settings(source: str, path: str | None = None) -> Settings:
    """The fixture's settings; with its ``path``, only the rules it is about (else every rule)."""
    table = tomllib.loads("\n".join(m.group("toml") for m in _CONFIG.finditer(source)))
    select = fixture_rules(path) if path is not None else tuple(sorted(RULES))
    return settings_from_table(table, Settings(select=select), origin="fixture")
