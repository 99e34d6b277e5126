"""One walk over a module's AST: scopes, bindings and what names refer to.

The walk keeps a stack of scopes as pyflakes does. Function bodies are walked after
the scope that defines them is complete (they run later, when every module-level name
has its final binding), class bodies at once. Checkers registered for a node type are
called before the node's children are walked; they ask this object two questions:
does this code run on the event loop (``on_loop``), and what does this expression
refer to (``resolve``, ``callee_key``).
"""

from __future__ import annotations

import ast
import builtins
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Union

from asynclint import catalog
from asynclint.model import Settings

BUILTIN_NAMES = frozenset(dir(builtins))
# Skip the bodies of sync functions that define no nested function or class, when every
# enabled checker reports only code on the event loop (``Checker.on_loop_only``): nothing in
# such a body runs on the loop or can define something that does. Tests turn it off to
# prove that the skip loses no finding (tests/test_prefilter.py).
SKIP_SYNC_BODIES = True


@dataclass(frozen=True, slots=True)
class Ref:
    """A module, function, class or method known by its qualified name."""

    name: str


@dataclass(frozen=True, slots=True)
class Instance:
    """An object of a catalog type (a str) or of a class defined in this module."""

    type: Union[str, "ClassInfo"]
    # True when the call that made it was itself reported: its methods then are not.
    reported: bool = False


@dataclass(eq=False, slots=True)
class FuncDef:
    """A function defined in this module."""

    name: str
    node: ast.FunctionDef | ast.AsyncFunctionDef
    is_async: bool
    kind: str = "function"  # "function", "method", "staticmethod", "classmethod", "property"
    qualname: str = ""  # as Python spells it: "Class.method", "outer.<locals>.inner"


@dataclass(eq=False, slots=True)
class ClassInfo:
    name: str
    scopes: list  # the scope chain the class statement ran in
    methods: dict[str, FuncDef] = field(default_factory=dict)
    # attribute -> (value expression or None, annotation or None, method that assigns it)
    attr_sources: dict[str, tuple] = field(default_factory=dict)
    attr_cache: dict[str, object] = field(default_factory=dict)
    untyped_attrs: set[str] = field(default_factory=set)  # attributes never to type
    body_scope: "Scope | None" = None
    qualname: str = ""
    node: ast.ClassDef | None = None
    # attr_sources is filled on first use (most classes are never asked about an attribute).
    attrs_collected: bool = False


@dataclass(frozen=True, slots=True)
class ClassRef:
    info: ClassInfo


Value = Union[Ref, Instance, FuncDef, ClassRef, None]


class Scope:
    __slots__ = ("kind", "node", "bindings", "on_loop", "deferred", "class_info", "func")

    def __init__(self, kind: str, node: ast.AST | None, on_loop: bool, class_info=None, func=None):
        self.kind = kind  # "module", "class", "function", "lambda", "comprehension"
        self.node = node
        self.bindings: dict[str, Value] = {}
        self.on_loop = on_loop
        self.deferred: list = []  # function bodies to walk once this scope is complete
        self.class_info = class_info
        self.func: FuncDef | None = func


