"""Read -> skip early -> parse once -> one walk with every enabled checker -> noqa -> diagnostics."""

from __future__ import annotations

import ast
import difflib
import fnmatch
import os
import re
import sys
import threading
import traceback
import weakref
from functools import lru_cache, partial
from typing import Callable

from asynclint import catalog
from asynclint.analysis import Analysis, module_backend
from asynclint.cache import engine_fingerprint, make_key, settings_fingerprint
from asynclint.compat import noqa_covers
from asynclint.config import ConfigError
from asynclint.model import COMMAND_LINE, Diagnostic, Related, Selection, Settings
from asynclint.notebook import Notebook, NotebookError, is_notebook
from asynclint.callgraph import LazyFunctions, ModuleContext, ModuleSummary, ProjectIndex
from asynclint.rules import CHECKERS, RULES, Finding, load_all
from asynclint.source import SourceError, decode_source, parse, read_source

load_all()

PROJECT_CODES = frozenset(code for code, rule in RULES.items() if rule.needs_project)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_NOQA = re.compile(r"#\s*noqa\b(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*))?", re.IGNORECASE)


def check_file(path: str, settings: Settings, project: ProjectIndex | None = None, *,
               verbose: bool = False) -> list[Diagnostic]:
    try:
        source = read_source(path)
    except SourceError as error:
        return [error.finding(path)]
    return lint_source(source, path, settings, project=project, verbose=verbose)


def lint_source(source: str, path: str = "<stdin>", settings: Settings = Settings(), *,
                enabled: frozenset[str] | None = None, tree: ast.Module | None = None,
                apply_noqa: bool = True, verbose: bool = False,
                project: ProjectIndex | None = None, skip_without_async: bool = True) -> list[Diagnostic]:
    """Every finding in one module's source, sorted by position: the one function every door
    lints with.

    ``enabled``: the file's codes when the caller has them already (``enabled_codes``);
    ``tree``: the module when the caller parsed it already (flake8); ``project``: the run's
    index of the project's modules, for project-wide rules (a fresh one is made when it is
    not given). ``skip_without_async``: return [] unparsed when no enabled checker's trigger
    occurs (the early skip); the LSP turns it off, to report any buffer that does not parse.
    A notebook (``.ipynb``) is its code cells, and its findings say their cell (notebook.py).
    """
    if enabled is None:
        enabled = enabled_codes(settings, path)
    if not is_notebook(path) or tree is not None:
        return lint_python(source, path, settings, enabled, tree=tree, apply_noqa=apply_noqa, verbose=verbose,
                           project=project, skip_without_async=skip_without_async)
    try:
        notebook = Notebook.parse(source)
    except NotebookError as error:
        return [Diagnostic(path, 1, 1, "ASL001", str(error))]
    found = lint_python(notebook.source, path, settings, enabled, apply_noqa=apply_noqa, verbose=verbose,
                        project=project, skip_without_async=skip_without_async)
    return [notebook.locate(d) for d in found]  # cells in order: still sorted


def lint_python(source: str, path: str, settings: Settings, enabled: frozenset[str], *,
                tree: ast.Module | None = None, apply_noqa: bool = True, verbose: bool = False,
                project: ProjectIndex | None = None, skip_without_async: bool = True) -> list[Diagnostic]:
    """``lint_source`` for Python source (a notebook's joined cells too, under its own path)."""
    checkers = _checkers_for(enabled)
    if tree is None:
        if skip_without_async and not _triggered(source, checkers, settings):
            return []
        if project is not None:  # summarised already for a module checked before?
            tree = project.kept_trees.take(path, source)
    if tree is None:
        try:
            tree = parse(source, path)
        except SyntaxError as error:
            return [_syntax_error(path, error, source)]
        except (RecursionError, MemoryError):
            return [Diagnostic(path, 1, 1, "ASL001", "syntax error: too deeply nested for the parser")]
        except ValueError as error:
            return [Diagnostic(path, 1, 1, "ASL001", f"syntax error: {error}")]

    found: list[Finding] = []
    backend, backend_unsure = module_backend(tree, path, settings)

    def report(finding: Finding) -> None:
        if finding.code in enabled:
            found.append(finding)

    context = None
    if enabled.intersection(PROJECT_CODES):
        project = project or project_index(settings)
        context = project.context_for(path)

    def analyse() -> None:
        found.clear()
        with Analysis(tree, settings, checkers, report, project=context, source=source, backend=backend,
                      enabled=enabled, backend_unsure=backend_unsure) as analysis:
            analysis.run()

    try:
        try:
            analyse()
        except RecursionError:
            # Valid but deep code (a long elif or `+` chain) can outgrow the default limit: walk it
            # again with room to recurse. ast.parse succeeded, so the depth is bounded.
            run_deep(analyse)
    except RecursionError:
        return [Diagnostic(path, 1, 1, "ASL001", "too deeply nested to analyse")]
    except MemoryError:
        return [Diagnostic(path, 1, 1, "ASL001", "too large to analyse: out of memory")]
    except Exception as error:  # a bug in asynclint must not stop the run
        return [_internal_error(path, error, verbose)]
    if not found:
        return []
    return _diagnostics(source, path, found, apply_noqa and not settings.ignore_noqa)


