"""ASL401: a blocking call reached through the project's own sync functions.

The same walk that runs the per-file rules writes the module's summary (callgraph.py); at
the end of the walk, each call that an async function makes on the loop to a sync
function of the project is looked up in the call graph.
"""

from __future__ import annotations

import ast
import bisect
import os

from asynclint import catalog, conditions
from asynclint.analysis import ClassInfo, ClassRef, FuncDef, Instance, Ref
from asynclint.analysis.blocking import blocking_row, used_asynchronously
from asynclint.callgraph import TOUCHES_LOOP, FunctionSummary, ModuleSummary, Step
from asynclint.model import FixKind
from asynclint.analysis.syntax import walk_local
from asynclint.rules import ASYNC_DEF, Checker, Rule, checker, rule, source_text
from asynclint.rules.coroutines import CoroutineCalls


@checker
class ProjectCallChecker(Checker):
    codes = ("ASL401", "ASL402", "ASL403", "ASL404")
    # Files registering loop callbacks in sync code only (a protocol class) are checked too (ASL403).
    triggers = (ASYNC_DEF, *catalog.LOOP_CALLBACK_METHODS)

    def __init__(self, analysis) -> None:
        super().__init__(analysis)
        self.functions: dict[str, FunctionSummary] = {}
        # On-loop calls from async functions: (call, target, arguments, how, whether it is awaited).
        self.sites: list[tuple[ast.Call, str, list | None, str, bool]] = []
        # Loop-callback registrations to a project function: (registration, target, arguments, what is shown).
        self.callbacks: list[tuple[ast.Call, str, list | None, str]] = []
        self.classes: dict[str, list[str]] = {}
        self.coroutines = CoroutineCalls(analysis)
        self._exits: dict = {}  # conditions.path_condition's memo of early exits per statement list
        self._parameters: dict[int, set[str]] = {}  # by function node
        self._tops: dict[str, bool] = {}  # top-level module name -> whether it is the project's
        # The summary's list of those that are not, sorted: the bodies of a module summarised for
        # others may be walked after its summary is made (LazyFunctions), and add to it then.
        self.outside: list[str] = []

    def _summary_of(self, scope) -> FunctionSummary | None:
        func = scope.func if scope is not None else None
        if func is None:  # module level or a lambda: not a call target by name
            return None
        summary = self.functions.get(func.qualname)
        if summary is None:
            args = func.node.args
            summary = self.functions[func.qualname] = FunctionSummary(
                func.is_async, func.node.lineno, runs=self._runs(func), cached=self._cached(func),
                params=conditions.signature(args, skip_first=func.kind in ("method", "classmethod", "property")))
        return summary

    def _runs(self, func) -> str:
        for decorator in func.node.decorator_list:
            value = self.analysis.resolve(decorator)
            name = getattr(value, "name", None)
            if name in catalog.CONTEXT_MANAGER_DECORATORS:
                return "contextmanager"
            if name in catalog.COROUTINE_DECORATORS or self.analysis.named(value, self.analysis.settings.thread_runners):
                return "nothing"
        return "body"

    def _cached(self, func) -> bool:
        """Whether a cache decorator (``@lru_cache``, ``@lru_cache(maxsize=...)``) runs its body
        once per argument."""
        for decorator in func.node.decorator_list:
            value = self.analysis.resolve(decorator.func if isinstance(decorator, ast.Call) else decorator)
            if getattr(value, "name", None) in catalog.CACHE_DECORATORS:
                return True
        return False

    def visit_Call(self, call: ast.Call) -> None:
        analysis = self.analysis
        if analysis.project is None:
            return
        callback = self._registered_callback(call)
        if callback is not None:
            self._register(call, callback)
        scope = analysis.function
        summary = self._summary_of(scope)
        if summary is None:
            return
        if summary.hazard is None:
            summary.hazard = self._hazard(call)
        blocking = blocking_row(analysis, call)
        if blocking is None and not summary.is_async and analysis.imports.call(call) is not None:
            summary.blocking.append(["ASL112", self.analysis.callee_key(call), call.lineno, self._condition(call)])
            return
        if blocking is not None:
            key, row = blocking
            if summary.is_async:
                return  # a chain stops at an async function: its own calls are checked on the loop
            condition = self._condition(call)
            receiver = call.func.value if isinstance(call.func, ast.Attribute) else None
            if (isinstance(receiver, ast.Name) and receiver.id in _parameters(scope.func)
                    and key.rpartition(".")[0] in catalog.BUFFERABLE_TYPES):
                # A file object passed in may be an in-memory buffer (aiohttp's StringIOPayload).
                condition = [*condition, conditions.opaque(f"{receiver.id} is not an in-memory buffer")]
            summary.blocking.append([row.code, key, call.lineno, condition])
            return
        target = self._target(call)
        if target is None or not self._in_project(target):
            return
        arguments = None if self._unbound(call.func) else conditions.call_arguments(call, self._name_kind(scope))
        # The condition of a call matters only as a link of a chain, which never is an async function.
        condition = [] if summary.is_async else self._condition(call)
        entry = [target, condition, arguments, self._how(call), _on_self(call.func)]
        if entry not in summary.calls:
            summary.calls.append(entry)
        if analysis.on_loop:  # an async function's body, or a sync loop callback's
            self.sites.append((call, target, arguments, entry[3], used_asynchronously(analysis.parents, call)))

    def _registered_callback(self, call: ast.Call) -> ast.expr | None:
        """The callback that this call hands to the event loop to run on its thread, if it is one
        (``loop.call_soon(cb)``, ``task.add_done_callback(cb)``: catalog.LOOP_CALLBACK_METHODS)."""
        func = call.func
        position = catalog.LOOP_CALLBACK_METHODS.get(func.attr) if isinstance(func, ast.Attribute) else None
        if position is None or position >= len(call.args) or isinstance(call.args[position], ast.Starred):
            return None
        receiver = self.analysis.resolve(func.value)
        if isinstance(receiver, Instance) and receiver.type in catalog.CONCURRENT_CALLBACK_TYPES:
            return None
        return call.args[position]

    def _register(self, call: ast.Call, callback: ast.expr) -> None:
        """A loop callback: a catalogued blocking call it makes is reported now (ASL403); a project
        function it calls is looked up in the call graph at the end."""
        analysis = self.analysis
        if isinstance(callback, ast.Call) and analysis.callee_key(callback) == "functools.partial" and callback.args:
            callback = callback.args[0]  # partial(f, ...): the loop calls f
        if isinstance(callback, ast.Lambda):  # the calls its body makes
            calls = [node for node in walk_local(callback.body) if isinstance(node, ast.Call)]
            called = [(c, f"`{source_text(c.func)}()`", blocking_row(analysis, c), self._target(c)) for c in calls]
        else:
            value = analysis.resolve(callback)
            key = value.name if isinstance(value, Ref) else None
            row = catalog.lookup(key, analysis.extra_blocking) if key and key not in analysis.settings.allow else None
            called = [(None, f"`{source_text(callback)}`", (key, row) if row else None, self._name_of(value))]
        for inner, shown, blocking, target in called:
            if blocking is not None:
                self.analysis.report(call, "ASL403", _callback_message(
                    call, shown, f"{blocking[0].removeprefix('builtins.')}() [{blocking[1].code}]"))
            elif target is not None and self._in_project(target):
                arguments = None if inner is None else conditions.call_arguments(inner, lambda name: None)
                self.callbacks.append((call, target, arguments, shown))

    def visit_Import(self, node: ast.Import | ast.ImportFrom) -> None:
        """An import in a sync function that may load a module for the first time (ASL112)."""
        if self.analysis.project is None:
            return
        summary = self._summary_of(self.analysis.function)
        if summary is not None and not summary.is_async:
            module = self.analysis.imports.statement(node)
            if module is not None:
                summary.blocking.append(["ASL112", f"import {module}", node.lineno, self._condition(node)])

    visit_ImportFrom = visit_Import

    def visit_Yield(self, node: ast.Yield | ast.YieldFrom) -> None:
        summary = self._summary_of(self.analysis.function) if self.analysis.project is not None else None
        if summary is not None and summary.runs == "body":
            summary.runs = "generator"

    visit_YieldFrom = visit_Yield

    def visit_Assign(self, node: ast.Assign | ast.AnnAssign | ast.AugAssign) -> None:
        """Remember which ``self.`` attributes a function sets, and from which parameter."""
        if self.analysis.project is None:
            return
        scope = self.analysis.function
        summary = self._summary_of(scope)
        if summary is None or summary.is_async:
            return
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            if _on_self(target):
                attribute = target.attr
                if attribute in summary.assigned:
                    summary.self_params.pop(attribute, None)  # set twice: its value is not known
                    continue
                summary.assigned.append(attribute)
                value = node.value
                if (scope.func.name == "__init__" and isinstance(node, ast.Assign) and isinstance(value, ast.Name)
                        and value.id in _parameters(scope.func) and self.analysis.parents[-1] is scope.node):
                    summary.self_params[attribute] = value.id

    visit_AnnAssign = visit_AugAssign = visit_Assign

    def _in_project(self, target: str) -> bool:
        """Whether ``target`` may be a function of the project (not of the standard library or a
        third-party package): only those can be links of a chain."""
        top = target.partition(".")[0]
        known = self._tops.get(top)
        if known is None:
            context = self.analysis.project
            known = self._tops[top] = top == context.module.partition(".")[0] or context.index.knows_top(top)
            if not known:
                bisect.insort(self.outside, top)
        return known

    def _condition(self, call: ast.Call) -> list:
        return conditions.path_condition([*self.analysis.parents, call], self._exits)

    def _how(self, call: ast.Call) -> str:
        parent = self.analysis.parents[-1]
        if isinstance(parent, ast.With) and any(item.context_expr is call for item in parent.items):
            return "with"
        return "iterate" if _iterated(parent, call) else "call"

    def _name_kind(self, scope):
        parameters = self._parameters.get(id(scope.node))
        if parameters is None:
            parameters = self._parameters[id(scope.node)] = _parameters(scope.func)
        module = self.analysis.scopes[0]

        def kind(name: str) -> str | None:
            if name in parameters:
                return "p"
            inner = any(name in s.bindings for s in self.analysis.scopes[1:] if s.kind != "class")
            return "n" if not inner and name in module.bindings else None

        return kind

    def _unbound(self, func: ast.expr) -> bool:
        """``Class.method(obj, ...)``: the arguments do not line up with the method's parameters."""
        return (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
                and isinstance(self.analysis.resolve(func.value), ClassRef))

    def visit_Attribute(self, node: ast.Attribute) -> None:
        """``state.x`` on a ``threading.local()``: another thread sees another object."""
        if self.analysis.project is not None and isinstance(node.value, ast.Name):
            summary = self._summary_of(self.analysis.function)
            if summary is not None and summary.hazard is None and self._thread_local(node.value):
                summary.hazard = THREAD_LOCAL

    def _thread_local(self, expr: ast.expr) -> bool:
        value = self.analysis.resolve(expr)
        return isinstance(value, Instance) and value.type == "threading.local"

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

    def _target(self, call: ast.Call) -> str | None:
        func, value = call.func, self.analysis.callee(call)
        if value is None and isinstance(func, ast.Attribute) and _is_bare_super(func.value) \
                and self.analysis.project.index.follows_bases:
            return self._base_method(func.attr)
        if value is None and isinstance(func, ast.Attribute):
            # A method the class does not define itself: perhaps one of its bases does.
            receiver = self.analysis.resolve(func.value)
            owner = receiver.type if isinstance(receiver, Instance) else getattr(receiver, "info", None)
            if isinstance(owner, ClassInfo):
                return f"{self.analysis.project.module}.{owner.qualname}.{func.attr}"
        return self._name_of(value)

    def _base_method(self, attribute: str) -> str | None:
        """``super().attribute`` in a method: the attribute of the class's first base (the next
        class in its order, under single inheritance), which the index resolves through its bases."""
        scope = self.analysis.function
        owner = scope.func.qualname.rpartition(".")[0] if scope is not None and scope.func is not None else ""
        bases = self.classes.get(owner)
        return f"{bases[0]}.{attribute}" if bases else None

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
        self.summary = ModuleSummary(context.module, context.path, self.functions, imports, self.classes,
                                     _constants(self.analysis.tree), self.outside,
                                     self.analysis.imports.module_level())
        if not context.checking:
            return
        # A chain to an import is ASL112's kind of blocking: switched off with it.
        imports = self.analysis.enabled is None or "ASL112" in self.analysis.enabled
        libraries = self.analysis.enabled is None or "ASL404" in self.analysis.enabled
        with context.index.checking(self.summary):
            for call, target, arguments, shown in self.callbacks:
                found = context.index.blocking_chain(target, arguments, ({}, self.summary.constants),
                                                     imports=imports)
                if found is not None and found[0]:  # only a chain on every path: the loop runs it with unknown arguments
                    chain = found[1]
                    self.analysis.report(call, "ASL403", _callback_message(
                        call, shown, " -> ".join(step.label for step in chain), chain[-1]),
                        chain=tuple((s.label, os.path.abspath(s.path), s.line, s.when or None) for s in chain))
            for call, target, arguments, how, awaited in self.sites:
                found = context.index.blocking_chain(target, arguments, ({}, self.summary.constants), how,
                                                     imports=imports)
                if libraries and (found is None or not found[0]):
                    self._report_library_chain(call, context.index.blocking_chain(
                        target, arguments, ({}, self.summary.constants), how, imports=imports, libraries=True))
                if found is not None:
                    certain, chain = found
                    code = "ASL401" if certain else "ASL402"
                    # A sync function whose result is awaited returns an awaitable (distributed's
                    # `await self.acquire()`, sync or async by the thread it runs in): a thread
                    # wrap would await what the worker thread made of it.
                    hazard = "its result is awaited" if awaited else context.index.thread_hazard(target)
                    fix = ... if hazard is None else None
                    # A link's path is absolute: a module's summary names its file as it was reached
                    # (the path checked, or the project root joined with the module's), which depends
                    # on what this process checked before; a cached chain must not depend on the cwd.
                    self.analysis.report(call, code, _message(call, chain, certain), fix, fix_reason=hazard,
                                         chain=tuple((s.label, os.path.abspath(s.path), s.line, s.when or None)
                                                     for s in chain))

    def _report_library_chain(self, call: ast.Call, found: tuple[bool, list[Step]] | None) -> None:
        """ASL404: the call blocks inside an installed library; no fix of the library's code."""
        if found is not None:
            chain = found[1]
            self.analysis.report(call, "ASL404", _library_message(call, chain),
                                 chain=tuple((s.label, os.path.abspath(s.path), s.line, s.when or None) for s in chain))


