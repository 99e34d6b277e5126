"""asynclint: find and fix code that blocks the event loop inside async functions."""

__version__ = "0.1.0"

from asynclint.engine import check_file, lint_source  # noqa: E402
from asynclint.model import Diagnostic, Settings  # noqa: E402

__all__ = ["Diagnostic", "Settings", "check_file", "lint_source", "__version__"]
