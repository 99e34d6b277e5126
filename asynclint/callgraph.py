"""Project-wide analysis: one summary per module, and the call graph they make together.

A summary says, for each function and method of a module, whether it is async, which
catalogued blocking calls it makes directly, and which functions it calls (by absolute
qualified name). Summaries are made in the same walk as the per-file rules, or on demand
for a module that a checked file imports (its function bodies then walked only when a chain or
a coroutine question first reads their summary: LazyFunctions). Chains are searched
breadth-first over sync functions only, so the chain reported is the shortest one.
"""

from __future__ import annotations

import bisect
import os
import weakref
from collections import deque
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from typing import NamedTuple

from asynclint import conditions
from asynclint.cache import make_key
from asynclint.model import Settings

SUMMARIES = "summaries"  # the cache kind of module summaries
TOUCHES_LOOP = "touches the event loop"


class BlockingCall(NamedTuple):
    """A blocking call a function makes itself."""

    code: str  # the rule's: ASL1xx
    call: str  # the callee's qualified name (``time.sleep``), or ``import m`` for an import (ASL112)
    line: int
    condition: list  # conditions.py's atoms, all of which must hold for the call to run


class CallOut(NamedTuple):
    """A call a function makes to another function of the project."""

    target: str  # the callee's absolute qualified name
    condition: list  # as BlockingCall's
    arguments: conditions.Arguments | None  # None: unknown (``*args``, or an unbound method)
    # "call"; "with" (a `with` statement's context manager); "iterate" (consumed at once).
    how: str
    on_self: bool  # ``self.method(...)``: the callee sees the caller's ``self.`` attributes

    @classmethod
    def from_json(cls, data: list) -> "CallOut":
        target, condition, arguments, how, on_self = data
        return cls(target, condition, conditions.Arguments.from_json(arguments), how, on_self)


@dataclass
class FunctionSummary:
    is_async: bool
    line: int
    blocking: list[BlockingCall] = field(default_factory=list)
    calls: list[CallOut] = field(default_factory=list)
    coroutine: bool = False  # calling it makes a coroutine (async, not a generator, no opaque decorator)
    # Why its body must run on the loop's thread ("touches the event loop", "sets a context
    # variable"...): moved to a worker thread, it and whatever calls it would behave differently.
    hazard: str | None = None
    # What calling it runs: "body"; "generator" (only when iterated); "contextmanager" (only in a
    # `with`); "nothing" (a decorator makes it return a coroutine or an awaitable).
    runs: str = "body"
    params: list[list] = field(default_factory=list)  # conditions.signature()
    # In __init__: attribute -> the parameter it is set from, once, at the top of the body.
    self_params: dict[str, str] = field(default_factory=dict)
    assigned: list[str] = field(default_factory=list)  # `self.x` attributes it assigns
    cached: bool = False  # a cache decorator runs its body once per argument (catalog.CACHE_DECORATORS)
    _used: frozenset[str] | None = field(default=None, repr=False, compare=False)

    _FIELDS = ("is_async", "line", "blocking", "calls", "coroutine", "runs", "params", "self_params", "assigned",
               "hazard", "cached")

    def to_json(self) -> list:
        data = [getattr(self, name) for name in self._FIELDS]
        data[2:4] = [list(map(list, self.blocking)), [[*call[:2], _json_arguments(call.arguments), *call[3:]]
                                                      for call in self.calls]]
        return data

    @classmethod
    def from_json(cls, data: list) -> "FunctionSummary":
        summary = cls(**dict(zip(cls._FIELDS, data)))
        summary.blocking = [BlockingCall(*blocking) for blocking in summary.blocking]
        summary.calls = [CallOut.from_json(call) for call in summary.calls]
        return summary

    def used_names(self) -> frozenset[str]:
        """The parameters whose values matter here: tested by a condition, or passed on."""
        if self._used is None:
            names = {name for blocking in self.blocking for name in conditions.subjects(blocking.condition)}
            names.update(name for call in self.calls for name in conditions.subjects(call.condition))
            names.update(value[1] for call in self.calls if call.arguments is not None
                         for value in [*call.arguments.positional, *call.arguments.keywords.values()]
                         if value and value[0] == "p")
            self._used = frozenset(n for n in names if n is not None)
        return self._used

    def runs_when(self, how: str) -> bool:
        """Whether a call made this way runs the function's body on the caller's thread."""
        return self.runs == "body" or (self.runs, how) in (("generator", "iterate"), ("contextmanager", "with"))


def _json_arguments(arguments: conditions.Arguments | None) -> list | None:
    return None if arguments is None else list(arguments)


def _run_walks(walks: list) -> None:
    for walk in walks:
        walk()


class LazyFunctions(Mapping):
    """The function summaries of a module summarised for others, whose bodies are walked when a
    summary is first read (most are never: a chain goes through few of a module's functions).
    Every name is known at once: asking whether the module defines one walks nothing. ``later``:
    for each name left, the walks that make its summary (and set it); ``done`` (set by
    the maker) is called once none is left. Reading every summary (iterating, ``len``) walks all."""

    def __init__(self, made: dict, later: dict[str, list]) -> None:
        self._made: dict[str, FunctionSummary] = dict(made)
        self._later = later
        self.done = lambda: None
        # Runs a name's walks (set by the index: it records the files they consult).
        self.run = _run_walks
        self.stored = -1  # how many summaries were made when it was last stored (-1: never)

    def __setitem__(self, name: str, summary: FunctionSummary) -> None:
        """A summary made by one of the walks left (the summary's writer, analysis/summaries.py)."""
        self._made[name] = summary

    def made(self) -> dict[str, FunctionSummary]:
        """The summaries walked so far, walking nothing."""
        return dict(self._made)

    def made_count(self) -> int:
        """How many summaries are walked so far, walking nothing."""
        return len(self._made)

    def left(self) -> list[str]:
        """The names whose bodies are not walked yet."""
        return list(self._later)

    def _walk(self, name: str) -> None:
        """Walk the bodies of ``name`` if they are left (nothing otherwise)."""
        walks = self._later.pop(name, None)
        if walks is None:
            return
        self.run(walks)
        if not self._later:
            self.done()

    def walk_all(self) -> None:
        while self._later:
            self._walk(next(iter(self._later)))

    def __contains__(self, name) -> bool:
        return name in self._made or name in self._later

    def __getitem__(self, name: str) -> FunctionSummary:
        self._walk(name)
        return self._made[name]

    def get(self, name: str, default=None):
        """As Mapping's, without raising KeyError for a name the module lacks (asked often)."""
        self._walk(name)
        return self._made.get(name, default)

    def __iter__(self):
        self.walk_all()
        return iter(self._made)

    def __len__(self) -> int:
        self.walk_all()
        return len(self._made)


