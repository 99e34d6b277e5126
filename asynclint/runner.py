"""A check run over many files: discovery, the cache, worker processes, collecting results.

The run is planned first: the main process walks the file list once, in order, reads each file,
applies the engine's early skip (no trigger word: nothing to parse) and looks the file up in the
cache. Files are grouped by their settings (each pyproject.toml found makes a group, with its
own index of the project's modules). What is left to lint goes out in chunks of consecutive
files of one group, the largest groups first (the small ones fill the end, when a worker would
otherwise wait). The chunks run in this process for ``jobs=1``, for less than two chunks of
work, and without ``jobs`` for less than PARALLEL_MIN_CHARS of source in all (there starting
workers would cost more than it saves); else in one pool of worker processes for the whole run.
A worker keeps the index of the group it is linting and drops it when the next group's chunks
arrive; the summaries of modules it makes go to the cache (without one, to a directory of the
run's own), where the other workers find them. A chunk names its files, which the worker reads;
whichever worker is free takes the next chunk, with a few chunks per worker in flight. Workers
write the cache entries of what they linted. Each file's findings come back sorted from
the engine and are put in the order of the sorted file list, so the output is the same for any
number of jobs without sorting them again.

A fix run (``fix``: --fix, --diff) is the same run: a file with a finding the fix may rewrite is
linted even when the cache knows its findings, and fixed where it is linted, with the same
index; each pass re-lints that file only. The index keeps knowing the file by the text the run
read (ProjectIndex.trying): every file is fixed against the others as they are on disk, whichever
was fixed first and by whichever process. Files are written only once every file is fixed,
each atomically, by this process.

Ctrl-C: workers ignore SIGINT; the main process stops them and lets KeyboardInterrupt reach
the CLI, which exits with 130.
"""

from __future__ import annotations

import contextlib
import gc
import os
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import astuple, dataclass, field
from typing import TYPE_CHECKING, Protocol

from asynclint.cache import Cache, default_cache_dir, engine_fingerprint, make_key, settings_fingerprint
from asynclint.config import Options, Resolver
from asynclint.engine import enabled_codes, lint_source, needs_parse, project_index
from asynclint.files import discover
from asynclint.fix import FileFix, fixable, fix_text, save_fix
from asynclint.model import Diagnostic, Related, Settings
from asynclint.callgraph import ProjectIndex, file_stamp
from asynclint.source import SourceError, read_source

if TYPE_CHECKING:  # imported when workers start: a cached or small run never pays for them
    from concurrent.futures import Future, ProcessPoolExecutor

RESULTS = "results"  # the cache kind of one file's diagnostics
STAMPS = "stamps"  # the cache kind of a group's stamp index: path -> stamp, codes, results key and payload
# A file changed this recently (before the run started) gets no stamp: an edit in the same tick
# of the file system's clock would leave the same stamp (Linux stamps lag the clock by a jiffy;
# FAT counts in 2 s).
SETTLED_NS = 2_000_000_000
CHUNK_FILES = 32  # a chunk is sent to a worker when it holds this many files...
CHUNK_CHARS = 256 * 1024  # ...or this much source text, whichever comes first
# Without --jobs, workers start only for at least this much source to lint (about two seconds of
# work for one process): less is done sooner in this process.
PARALLEL_MIN_CHARS = 4_000_000
IN_FLIGHT_PER_JOB = 3  # chunks queued per worker: enough to keep it busy; a worker that dies costs them


@dataclass(frozen=True)
class FixRequest:
    """A fix run: ``unsafe`` fixes too; ``write`` the files (--fix), or only say how (--diff)."""
    unsafe: bool = False
    write: bool = True

    def wanted(self, diagnostics: list[Diagnostic]) -> bool:
        return any(fixable(d, self.unsafe) for d in diagnostics)


