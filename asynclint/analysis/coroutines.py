"""Coroutine facts: does a call make a coroutine? Asked by the rules on lost coroutines (ASL2xx) and
by the module summaries (a function whose call makes one), so one instance per analysis answers
both, with one cache."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from asynclint.analysis.values import ClassInfo, ClassRef, FuncDef, Ref
from asynclint.catalog import LIBRARY_COROUTINES, TRANSPARENT_DECORATORS

if TYPE_CHECKING:
    from asynclint.analysis.scopes import Analysis


class CoroutineCalls:
    """Answers "does this call make a coroutine?" for one analysis (cached per function)."""

    def __init__(self, analysis: "Analysis") -> None:
        self.analysis = analysis
        self._functions: dict[int, bool] = {}
        self._subclasses: dict[str, list[ClassInfo]] | None = None

    def is_coroutine_call(self, expr: ast.AST) -> bool:
        if not isinstance(expr, ast.Call):
            return False
        callee = self.analysis.callee(expr)
        if isinstance(callee, FuncDef):
            return self.is_coroutine_function(callee) and not self._overridden_by_a_plain_method(callee)
        if isinstance(callee, Ref):
            return callee.name in LIBRARY_COROUTINES or self._project_coroutine(callee.name)
        return False

    def _overridden_by_a_plain_method(self, method: FuncDef) -> bool:
        """Whether a subclass in this module overrides the method with one that makes no coroutine:
        ``obj: Base`` may hold that subclass, and ``await obj.save()`` would fail on it."""
        owner, _, name = method.qualname.rpartition(".")
        if method.kind != "method" or not owner:
            return False
        if self._subclasses is None:
            self._subclasses = {}
            for node in self.analysis.tree.body:
                info = self.analysis.scopes[0].bindings.get(node.name) if isinstance(node, ast.ClassDef) else None
                for base in (node.bases if isinstance(info, ClassRef) else ()):
                    resolved = self.analysis.resolve(base)
                    if isinstance(resolved, ClassRef):
                        self._subclasses.setdefault(resolved.info.qualname, []).append(info.info)
        pending, seen = list(self._subclasses.get(owner, ())), set()
        while pending:
            subclass = pending.pop()
            if id(subclass) in seen:
                continue
            seen.add(id(subclass))
            override = subclass.methods.get(name)
            if override is not None and not self.is_coroutine_function(override):
                return True
            pending += self._subclasses.get(subclass.qualname, ())
        return False

    def _project_coroutine(self, name: str) -> bool:
        """A coroutine function defined in another module of the project."""
        context = self.analysis.project
        return context is not None and context.index.is_coroutine_function(context.absolute(name)) is True

    def is_coroutine_function(self, func: FuncDef) -> bool:
        if not func.is_async or func.kind == "property":
            return False
        key = id(func.node)
        if key not in self._functions:
            self._functions[key] = not self.analysis.is_generator(func) and all(
                self._transparent(d) for d in func.node.decorator_list)
        return self._functions[key]

    def _transparent(self, decorator: ast.expr) -> bool:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        value = self.analysis.resolve(target)
        return isinstance(value, Ref) and value.name in TRANSPARENT_DECORATORS
