"""asynclint: find and fix code that blocks the event loop inside async functions."""

from asynclint._version import __version__
from asynclint.engine import check_file, lint_source
from asynclint.model import Diagnostic, Settings


def fix_source(source: str, path: str = "<stdin>", settings: Settings = Settings(), unsafe: bool = False,
               *, only=None, project=None):
    """Rewrite the fixable findings of ``source``: (new source, fixed findings, remaining findings).

    Only safe fixes unless ``unsafe``; only the findings in ``only`` when it is given. Raises
    ``asynclint.fix.FixError`` when the source cannot be fixed (the original is then untouched).
    Imported on first use: the fix layer pulls in pathspec and difflib, which ``import asynclint``
    (the flake8 plugin's, the library API's) should not pay for.
    """
    from asynclint.fix import fix_source as _fix_source

    return _fix_source(source, path, settings, unsafe, only=only, project=project)


__all__ = ["Diagnostic", "Settings", "check_file", "fix_source", "lint_source", "__version__"]
