"""What names and expressions refer to: the value kinds bound to names, and the resolver.

The walker (scopes.py) binds names to these values; the resolver answers, at any point of the
walk, what an expression refers to (a module's function, an object of a catalog type, a class or
function of this module), through imports, bindings, return annotations and the catalog.
"""

from __future__ import annotations

import ast
import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Union

from asynclint import catalog
from asynclint.analysis.syntax import all_statements
from asynclint.model import Settings

if TYPE_CHECKING:
    from asynclint.analysis.scopes import Analysis


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
    # The id of that reported call, which names the object's later blocking calls (0: none).
    origin: int = field(default=0, compare=False)


@dataclass(eq=False, slots=True)
class FuncDef:
    """A function defined in this module."""

    name: str
    node: ast.FunctionDef | ast.AsyncFunctionDef
    is_async: bool
    kind: str = "function"  # "function", "method", "staticmethod", "classmethod", "property"
    qualname: str = ""  # as Python spells it: "Class.method", "outer.<locals>.inner"
    # Facts the walk of the body finds (final once ``walked``): a yield makes it a generator.
    yields: bool = False
    walked: bool = False
    # Where its body runs when the decorators or the module say so (Analysis.runs_where): a sync
    # function the event loop calls (a loop callback), an async one a framework runs in a thread.
    loop_callback: bool = False
    in_thread: bool = False


@dataclass(eq=False, slots=True)
class ClassInfo:
    name: str
    scopes: list  # the scope chain the class statement ran in
    methods: dict[str, FuncDef] = field(default_factory=dict)
    # attribute -> (value expression or None, annotation or None, method that assigns it)
    attr_sources: dict[str, tuple] = field(default_factory=dict)
    attr_cache: dict[str, object] = field(default_factory=dict)
    untyped_attrs: set[str] = field(default_factory=set)  # attributes never to type
    body_scope: Scope | None = None
    qualname: str = ""
    node: ast.ClassDef | None = None
    # attr_sources is filled on first use (most classes are never asked about an attribute).
    attrs_collected: bool = False
    # The methods a framework calls on the event loop (scopes.Analysis._loop_methods), found on first use.
    loop_methods: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class ClassRef:
    info: ClassInfo


@dataclass(frozen=True, slots=True)
class TupleOf:
    """A tuple whose items are known one by one (``sock.accept()``, ``(open(a), open(b))``)."""

    items: tuple


@dataclass(frozen=True, slots=True)
class Elements:
    """A container whose elements are all of one known kind (``list[Thread]``, ``[Thread(...) ...]``)."""

    of: object


@dataclass(frozen=True, slots=True)
class MappingOf:
    """A mapping whose keys, or values, are all of one known kind (``dict[Path, float]``)."""

    key: object
    value: object


# What a mapping's methods give: its keys, its values, (key, value) pairs, or one value.
_MAPPING_METHODS = {
    "keys": lambda m: Elements(m.key) if m.key is not None else None,
    "values": lambda m: Elements(m.value) if m.value is not None else None,
    "items": lambda m: Elements(TupleOf((m.key, m.value))),
    "get": lambda m: m.value, "pop": lambda m: m.value, "setdefault": lambda m: m.value,
}


@dataclass(frozen=True, slots=True)
class Flags:
    """A ``|`` of flags, by the qualified names of those known to be among them
    (``_NUMERIC = socket.AI_NUMERICHOST; _NUMERIC |= other``, ``flags | _NUMERIC``)."""

    names: frozenset


def flags_of(value: Value) -> frozenset:
    """The flags a value is known to hold: a name's own, or those of a ``|``."""
    if isinstance(value, Flags):
        return value.names
    return frozenset((value.name,)) if isinstance(value, Ref) else frozenset()


def union_of_flags(left: Value, right: Value) -> Value:
    names = flags_of(left) | flags_of(right)
    return Flags(names) if names else None


Value = Union[Ref, Instance, FuncDef, ClassRef, TupleOf, Elements, MappingOf, Flags, None]


class Scope:
    """A module, class, function, lambda or comprehension of the walk (scopes.py) and the names
    bound in it: what the resolver looks names up in."""

    __slots__ = ("kind", "node", "bindings", "uses", "declared", "on_loop", "deferred", "class_info", "func")

    def __init__(self, kind: str, node: ast.AST | None, on_loop: bool, class_info=None, func=None):
        self.kind = kind  # "module", "class", "function", "lambda", "comprehension"
        self.node = node
        self.bindings: dict[str, Value] = {}
        # Function scopes: where each of their bindings is read, (the ast.Name, the node holding
        # it), in this function's body and the functions nested in it, as pyflakes' Binding.used
        # (recorded only when a checker reads it: Checker.reads_uses).
        self.uses: dict[str, list[tuple[ast.Name, ast.AST | None]]] = {}
        self.declared: set[str] = set()  # names declared global or nonlocal here
        self.on_loop = on_loop
        self.deferred: list = []  # function bodies to walk once this scope is complete
        self.class_info = class_info
        self.func: FuncDef | None = func


def element_of(container: Value) -> Value:
    """What iterating over ``container`` gives, when every element is known to be alike."""
    if isinstance(container, Elements):
        return container.of
    if isinstance(container, MappingOf):
        return container.key
    if isinstance(container, TupleOf) and container.items and all(
            item == container.items[0] for item in container.items):
        return container.items[0]
    return None