THREAD_LOCAL = "uses thread-local state"


# Builtins that iterate their argument at once (a generator passed to one runs).
_CONSUMERS = frozenset("list tuple set frozenset dict sorted sum min max any all".split())


def _iterated(parent: ast.AST, call: ast.Call) -> bool:
    """Whether what ``call`` returns is iterated at once: ``for x in f()``, ``[... for x in f()]``,
    ``yield from f()``, ``list(f())``, ``[*f()]``."""
    if isinstance(parent, (ast.For, ast.YieldFrom, ast.Starred)):
        return True
    if isinstance(parent, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
        return any(generator.iter is call for generator in parent.generators)
    return (isinstance(parent, ast.Call) and isinstance(parent.func, ast.Name) and parent.func.id in _CONSUMERS
            and call in parent.args)


def _is_bare_super(node: ast.expr) -> bool:
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "super"
            and not node.args and not node.keywords)


def _parameters(func: FuncDef) -> set[str]:
    args = func.node.args
    return {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs}


def _on_self(node: ast.expr) -> bool:
    """``self.x`` (the receiver named ``self``, as Python code calls it)."""
    return isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self"


def _constants(tree: ast.Module) -> dict[str, list]:
    """Module-level names bound once, to a literal or a display: conditions.abstract_value()."""
    values: dict[str, list | None] = {}
    for statement in tree.body:
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target, value = statement.targets[0], statement.value
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            target, value = statement.target, statement.value
        else:
            continue
        if isinstance(target, ast.Name):
            values[target.id] = None if target.id in values else conditions.abstract_value(value, lambda name: None)
    return {name: value for name, value in values.items() if value is not None}


