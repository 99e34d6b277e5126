"""Which calls block the event loop: a fact of the analysis, found once during the walk.

The blocking-call rules (ASL1xx) report these calls; other rules and the resolver read the same
fact (an object made by a reported call is not reported again through its methods; a loop whose
blocking call is reported is not also a CPU loop), so what they find never depends on which
rules run.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from asynclint import catalog
from asynclint.analysis.values import Instance

if TYPE_CHECKING:
    from asynclint.analysis.scopes import Analysis


# The names of the calls that switch an argument to non-blocking mode (a cheap first test).
_SWITCHING = frozenset(key.rpartition(".")[2] for key in catalog.NONBLOCKING_ARGUMENT) | set(
    catalog.NONBLOCKING_ARGUMENT_NAMES)


class BlockingCalls:
    """The catalogued blocking calls of one module, and those of them made on the loop."""

    def __init__(self, analysis: "Analysis") -> None:
        self.analysis = analysis
        self.on_loop: set[int] = set()  # ids of the calls that block the loop (reported by ASL1xx)
        # Those of them whose finding covers the methods of the object they make (catalog.Blocking.covers_methods).
        self.covering: set[int] = set()
        # id of such a call -> the blocking method calls on its object that its finding covers,
        # with their own (key, catalog row): the finding names them and its fix rewrites them.
        self.later: dict[int, list[tuple[ast.Call, str, catalog.Blocking]]] = {}
        # id of such a call -> the function scope it is made in: only the calls there are covered.
        self._made_in: dict[int, object] = {}
        # id of a method call on a reported object -> (id of that object's call, key, row), until
        # the walk reaches it and can tell whether it blocks there.
        self._covered: dict[int, tuple[int, str, catalog.Blocking]] = {}
        # Memos by node id: a chain `a().b().c()` asks about its inner calls more than once.
        self._memo: dict[int, tuple | None] = {}
        self._chain_memo: dict[int, int] = {}
        # No name of a module whose text never says "fork" can be os.fork: its calls then spare
        # the look at every enclosing if (made once here, not per call).
        self._may_fork = analysis.source is None or "fork" in analysis.source

    def visit_call(self, call: ast.Call) -> None:
        """Called by the walk for every call, before any checker sees it."""
        analysis = self.analysis
        func = call.func
        name = func.attr if type(func) is ast.Attribute else getattr(func, "id", None)
        if name in _SWITCHING:
            self._switch_argument(call, name)
        if not analysis.on_loop:
            return
        found = self.row(call)
        if found is None:
            covered = self._covered.pop(id(call), None)
            if covered is not None and self._blocks_here(call, covered[1]):
                self.later.setdefault(covered[0], []).append((call, covered[1], covered[2]))
            return
        if not self._blocks_here(call, found[0]):
            return
        self.on_loop.add(id(call))
        if found[1].covers_methods:
            self.covering.add(id(call))
            self._made_in[id(call)] = analysis.function

    def _blocks_here(self, call: ast.Call, key: str) -> bool:
        """Whether a call that blocks wherever it is made blocks the loop here (the call being visited)."""
        analysis = self.analysis
        if used_asynchronously(analysis.parents, call) or expects_blocking_io_error(analysis, call):
            return False
        if key in catalog.LAZY and not _consumed_here(analysis):
            return False  # a lazy iterator kept for later: iterating it is what blocks
        return not ((self._may_fork and _in_forked_child(analysis)) or (key in catalog.DONE_FUTURE_METHODS and _awaited_done(analysis, call))
                    or (key in catalog.ENDED_WHEN_POLLED and _polled_to_the_end(analysis, call, key)))

    def _switch_argument(self, call: ast.Call, name: str) -> None:
        """``trio.socket.from_stdlib_socket(sock)``, ``await wait_writable(sock)``: from here on
        ``sock`` is known not to block."""
        key = self.analysis.callee_key(call) or ""
        if key.startswith("."):  # `from .. import socket` inside trio itself
            key = next((k for k in catalog.NONBLOCKING_ARGUMENT if k.endswith("." + key.lstrip("."))), key)
        position = catalog.NONBLOCKING_ARGUMENT.get(key, catalog.NONBLOCKING_ARGUMENT_NAMES.get(name))
        if position is not None and position < len(call.args) and isinstance(call.args[position], ast.Name):
            self.analysis.bind(call.args[position].id, None)

    def row(self, call: ast.Call) -> tuple[str, catalog.Blocking] | None:
        """(key, catalog row) when this call blocks, wherever it is made (memoized: chains ask again)."""
        key = id(call)
        if key not in self._memo:
            self._memo[key] = self._find(call)
        return self._memo[key]

    def _find(self, call: ast.Call) -> tuple[str, catalog.Blocking] | None:
        analysis = self.analysis
        key = analysis.callee_key(call)
        if key is None or key in analysis.settings.allow:
            return None
        row = catalog.lookup(key, analysis.extra_blocking)
        if row is None or _is_nonblocking(row, call, analysis.resolve):
            return None
        origin = self._covering_call(call.func)
        if origin:  # a method call on an object whose creation is reported already: one finding, not two
            if origin > 0:
                self._covered[id(call)] = (origin, key, row)
            return None
        return key, row

    def _covering_call(self, func: ast.expr) -> int:
        """The id of the reported call that made the receiver of this method, when its finding covers
        the method (-1 when that call is not known, 0 when there is none)."""
        if not isinstance(func, ast.Attribute):
            return 0
        if isinstance(func.value, ast.Call):  # a chain: the inner call is visited after this one
            inner = func.value
            if id(inner) not in self._chain_memo:
                found = self.row(inner)
                self._chain_memo[id(inner)] = (id(inner) if found is not None and found[1].covers_methods
                                               else self._covering_call(inner.func))
            return self._chain_memo[id(inner)]
        receiver = self.analysis.resolve(func.value)
        if isinstance(receiver, Instance) and receiver.reported:
            if self._made_in.get(receiver.origin, self.analysis.function) is not self.analysis.function:
                return 0  # made in another function (one this one is nested in): this call pays again
            return receiver.origin or -1
        return 0


def blocking_row(analysis, call: ast.Call) -> tuple[str, catalog.Blocking] | None:
    """(qualified name, catalog row) of a call that blocks, wherever it is made.

    Lazy iterators are left out: whether iterating them happens is not known here. So are
    calls in a ``try`` that expects ``BlockingIOError``, as on the loop.
    """
    key = analysis.callee_key(call)
    if key is None or key in analysis.settings.allow or key in catalog.LAZY:
        return None
    row = catalog.lookup(key, analysis.extra_blocking)
    if row is None or _is_nonblocking(row, call, analysis.resolve) or expects_blocking_io_error(analysis, call):
        return None
    return key, row


def used_asynchronously(parents: list, call: ast.Call) -> bool:
    """``await f()``, ``async for x in f()``, ``async with f()``: what the call returned is
    asynchronous, so the object is not the synchronous one the catalog knows (a mistyped
    annotation, say ``client: redis.Redis`` given a ``redis.asyncio.Redis``)."""
    parent = parents[-1] if parents else None
    if isinstance(parent, ast.Await):
        return True
    if isinstance(parent, ast.AsyncFor) and parent.iter is call:
        return True
    if isinstance(parent, ast.withitem):
        parent = parents[-2] if len(parents) > 1 else None
    return isinstance(parent, ast.AsyncWith) and any(item.context_expr is call for item in parent.items)


def _awaited_done(analysis, call: ast.Call) -> bool:
    """``future.add_done_callback(cb)``, ``cb`` sets ``event``, then ``await event.wait()`` before
    ``future.result()``: the future is done by then (anyio's BlockingPortal)."""
    receiver = call.func.value if isinstance(call.func, ast.Attribute) else None
    function = analysis.parents[0] if analysis.parents else None
    if not isinstance(receiver, ast.Name) or not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    nodes = list(ast.walk(function))
    callbacks = {n.args[0].id for n in nodes if _is_method_call(n, receiver.id, "add_done_callback")
                 and n.args and isinstance(n.args[0], ast.Name)}
    events = {n.value.id for d in nodes if isinstance(d, ast.FunctionDef) and d.name in callbacks
              for n in ast.walk(d) if isinstance(n, ast.Attribute) and n.attr == "set" and isinstance(n.value, ast.Name)}
    return any(isinstance(n, ast.Await) and any(_is_method_call(n.value, e, "wait") for e in events)
               and n.lineno < call.lineno for n in nodes)


def _polled_to_the_end(analysis, call: ast.Call, key: str) -> bool:
    """``while t.is_alive(): await sleep(...)`` (left only when the test fails: no ``break``)
    earlier in a block around the call, ``t`` not bound again since: the thread has ended."""
    receiver = call.func.value if isinstance(call.func, ast.Attribute) else None
    if not isinstance(receiver, ast.Name):
        return False
    poll = catalog.ENDED_WHEN_POLLED[key]
    parents = [*analysis.parents, call]
    for index in range(len(parents) - 2, -1, -1):
        parent, child = parents[index], parents[index + 1]
        if isinstance(parent, (ast.Lambda, ast.ClassDef)):
            return False
        for block in _blocks(parent):
            position = next((i for i, statement in enumerate(block) if statement is child), None)
            if position is None:
                continue
            for earlier in reversed(block[:position]):
                if _is_polling_loop(earlier, receiver.id, poll):
                    return True
                if _binds(earlier, receiver.id):
                    return False
        if isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return False
    return False


def _blocks(node: ast.AST):
    """The statement lists of a node (an except handler's body is its own: the walk's parents
    hold the handler between a ``try`` and the statements it runs)."""
    for field in ("body", "orelse", "finalbody"):
        block = getattr(node, field, None)
        if isinstance(block, list):
            yield block


def _is_polling_loop(statement: ast.AST, receiver: str, method: str) -> bool:
    return (isinstance(statement, ast.While) and _is_method_call(statement.test, receiver, method)
            and not any(isinstance(node, ast.Break) for node in _outside_nested_loops(statement.body)))


def _outside_nested_loops(statements):
    """The nodes of these statements, not entering loops or functions (a `break` there is theirs)."""
    pending = list(statements)
    while pending:
        node = pending.pop()
        yield node
        if not isinstance(node, (ast.For, ast.AsyncFor, ast.While, ast.FunctionDef, ast.AsyncFunctionDef,
                                 ast.ClassDef, ast.Lambda)):
            pending.extend(ast.iter_child_nodes(node))
        else:
            pending.extend(getattr(node, "orelse", ()))  # a loop's else belongs to the outer loop


def _binds(statement: ast.AST, name: str) -> bool:
    return any(isinstance(node, ast.Name) and node.id == name and not isinstance(node.ctx, ast.Load)
               for node in ast.walk(statement))


def _is_method_call(node: ast.AST, receiver: str, method: str) -> bool:
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == method
            and isinstance(node.func.value, ast.Name) and node.func.value.id == receiver)


