"""``[tool.asynclint]`` in pyproject.toml -> Settings. Unknown keys and bad values are errors."""

from __future__ import annotations

import os
import re
import sys
from dataclasses import replace
from typing import Any, Callable

from asynclint.model import BACKENDS, Settings

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib


class ConfigError(Exception):
    """A configuration the user must correct; the message names the file and key."""


_CODE_PREFIX = re.compile(r"^(ASL[0-9]{0,3}|ALL)$")  # ALL: every rule, those off by default too


def _codes(key: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"`{key}` must be a list of rule codes, like [\"ASL101\"]")
    for code in value:
        if not _CODE_PREFIX.match(code):
            raise ConfigError(f"`{key}`: {code!r} is not a rule code or prefix (ASL, ASL1, ASL101..., or ALL)")
    return tuple(value)


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
    return settings_from_table(table, Settings(project_root=os.path.dirname(os.path.abspath(pyproject))),
                               origin=pyproject)


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