def unpacked(value: Value, count: int) -> tuple | None:
    """The values of ``count`` names unpacked from ``value`` (``a, b = value``), when known."""
    if isinstance(value, TupleOf) and len(value.items) == count:
        return value.items
    if isinstance(value, Elements):
        return (value.of,) * count
    return None


_MODE_METHODS = frozenset(key.rpartition(".")[2] for key in catalog.NONBLOCKING_MODE)


class Resolver:
    """Resolves expressions as the code at the walk's current point sees them."""

    def __init__(self, analysis: "Analysis", settings: Settings) -> None:
        self.analysis = analysis
        self.lookup = analysis.lookup
        self.extra_types = _extra_types(settings)
        self._constants: dict[str, ast.expr] | None = None  # module-level constants, found on first use
        # What the callee of each call asked about refers to, until a binding or the scopes change
        # (the walk calls forget_callees then): the walk and the checkers ask about a call several
        # times (its statement's hooks, its own, the binding of its result).
        self._callees: dict[ast.Call, Value] = {}
        self._conftests: list[Resolver] | None = None  # see _conftests_above
        # While the module's summary types are named (summary_types): other modules are not asked
        # (a summary depends on its own text alone); a call of another module's function is
        # named for what it returns ("mod.f()"), read back when the summary is read.
        self._naming = False

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
            return self._offloaded_result(expr.value) or self._awaited_result(expr.value)
        if kind is ast.BinOp and type(expr.op) is ast.BitOr:
            return union_of_flags(self.resolve(expr.left), self.resolve(expr.right))
        if kind is ast.BinOp and isinstance(expr.op, ast.Div):
            left = self.resolve(expr.left)
            if isinstance(left, Instance) and isinstance(left.type, str):
                return _instance_of(catalog.RETURNS.get(left.type + ".__truediv__"))
        if kind is ast.Subscript:
            base = self.resolve(expr.value)
            if isinstance(base, Instance) and isinstance(base.type, str):
                return _instance_of(catalog.RETURNS.get(base.type + ".__getitem__"))
            if isinstance(base, TupleOf) and isinstance(expr.slice, ast.Constant) and type(expr.slice.value) is int:
                index = expr.slice.value
                return base.items[index] if -len(base.items) <= index < len(base.items) else None
            if isinstance(base, MappingOf):
                return base.value
            return element_of(base) if isinstance(base, Elements) else None
        if kind is ast.Tuple:
            return TupleOf(tuple(self.resolve(e) for e in expr.elts)) if expr.elts else None
        if kind in (ast.List, ast.Set):
            return _alike([self.resolve(e) for e in expr.elts])
        if kind in (ast.ListComp, ast.SetComp, ast.GeneratorExp) and isinstance(expr.elt, ast.Call):
            # `[Thread(target=f) for _ in range(n)]`: a constructor call does not depend on the loop
            # variables to say what it makes (its arguments may).
            return _alike([self.call_result(expr.elt)])
        return None

    def attribute(self, base: Value, attr: str, typed: bool = True) -> Value:
        """What ``base.attr`` refers to; ``typed``: whether an attribute of an object of another
        module's class is looked up in its summary (a method called needs only its name)."""
        if isinstance(base, Ref):
            constant = self._project_value(base.name, "constant")
            if constant is None:
                return module_attribute(canonical(f"{base.name}.{attr}"))
            base = constant  # another module's `DATA_DIR = Path(...)`
        if isinstance(base, Instance):
            if isinstance(base.type, ClassInfo):
                return self.class_attribute(base.type, attr, instance=True)
            key = f"{base.type}.{attr}"
            produced = catalog.ATTRIBUTES.get(key) or (
                None if key in catalog.BLOCKING or key in catalog.RETURNS else catalog.ATTRIBUTES.get(base.type + ".*"))
            # Part of the object (a process's pipe): covered by the same finding as the object.
            if produced:
                return Instance(produced, reported=base.reported, origin=base.origin)
            # An attribute of an object of another module's class, as that module's summary types it.
            return (self._project_value(key, "attribute") if typed else None) or Ref(key)
        if isinstance(base, ClassRef):
            return self.class_attribute(base.info, attr, instance=False)
        if base is None and attr in catalog.DISTINCTIVE_METHODS:
            return Ref(f"{catalog.DISTINCTIVE_METHODS[attr]}.{attr}")
        return None

    def class_attribute(self, info: ClassInfo, attr: str, instance: bool, depth: int = 0) -> Value:
        """An attribute of a class of this module or of an instance of it; a class's own methods and
        attributes first, then its base classes' (those defined in this module)."""
        value = self._own_class_attribute(info, attr, instance)
        if value is None and attr not in info.methods and attr not in info.attr_sources and depth < 8:
            for base in self._bases(info):
                value = self.class_attribute(base, attr, instance, depth + 1)
                if value is not None:
                    break
            else:  # a base of another module of the project: as its summary types the attribute
                for base in self._project_bases(info):
                    value = self._project_value(f"{base}.{attr}", "attribute")
                    if value is not None:
                        break
        # An object made by a reported call in one method is still used, unreported, by the others:
        # the cost of `self.conn.execute()` in `add()` is paid on every call of `add()`.
        if isinstance(value, Instance) and value.reported and self._assigned_elsewhere(info, attr):
            value = Instance(value.type)
        return value

    def _bases(self, info: ClassInfo) -> list[ClassInfo]:
        if info.node is None:
            return []
        with self.within(info.scopes):
            bases = [self.resolve(base) for base in info.node.bases]
        return [base.info for base in bases if isinstance(base, ClassRef) and base.info is not info]

    def _project_bases(self, info: ClassInfo) -> list[str]:
        """The bases of a class of this module that are classes of another module of the project."""
        if info.node is None or self._naming:
            return []
        with self.within(info.scopes):
            bases = [self.resolve(base) for base in info.node.bases]
        return [base.name for base in bases if isinstance(base, Ref)]

    def _assigned_elsewhere(self, info: ClassInfo, attr: str) -> bool:
        source = info.attr_sources.get(attr)
        function = self.analysis.function
        return source is not None and (function is None or function.node is not source[2])

    def _own_class_attribute(self, info: ClassInfo, attr: str, instance: bool) -> Value:
        method = info.methods.get(attr)
        if method is not None:
            if instance and method.kind == "property":  # `self.session` -> what the getter returns
                return self._returned(method, info.scopes)
            return method
        _attribute_sources(info)
        if attr in info.attr_cache or attr in info.untyped_attrs:
            return info.attr_cache.get(attr)
        info.attr_cache[attr] = None  # guards against self-referential attributes
        value = None
        if info.body_scope is not None and attr in info.body_scope.bindings:
            value = info.body_scope.bindings[attr]
        elif attr in info.attr_sources:
            expr, annotation, method_node = info.attr_sources[attr]
            with self.within(info.scopes):
                if expr is not None:
                    with self.within([*info.scopes, self._method_scope(method_node, info)]):
                        value = self.resolve(expr)
                if value is None and annotation is not None:
                    value = self.annotation_value(annotation)
        info.attr_cache[attr] = value
        return value

    def _method_scope(self, method: ast.FunctionDef | ast.AsyncFunctionDef, info: ClassInfo) -> Scope:
        """The bindings of a method that typing its ``self.x = ...`` outside its walk can know: its
        first parameter, the instance, and its annotated ones (``listener: socket.socket``)."""
        scope = Scope("function", method, on_loop=False)
        positional = method.args.posonlyargs + method.args.args
        for index, arg in enumerate(positional + method.args.kwonlyargs):
            if index == 0 and positional:
                scope.bindings[arg.arg] = Instance(info)
            elif arg.annotation is not None:
                scope.bindings[arg.arg] = self.annotation_value(arg.annotation)
        return scope

    def call_result(self, call: ast.Call) -> Value:
        func = call.func
        receiver = None
        if isinstance(func, ast.Attribute):  # resolve the receiver once: chains stay linear
            receiver = self.resolve(func.value)
            if isinstance(receiver, MappingOf):
                method = _MAPPING_METHODS.get(func.attr)
                return method(receiver) if method is not None else None
            callee = self.attribute(receiver, func.attr, typed=False)
        else:
            callee = self.callee(call)
        if isinstance(callee, Ref):
            items = catalog.TUPLE_RETURNS.get(callee.name)
            if items is not None:
                return TupleOf(tuple(_instance_of(item) for item in items))
            element = catalog.ELEMENTS.get(callee.name)
            if element is not None:  # `for entry in os.scandir(p)`: covered by the call's finding
                covered = id(call) in self.analysis.blocking.covering
                return Elements(Instance(element, reported=covered, origin=id(call) if covered else 0))
            produced = catalog.RETURNS.get(callee.name) or self.extra_types.get(callee.name)
            special = catalog.RETURNS_WHEN.get(callee.name)
            if special is not None and special[0].holds(call, self.resolve):
                produced = special[1]
            if produced is not None:
                # What a method of an object whose creation was reported returns is covered too.
                if id(call) in self.analysis.blocking.covering:
                    return Instance(produced, reported=True, origin=id(call))
                if isinstance(receiver, Instance) and receiver.reported:
                    return Instance(produced, reported=True, origin=receiver.origin)
                return Instance(produced)
            if callee.name == "builtins.super":
                return self._super(call)
            if not callee.name.startswith("builtins."):
                returned = self._project_call(callee.name)
                if returned is not _UNKNOWN:
                    return returned
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
        with self.within(scopes):
            return self.annotation_value(func.node.returns)

    def _awaited_result(self, call: ast.AST) -> Value:
        """``await f()`` of a coroutine function with a return annotation (``-> Plugin``): an
        object of that type, for a function of this module or of another module of the project."""
        if not isinstance(call, ast.Call):
            return None
        callee = self.callee(call)
        if isinstance(callee, FuncDef) and callee.is_async and callee.node.returns is not None:
            with self.within(self.analysis.scopes):
                return self.annotation_value(callee.node.returns)
        project = self._project_name(callee.name) if isinstance(callee, Ref) and not self._naming else None
        named = self.analysis.project.index.value_type(project, "awaited") if project is not None else None
        return self.summary_value(named) if named is not None else None

    def _super(self, call: ast.Call) -> Value:
        """``super()`` in a method of a class with one base (``super().stat(p)``): an object of
        that base, whose methods are what the call reaches (of several bases, which one's is a
        matter of the subclass's order: unknown)."""
        scope = next((s for s in reversed(self.analysis.scopes) if s.kind == "class"), None)
        if call.args and len(call.args) != 2 or scope is None or scope.class_info is None:
            return None
        info = scope.class_info
        node = info.node
        if node is None or len(node.bases) != 1 or (call.args and not (
                isinstance(call.args[0], ast.Name) and call.args[0].id == info.name)):
            return None
        with self.within(info.scopes):
            base = self.resolve(node.bases[0])
        if isinstance(base, ClassRef) and base.info is not info:
            return Instance(base.info)
        project = self._project_name(base.name) if isinstance(base, Ref) else None
        return Instance(project) if project is not None else None

    def narrowing(self, test: ast.expr) -> tuple[tuple[str, Value] | None, bool]:
        """((name, its value where ``test`` holds), whether the test is negated) for an
        ``isinstance(x, T)``, ``type(x) is T`` or ``type(x) == T`` test of a name (``not`` before
        it, or one operand of an ``and``), when T is a type the analysis knows and not one the
        name is known to be already (a base of its class: its own methods stay); else (None, False)."""
        negated = isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not)
        if negated:
            test = test.operand
        if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And) and not negated:
            for operand in test.values:
                found, inner = self.narrowing(operand)
                if found is not None and not inner:
                    return found, False
            return None, False
        name = kind = None
        if isinstance(test, ast.Call) and len(test.args) == 2 and not test.keywords \
                and self.callee_key(test) == "builtins.isinstance":
            name, kind = test.args
        elif (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], (ast.Is, ast.Eq))
              and isinstance(test.left, ast.Call) and len(test.left.args) == 1
              and self.callee_key(test.left) == "builtins.type"):
            name, kind = test.left.args[0], test.comparators[0]
        if not isinstance(name, ast.Name):
            return None, False
        kinds = kind.elts if isinstance(kind, ast.Tuple) else [kind]
        if any(getattr(self.resolve(k), "name", None) in catalog.ABSTRACT_FILE_TYPES for k in kinds):
            return None, False
        values = [self.annotation_value(k) for k in kinds]
        value = values[0] if values and all(v is not None and v == values[0] for v in values) else None
        if value is None or self._already(self.lookup(name.id), value):
            return None, False
        return (name.id, value), negated

    def _already(self, known: Value, narrowed: Value) -> bool:
        """Whether an object known as ``known`` is an instance of ``narrowed``'s type already."""
        if not isinstance(known, Instance) or not isinstance(narrowed, Instance):
            return False
        if known.type == narrowed.type:
            return True
        if isinstance(known.type, ClassInfo):
            seen, queue = set(), [known.type]
            while queue:  # the bases of this module's classes
                info = queue.pop()
                if info is narrowed.type:
                    return True
                if id(info) not in seen and len(seen) < 32:
                    seen.add(id(info))
                    queue.extend(self._bases(info))
            return False
        context = self.analysis.project
        found = context.index.find_class(known.type) if context is not None and isinstance(known.type, str) else None
        return found is not None and isinstance(narrowed.type, str) and any(
            f"{summary.module}.{name}" == narrowed.type for summary, name in context.index.mro(*found))

    # -- other modules of the project ---------------------------------------------------------------

    def _project_name(self, name: str) -> str | None:
        """The absolute name of ``name`` when it may be one of the project's (its top module is)."""
        context = self.analysis.project
        if context is None or name.startswith("builtins."):
            return None
        absolute = context.absolute(name)
        top = absolute.partition(".")[0]
        return absolute if top == context.module.partition(".")[0] or context.index.has_module(top) else None

    def _project_call(self, name: str) -> Value:
        """What calling another module's function or class makes, as its summary says; _UNKNOWN
        when ``name`` is neither a class nor a function of the project with a typed result."""
        project = self._project_name(name)
        if project is None:
            return _UNKNOWN
        if self._naming:
            return Instance(project + "()")  # read back when the summary is read
        index = self.analysis.project.index
        if index.find_class(project) is not None:
            return Instance(project)
        named = index.value_type(project, "returns")
        return _UNKNOWN if named is None else self.summary_value(named)

    def _project_value(self, name: str, kind: str) -> Value:
        """Another module's constant or class attribute, as typed by that module's summary."""
        if self._naming:
            return None
        project = self._project_name(name)
        if project is None or "." not in project or kind == "constant" and self.analysis.project.index.has_module(project):
            return None  # a module: its attributes are looked up as such
        named = self.analysis.project.index.value_type(project, kind)
        return self.summary_value(named) if named is not None else None

    def summary_value(self, named: str, depth: int = 0) -> Value:
        """The value a summary's type name stands for (see summary_types): a catalog type or a
        class of the project, ``*T`` a container of T, ``f()`` what calling ``f`` makes."""
        if depth > 8:
            return None
        if named.startswith("*"):
            of = self.summary_value(named[1:], depth + 1)
            return Elements(of) if of is not None else None
        index = self.analysis.project.index
        if named.endswith("()"):
            if index.find_class(named[:-2]) is not None:
                return Instance(named[:-2])
            returned = index.value_type(named[:-2], "returns")
            return self.summary_value(returned, depth + 1) if returned is not None else None
        if named in catalog.KNOWN_TYPES or named in self.extra_types or index.find_class(named) is not None:
            return Instance(named)
        return None

    def summary_types(self) -> dict[str, str]:
        """The types of this module's values that other modules can use, by local name: what its
        functions and methods return ("f()", "Class.method()"), its classes' attributes
        ("Class.attr") and its module-level names ("NAME"). Named from this module's text alone."""
        context = self.analysis.project
        module = self.analysis.scopes[0]
        types: dict[str, str] = {}
        self._naming = True
        self._forget_attributes()  # typed by asking other modules: named here from this one alone
        try:
            with self.within([module]):
                for name, value in module.bindings.items():
                    if isinstance(value, (Instance, Elements)):
                        self._name_type(types, name, value, context)
                    elif isinstance(value, FuncDef) and value.node.returns is not None:
                        self._name_type(types, _returns_key(value, name), self._declared_return(value), context)
            for info in self.analysis.classes:
                for method in info.methods.values():
                    if method.node.returns is not None and method.kind != "property":
                        with self.within(info.scopes):
                            self._name_type(types, _returns_key(method, f"{info.qualname}.{method.name}"),
                                            self._declared_return(method), context)
                attributes = set(info.body_scope.bindings) if info.body_scope is not None else set()
                attributes.update(_annotated_attributes(info.node))
                attributes.update(_attribute_sources(info))
                for attr in sorted(attributes):
                    if attr not in info.methods or info.methods[attr].kind == "property":
                        self._name_type(types, f"{info.qualname}.{attr}", self._class_level(info, attr), context)
        finally:
            self._naming = False
            self._forget_attributes()  # named for the summary: the walk asks other modules
            self.forget_callees()
        return types

    def _forget_attributes(self) -> None:
        for info in self.analysis.classes:
            info.attr_cache.clear()

    def _declared_return(self, func: FuncDef) -> Value:
        value = self.annotation_value(func.node.returns)
        return value if value is not None and not _returns_nonblocking(func.node) else None

    def _class_level(self, info: ClassInfo, attr: str) -> Value:
        """A class attribute: as the class body or its methods set it, else as the body annotates it."""
        value = self._own_class_attribute(info, attr, instance=True)
        if value is None and info.node is not None:
            annotation = _annotated_attributes(info.node).get(attr)
            if annotation is not None:
                with self.within(info.scopes):
                    value = self.annotation_value(annotation)
        return value

    def _name_type(self, types: dict, key: str, value: Value, context) -> None:
        named = None
        if isinstance(value, Elements) and isinstance(value.of, Instance):
            inner = _type_name(value.of, context)
            named = "*" + inner if inner is not None else None
        elif isinstance(value, Instance):
            named = _type_name(value, context)
        if named is not None:
            types[key] = named

    @contextmanager
    def within(self, scopes: list[Scope]):
        """Resolve names as the code of another place sees them (a method, a function's signature)."""
        analysis = self.analysis
        saved, analysis.scopes = analysis.scopes, scopes
        self.forget_callees()
        try:
            yield
        finally:
            analysis.scopes = saved
            self.forget_callees()

    def entered(self, manager: ast.expr, is_async: bool) -> Value:
        """What ``with manager as x`` binds to x. Context managers of catalog types return themselves
        from __enter__; the async ones the catalog knows say what they enter into
        (``async with trio.open_nursery() as nursery``)."""
        if not is_async:
            if isinstance(manager, ast.Call):
                yielded = self._yielded_by(manager)
                if yielded is not _UNKNOWN:
                    return yielded
            return self.resolve(manager)
        return _instance_of(catalog.ASYNC_ENTERS.get(self.callee_key(manager) or "")) if isinstance(
            manager, ast.Call) else None

    def _yielded_by(self, manager: ast.Call) -> Value:
        """``with f() as x`` of a ``@contextmanager`` function: what its annotation says it yields
        (``-> Iterator[Path]``); _UNKNOWN when ``f`` is no such function."""
        callee = self.callee(manager)
        if isinstance(callee, FuncDef) and callee.node.returns is not None and any(
                getattr(self.resolve(d), "name", None) in catalog.CONTEXT_MANAGER_DECORATORS
                for d in callee.node.decorator_list):
            with self.within(self.analysis.scopes):
                return self._yielded_annotation(callee.node.returns)
        if isinstance(callee, Ref) and not self._naming:
            project = self._project_name(callee.name)
            index = self.analysis.project.index if project is not None else None
            if index is not None and index.runs(project) == "contextmanager":
                returned = self._project_call(project)
                return element_of(returned) if returned is not _UNKNOWN else None
        return _UNKNOWN

    def _offloaded_result(self, call: ast.AST) -> Value:
        """``await asyncio.to_thread(f, ...)`` gives what ``f(...)`` gives: after the fixer wraps
        ``conn = sqlite3.connect(p)`` in a thread, ``conn.execute()`` is still a blocking call."""
        if isinstance(call, ast.Call) and call.args and self.callee_key(call) in catalog.TO_THREAD:
            inner = self.resolve(call.args[0])
            if isinstance(inner, Ref):
                produced = catalog.RETURNS.get(inner.name)
                if produced is None and not self._naming:
                    returned = self._project_call(inner.name)  # `-> list[Path]` of a project function
                    return None if returned is _UNKNOWN else returned
                return _instance_of(produced)
            if isinstance(inner, FuncDef) and not inner.is_async:
                return self._returned(inner, self.analysis.scopes)
        return None

    def callee(self, call: ast.Call) -> Value:
        """What a call's callee refers to: ``resolve(call.func)``, found once while nothing changes.

        Only what it refers to is kept, never an object made by a call (its ``reported`` flag
        changes as the calls inside it are visited): callers read a Ref, FuncDef or ClassRef."""
        memo = self._callees
        if call in memo:
            return memo[call]
        value = memo[call] = self.resolve(call.func)
        return value

    def forget_callees(self) -> None:
        """A binding or the scopes changed: a callee may now refer to something else."""
        if self._callees:
            self._callees = {}

    def callee_key(self, call: ast.Call) -> str | None:
        """The qualified name a call's callee resolves to, or None when unknown."""
        callee = self.callee(call)
        return callee.name if isinstance(callee, Ref) else None

    # -- constants ---------------------------------------------------------------------------------

    def constant_int(self, expr: ast.expr, depth: int = 0) -> int | None:
        """The value of an integer constant expression: literals, module-level names bound once to
        one (``N = 10_000_000``), ``+ - * // ** << >>`` of those, ``int(1e7)``; else None."""
        if depth > 16:
            return None
        if isinstance(expr, ast.Constant):
            return expr.value if type(expr.value) is int else None
        if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.USub):
            value = self.constant_int(expr.operand, depth + 1)
            return -value if value is not None else None
        if isinstance(expr, ast.BinOp) and type(expr.op) in _FOLDED:
            left, right = self.constant_int(expr.left, depth + 1), self.constant_int(expr.right, depth + 1)
            if left is None or right is None:
                return None
            return _FOLDED[type(expr.op)](left, right)
        if isinstance(expr, ast.Name):
            bound = self._module_constant(expr.id)
            return self.constant_int(bound, depth + 1) if bound is not None else None
        if (isinstance(expr, ast.Call) and len(expr.args) == 1 and not expr.keywords
                and self.callee_key(expr) == "builtins.int"):
            arg = expr.args[0]
            if isinstance(arg, ast.Constant) and type(arg.value) is float and abs(arg.value) < 1e18:
                return int(arg.value)  # int(1e7)
            return self.constant_int(arg, depth + 1)
        return None

    def _module_constant(self, name: str) -> ast.expr | None:
        """The value a module-level name is bound to, when bound once by a plain assignment and not
        shadowed where it is read."""
        if any(name in scope.bindings for scope in self.analysis.scopes[1:] if scope.kind != "class"):
            return None
        if self._constants is None:
            self._constants = _module_constants(self.analysis.tree)
        return self._constants.get(name)

    # -- pytest ------------------------------------------------------------------------------------

    def takes_fixtures(self, func: FuncDef) -> bool:
        """Whether pytest fills this function's parameters with fixtures: a test or a fixture."""
        return func.name.startswith("test") or any(
            getattr(self.resolve(d.func if isinstance(d, ast.Call) else d), "name", None) in catalog.FIXTURE_DECORATORS
            for d in func.node.decorator_list)

    def fixture_value(self, name: str, depth: int = 0) -> Value:
        """The value pytest passes for a parameter called ``name``, in pytest's order: a fixture of
        this module, else of the nearest conftest.py above it, else a built-in fixture's type. A
        fixture's value is its return annotation, else its return/yield value."""
        if depth > 4:
            return None
        for resolver in (self, *self._conftests_above()):
            fixture = resolver._module_fixture(name)
            if fixture is not None:
                return resolver._fixture_returns(fixture, depth)
        builtin = catalog.PYTEST_FIXTURES.get(name)
        return Instance(builtin) if builtin is not None else None

    def _module_fixture(self, name: str) -> FuncDef | None:
        fixture = self.analysis.scopes[0].bindings.get(name)
        if isinstance(fixture, FuncDef) and any(
                getattr(self.resolve(d.func if isinstance(d, ast.Call) else d), "name", None)
                in catalog.FIXTURE_DECORATORS for d in fixture.node.decorator_list):
            return fixture
        return None

    def _conftests_above(self) -> list[Resolver]:
        """The resolvers of the conftest.py files above this module, nearest first, up to the
        project's root (pytest's rootdir): those pytest takes fixtures from. Found once per
        checked module (and so recorded once as what its findings depend on); a conftest kept by
        the index looks again each time, as the conftests above it may have changed since."""
        context = self.analysis.project
        if self._conftests is not None or context is None:
            return self._conftests or []
        own = os.path.abspath(context.path)
        root = self.analysis.settings.project_root
        top = os.path.abspath(root) if root else context.index.roots[-1]  # roots are longest first
        found = []
        directory = os.path.dirname(own)
        while directory == top or directory.startswith(top + os.sep):
            path = os.path.join(directory, "conftest.py")
            conftest = context.index.conftest(path) if path != own else None
            if conftest is not None:
                found.append(conftest.values)
            directory = os.path.dirname(directory)
        if context.checking:
            self._conftests = found
        return found

    def _fixture_returns(self, fixture: FuncDef, depth: int) -> Value:
        module = self.analysis.scopes[0]
        node = fixture.node
        if node.returns is not None:
            with self.within([module]):
                return self._yielded_annotation(node.returns)
        scope = Scope("function", node, on_loop=False, func=fixture)
        for arg in node.args.posonlyargs + node.args.args + node.args.kwonlyargs:
            scope.bindings[arg.arg] = self.fixture_value(arg.arg, depth + 1)
        with self.within([module, scope]):
            for statement in node.body:  # the straight-line body: `p = tmp_path / "x"; return p`
                if isinstance(statement, ast.Assign) and len(statement.targets) == 1 and isinstance(
                        statement.targets[0], ast.Name):
                    scope.bindings[statement.targets[0].id] = self.resolve(statement.value)
                    self.forget_callees()
                elif isinstance(statement, ast.Return) and statement.value is not None:
                    return self.resolve(statement.value)
                elif isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Yield) \
                        and statement.value.value is not None:
                    return self.resolve(statement.value.value)
        return None

    def _yielded_annotation(self, annotation: ast.expr) -> Value:
        if isinstance(annotation, ast.Subscript) and getattr(
                self.resolve(annotation.value), "name", None) in catalog.YIELDING:
            inner = annotation.slice
            return self.annotation_value(inner.elts[0] if isinstance(inner, ast.Tuple) and inner.elts else inner)
        return self.annotation_value(annotation)

    def _union(self, members: list[ast.expr]) -> Value:
        """``T | None``, ``Optional[T]``: a T; ``T | int``: unknown, unless every member is a T."""
        values = [self.annotation_value(m) for m in members if not _is_none(m)]
        return values[0] if values and all(v == values[0] for v in values) else None

    def annotation_value(self, annotation: ast.AST) -> Value:
        """An instance of the annotated type, when the type is a catalog type or a local class."""
        if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
            try:
                annotation = ast.parse(annotation.value, mode="eval").body
            except (SyntaxError, ValueError):  # ValueError: a lone surrogate, as in "\\ud800"
                return None
        if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
            return self._union([annotation.left, annotation.right])
        if isinstance(annotation, ast.Subscript):
            outer = self.resolve(annotation.value)
            inner = annotation.slice
            first = inner.elts[0] if isinstance(inner, ast.Tuple) and inner.elts else inner
            if isinstance(outer, Ref) and outer.name in _WRAPPERS:
                return self.annotation_value(first)
            if isinstance(outer, Ref) and outer.name in ("typing.Union", "typing_extensions.Union"):
                return self._union(inner.elts if isinstance(inner, ast.Tuple) else [inner])
            if isinstance(outer, Ref) and outer.name in catalog.MAPPINGS and isinstance(inner, ast.Tuple) \
                    and len(inner.elts) == 2:
                key, value = (self.annotation_value(e) for e in inner.elts)
                return MappingOf(key, value) if key is not None or value is not None else None
            if isinstance(outer, Ref) and outer.name in catalog.CONTAINERS:
                if outer.name in catalog.TUPLES and isinstance(inner, ast.Tuple) and not (
                        len(inner.elts) == 2 and isinstance(inner.elts[1], ast.Constant)):  # not tuple[T, ...]
                    return TupleOf(tuple(self.annotation_value(e) for e in inner.elts))
                of = self.annotation_value(first)
                return Elements(of) if of is not None else None
            return self.annotation_value(annotation.value)  # a generic type: `typing.IO[str]`
        target = self.resolve(annotation)
        if isinstance(target, Ref):
            name = catalog.SUPERTYPES.get(target.name, target.name)
            if name in catalog.KNOWN_TYPES or name in self.extra_types:
                return Instance(name)
            # A class whose instances the catalog knows under another name (ThreadPoolExecutor).
            produced = catalog.RETURNS.get(target.name)
            if produced is not None and target.name.rpartition(".")[2][:1].isupper():
                return Instance(produced)
            return self._project_class(target.name)
        elif isinstance(target, ClassRef):
            return Instance(target.info)
        return None


    def _project_class(self, name: str) -> Value:
        """An object of a class of another module of the project (``app: Application``). Whether
        the name is a class is asked only when the object is used (its module's summary is read
        then): a name that is none has no methods or attributes the summaries know."""
        project = self._project_name(name)
        return Instance(project) if project is not None else None