def _callback_message(registration: ast.Call, shown: str, route: str, last: Step | None = None) -> str:
    """``loop.call_soon(cb)`` whose callback blocks: what blocks, and where, when known."""
    where = f" ({_shown_path(last.path)}:{last.line})" if last is not None else ""
    method = registration.func.attr
    return (f"`{method}()` has the event loop run {shown}, which blocks it: {route}{where}; make the blocking work "
            f"run in a worker thread, or the callback schedule a task that awaits it")


def _shown_path(path: str) -> str:
    if not os.path.isabs(path) or path.startswith(os.getcwd() + os.sep):
        return os.path.relpath(path)
    return path


def _message(call: ast.Call, chain: list[Step], certain: bool) -> str:
    shown = source_text(call.func)
    path = _shown_path(chain[-1].path)
    route = " -> ".join(step.label for step in chain)
    if certain:
        return f"`{shown}()` blocks the event loop: {route} ({path}:{chain[-1].line})"
    when = " and ".join(step.when for step in chain if step.when)
    return f"`{shown}()` may block the event loop, when {when}: {route} ({path}:{chain[-1].line})"


def _library_message(call: ast.Call, chain: list[Step]) -> str:
    library = next(step.library for step in chain if step.library)
    route = " -> ".join(step.label for step in chain)
    when = " the first time it runs" if any(step.once for step in chain) else ""
    return (f"`{source_text(call.func)}()` blocks the event loop{when}, inside {library}: {route} "
            f"({_shown_path(chain[-1].path)}:{chain[-1].line}); do it once at start-up, or in a worker thread")


