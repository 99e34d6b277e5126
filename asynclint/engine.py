"""Read -> skip early -> parse once -> one walk with every enabled checker -> noqa -> diagnostics."""

from __future__ import annotations

import ast
import fnmatch
import io
import os
import re
import tokenize
import traceback
from functools import lru_cache

from asynclint.analysis import Analysis
from asynclint.model import Diagnostic, Settings
from asynclint.rules import CHECKERS, RULES, load_all

load_all()

MAX_FILE_BYTES = 16 * 1024 * 1024
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_NOQA = re.compile(r"#\s*noqa\b(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*))?", re.IGNORECASE)


class SourceError(Exception):
    """A file that cannot be read as Python source; the message says why."""


def read_source(path: str) -> str:
    try:
        size = os.path.getsize(path)
        if size > MAX_FILE_BYTES:
            raise SourceError(f"file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB; not checked")
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as error:
        raise SourceError(f"cannot read file: {error.strerror or error}") from None
    return decode_source(data)


def decode_source(data: bytes) -> str:
    """Bytes to text as Python does: BOM, PEP 263 cookie, else UTF-8."""
    if b"\0" in data:
        raise SourceError("file contains null bytes (binary?); not checked")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding).removeprefix("\ufeff")
    except (SyntaxError, LookupError) as error:
        raise SourceError(f"cannot decode file: {error}") from None
    except UnicodeDecodeError as error:
        raise SourceError(f"file is not valid {error.encoding} (byte {error.start}); not checked") from None


def check_file(path: str, settings: Settings) -> list[Diagnostic]:
    try:
        source = read_source(path)
    except SourceError as error:
        return [Diagnostic(path, 1, 1, "ASL003", str(error))]
    return lint_source(source, path, settings)


def lint_source(source: str, path: str = "<stdin>", settings: Settings = Settings(), *,
                tree: ast.Module | None = None, apply_noqa: bool = True,
                verbose: bool = False) -> list[Diagnostic]:
    """Every finding in one module's source, sorted by position."""
    enabled = enabled_codes(settings, path)
    checkers = _checkers_for(enabled)
    if tree is None:
        if not _triggered(source, checkers):
            return []
        try:
            tree = ast.parse(source, filename=path)
        except SyntaxError as error:
            return [_syntax_error(path, error)]
        except (RecursionError, MemoryError):
            return [Diagnostic(path, 1, 1, "ASL001", "syntax error: too deeply nested for the parser")]
        except ValueError as error:
            return [Diagnostic(path, 1, 1, "ASL001", f"syntax error: {error}")]

    found: list[tuple[ast.AST, str, str, str | None]] = []

    def report(node: ast.AST, code: str, message: str, fix: str | None = None) -> None:
        if code in enabled:
            found.append((node, code, message, fix))

    analysis = Analysis(tree, settings, checkers, report)
    try:
        analysis.run()
    except RecursionError:
        return [Diagnostic(path, 1, 1, "ASL001", "too deeply nested to analyse")]
    except Exception as error:  # a bug in asynclint must not stop the run
        detail = traceback.format_exc() if verbose else f"{type(error).__name__}: {error}"
        where = _failing_checker(error)
        return [Diagnostic(path, 1, 1, "ASL002", f"internal error in {where}: {detail}")]
    if not found:
        return []
    return _diagnostics(source, path, found, apply_noqa)


def needs_parse(source: str, path: str, settings: Settings) -> bool:
    """False when ``lint_source`` would return [] without parsing: no enabled checker's trigger
    word occurs in the text (the early skip). The runner asks this before it ships or caches."""
    return _triggered(source, _checkers_for(enabled_codes(settings, path)))


def _triggered(source: str, checkers) -> bool:
    """Whether a trigger of one of the checkers occurs in the text: a word (a substring test)
    or a compiled pattern (searched), see ``Checker.triggers``."""
    for c in checkers:
        for trigger in c.triggers:
            if trigger in source if type(trigger) is str else trigger.search(source):
                return True
    return False


