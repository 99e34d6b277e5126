"""Imports: add those a fix needs to the module's import block, drop those it left unused.

libcst's AddImportsVisitor/RemoveImportsVisitor do this too, but each runs a full scope
analysis: about 0.5 s per call on a 50-line file, several times per pass. These two
functions need only a look at the statements and one ast walk for names, and they are
conservative: an import is removed only when its name appears nowhere else in the module
(not as a name anywhere, in any scope, nor as a word in a string such as an ``__all__``
entry or a string annotation).
"""

from __future__ import annotations

import ast
import re

import libcst as cst

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


def add_imports(module: cst.Module, modules: set[str], aliased: dict[str, str] | None = None) -> cst.Module:
    """``import X`` for each X not imported so at the top level (``import X as Y`` for each item
    of ``aliased``), placed after the module's leading import block (after the docstring and
    ``from __future__`` imports in any case)."""
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
    index = 1 if body and _is_docstring(body[0]) else 0
    after_import = False
    while index < len(body) and _is_import_line(body[index]):
        index += 1
        after_import = True
    new = [cst.SimpleStatementLine([cst.Import([_import_alias(m)])]) for m in missing]
    if not after_import and index > 0:
        new[0] = new[0].with_changes(leading_lines=[cst.EmptyLine()])
    if not after_import and index < len(body) and not body[index].leading_lines:
        blank = 2 if isinstance(body[index], (cst.FunctionDef, cst.ClassDef)) else 1
        body[index] = body[index].with_changes(leading_lines=[cst.EmptyLine()] * blank)
    body[index:index] = new
    return module.with_changes(body=body)


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
            statement = statement.with_changes(leading_lines=[*lines, *own])
            carried, at_top = [], False
        result.append(statement)
    return result, [line for line in carried if line.comment is not None]


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
