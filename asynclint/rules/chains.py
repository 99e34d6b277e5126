"""ASL401: a blocking call reached through the project's own sync functions.

The same walk that runs the per-file rules writes the module's summary (callgraph.py); at
the end of the walk, each call that an async function makes on the loop to a sync
function of the project is looked up in the call graph.
"""

from __future__ import annotations

import ast
import os

from asynclint.analysis import ClassInfo, ClassRef, FuncDef, Instance, Ref
from asynclint import catalog
from asynclint.analysis.blocking import blocking_row, used_asynchronously
from asynclint.callgraph import TOUCHES_LOOP, FunctionSummary, ModuleSummary, Step
from asynclint.model import FixKind
from asynclint.rules import Checker, Rule, checker, rule, source_text
from asynclint.rules.coroutines import CoroutineCalls


@checker
class ProjectCallChecker(Checker):
    codes = ("ASL401",)

    def __init__(self, analysis) -> None:
        super().__init__(analysis)
        self.functions: dict[str, FunctionSummary] = {}
        # On-loop calls from async functions, and whether what they return is awaited.
        self.sites: list[tuple[ast.Call, str, bool]] = []
        self.classes: dict[str, list[str]] = {}
        self.coroutines = CoroutineCalls(analysis)

    def _summary_of(self, scope) -> FunctionSummary | None:
        func = scope.func if scope is not None else None
        if func is None:  # module level or a lambda: not a call target by name
            return None
        summary = self.functions.get(func.qualname)
        if summary is None:
            summary = self.functions[func.qualname] = FunctionSummary(func.is_async, func.node.lineno)
        return summary

    def visit_Call(self, call: ast.Call) -> None:
        analysis = self.analysis
        if analysis.project is None:
            return
        summary = self._summary_of(analysis.function)
        if summary is None:
            return
        if summary.hazard is None:
            summary.hazard = self._hazard(call)
        blocking = blocking_row(analysis, call)
        if blocking is not None:
            key, row = blocking
            summary.blocking.append((row.code, key, call.lineno))
            return
        target = self._target(call.func)
        if target is None:
            return
        if target not in summary.calls:
            summary.calls.append(target)
        if summary.is_async and analysis.on_loop:
            self.sites.append((call, target, used_asynchronously(analysis.parents, call)))

    def visit_Attribute(self, node: ast.Attribute) -> None:
        """``state.x`` on a ``threading.local()``: another thread sees another object."""
        if self.analysis.project is not None and isinstance(node.value, ast.Name):
            summary = self._summary_of(self.analysis.function)
            if summary is not None and summary.hazard is None and self._thread_local(node.value):
                summary.hazard = THREAD_LOCAL

    def _thread_local(self, expr: ast.expr) -> bool:
        value = self.analysis.resolve(expr)
        return isinstance(value, Instance) and value.type == "threading.local"

    def visit_Yield(self, node: ast.Yield | ast.YieldFrom) -> None:
        if self.analysis.project is not None:
            summary = self._summary_of(self.analysis.function)
            if summary is not None:
                summary.generator = True

    visit_YieldFrom = visit_Yield

    def _hazard(self, call: ast.Call) -> str | None:
        """Why a function making this call must stay on the loop's thread, if it must."""
        key = self.analysis.callee_key(call)
        if key in catalog.LOOP_BOUND or (
                isinstance(call.func, ast.Attribute) and call.func.attr in catalog.LOOP_BOUND_METHODS):
            return TOUCHES_LOOP
        if key in catalog.CONTEXT_WRITES:
            return "sets a context variable"
        if key in catalog.OWNER_BOUND_ACQUIRES:
            return "acquires an owner-bound lock"
        if any(isinstance(arg, ast.Name) and self._thread_local(arg) for arg in call.args):
            return THREAD_LOCAL  # getattr(state, "x")
        return None

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        if self.analysis.project is not None:
            bases = (self._name_of(self.analysis.resolve(base)) for base in node.bases)
            self.classes[self.analysis.qualname_for(node.name)] = [b for b in bases if b]

    def leave_function(self, scope) -> None:
        if self.analysis.project is not None:
            # Now that its body is walked, what the walk found about the function is final.
            self._summary_of(scope).coroutine = self.coroutines.is_coroutine_function(scope.func)

    def _target(self, func: ast.expr) -> str | None:
        value = self.analysis.resolve(func)
        if value is None and isinstance(func, ast.Attribute):
            # A method the class does not define itself: perhaps one of its bases does.
            receiver = self.analysis.resolve(func.value)
            owner = receiver.type if isinstance(receiver, Instance) else getattr(receiver, "info", None)
            if isinstance(owner, ClassInfo):
                return f"{self.analysis.project.module}.{owner.qualname}.{func.attr}"
        return self._name_of(value)

    def _name_of(self, value) -> str | None:
        """The absolute qualified name of a function, class or imported name."""
        context = self.analysis.project
        if isinstance(value, FuncDef):
            return f"{context.module}.{value.qualname}"
        if isinstance(value, ClassRef):
            return f"{context.module}.{value.info.qualname}"
        if isinstance(value, Ref) and not value.name.startswith("builtins."):
            return context.absolute(value.name)
        return None

    def finish(self) -> None:
        context = self.analysis.project
        if context is None:
            return
        imports = {name: context.absolute(value.name)
                   for name, value in self.analysis.scopes[0].bindings.items() if isinstance(value, Ref)}
        self.summary = ModuleSummary(context.module, context.path, self.functions, imports, self.classes)
        if not context.checking:
            return
        with context.index.checking(self.summary):
            for call, target, awaited in self.sites:
                chain = context.index.blocking_chain(target)
                if chain is not None:
                    # A sync function whose result is awaited returns an awaitable (distributed's
                    # `await self.acquire()`, sync or async by the thread it runs in): a thread
                    # wrap would await what the worker thread made of it.
                    hazard = "its result is awaited" if awaited else context.index.thread_hazard(target)
                    if hazard is None:
                        self.analysis.report(call, "ASL401", _message(call, chain))
                    else:
                        self.analysis.report(call, "ASL401", _message(call, chain), fix=None, fix_reason=hazard)


