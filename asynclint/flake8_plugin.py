"""The flake8 door: a thin adapter over the engine, reading the same [tool.asynclint]."""

from __future__ import annotations

import ast
import os

from asynclint._version import __version__
from asynclint.callgraph import ProjectIndex
from asynclint.config import ConfigError, FileSettings, settings_for
from asynclint.engine import enabled_codes, lint_source, project_index
from asynclint.model import Settings

# The project index of each configuration this flake8 process meets, shared by its files.
_projects: dict[str | None, tuple[Settings, ProjectIndex]] = {}


def _file_settings(filename: str) -> FileSettings:
    # flake8 names standard input "stdin" (or "-"): its settings are the working directory's.
    path = os.path.join(os.getcwd(), "<stdin>") if filename in ("stdin", "-") else filename
    try:
        return settings_for(path)
    except ConfigError as error:
        raise SystemExit(f"asynclint: error: {error}") from None


def _project(own: FileSettings) -> ProjectIndex:
    cached = _projects.get(own.origin)
    if cached is None or cached[0] is not own.settings:
        cached = _projects[own.origin] = (own.settings, project_index(own.settings))
    return cached[1]


class AsyncLintPlugin:
    name = "asynclint"
    version = __version__

    def __init__(self, tree: ast.Module, filename: str, lines: list[str]) -> None:
        self.tree = tree
        self.filename = filename
        self.lines = lines

    def run(self):
        own = _file_settings(self.filename)
        if own.excluded:  # flake8 walks on its own: `exclude` and the rest decide as in the CLI
            return
        try:
            enabled = enabled_codes(own.settings, self.filename)
        except ConfigError as error:
            raise SystemExit(f"asynclint: error: {error}") from None
        # flake8 parsed the file already and applies `# noqa` itself. It never fixes, so the
        # message carries no `[fix: ...]` note.
        for d in lint_source("".join(self.lines), self.filename, own.settings, enabled=enabled, tree=self.tree,
                             apply_noqa=False, project=_project(own)):
            yield d.line, d.col - 1, f"{d.code} {d.message}", type(self)
