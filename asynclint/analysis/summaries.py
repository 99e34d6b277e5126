"""The module's summary (callgraph.ModuleSummary), written in the same walk as the rules run: for
each function, the blocking calls it makes, the project functions it calls, what calling it runs
and why it must stay on the loop's thread. Hooked into the walk as BlockingCalls is; the rules of
chains (ASL401-ASL403) read the calls on the loop it notes (``loop_calls``, ``callbacks``) and
search the call graph from them."""

from __future__ import annotations

import ast
import bisect
from typing import TYPE_CHECKING, Callable, NamedTuple

from asynclint import catalog, conditions
from asynclint.analysis.blocking import blocking_row, used_asynchronously
from asynclint.analysis.syntax import walk_local
from asynclint.analysis.values import ClassInfo, ClassRef, FuncDef, Instance, Ref
from asynclint.callgraph import TOUCHES_LOOP, BlockingCall, CallOut, FunctionSummary, ModuleSummary

if TYPE_CHECKING:
    from asynclint.analysis.scopes import Analysis

THREAD_LOCAL = "uses thread-local state"


class LoopCall(NamedTuple):
    """A call on the event loop (an async function's, a sync loop callback's) to a project function."""

    call: ast.Call
    target: str  # the callee's absolute qualified name
    arguments: conditions.Arguments | None
    how: str  # as CallOut's
    awaited: bool  # what it returns is awaited (or otherwise used asynchronously)


class Callback(NamedTuple):
    """A sync callable handed to the event loop to run on its thread (``loop.call_soon(cb)``), or
    one of the calls a lambda so handed makes."""

    registration: ast.Call
    shown: ast.expr  # what the message names: the callable, or the lambda's call's function
    called: bool  # ``shown`` is called (a lambda's call), not handed over
    blocking: tuple[str, catalog.Blocking] | None  # (key, row) when it is a catalogued blocking call
    target: str | None  # else the project function it is, if one
    arguments: conditions.Arguments | None  # what the lambda's call passes (None: unknown)


