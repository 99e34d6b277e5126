"""A check run over many files: discovery, checking each file, collecting results."""

from __future__ import annotations

from dataclasses import dataclass, field

from asynclint.engine import check_file, project_index
from asynclint.files import discover
from asynclint.model import Diagnostic, Settings


@dataclass
class RunResult:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files_checked: int = 0
    problems: list[str] = field(default_factory=list)  # paths that could not be checked at all


def check_paths(paths: list[str], settings: Settings, *, verbose: bool = False) -> RunResult:
    files, problems = discover(paths, settings)
    result = RunResult(files_checked=len(files), problems=problems)
    project = project_index(settings)  # one index per run: each module is summarised once
    for path in files:
        result.diagnostics += check_file(path, settings, project, verbose=verbose)
    result.diagnostics.sort(key=Diagnostic.sort_key)
    return result
