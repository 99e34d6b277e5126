"""ASL301, ASL302, ASL501: loops in coroutines that hog the event loop or serialise independent awaits.

A loop is "heavy" when it is known to run long: a `while True` (or any constant-true test, or an
endless iterator) that no `break`, `return`, `raise` or `yield` can leave, a busy wait on a
condition nothing in the loop changes, a `for` over a constant `range()`
(nested constant ranges multiply) above `cpu-loop-threshold`, or nested loops over sizes
unknown here whose innermost body is pure arithmetic. Nothing else is judged: small loops,
loops over literals and single loops of unknown size are left alone.
"""

from __future__ import annotations

import ast

from asynclint.analysis import FuncDef, Ref
from asynclint.analysis.syntax import TRY_STATEMENTS, walk_body, walk_local
from asynclint.model import BACKENDS, PerBackend
from asynclint.rules import Checker, Rule, checker, rule, source_text
from asynclint import catalog
from asynclint.catalog import LIBRARY_COROUTINES

# -- data -----------------------------------------------------------------------------------------

# Awaits that only hand control to the loop for a moment: callee -> (position, keyword) of the
# delay argument, or None when the call takes no delay.
TINY_YIELDS: dict[str, tuple[int, str] | None] = {
    "asyncio.sleep": (0, "delay"),
    "trio.sleep": (0, "seconds"),
    "anyio.sleep": (0, "delay"),
    "trio.lowlevel.checkpoint": None,
    "anyio.lowlevel.checkpoint": None,
}
TINY_DELAY = 0.001  # seconds: a sleep this short is a yield, not a wait

# Iterators that never end (itertools.repeat only without its `times` argument).
ENDLESS_ITERATORS: frozenset[str] = frozenset("itertools.count itertools.cycle".split())

# Methods that only report an object's state: a loop that only asks one of them spins.
STATE_QUERIES: frozenset[str] = frozenset(
    "done cancelled running is_set isSet is_alive locked empty full is_closed is_connected".split())

# Calls after which the code does not go on.
EXITS: frozenset[str] = frozenset("sys.exit os._exit builtins.exit builtins.quit os.abort".split())

# Context managers that swallow or expect an exception: a loop in them may end by raising.
CATCHING_MANAGERS: frozenset[str] = frozenset("contextlib.suppress pytest.raises".split())
CATCHING_METHODS: frozenset[str] = frozenset("assertRaises assertRaisesRegex".split())

# Calls an arithmetic inner loop may make and still be pure computation.
PURE_CALLS: frozenset[str] = frozenset(
    "abs min max int float complex pow divmod round len bool math.sqrt math.exp math.log math.sin "
    "math.cos math.floor math.ceil math.fabs math.hypot".split())

# ASL501: callees whose calls are kept in order even over independent items. A sink (a send, a
# write, a put, an event or hook dispatch) delivers in order; waiting for things that already run
# (an event, a join) gains nothing from concurrency; acquiring in order avoids deadlocks.
ORDERED_PREFIXES: tuple[str, ...] = (
    "send", "write", "put", "emit", "publish", "feed", "notify", "dispatch", "trigger", "fire", "log",
    "print", "wait", "join", "acquire", "drain")

# ASL501: collections whose items receive an event in order of registration.
DISPATCH_WORDS: tuple[str, ...] = (
    "listener", "handler", "observer", "callback", "hook", "detector", "subscriber", "middleware",
    "plugin", "trace", "signal", "receiver", "interceptor", "filter", "processor", "migration", "step")

ORDERING_CALLS: frozenset[str] = frozenset(
    "builtins.list builtins.tuple builtins.set builtins.frozenset builtins.sorted builtins.reversed "
    "copy.copy".split())

