"""Output formats: each turns the run's diagnostics into text."""

from __future__ import annotations

import json
from typing import Callable, Iterable

from asynclint.model import Diagnostic


def fix_note(d: Diagnostic) -> str:
    """`` [fix: safe]`` / `` [fix: unsafe]`` after a message whose finding has a fix."""
    return f" [fix: {d.fix}]" if d.fix else ""


def text(diagnostics: list[Diagnostic]) -> str:
    return "".join(f"{d.path}:{d.line}:{d.col}: {d.code} {d.message}{fix_note(d)}\n" for d in diagnostics)


def as_dict(d: Diagnostic) -> dict:
    return {
        "path": d.path, "line": d.line, "column": d.col, "end_line": d.end_line, "end_column": d.end_col,
        "code": d.code, "message": d.message,
        "fix": None if d.fix is None else {"applicability": d.fix},
    }


def json_report(diagnostics: list[Diagnostic]) -> str:
    return json.dumps([as_dict(d) for d in diagnostics], indent=2) + "\n"


FORMATS: dict[str, Callable[[list[Diagnostic]], str]] = {
    "text": text,
    "json": json_report,
}


def summary(diagnostics: Iterable[Diagnostic], files_checked: int) -> str:
    diagnostics = list(diagnostics)
    if not diagnostics:
        return f"All checks passed ({files_checked} file{'s' if files_checked != 1 else ''} checked)."
    files = len({d.path for d in diagnostics})
    return (f"Found {len(diagnostics)} finding{'s' if len(diagnostics) != 1 else ''} in {files} "
            f"file{'s' if files != 1 else ''} ({files_checked} checked).")
