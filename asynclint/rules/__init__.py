"""The rule registry.

A ``Rule`` is metadata: code, name, one-line summary, documentation and examples. The
examples feed docs/rules/ and are themselves checked by the tests. A ``Checker`` is the
code that finds a family of rules: it declares which AST node types it wants and the
engine calls it during its single walk of a file.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
from typing import TYPE_CHECKING, Callable, ClassVar, Iterable

from asynclint.model import FixKind

if TYPE_CHECKING:
    from asynclint.analysis import Analysis


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]
    enabled_by_default: ClassVar[bool] = True
    # Reports only code that runs on the event loop: with async/await stripped it goes silent.
    on_loop: ClassVar[bool] = False
    # Consults the other modules of the project (their summaries), not only the file checked.
    needs_project: ClassVar[bool] = False
    # "safe", "unsafe", or None when the rule has no fix. The kind of rewrite comes from
    # `fix_kind` or, for a catalogued call, from the catalog row.
    fix_applicability: ClassVar[str | None] = None
    fix_kind: ClassVar[FixKind | None] = None
    bad: ClassVar[str] = ""
    good: ClassVar[str] = ""
    # `bad` as the fixer leaves it (unsafe fixes included): a rule that offers a fix must have it,
    # and tests/test_fix.py checks the fixer really produces it.
    fixed: ClassVar[str] = ""

    @classmethod
    def documentation(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")


def source_text(node: ast.AST, limit: int = 40) -> str:
    """The source of a node for a message, cut to ``limit`` characters."""
    text = ast.unparse(node)
    return text if len(text) <= limit else text[: limit - 3] + "..."


# The trigger of checkers that look only inside async functions. A literal prefix: re scans
# for it fast; the backslash admits a line continuation between the words.
ASYNC_DEF = re.compile(r"async[\s\\]+def\b")


class Checker:
    """Finds one family of rules during the engine's walk.

    ``codes`` are the rules it may report. ``triggers`` are words (or compiled regular
    expressions) of which at least one must occur in a file's text for the checker to have
    anything to find there: a file in which no enabled checker's trigger occurs is never
    parsed. A trigger may match more than needed, never less: tests/test_prefilter.py checks
    that the skip loses no finding.
    """

    codes: ClassVar[tuple[str, ...]]
    triggers: ClassVar[tuple] = (ASYNC_DEF,)
    # True when the checker reports only code that runs on the event loop: when every enabled
    # checker says so, the analysis skips sync function bodies that cannot hold such code.
    on_loop_only: ClassVar[bool] = False
    # True when the checker reads where names are read (``Scope.uses``): the walk records them
    # only then.
    reads_uses: ClassVar[bool] = False

    def __init__(self, analysis: "Analysis") -> None:
        self.analysis = analysis

    def handlers(self) -> Iterable[tuple[type[ast.AST], Callable[[ast.AST], None]]]:
        """(node type, method) pairs, from methods named ``visit_<NodeType>``."""
        for attr in dir(self):
            if attr.startswith("visit_"):
                yield getattr(ast, attr[len("visit_"):]), getattr(self, attr)

    def leave_function(self, scope) -> None:
        """Called when the body of a function has been walked."""

    def finish(self) -> None:
        """Called when the whole module has been walked."""


RULES: dict[str, type[Rule]] = {}
CHECKERS: list[type[Checker]] = []


def rule(cls: type[Rule]) -> type[Rule]:
    assert cls.code not in RULES, f"duplicate rule code {cls.code}"
    RULES[cls.code] = cls
    return cls


def checker(cls: type[Checker]) -> type[Checker]:
    CHECKERS.append(cls)
    return cls


def load_all() -> None:
    """Import every module of this package so that their rules and checkers register."""
    for module in pkgutil.iter_modules(__path__, __name__ + "."):
        importlib.import_module(module.name)