_MODE_METHODS = frozenset(key.rpartition(".")[2] for key in catalog.NONBLOCKING_MODE)
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

    def __init__(self, tree: ast.Module, settings: Settings, checker_classes, report: Callable,
                 project=None):
        self.tree = tree
        self.project = project  # project.ModuleContext when other modules can be consulted
        self.settings = settings
        self.report = report  # report(node, code, message, fix=<the rule's>, fix_kind=None, target=None, fix_reason=None)
        self.extra_blocking = _extra_rows(settings)
        self.extra_types = _extra_types(settings)
        self.backend = settings.backend or _backend_of(tree)
        self.scopes: list[Scope] = [Scope("module", tree, on_loop=False)]
        self.parents: list[ast.AST] = []
        self.reported_calls: set[int] = set()
        self.checkers = [cls(self) for cls in checker_classes]
        self.skip_sync_bodies = SKIP_SYNC_BODIES and all(c.on_loop_only for c in self.checkers)
        self.hooks: dict[type, list[Callable]] = {}
        for chk in self.checkers:
            for node_type, method in chk.handlers():
                self.hooks.setdefault(node_type, []).append(method)
        self._walkers = {
            ast.Import: self._import, ast.ImportFrom: self._import_from,
            ast.FunctionDef: self._function_def, ast.AsyncFunctionDef: self._function_def,
            ast.ClassDef: self._class_def, ast.Lambda: self._lambda,
            ast.Assign: self._assign, ast.AnnAssign: self._ann_assign, ast.AugAssign: self._aug_assign,
            ast.With: self._with, ast.AsyncWith: self._with,
            ast.For: self._for, ast.AsyncFor: self._for,
            ast.ListComp: self._comprehension, ast.SetComp: self._comprehension,
            ast.DictComp: self._comprehension, ast.GeneratorExp: self._comprehension,
            ast.NamedExpr: self._named_expr, ast.ExceptHandler: self._except_handler,
            ast.Global: self._global, ast.Nonlocal: self._global,
            ast.Expr: self._expression_statement,
        }
        # Nodes that can hold nothing a walker or a hook wants: the walk returns at once.
        self._inert = {t for t in _ATOMS if t not in self.hooks and t not in self._walkers}
        if ast.Name not in self.hooks and ast.Name not in self._walkers and _CONTEXTS <= self._inert:
            self._inert.add(ast.Name)  # its only child node is its context

    # -- the walk --------------------------------------------------------------------------------

    def run(self) -> None:
        self.walk_body(self.tree.body)
        self._walk_deferred(self.scopes[-1])
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
            else:
                walk, AST = self.walk, ast.AST
                for name in node._fields:
                    value = getattr(node, name, None)
                    if type(value) is list:
                        for item in value:
                            if isinstance(item, AST):
                                walk(item)
                    elif isinstance(value, AST):
                        walk(value)
        finally:
            self.parents.pop()

    def walk_body(self, nodes) -> None:
        for node in nodes:
            self.walk(node)

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

    def parent(self, depth: int = 1) -> ast.AST | None:
        """The ancestor ``depth`` levels above the node being visited (1: its parent)."""
        index = len(self.parents) - 1 - depth
        return self.parents[index] if index >= 0 else None

    def _push(self, kind: str, node, on_loop: bool, **extra) -> Scope:
        scope = Scope(kind, node, on_loop, **extra)
        self.scopes.append(scope)
        return scope

    def _walk_deferred(self, owner: Scope) -> None:
        """Walk the bodies of the functions defined in ``owner`` (which is now complete)."""
        while owner.deferred:
            node, chain, func = owner.deferred.pop(0)
            saved_scopes, saved_parents = self.scopes, self.parents
            self.scopes, self.parents = list(chain), [node]
            scope = self._push("function", node, on_loop=func.is_async, func=func)
            if func.is_async or not self.skip_sync_bodies or _defines_scopes(node):
                self._bind_parameters(node, chain, func)
                self.walk_body(node.body)
            for chk in self.checkers:
                chk.leave_function(scope)
            self._walk_deferred(scope)
            self.scopes, self.parents = saved_scopes, saved_parents

    # -- bindings --------------------------------------------------------------------------------

    def bind(self, name: str, value: Value) -> None:
        self.scopes[-1].bindings[name] = value

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
            for element in target.elts:
                self.bind_target(element, None)
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
        self.bind(node.name, func)
        owner = next(s for s in reversed(self.scopes) if s.kind in ("function", "module"))
        owner.deferred.append((node, list(self.scopes), func))

    def _bind_parameters(self, node, chain: list[Scope], func: FuncDef) -> None:
        args = node.args
        positional = args.posonlyargs + args.args
        in_class = chain[-1].kind == "class"
        for index, arg in enumerate(positional + args.kwonlyargs):
            value = self.annotation_value(arg.annotation) if arg.annotation is not None else None
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
            self.scopes.pop()

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
            self.scopes.pop()

    def _comprehension(self, node) -> None:
        generators = node.generators
        # The first iterable is evaluated in the enclosing scope.
        self.walk(generators[0].iter)
        self._push("comprehension", node, self.on_loop)
        try:
            for index, gen in enumerate(generators):
                if index:
                    self.walk(gen.iter)
                self.bind_target(gen.target, None)
                self.walk_body(gen.ifs)
            if isinstance(node, ast.DictComp):
                self.walk(node.key)
                self.walk(node.value)
            else:
                self.walk(node.elt)
        finally:
            self.scopes.pop()

    def _assign(self, node: ast.Assign) -> None:
        self.walk(node.value)
        value = self.resolve(node.value)
        for target in node.targets:
            self.bind_target(target, value)

    def _ann_assign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.walk(node.value)
            value = self.resolve(node.value) or self.annotation_value(node.annotation)
        else:
            value = self.annotation_value(node.annotation)
        if node.value is not None or self.scope.kind in ("class", "function"):
            self.bind_target(node.target, value)

    def _aug_assign(self, node: ast.AugAssign) -> None:
        self.walk(node.value)
        self.walk(node.target)
        if isinstance(node.target, ast.Name):
            self.bind(node.target.id, None)

    def _named_expr(self, node: ast.NamedExpr) -> None:
        self.walk(node.value)
        self._binding_scope().bindings[node.target.id] = self.resolve(node.value)

    def _with(self, node: ast.With | ast.AsyncWith) -> None:
        for item in node.items:
            self.walk(item.context_expr)
            if item.optional_vars is not None:
                # Context managers of catalog types return themselves from __enter__.
                value = self.resolve(item.context_expr) if isinstance(node, ast.With) else None
                self.bind_target(item.optional_vars, value)
        self.walk_body(node.body)

    def _for(self, node: ast.For | ast.AsyncFor) -> None:
        self.walk(node.iter)
        self.bind_target(node.target, None)
        self.walk_body(node.body)
        self.walk_body(node.orelse)

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
        for name in node.names:
            self.bind(name, None)

    # -- resolution ------------------------------------------------------------------------------

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

    def resolve(self, expr: ast.AST) -> Value:
        """What an expression refers to, as far as imports, bindings and the catalog tell."""
        kind = type(expr)
        if kind is ast.Name:
            return self.lookup(expr.id)
        if kind is ast.Attribute:
            return self.attribute(self.resolve(expr.value), expr.attr)
        if kind is ast.Call:
            return self.call_result(expr)
        if kind is ast.NamedExpr:
            return self.resolve(expr.value)
        if kind is ast.Await:
            return self._offloaded_result(expr.value)
        if kind is ast.BinOp and isinstance(expr.op, ast.Div):
            left = self.resolve(expr.left)
            if isinstance(left, Instance) and left.type == "pathlib.Path":
                return Instance("pathlib.Path")
        if kind is ast.Subscript:
            base = self.resolve(expr.value)
            if isinstance(base, Instance) and isinstance(base.type, str):
                return _instance_of(catalog.RETURNS.get(base.type + ".__getitem__"))
        return None

    def attribute(self, base: Value, attr: str) -> Value:
        if isinstance(base, Ref):
            return module_attribute(canonical(f"{base.name}.{attr}"))
        if isinstance(base, Instance):
            if isinstance(base.type, ClassInfo):
                return self.class_attribute(base.type, attr, instance=True)
            key = f"{base.type}.{attr}"
            produced = catalog.ATTRIBUTES.get(key) or (
                None if key in catalog.BLOCKING or key in catalog.RETURNS else catalog.ATTRIBUTES.get(base.type + ".*"))
            return Instance(produced) if produced else Ref(key)
        if isinstance(base, ClassRef):
            return self.class_attribute(base.info, attr, instance=False)
        if base is None and attr in catalog.DISTINCTIVE_METHODS:
            return Ref(f"{catalog.DISTINCTIVE_METHODS[attr]}.{attr}")
        return None

    def class_attribute(self, info: ClassInfo, attr: str, instance: bool) -> Value:
        method = info.methods.get(attr)
        if method is not None:
            if instance and method.kind == "property":  # `self.session` -> what the getter returns
                return self._returned(method, info.scopes)
            return method
        if not info.attrs_collected:
            info.attrs_collected = True
            for stmt in info.node.body if info.node is not None else ():
                if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    _collect_self_attributes(stmt, info)
        if attr in info.attr_cache or attr in info.untyped_attrs:
            return info.attr_cache.get(attr)
        info.attr_cache[attr] = None  # guards against self-referential attributes
        value = None
        if info.body_scope is not None and attr in info.body_scope.bindings:
            value = info.body_scope.bindings[attr]
        elif attr in info.attr_sources:
            expr, annotation, method_node = info.attr_sources[attr]
            with self._within(info.scopes):
                if expr is not None:
                    value = self.resolve(expr)
                    if value is None and isinstance(expr, ast.Name):
                        annotation = _parameter_annotation(method_node, expr.id) or annotation
                if value is None and annotation is not None:
                    value = self.annotation_value(annotation)
        info.attr_cache[attr] = value
        return value

    def call_result(self, call: ast.Call) -> Value:
        func = call.func
        receiver = None
        if isinstance(func, ast.Attribute):  # resolve the receiver once: chains stay linear
            receiver = self.resolve(func.value)
            callee = self.attribute(receiver, func.attr)
        else:
            callee = self.resolve(func)
        if isinstance(callee, Ref):
            produced = catalog.RETURNS.get(callee.name) or self.extra_types.get(callee.name)
            special = catalog.RETURNS_WHEN.get(callee.name)
            if special is not None and special[0].holds(call, self.resolve):
                produced = special[1]
            if produced is not None:
                # What a method of an object whose creation was reported returns is covered too.
                reported = id(call) in self.reported_calls or (
                    isinstance(receiver, Instance) and receiver.reported)
                return Instance(produced, reported=reported)
            if not callee.name.startswith("builtins."):
                # Perhaps a class of another module of the project: its methods are then
                # "module.Class.method", which project-wide analysis can resolve.
                return Instance(callee.name)
        elif isinstance(callee, ClassRef):
            return Instance(callee.info)
        elif isinstance(callee, FuncDef) and not callee.is_async:
            return self._returned(callee, self.scopes)
        return None

    def _returned(self, func: FuncDef, scopes: list) -> Value:
        """An instance of the type a local function's return annotation names (``-> Session``)."""
        if func.node.returns is None:
            return None
        with self._within(scopes):
            return self.annotation_value(func.node.returns)

    @contextmanager
    def _within(self, scopes: list[Scope]):
        """Resolve names as the code of another place sees them (a method, a function's signature)."""
        saved, self.scopes = self.scopes, scopes
        try:
            yield
        finally:
            self.scopes = saved

    def _offloaded_result(self, call: ast.AST) -> Value:
        """``await asyncio.to_thread(f, ...)`` gives what ``f(...)`` gives: after the fixer wraps
        ``conn = sqlite3.connect(p)`` in a thread, ``conn.execute()`` is still a blocking call."""
        if isinstance(call, ast.Call) and call.args and self.callee_key(call) in catalog.TO_THREAD:
            inner = self.resolve(call.args[0])
            if isinstance(inner, Ref):
                return _instance_of(catalog.RETURNS.get(inner.name))
        return None

    def callee_key(self, call: ast.Call) -> str | None:
        """The qualified name a call's callee resolves to, or None when unknown."""
        callee = self.resolve(call.func)
        return callee.name if isinstance(callee, Ref) else None

    def annotation_value(self, annotation: ast.AST) -> Value:
        """An instance of the annotated type, when the type is a catalog type or a local class."""
        if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
            try:
                annotation = ast.parse(annotation.value, mode="eval").body
            except (SyntaxError, ValueError):  # ValueError: a lone surrogate, as in "\\ud800"
                return None
        if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
            return self.annotation_value(annotation.left) or self.annotation_value(annotation.right)
        if isinstance(annotation, ast.Subscript):
            outer = self.resolve(annotation.value)
            if isinstance(outer, Ref) and outer.name in ("typing.Optional", "typing.Annotated"):
                inner = annotation.slice
                if isinstance(inner, ast.Tuple) and inner.elts:
                    inner = inner.elts[0]
                return self.annotation_value(inner)
            return None
        target = self.resolve(annotation)
        if isinstance(target, Ref):
            if target.name in catalog.KNOWN_TYPES or target.name in self.extra_types:
                return Instance(target.name)
            # A class whose instances the catalog knows under another name (ThreadPoolExecutor).
            produced = catalog.RETURNS.get(target.name)
            if produced is not None and target.name.rpartition(".")[2][:1].isupper():
                return Instance(produced)
        elif isinstance(target, ClassRef):
            return Instance(target.info)
        return None