OFFLOAD = PerBackend(
    "`await asyncio.to_thread(...)` or a `ProcessPoolExecutor` (`loop.run_in_executor`)",
    "`await trio.to_thread.run_sync(...)` or a worker process",
    "`await anyio.to_thread.run_sync(...)` or `anyio.to_process.run_sync(...)`",
)
CONCURRENT = PerBackend(
    "`asyncio.gather()` or an `asyncio.TaskGroup`",
    "a nursery (`nursery.start_soon`)",
    "an anyio task group (`tg.start_soon`)",
)

_ARITHMETIC = (ast.Add, ast.Sub, ast.Mult, ast.MatMult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow,
               ast.LShift, ast.RShift, ast.BitXor, ast.BitAnd, ast.BitOr)
_LOOPS = (ast.For, ast.While)
_LITERALS = (ast.List, ast.Tuple, ast.Set, ast.Dict, ast.Constant, ast.JoinedStr)


class LoopFacts:
    """What one analysis knows about loops; ``heavy`` is the shared judgement of ASL301/ASL302."""

    def __init__(self, analysis) -> None:
        self.analysis = analysis

    def range_count(self, expr: ast.expr) -> int | None:
        if not (isinstance(expr, ast.Call) and self.analysis.callee_key(expr) == "builtins.range"
                and 1 <= len(expr.args) <= 3 and not expr.keywords):
            return None
        bounds = [self.analysis.values.constant_int(a) for a in expr.args]
        if None in bounds or (len(bounds) == 3 and bounds[2] == 0):
            return None
        start, stop, step = (0, bounds[0], 1) if len(bounds) == 1 else (bounds + [1])[:3]
        # len(range(...)) overflows above sys.maxsize: count by arithmetic instead.
        return max(0, (stop - start + step - (1 if step > 0 else -1)) // step)

    def iterations(self, loop: ast.AST) -> int | None:
        """Iterations of a `for` over a constant range, times those of its heaviest nested such loop."""
        if not isinstance(loop, ast.For):
            return None
        count = self.range_count(loop.iter)
        if count is None:
            return None
        inner = [self.iterations(n) for n in _nested_loops(loop.body)]
        return count * max([n for n in inner if n is not None], default=1)

    def heavy(self, loop: ast.For | ast.While) -> str | None:
        """A description of why the loop runs long, or None when it is not known to."""
        threshold = self.analysis.settings.cpu_loop_threshold
        if isinstance(loop, ast.While):
            if self._can_leave(loop, raising=True) or self._in_try(loop):
                return None
            if _always_true(loop.test):
                return f"`while {ast.unparse(loop.test)}` loop never ends and"
            if self.busy_wait(loop):
                return f"`while {source_text(loop.test)}` loop waits for a condition nothing in it changes and"
            return None
        if self._endless_iterator(loop.iter):
            if not self._can_leave(loop, raising=True) and not self._in_try(loop):
                return f"`for` loop over `{source_text(loop.iter)}` never ends and"
            return None
        if self._can_leave(loop, raising=False):
            return None
        count = self.iterations(loop)
        if count is not None:
            if count > threshold:
                return f"`for` loop over `{source_text(loop.iter)}` ({count:,} iterations)"
            return None
        if self._nested_arithmetic(loop):
            return "nested `for` loops doing arithmetic over sizes unknown here"
        return None

    def _endless_iterator(self, iterable: ast.expr) -> bool:
        if not isinstance(iterable, ast.Call):
            return False
        key = self.analysis.callee_key(iterable)
        return key in ENDLESS_ITERATORS or (
            key == "itertools.repeat" and len(iterable.args) < 2 and not iterable.keywords)

    def busy_wait(self, loop: ast.While) -> bool:
        """``while not self.ready: pass``: a loop that calls nothing and assigns nothing its test reads
        spins until another thread changes the condition, with the event loop stopped meanwhile."""
        tested = {ast.dump(n) for n in ast.walk(loop.test) if isinstance(n, (ast.Name, ast.Attribute, ast.Subscript))}
        if not tested or (isinstance(loop.test, ast.Constant)):
            return False
        for node in (n for statement in loop.body + loop.orelse for n in walk_local(statement)):
            if isinstance(node, (ast.Call, ast.Await, ast.Yield, ast.YieldFrom, ast.Delete, ast.Global, ast.Nonlocal)):
                return False
            if isinstance(node, (ast.Name, ast.Attribute, ast.Subscript)) and not isinstance(node.ctx, ast.Load) \
                    and ast.dump(_loaded(node)) in tested:
                return False
        # A call in the condition may be what ends the loop (`while buf.read(4096): pass` drains):
        # only a query of state (`future.done()`, `event.is_set()`) leaves it a busy wait.
        calls = [n for n in ast.walk(loop.test) if isinstance(n, ast.Call)]
        return all(isinstance(c.func, ast.Attribute) and c.func.attr in STATE_QUERIES for c in calls) and (
            not calls or all(isinstance(s, ast.Pass) or (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))
                             for s in loop.body))

    def _can_leave(self, loop: ast.AST, raising: bool) -> bool:
        """Whether a break of this loop, a return, a yield (or a raise, or an exit call) is in it."""
        for node in walk_local(loop):
            if isinstance(node, (ast.Return, ast.Yield, ast.YieldFrom)):
                return True
            if raising and isinstance(node, ast.Raise):
                return True
            if raising and isinstance(node, ast.Call) and self.analysis.callee_key(node) in EXITS:
                return True
        return any(isinstance(node, ast.Break) for node in _own_statements(loop))

    def _in_try(self, loop: ast.AST) -> bool:
        """Whether the loop being visited is in the body of a `try` with handlers, or of a `with`
        that catches exceptions (`contextlib.suppress`, `pytest.raises`): it may end by an
        exception it expects, like `queue.get_nowait()` raising `QueueEmpty`."""
        return any(guard.catches or self._catches(guard.manager) for guard in self.analysis.guards(loop))

    def _catches(self, manager: ast.expr | None) -> bool:
        if not isinstance(manager, ast.Call):
            return False
        if isinstance(manager.func, ast.Attribute) and manager.func.attr in CATCHING_METHODS:
            return True
        return self.analysis.callee_key(manager) in CATCHING_MANAGERS

    def _nested_arithmetic(self, loop: ast.For) -> bool:
        if self._known_small(loop.iter):
            return False
        inner = [n for n in loop.body if isinstance(n, ast.For)]
        if len(inner) != 1 or len(loop.body) > 3 or self._known_small(inner[0].iter):
            return False
        innermost = inner[0]
        while True:  # go down to the innermost loop of the chain
            deeper = [n for n in innermost.body if isinstance(n, ast.For)]
            if len(deeper) != 1 or self._known_small(deeper[0].iter):
                break
            innermost = deeper[0]
        return self._pure_arithmetic(innermost.body)

    def _known_small(self, iterable: ast.expr) -> bool:
        if isinstance(iterable, _LITERALS):
            return True
        count = self.range_count(iterable)
        return count is not None and count <= self.analysis.settings.cpu_loop_threshold

    def _pure_arithmetic(self, body: list[ast.stmt]) -> bool:
        arithmetic = False
        for statement in body:
            if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Await):
                continue  # a tiny sleep (ASL302 checks that it is one)
            if not isinstance(statement, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
                return False
            for node in walk_local(statement):
                if isinstance(node, ast.Call):
                    key = self.analysis.callee_key(node)
                    if key is None or key.removeprefix("builtins.") not in PURE_CALLS:
                        return False
                elif isinstance(node, (ast.JoinedStr, ast.List, ast.Dict, ast.Set, ast.Tuple)):
                    return False
                elif isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)):
                    return False
                elif isinstance(node, (ast.BinOp, ast.AugAssign)) and isinstance(node.op, _ARITHMETIC):
                    arithmetic = True
        return arithmetic


