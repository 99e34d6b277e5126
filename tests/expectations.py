"""Inline expectations in fixture files.

``time.sleep(1)  # error: ASL101`` expects that finding on that line (``# error: ASL101, ASL104``
for several). A line without a marker expects nothing. ``# asynclint-config: key = value`` lines
(TOML) set options for the fixture; every rule, including those off by default, is selected.
"""

from __future__ import annotations

import re
from collections import Counter

from asynclint.config import settings_from_table
from asynclint.model import Settings
from asynclint.rules import RULES

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

_ERROR = re.compile(r"#\s*error:\s*(?P<codes>ASL[0-9]{3}(?:\s*,\s*ASL[0-9]{3})*)")
_CONFIG = re.compile(r"^#\s*asynclint-config:\s*(?P<toml>.+)$", re.MULTILINE)


def expected_findings(source: str) -> Counter:
    found = Counter()
    for number, line in enumerate(source.splitlines(), start=1):
        match = _ERROR.search(line)
        if match:
            for code in re.split(r"\s*,\s*", match.group("codes")):
                found[(number, code)] += 1
    return found


def fixture_settings(source: str) -> Settings:
    table = tomllib.loads("\n".join(m.group("toml") for m in _CONFIG.finditer(source)))
    return settings_from_table(table, Settings(select=tuple(sorted(RULES))), origin="fixture")
