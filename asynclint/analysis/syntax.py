"""Walks over syntax alone (no names resolved), shared by the analysis and the rules."""

from __future__ import annotations

import ast
from typing import Iterator

_STATEMENT_HOLDERS = (ast.stmt, ast.excepthandler, ast.match_case)
TRY_STATEMENTS = (ast.Try, ast.TryStar) if hasattr(ast, "TryStar") else (ast.Try,)


def defines_scopes(function: ast.AST) -> bool:
    """Whether a function body holds a nested def or class (at any depth)."""
    return any(isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) for s in all_statements(function))


def all_statements(node: ast.AST):
    """Every statement nested in ``node`` (nested defs and classes included), without visiting
    expressions: assignments are statements, so this finds what ``ast.walk`` would, at a
    fraction of the cost."""
    stack = [node]
    while stack:
        current = stack.pop()
        for name in current._fields:
            value = getattr(current, name, None)
            if type(value) is list:
                for item in reversed(value):
                    if isinstance(item, _STATEMENT_HOLDERS):
                        if isinstance(item, ast.stmt):
                            yield item
                        stack.append(item)


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def walk_local(node: ast.AST) -> Iterator[ast.AST]:
    """``node`` and its descendants, not entering nested functions, lambdas or classes."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(child for child in ast.iter_child_nodes(current) if not isinstance(child, _SCOPES))


def walk_body(statements) -> Iterator[ast.AST]:
    """The nodes of ``statements`` (a body), not entering nested functions, lambdas or classes."""
    for statement in statements:
        if not isinstance(statement, _SCOPES):
            yield from walk_local(statement)
