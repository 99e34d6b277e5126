"""Imports: add those a fix needs to the module's import block where its sorter would put them,
drop those it left unused.

libcst's AddImportsVisitor/RemoveImportsVisitor do this too, but each runs a full scope
analysis: about 0.5 s per call on a 50-line file, several times per pass. These two
functions need only a look at the statements and one ast walk for names, and they are
conservative: an import is removed only when its name appears nowhere else in the module
(not as a name anywhere, in any scope, nor as a word in a string such as an ``__all__``
entry or a string annotation).
"""

from __future__ import annotations

import ast
import dataclasses
import re
from functools import lru_cache

import isort
import libcst as cst
from isort.exceptions import ISortError

from asynclint.model import FixStyle

_EMPTY = cst.Module([])


def _code(node: cst.CSTNode) -> str:
    return _EMPTY.code_for_node(node)


def _is_docstring(statement: cst.CSTNode) -> bool:
    return (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1
            and isinstance(statement.body[0], cst.Expr)
            and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString)))


def _is_import_line(statement: cst.CSTNode) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and all(
        isinstance(small, (cst.Import, cst.ImportFrom)) for small in statement.body)


def _is_future(statement: cst.CSTNode) -> bool:
    return _is_import_line(statement) and all(
        isinstance(small, cst.ImportFrom) and small.module is not None and _code(small.module) == "__future__"
        for small in statement.body)


def add_imports(module: cst.Module, modules: set[str], aliased: dict[str, str] | None = None,
                style: FixStyle = FixStyle()) -> cst.Module:
    """``import X`` for each X not imported so at the top level (``import X as Y`` for each item
    of ``aliased``). Into the module's leading import block, where the project's import sorter
    (``style``) would put it: in its section, in order; a section it opens goes where the sorter
    puts that section. What was there keeps its order. Without an import block: after the
    docstring and ``from __future__`` imports."""
    present = set()
    for statement in module.body:
        if _is_import_line(statement):
            for small in statement.body:
                if isinstance(small, cst.Import):
                    for alias in small.names:
                        dotted = _code(alias.name)
                        if alias.asname is None:  # `import trio.testing` provides `trio` too
                            present.update((dotted, dotted.partition(".")[0]))
                        else:
                            present.add(f"{dotted} as {_code(alias.asname.name)}")
    wanted = set(modules) | {f"{m} as {a}" for m, a in (aliased or {}).items()}
    missing = sorted(m for m in wanted if m not in present)
    if not missing:
        return module
    body = list(module.body)
    start = 1 if body and _is_docstring(body[0]) else 0
    end = start
    while end < len(body) and _is_import_line(body[end]):
        end += 1
    new = [cst.SimpleStatementLine([cst.Import([_import_alias(m)])]) for m in missing]
    if end > start:
        sorter = ImportSorter(style)
        for line in new:
            sorter.insert(body, start, end, line)
            end += 1
        return module.with_changes(body=body)
    if start > 0:
        new[0] = new[0].with_changes(leading_lines=[cst.EmptyLine()])
    if start < len(body) and not body[start].leading_lines:
        blank = 2 if isinstance(body[start], (cst.FunctionDef, cst.ClassDef)) else 1
        body[start] = body[start].with_changes(leading_lines=[cst.EmptyLine()] * blank)
    body[start:start] = new
    return module.with_changes(body=body)


