"""ASL100-ASL110: catalogued blocking calls made on the event loop.

One checker serves the whole family: it resolves each call's callee and looks it up in
the catalog (asynclint/catalog.py), which says the rule code and the replacement.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from asynclint import catalog
from asynclint.model import FixKind
from asynclint.analysis import Instance
from asynclint.analysis.blocking import expects_blocking_io_error
from asynclint.analysis.comments import Comments
from asynclint.analysis.scopes import BUILTIN_NAMES
from asynclint.analysis.syntax import walk_body
from asynclint.rules import RULES, Checker, RelatedCall, Rule, checker, rule, source_text


# How many of the later calls on an object a finding names (the rest are counted).
LATER_NAMED = 3


@dataclass
class HeldLock:
    """A ``with lock:`` (a threading lock) of the function being walked, judged when it is done."""

    expr: ast.expr  # the context expression
    key: str
    row: catalog.Blocking
    blocks: bool = False  # a blocking call in its body
    awaits: bool = False  # an await in its body


@checker
class BlockingCallChecker(Checker):
    codes = tuple(f"ASL1{n:02d}" for n in range(12))  # ASL112 is rules/imports.py's
    # Every finding is made on the event loop, i.e. inside an `async def` (the keywords may be
    # split by any whitespace or a backslash continuation): a module that merely mentions
    # `asyncio` is not parsed for these rules.
    on_loop_only = True  # every handler returns at once when analysis.on_loop is False

    def __init__(self, analysis) -> None:
        super().__init__(analysis)
        self.locks: dict[ast.With, HeldLock] = {}
        self._spans: dict[int, tuple[dict, dict]] = {}  # by function: see _shared_state_span
        self.covering: list[ast.Call] = []  # reported calls whose finding covers what they return
        self._comments: Comments | None = None  # made at the first finding with a fix

    def visit_Call(self, call: ast.Call) -> None:
        analysis = self.analysis
        if id(call) not in analysis.blocking.on_loop:
            return
        self._mark_locks(call, blocks=True)
        key, row = analysis.blocking.row(call)
        if id(call) in analysis.blocking.covering and (
                key in catalog.RETURNS or key in catalog.RETURNS_WHEN or key in analysis.values.extra_types):
            self.covering.append(call)  # reported at the end, naming the later calls on what it made
        else:
            self._report(call, key, row, shown=source_text(call.func))

    def finish(self) -> None:
        blocking = self.analysis.blocking
        for call in self.covering:
            later = sorted(blocking.later.get(id(call), []), key=lambda found: _span(found[0]))
            named = ", ".join(f"`{source_text(c.func)}()` (line {c.lineno})" for c, _, _ in later[:LATER_NAMED])
            if len(later) > LATER_NAMED:
                named += f" and {len(later) - LATER_NAMED} more"
            self._report(call, *blocking.row(call), shown=source_text(call.func),
                         also=f"; so do the later calls on what it returns: {named}" if later else "", later=later)

    def visit_With(self, node: ast.With) -> None:
        """``with lock:`` acquires a threading lock on the loop."""
        if self.analysis.on_loop:
            for item in node.items:
                found = self._protocol_row(item.context_expr, "__enter__")
                if found is not None and found[1].code == "ASL108":
                    self.locks[node] = HeldLock(item.context_expr, *found)
                elif found is not None:
                    self._report(item.context_expr, *found, shown=source_text(item.context_expr), call=False)

    def visit_Await(self, node: ast.Await | ast.AsyncWith | ast.AsyncFor) -> None:
        if self.analysis.on_loop:
            self._mark_locks(node, awaits=True)

    visit_AsyncWith = visit_AsyncFor = visit_Await

    def _mark_locks(self, node: ast.AST, *, blocks: bool = False, awaits: bool = False) -> None:
        """Note a blocking call or an await in the body of the `with lock:` around it."""
        if not self.locks:
            return
        parents = [*self.analysis.parents, node]
        for index, parent in enumerate(parents[:-1]):
            lock = self.locks.get(parent) if type(parent) is ast.With else None
            if lock is not None and any(parents[index + 1] is s for s in parent.body):
                lock.blocks |= blocks
                lock.awaits |= awaits

    def leave_function(self, scope) -> None:
        """A threading lock taken on the loop is reported when the body waits while holding it:
        across an await (ASL111), or in a blocking call (ASL108). Held for a few statements, it
        is not: it is free again within microseconds, and threads may share it."""
        for lock in self.locks.values():
            if lock.awaits:
                kind = lock.key.rpartition(".")[0]
                use = lock.row.use.for_backend(self.analysis.backend)
                self.report(lock.expr, "ASL111", (
                    f"`with {source_text(lock.expr)}` ({kind}) is held across an `await`: another task that "
                    f"takes it meanwhile blocks the event loop for good; use {use}"))
            elif lock.blocks:
                self._report(lock.expr, lock.key, lock.row, shown=source_text(lock.expr), call=False)
        self.locks.clear()

    def visit_For(self, node: ast.For) -> None:
        """``for line in file:`` reads the file on the loop."""
        if self.analysis.on_loop:
            self._check_protocol(node.iter, "__iter__")

    def visit_ListComp(self, node: ast.ListComp | ast.SetComp | ast.DictComp) -> None:
        """``[line for line in file]`` reads the file on the loop (generator expressions are lazy)."""
        if self.analysis.on_loop:
            for generator in node.generators:
                if not generator.is_async:
                    self._check_protocol(generator.iter, "__iter__")

    visit_SetComp = visit_DictComp = visit_ListComp

    def _check_protocol(self, expr: ast.expr, method: str) -> None:
        found = self._protocol_row(expr, method)
        if found is not None:
            self._report(expr, *found, shown=source_text(expr), call=False)

    def _protocol_row(self, expr: ast.expr, method: str) -> tuple[str, catalog.Blocking] | None:
        """(key, row) when using ``expr`` by this protocol method (``__enter__``) blocks."""
        if isinstance(expr, ast.Call) and self.analysis.blocking.row(expr) is not None:
            return None  # the call itself is the finding
        if expects_blocking_io_error(self.analysis, expr):
            return None
        value = self.analysis.resolve(expr)
        if isinstance(value, Instance) and isinstance(value.type, str) and not value.reported:
            key = f"{value.type}.{method}"
            row = catalog.lookup(key, self.analysis.extra_blocking)
            if row is not None and key not in self.analysis.settings.allow:
                return key, row
        return None

    def _report(self, node: ast.AST, key: str, row: catalog.Blocking, shown: str, call: bool = True,
                also: str = "", later: list = ()) -> None:
        """``later``: (call, key, row) of the later calls on what the call made, which the finding
        covers: its fix rewrites them too, so it is offered only where each of theirs is."""
        display = key.removeprefix("builtins.")
        if call:
            what = f"`{display}()`" if shown == display else f"`{shown}()` ({display})"
        else:
            kind, _, method = display.rpartition(".")
            if method == "__iter__":
                what = f"iterating over `{shown}` ({kind})"
            else:
                what = f"`with {shown}` ({kind})"
        use = row.use.for_backend(self.analysis.backend)
        effect = "starts a nested event loop" if row.code == "ASL110" else "blocks the event loop"
        # Only a call can be rewritten (not `with lock:` or `for line in f:`).
        applicability, kind, reason = _call_fix(row) if call else (None, None, None)
        if applicability:
            deliberate = self._deliberate(node)
            if deliberate:
                applicability, kind, reason = None, None, deliberate
        if kind is FixKind.SLEEP:
            reason = self._await_point_hazard(node)
            applicability = "unsafe" if reason else applicability
        related = []
        for later_call, later_key, later_row in later:
            later_applicability, later_kind, later_reason = _call_fix(later_row)
            related.append(RelatedCall(later_call, later_row.code, later_kind, later_key))
            if applicability and later_kind is None:  # nothing half-fixed: the finding's fix waits for theirs
                applicability, kind = None, None
                reason = (f"`{source_text(later_call.func)}()` (line {later_call.lineno}) on what it returns has "
                          f"no fix{': ' + later_reason if later_reason else ''}")
            elif applicability and later_applicability == "unsafe":
                applicability = "unsafe"
        self.report(node, row.code, f"{what} {effect}{also}; use {use}", fix=applicability,
                    fix_kind=kind if applicability else None, target=key, fix_reason=reason, related=tuple(related))


    def _deliberate(self, node: ast.AST) -> str | None:
        """Why the call blocks on purpose, where a comment or its function's docstring says so."""
        if self._comments is None:
            self._comments = Comments(self.analysis.source)
        function = self.analysis.function
        return self._comments.deliberate_blocking(node, function.func.node if function and function.func else None)

    def _await_point_hazard(self, node: ast.AST) -> str | None:
        """Why an ``await`` here would let other tasks in where the blocking call kept them out:
        inside a threading lock (another task blocks on it with the loop: a deadlock), or between a
        read and a write of shared state (another task's update in between is lost)."""
        analysis = self.analysis
        for parent in analysis.parents:
            if isinstance(parent, ast.With) and any(self._is_thread_lock(item.context_expr) for item in parent.items):
                return "inside a threading lock"
        scope = analysis.function
        if scope is None or scope.func is None:
            return None
        line = node.lineno
        first, last = self._shared_state_span(scope.func.node)
        if any(first.get(("acquire", name), line) < line for kind, name in last
               if kind == "release" and last[kind, name] > line):
            return "inside a threading lock"
        both = sorted(name for kind, name in last if kind == "write" and last[kind, name] > line
                      and first.get(("read", name), line) < line)
        if both:
            return f"between a read and a write of shared state ({', '.join(both)})"
        return None

    def _shared_state_span(self, function: ast.AST) -> tuple[dict, dict]:
        """The first line of each (kind, name) event of a function and the last one: an await at a
        line lies between a read and a write when the first read is above it and the last write
        below. Made once per function, so a function of many blocking calls costs them one pass."""
        key = id(function)
        if key not in self._spans:
            first, last = {}, {}
            for at, kind, name in self._shared_state_events(function):
                first[kind, name] = min(at, first.get((kind, name), at))
                last[kind, name] = max(at, last.get((kind, name), at))
            self._spans[key] = first, last
        return self._spans[key]

    def _shared_state_events(self, function: ast.AST):
        """(line, "read"/"write"/"acquire"/"release", name) for a function's reads and writes of
        shared state and its calls of a threading lock's acquire/release."""
        shared = _outliving_names(function)
        for sub in walk_body(function.body):
            if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute):
                if sub.func.attr in ("acquire", "release") and self._is_thread_lock(sub.func.value):
                    yield sub.lineno, sub.func.attr, ast.unparse(sub.func.value)
                container = _state_key(sub.func.value, shared)
                if container is not None:  # `stock.get(k)` reads the container, `stock.pop(k)` writes it too
                    yield sub.lineno, "read", container
                    if sub.func.attr in catalog.CONTAINER_MUTATORS:
                        yield sub.lineno, "write", container
            state = _state_key(sub, shared) if isinstance(sub, (ast.Name, ast.Attribute, ast.Subscript)) else None
            if state is not None and state != "self":
                yield sub.lineno, "read" if isinstance(sub.ctx, ast.Load) else "write", state

    def _is_thread_lock(self, expr: ast.expr) -> bool:
        value = self.analysis.resolve(expr)
        return isinstance(value, Instance) and value.type in catalog.THREAD_LOCK_TYPES