_UNKNOWN = object()  # "not a project function or class": the caller's own reading stands
# Annotations whose first argument is the type (`Final[Path]`, `Annotated[Path, ...]`).
_WRAPPERS = frozenset(f"{module}.{name}" for module in ("typing", "typing_extensions")
                      for name in ("Optional", "Annotated", "Final", "ClassVar"))


def _returns_key(func: FuncDef, name: str) -> str:
    """The key of what a function gives in a summary's types: a coroutine function's annotation
    is what awaiting its call gives ("await f()"), a sync one's what calling it gives ("f()")."""
    return f"await {name}()" if func.is_async else f"{name}()"


def _type_name(value: Instance, context) -> str | None:
    """How a summary names the type of an object: its absolute name (a local class's by module)."""
    if isinstance(value.type, ClassInfo):
        return f"{context.module}.{value.type.qualname}" if value.type.qualname else None
    return value.type or None


def _annotated_attributes(node: ast.ClassDef | None) -> dict[str, ast.expr]:
    """The attributes a class body declares with an annotation (``http: Http``)."""
    return {stmt.target.id: stmt.annotation for stmt in (node.body if node is not None else ())
            if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)}


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


def _power(base: int, exponent: int) -> int | None:
    return base ** exponent if 0 <= exponent <= 64 and abs(base) <= 1 << 16 else None


