"""ASL112: a module imported on the event loop, which the first time reads and executes its files.

The fact (which imports may load a module for the first time) is the analysis' (analysis/imports.py);
this checker reports those made on the loop.
"""

from __future__ import annotations

import ast

from asynclint import catalog
from asynclint.rules import Checker, Rule, checker, rule, source_text


@checker
class ImportOnLoopChecker(Checker):
    codes = ("ASL112",)
    on_loop_only = True

    def visit_Import(self, node: ast.Import | ast.ImportFrom) -> None:
        analysis = self.analysis
        if not analysis.on_loop:
            return
        module = analysis.imports.statement(node)
        if module is not None:
            statement = ast.unparse(node)
            self._report(node, f"`{source_text(node, 60) if len(statement) > 60 else statement}`", module)

    visit_ImportFrom = visit_Import

    def visit_Call(self, call: ast.Call) -> None:
        analysis = self.analysis
        if not analysis.on_loop:
            return
        found = analysis.imports.call(call)
        if found is not None:
            self._report(call, f"`{source_text(call)}`", found[1])

    def _report(self, node: ast.AST, shown: str, module: str | None) -> None:
        loads = f"it loads `{module}`" if module else "it loads each module it is given"
        thread = catalog.THREAD.for_backend(self.analysis.backend)
        self.report(node, "ASL112", (
            f"{shown} blocks the event loop the first time it runs: {loads} (reads and executes its files); "
            f"import it at module level, or in a worker thread (`importlib.import_module` with {thread})"))


@rule
class ASL112(Rule):
    """
    ## What it does
    Flags an import made on the event loop that may load a module for the first time: an `import`
    or `from ... import` statement in an async function, and `importlib.import_module(...)` or
    `__import__(...)` called there. A module is certainly loaded already, and the import is not
    flagged, when the file imports it at module level (not under `if TYPE_CHECKING:`), when a
    package above the file or a project module that the file imports at module level does (or,
    in turn, one that they import: `from .invite import *` counts), when it is one of the modules a
    fresh interpreter loads at start-up (`os`, `sys`, ...) or has built in (`pwd`, `itertools`:
    nothing to read), when `import pytest` loads it (`json`, `traceback`, ...) and the function is
    a test or fixture or its module imports pytest, or when the file imports `asyncio` at module
    level and `import asyncio` loads it (`socket`, `ssl`, `logging`, ...; for a module that runs on
    asyncio's loop, the same): these lists are generated from the interpreter
    (`asynclint/startup_modules.py`).
    `import_module` with a name computed at run time is flagged: each new name loads a module.

    Imports of pytest's internals (`_pytest.outcomes`) are never flagged: only code that pytest
    runs makes them. A sync function that imports so, called from an async function, is reported
    by ASL401 with the chain that leads to the import, where ASL112 is enabled: it is off by default,
    and so are those chains.

    Off by default because what is loaded already often depends on code the project does not
    show: an installed library's package that loads its submodules (`bson.son`), the backend a
    parametrized test runs on. Enable it (`extend-select = ["ASL112"]`) to find first-time imports
    on the loop, which runtime detectors report as blocking calls.

    ## Why is this bad?
    The first import of a module finds its files, reads them, compiles or loads their bytecode
    and runs the module's code, with its own imports: milliseconds to seconds, during which the
    event loop serves nothing. Later imports only look it up in `sys.modules`, which is why the
    cost hides in tests and shows in production, at the first request that needs the module.

    ## Fix safety
    No automatic fix: move the import to module level, or load the module in a worker thread
    (`await asyncio.to_thread(importlib.import_module, "name")`) before it is needed.
    """

    code = "ASL112"
    on_loop = True
    # Off by default: on 20 real packages 8 of 17 were true (others: modules a library's package,
    # or the backend running the test, had loaded already, which the project's code does not show).
    enabled_by_default = False
    name = "import-on-event-loop"
    summary = "a module imported, the first time, on the event loop"
    bad = """\
async def render(page):
    import jinja2  # error: ASL112
    return jinja2.Template(page).render()
"""
    good = """\
import jinja2

async def render(page):
    return jinja2.Template(page).render()
"""