def _span(node: ast.AST) -> tuple[int, int, int, int]:
    """Where a node starts, then ends: source order, the inner call of a chain first."""
    return node.lineno, node.col_offset, node.end_lineno, node.end_col_offset


def _call_fix(row: catalog.Blocking) -> tuple[str | None, FixKind | None, str | None]:
    """(applicability, fix kind, reason withheld) of the fix of a call with this catalog row."""
    applicability = RULES[row.code].fix_applicability if row.fix_kind else None
    reason = row.withheld if applicability is None and RULES[row.code].fix_applicability else None
    return applicability, row.fix_kind if applicability else None, reason


def _outliving_names(function: ast.AST) -> set[str]:
    """The names a function reads that outlive its call: ``global``/``nonlocal`` ones and those it
    does not bind itself (a module's or an enclosing function's)."""
    args = function.args
    local = {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg) if a}
    declared, loaded = set(), set()
    for sub in walk_body(function.body):
        if isinstance(sub, (ast.Global, ast.Nonlocal)):
            declared.update(sub.names)
        elif isinstance(sub, ast.Name):
            (loaded if isinstance(sub.ctx, ast.Load) else local).add(sub.id)
        elif isinstance(sub, (ast.Import, ast.ImportFrom)):
            local.update((a.asname or a.name).partition(".")[0] for a in sub.names)
        elif isinstance(sub, ast.ExceptHandler) and sub.name:
            local.add(sub.name)
    return declared | (loaded - local - BUILTIN_NAMES)


