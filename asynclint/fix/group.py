"""Several thread wraps in one loop, or in a run of statements, made one thread call: the loop or
the statements move into a local function that one ``await asyncio.to_thread(...)`` runs.

``for path in paths: sizes[path] = os.path.getsize(path)`` wrapped call by call hops to a worker
thread and back once per path, in sequence; a reviewer moves the whole scan to one thread call.
The fix is unsafe, as the thread wraps it groups are: every call it moves is one of those wraps.
What else it moves is held to what no other task can see and no thread can break: assignments to
names and to items and attributes of the function's own locals, and ``if``/``try``/``for``
around them. Names the moved code binds and the function uses elsewhere are ``nonlocal`` in the
helper. (Cancelling the task no longer stops the loop between two calls: one more reason the fix
is unsafe.)
"""

from __future__ import annotations

import libcst as cst

from asynclint.fix.edit import Edit, dotted, fresh
from asynclint.fix.fixers import FIXERS, TO_THREAD, FixContext, NameUses
from asynclint.model import Diagnostic

# Statements the moved code may hold (with the assignments and expression statements checked below).
_CONTROL = (cst.For, cst.If, cst.Else, cst.Try, cst.ExceptHandler, cst.Finally, cst.IndentedBlock,
            cst.SimpleStatementLine, cst.Pass, cst.Continue, cst.Break)
# Nodes that make moved code mean something else in a worker thread, or in a function of its own.
_NOT_MOVED = (cst.Await, cst.Yield, cst.Lambda, cst.FunctionDef, cst.ClassDef, cst.Return, cst.Global,
              cst.Nonlocal, cst.With, cst.NamedExpr, cst.BaseComp, cst.Import, cst.ImportFrom, cst.Del)


def plan_groups(ctx: FixContext, diagnostics: list[Diagnostic]) -> list[Edit]:
    """One edit per loop or run of statements whose every call is one of ``diagnostics``' thread
    wraps: a loop with at least one, a run of at least two statements."""
    wraps: dict[cst.Call, Diagnostic] = {}
    for d in diagnostics:
        if d.fix_kind is not None and not d.related:
            node = ctx.tree.locate(d)
            if isinstance(node, cst.Call) and ctx.tree.await_legal(node) and \
                    FIXERS[d.fix_kind].wraps_in_thread(ctx, node, d):
                wraps[node] = d
    edits, taken = [], set()
    for call in wraps:
        if call in taken:
            continue
        region = _loop_of(ctx, call, wraps) or _run_of(ctx, call, wraps)
        if region is None:
            continue
        statements, function = region
        calls = [c for c in wraps if any(_inside(ctx, c, s) for s in statements)]
        edit = _helper_edit(ctx, statements, function, [wraps[c] for c in calls])
        if edit is not None:
            edits.append(edit)
            taken.update(calls)
    return edits


def _inside(ctx: FixContext, node: cst.CSTNode, root: cst.CSTNode) -> bool:
    return any(a is root for a in ctx.tree.ancestors(node))


def _loop_of(ctx: FixContext, call: cst.Call, wraps) -> tuple[list, cst.FunctionDef] | None:
    """The outermost ``for`` around the call, in its function, whose whole code may move."""
    loops = []
    for ancestor in ctx.tree.ancestors(call):
        if isinstance(ancestor, cst.FunctionDef):
            for loop in reversed(loops):
                if _movable(ctx, loop, wraps, ancestor):
                    return [loop], ancestor
            return None
        if isinstance(ancestor, cst.For) and ancestor.asynchronous is None:
            loops.append(ancestor)
    return None


def _run_of(ctx: FixContext, call: cst.Call, wraps) -> tuple[list, cst.FunctionDef] | None:
    """The statements next to the call's own, in its block, that may move with it (two at least)."""
    line = next((a for a in ctx.tree.ancestors(call) if isinstance(a, cst.SimpleStatementLine)), None)
    block = ctx.tree.parent(line) if line is not None else None
    function = next((a for a in ctx.tree.ancestors(call) if isinstance(a, cst.FunctionDef)), None)
    if not isinstance(block, cst.IndentedBlock) or function is None:
        return None
    body = list(block.body)
    index = next(i for i, s in enumerate(body) if s is line)
    ctx.tree.index(block)

    def movable(statement) -> bool:
        return isinstance(statement, cst.SimpleStatementLine) and _movable(ctx, statement, wraps, function) \
            and any(isinstance(n, cst.Call) for n in _nodes(statement))
    if not movable(line):
        return None
    start = end = index
    while start > 0 and movable(body[start - 1]):
        start -= 1
    while end + 1 < len(body) and movable(body[end + 1]):
        end += 1
    return (body[start:end + 1], function) if end > start else None


def _nodes(root: cst.CSTNode):
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(node.children)