@dataclass
class ModuleSummary:
    module: str
    path: str
    functions: dict[str, FunctionSummary] = field(default_factory=dict)
    imports: dict[str, str] = field(default_factory=dict)  # module-level name -> absolute qualified name
    classes: dict[str, list[str]] = field(default_factory=dict)  # class -> absolute names of its bases
    # Module-level names bound once to a literal or a display: conditions.py's abstract values.
    constants: dict[str, list] = field(default_factory=dict)
    # Top-level modules it calls into that the project did not have (their calls are left out):
    # a summary kept on disk holds only while none of them appears.
    outside: list[str] = field(default_factory=list)
    # The modules its module-level code imports (absolute; ``import a.b``, ``from m import *`` too):
    # loaded whenever its functions run (analysis/imports.py).
    loads: list[str] = field(default_factory=list)
    # The types of its values, for other modules (values.Resolver.summary_types): what functions
    # and methods return ("f()", "Class.method()"; a coroutine function's awaited: "await f()"), class attributes ("Class.attr") and module-level
    # names ("NAME") -> a catalog type or an absolute class name, "*T" a container of T, "g()"
    # what calling g returns.
    types: dict[str, str] = field(default_factory=dict)
    # The other files read while it was made (absolute path -> stamp), its function bodies walked
    # later too: what it says of types from other modules holds only while they are unchanged.
    consulted: dict[str, tuple] = field(default_factory=dict)
    # Set by the index of installed libraries when it loads the summary (never stored): the
    # distribution and version that installed the module ("httpx 0.28.1"); "" for the project's.
    library: str = field(default="", compare=False)

    def to_json(self) -> dict:
        """What is known so far, walking nothing: the functions whose bodies are not walked yet are
        listed under "later" (see from_json)."""
        lazy = isinstance(self.functions, LazyFunctions)
        made = self.functions.made() if lazy else self.functions
        return {"module": self.module, "path": self.path, "imports": self.imports, "classes": self.classes,
                "constants": self.constants, "outside": self.outside, "loads": self.loads, "types": self.types,
                "consulted": {path: list(stamp) for path, stamp in self.consulted.items()},
                "functions": {name: f.to_json() for name, f in made.items()},
                "later": self.functions.left() if lazy else []}

    @classmethod
    def from_json(cls, data: dict, walk_later: _WalkAgain | None = None) -> "ModuleSummary":
        """The summary stored by to_json. The bodies of the functions listed as "later" are walked
        by ``walk_later`` when their summary is first read; without it, such an entry is refused
        (ValueError)."""
        functions = {name: FunctionSummary.from_json(f) for name, f in data["functions"].items()}
        later = [str(name) for name in data["later"]]
        summary = cls(data["module"], data["path"], functions, dict(data["imports"]), dict(data["classes"]),
                      dict(data["constants"]), list(data["outside"]), list(data["loads"]), dict(data["types"]),
                      {str(path): tuple(stamp) for path, stamp in data["consulted"].items()})
        if later:
            if walk_later is None or any(name in functions for name in later):
                raise ValueError("a partial summary that cannot be completed")
            walk_later.attach(summary, later)
        return summary


class _WalkAgain:
    """The function bodies a summary from the cache left unwalked, walked when one is first read,
    as summarize_module would have walked them: the module is parsed and walked at module level
    again, from the text the summary's key was made from, then the body asked for. The summary
    made again is held until no body is left, or until the stored one is let go (the stored one
    is held weakly: nothing here keeps it, or the index, alive)."""

    def __init__(self, index: "ProjectIndex", module: str, path: str, key: str) -> None:
        self._index = _weakly(index)
        self._module, self._path, self._key = module, path, key
        self._again: ModuleSummary | None | bool = None  # False: the module has changed since
        self._functions = self._outside = None

    def attach(self, summary: ModuleSummary, later: list[str]) -> None:
        summary.functions = LazyFunctions(summary.functions, {name: [partial(self._walk, name)] for name in later})
        summary.functions.done = self._release
        self._functions, self._outside = weakref.ref(summary.functions), summary.outside

    def _walk(self, name: str) -> None:
        if self._again is None:
            self._again = self._index.summarize_again(self._module, self._path, self._key) or False
        function = self._again.functions.get(name) if self._again else None
        if function is not None:
            for top in self._again.outside:
                if top not in self._outside:
                    bisect.insort(self._outside, top)
        self._functions()[name] = function or _unknown_function()

    def _release(self) -> None:
        self._again = False


def _weakly(index: "ProjectIndex") -> "ProjectIndex":
    """The index, seen through a weak proxy (itself when it is one already)."""
    return index if isinstance(index, weakref.ProxyType) else weakref.proxy(index)


def _unknown_function() -> FunctionSummary:
    """A function whose module changed on disk after its summary was stored, before its body was
    walked: it claims nothing (no chain goes through it, it is not known to make a coroutine, and
    it is not to be moved to a thread). What used it depends on the module's stamp, as read before
    the change: the next run checks it again."""
    return FunctionSummary(is_async=False, line=1, runs="nothing", hazard="its module changed while it was checked")


@dataclass(frozen=True)
class Step:
    """One link of a chain: a project function, or the blocking call at its end, with the
    condition under which the previous link reaches it ("" when it always does)."""

    label: str
    path: str
    line: int
    when: str = ""
    library: str = ""  # the distribution and version of an installed library's function, "" for the project's
    once: bool = False  # it runs the next link only the first time (a cached function, or an import)


@dataclass(frozen=True)
class ModuleContext:
    """Where the module being walked sits in the project."""

    index: "ProjectIndex"
    module: str
    is_package: bool
    path: str
    checking: bool = True  # False when the module is only summarised for others

    def held_by_index(self) -> "ModuleContext":
        """This context, for an analysis that only summarises and that the index itself holds (a
        summary whose function bodies are walked later, a conftest's): it sees the index weakly,
        so that no cycle keeps the index, and every tree it holds, alive after the run lets go of
        it (only a full collection, which a run seldom makes, would free them)."""
        return replace(self, index=_weakly(self.index), checking=False)

    def absolute(self, name: str) -> str:
        """Resolve a relative import target (``..db.fetch``) against this module; and a module
        beside this one in a directory that is no package (``from helpers import f`` in tests/:
        pytest, as Python running a script, puts that directory on sys.path)."""
        if not name.startswith("."):
            beside = self.index.beside(self.module, name.partition(".")[0]) if "." in self.module else None
            return f"{beside}.{name}" if beside is not None else name
        rest = name.lstrip(".")
        level = len(name) - len(rest)
        package = self.module.split(".") if self.is_package else self.module.split(".")[:-1]
        base = package[: len(package) - (level - 1)] if level - 1 <= len(package) else []
        return ".".join(p for p in (*base, rest) if p)


