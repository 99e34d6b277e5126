"""A check run over many files: discovery, the cache, worker processes, collecting results.

The main process walks the file list once, in order. For each file it reads the source,
applies the engine's early skip (no trigger word: nothing to parse), and looks the file up in
the cache; only what is left is linted, in chunks, by a pool of worker processes (or in this
process for ``jobs=1``, for runs with less than two chunks of work, and without ``jobs`` for runs
with less than PARALLEL_MIN_CHARS of source or no idle CPU: there starting workers would cost
more than it saves). At most a few chunks per worker are in flight, so memory stays
bounded whatever the size of the tree; workers write the cache entries of what they linted.
Each file's findings come back sorted from the engine and are put in the order of the sorted
file list, so the output is the same for any number of jobs without sorting them again.

Ctrl-C: workers ignore SIGINT; the main process stops them and lets KeyboardInterrupt reach
the CLI, which exits with 130.
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import sys
from collections import deque
from dataclasses import astuple, dataclass, field
from typing import TYPE_CHECKING

from asynclint.cache import Cache, default_cache_dir, engine_fingerprint, make_key, settings_fingerprint
from asynclint.config import Options, Resolver
from asynclint.engine import SourceError, enabled_codes, lint_source, needs_parse, project_index, read_source
from asynclint.files import discover
from asynclint.model import Diagnostic, Related, Settings
from asynclint.callgraph import ProjectIndex, file_stamp

if TYPE_CHECKING:  # imported when workers start: a cached or small run never pays for them
    from concurrent.futures import Future, ProcessPoolExecutor

RESULTS = "results"  # the cache kind of one file's diagnostics
CHUNK_FILES = 32  # a chunk is sent to a worker when it holds this many files...
CHUNK_CHARS = 256 * 1024  # ...or this much source text, whichever comes first
# Without --jobs, workers start only for at least this much source to lint (about two seconds of
# work for one process): less is done sooner in this process.
PARALLEL_MIN_CHARS = 4_000_000
IN_FLIGHT_PER_JOB = 3  # chunks queued per worker: enough to keep it busy, few enough to bound memory
# ast.parse allocates hundreds of thousands of objects per large file, none of them in cycles;
# with the default thresholds the cyclic collector runs over and over during each parse. A
# run raises them (measured: parsing takes 20-35% less time), and restores them when done.
GC_THRESHOLDS = (50_000, 20, 20)


@dataclass
class RunResult:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files_checked: int = 0
    problems: list[str] = field(default_factory=list)  # paths that could not be checked at all
    skipped: int = 0  # files the early skip left unparsed (no trigger word)
    cached: int = 0  # files whose results came from the cache
    linted: int = 0  # files handed to the engine


def default_jobs() -> int:
    """Workers for a run with enough work: the CPUs this process may use, less those that other
    work keeps busy (a worker without a CPU of its own only adds its start-up and summaries)."""
    try:
        cpus = max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        cpus = max(1, os.cpu_count() or 1)
    try:
        busy = int(os.getloadavg()[0])
    except (AttributeError, OSError):
        busy = 0
    return max(1, cpus - busy)


def select_files(paths: list[str], resolver: Resolver) -> tuple[list[tuple[str, Settings]], list[str]]:
    """(each file to check with its settings, sorted by path; messages for paths that do not
    exist): what check, --fix and --diff all work on. Whether a file is excluded is the
    resolver's (config.settings_for's) to say."""
    files, problems = discover(paths, resolver.directory)
    named = {path for path in paths if os.path.isfile(path)}
    selected = []
    for path in files:
        own = resolver.file(path, named=path in named)
        if not own.excluded:
            selected.append((path, own.settings))
    selected.sort(key=lambda item: item[0])
    return selected, problems


def check_paths(paths: list[str], settings: Settings | None = None, *, options: Options = Options(),
                jobs: int | None = None, cache: bool = True, cache_dir: str | None = None,
                verbose: bool = False) -> RunResult:
    """Check every Python file under ``paths``, each with the settings of its nearest
    pyproject.toml and the door's ``options`` over them (``settings``: one configuration for
    every file instead, for library use). ``jobs``: worker processes (default: none for little work, else one per idle CPU);
    ``cache``: read and write the on-disk cache in ``cache_dir`` (default: under each
    project's root)."""
    selected, problems = select_files(paths, Resolver(options, fixed=settings))
    result = RunResult(files_checked=len(selected), problems=problems)
    found: dict[str, list[Diagnostic]] = {}  # each file's findings, as they arrive
    groups: dict[int, tuple[Settings, list[str]]] = {}
    for path, own in selected:
        groups.setdefault(id(own), (own, []))[1].append(path)
    for own, group in groups.values():
        _check_group(group, own, result, found, jobs=jobs, cache=cache, cache_dir=cache_dir, verbose=verbose)
    result.diagnostics = [d for path, _ in selected for d in found.get(path, ())]
    return result


def _check_group(files: list[str], settings: Settings, result: RunResult, found: dict[str, list[Diagnostic]],
                 *, jobs, cache, cache_dir, verbose):
    store = Cache(cache_dir or default_cache_dir(settings), enabled=cache)
    # Findings about other modules (ASL401, ASL201-ASL204) change when a module appears: the
    # list of files joins the key. A change to a module a file used is caught by its stamp.
    fingerprint = make_key(engine_fingerprint(), settings_fingerprint(settings), "\n".join(files)) \
        if store.enabled else ""
    with _fewer_collections(), _Dispatcher(jobs, settings, store, verbose, result,
                                           found) as dispatcher:
        for path in files:
            try:
                source = read_source(path)
            except SourceError as error:
                found[path] = [error.finding(path)]
                continue
            enabled = enabled_codes(settings, path)
            if not needs_parse(source, enabled):
                result.skipped += 1
                continue
            key = None
            if store.enabled:
                key = make_key(fingerprint, ",".join(sorted(enabled)), source)
                cached = _decode(store.get(RESULTS, key), path)
                if cached is not None:
                    result.cached += 1
                    found[path] = cached
                    continue
            dispatcher.add(path, source, enabled, key)


@contextlib.contextmanager
def _sigint_held():
    """Ctrl-C waits while workers are forked: a worker that gets it before it ignores SIGINT would
    die with a traceback. Children inherit the blocked signal; this process gets it right after."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


@contextlib.contextmanager
def _fewer_collections():
    old = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*old)


# -- the cache entry of one file ----------------------------------------------------------------

# A cached diagnostic: these fields, then its chain and its related calls (the path is not stored).
_CACHED = ("line", "col", "code", "message", "end_line", "end_col", "fix", "fix_kind", "target", "fix_reason", "cell")


def _encode(diagnostics: list[Diagnostic], depends_on: dict[str, tuple]) -> dict:
    """A file's diagnostics and the other modules (file, stamp) its findings were made from."""
    return {"diagnostics": [[*(getattr(d, name) for name in _CACHED), d.chain, [astuple(r) for r in d.related]]
                            for d in diagnostics],
            "depends_on": [[path, *stamp] for path, stamp in depends_on.items()]}


def _decode(payload, path: str) -> list[Diagnostic] | None:
    """Diagnostics from a cache payload (the path is not stored), or None when it is malformed or
    a module it depends on has changed since."""
    if not isinstance(payload, dict) or not _unchanged(payload.get("depends_on")):
        return None
    try:
        found = [Diagnostic(path=path, **dict(zip(_CACHED, row[:-2])), chain=tuple(tuple(step) for step in row[-2]),
                            related=tuple(Related(*later) for later in row[-1]))
                 for row in payload["diagnostics"]]
    except (TypeError, KeyError, ValueError):
        return None
    if not all(isinstance(d.line, int) and isinstance(d.col, int) and isinstance(d.code, str) for d in found):
        return None
    return found


def _unchanged(depends_on) -> bool:
    if not isinstance(depends_on, list):
        return False
    for entry in depends_on:
        try:
            path, mtime_ns, size = entry
            if file_stamp(path) != (mtime_ns, size):
                return False
        except (TypeError, ValueError):
            return False
    return True


# -- linting, in this process or in a worker ----------------------------------------------------

_worker_state: tuple[Settings, Cache, bool, ProjectIndex] | None = None


def _init_worker(settings: Settings, store: Cache, verbose: bool) -> None:
    global _worker_state
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process handles Ctrl-C
    if hasattr(signal, "pthread_sigmask"):  # held while this process was forked: see _sigint_held
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    gc.set_threshold(*GC_THRESHOLDS)
    # Each worker keeps its own index of the project: a module is summarised once per worker
    # (and once in all, with the on-disk cache).
    _worker_state = (settings, store, verbose, project_index(settings, store))


Work = tuple[str, str, frozenset, "str | None"]  # (path, source, enabled codes, cache key)


def _lint_chunk(chunk: list[Work]) -> list[list[Diagnostic]]:
    return _lint_all(chunk, *_worker_state)


def _lint_all(chunk: list[Work], settings: Settings, store: Cache, verbose: bool,
              project: ProjectIndex) -> list[list[Diagnostic]]:
    results = []
    for path, source, enabled, key in chunk:
        with project.recording() as depends_on:
            # The dispatcher took only files in which a trigger occurs (needs_parse): no second look.
            found = lint_source(source, path, settings, enabled=enabled, verbose=verbose, project=project,
                                skip_without_async=False)
        if key is not None and not any(d.code == "ASL002" for d in found):
            store.put(RESULTS, key, _encode(found, depends_on))
            project.keep(path, source)
        results.append(found)
    return results


class _Dispatcher:
    """Collects files to lint into chunks and runs them, in workers once there is enough work."""

    def __init__(self, jobs: int | None, settings: Settings, store: Cache, verbose: bool, result: RunResult,
                 found: dict[str, list[Diagnostic]]):
        self.jobs = jobs  # None: chosen from the amount of work, once it is known to be enough
        self.settings, self.store, self.verbose = settings, store, verbose
        self.result, self.found = result, found
        self.chunk: list[Work] = []
        self.chunk_chars = 0
        self.executor: "ProcessPoolExecutor | None" = None
        self.in_flight: "deque[tuple[Future, list]]" = deque()
        # Chunks kept until there is enough work to be worth starting workers for.
        self.held: list = []
        self.held_chars = 0
        self.project: ProjectIndex | None = None  # this process's index, made on first use

    def __enter__(self) -> "_Dispatcher":
        return self

    def __exit__(self, kind, error, tb) -> None:
        if kind is None:
            self._flush(final=True)
            while self.in_flight:
                self._collect_oldest()
            self._close()
        else:
            self._abort()

    def add(self, path: str, source: str, enabled: frozenset, key: str | None) -> None:
        self.result.linted += 1
        self.chunk.append((path, source, enabled, key))
        self.chunk_chars += len(source)
        if len(self.chunk) >= CHUNK_FILES or self.chunk_chars >= CHUNK_CHARS:
            self._flush(final=False)

    def _flush(self, final: bool) -> None:
        chunk, self.chunk, self.chunk_chars = self.chunk, [], 0
        chunks = [chunk] if chunk else []
        if self.executor is None and self.jobs != 1:
            self.held += chunks
            self.held_chars += sum(len(source) for _, source, _, _ in chunk)
            if not final and not self._enough_for_workers():
                return
            chunks, self.held, self.held_chars = self.held, [], 0
            if not final and self.jobs is None:
                self.jobs = default_jobs()
        for chunk in chunks:
            self._run(chunk, in_process=self.jobs == 1 or (final and self.executor is None))

    def _run(self, chunk: list, in_process: bool) -> None:
        if in_process:
            if self.project is None:
                self.project = project_index(self.settings, self.store)
            self._take(chunk, _lint_all(chunk, self.settings, self.store, self.verbose, self.project))
            return
        if self.executor is None:
            with _sigint_held():  # the first submit forks the workers (making the pool does not)
                self.executor = self._start()
                self.in_flight.append((self.executor.submit(_lint_chunk, chunk), chunk))
            return
        while len(self.in_flight) >= self.jobs * IN_FLIGHT_PER_JOB:
            self._collect_oldest()
        self.in_flight.append((self.executor.submit(_lint_chunk, chunk), chunk))

    def _enough_for_workers(self) -> bool:
        """Workers pay only for more work than it costs to start them (and for each of them to
        summarise the modules it needs again): with --jobs given, more than one chunk; else at
        least PARALLEL_MIN_CHARS of source."""
        if self.jobs is None:
            return self.held_chars >= PARALLEL_MIN_CHARS
        return len(self.held) > 1

    def _start(self) -> "ProcessPoolExecutor":
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods and sys.platform != "darwin" else None)
        return ProcessPoolExecutor(self.jobs, mp_context=context, initializer=_init_worker,
                                   initargs=(self.settings, self.store, self.verbose))

    def _collect_oldest(self) -> None:
        from concurrent.futures.process import BrokenProcessPool

        future, chunk = self.in_flight.popleft()
        try:
            self._take(chunk, future.result())
        except BrokenProcessPool:
            # A worker died (killed, out of memory, a crash in C code): we cannot tell which
            # file did it, so every file in flight is reported, and a fresh pool goes on.
            failed = [chunk] + [c for _, c in self.in_flight]
            self.in_flight.clear()
            self._close()
            for lost in failed:
                for path, *_ in lost:
                    self.found[path] = [Diagnostic(
                        path, 1, 1, "ASL002", "internal error: the worker process checking this file "
                        "died (out of memory or a crash); run with --jobs 1 to find the culprit")]

    def _take(self, chunk: list[Work], results: list[list[Diagnostic]]) -> None:
        for (path, *_), found in zip(chunk, results):
            self.found[path] = found

    def _close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True)
            self.executor = None

    def _abort(self) -> None:
        """Stop at once (Ctrl-C or an error in this process): cancel what is queued, end the workers."""
        executor, self.executor = self.executor, None
        if executor is None:
            return
        processes = list((getattr(executor, "_processes", None) or {}).values())
        manager = getattr(executor, "_executor_manager_thread", None)
        executor.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            try:
                process.terminate()
            except (OSError, AttributeError):
                pass
        for process in processes:
            process.join(timeout=2)
        # The pool's manager thread closes its wake-up pipe as it ends; if that races with the
        # interpreter's exit hook writing to the pipe, Python prints a traceback. Let it end first.
        if manager is not None:
            manager.join(timeout=5)