def canonical(name: str) -> str:
    """The catalog's spelling of a qualified name (``posixpath.exists`` -> ``os.path.exists``)."""
    if name in catalog.ALIASES:
        return catalog.ALIASES[name]
    head, _, tail = name.rpartition(".")
    if head in catalog.ALIASES:
        return f"{catalog.ALIASES[head]}.{tail}"
    return name


def module_attribute(name: str) -> Value:
    """A name in a module: an object of a catalog type (``sys.stdin``) or a plain reference."""
    produced = catalog.ATTRIBUTES.get(name)
    return Instance(produced) if produced else Ref(name)


def _instance_of(type_name: str | None) -> Value:
    return Instance(type_name) if type_name else None


def _function_kind(node, scope: Scope, in_class: bool = False) -> str:
    if not (in_class or scope.kind == "class"):
        return "function"
    for decorator in node.decorator_list:
        name = decorator.id if isinstance(decorator, ast.Name) else getattr(decorator, "attr", None)
        if name in _STATIC_DECORATORS:
            return _STATIC_DECORATORS[name]
    return "method"


def _collect_self_attributes(method: ast.FunctionDef | ast.AsyncFunctionDef, info: ClassInfo) -> None:
    """Remember ``self.x = value`` and ``self.x: T`` in a method, to type ``self.x`` later."""
    args = method.args.posonlyargs + method.args.args
    if not args:
        return
    self_name = args[0].arg
    for node in _all_statements(method):
        call = node.value if isinstance(node, ast.Expr) else None
        if (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                and call.func.attr in _MODE_METHODS and isinstance(call.func.value, ast.Attribute)
                and isinstance(call.func.value.value, ast.Name) and call.func.value.value.id == self_name
                and any(c.holds(call) for k, c in catalog.NONBLOCKING_MODE.items()
                        if k.rpartition(".")[2] == call.func.attr)):
            # `self.sock.setblocking(False)`: the attribute's methods no longer block.
            info.untyped_attrs.add(call.func.value.attr)
            continue
        if isinstance(node, ast.Assign):
            targets, value, annotation = node.targets, node.value, None
        elif isinstance(node, ast.AnnAssign):
            targets, value, annotation = [node.target], node.value, node.annotation
        else:
            continue
        for target in targets:
            if (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)
                    and target.value.id == self_name):
                if target.attr in info.attr_sources:
                    # Assigned in several places: typed only when every assignment agrees.
                    previous_value, previous_annotation, _ = info.attr_sources[target.attr]
                    if _dump(previous_value) != _dump(value) or _dump(previous_annotation) != _dump(annotation):
                        info.attr_sources[target.attr] = (None, None, method)
                    continue
                info.attr_sources[target.attr] = (value, annotation, method)