@rule
class ASL401(Rule):
    """
    ## What it does
    Flags a call, made on the event loop, to a sync function or method of your project that
    directly or through further sync calls makes a blocking call (any ASL1xx) on every path: no
    link of the chain sits behind a condition. The message shows the shortest such chain and
    where the blocking call is: `load_settings -> read_file -> open()`. The JSON output carries
    the chain as data (`chain`: each step's name, file, line and condition).

    The analysis follows every call it can resolve (across modules, through re-exports, `self.`
    methods and objects of project classes). A chain with a link that runs only under a
    condition (a branch, a `match` case, an `except` handler, an `and`/`or` or conditional
    expression operand, after an early `return`/`raise`) is ASL402 instead, off by default. Simple
    guards are evaluated with the call's literal arguments and the parameters' literal defaults
    (`if x:`, `x is None`, `x == "lit"`, `isinstance(x, T)`): a guard they make true is no
    condition, a branch they rule out is not followed. A loop body counts as running.

    Calls that run nothing are not followed: calling a generator function (unless it is iterated
    at once), a `@contextmanager` function outside a `with` statement, or a function whose
    decorator makes it return a coroutine or an awaitable. `with factory():` runs the factory's
    body on the loop: before the first `yield` at entry, the rest at exit. Third-party code is
    not followed (the catalog covers it); unresolved calls are silent. A function passed uncalled
    to `asyncio.to_thread` or `run_in_executor` is not a call and is not reported.

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
    copy of the context), uses `threading.local()` state, is a generator function or a
    `@contextmanager` (a thread would only create the object), is a method of a class one of whose sync methods touches the event
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


@rule
class ASL402(Rule):
    """
    ## What it does
    Flags a call, made on the event loop, to a sync function or method of your project that may
    make a blocking call (any ASL1xx), directly or through further sync calls, but only under a
    condition: in an `if`/`elif`/`else` branch, a `match` case, an `except` handler, an operand of
    `and`/`or` or of a conditional expression, or after an earlier `return`/`raise` that may
    be taken. The message says when: `` `Config()` may block the event loop, when
    log_config.endswith('.json'): Config.__init__ -> Config.configure_logging -> open() [ASL103]``.

    Chains whose every link runs on every path are ASL401. Simple guards are evaluated with the
    arguments of the call (`if x:`, `x is None`, `x == "lit"`, `isinstance(x, T)`, also on a
    `self.x` that `__init__` sets from a parameter): a branch a call cannot take is not followed,
    and a guard the call makes true is no condition at all.

    Off by default: whether the branch is taken depends on values the analysis does not see.
    Turn it on with `select = ["ASL402"]` (or `extend-select`) to review the possible ones.

    ## Why is this bad?
    When the condition holds in production, the event loop stalls as with ASL401.

    ## Fix safety
    As ASL401: the call may move to a worker thread (unsafe).
    """

    code = "ASL402"
    on_loop = True
    needs_project = True
    name = "conditional-blocking-call-through-helper"
    fix_applicability = "unsafe"
    fix_kind = FixKind.THREAD
    enabled_by_default = False
    summary = "a project function that may block under a condition, called from an async function"
    bad = """\