def _in_forked_child(analysis) -> bool:
    """Inside ``if pid == 0:`` (or ``if not pid:``, or the ``else`` of ``if pid:``) where ``pid``
    comes from ``os.fork()``: the code runs in the child process."""
    parents = analysis.parents
    for parent, child in zip(parents, parents[1:]):
        if not isinstance(parent, ast.If):
            continue
        # Which branch holds the code: the one where `test` is true, then where the pid is not 0.
        test, pid_nonzero = parent.test, any(child is s for s in parent.body)
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            test, pid_nonzero = test.operand, not pid_nonzero
        elif (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], (ast.Eq, ast.NotEq))
                and isinstance(test.comparators[0], ast.Constant) and test.comparators[0].value == 0):
            test, pid_nonzero = test.left, pid_nonzero == isinstance(test.ops[0], ast.NotEq)
        elif not isinstance(test, (ast.Name, ast.Call)):
            continue
        if not pid_nonzero and getattr(analysis.resolve(test), "type", None) == "os.fork_pid":
            return True
    return False


def expects_blocking_io_error(analysis, node: ast.AST) -> bool:
    """Code in a ``try`` that catches ``BlockingIOError`` works on a non-blocking object."""
    for guard in analysis.guards(node):
        for caught in guard.catches:
            for name in caught.elts if isinstance(caught, ast.Tuple) else [caught]:
                if name is not None and getattr(analysis.resolve(name), "name", None) in catalog.NONBLOCKING_ERRORS:
                    return True
    return False


