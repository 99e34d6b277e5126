"""Which Python environment the project runs with, and the third-party libraries installed in it.

ASL404 reads the libraries a project calls from the environment of the interpreter the project
runs with, found as pyright and mypy find theirs: the ``python`` setting (``--python PATH`` over
it), else an active virtual environment (``VIRTUAL_ENV``), else a ``.venv`` or ``venv`` in the
project root, else asynclint's own interpreter. A virtual environment's site-packages are found
by looking (``lib/python3.X/site-packages``); any other interpreter is asked once, with a bounded
run of ``python -I -c``. A library is a distribution in those directories: its name and version
come from its ``.dist-info`` (or ``.egg-info``) metadata.
"""

from __future__ import annotations

import glob
import json
import os
import site
import subprocess
import sys
from dataclasses import dataclass
from functools import lru_cache

VENV_NAMES = (".venv", "venv")
_ASK_SECONDS = 10  # how long another interpreter may take to say where its site-packages are
_ASK = "import json, site; print(json.dumps(site.getsitepackages() + [site.getusersitepackages()]))"


@dataclass(frozen=True)
class Environment:
    """An interpreter, why it was chosen, and the directories its third-party libraries are in."""

    interpreter: str
    chosen_by: str  # "the `python` setting", "VIRTUAL_ENV", ".venv in the project root"...
    site_packages: tuple[str, ...]

    def describe(self) -> str:
        where = ", ".join(self.site_packages) or "no site-packages found"
        return f"{self.interpreter} ({self.chosen_by}); libraries from {where}"


def find_environment(python: str | None, project_root: str | None) -> Environment:
    """The environment of ``python`` (a path to an interpreter or to an environment's folder,
    relative to the project root) or, without it, the first of VIRTUAL_ENV, a .venv/venv in the
    project root and asynclint's own interpreter."""
    root = project_root or os.getcwd()
    if python:
        return _environment(os.path.join(root, os.path.expanduser(python)), "the `python` setting")
    active = os.environ.get("VIRTUAL_ENV")
    if active and os.path.isdir(active):
        return _environment(active, "VIRTUAL_ENV")
    for name in VENV_NAMES:
        candidate = os.path.join(root, name)
        if os.path.isfile(os.path.join(candidate, "pyvenv.cfg")):
            return _environment(candidate, f"{name} in the project root")
    return _own_environment()


@lru_cache(maxsize=8)
def _environment(given: str, chosen_by: str) -> Environment:
    given = os.path.abspath(given)
    prefix = given if os.path.isdir(given) else os.path.dirname(os.path.dirname(given))
    interpreter = given if os.path.isfile(given) else _interpreter_in(prefix)
    if os.path.isfile(os.path.join(prefix, "pyvenv.cfg")):
        found = sorted(glob.glob(os.path.join(prefix, "lib", "python3*", "site-packages")))
        found += glob.glob(os.path.join(prefix, "Lib", "site-packages"))
        return Environment(interpreter, chosen_by, tuple(found))
    if os.path.realpath(interpreter) == os.path.realpath(sys.executable):
        return _own_environment()
    return Environment(interpreter, chosen_by, _asked(interpreter))


def _interpreter_in(prefix: str) -> str:
    for candidate in ("bin/python3", "bin/python", "Scripts/python.exe"):
        path = os.path.join(prefix, candidate)
        if os.path.isfile(path):
            return path
    return prefix


def _asked(interpreter: str) -> tuple[str, ...]:
    """The site-packages another interpreter reports, or none when it cannot be run."""
    try:
        done = subprocess.run([interpreter, "-I", "-c", _ASK], capture_output=True, text=True,
                              timeout=_ASK_SECONDS, check=True)
        reported = json.loads(done.stdout)
    except (OSError, subprocess.SubprocessError, ValueError):
        return ()
    return tuple(path for path in reported if isinstance(path, str) and os.path.isdir(path))


@lru_cache(maxsize=1)
def _own_environment() -> Environment:
    directories = [*site.getsitepackages(), site.getusersitepackages()] if site.ENABLE_USER_SITE is not False \
        else site.getsitepackages()
    return Environment(sys.executable, "asynclint's own interpreter",
                       tuple(path for path in dict.fromkeys(directories) if os.path.isdir(path)))


@dataclass(frozen=True)
class Distribution:
    name: str
    version: str

    def __str__(self) -> str:
        return f"{self.name} {self.version}"


@lru_cache(maxsize=8)
def distributions(site_packages: tuple[str, ...]) -> dict[str, Distribution]:
    """Top-level module name -> the distribution that installs it, from the metadata in the
    site-packages directories (the first directory that has a name wins, as on sys.path)."""
    owners: dict[str, Distribution] = {}
    for directory in site_packages:
        try:
            names = sorted(os.listdir(directory))
        except OSError:
            continue
        for entry in names:
            if entry.endswith((".dist-info", ".egg-info")):
                metadata = os.path.join(directory, entry)
                distribution = _read_metadata(metadata)
                if distribution is not None:
                    for top in _top_level(metadata, directory):
                        owners.setdefault(top, distribution)
    return owners


def _read_metadata(folder: str) -> Distribution | None:
    for name in ("METADATA", "PKG-INFO"):
        try:
            with open(os.path.join(folder, name), encoding="utf-8", errors="replace") as handle:
                fields: dict[str, str] = {}
                for line in handle:
                    if not line.strip():
                        break  # the headers end at the first blank line
                    key, _, value = line.partition(":")
                    fields.setdefault(key.strip().lower(), value.strip())
        except OSError:
            continue
        if "name" in fields and "version" in fields:
            return Distribution(fields["name"], fields["version"])
    return None


def _top_level(metadata: str, directory: str) -> set[str]:
    """The importable top-level names a distribution installs: top_level.txt, else the first part
    of each path its RECORD lists (a wheel built without top_level.txt)."""
    try:
        with open(os.path.join(metadata, "top_level.txt"), encoding="utf-8") as handle:
            return {line.strip() for line in handle if line.strip().isidentifier()}
    except OSError:
        pass
    tops = set()
    try:
        with open(os.path.join(metadata, "RECORD"), encoding="utf-8", errors="replace") as handle:
            for line in handle:
                first = line.split(",", 1)[0].split("/", 1)
                name = first[0].removesuffix(".py")
                if name.isidentifier() and (len(first) > 1 or first[0].endswith(".py")):
                    tops.add(name)
    except OSError:
        pass
    return tops
