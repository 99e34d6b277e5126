"""The flake8 door: a thin adapter over the engine, reading the same [tool.asynclint]."""

from __future__ import annotations

import ast
import os
from functools import lru_cache

from asynclint._version import __version__
from asynclint.config import ConfigError, find_pyproject, load_settings
from asynclint.engine import lint_source, project_index
from asynclint.model import Settings
from asynclint.callgraph import ProjectIndex
from asynclint.report import fix_note


@lru_cache(maxsize=64)
def _settings_for(directory: str) -> tuple[Settings, ProjectIndex]:
    """Settings and the project index, shared by the files this flake8 process checks."""
    try:
        settings = load_settings(find_pyproject(directory))
    except ConfigError as error:
        raise SystemExit(f"asynclint: error: {error}") from None
    return settings, project_index(settings)


class AsyncLintPlugin:
    name = "asynclint"
    version = __version__

    def __init__(self, tree: ast.Module, filename: str, lines: list[str]) -> None:
        self.tree = tree
        self.filename = filename
        self.lines = lines

    def run(self):
        anchor = os.path.dirname(os.path.abspath(self.filename)) if self.filename not in ("stdin", "-") \
            else os.getcwd()
        settings, project = _settings_for(anchor)
        # flake8 parsed the file already and applies `# noqa` itself.
        for d in lint_source("".join(self.lines), self.filename, settings, tree=self.tree, apply_noqa=False,
                             project=project):
            # flake8 never writes files; the note says `asynclint check --fix` can.
            yield d.line, d.col - 1, f"{d.code} {d.message}{fix_note(d)}", type(self)
