"""See the event loop held at run time: how long each loop step runs, and where it runs.

Every asyncio loop runs its callbacks and task steps through ``asyncio.events.Handle._run``, and
every trio run reports its task steps to its instruments: timing those tells when a step starts
and ends, in whatever thread the loop runs (pytest-asyncio, anyio's asyncio and trio backends,
``asyncio.run`` in a test, a server thread). A watchdog thread samples the stack of a thread
whose step has run for half the threshold, so that a CPU loop or a C call is seen where it
runs, not only a patched list of functions. A step held longer than the threshold is handed to
``on_held`` with its samples, after the step, in the loop's thread.

Not seen: uvloop (its handles are C), and where a C call holds the GIL for the whole episode the
watchdog cannot sample it (the episode is still timed, its stack is unknown).
"""

from __future__ import annotations

import ast
import asyncio.events
import inspect
import itertools
import linecache
import sys
import threading
import types
from dataclasses import dataclass, replace
from time import perf_counter, sleep, time

try:
    from time import clock_gettime, pthread_getcpuclockid
except ImportError:  # Windows, macOS: _running_python asks the GIL alone
    pass
from typing import Callable

_CO_COROUTINE_FLAGS = inspect.CO_COROUTINE | inspect.CO_ASYNC_GENERATOR | inspect.CO_ITERABLE_COROUTINE
_MAX_SAMPLES = 20  # per episode: enough to say where most of it was spent
_PRUNE_SECONDS = 1.0


@dataclass(frozen=True)
class Frame:
    """One frame of the project's own code, as a sample saw it."""

    path: str
    line: int
    function: str  # the code's qualified name (``Client.fetch``)
    module: str  # the module's ``__name__``
    is_async: bool  # a coroutine's (or async generator's) frame: it runs on the loop itself


@dataclass(frozen=True)
class Sample:
    """The loop thread's stack at one moment of a held step: the project's frames, innermost
    first, the blocking callee's qualified name where the innermost project frame was calling
    one, and the innermost frame outside the project that it had called (``module.function``)."""

    stack: tuple[Frame, ...]
    instruction: int  # the innermost project frame's f_lasti: a call in progress keeps it
    running_python: bool  # the thread kept the GIL: Python code ran (a CPU loop), not a call that waits
    call: str | None
    library_frame: str | None
    receiver_type: str | None  # the type of ``obj`` in ``obj.method(...)``, where the call is a method


@dataclass(frozen=True)
class Held:
    """One step that held the loop longer than the threshold."""

    loop: str  # "asyncio" or "trio"
    seconds: float
    ended: float  # time.time() when the step ended
    samples: tuple[Sample, ...]

    def where(self) -> Sample | None:
        """The sample at the place most samples saw (the first such), None when none was taken.
        Its call is dropped when Python ran there: the samples saw the frame at more than one
        instruction, or half of them or more saw it keep the GIL (a loop that calls: its
        samples land mostly on the calls, where the interpreter lets other threads run)."""
        places: dict[tuple, list[Sample]] = {}
        for sample in self.samples:
            top = sample.stack[0] if sample.stack else None
            places.setdefault(top and (top.path, top.line), []).append(sample)
        if not places:
            return None
        seen = max(places.values(), key=len)
        running = (len({sample.instruction for sample in seen}) > 1
                   or sum(sample.running_python for sample in seen) * 2 >= len(seen))
        first = next((sample for sample in seen if sample.running_python == running), seen[0])
        return replace(first, call=None, receiver_type=None) if running else first


class _Thread:
    """The step a thread is running, if any, and the watchdog's samples of it."""

    __slots__ = ("ident", "started", "raw")

    def __init__(self, ident: int) -> None:
        self.ident = ident
        self.started: float | None = None
        # The watchdog's samples: (the step's start, the stack as (frame, f_lasti, f_lineno) innermost
        # first, whether the thread was running Python).
        self.raw: list[tuple[float, tuple, bool]] = []