def _shift(value: int, bits: int) -> int | None:
    return value << bits if 0 <= bits <= 64 else None


_FOLDED = {
    ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
    ast.FloorDiv: lambda a, b: a // b if b else None, ast.Pow: _power, ast.LShift: _shift,
    ast.RShift: lambda a, b: a >> b if b >= 0 else None,
}


def _module_constants(tree: ast.Module) -> dict[str, ast.expr]:
    """Module-level names bound exactly once, by a plain assignment, and never declared global."""
    values: dict[str, ast.expr] = {}
    bindings: dict[str, int] = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.Global, ast.Nonlocal)):
            for name in node.names:
                bindings[name] = 2
    statements = list(tree.body)
    while statements:  # the module's own statements, in blocks too, not those of its defs and classes
        statement = statements.pop()
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bindings[statement.name] = bindings.get(statement.name, 0) + 1
            continue
        for field_name in ("body", "orelse", "finalbody", "handlers", "cases"):
            statements.extend(s for s in getattr(statement, field_name, ()) if isinstance(s, ast.stmt))
            statements.extend(s for h in getattr(statement, field_name, ()) if not isinstance(h, ast.stmt)
                              for s in getattr(h, "body", ()))
        targets = []
        if isinstance(statement, ast.Assign):
            targets = statement.targets
        elif isinstance(statement, (ast.AnnAssign, ast.AugAssign, ast.For, ast.AsyncFor)):
            targets = [statement.target]
        elif isinstance(statement, (ast.Import, ast.ImportFrom)):
            for alias in statement.names:
                name = (alias.asname or alias.name).partition(".")[0]
                bindings[name] = bindings.get(name, 0) + 1
        for target in targets:
            for node in ast.walk(target):
                if isinstance(node, ast.Name):
                    bindings[node.id] = bindings.get(node.id, 0) + 1
                    if isinstance(statement, ast.Assign) and target is node:
                        values[node.id] = statement.value
                    elif isinstance(statement, ast.AnnAssign) and statement.value is not None and target is node:
                        values[node.id] = statement.value
    return {name: value for name, value in values.items() if bindings.get(name) == 1}


