"""``[tool.asynclint]`` in pyproject.toml -> Settings. Unknown keys and bad values are errors."""

from __future__ import annotations

import json
import os
import re
import sys
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, Callable, Mapping

from asynclint.compat import asl_equivalents
from asynclint.environment import find_environment
from asynclint.model import BACKENDS, COMMAND_LINE, Selection, Settings
from asynclint.style import project_style

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib


class ConfigError(Exception):
    """A configuration the user must correct; the message names the file and key."""


# ALL: every rule, those off by default too. Whether a prefix names a rule is the engine's to say
# (it knows the registry): an unknown one is an error there, with the closest known ones.
_CODE_PREFIX = re.compile(r"^(ASL[0-9]*|ALL)$")


def _codes(key: str, value: Any) -> tuple[str, ...]:
    """Rule codes or prefixes; a flake8-async or ruff code (ASYNC251, ASYNC2, RUF006) stands for
    the ASL codes compat.py maps it to."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"`{key}` must be a list of rule codes, like [\"ASL101\"]")
    codes: list[str] = []
    for code in value:
        if _CODE_PREFIX.match(code):
            codes.append(code)
            continue
        equivalents = asl_equivalents(code)
        if not equivalents:
            raise ConfigError(f"`{key}`: {code!r} is not a rule code or prefix (ASL, ASL1, ASL101..., or ALL) "
                              f"nor a flake8-async/ruff code with an asynclint equivalent")
        codes += equivalents
    return tuple(codes)


def _strings(key: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"`{key}` must be a list of strings")
    return tuple(value)


def _per_file_ignores(key: str, value: Any) -> dict[str, tuple[str, ...]]:
    if not isinstance(value, dict):
        raise ConfigError(f"`{key}` must be a table of glob pattern -> list of codes")
    return {pattern: _codes(f"{key}.{pattern}", codes) for pattern, codes in value.items()}


def _extra_blocking(key: str, value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ConfigError(f"`{key}` must be a table of qualified name -> replacement, "
                          f"like {{\"mylib.fetch\" = \"mylib.afetch\"}}")
    for name in value:
        if not re.match(r"^[A-Za-z_][\w.]*$", name):
            raise ConfigError(f"`{key}`: {name!r} is not a qualified name like \"package.module.function\"")
    return dict(value)


def _backend(key: str, value: Any) -> str:
    if value not in BACKENDS:
        raise ConfigError(f"`{key}` must be one of {', '.join(BACKENDS)}")
    return value


def _bool(key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"`{key}` must be true or false")
    return value


def _positive_int(key: str, value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ConfigError(f"`{key}` must be a positive integer")
    return value


def _path(key: str, value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise ConfigError(f"`{key}` must be a path, like \".venv/bin/python\"")
    return value


def _existing_python(path: str, origin: str) -> str:
    """An absolute path to an interpreter or an environment's folder that exists."""
    path = os.path.abspath(os.path.expanduser(path))
    if not os.path.exists(path):
        raise ConfigError(f"{origin}: no interpreter or environment at {path}")
    return path


# key in pyproject.toml -> (Settings field, parser)
_KEYS: dict[str, tuple[str, Callable[[str, Any], Any]]] = {
    "select": ("select", _codes),
    "extend-select": ("extend_select", _codes),
    "ignore": ("ignore", _codes),
    "per-file-ignores": ("per_file_ignores", _per_file_ignores),
    "exclude": ("exclude", _strings),
    "extra-blocking": ("extra_blocking", _extra_blocking),
    "allow": ("allow", lambda key, value: frozenset(_strings(key, value))),
    "backend": ("backend", _backend),
    "cpu-loop-threshold": ("cpu_loop_threshold", _positive_int),
    "src": ("src", _strings),
    "force-exclude": ("force_exclude", _bool),
    "fix-with-installed-libraries": ("fix_with_installed_libraries", _bool),
    "loop-callback-decorators": ("loop_callback_decorators", lambda key, value: frozenset(_strings(key, value))),
    "thread-runners": ("thread_runners", lambda key, value: frozenset(_strings(key, value))),
    "python": ("python", _path),
}


