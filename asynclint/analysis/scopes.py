"""One walk over a module's AST: scopes and the bindings of names.

The walk keeps a stack of scopes as pyflakes does. Function bodies are walked after
the scope that defines them is complete (they run later, when every module-level name
has its final binding), class bodies at once. Checkers registered for a node type are
called before the node's children are walked; they ask this object two questions:
does this code run on the event loop (``on_loop``), and what does this expression
refer to (``resolve``, ``callee``, ``callee_key``: answered by the resolver of values.py).
"""

from __future__ import annotations

import ast
import bisect
import builtins
import re
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Callable, Iterator, NamedTuple

from asynclint import catalog, dependencies
from asynclint.analysis.blocking import BlockingCalls
from asynclint.analysis.coroutines import CoroutineCalls
from asynclint.analysis.imports import FirstImports
from asynclint.analysis.summaries import Summarizer
from asynclint.analysis.syntax import TRY_STATEMENTS, defines_scopes, walk_body
from asynclint.analysis.values import (
    ClassInfo, ClassRef, FuncDef, Instance, Ref, Resolver, Scope, Value, canonical, element_of, module_attribute,
    union_of_flags, unpacked,
)
from asynclint.model import Settings

BUILTIN_NAMES = frozenset(dir(builtins))
SYNC_CALLBACK = "a sync loop callback: it cannot await"

# Skip the bodies of sync functions that define no nested function or class, when every
# enabled checker reports only code on the event loop (``Checker.on_loop_only``): nothing in
# such a body runs on the loop or can define something that does. Tests turn it off to
# prove that the skip loses no finding (tests/test_prefilter.py).
SKIP_SYNC_BODIES = True


class FixWithheld(NamedTuple):
    """Why no fix may be offered at a place of the module (None: nothing forbids it)."""

    any_fix: str | None = None  # no fix at all
    backend_fix: str | None = None  # no fix that names an async library


@dataclass(frozen=True, slots=True)
class Guard:
    """A ``try`` around the code (the types its handlers catch; None for a bare ``except:``) or a
    ``with`` around it (its manager, which may catch or expect an error: ``pytest.raises(E)``)."""

    catches: tuple[ast.expr | None, ...]
    manager: ast.expr | None


_CONTEXTS = frozenset(ast.expr_context.__subclasses__())
# Node types without child nodes (operators, contexts, constants, ...).
_ATOMS = frozenset(
    [ast.Constant, ast.Pass, ast.Break, ast.Continue, ast.alias, *_CONTEXTS]
    + [t for base in (ast.operator, ast.boolop, ast.unaryop, ast.cmpop) for t in base.__subclasses__()]
)

_STATIC_DECORATORS = {"staticmethod": "staticmethod", "classmethod": "classmethod",
                      "property": "property", "cached_property": "property"}


