"""What a project declares it depends on: a fix may use only those libraries, and the async
libraries besides asyncio it runs on decide whether a module that imports none can be fixed.

Read from the project's declarations: ``pyproject.toml`` (PEP 621 dependencies and optional
dependencies, PEP 735 dependency groups, Poetry), ``setup.cfg`` (``install_requires``,
``extras_require``) and ``requirements*.txt`` (also under ``requirements/``). A fix that adds
``import aiofiles`` to a project that does not declare it breaks ``import`` where it is not
installed.
"""

from __future__ import annotations

import configparser
import glob
import importlib.util
import os
import re
from functools import lru_cache

from asynclint.config import tomllib

# The third-party libraries a fix may rewrite to.
FIX_LIBRARIES = frozenset({"aiofiles", "httpx"})
# The async libraries besides asyncio: code that imports none of them may run on these too.
ASYNC_LIBRARIES = frozenset({"trio", "anyio"})
_TEST_DIRECTORIES = frozenset({"tests", "test", "testing"})
# Extras and requirement files by these names serve development, not the code at run time.
_DEVELOPMENT = re.compile(r"test|dev|doc|lint|typ|check|bench|coverage|format|style", re.IGNORECASE)
_MARKERS = ("pyproject.toml", "setup.cfg", "setup.py", "requirements.txt")
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def project_root_of(path: str) -> str:
    """The nearest directory above ``path`` that declares a project (else the file's own)."""
    return _project_root_above(os.path.dirname(os.path.abspath(path)))


@lru_cache(maxsize=256)
def _project_root_above(start: str) -> str:
    directory = start
    while True:
        if any(os.path.isfile(os.path.join(directory, marker)) for marker in _MARKERS):
            return directory
        parent = os.path.dirname(directory)
        if parent == directory:
            return start
        directory = parent


def forget() -> None:
    """Drop what is cached about the project's declarations and packages: a long-running server
    calls this when a pyproject.toml changes or a module appears or goes away (an __init__.py
    makes a package)."""
    for cached in (_project_root_above, _top_package_of, _requirements):
        cached.cache_clear()


def fix_libraries(root: str, installed_too: bool, path: str) -> frozenset[str]:
    """The libraries a fix of the module at ``path`` may use: those the project at ``root``
    declares for it (for its code, or for its tests when ``path`` is test code); with
    ``installed_too`` (the setting ``fix-with-installed-libraries``), those importable here too.
    A library declared for the tests only is not installed with the package: library code that
    imports it fails for the package's users."""
    declared = FIX_LIBRARIES & _requirements(root, runtime_only=not is_test_code(path))
    return declared | _installed() if installed_too else declared


def is_test_code(path: str) -> bool:
    """A test module, a conftest.py, or a module under a tests/test/testing directory."""
    directory, name = os.path.split(os.path.abspath(path))
    return (name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py"
            or not _TEST_DIRECTORIES.isdisjoint(directory.split(os.sep)))


@lru_cache(maxsize=1)
def _installed() -> frozenset[str]:
    return frozenset(name for name in FIX_LIBRARIES if importlib.util.find_spec(name) is not None)


def declared_async_libraries(root: str) -> frozenset[str]:
    """Which async libraries other than asyncio (trio, anyio) the code of the project at ``root``
    may run with: declared for it, not only for its tests or tools."""
    return ASYNC_LIBRARIES & _requirements(root, runtime_only=True)


def top_package(path: str) -> str | None:
    """The name of the outermost package holding the module at ``path`` (its directories with an
    ``__init__.py``), or None for a module outside any package."""
    return _top_package_of(os.path.dirname(os.path.abspath(path)))


@lru_cache(maxsize=256)
def _top_package_of(directory: str) -> str | None:
    if not os.path.isfile(os.path.join(directory, "__init__.py")):
        return None
    parent = os.path.dirname(directory)
    return (_top_package_of(parent) if parent != directory else None) or os.path.basename(directory)


@lru_cache(maxsize=128)
def _requirements(root: str, runtime_only: bool = False) -> frozenset[str]:
    """The names of the project's declared dependencies; ``runtime_only``: those its code may run
    with, leaving out the ones named for development (tests, docs, linters: dependency groups,
    extras and requirement files called so)."""
    lines = [line for kind, name, declared in _declarations(root)
             if not runtime_only or (kind != "group" and not _DEVELOPMENT.search(name))
             for line in declared]
    return frozenset(match.group(1).lower().replace("_", "-") for line in lines
                     if isinstance(line, str) and not line.lstrip().startswith(("#", "-"))
                     and (match := _NAME.match(line)))


def _declarations(root: str):
    """(kind, name, lines) of each declaration: kind "main", "extra" or "group" (PEP 735 and
    Poetry groups, never installed with the package), name that of the extra, group or file."""
    try:
        with open(os.path.join(root, "pyproject.toml"), "rb") as handle:
            yield from _pyproject_declarations(tomllib.load(handle))
    except (OSError, ValueError, UnicodeDecodeError):  # TOMLDecodeError is a ValueError
        pass
    parser = configparser.ConfigParser()
    try:
        parser.read(os.path.join(root, "setup.cfg"), encoding="utf-8")
        if parser.has_section("options"):
            yield "main", "", parser.get("options", "install_requires", fallback="").splitlines()
        if parser.has_section("options.extras_require"):
            for name, value in parser.items("options.extras_require"):
                yield "extra", name, value.splitlines()
    except (configparser.Error, UnicodeDecodeError):
        pass
    for path in glob.glob(os.path.join(root, "requirements*.txt")) + glob.glob(
            os.path.join(root, "requirements", "*.txt")):
        try:
            with open(path, encoding="utf-8") as handle:
                yield "main", os.path.relpath(path, root), handle.read().splitlines()
        except (OSError, UnicodeDecodeError):
            continue


def _pyproject_declarations(data: dict):
    project = data.get("project", {})
    yield "main", "", project.get("dependencies", [])
    for name, extra in project.get("optional-dependencies", {}).items():
        yield "extra", name, extra
    for name, group in data.get("dependency-groups", {}).items():
        yield "group", name, group
    poetry = data.get("tool", {}).get("poetry", {})
    yield "main", "", list(poetry.get("dependencies", {}))
    for name, group in poetry.get("group", {}).items():
        yield "group", name, list(group.get("dependencies", {}))
