"""A check run over many files: discovery, the cache, worker processes, collecting results.

The main process walks the file list once, in order. For each file it reads the source,
applies the engine's early skip (no trigger word: nothing to parse), and looks the file up in
the cache; only what is left is linted, in chunks, by a pool of worker processes (or in this
process for ``jobs=1`` and for runs with less than one chunk of work, where starting workers
would cost more than it saves). At most a few chunks per worker are in flight, so memory stays
bounded whatever the size of the tree; workers write the cache entries of what they linted.
Diagnostics are sorted at the end, so the output is the same for any number of jobs.

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
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from asynclint.cache import Cache, default_cache_dir, engine_fingerprint, make_key, settings_fingerprint
from asynclint.engine import SourceError, enabled_codes, lint_source, needs_parse, project_index, read_source
from asynclint.files import discover
from asynclint.model import Diagnostic, Settings
from asynclint.callgraph import ProjectIndex

if TYPE_CHECKING:  # imported when workers start: a cached or small run never pays for them
    from concurrent.futures import Future, ProcessPoolExecutor

RESULTS = "results"  # the cache kind of one file's diagnostics
CHUNK_FILES = 32  # a chunk is sent to a worker when it holds this many files...
CHUNK_CHARS = 256 * 1024  # ...or this much source text, whichever comes first
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
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def check_paths(paths: list[str], settings: Settings, *, settings_for=None, jobs: int | None = None,
                cache: bool = True, cache_dir: str | None = None, verbose: bool = False) -> RunResult:
    """Check every Python file under ``paths``. ``settings_for(path)``: the settings of one file,
    when they are not ``settings`` for all (nested projects); the same object for files that
    share them. ``jobs``: worker processes (default: one per CPU); ``cache``: read and write the
    on-disk cache in ``cache_dir`` (default: under each project's root)."""
    files, problems = discover(paths, settings)
    result = RunResult(files_checked=len(files), problems=problems)
    groups: dict[int, tuple[Settings, list[str]]] = {}
    for path in files:
        own = settings_for(path) if settings_for is not None else settings
        groups.setdefault(id(own), (own, []))[1].append(path)
    for own, group in groups.values():
        _check_group(group, own, result, jobs=jobs, cache=cache, cache_dir=cache_dir, verbose=verbose)
    result.diagnostics.sort(key=Diagnostic.sort_key)
    return result


def _check_group(files: list[str], settings: Settings, result: RunResult, *, jobs, cache, cache_dir, verbose):
    store = Cache(cache_dir or default_cache_dir(settings), enabled=cache)
    # Findings about other modules (ASL401, ASL201-ASL204) change when a module appears: the
    # list of files joins the key. A change to a module a file used is caught by its stamp.
    fingerprint = make_key(engine_fingerprint(), settings_fingerprint(settings), "\n".join(files)) \
        if store.enabled else ""
    with _fewer_collections(), _Dispatcher(jobs or default_jobs(), settings, store, verbose, result) as dispatcher:
        for path in files:
            try:
                source = read_source(path)
            except SourceError as error:
                result.diagnostics.append(Diagnostic(path, 1, 1, "ASL003", str(error)))
                continue
            if not needs_parse(source, path, settings):
                result.skipped += 1
                continue
            key = None
            if store.enabled:
                key = make_key(fingerprint, ",".join(sorted(enabled_codes(settings, path))), source)
                found = _decode(store.get(RESULTS, key), path)
                if found is not None:
                    result.cached += 1
                    result.diagnostics += found
                    continue
            dispatcher.add(path, source, key)


@contextlib.contextmanager
def _fewer_collections():
    old = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*old)


# -- the cache entry of one file ----------------------------------------------------------------

def _encode(diagnostics: list[Diagnostic], depends_on: dict[str, tuple]) -> dict:
    """A file's diagnostics and the other modules (file, stamp) its findings were made from."""
    return {"diagnostics": [[d.line, d.col, d.code, d.message, d.end_line, d.end_col, d.fix, d.fix_kind, d.target,
                             d.chain]
                            for d in diagnostics],
            "depends_on": [[path, *stamp] for path, stamp in depends_on.items()]}