def _loaded(target: ast.expr) -> ast.expr:
    """An assignment target as the same expression read (for comparing with a loop's test)."""
    copy = ast.parse(ast.unparse(target), mode="eval").body
    return copy


def _always_true(test: ast.expr) -> bool:
    return isinstance(test, ast.Constant) and bool(test.value)


def _own_statements(loop: ast.AST):
    """Statements of the loop's body, not those of loops nested in it (a `break` there leaves the
    nested loop only). The loop's own `else` is left out: a `break` there leaves an outer loop."""
    stack = list(loop.body)
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, (ast.For, ast.While, ast.AsyncFor)):
            stack.extend(node.orelse)  # a break in a nested loop's else leaves the outer loop
            continue
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        stack.extend(child for child in ast.iter_child_nodes(node) if isinstance(child, ast.stmt))
        for handler in getattr(node, "handlers", ()):
            stack.extend(handler.body)
        for case in getattr(node, "cases", ()):
            stack.extend(case.body)


def _nested_loops(body):
    """The loops nested in ``body`` at the first level (not those inside another nested loop)."""
    stack = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, _LOOPS):
            yield node
        elif not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            stack.extend(child for child in ast.iter_child_nodes(node) if isinstance(child, ast.stmt))
            for handler in getattr(node, "handlers", ()):
                stack.extend(handler.body)
            for case in getattr(node, "cases", ()):
                stack.extend(case.body)


