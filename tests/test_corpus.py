"""Real code: the engine never fails internally on the standard library or site-packages.

The full run (``pytest -m slow tests/test_corpus.py``) checks every file of both; the default
suite checks a fixed slice of the standard library (every n-th file in sorted path order).

Each file is checked twice: as a run would (``check_file``: read, skip when no trigger word
occurs, parse, analyse) and, when it parses, with the analysis forced on its tree, so that
the files without ``async`` exercise the walk as well. Files with syntax errors or odd
encodings (the standard library's test data has many) may give ASL001 or ASL003; never ASL002,
and never "too deeply nested to analyse" for a file that Python itself parses.
"""

from __future__ import annotations

import ast
import os
import sys
import sysconfig
import time
import warnings

import pytest

from asynclint.engine import check_file, lint_source
from asynclint.source import SourceError, read_source
from asynclint.model import Settings
from asynclint.rules import RULES

ALL_RULES = Settings(select=tuple(sorted(RULES)))
SAMPLE_SIZE = 150


def _python_files(root: str, skip: tuple[str, ...] = ()) -> list[str]:
    files = []
    for directory, subdirs, names in os.walk(root):
        subdirs[:] = [d for d in subdirs if os.path.join(directory, d) not in skip and d != "__pycache__"]
        files += [os.path.join(directory, n) for n in names if n.endswith(".py")]
    return sorted(files)


def stdlib_files() -> list[str]:
    paths = sysconfig.get_paths()
    site = tuple({paths["purelib"], paths["platlib"]})
    return _python_files(paths["stdlib"], skip=site)


def site_packages_files() -> list[str]:
    paths = sysconfig.get_paths()
    files = set()
    for root in {paths["purelib"], paths["platlib"]}:
        files.update(_python_files(root))
    return sorted(files)


def stdlib_sample(size: int = SAMPLE_SIZE) -> list[str]:
    files = stdlib_files()
    stride = max(1, len(files) // size)
    return files[::stride][:size]


def failures_in(path: str) -> list[str]:
    """What went wrong inside asynclint on one file (nothing, we hope)."""
    bad = []
    diagnostics = list(check_file(path, ALL_RULES, verbose=True))
    try:
        source = read_source(path)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(source, filename=path)
    except (SourceError, SyntaxError, ValueError, RecursionError, MemoryError):
        pass
    else:
        diagnostics += lint_source(source, path, ALL_RULES, tree=tree, verbose=True)
    for d in diagnostics:
        if d.code == "ASL002" or "too deeply nested to analyse" in d.message:
            bad.append(f"{d.path}:{d.line}:{d.col}: {d.code} {d.message}")
    return bad


def check_corpus(files: list[str]) -> tuple[list[str], float]:
    started = time.perf_counter()
    bad = []
    for path in files:
        bad += failures_in(path)
    return bad, time.perf_counter() - started


def test_stdlib_sample_has_no_internal_errors():
    files = stdlib_sample()
    assert len(files) >= min(SAMPLE_SIZE, 100)
    bad, _ = check_corpus(files)
    assert bad == []


@pytest.mark.slow
@pytest.mark.parametrize("corpus", ["stdlib", "site-packages"])
def test_whole_corpus_has_no_internal_errors(corpus):
    files = stdlib_files() if corpus == "stdlib" else site_packages_files()
    bad, elapsed = check_corpus(files)
    print(f"\n{corpus}: {len(files)} files checked in {elapsed:.0f} s, {len(bad)} internal errors",
          file=sys.stderr)
    assert bad == [], "\n".join(bad[:20])