class ImportSorter:
    """Where the project's import sorter puts an import among those of a block, asked of isort
    itself: its sections (stdlib, third-party, first-party found in the source roots, ...) and
    its order within a section, with the project's options."""

    def __init__(self, style: FixStyle) -> None:
        self.config = _isort_config(style.import_sorting)

    def section(self, statement: cst.SimpleStatementLine) -> str:
        small = statement.body[0]
        if isinstance(small, cst.ImportFrom):
            if small.relative:
                return "LOCALFOLDER"
            name = _code(small.module) if small.module is not None else ""
        else:
            name = _code(small.names[0].name)
        return isort.place_module(name, config=self.config) or self.config.default_section

    def insert(self, body: list, start: int, end: int, line: cst.SimpleStatementLine) -> None:
        """Put ``line`` into the import block ``body[start:end]``."""
        section = self.section(line)
        sections = {i: self.section(body[i]) for i in range(start, end)}
        same = [i for i in range(start, end) if sections[i] == section]
        if same:
            after = self._sorted_after(body, same, line)
            if after is None:  # first of its section: before the first, on the lines that led to it
                first = same[0]
                blank, own = _split_leading(body[first].leading_lines)
                body[first] = body[first].with_changes(leading_lines=self._between(line, body[first], own))
                body.insert(first, line.with_changes(leading_lines=blank))
            else:
                if after + 1 in same:  # the next of the section
                    following = body[after + 1]
                    body[after + 1] = following.with_changes(
                        leading_lines=self._between(line, following, list(following.leading_lines)))
                body.insert(after + 1, line.with_changes(leading_lines=self._between(body[after], line, [])))
            return
        later = next((i for i in range(start, end) if self._rank(sections[i]) > self._rank(section)), None)
        if later is None:  # a section after all the others: at the end of the block
            body.insert(end, line.with_changes(leading_lines=[cst.EmptyLine()]))
            return
        blank, own = _split_leading(body[later].leading_lines)
        body[later] = body[later].with_changes(leading_lines=[cst.EmptyLine(), *own])
        body.insert(later, line.with_changes(leading_lines=blank))

    def _between(self, above: cst.SimpleStatementLine, below: cst.SimpleStatementLine, leading: list) -> list:
        """``below``'s leading lines, with the blank lines the sorter puts between an ``import``
        and a ``from`` import (``lines_between_types``) where ``above`` is of the other kind."""
        kinds = {type(above.body[0]), type(below.body[0])}
        wanted = self.config.lines_between_types if len(kinds) == 2 else 0
        blank, own = _split_leading(leading)
        return [cst.EmptyLine(indent=False)] * max(wanted, len(blank)) + own if wanted else leading

    def _rank(self, section: str) -> int:
        """A section's place in the sorter's order (a section it does not list goes last)."""
        order = self.config.sections
        return order.index(section) if section in order else len(order)

    def _sorted_after(self, body: list, same: list[int], line: cst.SimpleStatementLine) -> int | None:
        """The index of the statement of the section that isort puts right before ``line`` (None:
        ``line`` comes first), judged from one line per statement: its kind and module."""
        keys = {_sort_line(body[i]): i for i in same}  # the last statement of each module
        added = _sort_line(line)
        sorted_lines = isort.code("\n".join([*keys, added]) + "\n", config=self.config).splitlines()
        previous = None
        for text in sorted_lines:
            if text == added:
                return previous
            if text.strip():
                previous = keys.get(text, previous)
        return None


@lru_cache(maxsize=64)
def _isort_config(options: tuple) -> "isort.Config":
    """isort's configuration from the project's options, those isort does not know left out (and
    all but the source roots where isort rejects one)."""
    known = {f.name for f in dataclasses.fields(isort.Config)}
    wanted = {name: value for name, value in options if name in known}
    try:
        return isort.Config(**wanted)
    except (ISortError, TypeError, ValueError):  # a value isort rejects: its own check will say so
        return isort.Config(**{name: value for name, value in wanted.items() if name == "src_paths"})


def _sort_line(statement: cst.SimpleStatementLine) -> str:
    """``import a.b`` / ``from a import b`` for the statement's first import: what places it in
    isort's order (its other names, comments and wrapping do not)."""
    small = statement.body[0]
    if isinstance(small, cst.Import):
        alias = small.names[0]
        suffix = f" as {_code(alias.asname.name)}" if alias.asname else ""
        return f"import {_code(alias.name)}{suffix}"
    module = "." * len(small.relative) + (_code(small.module) if small.module is not None else "")
    first = small.names[0].name if not isinstance(small.names, cst.ImportStar) else None
    return f"from {module} import {_code(first) if first is not None else '*'}"


def _split_leading(lines) -> tuple[list, list]:
    """A statement's leading lines: (those before the comments right above it, those comments).
    A comment block with a blank line after it is the module's, not the statement's: an import
    put before the statement goes after that block, as the sorter puts it."""
    count = len(lines)
    while count and lines[count - 1].comment is not None:
        count -= 1
    return list(lines[:count]), list(lines[count:])


def _import_alias(spec: str) -> cst.ImportAlias:
    """``asyncio`` or ``asyncio as asyncio_`` as an import alias."""
    name, _, alias = spec.partition(" as ")
    return cst.ImportAlias(cst.parse_expression(name), asname=cst.AsName(cst.Name(alias)) if alias else None)