class KeptTrees:
    """The trees of modules parsed to be summarised that the run will also check, kept until they
    are, so that a cold run parses each module once. The oldest go first past a budget (a tree
    takes about 30 bytes a character of source). Keyed by absolute path; a tree is handed out
    only for the very text it was parsed from. Nothing is kept until a tree is first asked for:
    a caller that parses for itself (flake8 hands its own trees over) would never take one."""

    BUDGET = 512 * 1024  # characters of source: about 16 MB of trees

    def __init__(self) -> None:
        self._trees: dict[str, tuple[str, object]] = {}  # in the order kept
        self._size = 0
        self._asked = False

    def keep(self, path: str, source: str, tree) -> None:
        if not self._asked:
            return
        path = os.path.abspath(path)
        self._drop(path)
        self._trees[path] = (source, tree)
        self._size += len(source)
        while self._size > self.BUDGET:
            self._drop(next(iter(self._trees)))

    def take(self, path: str, source: str):
        """The tree kept for this file and text, given up (it is needed once), or None."""
        self._asked = True
        kept = self._drop(os.path.abspath(path))
        return kept[1] if kept is not None and kept[0] == source else None

    def _drop(self, path: str) -> tuple[str, object] | None:
        kept = self._trees.pop(path, None)
        if kept is not None:
            self._size -= len(kept[0])
        return kept


MISSING = (-1, -1)  # the stamp of a file that does not exist


def file_stamp(path: str) -> tuple[int, int]:
    """(mtime_ns, size) of a file, MISSING when there is none."""
    try:
        stat = os.stat(path)
    except OSError:
        return MISSING
    return stat.st_mtime_ns, stat.st_size


