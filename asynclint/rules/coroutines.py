"""ASL201-ASL204, ASL502: coroutines created and lost, tasks left dangling, the wrong loop getter.

What is known about library coroutines, task spawners and the calls that merely look at a
value is data (the catalog's async-library tables); the checker only asks "is this call a
coroutine call?" and "where does its value go?".
"""

from __future__ import annotations

import ast

from asynclint.analysis import Ref
from asynclint.analysis.coroutines import CoroutineCalls
from asynclint.catalog import (
    ENTERED_DIRECTLY, EXPECTING_MANAGERS, EXPECTING_METHODS, LOGGING_METHODS, LOOP_GETTERS,
    NON_CONSUMERS, TASK_SPAWNERS, USE_INSTEAD,
)
from asynclint.model import FixKind, PerBackend
from asynclint.rules import ASYNC_DEF, Checker, Rule, checker, rule, source_text

RUN = PerBackend("`asyncio.run()`", "`trio.run()`", "`anyio.run()`")
TASK_GROUP = PerBackend("an `asyncio.TaskGroup`", "a nursery", "an anyio task group")
AWAIT_ALL = PerBackend("`await asyncio.gather(*{})`", "a nursery", "a task group")  # {}: the list's name


# -- helpers ------------------------------------------------------------------------------------

def call_text(call: ast.Call) -> str:
    return f"`{source_text(call.func)}()`"


def value_elements_are_coroutines(calls: CoroutineCalls, value: ast.ListComp | ast.List) -> bool:
    """``[fetch(u) for u in urls]`` or ``[fetch(a), fetch(b)]``: a list made only of coroutines."""
    if isinstance(value, ast.ListComp):
        return calls.is_coroutine_call(value.elt)
    return bool(value.elts) and all(calls.is_coroutine_call(e) for e in value.elts)


# -- the checker ----------------------------------------------------------------------------------