@dataclass
class RunResult:
    diagnostics: list[Diagnostic] = field(default_factory=list)  # of a fix run: those left
    fixes: list[FileFix] = field(default_factory=list)  # of a fix run: each file fixed or failed, in order
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
        load = os.getloadavg()[0]
    except (AttributeError, OSError):
        load = 0.0
    try:
        with open("/proc/loadavg", encoding="ascii") as handle:  # Linux: "1.0 0.9 0.8 3/120 4242"
            runnable = int(handle.read().split()[3].split("/")[0])
    except (OSError, ValueError, IndexError):
        runnable = None
    return idle_cpus(cpus, load, runnable)


def idle_cpus(cpus: int, load: float, runnable: int | None) -> int:
    """The CPUs other work leaves free, at least one: ``load`` is the one-minute load average;
    ``runnable``, when known, the tasks runnable right now (this process among them). The
    average lags a minute behind: a run that just ended (this command's last run, say) still
    counts in it; when fewer tasks are runnable now, they are the busy CPUs."""
    busy = int(load)
    if runnable is not None:
        busy = min(busy, max(0, runnable - 1))
    return max(1, cpus - busy)


def select_files(paths: list[str], resolver: Resolver, stats: dict[str, os.stat_result] | None = None,
                 ) -> tuple[list[tuple[str, Settings]], list[str]]:
    """(each file to check with its settings, sorted by path; messages for paths that do not
    exist): what check, --fix and --diff all work on. Whether a file is excluded is the
    resolver's (config.settings_for's) to say. ``stats``: see files.discover."""
    files, problems = discover(paths, resolver.directory, stats)
    named = {path for path in paths if os.path.isfile(path)}
    selected = []
    for path in files:
        own = resolver.file(path, named=True) if path in named else resolver.walked(path)
        if not own.excluded:
            selected.append((path, own.settings))
    selected.sort(key=lambda item: item[0])
    return selected, problems


def check_paths(paths: list[str], settings: Settings | None = None, *, options: Options = Options(),
                jobs: int | None = None, cache: bool = True, cache_dir: str | None = None,
                verbose: bool = False, listener: "Listener | None" = None,
                fix: FixRequest | None = None) -> RunResult:
    """Check every Python file under ``paths``, each with the settings of its nearest
    pyproject.toml and the door's ``options`` over them (``settings``: one configuration for
    every file instead, for library use). ``jobs``: worker processes (default: none for little work, else one per idle CPU);
    ``cache``: read and write the on-disk cache in ``cache_dir`` (default: under each
    project's root). ``listener`` hears of the run as it goes (see Listener). ``fix``: fix
    the files too (see the module's docstring); the findings are those left."""
    settled = time.time_ns() - SETTLED_NS  # before any stat: see _stamp
    stats: dict[str, os.stat_result] = {}
    selected, problems = select_files(paths, Resolver(options, fixed=settings), stats)
    result = RunResult(files_checked=len(selected), problems=problems)
    found = _Arrivals([path for path, _ in selected], listener)
    members: dict[int, tuple[Settings, list[str]]] = {}
    for path, own in selected:
        members.setdefault(id(own), (own, []))[1].append(path)
    groups = [_plan(files, own, result, found, cache=cache, cache_dir=cache_dir, stats=stats, settled=settled,
                    fix=fix) for own, files in members.values()]
    _lint(groups, jobs, verbose, found, fix)
    result.fixes = [found.fixes[path] for path, _ in selected if path in found.fixes]
    for fixed in result.fixes:  # once all are fixed: the index read every file as it was
        save_fix(fixed, fix.write)
    result.diagnostics = [d for path, _ in selected for d in _left(path, found)]
    return result


def _left(path: str, found: "_Arrivals") -> list[Diagnostic]:
    """A file's findings: those its fix left, or as checked (not fixed, or its fix failed)."""
    fixed = found.fixes.get(path)
    return fixed.remaining if fixed is not None and fixed.changed else found.found[path]


