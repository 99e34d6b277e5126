"""Which files a run checks: Python files under the given paths, less the excluded ones.

Exclusions use gitignore syntax (through pathspec, which implements its corner cases:
negation, anchoring, ``**``, directory-only patterns): the built-in list, the project's
``.gitignore`` and ``exclude`` from the configuration. Files named on the command line
are always checked, unless ``force_exclude`` is set (pre-commit names every file).
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from typing import Callable

import pathspec

from asynclint.model import Settings

SOURCE_SUFFIXES = (".py", ".ipynb")  # a notebook's code cells are checked as ruff does (notebook.py)
DEFAULT_EXCLUDES = (
    ".git/", ".hg/", ".svn/", ".venv/", "venv/", ".tox/", ".nox/", "__pycache__/", "build/", "dist/",
    "node_modules/", ".mypy_cache/", ".pytest_cache/", ".ruff_cache/", ".asynclint_cache/", "*.egg-info/",
    ".ipynb_checkpoints/",
)


def _spec(settings: Settings, root: str) -> pathspec.PathSpec:
    return pathspec.GitIgnoreSpec.from_lines(DEFAULT_EXCLUDES + _own_patterns(settings, root))


def _own_patterns(settings: Settings, root: str) -> tuple[str, ...]:
    """The project's patterns: ``exclude``, then the root's .gitignore."""
    patterns = list(settings.exclude)
    gitignore = os.path.join(root, ".gitignore")
    try:
        with open(gitignore, encoding="utf-8", errors="replace") as handle:
            patterns += handle.read().splitlines()
    except OSError:
        pass
    return tuple(patterns)


def excluder(settings: Settings, root: str) -> Callable[[str], bool]:
    """Whether a path relative to ``root`` (a directory ending in ``/``) is excluded; made once
    per settings and root (it reads the root's .gitignore)."""
    key = (id(settings), root)
    cached = _excluders.get(key)
    if cached is None or cached[0] is not settings:
        if len(_excluders) > 64:
            _excluders.clear()
        cached = _excluders[key] = (settings, _excluder_of(_own_patterns(settings, root)))
    return cached[1]


@lru_cache(maxsize=64)
def _excluder_of(own: tuple[str, ...]) -> Callable[[str], bool]:
    """The matcher of the built-in list and the ``own`` patterns, made once per distinct list
    (compiling is most of its cost, and most projects add nothing): the built-in list's is
    shared, unless a negation may re-include what it excludes (then one spec decides)."""
    patterns = [p for p in pathspec.GitIgnoreSpec.from_lines(own).patterns if p.include is not None]
    if not patterns or not all(p.include for p in patterns):
        return _matcher(pathspec.GitIgnoreSpec.from_lines(DEFAULT_EXCLUDES + own))
    defaults, mine = _excluder_of(()), _matcher(pathspec.GitIgnoreSpec(patterns))
    return lambda path: defaults(path) or mine(path)


_excluders: dict[tuple, tuple[Settings, Callable[[str], bool]]] = {}


def _matcher(spec: pathspec.PathSpec) -> Callable[[str], bool]:
    """``spec.match_file``, fast. When no pattern is a negation (``!pattern``) a path is excluded
    if any pattern matches, so the patterns' regular expressions are joined into one; else (or
    when the patterns are not regular expressions) pathspec decides, pattern by pattern."""
    patterns = [p for p in spec.patterns if p.include is not None]
    regexes = [getattr(p, "regex", None) for p in patterns]
    if not patterns:
        return lambda path: False
    if not all(p.include for p in patterns) or not all(isinstance(r, re.Pattern) for r in regexes) \
            or len({r.flags for r in regexes}) != 1:
        return spec.match_file
    # Named groups (pathspec marks directory matches with one) would clash once joined.
    joined = "|".join("(?:%s)" % re.sub(r"\(\?P<\w+>", "(?:", r.pattern) for r in regexes)
    try:
        combined = re.compile(joined, regexes[0].flags)
    except re.error:
        return spec.match_file
    return lambda path: combined.match(path) is not None


def discover(paths: list[str], settings: Settings | Callable[[str], Settings],
             stats: dict[str, os.stat_result] | None = None) -> tuple[list[str], list[str]]:
    """(files to check in a stable order, messages for paths that do not exist). Each directory
    is walked without what its settings (``settings``, or ``settings(directory)``: the nearest
    configuration's) exclude; whether a file is checked is config.settings_for's to say (a file
    named here is listed even when excluded: force-exclude decides). ``stats``, when given,
    receives each listed file's os.stat, taken before anything reads it (the cache's stamps)."""
    settings_of = settings if callable(settings) else (lambda directory: settings)
    files: list[str] = []
    missing: list[str] = []
    seen: set = set()

    def add(path: str) -> None:
        # The same file named twice (or through a link) is checked once. (device, inode) costs
        # one stat; os.path.realpath would cost one per component of the path.
        try:
            info = os.stat(path)
            key = (info.st_dev, info.st_ino)
            if stats is not None:
                stats[path] = info
        except OSError:
            key = os.path.realpath(path)
        if key not in seen:
            seen.add(key)
            files.append(path)

    def exclusion(directory: str) -> Callable[[str, bool], bool]:
        """Whether an entry of ``directory`` (by name) is excluded, as its settings' patterns see it
        relative to their root (outside the root, the name alone is matched)."""
        own = settings_of(directory)
        root = os.path.abspath(own.project_root or os.getcwd())
        excluded = excluder(own, root)
        absolute, inside = os.path.abspath(directory), root.rstrip(os.sep) + os.sep
        prefix = absolute[len(inside):].replace(os.sep, "/") + "/" if absolute.startswith(inside) else ""
        return lambda name, is_dir: excluded(f"{prefix}{name}/" if is_dir else f"{prefix}{name}")

    for path in paths:
        if os.path.isfile(path):
            add(path)
        elif os.path.isdir(path):
            for file in sorted(_python_files(path, exclusion, missing)):
                add(file)
        elif os.path.islink(path):
            missing.append(f"{path}: a broken symbolic link or a link loop")
        elif os.path.lexists(path):
            missing.append(f"{path}: not a regular file or directory")
        else:
            missing.append(f"{path}: no such file or directory")
    return files, missing


def _python_files(top: str, exclusion, problems: list[str]) -> list[str]:
    """The *.py and *.ipynb files under ``top``, as os.walk would find them (symbolic links to directories
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
        excluded = exclusion(directory)  # once per directory, not once per entry
        for entry in entries:
            try:
                is_dir = entry.is_dir()
                walk_into = is_dir and not entry.is_symlink()
            except OSError:
                is_dir = walk_into = False
            if walk_into:
                if not excluded(entry.name, True):
                    pending.append(entry.path)  # os.path.join(directory, entry.name), made in C
            elif not is_dir and entry.name.endswith(SOURCE_SUFFIXES) and not excluded(entry.name, False):
                found.append(entry.path)
    return found


def write_atomically(path: str, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path`` and rename it over ``path``: readers
    see the old file or the new one, never half of it. The file's mode is kept; a symbolic
    link is followed, not replaced."""
    target = os.path.realpath(path)
    mode = os.stat(target).st_mode & 0o7777
    directory = os.path.dirname(target)
    import tempfile  # here: only --fix and --add-noqa write files, and tempfile imports random

    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".asynclint-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
