"""Which imports made in a function may load a module for the first time: a fact of the analysis.

The first ``import m`` of a process (or ``importlib.import_module("m")``) finds m's files, reads
and executes them; every later one looks m up in ``sys.modules``. Made in a function, it is
certainly a look-up when m is loaded before the function can run: imported at module level by
this module (outside ``if TYPE_CHECKING:``), by a package above it (importing ``a.b.c`` runs
``a`` and ``a.b`` first), by a project module this one imports at module level (through that
module's summary), by the interpreter at start-up, by ``import asyncio`` when the module runs
on asyncio's loop or imports it (the catalog's generated tables), or by pytest for the tests and
fixtures it runs (what ``import pytest`` loads: the catalog's generated table).
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from asynclint import catalog
from asynclint.analysis.syntax import TRY_STATEMENTS

if TYPE_CHECKING:
    from asynclint.analysis.scopes import Analysis


class FirstImports:
    """The imports of one module that may load a module for the first time."""

    def __init__(self, analysis: "Analysis") -> None:
        self.analysis = analysis
        self._own: set[str] | None = None  # loaded by this module's own module-level code
        self._imported: list[str] = []  # the modules its module-level code imports
        self._through: set[str] | None = None  # loaded by the project modules it imports

    def statement(self, node: ast.Import | ast.ImportFrom) -> str | None:
        """The first module, as written, that this import statement may load for the first time."""
        if isinstance(node, ast.Import):
            return next((alias.name for alias in node.names if not self.is_loaded(self._absolute(alias.name))), None)
        if node.module == "__future__":
            return None
        written = "." * node.level + (node.module or "")
        if node.module is None:  # `from . import views`: a name is a module of the package or its attribute
            return next((f"{written}{alias.name}" for alias in node.names
                         if self._is_module(self._absolute(written + alias.name))
                         and not self.is_loaded(self._absolute(written + alias.name))), None)
        return None if self.is_loaded(self._absolute(written)) else written

    def call(self, call: ast.Call) -> tuple[str, str | None] | None:
        """(callee, the module named or None when named at run time) for ``importlib.import_module``
        and ``__import__`` calls that may load a module for the first time."""
        key = self.analysis.callee_key(call)
        position = catalog.IMPORT_FUNCTIONS.get(key or "")
        if position is None:
            return None
        name = call.args[position] if position < len(call.args) else None
        if isinstance(name, ast.Constant) and isinstance(name.value, str) and not name.value.startswith("."):
            return None if self.is_loaded(name.value) else (key, name.value)
        return key, None

    def is_loaded(self, module: str) -> bool:
        """Whether importing ``module`` (an absolute name) here certainly reads no file: it is loaded
        before this module's functions run, or built into the interpreter."""
        if module in catalog.STARTUP_MODULES or module in catalog.INTERPRETER_MODULES:
            return True  # (a module built into the interpreter is not loaded yet, but reads no file)
        own = self._own_loads()
        if module in own or (module in catalog.ASYNCIO_LOADS and (self.analysis.backend == "asyncio" or "asyncio" in own)):
            return True
        if module.partition(".")[0] == "_pytest":
            return True  # code that imports pytest's internals is code that pytest runs (anyio's plugin)
        if module in catalog.PYTEST_LOADS \
                and (self._run_by_pytest() or "pytest" in own or "pytest" in self._loaded_through_project()):
            return True
        return module in self._loaded_through_project()

    def module_level(self) -> list[str]:
        """The modules (absolute names) this module's module-level code imports."""
        self._own_loads()
        return list(dict.fromkeys(self._imported))

    def _run_by_pytest(self) -> bool:
        """Whether the function being walked is a test or a fixture: pytest is loaded when it runs
        (as it is when the module, or one it imports, imports pytest at module level)."""
        scope = self.analysis.function
        return scope is not None and scope.func is not None and self.analysis.values.takes_fixtures(scope.func)

    def _is_module(self, name: str) -> bool:
        """Whether the project has a module of this name (else a name imported from a package is one
        of its attributes, which the package, loaded already, has defined)."""
        context = self.analysis.project
        return context is not None and context.index.has_module(name)

    def _absolute(self, name: str) -> str:
        context = self.analysis.project
        return context.absolute(name) if context is not None else name

    def _own_loads(self) -> set[str]:
        if self._own is None:
            self._own = set()
            context = self.analysis.project
            if context is not None:  # the module itself, and the packages above it
                _add_with_packages(self._own, context.module)
            for node in _module_level_imports(self.analysis.tree.body):
                if isinstance(node, ast.Import):
                    for alias in node.names:
                        self._imported.append(self._absolute(alias.name))
                else:
                    base = self._absolute("." * node.level + (node.module or ""))
                    self._imported.append(base)
                    # A name may be a submodule: loaded then too (and harmless to list if not).
                    self._imported += [f"{base}.{alias.name}" if base else alias.name for alias in node.names]
            for module in self._imported:
                _add_with_packages(self._own, module)
        return self._own

    def _loaded_through_project(self) -> set[str]:
        """What the module-level code of the project modules loaded before this one's functions run
        imports, transitively: the packages above it, the modules it imports at module level, theirs
        (their summaries' ``loads``: ``from .invite import *`` too)."""
        if self._through is None:
            self._through = set()
            context = self.analysis.project
            # A library's modules are not followed: it would summarise most of the library, for a
            # fact only ASL112's chains use (off by default); its lazy imports may then count as
            # first-time ones where another of its modules loaded them already.
            if context is not None and context.index.follows_loads:
                parts = context.module.split(".")
                waiting = [".".join(parts[:end]) for end in range(1, len(parts))] + self._imported
                seen = {context.module}  # (`from . import x` in a package's __init__): its summary is being made
                while waiting:
                    module = waiting.pop()
                    if module in seen:
                        continue
                    seen.add(module)
                    if not context.index.has_module(module):
                        continue  # not the project's (its summary is not known), or a name in a module
                    summary = context.index.summary(module)
                    for name in summary.loads if summary is not None else ():
                        _add_with_packages(self._through, name)
                        name_parts = name.split(".")
                        waiting += [".".join(name_parts[:end]) for end in range(1, len(name_parts) + 1)]
        return self._through


def _add_with_packages(names: set[str], module: str) -> None:
    """``a.b.c`` and the packages importing it runs first, ``a`` and ``a.b``."""
    parts = module.split(".")
    names.update(".".join(parts[:end]) for end in range(1, len(parts) + 1))


def _module_level_imports(statements):
    """The import statements run when the module is imported: at module level, in blocks that are
    not functions, not under ``if TYPE_CHECKING:`` (a type checker's only)."""
    for statement in statements:
        if isinstance(statement, (ast.Import, ast.ImportFrom)):
            yield statement
        elif isinstance(statement, ast.If):
            if not _is_type_checking(statement.test):
                yield from _module_level_imports(statement.body)
            yield from _module_level_imports(statement.orelse)
        elif isinstance(statement, TRY_STATEMENTS):
            for block in (statement.body, *(h.body for h in statement.handlers), statement.orelse,
                          statement.finalbody):
                yield from _module_level_imports(block)
        elif isinstance(statement, (ast.With, ast.ClassDef, ast.For, ast.While)):
            yield from _module_level_imports(statement.body)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")