class Analysis:
    """The walk of one module. Checkers read its state; only it changes it."""

    def __init__(self, tree: ast.Module, settings: Settings, checker_classes, report: Callable | None = None,
                 project=None, source: str | None = None, backend: str | None = None,
                 enabled: frozenset[str] | None = None, backend_unsure: str | None = None,
                 summarize: bool = False):
        self.tree = tree
        self.enabled = enabled  # the codes reported in this file (None: every code)
        self.source = source  # the module's text, when known: see is_generator
        self._yield_lines: list[int] | None = None
        self.project = project  # project.ModuleContext when other modules can be consulted
        self.settings = settings
        # Takes each rules.Finding the checkers make (None: they are dropped, as when only summarising).
        self.emit = report or _drop
        self.backend_unsure = backend_unsure  # why a fix must not rely on ``backend`` (module_backend)
        self.sync_callbacks: list[ast.FunctionDef] = []  # sync functions the event loop calls (their decorators say)
        self._workers: frozenset[str] | None = None  # see _thread_workers
        self.extra_blocking = _extra_rows(settings)
        self.backend = backend or settings.backend or backend_of(tree)
        self.scopes: list[Scope] = [Scope("module", tree, on_loop=False)]
        self._classes: list[ClassInfo] = []  # every class met, for close()
        self.parents: list[ast.AST] = []
        self.values = Resolver(self, settings)
        # The questions checkers ask, answered by the resolver.
        self.resolve = self.values.resolve
        self.callee, self.callee_key = self.values.callee, self.values.callee_key
        self.annotation_value = self.values.annotation_value
        self.blocking = BlockingCalls(self)
        self.imports = FirstImports(self)
        self.coroutines = CoroutineCalls(self)
        # The module's summary, written when the module is summarised for others (``summarize``)
        # or a checker reads it; only where other modules can be consulted.
        summarize = project is not None and (summarize or any(c.reads_summary for c in checker_classes))
        self.summarizer = Summarizer(self) if summarize else None
        self.checkers = [cls(self) for cls in checker_classes]
        self.skip_sync_bodies = SKIP_SYNC_BODIES and not summarize and all(c.on_loop_only for c in self.checkers)
        # The facts of the analysis come first: checkers read them, whichever checkers run.
        self.hooks: dict[type, list[Callable]] = {ast.Call: [self.blocking.visit_call],
                                                  ast.Yield: [self._yield], ast.YieldFrom: [self._yield]}
        for node_type, method in self.summarizer.hooks() if summarize else ():
            self.hooks.setdefault(node_type, []).append(method)
        for chk in self.checkers:
            for node_type, method in chk.handlers():
                self.hooks.setdefault(node_type, []).append(method)
        self._walkers = {
            ast.Import: self._import, ast.ImportFrom: self._import_from,
            ast.FunctionDef: self._function_def, ast.AsyncFunctionDef: self._function_def,
            ast.ClassDef: self._class_def, ast.Lambda: self._lambda,
            ast.Assign: self._assign, ast.AnnAssign: self._ann_assign, ast.AugAssign: self._aug_assign,
            ast.With: self._with, ast.AsyncWith: self._with,
            ast.For: self._for, ast.AsyncFor: self._for, ast.If: self._if, ast.BoolOp: self._bool_op,
            ast.ListComp: self._comprehension, ast.SetComp: self._comprehension,
            ast.DictComp: self._comprehension, ast.GeneratorExp: self._comprehension,
            ast.NamedExpr: self._named_expr, ast.ExceptHandler: self._except_handler,
            ast.Global: self._global, ast.Nonlocal: self._global,
            ast.Expr: self._expression_statement,
        }
        if any(c.reads_uses for c in self.checkers):
            self._walkers[ast.Name] = self._name
        # Nodes that can hold nothing a walker or a hook wants: the walk returns at once.
        self._inert = {t for t in _ATOMS if t not in self.hooks and t not in self._walkers}
        if ast.Name not in self.hooks and ast.Name not in self._walkers and _CONTEXTS <= self._inert:
            self._inert.add(ast.Name)  # its only child node is its context

    def __enter__(self) -> "Analysis":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        """Let go of the tree and of everything made from it; the analysis is unusable after.

        The analysis and its checkers and resolver point at each other, and a class's scopes hold
        the class: left to the cyclic collector, every tree of a run would outlive its walk, be
        promoted to the oldest generation, and be traversed again by each later collection (a
        third of a cold run's CPU, measured). Broken here, reference counting frees it all now.
        """
        for info in self._classes:
            info.scopes, info.body_scope = [], None
            info.attr_cache.clear()  # may hold an instance of the class itself
        vars(self).clear()  # checkers, resolver, hooks: whatever may point back here

    # -- the walk --------------------------------------------------------------------------------

    def run(self) -> None:
        self.walk_body(self.tree.body)
        self._walk_deferred(self.scopes[-1])
        self._finish()

    def _finish(self) -> None:
        """The module is walked (its bodies left for later, by run_lazily, aside): the facts are
        made final, then the checkers report what is left."""
        if self.summarizer is not None:
            self.summarizer.finish()
        for chk in self.checkers:
            chk.finish()

    def walk(self, node: ast.AST) -> None:
        kind = type(node)
        if kind in self._inert:
            return
        hooks = self.hooks.get(kind)
        if hooks:
            for hook in hooks:
                hook(node)
        walker = self._walkers.get(kind)
        self.parents.append(node)
        try:
            if walker is not None:
                walker(node)
            else:  # the children; inert ones (a third of all nodes) not even called
                walk, inert, AST = self.walk, self._inert, ast.AST
                for name in node._fields:
                    value = getattr(node, name, None)
                    if type(value) is list:
                        for item in value:
                            if type(item) not in inert and isinstance(item, AST):
                                walk(item)
                    elif type(value) not in inert and isinstance(value, AST):
                        walk(value)
        finally:
            self.parents.pop()

    def walk_body(self, nodes) -> None:
        for node in nodes:
            self.walk(node)

    @property
    def classes(self) -> list[ClassInfo]:
        """Every class met so far in the walk."""
        return self._classes

    @property
    def scope(self) -> Scope:
        return self.scopes[-1]

    @property
    def on_loop(self) -> bool:
        """Whether code at the current point of the walk runs on the event loop."""
        return self.scopes[-1].on_loop

    @property
    def function(self) -> Scope | None:
        """The innermost function scope, if any (comprehensions and classes are skipped)."""
        for scope in reversed(self.scopes):
            if scope.kind in ("function", "lambda"):
                return scope
            if scope.kind == "module":
                return None
        return None

    def guards(self, node: ast.AST) -> Iterator[Guard]:
        """What may catch an error raised by ``node`` (the node being visited), innermost first,
        up to the enclosing function: each ``try`` whose body holds it, each ``with`` around it."""
        parents = self.parents
        for index in range(len(parents) - 1, -1, -1):
            parent = parents[index]
            if isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                return
            if isinstance(parent, (ast.With, ast.AsyncWith)):
                for item in parent.items:
                    yield Guard((), item.context_expr)
            elif isinstance(parent, TRY_STATEMENTS) and parent.handlers:
                child = parents[index + 1] if index + 1 < len(parents) else node
                if any(child is statement for statement in parent.body):
                    yield Guard(tuple(handler.type for handler in parent.handlers), None)

    def _yield(self, node: ast.Yield | ast.YieldFrom) -> None:
        scope = self.function
        if scope is not None and scope.func is not None:
            scope.func.yields = True

    def is_generator(self, func: FuncDef) -> bool:
        """Whether calling ``func`` makes a generator: the fact its walk found, else (its body is
        not walked yet) a look at its own statements, only when its lines hold the word at all."""
        if func.walked:
            return func.yields
        node = func.node
        if self.source is not None and "\r" not in self.source:  # (ast counts a lone \r as a line break)
            if self._yield_lines is None:
                self._yield_lines = _lines_with(self.source, "yield")
            first = bisect.bisect_left(self._yield_lines, node.lineno)
            if first == len(self._yield_lines) or self._yield_lines[first] > node.end_lineno:
                return False
        return any(isinstance(n, (ast.Yield, ast.YieldFrom)) for n in walk_body(node.body))

    def _push(self, kind: str, node, on_loop: bool, **extra) -> Scope:
        scope = Scope(kind, node, on_loop, **extra)
        self.scopes.append(scope)
        self.values.forget_callees()
        return scope

    def _pop(self) -> None:
        self.scopes.pop()
        self.values.forget_callees()

    def run_lazily(self) -> dict[str, list[Callable[[], None]]]:
        """``run``, but the bodies of the module's functions and methods that define no nested
        function or class are left: for each qualified name, the walks of its bodies (in the
        order of the module), to be called when what they find is first asked for. The scopes
        they see are final by then, as they are for ``run``'s deferred walks; the nested ones
        are walked now, so that every class and function name of the module is known."""
        self.walk_body(self.tree.body)
        deferred, self.scopes[-1].deferred = self.scopes[-1].deferred, []
        nesting = {entry[2].qualname for entry in deferred if defines_scopes(entry[0])}
        later: dict[str, list[Callable[[], None]]] = {}
        for entry in deferred:
            if entry[2].qualname in nesting:
                self._walk_function(entry)
            else:
                later.setdefault(entry[2].qualname, []).append(partial(self._walk_function, entry))
        self._finish()
        return later

    def _walk_deferred(self, owner: Scope) -> None:
        """Walk the bodies of the functions defined in ``owner`` (which is now complete)."""
        while owner.deferred:
            self._walk_function(owner.deferred.pop(0))

    def _walk_function(self, entry: tuple) -> None:
        """Walk a function's body (deferred when it was defined), then the functions it defines."""
        node, chain, func = entry
        saved_scopes, saved_parents = self.scopes, self.parents
        self.scopes, self.parents = list(chain), [node]
        on_loop = (func.is_async and not func.in_thread) or func.loop_callback
        scope = self._push("function", node, on_loop=on_loop, func=func)
        if on_loop or not self.skip_sync_bodies or defines_scopes(node):
            self._bind_parameters(node, chain, func)
            self.walk_body(node.body)
            func.walked = True
        if self.summarizer is not None:
            self.summarizer.leave_function(scope)
        for chk in self.checkers:
            chk.leave_function(scope)
        self._walk_deferred(scope)
        self.scopes, self.parents = saved_scopes, saved_parents
        self.values.forget_callees()

    # -- bindings --------------------------------------------------------------------------------

    def bind(self, name: str, value: Value) -> None:
        self.scopes[-1].bindings[name] = value
        self.values.forget_callees()

    def _binding_scope(self) -> Scope:
        """The scope a name bound here belongs to: comprehensions bind walrus targets outside."""
        for scope in reversed(self.scopes):
            if scope.kind != "comprehension":
                return scope
        return self.scopes[0]

    def bind_target(self, target: ast.AST, value: Value) -> None:
        if isinstance(target, ast.Name):
            self.bind(target.id, value)
        elif isinstance(target, (ast.Tuple, ast.List)):
            # `conn, addr = sock.accept()`: each name gets its item when the items are known.
            items = unpacked(value, len(target.elts)) if not any(
                isinstance(e, ast.Starred) for e in target.elts) else None
            for index, element in enumerate(target.elts):
                self.bind_target(element, items[index] if items else None)
        elif isinstance(target, ast.Starred):
            self.bind_target(target.value, None)
        else:  # attribute or subscript targets bind no name, but their parts are evaluated
            self.walk(target)

    def _import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.asname:
                self.bind(alias.asname, Ref(canonical(alias.name)))
            else:
                top = alias.name.partition(".")[0]
                self.bind(top, Ref(canonical(top)))

    def _import_from(self, node: ast.ImportFrom) -> None:
        module = "." * node.level + (node.module or "")
        for alias in node.names:
            if alias.name == "*":
                continue
            qualified = f"{module}.{alias.name}" if module and not module.endswith(".") else module + alias.name
            self.bind(alias.asname or alias.name, module_attribute(canonical(qualified)))

    def _function_def(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        # Decorators and defaults run now, in the enclosing scope; the body runs later.
        self.walk_body(node.decorator_list)
        self.walk_body(node.args.defaults)
        self.walk_body([d for d in node.args.kw_defaults if d is not None])
        scope = self.scopes[-1]
        func = None
        if scope.kind == "class":
            func = scope.class_info.methods.get(node.name)
        if func is None or func.node is not node:
            func = FuncDef(node.name, node, isinstance(node, ast.AsyncFunctionDef), _function_kind(node, scope),
                           self.qualname_for(node.name))
        func.loop_callback, func.in_thread = self._runs_where(node)
        if func.loop_callback:
            self.sync_callbacks.append(node)
        self.bind(node.name, func)
        owner = next(s for s in reversed(self.scopes) if s.kind in ("function", "module"))
        owner.deferred.append((node, list(self.scopes), func))

    def _runs_where(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[bool, bool]:
        """(a sync function the event loop calls, an async function run in a thread of its own), by
        its decorators (catalog.LOOP_CALLBACK_DECORATORS, THREAD_WORKER_DECORATORS and the settings)
        and by the module's thread-worker registrations of its name."""
        is_async = isinstance(node, ast.AsyncFunctionDef)
        callbacks = catalog.LOOP_CALLBACK_DECORATORS | self.settings.loop_callback_decorators
        loop_callback = in_thread = False
        for decorator in node.decorator_list:
            value = self.resolve(decorator.func if isinstance(decorator, ast.Call) else decorator)
            loop_callback = loop_callback or (not is_async and self.named(value, callbacks))
            worker = catalog.THREAD_WORKER_DECORATORS.get(getattr(value, "name", None))
            in_thread = in_thread or self.named(value, self.settings.thread_runners) or (
                worker is not None and isinstance(decorator, ast.Call) and worker.holds(decorator))
        if not is_async and not loop_callback and self.scopes[-1].kind == "class":
            loop_callback = node.name in self._loop_methods(self.scopes[-1].class_info)
        return loop_callback, is_async and (in_thread or node.name in self._thread_workers())

    def _loop_methods(self, info: ClassInfo, depth: int = 0) -> frozenset[str]:
        """The methods of this class that a framework calls on the event loop: those its base
        classes, here or (through the summaries) in other modules of the project, inherit from
        one of catalog.LOOP_METHODS_OF."""
        if info.loop_methods is None:
            found: set[str] = set()
            for base in info.node.bases if info.node is not None and depth < 20 else ():
                value = self.resolve(base)  # (the class statement's scope: bases are walked there)
                if isinstance(value, ClassRef):
                    found |= self._loop_methods(value.info, depth + 1)
                elif isinstance(value, Ref):
                    found |= catalog.LOOP_METHODS_OF.get(value.name) or self._project_loop_methods(value.name)
            info.loop_methods = frozenset(found)
        return info.loop_methods

    def _project_loop_methods(self, name: str) -> frozenset[str]:
        """The loop methods a class of another project module inherits (its bases, in its summary)."""
        context = self.project
        name = context.absolute(name) if context is not None else name
        found = None
        if context is not None and context.index.has_module(name.partition(".")[0]):
            found = context.index.find_class(name)
        if found is None:
            return frozenset()
        methods = set()
        for summary, owner in context.index.mro(*found):
            for base in summary.classes.get(owner, ()):
                methods |= catalog.LOOP_METHODS_OF.get(base, frozenset())
        return frozenset(methods)

    def named(self, value: Value, names: frozenset[str]) -> bool:
        """Whether what a decorator refers to is one of these qualified names: an imported name, or
        a function of this module (named by the module's path in the project; without a project,
        by the end of a name)."""
        if isinstance(value, FuncDef):
            if self.project is not None:
                return f"{self.project.module}.{value.qualname}" in names
            return any(name == value.qualname or name.endswith("." + value.qualname) for name in names)
        return isinstance(value, Ref) and value.name in names

    def _thread_workers(self) -> frozenset[str]:
        """The names of the functions and methods (``work``, ``self.work``) this module hands to a
        thread worker (``self.run_worker(self.work, thread=True)``) or to a configured thread runner:
        found by name, before the bodies that do it are walked."""
        if self._workers is None:
            runners = {name.rpartition(".")[2] for name in self.settings.thread_runners}
            methods = catalog.THREAD_WORKER_METHODS
            found = set()
            if self.source is None or any(word in self.source for word in (*methods, *runners)):
                for call in ast.walk(self.tree):
                    if not isinstance(call, ast.Call):
                        continue
                    called = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", None)
                    worker = methods.get(called)
                    if worker is not None and worker[1].holds(call) and worker[0] < len(call.args):
                        found.add(call.args[worker[0]])
                    elif called in runners and call.args:
                        found.add(call.args[0])
            self._workers = frozenset(
                arg.id if isinstance(arg, ast.Name) else arg.attr for arg in found
                if isinstance(arg, ast.Name) or (isinstance(arg, ast.Attribute) and isinstance(arg.value, ast.Name)))
        return self._workers

    def fix_withheld_at(self, node: ast.AST) -> FixWithheld:
        """Why a finding at ``node`` may not offer a fix: in a sync loop callback none (a sync
        function cannot await); where the module's async library is not known for sure, none that
        names one."""
        in_callback = any(f.lineno <= node.lineno <= f.end_lineno for f in self.sync_callbacks)
        return FixWithheld(SYNC_CALLBACK if in_callback else None, self.backend_unsure)

    def _bind_parameters(self, node, chain: list[Scope], func: FuncDef) -> None:
        args = node.args
        positional = args.posonlyargs + args.args
        in_class = chain[-1].kind == "class"
        fixtures = self.values.takes_fixtures(func)
        for index, arg in enumerate(positional + args.kwonlyargs):
            if arg.annotation is not None:
                value = self.annotation_value(arg.annotation)
            else:  # pytest passes a test's or a fixture's parameters by name
                value = self.values.fixture_value(arg.arg) if fixtures else None
            if in_class and index == 0 and arg in positional and func.kind in ("method", "property"):
                value = Instance(chain[-1].class_info)
            elif in_class and index == 0 and arg in positional and func.kind == "classmethod":
                value = ClassRef(chain[-1].class_info)
            self.bind(arg.arg, value)
        for arg in (args.vararg, args.kwarg):
            if arg is not None:
                self.bind(arg.arg, None)

    def _class_def(self, node: ast.ClassDef) -> None:
        self.walk_body(node.decorator_list)
        self.walk_body(node.bases)
        self.walk_body(node.keywords)
        info = ClassInfo(node.name, list(self.scopes), qualname=self.qualname_for(node.name), node=node)
        self._classes.append(info)
        for stmt in node.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                kind = _function_kind(stmt, self.scopes[-1], in_class=True)
                info.methods[stmt.name] = FuncDef(stmt.name, stmt, isinstance(stmt, ast.AsyncFunctionDef), kind,
                                                  f"{info.qualname}.{stmt.name}")
        self.bind(node.name, ClassRef(info))
        info.body_scope = self._push("class", node, self.on_loop, class_info=info)
        try:
            self.walk_body(node.body)
        finally:
            self._pop()

    def qualname_for(self, name: str) -> str:
        """The qualified name a function or class named ``name`` defined here gets."""
        for scope in reversed(self.scopes):
            if scope.kind == "class":
                return f"{scope.class_info.qualname}.{name}"
            if scope.kind == "function":
                return f"{scope.func.qualname}.<locals>.{name}"
            if scope.kind == "lambda":
                return f"<lambda>.<locals>.{name}"
        return name

    def _lambda(self, node: ast.Lambda) -> None:
        self.walk_body(node.args.defaults)
        self.walk_body([d for d in node.args.kw_defaults if d is not None])
        self._push("lambda", node, on_loop=False)
        try:
            for arg in node.args.posonlyargs + node.args.args + node.args.kwonlyargs:
                self.bind(arg.arg, None)
            self.walk(node.body)
        finally:
            self._pop()

    def _comprehension(self, node) -> None:
        generators = node.generators
        # The first iterable is evaluated in the enclosing scope.
        self.walk(generators[0].iter)
        self._push("comprehension", node, self.on_loop)
        try:
            for index, gen in enumerate(generators):
                if index:
                    self.walk(gen.iter)
                self.bind_target(gen.target, element_of(self.resolve(gen.iter)) if not gen.is_async else None)
                self.walk_body(gen.ifs)
            if isinstance(node, ast.DictComp):
                self.walk(node.key)
                self.walk(node.value)
            else:
                self.walk(node.elt)
        finally:
            self._pop()

    def _assign(self, node: ast.Assign) -> None:
        self.walk(node.value)
        value = self.resolve(node.value)
        for target in node.targets:
            self.bind_target(target, value)

    def _ann_assign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.walk(node.value)
            value = self.resolve(node.value)
            if value is None or isinstance(value, Instance) and isinstance(value.type, str) \
                    and value.type not in catalog.KNOWN_TYPES:  # a guess (a call of unknown result)
                value = self.annotation_value(node.annotation) or value
        else:
            value = self.annotation_value(node.annotation)
        if node.value is not None or self.scope.kind in ("class", "function"):
            self.bind_target(node.target, value)

    def _aug_assign(self, node: ast.AugAssign) -> None:
        self.walk(node.value)
        self.walk(node.target)
        if isinstance(node.target, ast.Name):
            # `flags |= socket.AI_NUMERICHOST`: the flags it held are still among them.
            value = union_of_flags(self.resolve(node.target), self.resolve(node.value)) if type(
                node.op) is ast.BitOr else None
            self.bind(node.target.id, value)

    def _named_expr(self, node: ast.NamedExpr) -> None:
        self.walk(node.value)
        self._binding_scope().bindings[node.target.id] = self.resolve(node.value)
        self.values.forget_callees()

    def _with(self, node: ast.With | ast.AsyncWith) -> None:
        for item in node.items:
            self.walk(item.context_expr)
            if item.optional_vars is not None:
                self.bind_target(item.optional_vars, self.values.entered(item.context_expr, isinstance(node, ast.AsyncWith)))
        self.walk_body(node.body)

    def _for(self, node: ast.For | ast.AsyncFor) -> None:
        self.walk(node.iter)
        # `for t in threads:` over a container of known elements binds t to one of them.
        self.bind_target(node.target, element_of(self.resolve(node.iter)) if isinstance(node, ast.For) else None)
        self.walk_body(node.body)
        self.walk_body(node.orelse)

    def _if(self, node: ast.If) -> None:
        """``if isinstance(x, T):`` (or ``type(x) is T``): in the branch the test makes true, x is
        an object of T (an async sibling class's methods are not the sync one's). After ``if not
        isinstance(x, T): return``, x is one for the rest of the block."""
        self.walk(node.test)
        narrowed, negated = self.values.narrowing(node.test)
        if narrowed is None:
            self.walk_body(node.body)
            self.walk_body(node.orelse)
            return
        name, value = narrowed
        for branch, narrows in ((node.body, not negated), (node.orelse, negated)):
            if narrows:
                with self._narrowed(name, value):
                    self.walk_body(branch)
            else:
                self.walk_body(branch)
        if negated and not node.orelse and node.body and isinstance(node.body[-1], _EXITS):
            self.bind(name, value)  # `if not isinstance(x, T): return`

    def _bool_op(self, node: ast.BoolOp) -> None:
        """``isinstance(x, T) and x.method()``: the operands after the test see x narrowed."""
        with ExitStack() as narrowings:
            for operand in node.values:
                self.walk(operand)
                narrowed, negated = self.values.narrowing(operand) if isinstance(node.op, ast.And) else (None, False)
                if narrowed is not None and not negated:
                    narrowings.enter_context(self._narrowed(*narrowed))

    @contextmanager
    def _narrowed(self, name: str, value: Value):
        """Meanwhile ``name`` is bound to ``value``; after, to what it was, unless the code
        meanwhile bound it again."""
        scope = self.scopes[-1]
        held = scope.bindings.get(name, _UNBOUND)
        self.bind(name, value)
        yield
        if scope.bindings.get(name) is value:
            if held is _UNBOUND:
                del scope.bindings[name]
            else:
                scope.bindings[name] = held
            self.values.forget_callees()

    def _except_handler(self, node: ast.ExceptHandler) -> None:
        if node.type is not None:
            self.walk(node.type)
        if node.name:
            self.bind(node.name, None)
        self.walk_body(node.body)

    def _expression_statement(self, node: ast.Expr) -> None:
        self.walk(node.value)
        call = node.value
        # `sock.setblocking(False)`: from here on the name is an object of unknown behaviour.
        if (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                and isinstance(call.func.value, ast.Name)):
            condition = catalog.NONBLOCKING_MODE.get(self.callee_key(call) or "")
            if condition is not None and condition.holds(call):
                self.bind(call.func.value.id, None)

    def _global(self, node: ast.Global | ast.Nonlocal) -> None:
        # Assignments to these names change another scope: treat them as unknown here.
        self.scopes[-1].declared.update(node.names)
        for name in node.names:
            self.bind(name, None)

    def _name(self, node: ast.Name) -> None:
        """A name read in a function records the use on its binding's function scope."""
        if type(node.ctx) is not ast.Load:
            return
        innermost = self.scopes[-1]
        for scope in reversed(self.scopes):
            if scope.kind == "class" and scope is not innermost:
                continue
            if node.id in scope.bindings:
                if scope.kind == "function":
                    parents = self.parents
                    scope.uses.setdefault(node.id, []).append((node, parents[-2] if len(parents) > 1 else None))
                return

    def lookup(self, name: str) -> Value:
        innermost = self.scopes[-1]
        for scope in reversed(self.scopes):
            if scope.kind == "class" and scope is not innermost:
                continue  # class bodies are not enclosing scopes for the functions inside them
            if name in scope.bindings:
                return scope.bindings[name]
        if name in BUILTIN_NAMES:
            return Ref("builtins." + name)
        return None


_UNBOUND = object()
_EXITS = (ast.Return, ast.Raise, ast.Continue, ast.Break)


def _drop(finding) -> None:
    pass


def _lines_with(source: str, word: str) -> list[int]:
    """The numbers of the lines on which ``word`` occurs, in order."""
    lines, line, position = [], 1, 0
    for match in re.finditer(rf"\b{word}\b", source):
        line += source.count("\n", position, match.start())
        position = match.start()
        if not lines or lines[-1] != line:
            lines.append(line)
    return lines


def _function_kind(node, scope: Scope, in_class: bool = False) -> str:
    if not (in_class or scope.kind == "class"):
        return "function"
    for decorator in node.decorator_list:
        name = decorator.id if isinstance(decorator, ast.Name) else getattr(decorator, "attr", None)
        if name in _STATIC_DECORATORS:
            return _STATIC_DECORATORS[name]
    return "method"


def backend_of(tree: ast.Module) -> str:
    """The async library a module is written for, from its top-level imports."""
    return _imported_backend(tree) or "asyncio"


def _imported_backend(tree: ast.Module) -> str | None:
    imported: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            imported.update(alias.name.partition(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            imported.add(node.module.partition(".")[0])
    if "anyio" in imported:
        return "anyio"
    if "trio" in imported and "asyncio" not in imported:
        return "trio"
    return "asyncio" if "asyncio" in imported else None


def module_backend(tree: ast.Module, path: str, settings: Settings) -> tuple[str, str | None]:
    """The async library the module at ``path`` runs on, and why a fix must not rely on it (None
    when it may). The setting ``backend`` says; else the module's imports; else the package it is
    part of (trio's and anyio's own modules import their library relatively: a fix importing it
    there could run while the package is still being imported); else asyncio, unless the project
    also declares trio or anyio: then the module may run on either, and a fix written for one
    (``await asyncio.to_thread(...)``) fails on the other."""
    if settings.backend:
        return settings.backend, None
    imported = _imported_backend(tree)
    if imported:
        return imported, None
    package = dependencies.top_package(path)
    if package in dependencies.ASYNC_LIBRARIES:
        return package, f"a module of {package} itself: a fix would import {package} inside {package}"
    others = dependencies.declared_async_libraries(settings.project_root or dependencies.project_root_of(path))
    if not others:
        return "asyncio", None
    return "asyncio", (f"the module imports no async library and the project uses {' and '.join(sorted(others))}: "
                       f"set `backend` in [tool.asynclint]")


def _extra_rows(settings: Settings) -> dict[str, catalog.Blocking]:
    return {
        name: catalog.Blocking("ASL100", catalog.Use.everywhere(f"`{replacement}`"), fix_kind=None)
        for name, replacement in settings.extra_blocking.items()
    }