@checker
class LoopChecker(Checker):
    codes = ("ASL301", "ASL302", "ASL501")
    on_loop_only = True  # every handler returns at once off the loop; findings wait in `pending`

    def __init__(self, analysis) -> None:
        super().__init__(analysis)
        self.facts = LoopFacts(analysis)
        self.reported: set[int] = set()
        self.pending: dict[int, list[tuple[ast.AST, str, str]]] = {}  # function scope -> findings

    # ASL301, ASL302
    def visit_For(self, node: ast.For) -> None:
        if not self.analysis.on_loop:
            return
        self._check_heavy(node)
        self._check_sequential_for(node)

    def visit_While(self, node: ast.While) -> None:
        if self.analysis.on_loop:
            self._check_heavy(node)

    def _check_heavy(self, loop: ast.For | ast.While) -> None:
        if any(id(p) in self.reported for p in self.analysis.parents):
            return  # an enclosing loop was reported already
        awaits = []
        for node in walk_local(loop):
            if isinstance(node, (ast.AsyncFor, ast.AsyncWith)):
                return
            if isinstance(node, ast.Await):
                if not self._tiny_yield(node.value):
                    return
                awaits.append(node)
        if awaits and not _does_work(loop, {id(a.value) for a in awaits}):
            return  # `while True: await sleep(0)` spins, but has no work to offload
        why = self.facts.heavy(loop)
        if why is None:
            return
        self.reported.add(id(loop))
        offload = OFFLOAD.for_backend(self.analysis.backend)
        if not awaits:
            remedy = f"offload the work with {offload}"
            if isinstance(loop, ast.While) and self.facts.busy_wait(loop):
                remedy = f"await an {catalog.EVENT.for_backend(self.analysis.backend)} set where the condition changes"
            finding = (loop, "ASL301", f"{why} never awaits: it blocks the event loop; {remedy}")
        else:
            sleep = source_text(awaits[0])
            library = (self.analysis.callee_key(awaits[0].value) or "").partition(".")[0]
            if library in BACKENDS:  # the library the loop already yields to
                offload = OFFLOAD.for_backend(library)
            finding = (loop, "ASL302", (
                f"{why} yields only with `{sleep}`: the CPU work still runs on the event loop's thread; "
                f"offload it with {offload}"))
        # Reported when the function is complete: by then the blocking calls in the loop are known.
        self.pending.setdefault(id(self.analysis.function), []).append(finding)

    def leave_function(self, scope) -> None:
        blocking = self.analysis.blocking.on_loop
        for loop, code, message in self.pending.pop(id(scope), ()):
            if any(isinstance(n, ast.Call) and id(n) in blocking for n in walk_local(loop)):
                continue  # a blocking call in the loop is reported (ASL1xx); its fix makes the loop await
            self.report(loop, code, message)

    def _tiny_yield(self, expr: ast.expr) -> bool:
        if not isinstance(expr, ast.Call):
            return False
        key = self.analysis.callee_key(expr)
        if key not in TINY_YIELDS:
            return False
        where = TINY_YIELDS[key]
        if where is None:
            return True
        position, keyword = where
        delay = next((k.value for k in expr.keywords if k.arg == keyword), None)
        if delay is None and len(expr.args) > position:
            delay = expr.args[position]
        return (isinstance(delay, ast.Constant) and isinstance(delay.value, (int, float))
                and not isinstance(delay.value, bool) and 0 <= delay.value <= TINY_DELAY)

    # ASL501
    def _check_sequential_for(self, loop: ast.For) -> None:
        if loop.orelse or len(loop.body) != 1:
            return
        statement = loop.body[0]
        container = None
        awaited = None
        if isinstance(statement, ast.Expr):
            value = statement.value
            if isinstance(value, ast.Await):
                awaited = value
            elif (isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute)
                  and value.func.attr in ("append", "add") and isinstance(value.func.value, ast.Name)
                  and len(value.args) == 1 and not value.keywords and isinstance(value.args[0], ast.Await)):
                container, awaited = value.func.value.id, value.args[0]
        elif (isinstance(statement, ast.Assign) and len(statement.targets) == 1
              and isinstance(statement.targets[0], ast.Subscript) and isinstance(statement.value, ast.Await)
              and isinstance(statement.targets[0].value, ast.Name)):
            container, awaited = statement.targets[0].value.id, statement.value
        if awaited is not None:
            self._check_sequential(loop, awaited, _names(loop.target), container, loop.iter)

    def visit_ListComp(self, node) -> None:
        if not self.analysis.on_loop or len(node.generators) != 1 or node.generators[0].is_async:
            return
        element = node.value if isinstance(node, ast.DictComp) else node.elt
        if isinstance(element, ast.Await):
            generator = node.generators[0]
            self._check_sequential(node, element, _names(generator.target), None, generator.iter)

    visit_SetComp = visit_DictComp = visit_ListComp

    def _check_sequential(self, where, awaited: ast.Await, targets: set[str], container, iterable) -> None:
        call = awaited.value
        if not isinstance(call, ast.Call) or not self._independent_callee(call.func, targets):
            return
        if isinstance(iterable, _LITERALS) or self.facts.range_count(iterable) is not None:
            return  # a few items spelled out, or a constant count: deliberate, and short
        if self._copied_or_ordered(iterable) or _dispatch_targets(iterable):
            return
        name = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")
        if name.lstrip("_").startswith(ORDERED_PREFIXES) or self._in_cleanup(where):
            return
        arguments = set()
        if isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Name):
            arguments.add(call.func.value.id)  # a method of the item itself
        for part in call.args + [k.value for k in call.keywords]:
            arguments |= {n.id for n in ast.walk(part) if isinstance(n, ast.Name)}
        if not arguments & targets or (container is not None and container in arguments):
            return
        if any(isinstance(n, (ast.Await, ast.Lambda, ast.NamedExpr)) for a in call.args for n in ast.walk(a)):
            return
        self.report(where, "ASL501", (
            f"`{source_text(awaited)}` runs once per item of `{source_text(iterable, 30)}`, one after "
            f"another; if the items are independent, run the calls concurrently with "
            f"{CONCURRENT.for_backend(self.analysis.backend)}"))

    def _copied_or_ordered(self, iterable: ast.expr) -> bool:
        """``list(x)``, ``x.copy()``: a copy taken because the calls change the collection (shared
        state); ``sorted(x)``, ``reversed(x)``: an order that matters."""
        if not isinstance(iterable, ast.Call):
            return False
        if isinstance(iterable.func, ast.Attribute) and iterable.func.attr == "copy":
            return True
        return self.analysis.callee_key(iterable) in ORDERING_CALLS

    def _in_cleanup(self, node: ast.AST) -> bool:
        """Whether ``node`` is in an `except` handler or a `finally` block: cleanup code, often
        running cancelled, where a plain sequence is the robust choice."""
        parents = self.analysis.parents
        for index, parent in enumerate(parents):
            if isinstance(parent, ast.ExceptHandler):
                return True
            if isinstance(parent, TRY_STATEMENTS):
                child = parents[index + 1] if index + 1 < len(parents) else node
                if any(child is s for s in parent.finalbody):
                    return True
        return False

    def _independent_callee(self, func: ast.expr, targets: set[str]) -> bool:
        """A function defined in this module or imported, or a method of the loop's own item; never
        a method of a shared object (a stream, a connection) whose calls must stay in order, nor a
        name of unknown origin (a parameter, a bound method kept in a variable)."""
        value = self.analysis.resolve(func)
        if isinstance(value, Ref) and value.name in LIBRARY_COROUTINES:
            return False
        if isinstance(func, ast.Name):
            return (isinstance(value, FuncDef) and value.kind == "function") or (
                isinstance(value, Ref) and not value.name.startswith("builtins."))
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            if func.value.id in targets:
                return True
            base = self.analysis.resolve(func.value)
            return isinstance(base, Ref) and "." not in base.name and base.name not in (
                "asyncio", "trio", "anyio", "builtins")
        return False


