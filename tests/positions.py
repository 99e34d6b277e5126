"""Shared checks for the robustness tests: what every diagnostic of any input must satisfy."""

from __future__ import annotations

from asynclint.engine import _LINE_BREAK
from asynclint.model import Diagnostic


def position_problems(source: str, diagnostics: list[Diagnostic]) -> list[str]:
    """Diagnostics whose start or end is not a position inside ``source`` (1-based, in characters;
    the column just past a line's last character and the empty line after a final newline count)."""
    lines = _LINE_BREAK.split(source)
    problems = []
    for d in diagnostics:
        where = f"{d.code} at {d.line}:{d.col}-{d.end_line}:{d.end_col}"
        if not 1 <= d.line <= len(lines) or not 1 <= d.col <= len(lines[d.line - 1]) + 1:
            problems.append(f"{where}: start outside the file ({len(lines)} lines)")
            continue
        if d.end_line:  # 0: no end given
            if not d.line <= d.end_line <= len(lines) or not 1 <= d.end_col <= len(lines[d.end_line - 1]) + 1:
                problems.append(f"{where}: end outside the file")
            elif (d.end_line, d.end_col) < (d.line, d.col):
                problems.append(f"{where}: end before start")
    return problems


def internal_errors(diagnostics: list[Diagnostic]) -> list[str]:
    """ASL002, and ASL001 for deep nesting of a tree that did parse: both are asynclint's fault."""
    return [f"{d.line}:{d.col} {d.code} {d.message}" for d in diagnostics
            if d.code == "ASL002" or "too deeply nested to analyse" in d.message]
