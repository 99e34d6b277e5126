"""Walks over syntax alone (no names resolved), shared by the analysis and the rules."""

from __future__ import annotations

import ast

_STATEMENT_HOLDERS = (ast.stmt, ast.excepthandler, ast.match_case)


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