@checker
class CoroutineChecker(Checker):
    codes = ("ASL201", "ASL202", "ASL203", "ASL204", "ASL502")
    # An async def of this module, or a library whose coroutine functions are catalogued (plain
    # words: a substring test is many times faster than a pattern with alternatives).
    triggers = (ASYNC_DEF, "asyncio", "trio", "anyio", "aiofiles")
    reads_uses = True  # ASL202: is a name bound to a coroutine used at all?

    def __init__(self, analysis) -> None:
        super().__init__(analysis)
        self.calls = analysis.coroutines
        # function scope -> [(name, assignment, call)] for ASL202
        self.bound: dict[int, list[tuple[str, ast.AST, ast.expr, bool]]] = {}
        self.tested: set[int] = set()  # and/or/not nodes whose operands were checked as conditions
        self.finished: list = []  # (function scope with bound coroutines, its scope chain)

    # ASL201, ASL203: a value dropped by an expression statement.
    def visit_Expr(self, node: ast.Expr) -> None:
        value = node.value
        whole_statement = True
        if isinstance(value, (ast.ListComp, ast.SetComp)):
            value = value.elt  # `[fetch(u) for u in urls]` as a statement: every coroutine is lost
            whole_statement = False
        elif isinstance(value, (ast.List, ast.Tuple, ast.Set)):
            for element in value.elts:  # `[asyncio.create_task(job())]` as a statement
                self._dropped_task(element)
            return
        if not isinstance(value, ast.Call):
            return
        analysis = self.analysis
        if self.calls.is_coroutine_call(value) and not self._expecting_error(value):
            backend = analysis.backend
            if analysis.on_loop:
                fix = USE_INSTEAD.get(analysis.callee_key(value) or "", f"use `await {source_text(value)}`")
                message = f"{call_text(value)} makes a coroutine that is never awaited, so it never runs; {fix}"
            else:
                message = (f"{call_text(value)} makes a coroutine that is dropped in sync code, so it never runs; "
                           f"await it in an async function or run it with {RUN.for_backend(backend)}")
            # The fix inserts `await`, which only a coroutine's own body allows.
            self.report(value, "ASL201", message, fix="unsafe" if analysis.on_loop and whole_statement else None)
            return
        self._dropped_task(value)

    def _dropped_task(self, value: ast.expr) -> None:
        """ASL203: a task made and thrown away (a statement, a truth test, a context manager)."""
        analysis = self.analysis
        if isinstance(value, ast.Call) and analysis.callee_key(value) in TASK_SPAWNERS:
            self.report(value, "ASL203", (
                f"the task made by {call_text(value)} is dropped and may be garbage-collected before it "
                f"finishes; keep a reference (a set of tasks) or use {TASK_GROUP.for_backend(analysis.backend)}"))

    def visit_With(self, node: ast.With) -> None:
        for item in node.items:
            self._dropped_task(item.context_expr)  # `with create_task(...)`: not a context manager

    def visit_AsyncWith(self, node: ast.AsyncWith) -> None:
        """`async with fetch():` on a coroutine raises TypeError: a coroutine is no context manager."""
        self.visit_With(node)
        for item in node.items:
            value = item.context_expr
            if self.calls.is_coroutine_call(value) and self.analysis.callee_key(value) not in ENTERED_DIRECTLY:
                fix = USE_INSTEAD.get(self.analysis.callee_key(value) or "", f"use `async with await {source_text(value)}`")
                self.report(value, "ASL201", (
                    f"{call_text(value)} makes a coroutine, which `async with` cannot enter (TypeError); {fix}"),
                    fix=None)

    def _expecting_error(self, node: ast.AST) -> bool:
        """In a `with pytest.raises(...)` (or the like): the call is expected to fail at once."""
        for guard in self.analysis.guards(node):
            manager = guard.manager
            if isinstance(manager, ast.Call) and (
                    (isinstance(manager.func, ast.Attribute) and manager.func.attr in EXPECTING_METHODS)
                    or self.analysis.callee_key(manager) in EXPECTING_MANAGERS):
                return True
        return False

    # ASL202: a coroutine bound to a name.
    def visit_Assign(self, node: ast.Assign) -> None:
        if len(node.targets) == 1:
            self._bound(node.targets[0], node, node.value)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self._bound(node.target, node, node.value)

    def _bound(self, target: ast.expr, node: ast.AST, value: ast.expr) -> None:
        if not isinstance(target, ast.Name) or self.analysis.scope.kind != "function":
            return
        if self.calls.is_coroutine_call(value) or (
                isinstance(value, (ast.ListComp, ast.List)) and value_elements_are_coroutines(self.calls, value)):
            self.bound.setdefault(id(self.analysis.scope), []).append(
                (target.id, node, value, self.analysis.on_loop))

    def leave_function(self, scope) -> None:
        if id(scope) in self.bound:  # judged at the end: functions nested in it may use the names
            self.finished.append((scope, list(self.analysis.scopes)))

    def finish(self) -> None:
        for scope, chain in self.finished:
            with self.analysis.values.within(chain):
                self._report_unused(scope, self.bound.pop(id(scope)))

    def _report_unused(self, scope, bound) -> None:
        for name, node, call, on_loop in bound:
            if name in scope.declared or not all(self._merely_inspected(*use) for use in scope.uses.get(name, ())):
                continue
            text = source_text(call)
            if not isinstance(call, ast.Call):
                gather = AWAIT_ALL.for_backend(self.analysis.backend).format(name)
                self.report(node, "ASL202", (
                    f"the coroutines in `{name} = {text}` are never awaited, returned or passed on, so they "
                    f"never run; await them, for instance with {gather}"))
                continue
            fix = (f"use `{name} = await {text}`" if on_loop else
                   f"await it in an async function or run it with {RUN.for_backend(self.analysis.backend)}")
            self.report(node, "ASL202", (
                f"the coroutine `{name} = {text}` is never awaited, returned or passed on, so it never runs; {fix}"))

    def _merely_inspected(self, node: ast.Name, parent: ast.AST | None) -> bool:
        """Whether the name read in ``parent`` is only looked at: printed, logged, compared or
        tested for truth (anything else may run or hand on the value)."""
        if isinstance(parent, (ast.Compare, ast.FormattedValue, ast.Expr)):
            return True
        if isinstance(parent, ast.UnaryOp) and isinstance(parent.op, ast.Not):
            return True
        if isinstance(parent, (ast.If, ast.While, ast.IfExp, ast.Assert)) and parent.test is node:
            return True
        if isinstance(parent, ast.Call) and parent.func is not node:
            func = parent.func
            if isinstance(func, ast.Attribute) and func.attr in LOGGING_METHODS:
                return True
            callee = self.analysis.resolve(func)
            return isinstance(callee, Ref) and callee.name in NON_CONSUMERS
        return False

    # ASL204: a coroutine used as a truth value.
    def visit_If(self, node) -> None:
        self._truth(node.test)

    visit_While = visit_IfExp = visit_Assert = visit_If

    def visit_ListComp(self, node) -> None:
        for generator in node.generators:
            for condition in generator.ifs:
                self._truth(condition)

    visit_SetComp = visit_DictComp = visit_GeneratorExp = visit_ListComp

    def visit_UnaryOp(self, node: ast.UnaryOp) -> None:
        if isinstance(node.op, ast.Not) and id(node) not in self.tested:
            self._truth(node)

    def visit_BoolOp(self, node: ast.BoolOp) -> None:
        if id(node) not in self.tested:
            for value in node.values[:-1]:  # outside a test, the last operand's truth is not tested
                self._truth(value)

    def _truth(self, test: ast.expr) -> None:
        if isinstance(test, ast.BoolOp):
            self.tested.add(id(test))
            for value in test.values:
                self._truth(value)
        elif isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            self.tested.add(id(test))
            self._truth(test.operand)
        elif not self.calls.is_coroutine_call(test):
            self._dropped_task(test)
        else:
            self.report(test, "ASL204", (
                f"{call_text(test)} makes a coroutine, which is always true as a condition, and never runs; "
                f"use `await {source_text(test)}`"))

    # ASL502: asyncio.get_event_loop() in a coroutine.
    def visit_Call(self, node: ast.Call) -> None:
        if not self.analysis.on_loop:
            return
        key = self.analysis.callee_key(node)
        # `get_event_loop as get_running_loop` is a fallback for old Pythons: the intent is right.
        spelled = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if key in LOOP_GETTERS and spelled != LOOP_GETTERS[key].rpartition(".")[2]:
            self.report(node, "ASL502", (
                f"{call_text(node)} in a coroutine: use `{LOOP_GETTERS[key]}()`, which always returns "
                f"the loop running this code"))