class LoopWatch:
    """Times every loop step while started; ``is_project(path)`` says which files are the
    project's own (its frames are the ones reported)."""

    def __init__(self, threshold: float, on_held: Callable[[Held], None], is_project: Callable[[str], bool]):
        self.threshold = threshold
        self.on_held = on_held
        self._project_files: dict[str, bool] = {__file__: False}
        self._is_project = is_project
        self._local = threading.local()
        self._threads: dict[int, _Thread] = {}
        self._stop = threading.Event()
        self._watchdog: threading.Thread | None = None
        self._undo: list[Callable[[], None]] = []

    # -- starting and stopping -------------------------------------------------------------

    def start(self) -> None:
        self._patch_asyncio()
        self._patch_trio()
        self._watchdog = threading.Thread(target=self._watch, name="asynclint-loopwatch", daemon=True)
        self._watchdog.start()

    def stop(self) -> None:
        self._stop.set()
        if self._watchdog is not None:
            self._watchdog.join()
        while self._undo:
            self._undo.pop()()

    def _patch_asyncio(self) -> None:
        handle = asyncio.events.Handle
        original = handle._run
        local, register, threshold, report = self._local, self._register, self.threshold, self._report

        def _run(self):  # _begin and _end inlined: this runs for every callback of every loop
            try:
                thread = local.thread
            except AttributeError:
                thread = register()
            previous = thread.started
            thread.started = started = perf_counter()
            try:
                original(self)
            finally:
                thread.started = previous
                held = perf_counter() - started
                if held >= threshold:
                    report(thread, started, held, "asyncio")
                elif thread.raw:
                    thread.raw = []

        handle._run = _run
        self._undo.append(lambda: setattr(handle, "_run", original))

    def _patch_trio(self) -> None:
        """Add an instrument to every trio run: ``trio.run`` and guest runs (anyio's backend) both
        make their runner with ``setup_runner``, whichever name the caller imported them by."""
        try:
            from trio._core import _run as trio_run
        except ImportError:
            return
        original = trio_run.setup_runner
        instrument = _TrioInstrument(self)

        def setup_runner(clock, instruments, *args, **kwargs):
            return original(clock, (*instruments, instrument), *args, **kwargs)

        trio_run.setup_runner = setup_runner
        self._undo.append(lambda: setattr(trio_run, "setup_runner", original))

    # -- the steps (in the loop's thread: kept short) ----------------------------------------

    def _register(self) -> _Thread:
        thread = self._local.thread = self._threads[threading.get_ident()] = _Thread(threading.get_ident())
        return thread

    def _begin(self) -> tuple[_Thread, float | None]:
        try:
            thread = self._local.thread
        except AttributeError:
            thread = self._register()
        previous = thread.started  # a loop run inside a step (a nested loop) keeps the outer step's start
        thread.started = perf_counter()
        return thread, previous

    def _end(self, thread: _Thread, previous: float | None, loop: str) -> None:
        started = thread.started
        held = perf_counter() - started
        thread.started = previous
        if held >= self.threshold:
            self._report(thread, started, held, loop)
        elif thread.raw:  # samples of a step that did not last
            thread.raw = []

    def _report(self, thread: _Thread, started: float, held: float, loop: str) -> None:
        raw, thread.raw = thread.raw, []
        samples = tuple(self._sample(stack, running) for step, stack, running in raw if step == started)
        self.on_held(Held(loop, held, time(), samples))

    # -- the watchdog ----------------------------------------------------------------------

    def _watch(self) -> None:
        interval = min(self.threshold / 4, 0.025)
        pruned = perf_counter()
        while not self._stop.wait(interval):
            now = perf_counter()
            frames = None
            if now - pruned > _PRUNE_SECONDS:  # forget the threads that are gone (a suite can start thousands)
                frames, pruned = sys._current_frames(), now
                for ident in self._threads.keys() - frames.keys():
                    del self._threads[ident]
            for thread in list(self._threads.values()):
                started = thread.started
                if started is None or now - started < self.threshold / 2 or len(thread.raw) >= _MAX_SAMPLES:
                    continue
                frames = frames or sys._current_frames()
                frame = frames.get(thread.ident)
                if frame is None:  # gone since (its loop ended in the middle of a step)
                    continue
                stack = []
                while frame is not None:  # the lines now: the outer frames move on before the step ends
                    stack.append((frame, frame.f_lasti, frame.f_lineno))
                    frame = frame.f_back
                running = _running_python(thread.ident)
                if thread.started == started:  # still the same step, after the probe too
                    thread.raw.append((started, tuple(stack), running))

    def _sample(self, stack: tuple, running_python: bool) -> Sample:
        """The project's frames of a sampled stack, and what the innermost of them was calling.
        Runs after the step, in the loop's thread."""
        frames: list[Frame] = []
        call = receiver_type = library_frame = None
        called = None  # the frame the innermost project frame had called
        instruction = -1
        for frame, lasti, line in stack:
            code = frame.f_code
            if not self._project(code.co_filename):
                if not frames:
                    called = frame
                continue
            if not frames:
                instruction = lasti
                call, receiver_type = _callee(frame, lasti)
                if called is not None:
                    library_frame = f"{called.f_globals.get('__name__', '?')}.{called.f_code.co_qualname}"
            frames.append(Frame(code.co_filename, line, code.co_qualname, frame.f_globals.get("__name__", "?"),
                                bool(code.co_flags & _CO_COROUTINE_FLAGS)))
        return Sample(tuple(frames), instruction, running_python, call, library_frame, receiver_type)

    def _project(self, path: str) -> bool:
        known = self._project_files.get(path)
        if known is None:
            known = self._project_files[path] = self._is_project(path)
        return known


