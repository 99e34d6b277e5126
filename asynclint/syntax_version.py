"""Which Python a file needs, when the running one cannot parse it.

A pre-commit hook or a CI image often runs an older Python than the project targets; a file
using ``type`` statements, type parameters, PEP 701 f-strings, t-strings or ``except A, B:`` then
fails ``ast.parse`` although it is valid code. libcst's parser knows those constructs: when it
parses the file, the newest construct it finds names the version. Only then is the file reported
as needing that version; anything else stays a syntax error. The engine imports this module
(and libcst with it) on a parse failure only.
"""

from __future__ import annotations

import re
import sys

import libcst as cst

_F_STRING = re.compile(r"(?<![\w])(?:[rR]?[fF]|[fF][rR])['\"]")


def needed_python(source: str, error: SyntaxError) -> tuple[int, int] | None:
    """The version of Python (newer than this one) that parses ``source``, or None."""
    try:
        module = cst.parse_module(source)
    except Exception:  # libcst cannot parse it either (or is too old to know the construct)
        return None
    finder = _Constructs()
    module.visit(finder)
    error_line = (source.splitlines()[error.lineno - 1:error.lineno] or [""])[0] if error.lineno else ""
    if _F_STRING.search(error_line):  # PEP 701: quotes, backslashes and comments inside f-strings
        finder.need((3, 12))
    if finder.version is None or finder.version <= sys.version_info[:2]:
        return None
    return finder.version


def message(version: tuple[int, int]) -> str:
    running = sys.version_info
    return f"needs Python >= {version[0]}.{version[1]} to parse; asynclint runs on {running[0]}.{running[1]}"


class _Constructs(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.version: tuple[int, int] | None = None

    def need(self, version: tuple[int, int]) -> None:
        self.version = max(self.version or version, version)

    def visit_TypeParameters(self, node) -> None:  # def f[T](), class C[T]
        self.need((3, 12))

    def visit_TypeAlias(self, node) -> None:  # type X = ...
        self.need((3, 12))

    def visit_TypeParam(self, node) -> None:  # def f[T = int]()
        if node.default is not None:
            self.need((3, 13))

    def visit_TemplatedString(self, node) -> None:  # t"..."
        self.need((3, 14))

    def visit_ExceptHandler(self, node) -> None:  # except A, B:
        self._except(node)

    def visit_ExceptStarHandler(self, node) -> None:
        self._except(node)

    def _except(self, node) -> None:
        if isinstance(node.type, cst.Tuple) and not node.type.lpar:
            self.need((3, 14))