THREAD_LOCAL = "uses thread-local state"


def _message(call: ast.Call, chain: list[Step]) -> str:
    shown = source_text(call.func)
    path = chain[-1].path
    if not os.path.isabs(path) or path.startswith(os.getcwd() + os.sep):
        path = os.path.relpath(path)
    route = " -> ".join(step.label for step in chain)
    return f"`{shown}()` may block the event loop: {route} ({path}:{chain[-1].line})"


@rule
class ASL401(Rule):
    """
    ## What it does
    Flags a call, made on the event loop, to a sync function or method of your project that
    directly or through further sync calls makes a blocking call (any ASL1xx). The message shows
    the shortest chain and where the blocking call is: `load_settings -> read_file -> open()`.

    The chain is "may block": the analysis follows every call it can resolve (across modules,
    through re-exports, `self.` methods and objects of project classes) but does not know which
    branch runs, so a blocking call behind a condition is still reported. Third-party code is
    not followed (the catalog covers it); unresolved calls are silent. A function passed
    uncalled to `asyncio.to_thread` or `run_in_executor` is not a call and is not reported.

    ## Why is this bad?
    Wrapping the blocking call in a helper does not stop it blocking: the event loop stalls
    just the same, and no file-local linter can see it.

    ## Fix safety
    The fix runs the call in a worker thread at the call site (`await asyncio.to_thread(helper, ...)`,
    `trio.to_thread.run_sync`/`anyio.to_thread.run_sync` with `functools.partial` for keyword
    arguments). It is unsafe: the helper then runs concurrently with the event loop, so whatever
    state it shares with async code needs a thought.

    No fix is offered, and the finding says why (`[fix: none, touches the event loop]`), when the
    helper or a sync function it calls (through the project's module summaries) touches the event
    loop (`asyncio.get_event_loop()`, `get_running_loop()`, `create_task`, futures, loop-bound
    asyncio objects, `loop.call_soon`...), sets a context variable (lost: a worker thread runs a
    copy of the context), uses `threading.local()` state, is a generator function (a thread would
    only create the generator), is a method of a class one of whose sync methods touches the event
    loop, or constructs an object with async methods; and when the call's result is awaited (the
    sync function returns an awaitable, which a worker thread might make differently).
    """

    code = "ASL401"
    on_loop = True
    needs_project = True
    name = "blocking-call-through-helper"
    fix_applicability = "unsafe"
    fix_kind = FixKind.THREAD
    summary = "a project function that blocks, called from an async function"
    bad = """\
def read_config(path):
    with open(path) as f:
        return f.read()

async def handler(path):
    return read_config(path)  # error: ASL401
"""
    good = """\
import asyncio

def read_config(path):
    with open(path) as f:
        return f.read()

async def handler(path):
    return await asyncio.to_thread(read_config, path)
"""
    fixed = """\
import asyncio


def read_config(path):
    with open(path) as f:
        return f.read()

async def handler(path):
    return await asyncio.to_thread(read_config, path)
"""