def find_pyproject(start: str) -> str | None:
    """The nearest pyproject.toml at or above ``start`` (a file or directory)."""
    directory = os.path.abspath(start)
    if not os.path.isdir(directory):
        directory = os.path.dirname(directory)
    while True:
        candidate = os.path.join(directory, "pyproject.toml")
        if os.path.isfile(candidate):
            return candidate
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def load_settings(pyproject: str | None) -> Settings:
    """Settings from a pyproject.toml (defaults when there is none or no [tool.asynclint])."""
    if pyproject is None:
        return Settings()
    try:
        with open(pyproject, "rb") as handle:
            document = tomllib.load(handle)
    except OSError as error:
        raise ConfigError(f"{pyproject}: cannot read: {error.strerror or error}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:  # TOML files are UTF-8
        raise ConfigError(f"{pyproject}: invalid TOML: {error}") from None
    tool = document.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(f"{pyproject}: [tool] must be a table")
    table = tool.get("asynclint", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{pyproject}: [tool.asynclint] must be a table")
    root = os.path.dirname(os.path.abspath(pyproject))
    base = Settings(project_root=root, selection_origin=pyproject, fix_style=project_style(document, root))
    settings = settings_from_table(table, base, origin=pyproject)
    if settings.python is not None:
        settings = replace(settings, python=_existing_python(os.path.join(root, settings.python),
                                                             f"{pyproject}: [tool.asynclint] `python`"))
    return settings


def settings_from_table(table: dict, base: Settings, origin: str = "configuration") -> Settings:
    values = {}
    for key, value in table.items():
        if key not in _KEYS:
            known = ", ".join(sorted(_KEYS))
            raise ConfigError(f"{origin}: unknown key `{key}` in [tool.asynclint] (known keys: {known})")
        field_name, parse = _KEYS[key]
        try:
            values[field_name] = parse(key, value)
        except ConfigError as error:
            raise ConfigError(f"{origin}: [tool.asynclint] {error}") from None
    return replace(base, **values)


def settings_report(path: str, own: "FileSettings", enabled: frozenset[str]) -> str:
    """What --show-settings prints: where a file's settings come from, and each of them as the
    [tool.asynclint] line that would set it."""
    settings = own.settings
    lines = [f"file: {path}",
             f"configuration: {own.origin or 'none (the defaults)'}",
             f"project root: {settings.project_root or os.getcwd()}",
             f"excluded: {'yes' if own.excluded else 'no'}",
             f"rules enabled: {', '.join(sorted(enabled)) or 'none'}",
             f"python environment: {find_environment(settings.python, settings.project_root).describe()}"]
    for level in settings.selection_overrides:
        said = [f"{key} = {_toml(value)}" for key, value in
                (("select", level.select), ("extend-select", level.extend_select), ("ignore", level.ignore))
                if value]
        lines.append(f"over it, from {level.origin}: {'; '.join(said)}")
    lines.append("[tool.asynclint]")
    for key, (field_name, _) in sorted(_KEYS.items()):
        value = getattr(settings, field_name)
        lines.append(f"# {key}: not set" if value is None else f"{key} = {_toml(value)}")
    return "\n".join(lines) + "\n"


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (tuple, list, frozenset, set)):
        items = sorted(value) if isinstance(value, (frozenset, set)) else value
        return "[" + ", ".join(_toml(v) for v in items) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{_toml(k)} = {_toml(v)}" for k, v in value.items()) + "}"
    if isinstance(value, str):
        return json.dumps(value)
    return str(value)


def inline_table(lines: tuple[str, ...]) -> dict:
    """``key = value`` lines (TOML) as a [tool.asynclint] table; raises ConfigError."""
    table: dict = {}
    for line in lines:
        try:
            table.update(tomllib.loads(line))
        except tomllib.TOMLDecodeError as error:
            raise ConfigError(f"--config {line!r}: not a path to a file, nor a `key = value` line of TOML: {error}") \
                from None
    return table


# -- the settings of one file: the one place every door asks ----------------------------------

@dataclass(frozen=True)
class Options:
    """What a door says over the configuration files (hashable: resolved settings are cached)."""

    config: str | None = None  # one pyproject.toml for every file (--config) instead of the nearest
    isolated: bool = False  # read no configuration file at all (--isolated)
    # `key = value` lines of [tool.asynclint] over each file's configuration (--config 'key = value')
    overrides: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] | None = None  # replaces the configured table
    extend_per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    select: tuple[str, ...] | None = None  # replaces the configured set
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] | None = None  # replaces the configured patterns
    extend_exclude: tuple[str, ...] = ()
    force_exclude: bool = False
    ignore_noqa: bool = False
    root: str | None = None  # the project root of files without a pyproject.toml (else the working directory)
    python: str | None = None  # the interpreter whose libraries are read (--python), over the `python` setting
    origin: str = COMMAND_LINE  # who says this, for error messages


@dataclass(frozen=True)
class FileSettings:
    settings: Settings
    excluded: bool  # the file is not to be checked: `exclude` matches it (see ``settings_for``)
    origin: str | None  # the pyproject.toml the settings come from; files that share it share ``settings``


def settings_for(path: str, options: Options = Options(), *, named: bool = False) -> FileSettings:
    """The settings of one file and whether it is excluded: the nearest pyproject.toml at or above
    it (or ``options.config``), with the door's options over it. A file the user ``named``
    (on the command line, --stdin-filename) is excluded only under force-exclude; a file found
    by walking a directory, opened in an editor or handed over by flake8 whenever `exclude`
    (or the built-in list, or the project's .gitignore) matches it. Raises ConfigError."""
    path = os.path.abspath(path)
    settings, pyproject = _configuration(os.path.dirname(path), options)
    return _file_settings(path, settings, pyproject, named)


def directory_settings(directory: str, options: Options = Options()) -> Settings:
    """The settings a directory is walked with: those of a file directly in it."""
    return _configuration(os.path.abspath(directory), options)[0]