def _state_key(node: ast.AST, shared: set[str]) -> str | None:
    """What shared state an expression is, or is part of: a name that outlives the call, ``self``,
    an attribute of either (``stock``, ``self.balance``, ``config.limits``); a subscript is part of
    its container (``stock[item]`` is ``stock``)."""
    if isinstance(node, ast.Name):
        return node.id if node.id in shared or node.id == "self" else None
    if isinstance(node, ast.Attribute):
        owner = _state_key(node.value, shared)
        return f"{owner}.{node.attr}" if owner is not None else None
    if isinstance(node, ast.Subscript):
        return _state_key(node.value, shared)
    return None


# -- the rules ----------------------------------------------------------------------------------

@rule
class ASL100(Rule):
    """
    ## What it does
    Flags calls to functions that your project's configuration names as blocking.

    ## Why is this bad?
    Some blocking calls live in your own code base or in libraries asynclint does not know.
    Naming them once in the configuration lets the linter catch every call made from async
    code, with the replacement you chose. A key may name a function (`mylib.fetch`) or a
    method of a class (`mylib.Client.query`): the method is then recognised on objects made by
    `mylib.Client(...)`, annotated `mylib.Client`, bound by `with`, or assigned to `self.x`.

    ## Options
    ```toml
    [tool.asynclint]
    extra-blocking = { "mylib.fetch" = "mylib.afetch" }
    ```
    """

    code = "ASL100"
    on_loop = True
    name = "configured-blocking-call"
    summary = "a call your configuration lists as blocking, made in an async function"
    bad = ""
    good = ""


