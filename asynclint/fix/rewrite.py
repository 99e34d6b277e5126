"""One fix pass: plan each finding's edit (its fixer, ``fixers.FIXERS``), keep those that do not
overlap, apply them.

Each edit has a root node (a call, a ``with`` statement or a statement line) and replaces nodes
by identity. Edits whose roots overlap are left to the next pass of the loop.
"""

from __future__ import annotations

import ast
from dataclasses import replace
from typing import Callable

import libcst as cst

from asynclint.fix.edit import Edit, bare_await, fresh, parenthesized, spelled_with
from asynclint.fix.fixers import FIXERS, FixContext
from asynclint.fix.group import plan_groups
from asynclint.fix.imports import add_imports, remove_unused
from asynclint.fix.layout import fit_lines
from asynclint.fix.tree import Tree
from asynclint.model import Diagnostic, FixStyle


def plan(ctx: FixContext, diagnostic: Diagnostic) -> Edit | None:
    """The edit of a finding, joined by those of the later calls it covers (``f.read()`` after
    ``f = open(p)``): all of them or none, so that no fix leaves half of them on the loop."""
    edit = _plan_call(ctx, diagnostic)
    for later in diagnostic.related if edit is not None else ():
        found = replace(diagnostic, line=later.line, col=later.col, end_line=later.end_line, end_col=later.end_col,
                        fix_kind=later.fix_kind, target=later.target, related=())
        node = ctx.tree.locate(found)
        if node is not None and id(node) in edit.builders:
            continue  # the finding's own rewrite awaits it (`async with aiofiles.open(p) as f`)
        part = _plan_call(ctx, found)
        if part is None:
            return None
        edit.join(part)
    return edit


def _plan_call(ctx: FixContext, diagnostic: Diagnostic) -> Edit | None:
    node = ctx.tree.locate(diagnostic)
    if node is None or not ctx.tree.await_legal(node) or diagnostic.fix_kind is None:
        return None
    return FIXERS[diagnostic.fix_kind](ctx, node, diagnostic)


class _Apply(cst.CSTTransformer):
    """Applies the builders by node identity, then parenthesizes an ``await`` where it would
    otherwise bind wrongly: as the object of an attribute, subscript or call, or under another await."""

    def __init__(self, builders: dict[int, Callable], ancestors: set[int]) -> None:
        super().__init__()
        self.builders = builders
        self.ancestors = ancestors  # only these nodes' children can hold a replacement

    def on_visit(self, node) -> bool:
        return id(node) in self.ancestors

    def on_leave(self, original, updated):
        build = self.builders.get(id(original))
        if build is not None:
            updated = build(updated)
        if isinstance(updated, (cst.Attribute, cst.Subscript)) and bare_await(updated.value):
            updated = updated.with_changes(value=parenthesized(updated.value))
        elif isinstance(updated, cst.Call) and bare_await(updated.func):
            updated = updated.with_changes(func=parenthesized(updated.func))
        elif isinstance(updated, cst.Await) and bare_await(updated.expression):
            updated = updated.with_changes(expression=parenthesized(updated.expression))
        return updated


def apply_pass(source: str, diagnostics: list[Diagnostic], backend: str, libraries: frozenset[str] = frozenset(),
               style: FixStyle = FixStyle()) -> tuple[str, list[Diagnostic]]:
    """Rewrite what can be rewritten of ``diagnostics`` in one pass: (new source, findings fixed).
    ``libraries``: the third-party async libraries (aiofiles, httpx) a rewrite may use; ``style``:
    the project's formatting, which the rewritten code keeps to."""
    tree = Tree(cst.parse_module(source))
    ctx = FixContext(tree, backend, libraries)
    chosen: list[Edit] = []
    roots: set[int] = set()
    covered: set[int] = set()  # roots and their ancestors
    groups = plan_groups(ctx, diagnostics)
    grouped = {d for edit in groups for d in edit.fixed}
    for edit in [*groups, *(plan(ctx, d) for d in diagnostics if d not in grouped)]:
        if edit is None:
            continue
        own = {id(root) for root in edit.roots}
        lineage = {id(a) for root in edit.roots for a in tree.ancestors(root)}
        if own & covered or lineage & roots:
            continue  # overlaps an edit already planned: the next pass will see it again
        chosen.append(edit)
        roots |= own
        covered |= lineage | own
    if not chosen:
        return source, []
    aliases = _aliases(source, set().union(*(e.imports for e in chosen)))
    with spelled_with(aliases):
        code = _apply(tree, chosen, aliases, style)
        if not _parses(code):  # one bad edit drops only itself: keep those that parse on their own
            chosen = [edit for edit in chosen if _parses(_apply(tree, [edit], aliases, style))]
            code = _apply(tree, chosen, aliases, style) if chosen else source
    return fit_lines(source, code, style, tree.module.default_indent), [d for e in chosen for d in e.fixed]


def _aliases(source: str, modules: set[str]) -> dict[str, str]:
    """``{"asyncio": "asyncio_"}`` for each module to import whose first name the file binds to
    something else (a parameter, a variable, a function, ``import x as asyncio``)."""
    tree = ast.parse(source)
    taken: set[str] = set()
    rebound: set[str] = set()
    imported_as: dict[str, str] = {}  # `import asyncio as asyncio_` (at the top level): reused
    for node in tree.body:
        if isinstance(node, ast.Import):
            imported_as.update((alias.name, alias.asname) for alias in node.names if alias.asname)
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            taken.add(node.id)
            if not isinstance(node.ctx, ast.Load):
                rebound.add(node.id)
        elif isinstance(node, ast.arg):
            rebound.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            rebound.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                bound = alias.asname or alias.name.partition(".")[0]
                if isinstance(node, ast.ImportFrom) or bound != alias.name.partition(".")[0]:
                    rebound.add(bound)
    taken |= rebound
    aliases = {}
    for module in sorted(modules):
        if module.partition(".")[0] in rebound:
            aliases[module] = imported_as.get(module) or fresh(module.replace(".", "_") + "_", taken)
            taken.add(aliases[module])
    return aliases


def _apply(tree: Tree, edits: list[Edit], aliases: dict[str, str], style: FixStyle) -> str:
    builders: dict[int, Callable] = {}
    ancestors: set[int] = set()
    for edit in edits:
        builders.update(edit.builders)
        for target in edit.targets:
            ancestors.update(id(a) for a in tree.ancestors(target))
    module = tree.module.visit(_Apply(builders, ancestors))
    imports = set().union(*(e.imports for e in edits))
    module = add_imports(module, {m for m in imports if m not in aliases},
                         {m: aliases[m] for m in imports if m in aliases}, style)
    module = remove_unused(module, set().union(*(e.unused for e in edits)))
    return module.code


def _parses(code: str) -> bool:
    try:
        compile(code, "<fix>", "exec", dont_inherit=True, flags=ast.PyCF_ONLY_AST)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True