class ProjectIndex:
    """The modules of one project, summarised on demand and kept fresh by file stamp."""

    # Whether calling a class that defines no __init__ runs its bases' (groq's client wrapper):
    # so far for the libraries only; the project's would gain ASL401/ASL402 chains, a change of its
    # own to judge.
    follows_bases = False
    # Whether a module's first imports are judged through what the modules it imports load in
    # turn (analysis/imports.py): not for the libraries, whose modules it would summarise whole.
    follows_loads = True

    def __init__(self, roots: list[str], summarize, store=None, fingerprint: str = "",
                 allow: frozenset[str] = frozenset(), load_conftest=None, libraries=None) -> None:
        # Longest root first, so that src/ wins over the project root that contains it.
        self.roots = sorted({_above_packages(os.path.abspath(r)) for r in roots}, key=len, reverse=True)
        # The engine's readers: the index never reads a file itself. summarize(path, context) ->
        # ModuleSummary | None; load_conftest(path, context) -> the module-level analysis of a
        # conftest.py, or None (no loader: no conftest is known).
        self._summarize = summarize
        self._load_conftest = load_conftest
        self._summaries: dict[str, tuple[tuple, ModuleSummary | None]] = {}
        self._files: dict[str, str | None] = {}
        self._beside: dict[tuple[str, str], str | None] = {}  # see beside
        # (module, function, known values) -> the chain found (or None) and the files it was found
        # from, with their stamps (see recording).
        self._chains: dict[tuple, tuple[tuple[bool, list[Step]] | None, dict[str, tuple]]] = {}
        self._mros: dict[tuple[str, str], tuple[list[tuple[ModuleSummary, str]], dict[str, tuple]]] = {}
        # Answers asked for again and again (every call site names a target), kept the same way:
        # absolute qualified name -> (summary, name in it) that defines it (_defining), or the
        # function a call of it runs (resolve); and (module, class) -> {method: whether every
        # known override agrees with it on making a coroutine} (is_coroutine_function).
        self._definitions: dict[str, tuple[tuple[ModuleSummary, str] | None, dict[str, tuple]]] = {}
        self._resolved: dict[str, tuple[tuple[ModuleSummary, str] | None, dict[str, tuple]]] = {}
        self._agreeing: dict[tuple[str, str], dict[str, tuple[bool, dict[str, tuple]]]] = {}
        # file -> where the answers made from it are kept ((id of the dict, key) -> the dict):
        # what to drop when its module's summary is replaced by another (see _summaries_changed).
        self._made_from: dict[str, dict[tuple[int, object], dict]] = {}
        # (module, class) -> its known subclasses (see _overrides), and the summaries added since
        # it was last brought up to date, whose classes it does not hold yet.
        self._subclasses: dict[tuple[str, str], list[tuple[ModuleSummary, str]]] | None = None
        self._unindexed: list[ModuleSummary] = []
        self._loop_bound_classes: dict[str, set[str]] = {}
        self._unreadable: set[str] = set()  # modules whose file could not be read when asked for
        # The on-disk cache of summaries (cache.Cache) and what its keys start with.
        self._store, self._fingerprint = store, fingerprint
        self._keys: dict[str, str] = {}  # module -> the key its summary (known now) is stored under
        # Store each new summary at once and whole (every body walked): set where other processes
        # read the cache meanwhile (the runner's workers), which would otherwise make it again, or
        # parse the module again for the bodies they read (see _WalkAgain).
        self.store_whole = False
        self._recording: dict[str, tuple] | None = None
        self._trials: set[str] = set()  # files checked meanwhile under a text not their own (see trying)
        self._conftests: dict[str, tuple[tuple, object]] = {}  # path -> (stamp, what load made of it)
        self.allow = allow  # functions the user vouches for: chains do not go through them
        self.kept_trees = KeptTrees()  # filled and emptied by the engine
        # The engine's maker of the index of the installed libraries (ASL404), called when first
        # needed; None: calls that leave the project are not followed.
        self._make_libraries = libraries
        self._libraries: LibraryIndex | None = None

    @classmethod
    def for_settings(cls, settings: Settings, summarize, store=None, fingerprint: str = "",
                     load_conftest=None, libraries=None) -> "ProjectIndex":
        root = settings.project_root or os.getcwd()
        roots = [os.path.join(root, s) for s in settings.src] if settings.src else [root, os.path.join(root, "src")]
        return cls([r for r in roots if os.path.isdir(r)] or [root], summarize, store, fingerprint,
                   settings.allow, load_conftest, libraries)

    @property
    def libraries(self) -> "LibraryIndex | None":
        """The index of the installed libraries the project's calls may lead into, or None."""
        if self._libraries is None and self._make_libraries is not None:
            self._libraries, self._make_libraries = self._make_libraries(), None
            self._libraries.store_whole = self.store_whole  # the run's other workers read them too
        return self._libraries

    def knows_top(self, top: str) -> bool:
        """Whether calls into the top-level module ``top`` can be followed: the project has it,
        or (with ASL404) an installed library does."""
        if self.has_module(top):
            return True
        libraries = self.libraries
        return libraries is not None and libraries.has_module(top)

    def store_libraries(self) -> None:
        """Store the library summaries walked further (see store_walked)."""
        if self._libraries is not None:
            self._libraries.store_walked()

    @contextmanager
    def recording(self):
        """Yields a dict that collects, meanwhile, the file and stamp of every module consulted:
        what a finding made meanwhile depends on besides its own file."""
        previous, self._recording = self._recording, {}
        try:
            yield self._recording
        finally:
            self._recording = previous

    @contextmanager
    def trying(self, path: str):
        """Meanwhile, ``path`` is checked under texts that are not its file's (a fix's passes): a
        check knows the module by the text it checks while it runs, and by what it knew before
        once it is done, so that every other file of the run is checked and fixed against the
        files as they are, whichever was fixed first."""
        absolute = os.path.abspath(path)
        self._trials.add(absolute)
        try:
            yield
        finally:
            self._trials.discard(absolute)

    # -- modules and files -----------------------------------------------------------------------

    def context_for(self, path: str) -> ModuleContext:
        absolute = os.path.abspath(path)
        for root in self.roots:
            if absolute.startswith(root + os.sep):
                parts = os.path.relpath(absolute, root)[: -len(".py")].split(os.sep)
                is_package = parts[-1] == "__init__"
                if is_package:
                    parts = parts[:-1]
                if parts and all(p.isidentifier() for p in parts):
                    return ModuleContext(self, ".".join(parts), is_package, path)
        stem = os.path.splitext(os.path.basename(path))[0]
        return ModuleContext(self, stem, False, path)

    def conftest(self, path: str):
        """What the conftest loader makes of a conftest.py (its fixtures), or None when there is
        none; kept while the file's stamp holds. The findings made meanwhile depend on it, and on
        its absence: a conftest.py created later may give a test its fixtures."""
        stamp = file_stamp(path)
        if self._recording is not None:
            self._recording[path] = stamp
        if stamp == MISSING or self._load_conftest is None:
            return None
        known = self._conftests.get(path)
        if known is None or known[0] != stamp:
            known = self._conftests[path] = (stamp, self._load_conftest(path, self.context_for(path)))
        return known[1]

    def beside(self, module: str, top: str) -> str | None:
        """The package part ``P`` when ``P.top`` is a project module beside ``module`` (``P.m``)
        and ``P`` is a directory without ``__init__.py`` while ``top`` is no project module itself:
        what ``import top`` in that module imports (its directory is on sys.path)."""
        key = (module, top)
        if key not in self._beside:
            parent = module.rpartition(".")[0]
            self._beside[key] = parent if (
                not self.has_module(parent) and not self.has_module(top)
                and self.has_module(f"{parent}.{top}")) else None
        return self._beside[key]

    def has_module(self, module: str) -> bool:
        """Whether the project has this module (a file under one of its roots, or one given)."""
        return module in self._summaries or self._module_file(module) is not None

    def _module_file(self, module: str) -> str | None:
        if module not in self._files:
            found = None
            relative = module.replace(".", os.sep)
            for root in self.roots:
                for candidate in (relative + ".py", os.path.join(relative, "__init__.py")):
                    path = os.path.join(root, candidate)
                    if os.path.isfile(path):
                        found = path
                        break
                if found:
                    break
            self._files[module] = found
        return self._files[module]

    @contextmanager
    def checking(self, summary: ModuleSummary):
        """Meanwhile, the module being checked is known by the summary made from its text (which
        may differ from the disk). It stays known so after only when its name leads to its file:
        a file named by its stem alone (outside every root) must not stand in, for the files
        checked later, for another module of that name; nor a text on trial (see trying)."""
        previous = self._summaries.get(summary.module)
        unseen = self._unseen(summary.module)
        # Replacing a known module drops only what was made from its file, unless it was found
        # missing since (an answer that found it so records nothing).
        known = previous is not None and summary.module not in self._unreadable
        replaced = self._file_read(summary.module)[0] if known else None
        path = os.path.abspath(summary.path)
        # With the stamp of its file (just read to be checked): what the files checked later get
        # from it depends on that file (see summary).
        self._summaries[summary.module] = (("given", path, file_stamp(path)), summary)
        self._summaries_changed(added=summary if unseen else None, replaced=replaced)
        try:
            yield
        finally:
            found = self._module_file(summary.module)
            if found is None or os.path.abspath(found) != path or path in self._trials:
                if previous is None:
                    del self._summaries[summary.module]
                else:
                    self._summaries[summary.module] = previous
                self._summaries_changed(replaced=path)

    def _unseen(self, module: str) -> bool:
        """Whether nothing derived so far can have asked for the module: it has no summary, and
        its file was either never looked for or found and readable (asking loads it then)."""
        return (module not in self._summaries and module not in self._unreadable
                and self._files.get(module, "") is not None)

    def _summaries_changed(self, added: ModuleSummary | None = None, replaced: str | None = None) -> None:
        """What is derived from the set of summaries no longer holds. A module ``added`` that
        nothing asked for before changes only what depends on the whole set (the known subclasses,
        which take in its classes when next asked for): a cached chain or class order that had
        asked for it would hold it already. A module whose summary, read from the file
        ``replaced``, is replaced by another changes what was made from that file, and the known
        subclasses (made again from the class orders still kept). Else everything derived is
        dropped: an answer may have found the module missing, which no answer records."""
        if added is not None:
            if self._subclasses is not None:
                self._unindexed.append(added)
            return
        self._subclasses = None
        if replaced is not None:
            for (_, key), answers in self._made_from.pop(replaced, {}).items():
                answers.pop(key, None)
            return
        for kept in (self._chains, self._mros, self._loop_bound_classes, self._definitions, self._resolved,
                     self._agreeing, self._made_from):
            kept.clear()

    def refresh(self) -> None:
        """Summarise again the modules whose file changed since they were read, dropping what was
        derived from them. For an index kept between checks (the editor's): the answers it keeps
        (chains, class orders, known subclasses) would otherwise go on using a module edited since
        until a check asks for that module itself. A document checked stands for its file until
        the file changes (saved, or changed by another program once closed). A run's files do not
        change while it runs."""
        self._beside.clear()  # a module beside another may have been created since
        for module in list(self._summaries):
            path, read = self._file_read(module)
            made = self._summaries[module][1]
            if file_stamp(path) != read or made is not None and any(
                    file_stamp(other) != stamp for other, stamp in made.consulted.items()):
                del self._summaries[module]
                self._files.pop(module, None)  # perhaps gone
                self._summaries_changed()
                self.summary(module)  # known again, as a new index that had read it would know it

    def summary(self, module: str) -> ModuleSummary | None:
        known = self._summaries.get(module)
        if known is not None and known[0][0] == "given":
            self._record_module(module)  # checked earlier: the files checked after depend on its file
            if known[1] is not None:
                self._record(known[1].consulted)  # and on those its check read (once kept: see keep)
            return known[1]
        path = self._module_file(module)
        if path is None:
            return None
        stamp = file_stamp(path)
        if stamp == MISSING:
            self._unreadable.add(module)
            return None
        if self._recording is not None:
            self._recording[path] = stamp
        if known is not None and known[0] == stamp:
            if known[1] is not None:
                self._record(known[1].consulted)
            return known[1]
        summary = self._load(module, path)
        unseen = self._unseen(module)
        self._summaries[module] = (stamp, summary)
        if not unseen:
            self._summaries_changed()
        elif summary is not None:  # an unreadable module nobody asked for changes nothing derived
            self._summaries_changed(added=summary)
        if self.store_whole and summary is not None and module in self._keys \
                and isinstance(summary.functions, LazyFunctions) and summary.functions.stored < 0:
            # Walked only once known: a body's walk asks for other summaries, which may ask for this one.
            summary.functions.walk_all()
            self._put(self._keys[module], summary)
        return summary

    def _summary_key(self, module: str, path: str, content: bytes) -> str | None:
        if self._store is None or not self._store.enabled:
            return None
        return make_key(self._fingerprint, module, os.path.abspath(path), content)

    def keep(self, path: str, text: str, consulted: dict[str, tuple]) -> None:
        """Store in the on-disk cache the summary made while ``path`` (read as ``text``) was
        checked, so that a later run that needs it does not parse the file again; ``consulted``:
        the other files that check read (what the summary may depend on)."""
        context = self.context_for(path)
        known = self._summaries.get(context.module)
        key = self._summary_key(context.module, path, text.encode("utf-8", "surrogatepass"))
        if (key is not None and known is not None and known[0][0] == "given" and known[1] is not None
                and known[1].path == path):
            known[1].consulted.update(_others(consulted, path))
            self._store.put(SUMMARIES, key, known[1].to_json())

    def _load(self, module: str, path: str) -> ModuleSummary | None:
        """A module's summary, from the on-disk cache (keyed by its content) or made afresh. A
        summary made afresh is stored whole by ``summary`` with ``store_whole`` (another worker of
        the run finds it there); else by store_walked, with the function bodies walked by then."""
        key = None
        if self._store is not None and self._store.enabled:
            try:
                with open(path, "rb") as handle:
                    key = self._summary_key(module, path, handle.read())
            except OSError:
                return None
            payload = self._store.get(SUMMARIES, key)
            if payload is not None:
                try:
                    kept = ModuleSummary.from_json(payload, _WalkAgain(self, module, path, key))
                except (KeyError, TypeError, ValueError, AttributeError):
                    kept = None  # a malformed entry: make the summary again
                if kept is not None and not any(self.knows_top(top) for top in kept.outside) and all(
                        file_stamp(other) == stamp for other, stamp in kept.consulted.items()):
                    self._keys[module] = key
                    if isinstance(kept.functions, LazyFunctions):
                        kept.functions.stored = kept.functions.made_count()
                        self._watch(kept)
                    return kept
        with self.recording() as consulted:
            summary = self._summarize(path, self.context_for(path))
        self._record(consulted)
        if summary is not None:
            summary.consulted.update(_others(consulted, path))
            if isinstance(summary.functions, LazyFunctions):
                self._watch(summary)
        if key is not None and summary is not None:
            self._keys[module] = key
        return summary

    def _watch(self, summary: ModuleSummary) -> None:
        """The files its function bodies consult when they are walked later join its ``consulted``."""
        summary.functions.run = partial(_walk_recorded, _weakly(self), summary.consulted, summary.path)

    def _put(self, key: str, summary: ModuleSummary) -> None:
        self._store.put(SUMMARIES, key, summary.to_json())
        if isinstance(summary.functions, LazyFunctions):
            summary.functions.stored = summary.functions.made_count()

    def store_walked(self) -> None:
        """Store the summaries made or walked since they were stored, with the function bodies
        walked so far (the others are listed, to be walked by whichever run reads them first),
        unless the cache holds a whole one already (made while the module was checked): a later
        run, after an edit, finds walked the bodies this one read. Storing walks nothing. The
        runner calls it when it is done with the index."""
        if self._store is None or not self._store.enabled:
            return
        for module, (stamp, summary) in self._summaries.items():
            functions = summary.functions if summary is not None else None
            if stamp[0] == "given" or not isinstance(functions, LazyFunctions) \
                    or functions.made_count() <= functions.stored:
                continue
            stored = self._store.get(SUMMARIES, self._keys[module])
            if not (isinstance(stored, dict) and stored.get("later") == []):
                self._put(self._keys[module], summary)

    def summarize_again(self, module: str, path: str, key: str) -> ModuleSummary | None:
        """The module summarised afresh (see _WalkAgain), or None when its file no longer holds
        the text ``key`` was made from."""
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError:
            return None
        if self._summary_key(module, path, data) != key:
            return None
        return self._summarize(path, self.context_for(path), data=data)

    # -- the call graph --------------------------------------------------------------------------

    def _kept(self, answers: dict, key, answer, module: str | None = None):
        """``answer()``, made once while the summaries it reads stand (see _summaries_changed),
        with the files it was made from: whoever asks again depends on them as the first asker
        did (see _record)."""
        kept = answers.get(key)
        if kept is None:
            with self.recording() as consulted:
                kept = answer(), consulted
            self._keep(answers, key, kept, kept[1], module)
        self._record(kept[1])
        return kept[0]

    def _keep(self, answers: dict, key, kept, consulted: dict[str, tuple], module: str | None = None) -> None:
        """Keep an answer made from the files ``consulted`` under ``key``, to be dropped when the
        module of one of those files is replaced, or ``module``: the module the key names, whose
        summary the answer read without asking the index for it."""
        answers[key] = kept
        for path in [*consulted, self._file_read(module)[0]] if module is not None else consulted:
            self._made_from.setdefault(path, {})[id(answers), key] = answers

    def _defining(self, target: str) -> tuple[ModuleSummary, str] | None:
        """(summary, name in it) of the module that defines an absolute qualified name (a function,
        a class, a method), through re-exports."""
        return self._kept(self._definitions, target, lambda: self._find_defining(target, 0))

    def _find_defining(self, target: str, depth: int) -> tuple[ModuleSummary, str] | None:
        parts = target.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            summary = self.summary(".".join(parts[:cut]))
            if summary is None:
                continue
            local = ".".join(parts[cut:])
            if local in summary.functions or local in summary.classes or local.rpartition(".")[0] in summary.classes \
                    or local in summary.types:
                return summary, local
            head = parts[cut]
            if head in summary.imports and depth < 8:
                return self._find_defining(".".join([summary.imports[head], *parts[cut + 1:]]), depth + 1)
            return self._through_star_imports(summary, parts[cut:], depth)
        return None

    def _through_star_imports(self, summary: ModuleSummary, parts: list[str], depth: int):
        """Where a name a module does not bind itself comes from, when its module-level imports
        may bind it unseen (``from ._client import *``): nowhere, for the project's modules."""
        return None

    def resolve(self, target: str) -> tuple[ModuleSummary, str] | None:
        """(summary, function name in it) for an absolute qualified name, through re-exports."""
        return self._kept(self._resolved, target, lambda: self._find_function(target))

    def _find_function(self, target: str) -> tuple[ModuleSummary, str] | None:
        found = self._defining(target)
        if found is None:
            return None
        summary, local = found
        if local in summary.functions:
            return summary, local
        if local + ".__init__" in summary.functions:  # calling a class runs its __init__
            return summary, local + ".__init__"
        owner, _, attribute = local.rpartition(".")
        if self.follows_bases and local in summary.classes:
            owner, attribute = local, "__init__"
        if owner in summary.classes:  # a method inherited: the first base in Python's order has it
            for base, name in self.mro(summary, owner)[1:]:
                if f"{name}.{attribute}" in base.functions:
                    return base, f"{name}.{attribute}"
        return None

    def value_type(self, target: str, kind: str) -> str | None:
        """How the summaries type a value of the project (see ModuleSummary.types): what calling
        the function ``target`` returns (kind "returns"), what awaiting it gives ("awaited"), the class attribute ``module.Class.attr``
        as the class or its first base in Python's order that has it says ("attribute"), or the
        module-level name ``target`` ("constant")."""
        if kind in ("returns", "awaited"):
            found = self.resolve(target)
            if found is None:
                return None
            return found[0].types.get(f"{found[1]}()" if kind == "returns" else f"await {found[1]}()")
        if kind == "constant":
            found = self._defining(target)
            return found[0].types.get(found[1]) if found is not None and "." not in found[1] else None
        owner, _, attribute = target.rpartition(".")
        found = self.find_class(owner)
        for summary, name in self.mro(*found) if found is not None else ():
            key = f"{name}.{attribute}"
            if key in summary.types or key in summary.functions:  # a method is no attribute
                return summary.types.get(key)
        return None

    def runs(self, target: str) -> str | None:
        """What calling the project function ``target`` runs (FunctionSummary.runs), None when unknown."""
        found = self.resolve(target)
        return found[0].functions[found[1]].runs if found is not None else None

    def find_class(self, target: str) -> tuple[ModuleSummary, str] | None:
        """(summary, class name in it) for an absolute qualified class name, through re-exports."""
        found = self._defining(target)
        return found if found is not None and found[1] in found[0].classes else None

    def mro(self, summary: ModuleSummary, name: str, depth: int = 0) -> list[tuple[ModuleSummary, str]]:
        """The class and its project bases in Python's method resolution order (C3). Bases outside
        the project are left out; where C3 finds no order (or the hierarchy is too deep), the
        class and its direct bases. An order kept serves later files with the files it was
        found from (see blocking_chain)."""
        key = (summary.module, name)
        if key in self._mros:
            order, consulted = self._mros[key]
        else:
            with self.recording() as consulted:
                order, final = self._c3(summary, name, depth)
            if final:
                self._keep(self._mros, key, (order, consulted), consulted, summary.module)
        self._record(consulted)
        return order

    def _c3(self, summary: ModuleSummary, name: str, depth: int) -> tuple[list[tuple[ModuleSummary, str]], bool]:
        """(the order, whether it is C3's: not cut short by depth or by a hierarchy without one)."""
        own = (summary, name)
        bases = [found for found in (self.find_class(b) for b in summary.classes.get(name, ())) if found]
        if depth > 16:
            return [own, *bases], False
        lines = [self.mro(*base, depth=depth + 1) for base in bases] + [bases]
        entries = {(s.module, n): (s, n) for line in lines for s, n in line}
        pending = [[(s.module, n) for s, n in line] for line in lines if line]
        order = [own]
        while pending:
            head = next((line[0] for line in pending if not any(line[0] in other[1:] for other in pending)), None)
            if head is None:
                return [own, *bases], False
            order.append(entries[head])
            pending = [rest for rest in ([e for e in line if e != head] for line in pending) if rest]
        return order, True

    def is_coroutine_function(self, target: str) -> bool | None:
        """Whether calling ``target`` makes a coroutine; None when unknown, or when a subclass
        (among the modules summarised so far) overrides the method with one that does not agree."""
        found = self.resolve(target)
        if found is None:
            return None
        summary, name = found
        coroutine = summary.functions[name].coroutine
        owner, _, attribute = name.rpartition(".")
        if owner in summary.classes and not self._overrides_agree(summary, owner, attribute, coroutine):
            return None
        return coroutine

    def _overrides_agree(self, summary: ModuleSummary, owner: str, attribute: str, coroutine: bool) -> bool:
        """Whether every method named ``attribute`` of the known subclasses of ``owner`` agrees with
        its own (``coroutine``: whether calling it makes one). Kept for the class until it gains
        a known subclass."""
        subclasses = self._known_subclasses()  # first: it drops what a new subclass changes
        return self._kept(self._agreeing.setdefault((summary.module, owner), {}), attribute, lambda: not any(
            method.coroutine != coroutine for method in self._overrides(subclasses, summary, owner, attribute)),
            summary.module)

    def _overrides(self, subclasses: dict, summary: ModuleSummary, owner: str, attribute: str):
        """The methods named ``attribute`` of the known subclasses of ``owner``. Each subclass
        looked at is recorded: its module, and the files of its class order (what makes it one)."""
        for known, name, order_from in subclasses.get((summary.module, owner), ()):
            self._record(order_from)
            self._record_module(known.module)
            method = known.functions.get(f"{name}.{attribute}")
            if method is not None:
                yield method

    def _known_subclasses(self) -> dict[tuple[str, str], list[tuple[ModuleSummary, str, dict[str, tuple]]]]:
        """(module, class) -> the classes of the summaries known now that derive from it, each with
        the files its class order was found from. Asked for every call to a method, so kept, and
        brought up to date with the modules added since, rather than made again. The modules that
        ``mro`` loads meanwhile join it on the next call."""
        if self._subclasses is None:
            self._subclasses = {}
            self._unindexed = [known for _, known in self._summaries.values() if known is not None]
        index, added, self._unindexed = self._subclasses, self._unindexed, []
        for known in added:
            for name in known.classes:
                with self.recording() as order_from:
                    order = self.mro(known, name)
                for base, base_name in order[1:]:
                    index.setdefault((base.module, base_name), []).append((known, name, order_from))
                    self._agreeing.get((base.module, base_name), {}).clear()
        return index

    def thread_hazard(self, target: str) -> str | None:
        """Why running ``target`` in a worker thread would change what the program does, or None:
        it is a generator function (the thread would only create it), or it, or a sync function it
        calls, touches the event loop, context variables or thread-local state, or is a method of
        a class that holds loop-bound objects; or it constructs an object with async methods (its
        ``__init__`` may bind parts made by callables it was given to the loop)."""
        start = self.resolve(target)
        if start is None:
            return None
        if start[0].functions[start[1]].runs in ("generator", "contextmanager"):
            return "a generator function: a thread would only create it"
        owner, _, method = start[1].rpartition(".")
        if method == "__init__" and owner in start[0].classes and any(
                function.is_async for module, name in self.mro(start[0], owner)
                for key, function in module.functions.items() if key.rpartition(".")[0] == name):
            return "makes an object with async methods: it may bind to the event loop"
        seen = {(start[0].module, start[1])}
        queue = deque([start])
        while queue:
            summary, name = queue.popleft()
            function = summary.functions[name]
            if function.hazard:
                return function.hazard
            owner = name.rpartition(".")[0]
            if owner in summary.classes and self._loop_bound(summary, owner):
                return "a method of a class bound to the event loop"
            for call in function.calls:
                found = self.resolve(call.target)
                if found is not None and (found[0].module, found[1]) not in seen \
                        and not found[0].functions[found[1]].is_async:
                    seen.add((found[0].module, found[1]))
                    queue.append(found)
        return None

    def _loop_bound(self, summary: ModuleSummary, owner: str) -> bool:
        """Whether a sync method of the class or of its bases touches the event loop."""
        return any(name in self._loop_classes(module) for module, name in self.mro(summary, owner))

    def _loop_classes(self, summary: ModuleSummary) -> set[str]:
        """The classes of a module with a sync method that touches the event loop itself."""
        if summary.module not in self._loop_bound_classes:
            self._keep(self._loop_bound_classes, summary.module, {
                method.rpartition(".")[0] for method, function in summary.functions.items()
                if function.hazard == TOUCHES_LOOP and not function.is_async}, {}, summary.module)
        return self._loop_bound_classes[summary.module]

    def blocking_chain(self, target: str, arguments: list | None = None, caller: tuple[dict, dict] = ({}, {}),
                       how: str = "call", imports: bool = True,
                       libraries: bool = False) -> tuple[bool, list[Step]] | None:
        """The shortest chain of sync project functions from a call of ``target`` (with these
        arguments, see conditions.call_arguments) to a blocking call: (certain, steps). Certain
        when every link runs on every path; else the shortest chain whose links may all run.
        ``imports``: whether an import that may load a module (ASL112) counts as blocking.
        ``libraries``: the shortest certain chain only, through the installed libraries' functions
        too (ASL404); None when it has no link in a library."""
        start = self.resolve(target)
        outside = self._outside_name(target) if start is None and libraries else None
        if outside is not None and self.libraries is not None:
            with self.libraries.recording() as consulted:
                start = self.libraries.resolve(outside)
            self._record(consulted)
        if start is None or (libraries and self.libraries is None):
            return None
        summary, name = start
        function = summary.functions[name]
        if not function.runs_when(how) or self._allowed(target):
            return None
        env = _frozen(self._entry_env(function, arguments, caller, summary.constants, {}))
        key = (summary.module, name, env, imports, libraries)
        answer = (lambda: self._library_chain(start, env, imports)) if libraries \
            else (lambda: self._chain_from(start, env, imports))
        return self._kept(self._chains, key, answer, None if summary.library else summary.module)

    def _chain_from(self, start: tuple[ModuleSummary, str], env: tuple, imports: bool) -> tuple[bool, list[Step]] | None:
        # Most calls reach no blocking call at all: one search says so. Only a chain with a
        # condition needs a second search, for a longer one without.
        possible = self._search(start, env, False, imports)
        if possible is not None and any(step.when for step in possible[1]):
            possible = self._search(start, env, True, imports) or possible
        return possible

    def _library_chain(self, start: tuple[ModuleSummary, str], env: tuple,
                       imports: bool) -> tuple[bool, list[Step]] | None:
        """The certain chain through the libraries, recording the library files it read as the
        project's (a finding made from it depends on them)."""
        with self.libraries.recording() as consulted:
            found = self._search(start, env, True, imports, libraries=True)
        self._record(consulted)
        return found if found is not None and any(step.library for step in found[1]) else None

    def _outside_name(self, target: str, depth: int = 0) -> str | None:
        """The name outside the project that ``target`` stands for, through the project's
        re-exports (``fastapi.responses.FileResponse`` -> ``starlette.responses.FileResponse``), or
        None when it is the project's: only a call that leaves the project is followed into the
        installed libraries (a project's own package, installed in its environment too, is the
        project's, even where the index cannot resolve a name in it)."""
        parts = target.split(".")
        if not self.has_module(parts[0]):
            return target
        for cut in range(len(parts) - 1, 0, -1):
            summary = self.summary(".".join(parts[:cut]))
            if summary is not None:
                head = parts[cut]
                if head in summary.imports and depth < 8:
                    return self._outside_name(".".join([summary.imports[head], *parts[cut + 1:]]), depth + 1)
                return None
        return None

    def _allowed(self, target: str, summary: ModuleSummary | None = None, name: str = "") -> bool:
        """Whether the user vouches for the function: by the name it is called by, or where it is
        defined; a class's ``__init__`` by the class's name too."""
        if not self.allow:
            return False
        defined = f"{summary.module}.{name}" if summary is not None else target
        return any(n in self.allow for n in (target, target.removesuffix(".__init__"), defined,
                                              defined.removesuffix(".__init__")))

    def _record_module(self, module: str) -> None:
        """Record the file of a module known now, as ``summary`` would, without asking its stamp again."""
        if self._recording is not None and module in self._summaries:
            path, stamp = self._file_read(module)
            self._recording[path] = stamp

    def _file_read(self, module: str) -> tuple[str, tuple]:
        """The file a known module's summary was made from (a checked one's, or the file its name
        leads to), and the file's stamp then."""
        stamp = self._summaries[module][0]
        return (stamp[1], stamp[2]) if stamp[0] == "given" else (self._module_file(module), stamp)

    def _record(self, consulted: dict[str, tuple]) -> None:
        """A kept answer is used: what it was made from, whichever file asked first, is what the
        file asking now depends on too."""
        if self._recording is not None:
            self._recording.update(consulted)

    def _entry_env(self, function: FunctionSummary, arguments, caller, constants, self_values: dict) -> dict:
        """The values known on entry to ``function``: its parameters that its conditions test or
        that it passes on, and the ``self.`` attributes set from them that it does not reassign."""
        used = function.used_names()
        env = conditions.bind(function.params, arguments, caller, constants) if used or function.self_params else {}
        known = {k: v for k, v in env.items() if k in used}
        known.update((k, v) for k, v in self_values.items() if k[len("self."):] not in function.assigned)
        known.update((f"self.{attribute}", env[param]) for attribute, param in function.self_params.items()
                     if param in env)
        return known

    def _search(self, start: tuple[ModuleSummary, str], env: tuple, certain: bool, imports: bool,
                libraries: bool = False):
        """Breadth-first over (function, known values); a link counts when its condition is not
        false for those values, and, when ``certain``, only when nothing of it is left.
        ``libraries``: a call that leaves the project is followed into the installed libraries
        (a call the project resolves is the project's, even made from a library); a search of
        them gives up after _MAX_LIBRARY_STATES functions."""
        first = (start[0].module, start[1], env)
        # (function, known values) -> (the caller's key, the condition of the call) and its summary
        came_from: dict[tuple, tuple | None] = {first: None}
        owners = {first: start[0]}
        seen: dict[tuple[str, str], int] = {}
        queue = deque([(start, env)])
        while queue:
            (summary, name), env = queue.popleft()
            function = summary.functions[name]
            if function.is_async or f"{summary.module}.{name}" in self.allow:
                continue  # calling it makes a coroutine; its own body is checked where it is defined
            if libraries and len(came_from) > _MAX_LIBRARY_STATES:
                return None
            known = dict(env)
            for code, call, line, condition in function.blocking:
                if code == "ASL112" and not imports:
                    continue
                left = conditions.evaluate(condition, known, libraries)
                if left is None or (certain and left):
                    continue
                shown = call if call.startswith("import ") else f"{call.removeprefix('builtins.')}()"
                steps = [Step(f"{shown} [{code}]", summary.path, line,
                              conditions.describe(left), summary.library, once=code == "ASL112")]
                node: tuple | None = (summary.module, name, env)
                while node is not None:
                    owner, via = owners[node], came_from[node]
                    linked = owner.functions[node[1]]
                    steps.append(Step(f"{owner.module}.{node[1]}" if owner.library else node[1], owner.path,
                                      linked.line, via[1] if via else "", owner.library, linked.cached))
                    node = via[0] if via else None
                return certain or not any(step.when for step in steps), steps[::-1]
            self_values = {k: v for k, v in known.items() if k.startswith("self.")}
            for target, condition, arguments, how, on_self in function.calls:
                left = conditions.evaluate(condition, known, libraries)
                if left is None or (certain and left):
                    continue
                found = self.resolve(target)
                outside = self._outside_name(target) if found is None and libraries else None
                if outside is not None:
                    found = self.libraries.resolve(outside)
                    if found is not None and self._allowed(target, *found):
                        continue
                if found is None or not found[0].functions[found[1]].runs_when(how):
                    continue
                callee = found[0].functions[found[1]]
                callee_env = _frozen(self._entry_env(callee, arguments, (known, summary.constants),
                                                     found[0].constants, self_values if on_self else {}))
                visits = seen[found[0].module, found[1]] = seen.get((found[0].module, found[1]), 0) + 1
                if visits > _MAX_STATES:
                    callee_env = ()  # enough variants: go on knowing nothing (it reaches the most)
                key = (found[0].module, found[1], callee_env)
                if key not in came_from:
                    came_from[key] = ((summary.module, name, env), conditions.describe(left))
                    owners[key] = found[0]
                    queue.append((found, callee_env))
        return None