@rule
class ASL101(Rule):
    """
    ## What it does
    Flags `time.sleep()` (under any alias) inside an async function.

    ## Why is this bad?
    `time.sleep()` suspends the whole thread, and with it the event loop: no other task runs,
    no timer fires, no socket is served until it returns.

    ## Fix safety
    Safe. `time.sleep(x)` becomes `await asyncio.sleep(x)` (`trio.sleep`, `anyio.sleep` in a module
    that uses trio or anyio); the backend's import is added and `import time` is removed when nothing
    else uses it. Inside a lambda, a class body or a generator expression, where `await` cannot
    stand, nothing is rewritten.

    Unsafe where the sleep kept other tasks out: inside a threading lock (`with lock:` or between
    `lock.acquire()` and `lock.release()`: another task that waits for the lock would block the
    loop with the lock held, a deadlock), and between a read and a write of shared state, anything
    that outlives the call: a `global` or `nonlocal` name, a module's or an enclosing function's
    object, an attribute of `self`, an item of any of them (`stock[item]` read before, written or
    `+=` after), a method that changes one (`orders.append(x)`, `.update`, `.pop`...): another
    task's update in between would be lost. The finding says which: `[fix: unsafe, inside a
    threading lock]`, `[fix: unsafe, between a read and a write of shared state (stock)]`.
    """

    code = "ASL101"
    on_loop = True
    fix_applicability = "safe"
    name = "blocking-sleep"
    summary = "`time.sleep()` in an async function"
    bad = """\
import time

async def poll():
    time.sleep(1)  # error: ASL101
"""
    good = """\
import asyncio

async def poll():
    await asyncio.sleep(1)
"""
    fixed = """\
import asyncio

async def poll():
    await asyncio.sleep(1)
"""


@rule
class ASL102(Rule):
    """
    ## What it does
    Flags synchronous HTTP clients used in an async function: `requests`, `httpx`'s sync API,
    `urllib3`, `urllib.request`, `http.client`, `xmlrpc.client.ServerProxy` and boto3 clients, and the
    synchronous clients of SDKs that have an async one (`openai.OpenAI`, `anthropic.Anthropic`, `stripe`,
    `slack_sdk.WebClient`, `google.cloud.storage`, `elasticsearch.Elasticsearch`), including methods of
    a session or client object. Creating a session or client is not flagged; its requests are.

    ## Why is this bad?
    A synchronous request waits for the network with the event loop stopped: one slow server
    stalls every task of the process.

    ## Fix safety
    Unsafe. Where the project already depends on `httpx` (its `pyproject.toml`, `setup.cfg` or
    `requirements*.txt`), a simple statement such as `resp = requests.get(url, headers=h)` becomes
    `async with httpx.AsyncClient(follow_redirects=True, timeout=None) as client:
    resp = await client.get(url, headers=h)`: requests' defaults (it follows redirects and has no
    timeout); the call's own `timeout=` is kept, `allow_redirects=` becomes `follow_redirects=`,
    `verify=`/`cert=` move to the client, `headers=`/`auth=`/`params=`/`json=` stay. The response is
    read before the client closes, so it stays usable after the block. What still differs: the
    response is httpx's (`r.url` is an `httpx.URL`, there is no `r.ok`, `r.reason`,
    `r.iter_content()`: a response used so, a `(connect, read)` timeout tuple, `**kwargs`,
    `proxies=`, `stream=` or `hooks=` run in a worker thread instead), `data=` with text or bytes
    is sent but deprecated by httpx, and errors are `httpx` exceptions rather than
    `requests.RequestException`. Without httpx among the dependencies, and for sessions and other
    forms, the call runs in a worker thread: `await asyncio.to_thread(requests.get, url)`, which
    keeps requests' behaviour entirely.
    """

    code = "ASL102"
    on_loop = True
    fix_applicability = "unsafe"
    name = "blocking-http-call"
    summary = "a synchronous HTTP request in an async function"
    bad = """\
import requests

async def fetch(url):
    return requests.get(url).json()  # error: ASL102
"""
    good = """\
import httpx

async def fetch(url):
    async with httpx.AsyncClient() as client:
        return (await client.get(url)).json()
"""
    fixed = """\
import asyncio

import requests

async def fetch(url):
    return (await asyncio.to_thread(requests.get, url)).json()
"""


