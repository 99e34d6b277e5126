"""The async libraries a project already depends on: a fix may use only those.

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
_MARKERS = ("pyproject.toml", "setup.cfg", "setup.py", "requirements.txt")
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def project_root_of(path: str) -> str:
    """The nearest directory above ``path`` that declares a project (else the file's own)."""
    start = directory = os.path.dirname(os.path.abspath(path))
    while True:
        if any(os.path.isfile(os.path.join(directory, marker)) for marker in _MARKERS):
            return directory
        parent = os.path.dirname(directory)
        if parent == directory:
            return start
        directory = parent


def fix_libraries(root: str, installed_too: bool) -> frozenset[str]:
    """The libraries a fix may use: those the project at ``root`` declares; with ``installed_too``
    (the setting ``fix-with-installed-libraries``), those importable here as well."""
    declared = declared_libraries(root)
    return declared | _installed() if installed_too else declared


@lru_cache(maxsize=1)
def _installed() -> frozenset[str]:
    return frozenset(name for name in FIX_LIBRARIES if importlib.util.find_spec(name) is not None)


@lru_cache(maxsize=64)
def declared_libraries(root: str) -> frozenset[str]:
    """Which of ``FIX_LIBRARIES`` the project at ``root`` declares as a dependency."""
    return frozenset(name for name in _requirements(root) if name in FIX_LIBRARIES)


def _requirements(root: str) -> set[str]:
    lines: list[str] = []
    try:
        with open(os.path.join(root, "pyproject.toml"), "rb") as handle:
            lines += _pyproject_requirements(tomllib.load(handle))
    except (OSError, ValueError, UnicodeDecodeError):  # TOMLDecodeError is a ValueError
        pass
    parser = configparser.ConfigParser()
    try:
        parser.read(os.path.join(root, "setup.cfg"), encoding="utf-8")
        for section, key in (("options", "install_requires"), ("options.extras_require", None)):
            if parser.has_section(section):
                values = [parser.get(section, key, fallback="")] if key else [v for _, v in parser.items(section)]
                lines += [line for value in values for line in value.splitlines()]
    except (configparser.Error, UnicodeDecodeError):
        pass
    for path in glob.glob(os.path.join(root, "requirements*.txt")) + glob.glob(
            os.path.join(root, "requirements", "*.txt")):
        try:
            with open(path, encoding="utf-8") as handle:
                lines += handle.read().splitlines()
        except (OSError, UnicodeDecodeError):
            continue
    return {match.group(1).lower().replace("_", "-") for line in lines
            if not line.lstrip().startswith(("#", "-")) and (match := _NAME.match(line))}


def _pyproject_requirements(data: dict) -> list[str]:
    project = data.get("project", {})
    lines = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        lines += extra
    for group in data.get("dependency-groups", {}).values():
        lines += [item for item in group if isinstance(item, str)]
    poetry = data.get("tool", {}).get("poetry", {})
    lines += list(poetry.get("dependencies", {}))
    for group in poetry.get("group", {}).values():
        lines += list(group.get("dependencies", {}))
    return [line for line in lines if isinstance(line, str)]