# Where a lazy iterator is consumed at once: iterated, unpacked, or passed to list(), sorted()...
# (not to a call that hands it to a worker thread: see catalog.OFFLOAD).
_ITERATE_NOW = (ast.For, ast.ListComp, ast.SetComp, ast.DictComp, ast.YieldFrom)


def _consumed_here(analysis) -> bool:
    parents = analysis.parents
    for index in range(len(parents) - 1, -1, -1):
        node = parents[index]
        if isinstance(node, (ast.IfExp, ast.BoolOp, ast.keyword)):
            continue
        if isinstance(node, ast.Starred):  # `[*it]` unpacks now; `f(*it)` as the call does
            outer = parents[index - 1] if index else None
            return not (isinstance(outer, ast.Call) and _offloads(analysis, outer))
        if isinstance(node, ast.Call):
            return not _offloads(analysis, node)
        return isinstance(node, _ITERATE_NOW)
    return False


def _offloads(analysis, call: ast.Call) -> bool:
    """Whether ``call`` hands its arguments to a worker thread (``asyncio.to_thread``...)."""
    key = analysis.callee_key(call)
    if key is not None:
        return key in catalog.OFFLOAD or key in analysis.settings.thread_runners
    return isinstance(call.func, ast.Attribute) and call.func.attr in catalog.OFFLOAD_METHODS


def _is_nonblocking(row: catalog.Blocking, call: ast.Call, resolve) -> bool:
    return any(condition.holds(call, resolve) for condition in row.nonblocking)