class Summarizer:
    """Writes the module's summary during the walk; ``summary`` is made once the walk is done."""

    def __init__(self, analysis: "Analysis") -> None:
        self.analysis = analysis
        self.functions: dict[str, FunctionSummary] = {}
        self.loop_calls: list[LoopCall] = []
        self.callbacks: list[Callback] = []
        self.classes: dict[str, list[str]] = {}
        self.summary: ModuleSummary | None = None
        self._exits: dict = {}  # conditions.path_condition's memo of early exits per statement list
        self._parameters: dict[int, set[str]] = {}  # by function node
        self._tops: dict[str, bool] = {}  # top-level module name -> whether it is the project's
        # The summary's list of those that are not, sorted: the bodies of a module summarised for
        # others may be walked after its summary is made (LazyFunctions), and add to it then.
        self.outside: list[str] = []

    def hooks(self) -> list[tuple[type[ast.AST], Callable[[ast.AST], None]]]:
        """(node type, handler) pairs, run before the checkers' handlers."""
        return [(ast.Call, self.visit_Call), (ast.Import, self.visit_Import), (ast.ImportFrom, self.visit_Import),
                (ast.Yield, self.visit_Yield), (ast.YieldFrom, self.visit_Yield),
                (ast.Assign, self.visit_Assign), (ast.AnnAssign, self.visit_Assign),
                (ast.AugAssign, self.visit_Assign), (ast.Attribute, self.visit_Attribute),
                (ast.ClassDef, self.visit_ClassDef)]

    def _summary_of(self, scope) -> FunctionSummary | None:
        func = scope.func if scope is not None else None
        if func is None:  # module level or a lambda: not a call target by name
            return None
        summary = self.functions.get(func.qualname)
        if summary is None:
            args = func.node.args
            summary = self.functions[func.qualname] = FunctionSummary(
                func.is_async, func.node.lineno, runs=self._runs(func),
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

    def visit_Call(self, call: ast.Call) -> None:
        analysis = self.analysis
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
            summary.blocking.append(BlockingCall("ASL112", analysis.callee_key(call), call.lineno,
                                                 self._condition(call)))
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
            summary.blocking.append(BlockingCall(row.code, key, call.lineno, condition))
            return
        target = self._target(call)
        if target is None or not self._in_project(target):
            return
        arguments = None if self._unbound(call.func) else conditions.call_arguments(call, self._name_kind(scope))
        # The condition of a call matters only as a link of a chain, which never is an async function.
        condition = [] if summary.is_async else self._condition(call)
        entry = CallOut(target, condition, arguments, self._how(call), _on_self(call.func))
        if entry not in summary.calls:
            summary.calls.append(entry)
        if analysis.on_loop:  # an async function's body, or a sync loop callback's
            self.loop_calls.append(LoopCall(call, target, arguments, entry.how,
                                            used_asynchronously(analysis.parents, call)))

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
        """A loop callback: what it calls, a catalogued blocking call or a project function."""
        analysis = self.analysis
        if isinstance(callback, ast.Call) and analysis.callee_key(callback) == "functools.partial" and callback.args:
            callback = callback.args[0]  # partial(f, ...): the loop calls f
        if isinstance(callback, ast.Lambda):  # the calls its body makes
            for inner in (node for node in walk_local(callback.body) if isinstance(node, ast.Call)):
                blocking = blocking_row(analysis, inner)
                target = self._target(inner)
                arguments = conditions.call_arguments(inner, lambda name: None) if blocking is None else None
                self._add_callback(Callback(call, inner.func, True, blocking, target, arguments))
        else:
            value = analysis.resolve(callback)
            key = value.name if isinstance(value, Ref) else None
            row = catalog.lookup(key, analysis.extra_blocking) if key and key not in analysis.settings.allow else None
            self._add_callback(Callback(call, callback, False, (key, row) if row else None, self._name_of(value), None))

    def _add_callback(self, callback: Callback) -> None:
        if callback.blocking is not None or (callback.target is not None and self._in_project(callback.target)):
            self.callbacks.append(callback)

    def visit_Import(self, node: ast.Import | ast.ImportFrom) -> None:
        """An import in a sync function that may load a module for the first time (ASL112)."""
        summary = self._summary_of(self.analysis.function)
        if summary is not None and not summary.is_async:
            module = self.analysis.imports.statement(node)
            if module is not None:
                summary.blocking.append(BlockingCall("ASL112", f"import {module}", node.lineno, self._condition(node)))

    def visit_Yield(self, node: ast.Yield | ast.YieldFrom) -> None:
        summary = self._summary_of(self.analysis.function)
        if summary is not None and summary.runs == "body":
            summary.runs = "generator"

    def visit_Assign(self, node: ast.Assign | ast.AnnAssign | ast.AugAssign) -> None:
        """Remember which ``self.`` attributes a function sets, and from which parameter."""
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

    def _in_project(self, target: str) -> bool:
        """Whether ``target`` may be a function of the project (not of the standard library or a
        third-party package): only those can be links of a chain."""
        top = target.partition(".")[0]
        known = self._tops.get(top)
        if known is None:
            context = self.analysis.project
            known = self._tops[top] = top == context.module.partition(".")[0] or context.index.has_module(top)
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
        if isinstance(node.value, ast.Name):
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
        bases = (self._name_of(self.analysis.resolve(base)) for base in node.bases)
        self.classes[self.analysis.qualname_for(node.name)] = [b for b in bases if b]

    def leave_function(self, scope) -> None:
        # Now that its body is walked, what the walk found about the function is final.
        self._summary_of(scope).coroutine = self.analysis.coroutines.is_coroutine_function(scope.func)

    def _target(self, call: ast.Call) -> str | None:
        func, value = call.func, self.analysis.callee(call)
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
        imports = {name: context.absolute(value.name)
                   for name, value in self.analysis.scopes[0].bindings.items() if isinstance(value, Ref)}
        self.summary = ModuleSummary(context.module, context.path, self.functions, imports, self.classes,
                                     _constants(self.analysis.tree), self.outside,
                                     self.analysis.imports.module_level(), self.analysis.values.summary_types())


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
