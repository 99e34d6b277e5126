"""What a module's comments say about its code: where one says a blocking call is deliberate."""

from __future__ import annotations

import ast
import re

from asynclint import catalog

_DELIBERATE = re.compile("|".join(f"(?:{pattern})" for pattern in catalog.DELIBERATE_BLOCKING), re.IGNORECASE)


class Comments:
    """The comments of one module's text, looked up by line."""

    def __init__(self, source: str | None) -> None:
        self.lines = source.splitlines() if source else []

    def _comment(self, line: int) -> str | None:
        """The comment on a line (1-based), if any: the text after a ``#`` outside a string."""
        if not 0 < line <= len(self.lines):
            return None
        text = self.lines[line - 1]
        if "#" not in text:
            return None
        if text.lstrip().startswith("#"):
            return text.lstrip()[1:]
        for match in re.finditer("#", text):  # the first `#` that leaves the code before it whole
            code = text[:match.start()]
            if code.count('"') % 2 == 0 and code.count("'") % 2 == 0:
                return text[match.end():]
        return None

    def deliberate_blocking(self, node: ast.AST, function: ast.AST | None) -> str | None:
        """Why a blocking call is there on purpose: a comment on its lines or in the comment block
        right above it, or its function's docstring, says so (``catalog.DELIBERATE_BLOCKING``)."""
        above = node.lineno - 1
        while 0 < above <= len(self.lines) and self.lines[above - 1].lstrip().startswith("#"):
            above -= 1
        for line in range(above + 1, node.end_lineno + 1):
            comment = self._comment(line)
            if comment is not None and _DELIBERATE.search(comment):
                return f"a comment (line {line}) says the blocking is deliberate"
        docstring = ast.get_docstring(function) if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) else None
        if docstring and any(_DELIBERATE.search(line) for line in docstring.splitlines()):
            return "the function's docstring says the blocking is deliberate"
        return None