# -- the rules ------------------------------------------------------------------------------------

@rule
class ASL201(Rule):
    """
    ## What it does
    Flags a call to a coroutine function whose result is thrown away: an `async def` defined in
    the same file (module functions, nested functions, `self.`/`cls.` methods, static and class
    methods) or a known library coroutine function (`asyncio.sleep`, `asyncio.wait_for`,
    `asyncio.open_connection`, `trio.sleep`, `anyio.sleep`, `aiofiles.open` outside
    `async with`, ...; the library tables are generated from asyncio, trio and anyio). It is
    flagged in sync functions too, where the coroutine can never run, and where `async with`
    is given a coroutine (`async with trio.open_file(p)`), which raises TypeError.

    A coroutine that is awaited, returned, yielded, passed to a call (`asyncio.gather`,
    `create_task`, a task group, a nursery, `asyncio.run`, ...) or stored is not flagged.
    Async generators and `async def`s with decorators that may change what they return are
    not judged, nor calls inside `pytest.raises`/`pytest.warns`/`assertRaises` blocks (tests of
    a signature, or of the "never awaited" warning itself).

    ## Why is this bad?
    Calling a coroutine function only creates a coroutine object: none of its body runs until
    it is awaited or scheduled. A dropped coroutine is a silent no-op, and Python only warns
    "coroutine ... was never awaited" when it is garbage-collected, far from the cause.

    ## Fix safety
    Inside an async function the fix inserts the missing `await` (parenthesised where needed).
    It is unsafe: the call now runs, and its errors and time now belong to the caller; maybe
    the intent was to schedule it as a task instead. In sync code there is no fix.
    """

    code = "ASL201"
    needs_project = True
    name = "coroutine-not-awaited"
    summary = "a coroutine call whose result is discarded, so it never runs"
    fix_applicability = "unsafe"
    fix_kind = FixKind.AWAIT
    bad = """\
import asyncio

async def save(item): ...

async def handler(item):
    save(item)  # error: ASL201
    asyncio.sleep(1)  # error: ASL201
"""
    good = """\
import asyncio

async def save(item): ...

async def handler(item):
    await save(item)
    await asyncio.sleep(1)
"""
    fixed = """\
import asyncio

async def save(item): ...

async def handler(item):
    await save(item)
    await asyncio.sleep(1)
"""