class Listener(Protocol):
    """What a door that shows the run as it goes (a progress line, findings streamed) is told."""

    def progress(self, done: int, total: int) -> None:
        """``done`` of the run's ``total`` files have their findings."""

    def file_done(self, path: str, diagnostics: list[Diagnostic]) -> None:
        """A file's findings, in the order of the file list: each as soon as it and every file
        before it are done (of a fix run: as checked, before the fix)."""


class _Arrivals:
    """Each file's findings as they arrive (from the cache, this process or a worker)."""

    def __init__(self, order: list[str], listener: Listener | None) -> None:
        self.found: dict[str, list[Diagnostic]] = {}  # as checked
        self.fixes: dict[str, FileFix] = {}  # each file fixed (or whose fix failed), by path
        self.order, self.listener, self.told = order, listener, 0

    def put(self, path: str, diagnostics: list[Diagnostic]) -> None:
        self.found[path] = diagnostics
        if self.listener is None:
            return
        self.listener.progress(len(self.found), len(self.order))
        while self.told < len(self.order) and self.order[self.told] in self.found:
            self.listener.file_done(self.order[self.told], self.found[self.order[self.told]])
            self.told += 1


@dataclass
class _Group:
    """The files of one settings group that are left to lint, and what linting them needs."""
    settings: Settings
    store: Cache
    fingerprint: str  # what each results key of the group starts with ("" without a cache)
    files: list[tuple[str, frozenset]] = field(default_factory=list)  # (path, enabled codes)
    sizes: list[int] = field(default_factory=list)  # the length of each one's source

    def result_key(self, enabled: frozenset, source: str) -> str:
        return make_key(self.fingerprint, ",".join(sorted(enabled)), source)


def _plan(files: list[str], settings: Settings, result: RunResult, found: _Arrivals,
          *, cache, cache_dir, stats: dict[str, os.stat_result], settled: int,
          fix: FixRequest | None = None) -> _Group:
    """The group's files left to lint; the others' findings (cached, unreadable) go in ``found``.

    A file whose stamp (``stats``) is the one the group's stamp index holds is neither read nor
    hashed: the index gives its results key (or says it has no trigger word) and, from the second
    run that finds them, the results themselves (one file read per group instead of one per
    file; a module they depend on is checked all the same). The stamp is the
    file's mtime, ctime, size, inode and device: an edit changes the ctime even when a tool puts
    the mtime back (touch -r, tar, rsync -t). What a stamp cannot see: a file edited in the same
    clock tick as it was stamped (such files get no stamp, see SETTLED_NS), and a network file
    system whose server clock runs behind; there ``--no-cache`` or deleting the cache helps.
    Of a fix run, a file whose cached findings the fix may rewrite is linted (and fixed)."""
    store = Cache(cache_dir or default_cache_dir(settings), enabled=cache)
    # Findings about other modules (ASL401, ASL201-ASL204) change when a module appears: the
    # list of files joins the key. A change to a module a file used is caught by its stamp.
    # Their messages name that module relative to the working directory: it joins the key too.
    fingerprint = make_key(engine_fingerprint(), settings_fingerprint(settings), os.getcwd(), "\n".join(files)) \
        if store.enabled else ""
    group = _Group(settings, store, fingerprint)
    known = store.get(STAMPS, fingerprint) if store.enabled else None
    known = known if isinstance(known, dict) else {}
    index: dict[str, list] = {}  # this run's stamp index
    depended: dict[str, tuple] = {}  # the stamps of modules the cached findings depend on
    for path in files:
        enabled = enabled_codes(settings, path)
        codes = ",".join(sorted(enabled))
        stamp = _stamp(stats.get(path), settled) if store.enabled else None
        entry = known.get(path)
        if stamp is not None and isinstance(entry, list) and len(entry) == len(stamp) + 3 \
                and entry[:-2] == [*stamp, codes] and isinstance(entry[-2], (str, type(None))):
            key, payload = entry[-2:]
            if key is None:
                result.skipped += 1
                found.put(path, [])
                index[path] = entry
                continue
            if payload is None:
                payload = store.get(RESULTS, key)
            cached = _decode(payload, path, depended)
            if cached is not None and not (fix and fix.wanted(cached)):
                result.cached += 1
                found.put(path, cached)
                index[path] = [*stamp, codes, key, payload]
                continue
        try:
            source = read_source(path)
        except SourceError as error:
            found.put(path, [error.finding(path)])
            continue
        payload = None
        if not needs_parse(source, enabled, settings, path):
            result.skipped += 1
            found.put(path, [])
            key = None
        else:
            key = group.result_key(enabled, source) if store.enabled else None
            payload = store.get(RESULTS, key) if store.enabled else None
            cached = _decode(payload, path, depended)
            if cached is not None and not (fix and fix.wanted(cached)):
                result.cached += 1
                found.put(path, cached)
            else:
                payload = None  # the worker's entry is found from the key next time
                result.linted += 1
                group.files.append((path, enabled))
                group.sizes.append(len(source))
        if stamp is not None:
            index[path] = [*stamp, codes, key, payload]
    if store.enabled and index != known:
        store.put(STAMPS, fingerprint, index)
    return group


