"""What a fix is made of: an edit (replacements by node identity, the imports it needs, the names
it may leave unused) and the small libcst builders the fixers share."""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Callable, Iterator, TypeVar

import libcst as cst

from asynclint.model import Diagnostic

Node = TypeVar("Node", cst.Arg, cst.Element)


@dataclass
class Edit:
    """Replacements by node identity (``id(original)`` -> builder of the updated node)."""

    root: cst.CSTNode
    diagnostic: Diagnostic
    builders: dict[int, Callable[[cst.CSTNode], cst.CSTNode]] = field(default_factory=dict)
    imports: set[str] = field(default_factory=set)
    unused: set[str] = field(default_factory=set)  # root names the edit may have left unused
    targets: list[cst.CSTNode] = field(default_factory=list)
    # The roots of the edits of the later calls the finding covers, made with it (rewrite.plan).
    later_roots: list[cst.CSTNode] = field(default_factory=list)
    covered: list[Diagnostic] = field(default_factory=list)  # other findings the edit fixes with it

    def replace(self, node: cst.CSTNode, build: Callable[[cst.CSTNode], cst.CSTNode]) -> None:
        self.builders[id(node)] = build
        self.targets.append(node)

    def join(self, later: "Edit") -> None:
        """Make the edit of a later call on what the finding's call made part of this one."""
        self.builders.update(later.builders)
        self.targets += later.targets
        self.imports |= later.imports
        self.unused |= later.unused
        self.later_roots.append(later.root)

    @property
    def roots(self) -> list[cst.CSTNode]:
        return [self.root, *self.later_roots]

    @property
    def fixed(self) -> list[Diagnostic]:
        return [self.diagnostic, *self.covered]


# The modules a fix imports under another name, because the module's own name is taken in the
# file (``async def f(asyncio):``): ``dotted`` spells their names through the alias.
_ALIASES: ContextVar[dict[str, str]] = ContextVar("aliases", default={})


@contextmanager
def spelled_with(aliases: dict[str, str]) -> Iterator[None]:
    """Build names through these aliases (``{"asyncio": "asyncio_"}``) while the block runs."""
    token = _ALIASES.set(aliases)
    try:
        yield
    finally:
        _ALIASES.reset(token)


# -- small builders ----------------------------------------------------------------------------

def dotted(name: str) -> cst.BaseExpression:
    """``a.b.c`` as a libcst expression (built directly: parsing it costs far more), a module
    imported under an alias spelled through it."""
    for module, alias in _ALIASES.get().items():
        if name.startswith(module + "."):
            name = alias + name[len(module):]
            break
    first, *rest = name.split(".")
    node: cst.BaseExpression = cst.Name(first)
    for part in rest:
        node = cst.Attribute(node, cst.Name(part))
    return node


def awaiting(expression: cst.BaseExpression, original: cst.BaseExpression) -> cst.Await:
    """``await expression``, taking over the parentheses the original expression had."""
    return cst.Await(expression, lpar=original.lpar, rpar=original.rpar)


def bare_await(node: cst.CSTNode) -> bool:
    return isinstance(node, cst.Await) and not node.lpar


def parenthesized(node: cst.BaseExpression) -> cst.BaseExpression:
    return node.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])


def prepend(first: cst.Arg, call: cst.Call) -> list[cst.Arg]:
    """``first`` before the arguments of ``call``; a bare generator argument (``f(x for x in y)``)
    gets the parentheses it needs once it is not the only argument. Arguments on lines of their
    own keep so: ``first`` on a line of its own before them, a trailing comma after the last (as
    the formatters write a call of several arguments broken over lines)."""
    args = list(call.args)
    if not args:
        return [first]
    args = [a.with_changes(value=parenthesized(a.value)) if isinstance(a.value, cst.GeneratorExp)
            and not a.value.lpar else a for a in args]
    last = args[-1]
    broken = isinstance(call.whitespace_before_args, cst.ParenthesizedWhitespace) and (
        isinstance(last.whitespace_after_arg, cst.ParenthesizedWhitespace)
        or isinstance(last.comma, cst.Comma) and isinstance(last.comma.whitespace_after, cst.ParenthesizedWhitespace))
    if not broken:
        return [first.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))), *args]
    if last.comma is cst.MaybeSentinel.DEFAULT:
        args[-1] = last.with_changes(comma=cst.Comma(whitespace_after=last.whitespace_after_arg),
                                     whitespace_after_arg=cst.SimpleWhitespace(""))
    return [first.with_changes(comma=cst.Comma(whitespace_after=call.whitespace_before_args)), *args]


def keyword_arg(name: str, value: cst.BaseExpression) -> cst.Arg:
    return cst.Arg(value, keyword=cst.Name(name),
                   equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")))


def commas(items: list[Node]) -> list[Node]:
    """Arguments or elements separated by ``, ``."""
    comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    return [item.with_changes(comma=comma) for item in items[:-1]] + items[-1:]


def statement_line(code: str) -> cst.SimpleStatementLine:
    return cst.parse_statement(code + "\n")


def fresh(base: str, taken: set[str]) -> str:
    return next(name for name in (base, *(f"{base}_{n}" for n in range(2, 1000))) if name not in taken)


def root_names(func: cst.BaseExpression) -> set[str]:
    """The name a callee is reached through (``time`` of ``time.sleep``), if it is a dotted name."""
    while isinstance(func, cst.Attribute):
        func = func.value
    return {func.value} if isinstance(func, cst.Name) else set()