def project_index(settings: Settings, store=None) -> ProjectIndex:
    """The index of the project's modules; ``store`` (a cache.Cache) keeps summaries on disk."""
    fingerprint = ""
    if store is not None and store.enabled:
        fingerprint = make_key(engine_fingerprint(), settings_fingerprint(settings))
    return ProjectIndex.for_settings(settings, partial(summarize_module, settings=settings), store, fingerprint,
                                     partial(conftest_module, settings=settings))


def conftest_module(path: str, context: ModuleContext, settings: Settings) -> Analysis | None:
    """A conftest.py walked at module level only (its imports and fixture definitions), or None
    when it cannot be read or parsed: the index's loader for the fixtures a test module uses."""
    try:
        source = read_source(path)
        analysis = Analysis(parse(source, path), settings, [], project=context.held_by_index(), source=source)
        analysis.walk_body(analysis.tree.body)
    except (SourceError, SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    return analysis


def summarize_module(path: str, context: ModuleContext, settings: Settings,
                     data: bytes | None = None) -> ModuleSummary | None:
    """The summary of a module the checked files use, or None when it cannot be read. ``data``:
    the file's bytes, when the caller has read them already."""
    try:  # a module that cannot be read or parsed simply has no summary
        source = read_source(path) if data is None else decode_source(data)
        tree = parse(source, path)
        analysis = Analysis(tree, settings, [], project=context.held_by_index(), source=source, summarize=True)
        try:
            later = analysis.run_lazily()
        except BaseException:
            analysis.close()
            raise
    except (SourceError, SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    # The function bodies left are walked when a chain or a coroutine question first reads their
    # summary. The analysis is closed once all are, or when the summary is let go: it points to
    # the summary only weakly, so reference counting frees both (no tree waits for the collector).
    summarizer = analysis.summarizer
    summary, summarizer.summary = summarizer.summary, None
    summary.functions = LazyFunctions(summarizer.functions, later)
    summarizer.functions = weakref.proxy(summary.functions)
    summary.functions.done = weakref.finalize(summary.functions, analysis.close)
    summary.functions.done.atexit = False
    if not later:
        summary.functions.done()
    if needs_parse(source, enabled_codes(settings, path), settings):  # it may be checked later: parse it once
        context.index.kept_trees.keep(path, source, tree)
    return summary


def needs_parse(source: str, enabled: frozenset[str], settings: Settings, path: str | None = None) -> bool:
    """False when ``lint_source`` would return [] without parsing: no enabled checker's trigger
    word occurs in the text (the early skip). The runner asks this before it ships or caches.
    A notebook (``path``) that is not one is reported whatever its text."""
    if _triggered(source, _checkers_for(enabled), settings):
        return True
    if path is not None and is_notebook(path):
        try:
            Notebook.parse(source)
        except NotebookError:
            return True
    return False


def _triggered(source: str, checkers, settings: Settings) -> bool:
    """Whether a trigger of one of the checkers occurs in the text: a word (a substring test)
    or a compiled pattern (searched), see ``Checker.triggers``; or a loop-callback decorator, which
    puts code on the loop without an ``async def``."""
    for c in checkers:
        for trigger in c.triggers:
            if trigger in source if type(trigger) is str else trigger.search(source):
                return True
    return bool(checkers) and _loop_callbacks(settings.loop_callback_decorators).search(source) is not None


@lru_cache(maxsize=16)
def _loop_callbacks(configured: frozenset[str]) -> re.Pattern:
    """A decorator that marks a sync function as run on the event loop (its last name after an
    ``@``), or a framework that runs its handlers' sync methods there (its name): such a module may
    have code on the loop without an ``async def``."""
    names = sorted({name.rpartition(".")[2] for name in catalog.LOOP_CALLBACK_DECORATORS | configured})
    # A framework that runs its handlers' methods on the loop: a module of handlers names it.
    frameworks = sorted({name.partition(".")[0] for name in catalog.LOOP_METHODS_OF})
    return re.compile(r"@[\w.]*\b(?:" + "|".join(map(re.escape, names)) + r")\b|\b(?:"
                      + "|".join(map(re.escape, frameworks)) + r")\b")


@lru_cache(maxsize=256)
def _checkers_for(enabled: frozenset[str]) -> tuple:
    return tuple(c for c in CHECKERS if enabled.intersection(c.codes))


def _diagnostics(source: str, path: str, found: list[Finding], apply_noqa: bool) -> list[Diagnostic]:
    lines = _LINE_BREAK.split(source)
    result = []
    for finding in found:
        line, col, end_line, end_col = _span(lines, finding.node)
        if apply_noqa and _suppressed(lines[line - 1] if line <= len(lines) else "", finding.code):
            continue
        result.append(Diagnostic(
            path=path, line=line, col=col, code=finding.code, message=finding.message, end_line=end_line,
            end_col=end_col, fix=finding.fix, fix_kind=finding.fix_kind, target=finding.target,
            fix_reason=finding.fix_reason, chain=finding.chain,
            # A later call on a line whose `# noqa` silences its own code is left as it is.
            related=tuple(Related(*_span(lines, later.node), text=_segment(lines, later.node),
                                  fix_kind=later.fix_kind, target=later.target)
                          for later in finding.related
                          if not (apply_noqa and _suppressed(lines[later.node.lineno - 1], later.code))),
        ))
    result.sort(key=Diagnostic.sort_key)
    return result


def _span(lines: list[str], node: ast.AST) -> tuple[int, int, int, int]:
    """(line, column, end line, end column) of a node, 1-based, columns in characters."""
    line = node.lineno
    text = lines[line - 1] if line <= len(lines) else ""
    end_line = getattr(node, "end_lineno", None) or line
    end_text = lines[end_line - 1] if end_line <= len(lines) else ""
    return (line, _char_column(text, node.col_offset) + 1,
            end_line, _char_column(end_text, getattr(node, "end_col_offset", 0) or 0) + 1)


def _segment(lines: list[str], node: ast.AST) -> str:
    """A node's source text (ast counts its columns in UTF-8 bytes)."""
    first, last = node.lineno - 1, node.end_lineno - 1
    chosen = [line.encode("utf-8") for line in lines[first:last + 1]]
    chosen[-1] = chosen[-1][:node.end_col_offset]
    chosen[0] = chosen[0][node.col_offset:]
    return "\n".join(part.decode("utf-8", errors="replace") for part in chosen)


def _char_column(text: str, byte_offset: int) -> int:
    """ast counts columns in UTF-8 bytes; people and editors count characters."""
    if text.isascii():
        return byte_offset
    return len(text.encode("utf-8")[:byte_offset].decode("utf-8", errors="ignore"))


def _suppressed(line: str, code: str) -> bool:
    if "noqa" not in line and "NOQA" not in line:
        return False
    match = _NOQA.search(line)
    if match is None:
        return False
    codes = match.group("codes")
    # An ASL code or prefix, or a flake8-async/ruff code with an ASL equivalent (compat.py).
    return codes is None or any(noqa_covers(c.upper(), code) for c in re.split(r"[\s,]+", codes) if c)


def _syntax_error(path: str, error: SyntaxError, source: str) -> Diagnostic:
    from asynclint import syntax_version  # libcst, on a parse failure only

    needed = syntax_version.needed_python(source, error)
    if needed is not None:  # valid code for a newer Python: say that, once, at the top of the file
        return Diagnostic(path, 1, 1, "ASL001", syntax_version.message(needed))
    return Diagnostic(path, error.lineno or 1, error.offset or 1, "ASL001", f"syntax error: {error.msg}")


def _internal_error(path: str, error: Exception, verbose: bool) -> Diagnostic:
    if verbose:
        detail = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    else:
        detail = f"{type(error).__name__}: {error}"
    return Diagnostic(path, 1, 1, "ASL002", f"internal error in {_failing_checker(error)}: {detail}")


# The deep walk: ast.parse builds trees up to about 3 x the recursion limit deep and the walk
# takes a few frames a level, so 20 x the limit is enough; the large stack makes that safe
# whatever a frame costs in C on this Python version.
_DEEP_LIMIT_FACTOR, _DEEP_LIMIT_MAX = 20, 60_000
_DEEP_STACK_BYTES = 256 * 1024 * 1024
_deep_lock = threading.Lock()


def run_deep(function: Callable[[], object]) -> object:
    """function() on a thread with a large stack and a raised, bounded recursion limit.

    The limit is process-wide, so it is raised only while that thread runs and restored after.
    Raises what function raised; RecursionError when no such thread can be started.
    """
    outcome: list = []

    def target() -> None:
        try:
            outcome.append((True, function()))
        except BaseException as error:  # handed to the calling thread
            outcome.append((False, error))

    with _deep_lock:
        old_limit = sys.getrecursionlimit()
        try:
            old_size = threading.stack_size(_DEEP_STACK_BYTES)
        except (ValueError, RuntimeError) as error:
            raise RecursionError(f"cannot make a deep stack: {error}") from None
        # Before the thread starts: a thread takes the limit in force when it is created.
        sys.setrecursionlimit(max(old_limit, min(old_limit * _DEEP_LIMIT_FACTOR, _DEEP_LIMIT_MAX)))
        try:
            try:
                thread = threading.Thread(target=target, name="asynclint-deep-walk", daemon=True)
                thread.start()
            finally:
                threading.stack_size(old_size)
            thread.join()
        except RuntimeError as error:  # no thread can be started here
            raise RecursionError(f"cannot start the deep walk: {error}") from None
        finally:
            sys.setrecursionlimit(old_limit)
    ok, value = outcome[0]
    if not ok:
        raise value
    return value


def _failing_checker(error: Exception) -> str:
    """The rule family whose code raised, from the innermost frame in asynclint.rules."""
    for frame, _ in reversed(list(traceback.walk_tb(error.__traceback__))):
        module = frame.f_globals.get("__name__", "")
        if module.startswith("asynclint.rules."):
            owner = frame.f_locals.get("self")
            codes = getattr(owner, "codes", ())
            name = type(owner).__name__ if owner is not None else module
            return f"{name} ({codes[0]}-{codes[-1]})" if codes else name
    return "the analysis"


def enabled_codes(settings: Settings, path: str) -> frozenset[str]:
    """The codes reported in one file; raises ConfigError for a selector that names no rule."""
    return _enabled(settings.selections()) - _ignored_in_file(settings, path)


@lru_cache(maxsize=256)
def _enabled(levels: tuple[Selection, ...]) -> frozenset[str]:
    """ruff's resolution: each level in turn (configuration, then command line or editor); its
    ``select`` starts afresh, and within a level the most specific matching prefix decides (an
    ``ignore`` as specific as the select wins). A rule that is off by default is only switched
    on by a prefix more specific than ``ASL``, or by ``ALL`` (as specific as ``ASL``)."""
    for level in levels:
        for key, prefixes in (("select", level.select or ()), ("extend-select", level.extend_select),
                              ("ignore", level.ignore)):
            for prefix in prefixes:
                _check_selector(prefix, key, level.origin)
    codes = set()
    for code, rule in RULES.items():
        on = False
        for level in levels:
            if level.select is not None:
                on = False
            chosen = _most_specific(code, (level.select or ()) + level.extend_select)
            dropped = _most_specific(code, level.ignore)
            if dropped is not None and (chosen is None or len(dropped) >= len(chosen)):
                on = False
            elif chosen is not None:
                on = rule.enabled_by_default or chosen == "ALL" or len(chosen) > len("ASL")
        if on:
            codes.add(code)
    return frozenset(codes)


def _most_specific(code: str, prefixes: tuple[str, ...]) -> str | None:
    return max((p for p in prefixes if p == "ALL" or code.startswith(p)), key=len, default=None)


def _check_selector(prefix: str, key: str, origin: str) -> None:
    if prefix == "ALL" or any(code.startswith(prefix) for code in RULES):
        return
    known = sorted({code[:length] for code in RULES for length in range(len("ASL") + 1, len(code) + 1)})
    close = difflib.get_close_matches(prefix, known, n=3, cutoff=0.6)
    hint = f"; did you mean {' or '.join(close)}?" if close else "; `asynclint rules` lists the rules"
    where = f"--{key}" if origin == COMMAND_LINE else f"`{key}` ({origin})"
    raise ConfigError(f"unknown rule selector {prefix!r} in {where}{hint}")


def _ignored_in_file(settings: Settings, path: str) -> frozenset[str]:
    """``per-file-ignores`` apply after the selection, whatever it chose (as in ruff)."""
    prefixes = _per_file_ignores(settings, path)
    return _ignored(prefixes, settings.selection_origin) if prefixes else frozenset()


@lru_cache(maxsize=256)
def _ignored(prefixes: tuple[str, ...], origin: str) -> frozenset[str]:
    """The codes ``prefixes`` switch off, checked once per distinct list (files share them)."""
    for prefix in prefixes:
        _check_selector(prefix, "per-file-ignores", origin)
    return frozenset(code for code in RULES if _most_specific(code, prefixes) is not None)


def _per_file_ignores(settings: Settings, path: str) -> tuple[str, ...]:
    if not settings.per_file_ignores:
        return ()
    relative = path
    if settings.project_root:
        try:
            relative = os.path.relpath(path, settings.project_root)
        except ValueError:
            pass
    relative = relative.replace(os.sep, "/")
    codes: tuple[str, ...] = ()
    for pattern, ignored in settings.per_file_ignores.items():
        if fnmatch.fnmatch(relative, pattern) or fnmatch.fnmatch(os.path.basename(path), pattern):
            codes += tuple(ignored)
    return codes
