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
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Callable, ClassVar, Iterable

from asynclint.analysis.scopes import FixWithheld
from asynclint.model import BACKEND_NEUTRAL_FIXES, FixKind

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
    # True when the checker reads the module's summary (``analysis.summarizer``): the walk writes
    # one only then, or when the engine summarises the module for others.
    reads_summary: ClassVar[bool] = False

    def __init__(self, analysis: "Analysis") -> None:
        self.analysis = analysis

    def report(self, node: ast.AST, code: str, message: str, *, fix=..., fix_kind: FixKind | None = None,
               target: str | None = None, fix_reason: str | None = None, chain: tuple = (),
               related: tuple["RelatedCall", ...] = ()) -> None:
        """Hand a finding of one of this checker's rules to the engine. ``fix``: "safe", "unsafe"
        or None; left out, the rule's own applicability (and kind) apply. ``fix_reason``: why the
        fix is withheld or only unsafe here. Whether the fix stays on offer is ``Finding``'s call."""
        if code not in self.codes:
            raise ValueError(f"{type(self).__name__} reports {code}, which is not one of its codes {self.codes}")
        self.analysis.emit(Finding(node, code, message, fix=fix, fix_kind=fix_kind, target=target,
                                   fix_reason=fix_reason, chain=chain, related=related,
                                   withheld=self.analysis.fix_withheld_at(node)))

    def handlers(self) -> Iterable[tuple[type[ast.AST], Callable[[ast.AST], None]]]:
        """(node type, method) pairs, from methods named ``visit_<NodeType>``."""
        return [(node_type, getattr(self, name)) for node_type, name in _handler_names(type(self))]

    def leave_function(self, scope) -> None:
        """Called when the body of a function has been walked."""

    def finish(self) -> None:
        """Called when the whole module has been walked."""


@dataclass(frozen=True)
class RelatedCall:
    """A later blocking call on what a finding's call made, which the finding covers (becomes a
    ``model.Related`` with its span): the call, its rule code, fix kind (None: no fix) and callee."""

    node: ast.Call
    code: str
    fix_kind: FixKind | None
    target: str


@dataclass(frozen=True, init=False)
class Finding:
    """One finding as a checker makes it, before the engine places it (span from ``node``) and
    applies ``# noqa``. Checked against the registry when made: a code no rule has fails here.

    The one place that decides whether a fix is on offer (``fix``: "safe", "unsafe" or None, with
    its ``fix_kind``): what the checker asks for (``...``: the rule's own applicability and kind),
    unless the place forbids it (``withheld``: the analysis's reasons, see
    ``Analysis.fix_withheld_at``), in which case ``fix_reason`` says why."""

    node: ast.AST
    code: str
    message: str
    fix: str | None
    fix_kind: FixKind | None
    target: str | None
    fix_reason: str | None
    chain: tuple  # ASL401-ASL403: (step, absolute path, line, condition or None) per link
    related: tuple[RelatedCall, ...]

    def __init__(self, node: ast.AST, code: str, message: str, *, fix=..., fix_kind: FixKind | None = None,
                 target: str | None = None, fix_reason: str | None = None, chain: tuple = (),
                 related: tuple[RelatedCall, ...] = (), withheld: FixWithheld = FixWithheld()) -> None:
        rule = RULES.get(code)
        if rule is None:
            raise ValueError(f"no rule has the code {code!r}")
        if fix is not None and withheld.any_fix:
            fix, fix_reason = None, withheld.any_fix
        if fix is ...:
            fix = rule.fix_applicability
        if fix is not None and fix_kind is None:
            fix_kind = rule.fix_kind
        if fix is not None and withheld.backend_fix and fix_kind not in BACKEND_NEUTRAL_FIXES:
            fix, fix_reason = None, withheld.backend_fix
        for name, value in (("node", node), ("code", code), ("message", message), ("fix", fix),
                            ("fix_kind", fix_kind if fix else None), ("target", target), ("fix_reason", fix_reason),
                            ("chain", chain), ("related", related)):
            object.__setattr__(self, name, value)


@lru_cache(maxsize=None)
def _handler_names(cls: type[Checker]) -> tuple[tuple[type[ast.AST], str], ...]:
    """(node type, method name) of a checker class's handlers: found once, not for every file."""
    return tuple((getattr(ast, name[len("visit_"):]), name) for name in dir(cls) if name.startswith("visit_"))


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
