"""The plain data the engine produces and consumes."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from enum import Enum
from typing import Mapping, NamedTuple



@dataclass(frozen=True)
class PerBackend:
    """A text worded for each async library (as ruff's ``AsyncModule``): a replacement, the way to
    run a coroutine, what a task group is called. Every message that names a backend's API takes
    its words from one of these, picked by the module's backend."""

    asyncio: str
    trio: str
    anyio: str

    @classmethod
    def everywhere(cls, text: str) -> "PerBackend":
        return cls(text, text, text)

    def for_backend(self, backend: str) -> str:
        return getattr(self, backend)


BACKENDS = tuple(f.name for f in fields(PerBackend))


class FixKind(str, Enum):
    """The rewrites the fixer knows: each has exactly one fixer (``fix.fixers.FIXERS``) and a
    before/after fixture pair (tests/test_fix.py checks both). A string, so that JSON and the
    cache carry the value as is."""

    SLEEP = "sleep"  # time.sleep(x) -> await asyncio.sleep(x)
    OPEN = "open"  # with open(p) as f -> async with aiofiles.open(p) as f (or a thread)
    HTTP = "http"  # requests.get(url) -> an httpx.AsyncClient with requests' defaults (or a thread)
    SUBPROCESS = "subprocess"  # subprocess.run([...]) -> asyncio.create_subprocess_exec (or a thread)
    THREAD = "thread"  # f(x) -> await asyncio.to_thread(f, x)
    PATH = "path"  # os.remove(p) -> await anyio.Path(p).unlink() (trio, anyio; else a thread)
    AWAIT = "await"  # a coroutine never awaited -> await it
    RUNNING_LOOP = "running-loop"  # asyncio.get_event_loop() -> asyncio.get_running_loop()


# The rewrites written the same whatever async library runs the code (the others name one).
BACKEND_NEUTRAL_FIXES = frozenset({FixKind.AWAIT, FixKind.RUNNING_LOOP})


@dataclass(frozen=True)
class Related:
    """A later blocking call on what a finding's call made (``f.read()`` after ``f = open(p)``): part
    of that finding (one finding per resource), shown with it in the formats that carry locations,
    and rewritten with it by the fix. Positions count as the finding's do."""

    line: int
    col: int
    end_line: int
    end_col: int
    text: str  # the call's source
    # What the fixer needs to rewrite it (kept out of the output formats, as the finding's own):
    # the call's fix kind (None: its fix is withheld, and so is the finding's) and callee.
    fix_kind: FixKind | None = None
    target: str | None = None
    cell: int | None = None  # in a notebook, as the finding's

    def __post_init__(self) -> None:
        _as_fix_kind(self)


@dataclass(frozen=True)
class SeenBlocking:
    """A finding's call seen holding the event loop while the tests ran (``asynclint check
    --runtime-report``): the longest episode, its test, and how many episodes passed there."""

    duration_ms: int
    nodeid: str
    episodes: int = 1

    def note(self) -> str:
        more = f"; {self.episodes} episodes" if self.episodes > 1 else ""
        return f"seen blocking: {self.duration_ms} ms in {self.nodeid.rpartition('::')[2]}{more}"


@dataclass(frozen=True)
class Diagnostic:
    """One finding. Lines are 1-based, columns 1-based and counted in characters."""

    path: str
    line: int
    col: int
    code: str
    message: str
    end_line: int = 0
    end_col: int = 0
    # The fix on offer: None when the rule has no rewrite for this finding,
    # else "safe" or "unsafe" (see docs/rules for what each fix does).
    fix: str | None = None
    # What the fixer needs, kept out of every output format: the fix kind and the callee's
    # qualified name (``time.sleep``). Carried rather than recomputed at fix time because
    # only the analysis knows them (it resolved the call through imports and bindings).
    fix_kind: FixKind | None = None
    target: str | None = None
    # Why the rule's fix is withheld (``fix`` is None) or only unsafe here: "touches the event
    # loop", "inside a threading lock"... Shown with the finding.
    fix_reason: str | None = None
    # In a notebook, the cell (counted from 1) whose lines ``line`` and ``end_line`` count.
    cell: int | None = None
    # The call chain of ASL401/ASL402: (step, path, line, condition) per link, shown in JSON.
    chain: tuple = ()
    # The later blocking calls on the object this finding's call made (ASL1xx), in source order.
    related: tuple[Related, ...] = ()
    # Set by --runtime-report, after the check (never cached): the tests saw this call block.
    seen_blocking: SeenBlocking | None = None

    def __post_init__(self) -> None:
        _as_fix_kind(self)

    def sort_key(self) -> tuple:
        return (self.path, self.cell or 0, self.line, self.col, self.code)


def _as_fix_kind(found: Diagnostic | Related) -> None:
    if found.fix_kind is not None and not isinstance(found.fix_kind, FixKind):  # read from the cache
        object.__setattr__(found, "fix_kind", FixKind(found.fix_kind))


COMMAND_LINE = "the command line"  # the origin of the options a command line gives


class Selection(NamedTuple):
    """One level of rule selection: a pyproject.toml, the command line or an editor's settings.
    Levels apply in order, as in ruff: a level's ``select`` (None: keep what the levels before
    chose) starts the set afresh, then its ``extend_select`` and ``ignore`` adjust it."""

    select: tuple[str, ...] | None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    origin: str = "the configuration"  # where the codes come from, for error messages


@dataclass(frozen=True)
class FixStyle:
    """The project's formatting, which a fix's code keeps to (read by ``style.project_style``)."""

    line_length: int = 88
    # The import sorter's options, as isort names them: ((name, value), ...).
    import_sorting: tuple[tuple[str, object], ...] = ()
    # The oldest Python 3 minor version the project supports (9: 3.9), None when it says nothing:
    # the formatter's layout depends on it (a `with` of several items is parenthesized from 3.9).
    python_minimum: int | None = None


@dataclass(frozen=True)
class Settings:
    """Everything that changes what is reported. Built by config.py, read everywhere else."""

    # The configuration's selection; the levels above it (command line, editor) are
    # ``selection_overrides``, and ``selections()`` gives them all in order.
    select: tuple[str, ...] = ("ASL",)
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    selection_origin: str = "the configuration"
    selection_overrides: tuple[Selection, ...] = ()
    per_file_ignores: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    exclude: tuple[str, ...] = ()
    extra_blocking: Mapping[str, str] = field(default_factory=dict)
    allow: frozenset[str] = frozenset()
    backend: str | None = None  # None: pick per module from its imports
    cpu_loop_threshold: int = 100_000
    project_root: str | None = None
    src: tuple[str, ...] = ()  # source roots, relative to project_root
    # Apply `exclude` to files named on the command line too (pre-commit names every file).
    force_exclude: bool = False
    # Let a fix use an async library (aiofiles, httpx) that is importable here though the project
    # does not declare it as a dependency.
    fix_with_installed_libraries: bool = False
    ignore_noqa: bool = False  # report what `# noqa` comments would silence (--ignore-noqa)
    # Qualified names of decorators that mark a sync function as run on the event loop (a
    # framework's loop-callback marker), besides the catalog's.
    loop_callback_decorators: frozenset[str] = frozenset()
    # Qualified names of the project's helpers that run the callable they are given (or, as a
    # decorator, the function they decorate) in a worker thread, besides the catalog's.
    thread_runners: frozenset[str] = frozenset()
    fix_style: FixStyle = FixStyle()  # the project's line length and import order, for fixes
    # The interpreter (or environment folder) whose installed libraries ASL404 reads; None: the
    # first of VIRTUAL_ENV, a .venv/venv in the project root, asynclint's own (environment.py).
    python: str | None = None

    def selections(self) -> tuple[Selection, ...]:
        own = Selection(self.select, self.extend_select, self.ignore, self.selection_origin)
        return (own, *self.selection_overrides)