@rule
class ASL103(Rule):
    """
    ## What it does
    Flags opening a file with `open()`, `io.open()`, `Path.open()`, `os.open()` and similar inside
    an async function, and archive or compression readers given a path (`zipfile.ZipFile`,
    `tarfile.open`, `gzip.open`, ...). Reads and writes on a file opened there are part of the same
    finding. An archive over an in-memory buffer (`zipfile.ZipFile(io.BytesIO(...))`,
    `tarfile.open(fileobj=buf)`) is not flagged, nor a file object made around a descriptor that
    is open already (`os.fdopen(fd)`, `open(sock.fileno())`): that opens nothing, and what is read
    from it later is flagged as a file object's reads (ASL104).

    ## Why is this bad?
    Opening, reading and writing a file are system calls that can wait on a disk or a network
    file system; while they do, the event loop is stopped.

    ## Fix safety
    Unsafe. `with open(p) as f:` becomes `async with aiofiles.open(p) as f:` where the project
    already depends on `aiofiles` (`await anyio.open_file(p)`, `await trio.open_file(p)` under those
    backends), and the uses of `f` in the block are rewritten: `await f.read()`,
    `await f.write(...)`, `async for line in f`, `json.load(f)` to `json.loads(await f.read())`.
    `for line in open(p):` reads the lines in a worker thread,
    `for line in await asyncio.to_thread(lambda: open(p).readlines()):` (all at once: a loop that
    stops early has read the whole file). Otherwise the call is run in a worker thread:
    `await asyncio.to_thread(open, p)`, and so are the reads and writes on the file that the
    finding names, in the same fix: `await asyncio.to_thread(f.read)`.
    """

    code = "ASL103"
    on_loop = True
    fix_applicability = "unsafe"
    name = "blocking-file-open"
    summary = "a file opened with `open()` in an async function"
    bad = """\
async def load(path):
    with open(path) as f:  # error: ASL103
        return f.read()
"""
    good = """\
import aiofiles

async def load(path):
    async with aiofiles.open(path) as f:
        return await f.read()
"""
    fixed = """\
import asyncio


async def load(path):
    with await asyncio.to_thread(open, path) as f:
        return await asyncio.to_thread(f.read)
"""


@rule
class ASL104(Rule):
    """
    ## What it does
    Flags filesystem calls in an async function: `os.path.exists()`, `os.remove()`, `os.listdir()`,
    `shutil.*`, `glob.glob()`, `pathlib.Path` methods that touch the disk (`read_text`, `exists`,
    `iterdir`, ...), reads or writes on a file object opened elsewhere (a process's pipe too,
    `proc.stdout.read()`) or on an archive (`ZipFile.read`, `TarFile.extractall`; not one over an
    in-memory buffer), and loading TLS certificates
    (`ssl.create_default_context()`, which reads the system's CA bundle, and `SSLContext`'s
    `load_verify_locations`/`load_cert_chain`/`load_default_certs`/`set_default_verify_paths`; not
    certificates given in memory, `cadata=` alone), the `platform` functions that read files
    (`platform.platform()`, `libc_ver()`, `mac_ver()`, `freedesktop_os_release()`), and
    `mimetypes` guesses, whose first call reads the system's `mime.types` files. Pure path arithmetic
    (`os.path.join`, `Path.name`) is not flagged. Lazy iterators (`os.walk`, `Path.glob`,
    `Path.rglob`, `Path.walk`, `glob.iglob`) are flagged where they are consumed on the loop
    (`for p in root.glob("*")`, `list(os.walk(top))`), not where they are created and kept, for
    instance to be advanced in a worker thread.

    ## Why is this bad?
    Each of these is a system call that waits on the disk; on a slow or network file system the
    event loop stalls for as long.

    ## Fix safety
    Unsafe: the call moves to a worker thread, where it may run concurrently with other tasks and
    must be thread-safe. `f(a, b=1)` becomes `await asyncio.to_thread(f, a, b=1)`
    (`await trio.to_thread.run_sync(...)` / `await anyio.to_thread.run_sync(...)`, with
    `functools.partial(f, a, b=1)` when there are keyword arguments). Only calls are rewritten:
    `with lock:` and `for line in file:` are left to you.
    """

    code = "ASL104"
    on_loop = True
    fix_applicability = "unsafe"
    name = "blocking-filesystem-call"
    summary = "a filesystem call in an async function"
    bad = """\
import os

async def cleanup(path):
    if os.path.exists(path):  # error: ASL104
        os.remove(path)  # error: ASL104
"""
    good = """\
import asyncio
import os

async def cleanup(path):
    if await asyncio.to_thread(os.path.exists, path):
        await asyncio.to_thread(os.remove, path)
"""
    fixed = """\
import asyncio
import os

async def cleanup(path):
    if await asyncio.to_thread(os.path.exists, path):
        await asyncio.to_thread(os.remove, path)
"""