def _stamp(info: os.stat_result | None, settled: int) -> list[int] | None:
    """What tells an edit of a file taken before it was read, or None for a file changed too
    recently to be told from an edit in the same tick (or not stat'ed)."""
    if info is None or max(info.st_mtime_ns, info.st_ctime_ns) >= settled:
        return None
    return [info.st_mtime_ns, info.st_ctime_ns, info.st_size, info.st_ino, info.st_dev]


def _chunks(groups: list[_Group]) -> list[tuple[int, list[tuple[str, frozenset]]]]:
    """(group number, consecutive files of that group), the largest groups first."""
    chunks = []
    for number in sorted(range(len(groups)), key=lambda n: sum(groups[n].sizes), reverse=True):
        chunk, chars = [], 0
        for item, size in zip(groups[number].files, groups[number].sizes):
            chunk.append(item)
            chars += size
            if len(chunk) >= CHUNK_FILES or chars >= CHUNK_CHARS:
                chunks.append((number, chunk))
                chunk, chars = [], 0
        if chunk:
            chunks.append((number, chunk))
    return chunks


def _lint(groups: list[_Group], jobs: int | None, verbose: bool, found: _Arrivals, fix: FixRequest | None) -> None:
    chunks = _chunks(groups)
    if jobs is None:
        jobs = default_jobs() if sum(sum(g.sizes) for g in groups) >= PARALLEL_MIN_CHARS else 1
    if jobs == 1 or len(chunks) < 2:
        linter = _Linter(groups, verbose, fix=fix)
        for number, chunk in chunks:
            _take(found, chunk, linter.lint(number, chunk))
        linter.finish()
        return
    with _Workers(jobs, groups, verbose, found, fix) as workers:
        for number, chunk in chunks:
            workers.submit(number, chunk)


def _take(found: _Arrivals, chunk: list, results: "list[Linted]") -> None:
    for (path, _), (diagnostics, fixed) in zip(chunk, results):
        if fixed is not None:
            found.fixes[path] = fixed
        found.put(path, diagnostics)


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
def _collected_once():
    """The cyclic collector waits for the end of a file's lint, then runs once over what was made
    meanwhile: most of it is garbage by then (the tree, the analysis), and each object is walked
    once; collections during the walk would find it all alive, again and again. Measured (-j1, the
    20-package corpus, alternating with thresholds raised per group): 2.5-2.7 s in the collector
    instead of 4.6-7.2 s, 13 s of CPU instead of 16, peak memory 110 MB instead of 133."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect(0)


# -- the cache entry of one file ----------------------------------------------------------------

# A cached diagnostic: these fields, then its chain and its related calls (the path is not stored).
_CACHED = ("line", "col", "code", "message", "end_line", "end_col", "fix", "fix_kind", "target", "fix_reason", "cell")


def _encode(diagnostics: list[Diagnostic], depends_on: dict[str, tuple]) -> dict:
    """A file's diagnostics and the other modules (file, stamp) its findings were made from."""
    return {"diagnostics": [[*(getattr(d, name) for name in _CACHED), d.chain, [astuple(r) for r in d.related]]
                            for d in diagnostics],
            "depends_on": [[path, *stamp] for path, stamp in depends_on.items()]}