_STATEMENT_HOLDERS = (ast.stmt, ast.excepthandler, ast.match_case)


def _defines_scopes(function: ast.AST) -> bool:
    """Whether a function body holds a nested def or class (at any depth)."""
    return any(isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) for s in _all_statements(function))


def _all_statements(node: ast.AST):
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


def _dump(node: ast.AST | None) -> str | None:
    return None if node is None else ast.dump(node)


def _parameter_annotation(method: ast.FunctionDef | ast.AsyncFunctionDef, name: str) -> ast.AST | None:
    args = method.args
    for arg in args.posonlyargs + args.args + args.kwonlyargs:
        if arg.arg == name:
            return arg.annotation
    return None


def _backend_of(tree: ast.Module) -> str:
    """The async library a module is written for, from its top-level imports."""
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
    return "asyncio"


def _extra_rows(settings: Settings) -> dict[str, catalog.Blocking]:
    return {
        name: catalog.Blocking("ASL100", catalog.Use.everywhere(f"`{replacement}`"), fix_kind=None)
        for name, replacement in settings.extra_blocking.items()
    }


def _extra_types(settings: Settings) -> dict[str, str]:
    """Classes named by configured methods (``mylib.Client.fetch``): calling one makes an instance."""
    types = {}
    for name in settings.extra_blocking:
        owner = name.rpartition(".")[0]
        if owner.rpartition(".")[2][:1].isupper():
            types[owner] = owner
    return types