@rule
class ASL105(Rule):
    """
    ## What it does
    Flags starting or waiting for a process synchronously in an async function: `subprocess.run`,
    `call`, `check_call`, `check_output`, `Popen` and its `wait()`/`communicate()`, `os.system`,
    `os.popen`, `os.spawn*`, `os.wait*`, `os.posix_spawn*`, `webbrowser.open*` (it runs the browser
    and `xdg-settings` in subprocesses). `Popen.poll()` is not flagged.

    ## Why is this bad?
    The loop stops until the child process exits, which can take any time at all.

    ## Fix safety
    Unsafe: the process now runs concurrently with other tasks. With a literal argument list and
    only `cwd`/`env` (and `capture_output`/`check` for `run`), under asyncio:
    `subprocess.call([...])` becomes `await (await asyncio.create_subprocess_exec(...)).wait()`;
    `result = subprocess.run([...], capture_output=True, check=True)` becomes statements that start
    the process, `communicate()` with it and build the same `subprocess.CompletedProcess`
    (`check_returncode()` raises as `check=True` did). Other forms (`shell=True`, `text=True`,
    `check_output`, a list built at run time) run in a worker thread:
    `await asyncio.to_thread(subprocess.run, ...)`. In a trio or anyio module the same forms
    become one expression, `await trio.run_process([...])` / `await anyio.run_process([...])`
    (with `check=False` where the original did not check, `.returncode` for `call`), which
    returns the same `subprocess.CompletedProcess`; note that trio closes the child's stdin.
    """

    code = "ASL105"
    on_loop = True
    fix_applicability = "unsafe"
    name = "blocking-process-call"
    summary = "a synchronous subprocess or os process call in an async function"
    bad = """\
import subprocess

async def build():
    subprocess.run(["make"], check=True)  # error: ASL105
"""
    good = """\
import asyncio

async def build():
    proc = await asyncio.create_subprocess_exec("make")
    await proc.wait()
"""
    fixed = """\
import asyncio
import subprocess

async def build():
    process = await asyncio.create_subprocess_exec("make")
    stdout, stderr = await process.communicate()
    subprocess.CompletedProcess(
        ["make"], process.returncode, stdout, stderr
    ).check_returncode()
"""


@rule
class ASL106(Rule):
    """
    ## What it does
    Flags DNS look-ups (`socket.getaddrinfo`, `gethostbyname`, ...), `socket.create_connection`,
    blocking methods (`connect`, `recv`, `send`, `sendall`, `accept`, ...) of a plain or SSL
    socket, waiting with `select.select()` or a selector, `smtplib`/`ftplib`/`poplib`/`imaplib`/
    `telnetlib` sessions, and the synchronous network clients of kafka-python, pika
    (`BlockingConnection`) and paramiko in an async function. On a datagram (UDP) socket only receiving is flagged. A socket
    switched to non-blocking mode with `setblocking(False)` or `settimeout(0)` is not flagged, nor
    is a call inside a `try` that catches `BlockingIOError` (or `ssl.SSLWantReadError`/
    `SSLWantWriteError`), which only a non-blocking socket raises, nor a socket that a helper
    switched to non-blocking mode and returned, or that was handed to `trio.socket.from_stdlib_socket`. A look-up of a literal IP address
    (`getaddrinfo("127.0.0.1", port)`, `gethostbyname("10.0.0.1")`) or with the numeric-only flags
    (`AI_NUMERICHOST`, `NI_NUMERICHOST`) asks no name server and is not flagged.

    ## Why is this bad?
    A blocking socket operation waits for the network with the event loop stopped.

    ## Fix safety
    Unsafe: the call moves to a worker thread, where it may run concurrently with other tasks and
    must be thread-safe. `f(a, b=1)` becomes `await asyncio.to_thread(f, a, b=1)`
    (`await trio.to_thread.run_sync(...)` / `await anyio.to_thread.run_sync(...)`, with
    `functools.partial(f, a, b=1)` when there are keyword arguments). Only calls are rewritten:
    `with lock:` and `for line in file:` are left to you.
    """

    code = "ASL106"
    on_loop = True
    fix_applicability = "unsafe"
    name = "blocking-socket-call"
    summary = "a blocking socket or DNS call in an async function"
    bad = """\
import socket

async def resolve(host):
    return socket.gethostbyname(host)  # error: ASL106
"""
    good = """\
import asyncio

async def resolve(host):
    loop = asyncio.get_running_loop()
    return await loop.getaddrinfo(host, None)
"""
    fixed = """\
import asyncio
import socket

async def resolve(host):
    return await asyncio.to_thread(socket.gethostbyname, host)
"""