_MAX_STATES = 4  # known-value variants searched per function
# (function, known values) pairs a search through the libraries visits before it gives up: a
# library's call graph is large, and a chain that deep is not one a reader could check.
_MAX_LIBRARY_STATES = 2000


class LibraryIndex(ProjectIndex):
    """The modules of the installed libraries (the site-packages of the project's environment),
    summarised on demand by the project's machinery. A summary is stored under a key made of
    the library's distribution and version and the module's content, not its path: every
    environment with that version shares it (the user's cache). ``distribution(top)``: the
    installed distribution that owns a top-level module ("httpx 0.28.1"), or None."""

    follows_bases = True
    follows_loads = False

    def __init__(self, site_packages: list[str], summarize, distribution, store=None, fingerprint: str = "",
                 allow: frozenset[str] = frozenset()) -> None:
        super().__init__(site_packages, summarize, store, fingerprint, allow)
        self._distribution = distribution

    def _summary_key(self, module: str, path: str, content: bytes) -> str | None:
        if self._store is None or not self._store.enabled:
            return None
        return make_key(self._fingerprint, self._distribution(module.partition(".")[0]) or "", module, content)

    def _through_star_imports(self, summary: ModuleSummary, parts: list[str], depth: int):
        """A library's package re-exports its modules' names with ``from ._client import *``
        (httpx, redis.asyncio): the first module its module-level code imports that defines or
        imports the name is taken as the one that binds it."""
        if depth >= 8:
            return None
        for loaded in summary.loads:
            other = self.summary(loaded) if loaded != summary.module else None
            if other is not None and (parts[0] in other.functions or parts[0] in other.classes
                                      or parts[0] in other.imports):
                return self._find_defining(".".join([loaded, *parts]), depth + 1)
        return None

    def _load(self, module: str, path: str) -> ModuleSummary | None:
        summary = super()._load(module, path)
        if summary is not None:
            summary.path = path  # stored by another environment, perhaps
            top = module.partition(".")[0]
            summary.library = self._distribution(top) or top
        return summary


def _others(consulted: dict[str, tuple], path: str) -> dict[str, tuple]:
    """The files consulted, but the module's own (its text is in its summary's key)."""
    own = os.path.abspath(path)
    return {other: stamp for other, stamp in consulted.items() if other != own}


def _walk_recorded(index: "ProjectIndex", consulted: dict[str, tuple], path: str, walks: list) -> None:
    """Walk function bodies of a summary, adding the files they consult to its ``consulted`` (and
    to what the answer being made meanwhile depends on)."""
    with index.recording() as read:
        _run_walks(walks)
    consulted.update(_others(read, path))
    index._record(read)


def _frozen(env: dict) -> tuple:
    return tuple(sorted((k, tuple(v)) for k, v in env.items()))


def _above_packages(directory: str) -> str:
    """A root inside a package names modules from the directory that holds the package."""
    while os.path.isfile(os.path.join(directory, "__init__.py")):
        parent = os.path.dirname(directory)
        if parent == directory:
            break
        directory = parent
    return directory