def _decode(payload, path: str) -> list[Diagnostic] | None:
    """Diagnostics from a cache payload (the path is not stored), or None when it is malformed or
    a module it depends on has changed since."""
    if not isinstance(payload, dict) or not _unchanged(payload.get("depends_on")):
        return None
    try:
        found = [Diagnostic(path, *row[:-1], tuple(tuple(step) for step in row[-1]))
                 for row in payload["diagnostics"]]
    except (TypeError, KeyError):
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
            stat = os.stat(path)
        except (OSError, TypeError, ValueError):
            return False
        if (stat.st_mtime_ns, stat.st_size) != (mtime_ns, size):
            return False
    return True


# -- linting, in this process or in a worker ----------------------------------------------------

_worker_state: tuple[Settings, Cache, bool, ProjectIndex] | None = None


def _init_worker(settings: Settings, store: Cache, verbose: bool) -> None:
    global _worker_state
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process handles Ctrl-C
    gc.set_threshold(*GC_THRESHOLDS)
    # Each worker keeps its own index of the project: a module is summarised once per worker
    # (and once in all, with the on-disk cache).
    _worker_state = (settings, store, verbose, project_index(settings, store))


def _lint_chunk(chunk: list[tuple[str, str, str | None]]) -> list[list[Diagnostic]]:
    return _lint_all(chunk, *_worker_state)


def _lint_all(chunk, settings: Settings, store: Cache, verbose: bool,
              project: ProjectIndex) -> list[list[Diagnostic]]:
    results = []
    for path, source, key in chunk:
        with project.recording() as depends_on:
            found = lint_source(source, path, settings, verbose=verbose, project=project)
        if key is not None and not any(d.code == "ASL002" for d in found):
            store.put(RESULTS, key, _encode(found, depends_on))
            project.keep(path, source)
        results.append(found)
    return results


class _Dispatcher:
    """Collects files to lint into chunks and runs them, in workers once there is enough work."""

    def __init__(self, jobs: int, settings: Settings, store: Cache, verbose: bool, result: RunResult):
        self.jobs = jobs
        self.settings, self.store, self.verbose = settings, store, verbose
        self.result = result
        self.chunk: list[tuple[str, str, str | None]] = []
        self.chunk_chars = 0
        self.executor: "ProcessPoolExecutor | None" = None
        self.in_flight: "deque[tuple[Future, list]]" = deque()
        self.held: list | None = None  # the first full chunk, kept until a second one shows up
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

    def add(self, path: str, source: str, key: str | None) -> None:
        self.result.linted += 1
        self.chunk.append((path, source, key))
        self.chunk_chars += len(source)
        if len(self.chunk) >= CHUNK_FILES or self.chunk_chars >= CHUNK_CHARS:
            self._flush(final=False)

    def _flush(self, final: bool) -> None:
        chunk, self.chunk, self.chunk_chars = self.chunk, [], 0
        if final and self.held is not None:
            chunk, self.held = self.held + chunk, None
        if not chunk:
            return
        if self.jobs <= 1 or (final and self.executor is None):
            if self.project is None:
                self.project = project_index(self.settings, self.store)
            self._take(chunk, _lint_all(chunk, self.settings, self.store, self.verbose, self.project))
            return
        if self.executor is None:
            if self.held is None:  # one chunk of work is not worth starting processes for
                self.held = chunk
                return
            self.executor = self._start()
            self.in_flight.append((self.executor.submit(_lint_chunk, self.held), self.held))
            self.held = None
        while len(self.in_flight) >= self.jobs * IN_FLIGHT_PER_JOB:
            self._collect_oldest()
        self.in_flight.append((self.executor.submit(_lint_chunk, chunk), chunk))

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
                self.result.diagnostics += [
                    Diagnostic(path, 1, 1, "ASL002", "internal error: the worker process checking this file "
                               "died (out of memory or a crash); run with --jobs 1 to find the culprit")
                    for path, _, _ in lost]

    def _take(self, chunk, results: list[list[Diagnostic]]) -> None:
        for found in results:
            self.result.diagnostics += found

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
        executor.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            try:
                process.terminate()
            except (OSError, AttributeError):
                pass
        for process in processes:
            process.join(timeout=2)