@rule
class ASL202(Rule):
    """
    ## What it does
    Flags a coroutine bound to a name (`x = fetch()`) when nothing in the function awaits it,
    returns it, yields it or passes it to a call. Printing it, logging it, comparing it or
    testing its truth does not count as using it.

    ## Why is this bad?
    The coroutine never runs: the assignment looks like the result of `fetch()` but is only an
    unstarted coroutine object, and the code that reads it sees the wrong value.
    """

    code = "ASL202"
    needs_project = True
    name = "coroutine-bound-not-awaited"
    summary = "a coroutine bound to a name that is never awaited, returned or passed on"
    bad = """\
async def fetch(url): ...

async def show(url):
    page = fetch(url)  # error: ASL202
    print(page)
"""
    good = """\
async def fetch(url): ...

async def show(url):
    page = await fetch(url)
    print(page)
"""


@rule
class ASL203(Rule):
    """
    ## What it does
    Flags `asyncio.create_task()`, `asyncio.ensure_future()` and `loop.create_task()` used as a
    statement, with the task they return dropped.

    ## Why is this bad?
    The event loop keeps only a weak reference to a task. A task that nobody else references
    can be garbage-collected in the middle of its work, and any exception it raises is lost.
    Keep the task (in a set that discards it when done, or await it later), or start it in a
    `TaskGroup`, which owns its tasks.
    """

    code = "ASL203"
    needs_project = True
    name = "dangling-task"
    summary = "a task created and dropped, which may be garbage-collected mid-run"
    bad = """\
import asyncio

async def job(): ...

async def main():
    asyncio.create_task(job())  # error: ASL203
"""
    good = """\
import asyncio

async def job(): ...

async def main():
    async with asyncio.TaskGroup() as tg:
        tg.create_task(job())
"""


@rule
class ASL204(Rule):
    """
    ## What it does
    Flags a call to a coroutine function used as a condition: in `if`, `while`, `assert`, a
    conditional expression, a comprehension's `if`, or an operand of `and`/`or`/`not`.

    ## Why is this bad?
    A coroutine object is always true. The test never depends on what the function would
    return, and the coroutine itself never runs.
    """

    code = "ASL204"
    needs_project = True
    name = "coroutine-as-condition"
    summary = "a coroutine used as a truth value, which is always true"
    bad = """\
async def is_ready(): ...

async def wait_ready():
    if is_ready():  # error: ASL204
        return
"""
    good = """\
async def is_ready(): ...

async def wait_ready():
    if await is_ready():
        return
"""


@rule
class ASL502(Rule):
    """
    ## What it does
    Flags `asyncio.get_event_loop()` called inside a coroutine.

    ## Why is this bad?
    Inside a coroutine a loop is running, and `asyncio.get_running_loop()` returns it without
    any guesswork. `get_event_loop()` goes through the event loop policy, is deprecated for
    uses outside a running loop, and hides the difference between "the loop running this
    code" and "some loop, maybe a new one".

    ## Fix safety
    The fix replaces the call with `asyncio.get_running_loop()`. It is safe: in a coroutine both
    return the running loop.
    """

    code = "ASL502"
    on_loop = True
    name = "get-event-loop-in-coroutine"
    summary = "`asyncio.get_event_loop()` inside a coroutine"
    fix_applicability = "safe"
    fix_kind = FixKind.RUNNING_LOOP
    enabled_by_default = False  # a modernisation, not a bug: opt in
    bad = """\
import asyncio

async def offload(work):
    loop = asyncio.get_event_loop()  # error: ASL502
    return await loop.run_in_executor(None, work)
"""
    good = """\
import asyncio

async def offload(work):
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, work)
"""
    fixed = """\
import asyncio

async def offload(work):
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, work)
"""
