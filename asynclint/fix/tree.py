"""A libcst tree as the fixers see it: each finding's node found by its range, and the parents of
the nodes a rewrite looks at, linked on demand.

A finding is located by its exact range (the analysis reports a call's whole ``ast.Call``;
libcst's PositionProvider gives the same range in characters, parentheses excluded).
"""

from __future__ import annotations

import bisect
from typing import Iterable

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from asynclint.model import Diagnostic


class Tree:
    """One module's libcst tree with positions, and parent links made only where needed."""

    def __init__(self, module: cst.Module) -> None:
        self.wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        self.module = self.wrapper.module
        self.positions = self.wrapper.resolve(PositionProvider)
        # Parent links, made only where needed: along the path from the module to each located
        # node, and inside the subtrees a rewrite looks into. (ParentNodeProvider would link
        # every node of the file, at about twice the cost of the positions themselves.)
        self.parents: dict[cst.CSTNode, cst.CSTNode] = {}
        self._child_cache: dict[int, tuple[list, list]] = {}
        self.by_range: dict[tuple, list[cst.CSTNode]] = {}
        for node, where in self.positions.items():
            if isinstance(node, cst.BaseExpression):
                self.by_range.setdefault(span(where), []).append(node)

    def locate(self, d: Diagnostic) -> cst.BaseExpression | None:
        nodes = self.by_range.get((d.line, d.col - 1, d.end_line, d.end_col - 1), [])
        calls = [n for n in nodes if isinstance(n, cst.Call)]
        node = (calls or nodes or [None])[0]
        return node if node is not None and self._link_path(node) else None

    def _link_path(self, target: cst.CSTNode) -> bool:
        """Link the parents from the module down to ``target``, descending into the child whose
        range holds the target's range."""
        if target in self.parents:
            return True
        wanted = span(self.positions[target])
        node = self.module
        while node is not target:
            children, starts = self._children(node)
            # From the last child starting at or before the target (bisect) backwards: children
            # are in source order and overlap only where one is empty (whitespace, say).
            index = bisect.bisect_right(starts, wanted[:2]) - 1
            while index >= 0:
                where = span(self.positions[children[index]])
                if where[:2] <= wanted[:2] and wanted[2:] <= where[2:]:
                    break
                if where[:2] != where[2:] and where[2:] <= wanted[:2]:
                    index = -1  # ends before the target starts: so do all before it
                    break
                index -= 1
            if index < 0:
                return False
            child = children[index]
            self.parents[child] = node
            node = child
        return True

    def _children(self, node: cst.CSTNode) -> tuple[list, list]:
        """A node's children that have a position, in source order, with their start positions."""
        found = self._child_cache.get(id(node))
        if found is None:
            children = [c for c in node.children if c in self.positions]
            found = (children, [span(self.positions[c])[:2] for c in children])
            self._child_cache[id(node)] = found
        return found

    def index(self, root: cst.CSTNode) -> None:
        """Link the parents of every node under ``root`` (whose own parent is linked already)."""
        stack = [root]
        while stack:
            node = stack.pop()
            for child in node.children:
                self.parents[child] = node
                stack.append(child)

    def parent(self, node: cst.CSTNode) -> cst.CSTNode | None:
        return self.parents.get(node)

    def ancestors(self, node: cst.CSTNode) -> Iterable[cst.CSTNode]:
        node = self.parent(node)
        while node is not None:
            yield node
            node = self.parent(node)

    def await_legal(self, node: cst.CSTNode) -> bool:
        """Whether ``await`` (and ``async for``/``async with``) may stand here without changing
        what the code means: directly in an async def, list/set/dict comprehensions allowed;
        not in a lambda, a class body, a sync generator expression, or a nested def's
        parameters, annotations or decorators (which run in the enclosing scope)."""
        for ancestor in self.ancestors(node):
            if isinstance(ancestor, cst.FunctionDef):
                return ancestor.asynchronous is not None
            if isinstance(ancestor, (cst.Lambda, cst.ClassDef, cst.GeneratorExp, cst.Module,
                                     cst.Parameters, cst.Decorator, cst.Annotation)):
                return False
        return False


def span(where: CodeRange) -> tuple[int, int, int, int]:
    return (where.start.line, where.start.column, where.end.line, where.end.column)