def _alike(values: list) -> Value:
    """A container of these elements: known when they are all the same known kind."""
    if values and values[0] is not None and all(v == values[0] for v in values):
        first = values[0]
        return Elements(Instance(first.type) if isinstance(first, Instance) else first)
    return None


def _attribute_sources(info: ClassInfo) -> dict[str, tuple]:
    """The class's ``self.x = ...`` and ``self.x: T`` assignments, collected on first use."""
    if not info.attrs_collected:
        info.attrs_collected = True
        for stmt in info.node.body if info.node is not None else ():
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                _collect_self_attributes(stmt, info)
    return info.attr_sources


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
            pairs = [(target, node.value) for target in node.targets]
            annotation = None
        elif isinstance(node, ast.AnnAssign):
            pairs, annotation = [(node.target, node.value)], node.annotation
        else:
            continue
        for target, value in _unpacked_pairs(pairs):
            if (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)
                    and target.value.id == self_name):
                if _is_none(value) and annotation is None:
                    continue  # `self.x = None`: not set yet (or reset), of no type of its own
                if target.attr in info.attr_sources:
                    # Assigned in several places: typed only when every assignment agrees.
                    previous_value, previous_annotation, _ = info.attr_sources[target.attr]
                    if _dump(previous_value) != _dump(value) or _dump(previous_annotation) != _dump(annotation):
                        info.attr_sources[target.attr] = (None, None, method)
                    continue
                info.attr_sources[target.attr] = (value, annotation, method)



def _unpacked_pairs(pairs: list[tuple[ast.expr, ast.expr | None]]) -> list[tuple[ast.expr, ast.expr | None]]:
    """(target, value) with ``self.conn, self.addr = sock.accept()`` unpacked: each name of a tuple
    target gets its element of the value, ``sock.accept()[0]`` (the resolver reads a known tuple)."""
    found = []
    for target, value in pairs:
        if isinstance(target, (ast.Tuple, ast.List)) and value is not None and not any(
                isinstance(e, ast.Starred) for e in target.elts):
            found += _unpacked_pairs([(element, ast.Subscript(value, ast.Constant(index), ast.Load()))
                                      for index, element in enumerate(target.elts)])
        else:
            found.append((target, value))
    return found


def _is_none(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _dump(node: ast.AST | None) -> str | None:
    return None if node is None else ast.dump(node)


def _extra_types(settings: Settings) -> dict[str, str]:
    """Classes named by configured methods (``mylib.Client.fetch``): calling one makes an instance."""
    types = {}
    for name in settings.extra_blocking:
        owner = name.rpartition(".")[0]
        if owner.rpartition(".")[2][:1].isupper():
            types[owner] = owner
    return types