def _decode(payload, path: str, stamps: dict[str, tuple]) -> list[Diagnostic] | None:
    """Diagnostics from a cache payload (the path is not stored), or None when it is malformed or
    a module it depends on has changed since. ``stamps``: the modules' stamps seen so far in this
    run (many files depend on the same modules)."""
    if not isinstance(payload, dict) or not _unchanged(payload.get("depends_on"), stamps):
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


def _unchanged(depends_on, stamps: dict[str, tuple]) -> bool:
    if not isinstance(depends_on, list):
        return False
    for entry in depends_on:
        try:
            path, mtime_ns, size = entry
            stamp = stamps.get(path)
            if stamp is None:
                stamp = stamps[path] = file_stamp(path)
            if stamp != (mtime_ns, size):
                return False
        except (TypeError, ValueError):
            return False
    return True


# -- linting, in this process or in a worker ----------------------------------------------------

class _Linter:
    """Lints chunks with the project index of their group. Chunks come group after group, so
    only the current group's index is kept: the last one is dropped before the next is made.
    ``shared``: where the summaries go for a group without a cache of its own, so that the
    workers of one run summarise each module once in all. ``in_pool``: it is one of the run's
    workers, which store their summaries whole for one another (ProjectIndex.store_whole).
    ``fix``: fix each file linted that has a finding to fix, with the same index."""

    def __init__(self, groups: list[_Group], verbose: bool, shared: Cache | None = None,
                 in_pool: bool = False, fix: FixRequest | None = None) -> None:
        self.groups, self.verbose, self.shared, self.in_pool, self.fix = groups, verbose, shared, in_pool, fix
        self.current: int | None = None
        self.project: ProjectIndex | None = None
        self.summaries: Cache | None = None  # the current index's store

    def lint(self, number: int, chunk: list[tuple[str, frozenset]]) -> "list[Linted]":
        group = self.groups[number]
        if number != self.current:
            self.finish()
            self.project = None
            self.summaries = group.store if group.store.enabled or self.shared is None else self.shared
            self.project = project_index(group.settings, self.summaries)
            self.project.store_whole = self.in_pool  # the other workers read its summaries now
            self.current = number
        return [self._lint_file(path, enabled, group) for path, enabled in chunk]

    def finish(self) -> None:
        """Store the summaries the current index made or walked further (ProjectIndex.store_walked).
        A worker, never told which chunk is its last, does so only when it leaves a group: its
        own summaries are stored whole as they are made."""
        if self.project is not None and self.summaries.enabled:
            self.project.store_walked()

    def _lint_file(self, path: str, enabled: frozenset, group: _Group) -> "Linted":
        try:  # read again here: what is linted and what its cache key says are the same text
            source = read_source(path)
        except SourceError as error:
            return [error.finding(path)], None
        with _collected_once(), self.project.recording() as depends_on:
            # The plan took only files in which a trigger occurs (needs_parse): no second look.
            found = lint_source(source, path, group.settings, enabled=enabled, verbose=self.verbose,
                                project=self.project, skip_without_async=False)
        if not any(d.code == "ASL002" for d in found):
            depends_on.pop(os.path.abspath(path), None)  # its own text is in the key
            if group.store.enabled:
                group.store.put(RESULTS, group.result_key(enabled, source), _encode(found, depends_on))
            if self.summaries.enabled:
                self.project.keep(path, source, depends_on)
        if self.fix is None or not self.fix.wanted(found):
            return found, None
        with self.project.trying(path):
            fixed = fix_text(path, source, group.settings, self.fix.unsafe, project=self.project, found=found)
        return found, fixed if fixed.changed or fixed.error else None


# A file's findings as checked, and what fixing it did (None: not fixed, nothing to fix).
Linted = tuple[list[Diagnostic], "FileFix | None"]