import json

def load(path):
    if path.endswith(".json"):
        with open(path) as f:
            return json.load(f)
    return {}

async def handler(path):
    return load(path)  # error: ASL402
"""
    good = """\
import asyncio
import json

def load(path):
    if path.endswith(".json"):
        with open(path) as f:
            return json.load(f)
    return {}

async def handler(path):
    return await asyncio.to_thread(load, path)
"""
    fixed = """\
import asyncio
import json

def load(path):
    if path.endswith(".json"):
        with open(path) as f:
            return json.load(f)
    return {}

async def handler(path):
    return await asyncio.to_thread(load, path)
"""


@rule
class ASL403(Rule):
    """
    ## What it does
    Flags a sync function handed to the event loop to run on its thread, when it makes a blocking
    call (any ASL1xx) on every path, directly or through further sync functions of your project:
    callbacks registered with `loop.call_soon()`, `call_soon_threadsafe()`, `call_later()`,
    `call_at()`, `add_reader()`/`add_writer()`, `add_signal_handler()`, and a future's or task's
    `add_done_callback()` (not a `concurrent.futures.Future`'s, whose callback runs in the thread that
    completes it). The callback may be a function, a method (`self.on_timeout`), a
    `functools.partial(f, ...)` or a lambda (the calls it makes). The registration is reported, with
    the chain that reaches the blocking call, wherever it is made: a callback runs on the loop even
    when a sync function registers it.

    Sync functions that a framework marks as loop callbacks (Home Assistant's `@callback`,
    textual's `@on(...)`, and those named by the `loop-callback-decorators` setting), and the sync
    methods tornado calls on the loop (a `RequestHandler` subclass's `get()`, `post()`, ...,
    `prepare()`, `on_finish()`; a `WebSocketHandler`'s `open()`, `on_message()`, `on_close()`; the
    base may be a project class of another module) are checked as on the loop instead: their
    blocking calls are reported by the ASL1xx rules and their calls of blocking helpers by ASL401,
    with no fix. A module of such methods is read when it names `tornado` or holds an `async def`.

    ## Why is this bad?
    The event loop calls the callback itself, between two steps of its tasks: whatever the callback
    waits for, every task waits for.

    ## Fix safety
    No automatic fix: a callback cannot await. Run the blocking work in a worker thread from it
    (`loop.run_in_executor(None, work)`), or have it schedule a task that awaits the async form.
    """

    code = "ASL403"
    needs_project = True
    name = "blocking-loop-callback"
    summary = "a sync callback the event loop runs that blocks"
    bad = """\
import asyncio

def flush(path, data):
    with open(path, "a") as f:
        f.write(data)

def schedule(loop: asyncio.AbstractEventLoop, data):
    loop.call_soon(flush, "log.txt", data)  # error: ASL403
"""
    good = """\
import asyncio

def flush(path, data):
    with open(path, "a") as f:
        f.write(data)

def schedule(loop: asyncio.AbstractEventLoop, data):
    loop.run_in_executor(None, flush, "log.txt", data)
"""


@rule
class ASL404(Rule):
    """
    ## What it does
    Flags a call, made on the event loop, into an installed third-party library whose code blocks
    on every path, through the library's own sync functions (and the libraries it calls in turn):
    `` `AsyncVault()` blocks the event loop, inside vaultsdk 1.2.0: vaultsdk.client.AsyncVault.__init__
    -> vaultsdk.tls.make_context -> ssl.create_default_context() [ASL104] ``. The finding names the
    library and its version, and carries the chain as data in the JSON output (`chain`).

    The libraries are read from the environment the project runs with: the `python` setting (or
    `--python PATH`; an interpreter or an environment's folder), else the active virtual
    environment (`VIRTUAL_ENV`), else a `.venv` or `venv` in the project root, else asynclint's
    own interpreter. `asynclint check --show-settings` says which one was used. A library module
    is summarised as the project's modules are, only as deep as the project's calls reach, and
    the summaries are kept per distribution and version in the user's cache
    (`$XDG_CACHE_HOME/asynclint/libraries`, else `~/.cache/asynclint/libraries`; not with
    `--no-cache`).

    Only chains that block on the library's default path are reported: every link runs on every
    path, or under a condition that the call's literal arguments (and the parameters' defaults)
    make true. A call the catalog knows (ASL1xx) is reported by its own rule. The search stops
    at the library's own offloading: a function handed uncalled to `run_in_executor`,
    `to_thread` or a thread pool is not a call. A chain through a cached function
    (`functools.lru_cache`, `cache`, `cached_property`) blocks only the first time, and says so;
    so does a chain to an import that may load a module (when ASL112 is selected). Library
    functions and classes named in `allow` are trusted: no chain goes through them.

    Off by default: turn it on with `extend-select = ["ASL404"]`.

    ## Why is this bad?
    The event loop stalls while the library reads its files or waits on the network, as if the
    project had made the blocking call itself; no table of blocking calls knows the library's
    internals.

    ## Fix safety
    No automatic fix, and never an edit of the library: make the object once, at start-up (or
    lazily, once), or make the call in a worker thread (`await asyncio.to_thread(Client)`), after
    checking that the object does not bind to the running loop while it is made.
    """

    code = "ASL404"
    on_loop = True
    needs_project = True
    name = "blocking-call-inside-library"
    enabled_by_default = False
    summary = "a call into an installed library whose own code blocks, from an async function"