@lru_cache(maxsize=256)
def _checkers_for(enabled: frozenset[str]) -> tuple:
    return tuple(c for c in CHECKERS if enabled.intersection(c.codes))


def _diagnostics(source: str, path: str, found, apply_noqa: bool) -> list[Diagnostic]:
    lines = _LINE_BREAK.split(source)
    result = []
    for node, code, message, fix in found:
        line = node.lineno
        text = lines[line - 1] if line <= len(lines) else ""
        if apply_noqa and _suppressed(text, code):
            continue
        end_line = getattr(node, "end_lineno", None) or line
        end_text = lines[end_line - 1] if end_line <= len(lines) else ""
        result.append(Diagnostic(
            path, line, _char_column(text, node.col_offset) + 1, code, message,
            end_line, _char_column(end_text, getattr(node, "end_col_offset", 0) or 0) + 1, fix,
        ))
    result.sort(key=Diagnostic.sort_key)
    return result


def _char_column(text: str, byte_offset: int) -> int:
    """ast counts columns in UTF-8 bytes; people and editors count characters."""
    if text.isascii():
        return byte_offset
    return len(text.encode("utf-8")[:byte_offset].decode("utf-8", errors="ignore"))


def _suppressed(line: str, code: str) -> bool:
    if "noqa" not in line and "NOQA" not in line:
        return False
    match = _NOQA.search(line)
    if match is None:
        return False
    codes = match.group("codes")
    return codes is None or any(code.startswith(c.upper()) for c in re.split(r"[\s,]+", codes) if c)


def _syntax_error(path: str, error: SyntaxError) -> Diagnostic:
    return Diagnostic(path, error.lineno or 1, error.offset or 1, "ASL001", f"syntax error: {error.msg}")


def _failing_checker(error: Exception) -> str:
    """The rule family whose code raised, from the innermost frame in asynclint.rules."""
    for frame, _ in reversed(list(traceback.walk_tb(error.__traceback__))):
        module = frame.f_globals.get("__name__", "")
        if module.startswith("asynclint.rules."):
            owner = frame.f_locals.get("self")
            codes = getattr(owner, "codes", ())
            name = type(owner).__name__ if owner is not None else module
            return f"{name} ({codes[0]}-{codes[-1]})" if codes else name
    return "the analysis"


def enabled_codes(settings: Settings, path: str) -> frozenset[str]:
    ignores = settings.ignore + _per_file_ignores(settings, path)
    return _enabled(settings.select + settings.extend_select, ignores)


@lru_cache(maxsize=256)
def _enabled(selected: tuple[str, ...], ignored: tuple[str, ...]) -> frozenset[str]:
    """The most specific matching prefix decides; a rule that is off by default is only
    switched on by a prefix more specific than ``ASL``."""
    codes = set()
    for code, rule in RULES.items():
        chosen = max((p for p in selected if code.startswith(p)), key=len, default=None)
        dropped = max((p for p in ignored if code.startswith(p)), key=len, default=None)
        if chosen is None or (dropped is not None and len(dropped) >= len(chosen)):
            continue
        if rule.enabled_by_default or len(chosen) > len("ASL"):
            codes.add(code)
    return frozenset(codes)


def _per_file_ignores(settings: Settings, path: str) -> tuple[str, ...]:
    if not settings.per_file_ignores:
        return ()
    relative = path
    if settings.project_root:
        try:
            relative = os.path.relpath(path, settings.project_root)
        except ValueError:
            pass
    relative = relative.replace(os.sep, "/")
    codes: tuple[str, ...] = ()
    for pattern, ignored in settings.per_file_ignores.items():
        if fnmatch.fnmatch(relative, pattern) or fnmatch.fnmatch(os.path.basename(path), pattern):
            codes += tuple(ignored)
    return codes
