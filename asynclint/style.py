"""How the project formats its code, so that a fix writes code its formatter and import sorter
would leave as it is: the line length (ruff's, black's, flake8's) and the import sorter's options
(ruff's isort settings or isort's own), read from pyproject.toml and flake8's files."""

from __future__ import annotations

import configparser
import os
import re

from asynclint.model import FixStyle

# ruff's isort keys and the isort option that means the same (the others change nothing a fix adds).
_RUFF_ISORT_OPTIONS = {
    "known-first-party": "known_first_party",
    "known-third-party": "known_third_party",
    "known-local-folder": "known_local_folder",
    "extra-standard-library": "extra_standard_library",
    "force-sort-within-sections": "force_sort_within_sections",
    "case-sensitive": "case_sensitive",
    "from-first": "from_first",
    "order-by-type": "order_by_type",
    "force-to-top": "force_to_top",
    "no-lines-before": "no_lines_before",
    "lines-between-types": "lines_between_types",
}
_FLAKE8_FILES = ("setup.cfg", "tox.ini", ".flake8")


def project_style(document: dict, directory: str) -> FixStyle:
    """The style of the project whose pyproject.toml (parsed: ``document``) is in ``directory``.
    Values of the wrong type are ignored: they are other tools' settings, and theirs to reject."""
    tool = document.get("tool") if isinstance(document.get("tool"), dict) else {}
    ruff = _table(tool, "ruff")
    lengths = (ruff.get("line-length"), _table(tool, "black").get("line-length"), _flake8_line_length(directory))
    line_length = next((n for n in lengths if isinstance(n, int) and not isinstance(n, bool) and n > 0),
                       FixStyle.line_length)
    ruff_isort = _table(_table(ruff, "lint"), "isort") or _table(ruff, "isort")
    if ruff_isort or not _table(tool, "isort"):
        options = {_RUFF_ISORT_OPTIONS[k]: v for k, v in ruff_isort.items() if k in _RUFF_ISORT_OPTIONS}
        source_roots = ruff.get("src", [".", "src"])
    else:
        options = {k.replace("-", "_"): v for k, v in _table(tool, "isort").items()}
        source_roots = options.pop("src_paths", [".", "src"])
    if isinstance(source_roots, list):  # where first-party modules are found
        options["src_paths"] = tuple(os.path.normpath(os.path.join(directory, str(p))) for p in source_roots)
    return FixStyle(line_length, tuple(sorted((k, _frozen(v)) for k, v in options.items())),
                    _python_minimum(document, ruff, _table(tool, "black")))


def _python_minimum(document: dict, ruff: dict, black: dict) -> int | None:
    """The oldest Python 3 minor version the formatter targets: ruff's ``target-version``
    (``"py39"``), the oldest of black's (``["py39", "py310"]``), else ``[project]
    requires-python`` (``">=3.9"``)."""
    targets = black.get("target-version")
    oldest_black = min(filter(None, map(_minor, targets if isinstance(targets, list) else [targets])), default=None)
    return _minor(ruff.get("target-version")) or oldest_black or _minor(
        _table(document, "project").get("requires-python"))


def _minor(value) -> int | None:
    """9 for ``"py39"`` or ``">=3.9"``; None for anything else."""
    if not isinstance(value, str):
        return None
    found = re.fullmatch(r"py3(\d+)", value.strip()) or re.search(r">=?\s*3\.(\d+)", value)
    return int(found.group(1)) if found else None


def _table(parent: dict, key: str) -> dict:
    value = parent.get(key)
    return value if isinstance(value, dict) else {}


def _frozen(value):
    return tuple(value) if isinstance(value, list) else value


def _flake8_line_length(directory: str) -> int | None:
    """flake8's ``max-line-length`` from the first of its files in the directory that sets it."""
    for name in _FLAKE8_FILES:
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read(os.path.join(directory, name), encoding="utf-8")
            value = parser.get("flake8", "max-line-length", fallback=None) or \
                parser.get("flake8", "max_line_length", fallback=None)
        except (configparser.Error, UnicodeDecodeError):
            continue
        if value and value.strip().isdigit():
            return int(value)
    return None