def _does_work(loop: ast.For | ast.While, yields: set[int]) -> bool:
    """Whether the loop's body computes anything: a call other than its yields, or an assignment."""
    for node in walk_body(loop.body):
        if isinstance(node, ast.Call) and id(node) not in yields:
            return True
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.NamedExpr)):
            return True
    return False


def _dispatch_targets(iterable: ast.expr) -> bool:
    """Whether the items look like observers (``self._listeners``, ``handlers``): an event is
    dispatched to them in their order of registration."""
    while isinstance(iterable, ast.Call):  # handlers.values(), list(hooks)
        iterable = iterable.func.value if isinstance(iterable.func, ast.Attribute) else (
            iterable.args[0] if iterable.args else iterable.func)
    name = iterable.attr if isinstance(iterable, ast.Attribute) else getattr(iterable, "id", "")
    return any(word in name.lower() for word in DISPATCH_WORDS)


def _names(target: ast.expr) -> set[str]:
    return {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}


# -- the rules ------------------------------------------------------------------------------------

@rule
class ASL301(Rule):
    """
    ## What it does
    Flags a loop in an async function that never awaits and is known to run long: a
    `while True` or a `for` over `itertools.count()`/`cycle()` that no `break`, `return`, `raise` or
    `yield` leaves (and that is not in a `try` expecting the exception that ends it), a busy wait
    (`while not self.ready: pass`: a loop that calls nothing and changes nothing its condition
    reads), a `for` over a constant `range()` of more than `cpu-loop-threshold` iterations (nested
    constant ranges multiply; a bound may be a module-level name bound once to a constant, or an
    expression of those: `range(N)`, `range(1 << 24)`, `range(int(1e7))`), or nested `for` loops over
    sizes unknown here whose innermost body is pure arithmetic. Small loops, loops over literals,
    single loops over collections of unknown size and loops that can break or return are not
    flagged, nor a loop in which a blocking call is reported (ASL1xx): fixing that call makes
    the loop await.

    ## Why is this bad?
    An event loop runs one task at a time. A loop without an `await` keeps the thread until it
    finishes: every other task, timer and connection of the process waits, and a loop that
    never ends freezes the program. CPU-bound work belongs in a worker thread or, to use more
    than one core, a process pool.

    ## Options
    ```toml
    [tool.asynclint]
    cpu-loop-threshold = 100000  # iterations of a constant range() above which a loop is heavy
    ```
    """

    code = "ASL301"
    on_loop = True
    name = "cpu-bound-loop"
    summary = "a long loop in an async function that never awaits"
    bad = """\
async def checksum(data):
    total = 0
    for i in range(10_000_000):  # error: ASL301
        total = (total * 31 + data[i % len(data)]) % 2**32
    return total
"""
    good = """\
import asyncio

def checksum_sync(data):
    total = 0
    for i in range(10_000_000):
        total = (total * 31 + data[i % len(data)]) % 2**32
    return total

async def checksum(data):
    return await asyncio.to_thread(checksum_sync, data)
"""