def _used_words(module: cst.Module) -> tuple[set[str], str] | None:
    """The names the module uses (loads, stores, ``global``; not attribute names, not the names
    imports bind) and the text of its strings; None when the module does not parse. Read from
    Python's ast of the generated code: one libcst walk of a large file costs ten times more."""
    try:
        tree = ast.parse(module.code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    names: set[str] = set()
    strings: list[str] = []
    for node in ast.walk(tree):
        kind = type(node)
        if kind is ast.Name:
            names.add(node.id)
        elif kind is ast.Constant and isinstance(node.value, str):
            strings.append(node.value)
        elif kind is ast.Global or kind is ast.Nonlocal:
            names.update(node.names)
    return names, "\n".join(strings)


def remove_unused(module: cst.Module, names: set[str]) -> cst.Module:
    """Drop the import aliases binding ``names`` (at any level) when nothing else in the module
    uses those names. The usage check is module-wide, hence conservative for local imports."""
    if not names:
        return module
    used = _used_words(module)
    if used is None:
        return module
    words, text = used
    unused = {n for n in names if n not in words and not re.search(rf"\b{re.escape(n)}\b", text)}
    if not unused:
        return module
    return module.visit(_Pruner(unused))


class _Pruner(cst.CSTTransformer):
    def __init__(self, unused: set[str]) -> None:
        super().__init__()
        self.unused = unused

    def on_visit(self, node) -> bool:
        # Imports are statements: walk statements and blocks only, never into expressions.
        return not isinstance(node, (cst.SimpleStatementLine, cst.BaseExpression, cst.Decorator,
                                     cst.Parameters, cst.WithItem, cst.BaseSmallStatement))

    def leave_Module(self, original, updated: cst.Module) -> cst.Module:
        body, footer = _prune_body(updated.body, self.unused)
        return updated.with_changes(body=body, footer=[*footer, *updated.footer])

    def leave_IndentedBlock(self, original, updated: cst.IndentedBlock) -> cst.IndentedBlock:
        body, footer = _prune_body(updated.body, self.unused)
        if not body:  # a block cannot be empty
            body = [cst.SimpleStatementLine([cst.Pass()])]
        return updated.with_changes(body=body, footer=[*footer, *updated.footer])


def _prune_body(statements, unused: set[str]) -> tuple[list, list]:
    """(the statements without the unused imports, comment lines to keep after the last one)."""
    result: list = []
    carried: list = []  # blank lines and comments above removed import statements
    at_top = False  # the block's first statement was removed
    for statement in statements:
        if _is_import_line(statement) and not _is_future(statement):
            smalls = [s for s in (_prune(small, unused) for small in statement.body) if s is not None]
            if not smalls:
                carried += statement.leading_lines
                at_top = at_top or not result
                continue
            if smalls != list(statement.body):
                smalls[-1] = smalls[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
                statement = statement.with_changes(body=smalls)
        if carried or at_top:
            # Comments are never lost; blank lines are carried only within an import block
            # (the statement after it has its own), and a block never starts with them.
            keep_blank = _is_import_line(statement) and not at_top
            lines = [line for line in carried if keep_blank or line.comment is not None]
            own = [line for line in statement.leading_lines if not at_top or line.comment is not None]
            statement = statement.with_changes(leading_lines=_joined(lines, own))
            carried, at_top = [], False
        result.append(statement)
    return result, [line for line in carried if line.comment is not None]


def _joined(above: list, below: list) -> list:
    """Leading lines one after the other, where blank lines meet as many as the larger run of
    them (a removed import between two blank lines leaves one, not two)."""
    def blanks(lines) -> int:
        return next((i for i, line in enumerate(lines) if line.comment is not None), len(lines))
    trailing = blanks(above[::-1])
    return [*above, *below[min(trailing, blanks(below)):]]


def _bound_name(alias: cst.ImportAlias, from_import: bool) -> str | None:
    if alias.asname is not None:
        return alias.asname.name.value if isinstance(alias.asname.name, cst.Name) else None
    if from_import:
        return alias.name.value if isinstance(alias.name, cst.Name) else None
    return _code(alias.name).partition(".")[0]


def _prune(small: cst.BaseSmallStatement, unused: set[str]):
    """The import without the aliases that bind an unused name; None when none is left."""
    if isinstance(small, cst.ImportFrom) and isinstance(small.names, cst.ImportStar):
        return small
    if not isinstance(small, (cst.Import, cst.ImportFrom)):
        return small
    aliases = list(small.names)
    kept = [a for a in aliases if _bound_name(a, isinstance(small, cst.ImportFrom)) not in unused]
    if len(kept) == len(aliases):
        return small
    if not kept:
        return None
    if aliases[-1].comma is cst.MaybeSentinel.DEFAULT or isinstance(small, cst.Import):
        kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return small.with_changes(names=kept)
