"""Which files a run checks: Python files under the given paths, less the excluded ones.

Exclusions use gitignore syntax (through pathspec, which implements its corner cases:
negation, anchoring, ``**``, directory-only patterns): the built-in list, the project's
``.gitignore`` and ``exclude`` from the configuration. Files named on the command line
are always checked, unless ``force_exclude`` is set (pre-commit names every file).
"""

from __future__ import annotations

import os

import pathspec

from asynclint.model import Settings

DEFAULT_EXCLUDES = (
    ".git/", ".hg/", ".svn/", ".venv/", "venv/", ".tox/", ".nox/", "__pycache__/", "build/", "dist/",
    "node_modules/", ".mypy_cache/", ".pytest_cache/", ".ruff_cache/", ".asynclint_cache/", "*.egg-info/",
)


def _spec(settings: Settings, root: str) -> pathspec.PathSpec:
    patterns = list(DEFAULT_EXCLUDES) + list(settings.exclude)
    gitignore = os.path.join(root, ".gitignore")
    try:
        with open(gitignore, encoding="utf-8", errors="replace") as handle:
            patterns += handle.read().splitlines()
    except OSError:
        pass
    return pathspec.GitIgnoreSpec.from_lines(patterns)


def is_excluded(path: str, settings: Settings) -> bool:
    """Would walking a directory skip this file? (For a name given with --stdin-filename.)"""
    root = settings.project_root or os.getcwd()
    relative = os.path.relpath(os.path.abspath(path), root).replace(os.sep, "/")
    if relative.startswith("../"):
        relative = os.path.basename(os.path.abspath(path))
    return _spec(settings, root).match_file(relative)


def discover(paths: list[str], settings: Settings) -> tuple[list[str], list[str]]:
    """(files to check in a stable order, messages for paths that do not exist)."""
    root = settings.project_root or os.getcwd()
    spec = _spec(settings, root)
    files: list[str] = []
    missing: list[str] = []
    seen: set[str] = set()

    def add(path: str) -> None:
        key = os.path.realpath(path)
        if key not in seen:
            seen.add(key)
            files.append(path)

    def excluded(path: str, is_dir: bool) -> bool:
        relative = os.path.relpath(os.path.abspath(path), root).replace(os.sep, "/")
        if relative.startswith("../"):
            relative = os.path.basename(os.path.abspath(path))
        return spec.match_file(relative + "/" if is_dir else relative)

    for path in paths:
        if os.path.isfile(path):
            if not (settings.force_exclude and excluded(path, False)):
                add(path)
        elif os.path.isdir(path):
            for file in sorted(_python_files(path, excluded, missing)):
                add(file)
        elif os.path.islink(path):
            missing.append(f"{path}: a broken symbolic link or a link loop")
        elif os.path.lexists(path):
            missing.append(f"{path}: not a regular file or directory")
        else:
            missing.append(f"{path}: no such file or directory")
    return files, missing


def _python_files(top: str, excluded, problems: list[str]) -> list[str]:
    """The *.py files under ``top``, as os.walk would find them (symbolic links to directories
    are not followed), but without recursion, so that no tree is too deep, and telling which
    directories could not be listed."""
    found: list[str] = []
    pending = [top]
    while pending:
        directory = pending.pop()
        try:
            with os.scandir(directory) as scan:
                entries = list(scan)
        except OSError as error:
            problems.append(f"{directory}: cannot list directory: {error.strerror or error}")
            continue
        for entry in entries:
            path = os.path.join(directory, entry.name)
            try:
                is_dir = entry.is_dir()
                walk_into = is_dir and not entry.is_symlink()
            except OSError:
                is_dir = walk_into = False
            if walk_into:
                if not excluded(path, True):
                    pending.append(path)
            elif not is_dir and entry.name.endswith(".py") and not excluded(path, False):
                found.append(path)
    return found