@rule
class ASL302(Rule):
    """
    ## What it does
    Flags a heavy loop (as ASL301 defines it) whose only awaits are tiny sleeps:
    `await asyncio.sleep(0)`, `await trio.sleep(0)`, a sleep of a millisecond or less, or
    `trio.lowlevel.checkpoint()`/`anyio.lowlevel.checkpoint()`.

    ## Why is this bad?
    The sleep lets other tasks run between iterations, so the program stays responsive, but
    the CPU work itself still runs on the event loop's thread: every task runs slower, latency
    grows with the loop's load, and only one core works. Move the computation to a thread
    (`asyncio.to_thread`) or a `ProcessPoolExecutor`.

    ## Options
    ```toml
    [tool.asynclint]
    cpu-loop-threshold = 100000
    ```
    """

    code = "ASL302"
    on_loop = True
    name = "cpu-loop-with-tiny-sleep"
    summary = "a heavy loop that yields only with a zero or tiny sleep"
    bad = """\
import asyncio

async def crunch(values):
    for i in range(1_000_000):  # error: ASL302
        values[i % 100] += i
        await asyncio.sleep(0)
"""
    good = """\
import asyncio

def crunch_sync(values):
    for i in range(1_000_000):
        values[i % 100] += i

async def crunch(values):
    await asyncio.to_thread(crunch_sync, values)
"""