def _configuration(directory: str, options: Options) -> tuple[Settings, str | None]:
    pyproject = None if options.isolated else options.config or _nearest_pyproject(directory)
    return _resolved(pyproject, _stamp(pyproject), options), pyproject


class Resolver:
    """``settings_for`` with a door's options bound, or one ``fixed`` Settings for every file (the
    library API and tests): the pipeline asks it for each file and each directory it walks."""

    def __init__(self, options: Options = Options(), fixed: Settings | None = None):
        self.options, self.fixed = options, fixed
        # Each directory's configuration, looked up once: a resolver serves one run, and a run
        # does not follow edits of pyproject.toml made while it runs (a server calls settings_for).
        self._configurations: dict[str, tuple[Settings, str | None]] = {}

    def file(self, path: str, named: bool = False) -> FileSettings:
        path = os.path.abspath(path)
        return _file_settings(path, *self._of_file(path), named)

    def walked(self, path: str) -> FileSettings:
        """``file`` for a file that files.discover found walking a directory: the walk matched it
        against the same patterns, from the same root (its directory's settings are the file's),
        and kept it, so it is not excluded."""
        settings, pyproject = self._of_file(os.path.abspath(path))
        return FileSettings(settings, False, pyproject)

    def _of_file(self, absolute: str) -> tuple[Settings, str | None]:
        return (self.fixed, None) if self.fixed is not None else self._configuration(os.path.dirname(absolute))

    def directory(self, directory: str) -> Settings:
        return self.fixed if self.fixed is not None else self._configuration(os.path.abspath(directory))[0]

    def _configuration(self, directory: str) -> tuple[Settings, str | None]:
        known = self._configurations.get(directory)
        if known is None:
            known = self._configurations[directory] = _configuration(directory, self.options)
        return known


def _file_settings(absolute: str, settings: Settings, origin: str | None, named: bool) -> FileSettings:
    excluded = (not named or settings.force_exclude) and _excluded(absolute, settings)
    return FileSettings(settings, excluded, origin)


def forget() -> None:
    """Drop what is cached about the configuration files (a long-running server calls this when a
    pyproject.toml appears or goes away; an edit to one is noticed by its stamp)."""
    _nearest_pyproject.cache_clear()
    _resolved.cache_clear()


@lru_cache(maxsize=4096)
def _nearest_pyproject(directory: str) -> str | None:
    """``find_pyproject`` for a directory, each ancestor asked once per run."""
    candidate = os.path.join(directory, "pyproject.toml")
    if os.path.isfile(candidate):
        return candidate
    parent = os.path.dirname(directory)
    return None if parent == directory else _nearest_pyproject(parent)


@lru_cache(maxsize=256)
def _resolved(pyproject: str | None, stamp, options: Options) -> Settings:
    """One object per (file, stamp, options): the runner groups files by it, caches key on it."""
    settings = load_settings(pyproject)
    if options.overrides:
        configured = settings.python  # resolved against its pyproject.toml's folder already
        settings = settings_from_table(inline_table(options.overrides), settings, origin="--config")
        if settings.python is not None and settings.python != configured:
            settings = replace(settings, python=_existing_python(
                os.path.join(settings.project_root or options.root or os.getcwd(), settings.python),
                "--config `python`"))
    overrides: dict[str, Any] = {}
    if options.per_file_ignores is not None:
        overrides["per_file_ignores"] = dict(options.per_file_ignores)
    if options.extend_per_file_ignores:
        overrides["per_file_ignores"] = {**overrides.get("per_file_ignores", settings.per_file_ignores),
                                         **dict(options.extend_per_file_ignores)}
    if options.select is not None or options.extend_select or options.ignore:
        # A level above the configuration's: its select replaces the configured one, extend-select
        # and ignore included (ruff's precedence).
        level = Selection(options.select, options.extend_select, options.ignore, options.origin)
        overrides["selection_overrides"] = settings.selection_overrides + (level,)
    if options.exclude is not None:
        overrides["exclude"] = options.exclude
    if options.extend_exclude:
        overrides["exclude"] = overrides.get("exclude", settings.exclude) + options.extend_exclude
    if options.force_exclude:
        overrides["force_exclude"] = True
    if options.ignore_noqa:
        overrides["ignore_noqa"] = True
    if options.python is not None:
        overrides["python"] = _existing_python(options.python, f"{options.origin}: --python")
    if settings.project_root is None and options.root is not None:
        overrides["project_root"] = os.path.abspath(options.root)
    return replace(settings, **overrides) if overrides else settings


def _stamp(path: str | None):
    if path is None:
        return None
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_mtime_ns, status.st_size


def _excluded(absolute: str, settings: Settings) -> bool:
    # Here: files.py imports pathspec (some thirty modules), which only a door that excludes needs.
    from asynclint.files import excluder

    root = settings.project_root or os.getcwd()
    inside = root.rstrip(os.sep) + os.sep
    # Outside the root, the patterns see the name alone.
    relative = absolute[len(inside):] if absolute.startswith(inside) else os.path.basename(absolute)
    return excluder(settings, root)(relative.replace(os.sep, "/"))
