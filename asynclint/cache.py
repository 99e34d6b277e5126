"""The on-disk cache: results of earlier runs, keyed by what they depend on.

Layout: ``<project root>/.asynclint_cache/`` holds a ``.gitignore`` (``*``) and, for each
version of asynclint that used it (:func:`namespace`: its code's digest), one directory with one
small JSON file per entry, ``<namespace>/<kind>/<key[:2]>/<key>.json``. An entry is written once
and never read by another version, so nothing would ever remove it: the first write of a run
removes the namespaces no run has written to for ``UNUSED_DAYS``, and once a day the entries of
its own namespace not read or written for as long (:meth:`Cache._prune`). ``kind`` names what an entry holds
(``results``: one file's diagnostics; ``summaries``: one module's summary, see callgraph.py;
``stamps``: a settings group's index of file stamps, see runner._plan)
and ``key`` is a hex digest made by :func:`make_key` from everything the entry depends on.
Nothing is ever updated in place: an entry is written to a temporary file and renamed over
its final name (``os.replace``), so concurrent runs at worst write the same bytes twice and a
reader sees a whole entry or none. An entry that cannot be read or decoded is ignored (and
recomputed); deleting the whole directory at any time is safe.

A kind's key must cover every input of the entry. For ``results`` that is the file's content,
the settings that change what is reported (:func:`settings_fingerprint`), the rule codes
enabled for that path (which folds in per-file-ignores), and the code of asynclint itself
(:func:`engine_fingerprint`: its version and a hash of its source files, so that editing a
rule, or upgrading, invalidates everything), and the working directory (messages name other
modules relative to it). An entry that depends on other files (a
project-wide finding) must fold their keys into its own.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import shutil
import threading
import time
from dataclasses import fields
from functools import lru_cache
from typing import Any

from asynclint._version import __version__
from asynclint.model import Settings

CACHE_DIR_NAME = ".asynclint_cache"
# What no run has used for this long is removed (see Cache._prune).
UNUSED_DAYS = 30
_USED, _SWEPT = ".used", ".swept"  # markers in a namespace: its last run's first write, its last sweep
# The kinds' directories of the layout before namespaces (format 2), read by no version now.
_OLD_LAYOUT = frozenset({"results", "summaries", "stamps"})
# Bumped when the layout or an entry's format changes.
FORMAT = "3"
# Settings fields that do not change what a file's check reports: ``exclude`` only decides
# which files are checked, ``project_root`` is where the configuration was found, and
# ``per_file_ignores`` enters keys through the enabled codes of each path.
_NOT_IN_KEY = frozenset({"exclude", "project_root", "per_file_ignores", "selection_origin", "fix_style"})


def make_key(*parts: str | bytes) -> str:
    """A hex digest of the parts, unambiguous whatever they contain."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()


def _canonical(value: Any) -> Any:
    if isinstance(value, (frozenset, set)):
        return sorted(_canonical(v) for v in value)
    if isinstance(value, (tuple, list)):
        return [_canonical(v) for v in value]
    if hasattr(value, "items"):
        return sorted([str(k), _canonical(v)] for k, v in value.items())
    return value


def settings_fingerprint(settings: Settings) -> str:
    """A digest of every setting that can change a file's findings (new fields join by default)."""
    table = {f.name: _canonical(getattr(settings, f.name)) for f in fields(settings) if f.name not in _NOT_IN_KEY}
    return make_key(json.dumps(table, sort_keys=True, default=repr))


@lru_cache(maxsize=1)
def engine_fingerprint() -> str:
    """asynclint's version and a digest of its own source: any change to a rule invalidates."""
    package = os.path.dirname(os.path.abspath(__file__))
    parts: list[str | bytes] = [__version__, FORMAT]
    for directory, subdirs, names in os.walk(package):
        subdirs[:] = sorted(d for d in subdirs if d != "__pycache__")
        for name in sorted(names):
            if name.endswith(".py"):
                path = os.path.join(directory, name)
                parts.append(os.path.relpath(path, package))
                try:
                    with open(path, "rb") as handle:
                        parts.append(handle.read())
                except OSError:
                    parts.append(b"?")
    return make_key(*parts)


def namespace() -> str:
    """The directory of this version's entries: a new version never reads an older one's."""
    return "v" + engine_fingerprint()[:16]


def default_cache_dir(settings: Settings) -> str:
    return os.path.join(settings.project_root or os.getcwd(), CACHE_DIR_NAME)


