"""What names and expressions refer to: the value kinds bound to names, and the resolver.

The walker (scopes.py) binds names to these values; the resolver answers, at any point of the
walk, what an expression refers to (a module's function, an object of a catalog type, a class or
function of this module), through imports, bindings, return annotations and the catalog.
"""

from __future__ import annotations

import ast
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Union

from asynclint import catalog
from asynclint.analysis.syntax import all_statements
from asynclint.model import Settings

if TYPE_CHECKING:
    from asynclint.analysis.scopes import Analysis, Scope


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


_MODE_METHODS = frozenset(key.rpartition(".")[2] for key in catalog.NONBLOCKING_MODE)


class Resolver:
    """Resolves expressions as the code at the walk's current point sees them."""

    def __init__(self, analysis: "Analysis", settings: Settings) -> None:
        self.analysis = analysis
        self.lookup = analysis.lookup
        self.extra_types = _extra_types(settings)

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
                reported = id(call) in self.analysis.blocking.on_loop or (
                    isinstance(receiver, Instance) and receiver.reported)
                return Instance(produced, reported=reported)
            if not callee.name.startswith("builtins."):
                # Perhaps a class of another module of the project: its methods are then
                # "module.Class.method", which project-wide analysis can resolve.
                return Instance(callee.name)
        elif isinstance(callee, ClassRef):
            return Instance(callee.info)
        elif isinstance(callee, FuncDef) and not callee.is_async:
            return self._returned(callee, self.analysis.scopes)
        return None

    def _returned(self, func: FuncDef, scopes: list) -> Value:
        """An instance of the type a local function's return annotation names (``-> Session``)."""
        if func.node.returns is None or _returns_nonblocking(func.node):
            return None
        with self._within(scopes):
            return self.annotation_value(func.node.returns)

    @contextmanager
    def _within(self, scopes: list["Scope"]):
        """Resolve names as the code of another place sees them (a method, a function's signature)."""
        analysis = self.analysis
        saved, analysis.scopes = analysis.scopes, scopes
        try:
            yield
        finally:
            analysis.scopes = saved

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



def _mode_switch(statement: ast.stmt) -> ast.Call | None:
    """``x.setblocking(False)`` as a statement (by the method's name: the receiver is unknown here)."""
    call = statement.value if isinstance(statement, ast.Expr) else None
    if (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr in _MODE_METHODS
            and any(c.holds(call) for k, c in catalog.NONBLOCKING_MODE.items()
                    if k.rpartition(".")[2] == call.func.attr)):
        return call
    return None


def _returns_nonblocking(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """``sock.setblocking(False) ... return sock``: a helper that returns an object it switched
    to non-blocking mode, whatever its return annotation says."""
    statements = list(all_statements(function))
    switched = {call.func.value.id for call in map(_mode_switch, statements)
                if call is not None and isinstance(call.func.value, ast.Name)}
    return bool(switched) and any(isinstance(s, ast.Return) and isinstance(s.value, ast.Name)
                                  and s.value.id in switched for s in statements)


def _collect_self_attributes(method: ast.FunctionDef | ast.AsyncFunctionDef, info: ClassInfo) -> None:
    """Remember ``self.x = value`` and ``self.x: T`` in a method, to type ``self.x`` later."""
    args = method.args.posonlyargs + method.args.args
    if not args:
        return
    self_name = args[0].arg
    for node in all_statements(method):
        call = _mode_switch(node)
        if (call is not None and isinstance(call.func.value, ast.Attribute)
                and isinstance(call.func.value.value, ast.Name) and call.func.value.value.id == self_name):
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


def _dump(node: ast.AST | None) -> str | None:
    return None if node is None else ast.dump(node)


def _parameter_annotation(method: ast.FunctionDef | ast.AsyncFunctionDef, name: str) -> ast.AST | None:
    args = method.args
    for arg in args.posonlyargs + args.args + args.kwonlyargs:
        if arg.arg == name:
            return arg.annotation
    return None


def _extra_types(settings: Settings) -> dict[str, str]:
    """Classes named by configured methods (``mylib.Client.fetch``): calling one makes an instance."""
    types = {}
    for name in settings.extra_blocking:
        owner = name.rpartition(".")[0]
        if owner.rpartition(".")[2][:1].isupper():
            types[owner] = owner
    return types