@rule
class ASL107(Rule):
    """
    ## What it does
    Flags synchronous database drivers in an async function: `sqlite3`, `psycopg2`, psycopg's sync
    API, `pymysql`, `MySQLdb`, `mysql.connector`, `pymongo` collections and `redis.Redis`
    (not `redis.asyncio`): connecting, executing, committing and fetching. Within one function a
    connection made there is one finding, whose message names the later calls on it; a method that
    uses a connection made in another one (`self.conn` set in `__aenter__`) is reported itself, as
    its call pays the cost again. An in-memory SQLite
    database (`sqlite3.connect(":memory:")`) touches no file and is not flagged.

    ## Why is this bad?
    A query waits for the database with the event loop stopped; under load, every request
    of the service waits behind the slowest query.

    ## Fix safety
    Unsafe: the call moves to a worker thread, where it may run concurrently with other tasks and
    must be thread-safe. `f(a, b=1)` becomes `await asyncio.to_thread(f, a, b=1)`
    (`await trio.to_thread.run_sync(...)` / `await anyio.to_thread.run_sync(...)`, with
    `functools.partial(f, a, b=1)` when there are keyword arguments). Only calls are rewritten:
    `with lock:` and `for line in file:` are left to you.
    """

    code = "ASL107"
    on_loop = True
    fix_applicability = "unsafe"
    name = "blocking-database-call"
    summary = "a synchronous database driver call in an async function"
    bad = """\
import sqlite3

import redis

async def count(path):
    conn = sqlite3.connect(path)  # error: ASL107
    return conn.execute("select count(*) from t").fetchone()

async def visits(cache: redis.Redis):
    return cache.get("visits")  # error: ASL107
"""
    good = """\
import aiosqlite

async def count(path):
    async with aiosqlite.connect(path) as conn:
        cursor = await conn.execute("select count(*) from t")
        return await cursor.fetchone()
"""
    fixed = """\
import asyncio
import sqlite3

import redis

async def count(path):
    conn = sqlite3.connect(path)
    return conn.execute("select count(*) from t").fetchone()

async def visits(cache: redis.Redis):
    return await asyncio.to_thread(cache.get, "visits")
"""


@rule
class ASL108(Rule):
    """
    ## What it does
    Flags waiting on thread synchronisation in an async function: `acquire()` on a
    `threading.Lock`/`RLock`/`Semaphore`/`Condition`, `with` on one whose body makes a blocking call
    (a `with lock:` around a few statements that neither block nor await is not flagged: the lock
    is free again within microseconds, and threads may share it; one held across an `await` is
    ASL111), `Event.wait()`, `queue.Queue.get()`/`join()`,
    `put()` on a queue made with a `maxsize` (an unbounded queue never makes `put()` wait),
    `concurrent.futures.Future.result()`, `Thread.join()`, `Executor.shutdown()`, and receiving from or
    sending to a `multiprocessing` pipe or listener (`Pipe()`, `Connection.recv()`). Non-blocking forms
    (`acquire(blocking=False)`, `get_nowait()`, `get(block=False)`, `timeout=0`) are not flagged, nor
    is `future.result()` after `future.add_done_callback(cb)`, where `cb` sets an event, and an
    `await event.wait()`: the future is done by then. Nor is `thread.join()` after
    `while thread.is_alive(): await ...` (a loop without `break`): the thread has ended by then.

    ## Why is this bad?
    The thread that runs the event loop sleeps until another thread releases the lock or
    delivers the item: every task waits, and if that other thread waits on the loop, it deadlocks.

    ## Fix safety
    Unsafe: the call moves to a worker thread, where it may run concurrently with other tasks and
    must be thread-safe. `f(a, b=1)` becomes `await asyncio.to_thread(f, a, b=1)`
    (`await trio.to_thread.run_sync(...)` / `await anyio.to_thread.run_sync(...)`, with
    `functools.partial(f, a, b=1)` when there are keyword arguments). Only calls are rewritten:
    `with lock:` and `for line in file:` are left to you. An `RLock` or a `Condition` gets no fix
    (`[fix: none, an owner-bound lock ...]`): acquired in a worker thread, it could not be released
    or waited on from the loop's thread.
    """

    code = "ASL108"
    on_loop = True
    fix_applicability = "unsafe"
    name = "blocking-thread-sync"
    summary = "waiting on a thread lock, event, queue, future or thread in an async function"
    bad = """\
import threading

ready = threading.Condition()

async def wait_ready(state):
    with ready:  # error: ASL108
        ready.wait_for(lambda: state.ready)  # error: ASL108

async def finish(worker: threading.Thread):
    worker.join()  # error: ASL108
"""
    good = """\
import asyncio

ready = asyncio.Condition()

async def wait_ready(state):
    async with ready:
        await ready.wait_for(lambda: state.ready)
"""
    fixed = """\
import asyncio
import threading

ready = threading.Condition()

async def wait_ready(state):
    with ready:
        ready.wait_for(lambda: state.ready)

async def finish(worker: threading.Thread):
    await asyncio.to_thread(worker.join)
"""