@rule
class ASL501(Rule):
    """
    ## What it does
    Flags awaits made one after another over the items of a collection when each call
    depends only on its item: a `for` loop whose whole body is `await f(item)`,
    `results.append(await f(item))` or `results[key] = await f(item)`, and the comprehension
    `[await f(item) for item in items]`. The callee must be a function defined in the module or
    imported, or a method of the item itself.

    Not flagged, because order or sharing is likely to matter: methods of a shared object (a
    stream, a connection, a queue) and callables of unknown origin (parameters, bound methods
    kept in variables); sends, writes, puts, waits, joins and lock acquisitions; library sleeps;
    items spelled out literally or counted by a constant `range()`; collections iterated through
    a copy (`list(x)`, `x.copy()`) or in a chosen order (`sorted`, `reversed`); collections of
    observers (`listeners`, `handlers`, `hooks`, `middlewares`, ...); and loops in `except` or
    `finally` blocks.

    Off by default: enable it with `select = ["ASL501"]`, since only you know whether the
    order of the calls matters.

    ## Why is this bad?
    Each call waits for the previous one to finish, so the total time is the sum of every
    call's latency. Run concurrently, it is about the slowest single call.
    """

    code = "ASL501"
    on_loop = True
    name = "sequential-awaits"
    summary = "independent awaits made one after another in a loop"
    enabled_by_default = False
    bad = """\
async def fetch(url): ...

async def fetch_all(urls):
    return [await fetch(url) for url in urls]  # error: ASL501
"""
    good = """\
import asyncio

async def fetch(url): ...

async def fetch_all(urls):
    return await asyncio.gather(*(fetch(url) for url in urls))
"""