def _running_python(ident: int) -> bool:
    """Whether thread ``ident`` is running Python code (a CPU loop) rather than waiting in a call
    (``time.sleep``, a socket) or computing in one that released the GIL (hashing): it uses the
    CPU, and giving up the GIL takes a switch interval to get it back (that thread runs until
    the interpreter makes it yield). The median of three tries: a busy machine can keep a
    thread off the CPU for as long."""
    try:
        clock = pthread_getcpuclockid(ident)
        used = clock_gettime(clock)
    except (NameError, OSError):  # no per-thread CPU clock here: the GIL alone says
        clock = used = None
    started = perf_counter()
    waits = []
    for _ in range(3):
        asked = perf_counter()
        sleep(0)
        waits.append(perf_counter() - asked)
    if clock is not None:
        try:
            if clock_gettime(clock) - used < (perf_counter() - started) / 5:
                return False
        except OSError:  # the thread ended meanwhile, and its clock with it
            return False
    return sorted(waits)[1] >= 0.8 * sys.getswitchinterval()


class _TrioInstrument:
    """trio's instrument API, timing each task step as the asyncio handles are."""

    def __init__(self, watch: LoopWatch) -> None:
        self._watch = watch
        self._open: dict[int, tuple[_Thread, float | None]] = {}

    def before_task_step(self, task) -> None:
        self._open[threading.get_ident()] = self._watch._begin()

    def after_task_step(self, task) -> None:
        thread, previous = self._open.pop(threading.get_ident())
        self._watch._end(thread, previous, "trio")


def _callee(frame: types.FrameType, lasti: int) -> tuple[str | None, str | None]:
    """The qualified name of what ``frame`` was calling at instruction ``lasti`` (``time.sleep``,
    ``requests.Session.get``), and the receiver's type for a method; (None, None) when the
    instruction was not a call of a dotted name (a CPU loop, a call of a call's result)."""
    node = _call_node(frame.f_code, lasti)
    if node is None:
        return None, None
    names = _dotted(node.func)
    if names is None:
        return None, None
    root, *attributes = names
    missing = object()
    for namespace in (frame.f_locals, frame.f_globals, frame.f_builtins):
        value = namespace.get(root, missing)
        if value is not missing:
            break
    else:
        return None, None
    for index, attribute in enumerate(attributes):
        if isinstance(value, types.ModuleType):
            return ".".join([value.__name__, *attributes[index:]]), None
        if not isinstance(value, type) and index == len(attributes) - 1:  # obj.method(...)
            owner = public_name(type(value))
            return f"{owner}.{attribute}", owner
        value = inspect.getattr_static(value, attribute, missing)
        if value is missing:
            return None, None
    return (None, None) if isinstance(value, types.ModuleType) else (public_name(value), None)


def _call_node(code: types.CodeType, lasti: int) -> ast.Call | None:
    """The call expression of the instruction at ``lasti`` (its positions span the call), parsed
    from the file's text."""
    position = next(itertools.islice(code.co_positions(), lasti // 2, None), None) if lasti >= 0 else None
    if position is None or None in position:
        return None
    line, end_line, col, end_col = position
    lines = linecache.getlines(code.co_filename)[line - 1:end_line]
    if not lines:
        return None
    encoded = [text.encode("utf-8") for text in lines]  # the columns count UTF-8 bytes
    encoded[-1] = encoded[-1][:end_col]
    encoded[0] = encoded[0][col:]
    try:
        node = ast.parse(b"(" + b"".join(encoded) + b")", mode="eval").body
    except (SyntaxError, ValueError):
        return None
    return node if isinstance(node, ast.Call) else None


def _dotted(node: ast.expr) -> list[str] | None:
    names = []
    while isinstance(node, ast.Attribute):
        names.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return [node.id, *reversed(names)]


def public_name(value: object) -> str | None:
    """``module.qualname`` of a function or class, by the shortest module path that exports the
    same object (``requests.Session``, not ``requests.sessions.Session``), as the catalog names it."""
    module, qualname = getattr(value, "__module__", None), getattr(value, "__qualname__", None)
    if not isinstance(module, str) or not isinstance(qualname, str):
        return None
    parts = module.split(".")
    for end in range(1, len(parts)):
        exporter = sys.modules.get(".".join(parts[:end]))
        if exporter is not None and _attribute_path(exporter, qualname) is value:
            return f"{'.'.join(parts[:end])}.{qualname}"
    return qualname if module == "builtins" else f"{module}.{qualname}"


def _attribute_path(owner: object, qualname: str) -> object:
    for name in qualname.split("."):
        owner = inspect.getattr_static(owner, name, None)
    return owner