@rule
class ASL109(Rule):
    """
    ## What it does
    Flags `input()`, `getpass.getpass()` and reads from `sys.stdin` in an async function.

    ## Why is this bad?
    Reading the console waits for a person to type; the event loop is stopped all that time.

    ## Fix safety
    Unsafe: the call moves to a worker thread, where it may run concurrently with other tasks and
    must be thread-safe. `f(a, b=1)` becomes `await asyncio.to_thread(f, a, b=1)`
    (`await trio.to_thread.run_sync(...)` / `await anyio.to_thread.run_sync(...)`, with
    `functools.partial(f, a, b=1)` when there are keyword arguments). Only calls are rewritten:
    `with lock:` and `for line in file:` are left to you.
    """

    code = "ASL109"
    on_loop = True
    fix_applicability = "unsafe"
    name = "blocking-input"
    summary = "console input in an async function"
    bad = """\
async def ask():
    return input("name? ")  # error: ASL109
"""
    good = """\
import asyncio

async def ask():
    return await asyncio.to_thread(input, "name? ")
"""
    fixed = """\
import asyncio


async def ask():
    return await asyncio.to_thread(input, "name? ")
"""


@rule
class ASL110(Rule):
    """
    ## What it does
    Flags starting an event loop from inside a coroutine: `asyncio.run()`,
    `loop.run_until_complete()`, `loop.run_forever()`, `trio.run()`, `anyio.run()`. Not in the
    child of `os.fork()` (`if pid == 0:`, `if not os.fork():`), where no loop runs (no ASL1xx rule
    reports code there: the child process serves no task).

    ## Why is this bad?
    A loop is already running in this thread: asyncio raises `RuntimeError`, and where it does
    not (trio, a second loop), the outer loop is blocked until the inner one finishes.
    """

    code = "ASL110"
    on_loop = True
    name = "nested-event-loop"
    summary = "an event loop started inside a coroutine"
    bad = """\
import asyncio

async def main(job):
    return asyncio.run(job())  # error: ASL110
"""
    good = """\
async def main(job):
    return await job()
"""




@rule
class ASL111(Rule):
    """
    ## What it does
    Flags a `with` block on a `threading.Lock`/`RLock`/`Semaphore`/`Condition` (or their
    `multiprocessing` twins) in an async function whose body awaits (`await`, `async with`,
    `async for`) while the lock is held.

    ## Why is this bad?
    At the `await` other tasks run on the same thread. One that reaches the same lock blocks the
    whole thread in `acquire()`, waiting for a release that only the suspended task can make:
    the event loop deadlocks (an `RLock` lets the other task in, which breaks the mutual
    exclusion instead). Tasks need the event loop's own lock, which suspends the waiting task
    instead of the thread.

    ## Fix safety
    No fix: an `asyncio.Lock` is right only if no other thread takes the lock. Turning a sleep in
    such a block into an `await` (the ASL101 fix) would create this bug, so that fix is not
    offered as safe there.
    """

    code = "ASL111"
    on_loop = True
    name = "thread-lock-held-across-await"
    summary = "a threading lock held across an `await`"
    bad = """\
import asyncio
import threading

lock = threading.Lock()

async def update(state):
    with lock:  # error: ASL111
        state.value = await state.fetch()
"""
    good = """\
import asyncio

lock = asyncio.Lock()

async def update(state):
    async with lock:
        state.value = await state.fetch()
"""