_worker_linter: _Linter | None = None


def _init_worker(groups: list[_Group], verbose: bool, shared: Cache | None, fix: FixRequest | None) -> None:
    global _worker_linter
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process handles Ctrl-C
    if hasattr(signal, "pthread_sigmask"):  # held while this process was forked: see _sigint_held
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    # What the worker inherited (the imports, the plan) stays: its collections need not walk it,
    # nor write to its pages (which then stay shared with the main process).
    gc.freeze()
    _worker_linter = _Linter(groups, verbose, shared, in_pool=True, fix=fix)


def _lint_chunk(number: int, chunk: list[tuple[str, frozenset]]) -> "list[Linted]":
    return _worker_linter.lint(number, chunk)


class _Workers:
    """One pool of worker processes for the run, fed chunks in order."""

    def __init__(self, jobs: int, groups: list[_Group], verbose: bool, found: _Arrivals, fix: FixRequest | None):
        self.jobs, self.groups, self.verbose, self.found, self.fix = jobs, groups, verbose, found, fix
        self.executor: "ProcessPoolExecutor | None" = None
        self.in_flight: "dict[Future, list]" = {}  # each chunk sent, by its future
        # Without a cache (--no-cache), the workers still share the summaries they make, in a
        # directory of this run's own.
        self.shared_dir = None if all(g.store.enabled for g in groups) else tempfile.mkdtemp(prefix="asynclint-")
        self.shared = Cache(self.shared_dir) if self.shared_dir else None

    def __enter__(self) -> "_Workers":
        return self

    def __exit__(self, kind, error, tb) -> None:
        try:
            if kind is None:
                while self.in_flight:
                    self._collect()
                self._close()
            else:
                self._abort()
        finally:
            if self.shared_dir:
                shutil.rmtree(self.shared_dir, ignore_errors=True)

    def submit(self, number: int, chunk: list[tuple[str, frozenset]]) -> None:
        while len(self.in_flight) >= self.jobs * IN_FLIGHT_PER_JOB:
            self._collect()
        if self.executor is None:  # the first chunk, or the first after a worker died
            with _sigint_held():  # the first submit forks the workers (making the pool does not)
                self.executor = self._start()
                self.in_flight[self.executor.submit(_lint_chunk, number, chunk)] = chunk
            return
        self.in_flight[self.executor.submit(_lint_chunk, number, chunk)] = chunk

    def _start(self) -> "ProcessPoolExecutor":
        import multiprocessing  # here: only a run with workers pays for these (see TYPE_CHECKING above)
        from concurrent.futures import ProcessPoolExecutor

        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods and sys.platform != "darwin" else None)
        return ProcessPoolExecutor(self.jobs, mp_context=context, initializer=_init_worker,
                                   initargs=(self.groups, self.verbose, self.shared, self.fix))

    def _collect(self) -> None:
        """Take the results of the chunks done, waiting for one at least: whichever worker is
        done first gets the next chunk (waiting for the oldest would leave the others idle behind
        a long chunk)."""
        from concurrent.futures import FIRST_COMPLETED, wait
        from concurrent.futures.process import BrokenProcessPool

        done, _ = wait(self.in_flight, return_when=FIRST_COMPLETED)
        lost = []
        for future in done:
            chunk = self.in_flight.pop(future)
            try:
                _take(self.found, chunk, future.result())
            except BrokenProcessPool:
                lost.append(chunk)
        if lost:
            # A worker died (killed, out of memory, a crash in C code): we cannot tell which
            # file did it, so every file in flight is reported, and a fresh pool goes on.
            lost += self.in_flight.values()
            self.in_flight.clear()
            self._close()
            for chunk in lost:
                for path, _ in chunk:
                    self.found.put(path, [Diagnostic(
                        path, 1, 1, "ASL002", "internal error: the worker process checking this file "
                        "died (out of memory or a crash); run with --jobs 1 to find the culprit")])

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
