"""ASL401-ASL403: a blocking call reached through the project's own sync functions.

The same walk that runs the per-file rules writes the module's summary (analysis/summaries.py);
at the end of the walk, each call that an async function makes on the loop to a sync function of
the project, and each callback handed to the loop, is looked up in the call graph (callgraph.py).
"""

from __future__ import annotations

import ast
import os

from asynclint import catalog
from asynclint.analysis.summaries import Callback
from asynclint.callgraph import Step
from asynclint.model import FixKind
from asynclint.rules import ASYNC_DEF, Checker, Rule, checker, rule, source_text


@checker
class ProjectCallChecker(Checker):
    codes = ("ASL401", "ASL402", "ASL403", "ASL404")
    # Files registering loop callbacks in sync code only (a protocol class) are checked too (ASL403).
    triggers = (ASYNC_DEF, *catalog.LOOP_CALLBACK_METHODS)
    reads_summary = True

    def finish(self) -> None:
        summarizer = self.analysis.summarizer
        if summarizer is None or not self.analysis.project.checking:
            return
        summary, context = summarizer.summary, self.analysis.project
        for callback in summarizer.callbacks:  # a catalogued call: no chain to search
            if callback.blocking is not None:
                key, row = callback.blocking
                self.report(callback.registration, "ASL403", _callback_message(
                    callback.registration, _shown(callback), f"{key.removeprefix('builtins.')}() [{row.code}]"))
        # A chain to an import is ASL112's kind of blocking: switched off with it.
        imports = self.analysis.enabled is None or "ASL112" in self.analysis.enabled
        libraries = self.analysis.enabled is None or "ASL404" in self.analysis.enabled
        with context.index.checking(summary):
            for callback in summarizer.callbacks:
                if callback.blocking is not None:
                    continue
                found = context.index.blocking_chain(callback.target, callback.arguments, ({}, summary.constants),
                                                     imports=imports)
                if found is not None and found[0]:  # only a chain on every path: the loop runs it with unknown arguments
                    chain = found[1]
                    self.report(callback.registration, "ASL403", _callback_message(
                        callback.registration, _shown(callback), " -> ".join(step.label for step in chain), chain[-1]),
                        chain=_chain_data(chain))
            for site in summarizer.loop_calls:
                found = context.index.blocking_chain(site.target, site.arguments, ({}, summary.constants), site.how,
                                                     imports=imports)
                if libraries and (found is None or not found[0]):
                    self._report_library_chain(site.call, context.index.blocking_chain(
                        site.target, site.arguments, ({}, summary.constants), site.how, imports=imports,
                        libraries=True))
                if found is not None:
                    certain, chain = found
                    code = "ASL401" if certain else "ASL402"
                    # A sync function whose result is awaited returns an awaitable (distributed's
                    # `await self.acquire()`, sync or async by the thread it runs in): a thread
                    # wrap would await what the worker thread made of it.
                    hazard = "its result is awaited" if site.awaited else context.index.thread_hazard(site.target)
                    fix = ... if hazard is None else None
                    self.report(site.call, code, _message(site.call, chain, certain), fix=fix, fix_reason=hazard,
                                chain=_chain_data(chain))

    def _report_library_chain(self, call: ast.Call, found: tuple[bool, list[Step]] | None) -> None:
        """ASL404: the call blocks inside an installed library; no fix of the library's code."""
        if found is not None:
            self.report(call, "ASL404", _library_message(call, found[1]), chain=_chain_data(found[1]))


def _chain_data(chain: list[Step]) -> tuple:
    """A chain as the JSON output carries it. A link's path is absolute: a module's summary names
    its file as it was reached (the path checked, or the project root joined with the module's),
    which depends on what this process checked before; a cached chain must not depend on the cwd."""
    return tuple((s.label, os.path.abspath(s.path), s.line, s.when or None) for s in chain)


def _shown(callback: Callback) -> str:
    return f"`{source_text(callback.shown)}()`" if callback.called else f"`{source_text(callback.shown)}`"


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


def _route(chain: list[Step]) -> str:
    """The chain's links and where its last one is: ``f -> g -> open() [ASL103] (app/io.py:6)``."""
    return f"{' -> '.join(step.label for step in chain)} ({_shown_path(chain[-1].path)}:{chain[-1].line})"


def _message(call: ast.Call, chain: list[Step], certain: bool) -> str:
    shown = source_text(call.func)
    if certain:
        return f"`{shown}()` blocks the event loop: {_route(chain)}"
    when = " and ".join(step.when for step in chain if step.when)
    return f"`{shown}()` may block the event loop, when {when}: {_route(chain)}"


def _library_message(call: ast.Call, chain: list[Step]) -> str:
    library = next(step.library for step in chain if step.library)
    when = " the first time it runs" if any(step.once for step in chain) else ""
    return (f"`{source_text(call.func)}()` blocks the event loop{when}, inside {library}: {_route(chain)}; "
            f"do it once at start-up, or in a worker thread")


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
    methods, `super()` in a class with one base, and objects of project classes). Another
    module's types are read from its summary: an object annotated with a project class
    (`app: Application`, `"Application | None"`, imported under `TYPE_CHECKING` too), what a
    project function returns (`-> Path`, `-> list[Path]`, awaited, or through
    `to_thread.run_sync`), what a `@contextmanager` yields (`-> Iterator[Path]`), class
    attributes (class-level annotations, `self.x = ...`, properties) and module-level constants
    (`DATA_DIR = Path(...)`); the blocking calls on such objects are the ASL1xx rules'. In the
    branch an `isinstance(x, T)` or `type(x) is T` test makes true (and after `if not
    isinstance(x, T): return`), `x` (or `self.x`, until it is assigned) is an object of T: an async sibling class's methods are not
    taken for the sync class's. A chain with a link that runs only under a
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