def user_cache_dir() -> str:
    """Where the summaries of installed libraries are kept, shared by every project of the user:
    $XDG_CACHE_HOME/asynclint/libraries, else ~/.cache/asynclint/libraries."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "asynclint", "libraries")


class Cache:
    """Entries of several kinds under one directory. A disabled cache finds and keeps nothing."""

    def __init__(self, directory: str | None, enabled: bool = True) -> None:
        self.directory = directory
        self.enabled = enabled and directory is not None
        self._prepared = False
        self._own = os.path.join(directory, namespace()) if self.enabled else ""

    def _path(self, kind: str, key: str) -> str:
        return os.path.join(self._own, kind, key[:2], key + ".json")

    def get(self, kind: str, key: str) -> Any | None:
        """The payload stored under (kind, key), or None when absent or unreadable."""
        if not self.enabled:
            return None
        try:
            with open(self._path(kind, key), "rb") as handle:
                entry = json.loads(handle.read())
        except (OSError, ValueError):
            return None
        if not isinstance(entry, dict) or entry.get("key") != key or "payload" not in entry:
            return None  # truncated, foreign or corrupt: recompute
        return entry["payload"]

    def put(self, kind: str, key: str, payload: Any) -> None:
        """Store a JSON-serialisable payload; failures (read-only disk, full disk) are ignored."""
        if not self.enabled:
            return
        path = self._path(kind, key)
        try:
            self._prepare()
            data = json.dumps({"key": key, "payload": payload}, separators=(",", ":")).encode("utf-8")
            temporary = _temporary_name(path)
            try:
                try:
                    handle = open(temporary, "xb")
                except FileNotFoundError:  # the entry's directory is made by its first entry
                    os.makedirs(os.path.dirname(path), exist_ok=True)
                    handle = open(temporary, "xb")
                with handle:
                    handle.write(data)
                os.replace(temporary, path)
            except BaseException:
                _unlink(temporary)
                raise
        except (OSError, TypeError, ValueError):
            pass

    def _prepare(self) -> None:
        """Create the directory with a .gitignore of ``*`` so that it is never committed, and
        remove what no run has used for long."""
        if self._prepared:
            return
        os.makedirs(self._own, exist_ok=True)
        gitignore = os.path.join(self.directory, ".gitignore")
        if not os.path.exists(gitignore):
            temporary = _temporary_name(gitignore)
            with open(temporary, "x") as handle:
                handle.write("# Created by asynclint: a cache, safe to delete.\n*\n")
            os.replace(temporary, gitignore)
        self._prepared = True
        try:
            self._prune(time.time())
        except OSError:
            pass  # what is not removed now is next time

    def _prune(self, now: float) -> None:
        """Remove the other namespaces no run has written to for ``UNUSED_DAYS`` (another version
        in use, pre-commit's beside a virtual environment's, keeps its own), and the directories
        of the layout before namespaces; then, at most once a day, the entries of this one that
        were neither read nor written for as long (their access time, where the file system
        keeps it; else their age: a file unchanged for that long is checked again once).
        Another run may be reading what goes: it finds no entry, and computes it again."""
        horizon = now - UNUSED_DAYS * 86400
        _touch(os.path.join(self._own, _USED))
        for name in os.listdir(self.directory):
            path = os.path.join(self.directory, name)
            if name in _OLD_LAYOUT or (name.startswith("v") and name != namespace()
                                       and _last_used(os.path.join(path, _USED)) < horizon):
                shutil.rmtree(path, ignore_errors=True)
        swept = os.path.join(self._own, _SWEPT)
        if _last_used(swept) > now - 86400:
            return
        _touch(swept)
        for directory, _, names in os.walk(self._own):
            for name in names:
                if name.endswith(".json"):
                    path = os.path.join(directory, name)
                    try:
                        status = os.stat(path)
                    except OSError:
                        continue
                    if max(status.st_atime, status.st_mtime) < horizon:
                        _unlink(path)


def _touch(path: str) -> None:
    with open(path, "a"):
        pass
    os.utime(path)


def _last_used(marker: str) -> float:
    try:
        return os.stat(marker).st_mtime
    except OSError:
        return 0.0


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _temporary_name(path: str) -> str:
    """A name beside ``path`` that no other process or thread uses at the same time."""
    return f"{path}.{os.getpid()}.{threading.get_ident()}.{next(_counter)}.tmp"


_counter = itertools.count()