def _movable(ctx: FixContext, root: cst.CSTNode, wraps, function: cst.FunctionDef) -> bool:
    """Whether the statement may run in a worker thread as it is: every call a thread wrap, every
    assignment to a name or to a part of one of the function's own locals."""
    ctx.tree.index(root)
    own = _locals(function)
    for node in _nodes(root):
        if isinstance(node, _NOT_MOVED):
            return False
        if isinstance(node, cst.Call) and node not in wraps:
            return False
        if isinstance(node, cst.BaseSmallStatement) and not isinstance(
                node, (cst.Expr, cst.Assign, cst.AugAssign, cst.AnnAssign, cst.Pass, cst.Continue, cst.Break,
                       cst.Raise, cst.Assert)):
            return False
        if isinstance(node, cst.BaseCompoundStatement) and not isinstance(node, _CONTROL):
            return False
        if isinstance(node, cst.Expr) and not isinstance(node.value, cst.Call):
            return False  # a statement that only reads (a docstring, a bare name): not worth moving
        targets = _targets(node)
        if any(not _own_target(t, own) for t in targets):
            return False
    return True


def _targets(node: cst.CSTNode) -> list[cst.BaseExpression]:
    if isinstance(node, cst.AssignTarget):
        return [node.target]
    if isinstance(node, (cst.AugAssign, cst.AnnAssign)):
        return [node.target]
    if isinstance(node, cst.For):
        return [node.target]
    return []


def _own_target(target: cst.BaseExpression, own: set[str]) -> bool:
    """A name, a tuple of them, or an item or attribute of a name the function binds itself."""
    if isinstance(target, cst.Name):
        return True
    if isinstance(target, (cst.Tuple, cst.List)):
        return all(isinstance(e, cst.Element) and _own_target(e.value, own) for e in target.elements)
    if isinstance(target, (cst.Subscript, cst.Attribute)):
        base = target.value
        while isinstance(base, (cst.Subscript, cst.Attribute)):
            base = base.value
        return isinstance(base, cst.Name) and base.value in own
    return False


def _locals(function: cst.FunctionDef) -> set[str]:
    """The names the function's body binds by assignment (not its parameters: the caller's objects)."""
    bound: set[str] = set()
    for node in _nodes(function.body):
        for target in _targets(node):
            bound |= _names_of(target)
    return bound


def _names_of(target: cst.BaseExpression) -> set[str]:
    if isinstance(target, cst.Name):
        return {target.value}
    if isinstance(target, (cst.Tuple, cst.List)):
        return set().union(*(_names_of(e.value) for e in target.elements if isinstance(e, cst.Element)))
    return set()


def _helper_edit(ctx: FixContext, statements: list, function: cst.FunctionDef,
                 found: list[Diagnostic]) -> Edit | None:
    moved = {id(n) for s in statements for n in _nodes(s)}
    bound_here: set[str] = set()
    for statement in statements:
        for node in _nodes(statement):
            for target in _targets(node):
                bound_here |= _names_of(target)
    elsewhere = NameUses(None, skip=moved)
    function.visit(elsewhere)
    bound_elsewhere = _params(function) | {n for n in _locals_outside(function, moved)}
    shared = sorted(bound_here & elsewhere.all_names)
    if any(name not in bound_elsewhere for name in shared):
        return None  # the function reads it after, but only the moved code binds it: nonlocal cannot
    everything = NameUses(None)
    function.visit(everything)
    helper = fresh("run_blocking", everything.all_names)
    module, run = TO_THREAD[ctx.backend]
    *rest, last = statements
    block = ctx.tree.parent(statements[0])
    # First in a function's body, the helper follows its header directly; anywhere else (first
    # in a `with` or `for` block too) the formatters put a blank line before a nested def.
    first_in_function = (isinstance(block, cst.IndentedBlock) and block.body[0] is statements[0]
                         and isinstance(ctx.tree.parent(block), (cst.FunctionDef, cst.ClassDef)))
    edit = Edit(last, found[0], imports={module}, covered=found[1:])
    edit.later_roots = list(rest)
    moved_before: list = []  # the statements before the last, as the edits left them (source order)

    def take(new: cst.BaseStatement):
        moved_before.append(new)
        return cst.RemovalSentinel.REMOVE

    def build(new: cst.BaseStatement):
        body = [cst.SimpleStatementLine([cst.Nonlocal([cst.NameItem(cst.Name(n)) for n in shared])])] if shared else []
        moved_code = [*moved_before, new]
        leading = list(moved_code[0].leading_lines)
        if not first_in_function and (not leading or leading[0].comment is not None):
            # A nested def has a blank line around it, as the formatters write it.
            leading = [cst.EmptyLine(indent=False), *leading]
        body += [moved_code[0].with_changes(leading_lines=[]), *moved_code[1:]]
        definition = cst.FunctionDef(cst.Name(helper), cst.Parameters(), cst.IndentedBlock(body), leading_lines=leading)
        call = cst.Await(cst.Call(dotted(run), args=[cst.Arg(cst.Name(helper))]))
        return cst.FlattenSentinel([definition, cst.SimpleStatementLine([cst.Expr(call)], leading_lines=[cst.EmptyLine(indent=False)])])
    for statement in rest:
        edit.replace(statement, take)
    edit.replace(last, build)
    return edit


def _params(function: cst.FunctionDef) -> set[str]:
    params = function.params
    every = [*params.posonly_params, *params.params, *params.kwonly_params]
    every += [p for p in (params.star_arg, params.star_kwarg) if isinstance(p, cst.Param)]
    return {p.name.value for p in every}


def _locals_outside(function: cst.FunctionDef, moved: set[int]) -> set[str]:
    bound: set[str] = set()
    for node in _nodes(function.body):
        if id(node) not in moved:
            for target in _targets(node):
                bound |= _names_of(target)
    return bound
