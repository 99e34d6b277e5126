"""``asynclint server``: a Language Server over stdio, built on pygls 2.

Diagnostics are published on open, change and save and cleared on close; the fixes are
offered as code actions (one quick fix per fixable finding and ``source.fixAll.asynclint``).

The first half of this module is plain Python with no pygls in it: positions (LSP counts
0-based lines and, by default, UTF-16 code units), the conversion of findings to LSP
diagnostics, text edits and the per-document state. The second half wires it to pygls,
which is imported only when the server starts (it is an optional dependency: ``[lsp]``).
"""

from __future__ import annotations

import bisect
import difflib
import logging
import os
import re
import sys
from dataclasses import dataclass, field, replace
from typing import Any

from asynclint._version import __version__
from asynclint import engine
from asynclint.config import ConfigError, FileSettings, Options, _codes, settings_for
from asynclint import config, dependencies
from asynclint.fix import fix_source
from asynclint.model import Diagnostic, Related, Settings
from asynclint.report import related_message
from asynclint.rules import RULES
from asynclint.source import read_source

log = logging.getLogger("asynclint.lsp")

SOURCE = "asynclint"
DOCS_URL = "https://github.com/asynclint/asynclint/blob/main/docs/rules/{code}.md"
FIX_ALL_KIND = "source.fixAll.asynclint"
ERROR_CODES = frozenset({"ASL001", "ASL002", "ASL003"})  # the file was not (fully) checked
PYTHON_SUFFIXES = (".py", ".pyi")

# LSP knows three line breaks, as Python's tokenizer does (str.splitlines knows more).
_LINE_BREAK = re.compile(r"\r\n|\r|\n")

UTF8, UTF16, UTF32 = "utf-8", "utf-16", "utf-32"


# -- positions ----------------------------------------------------------------------------

def split_lines(source: str) -> list[str]:
    """The document's lines without their line breaks, as LSP numbers them."""
    return _LINE_BREAK.split(source)


def units(text: str, encoding: str = UTF16) -> int:
    """How many code units of the position encoding ``text`` takes."""
    if encoding == UTF32 or text.isascii():
        return len(text)
    if encoding == UTF8:
        return len(text.encode("utf-8", errors="surrogatepass"))
    return len(text) + sum(1 for c in text if ord(c) > 0xFFFF)


def to_units(line: str, column: int, encoding: str = UTF16) -> int:
    """A 0-based character column of ``line`` in code units (clamped to the line)."""
    return units(line[:max(0, column)], encoding)


def from_units(line: str, character: int, encoding: str = UTF16) -> int:
    """A column in code units back to characters; a column inside a character rounds up."""
    if encoding == UTF32 or line.isascii():
        return max(0, min(character, len(line)))
    count = 0
    for index, char in enumerate(line):
        if count >= character:
            return index
        count += units(char, encoding)
    return len(line)


class LineIndex:
    """Offsets in a source (in characters) <-> LSP positions (line, code units)."""

    def __init__(self, source: str, encoding: str = UTF16):
        self.source = source
        self.encoding = encoding
        self.lines = split_lines(source)
        self.starts = [0]
        for match in _LINE_BREAK.finditer(source):
            self.starts.append(match.end())

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset) - 1
        return line, to_units(self.lines[line], offset - self.starts[line], self.encoding)

    def offset(self, line: int, character: int) -> int:
        if line < 0:
            return 0
        if line >= len(self.lines):
            return len(self.source)
        return self.starts[line] + from_units(self.lines[line], character, self.encoding)


def diagnostic_range(diagnostic: Diagnostic | Related, lines: list[str], encoding: str = UTF16) -> tuple:
    """((line, character), (line, character)) in LSP terms for an engine finding.

    The engine counts lines and columns from 1 and columns in characters. A finding without
    an end (a syntax error) is given its character, or the line's end when it is past it.
    """
    last = len(lines) - 1
    line = min(max(diagnostic.line - 1, 0), last)
    text = lines[line]
    column = min(max(diagnostic.col - 1, 0), len(text))
    if diagnostic.end_line > 0:
        end_line = min(max(diagnostic.end_line - 1, line), last)
        end_column = min(max(diagnostic.end_col - 1, 0), len(lines[end_line]))
        if (end_line, end_column) < (line, column):
            end_line, end_column = line, column
    else:
        end_line, end_column = line, min(column + 1, len(text))
    return ((line, to_units(text, column, encoding)),
            (end_line, to_units(lines[end_line], end_column, encoding)))


def severity_is_error(code: str) -> bool:
    return code in ERROR_CODES


# -- edits ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Edit:
    """Replace ``old[start:end]`` (character offsets) by ``text``."""

    start: int
    end: int
    text: str


def minimal_edits(old: str, new: str) -> list[Edit]:
    """Non-overlapping edits, in order, that turn ``old`` into ``new``: a line diff, each
    changed block then trimmed to the characters that differ (never between \\r and \\n)."""
    if old == new:
        return []
    old_lines = old.splitlines(keepends=True)
    new_lines = new.splitlines(keepends=True)
    old_starts = _starts(old_lines)
    new_starts = _starts(new_lines)
    edits = []
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        a, b = old_starts[i1], old_starts[i2]
        c, d = new_starts[j1], new_starts[j2]
        prefix = 0
        limit = min(b - a, d - c)
        while prefix < limit and old[a + prefix] == new[c + prefix]:
            prefix += 1
        suffix = 0
        limit -= prefix
        while suffix < limit and old[b - 1 - suffix] == new[d - 1 - suffix]:
            suffix += 1
        start, end = a + prefix, b - suffix
        new_start, new_end = c + prefix, d - suffix
        if 0 < start < len(old) and old[start - 1] == "\r" and old[start] == "\n":
            start, new_start = start - 1, new_start - 1
        if 0 < end < len(old) and old[end - 1] == "\r" and old[end] == "\n":
            end, new_end = end + 1, new_end + 1
        edits.append(Edit(start, end, new[new_start:new_end]))
    return edits


def _starts(lines: list[str]) -> list[int]:
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    return starts


# -- checking one document -------------------------------------------------------------------

@dataclass
class Checked:
    """The result of checking one version of a document."""

    uri: str
    version: int | None
    source: str
    path: str
    settings: Settings | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    config_error: str | None = None
    on_disk: bool = False  # whether the file existed when it was checked
    fixes: dict = field(default_factory=dict)  # cache: key -> QuickFix or None
    project: Any = None  # the project index it was checked with, for its fixes


@dataclass
class OpenDocument:
    """The text of a document open in the editor, as its didOpen/didChange notifications made it."""

    uri: str
    version: int | None
    text: str
    language_id: str | None = None

    def apply(self, range_, text: str, encoding: str = UTF16) -> None:
        """One content change: the whole text (no range) or a range's replacement, where the
        range is in LSP lines and code units of ``encoding``."""
        if range_ is None:
            self.text = text
            return
        index = LineIndex(self.text, encoding)
        start = index.offset(range_.start.line, range_.start.character)
        end = max(start, index.offset(range_.end.line, range_.end.character))
        self.text = self.text[:start] + text + self.text[end:]


@dataclass
class QuickFix:
    title: str
    kind: str  # "quickfix" or FIX_ALL_KIND
    source: str  # the whole new document text
    diagnostics: list[Diagnostic]
    preferred: bool = False


class DocumentLinter:
    """Lints and fixes the editor's documents through the pipeline every door uses: each
    document's settings from ``config.settings_for`` (a workspace folder is the project of
    files without a pyproject.toml), one project index per configuration, ``lint_source`` and
    ``fix_source(only=...)``."""

    def __init__(self, roots: list[str] | None = None, options: Options = Options()):
        self.roots = roots or []  # the workspace folders
        self.options = options  # the client's rule selection
        self._projects: dict[str | None, tuple[Settings, Any]] = {}

    def settings_for(self, path: str) -> FileSettings:
        """The document's settings and whether `exclude` leaves it out; raises ConfigError."""
        root = self.root_of(path)
        absolute = path if os.path.isabs(path) else os.path.join(root or os.getcwd(), path)
        return settings_for(absolute, replace(self.options, root=root or os.path.dirname(absolute)))

    def root_of(self, path: str) -> str | None:
        """The innermost workspace folder that holds ``path`` (the first one for an unsaved file)."""
        if not os.path.isabs(path):
            return self.roots[0] if self.roots else None
        holding = [r for r in self.roots if path.startswith(r.rstrip(os.sep) + os.sep)]
        return max(holding, key=len, default=None)

    def project_for(self, own: FileSettings):
        """The project index of these settings: made once, then kept (it re-reads a module
        only when its file changed); a new one when the settings changed."""
        cached = self._projects.get(own.origin)
        if cached is None or cached[0] is not own.settings:
            cached = self._projects[own.origin] = (own.settings, engine.project_index(own.settings))
        return cached[1]

    def forget_project(self, path: str) -> None:
        """Drop the project index that ``path`` belongs to; the next check makes a new one.

        The index keeps the summary of the text it was last given for a module (the editor's
        buffer) and remembers which modules have no file; both go stale when a buffer is
        closed unsaved or a new module is saved for the first time."""
        if os.path.isabs(path):
            try:
                origin = self.settings_for(path).origin
            except ConfigError:
                return
            self._projects.pop(origin, None)

    def forget_all(self) -> None:
        """Drop every project index (a module appeared or went away), and what is known of the
        packages (an __init__.py decides which library a module of trio or anyio runs on)."""
        self._projects.clear()
        dependencies.forget()

    # checking -------------------------------------------------------------------------

    def check(self, uri: str, version: int | None, source: str, path: str) -> Checked:
        checked = Checked(uri, version, source, path, None, on_disk=os.path.isfile(path))
        try:
            own = self.settings_for(path)
        except ConfigError as error:
            checked.config_error = str(error)
            return checked
        if own.excluded:
            return checked
        checked.settings = own.settings
        checked.project = self.project_for(own)
        checked.project.refresh()  # kept since the last check: files may have changed meanwhile
        checked.diagnostics = engine.lint_source(source, path, own.settings, project=checked.project,
                                                 skip_without_async=False)
        return checked

    # fixing ---------------------------------------------------------------------------

    def quick_fix(self, checked: Checked, target: Diagnostic) -> QuickFix | None:
        """The fix of this one finding, every other one left as it is."""
        if checked.settings is None or target.fix not in ("safe", "unsafe"):
            return None
        key = ("one", target)
        if key not in checked.fixes:
            unsafe = target.fix == "unsafe"
            label = f"{target.code} ({RULES[target.code].name})" if target.code in RULES else target.code
            new = self._fixed(checked, [target], unsafe)
            checked.fixes[key] = None if new is None else QuickFix(
                f"asynclint: fix {label}{' [unsafe fix: review it]' if unsafe else ''}", "quickfix", new, [target],
                preferred=not unsafe)
        return checked.fixes[key]

    def fix_all(self, checked: Checked) -> QuickFix | None:
        """Every safe fix, as ``asynclint check --fix`` would apply it."""
        if checked.settings is None:
            return None
        safe = [d for d in checked.diagnostics if d.fix == "safe"]
        if not safe:
            return None
        key = ("all",)
        if key not in checked.fixes:
            new = self._fixed(checked, None, unsafe=False)
            checked.fixes[key] = None if new is None else QuickFix(
                "asynclint: fix all safely fixable findings", FIX_ALL_KIND, new, safe)
        return checked.fixes[key]

    def _fixed(self, checked: Checked, only: list[Diagnostic] | None, unsafe: bool) -> str | None:
        try:
            new, fixed, _remaining = fix_source(checked.source, checked.path, checked.settings, unsafe=unsafe,
                                                only=only, project=checked.project)
        except Exception as error:  # FixError: the document cannot be fixed; offer nothing
            log.info("no fix for %s: %s", checked.uri, error)
            return None
        return new if fixed and new != checked.source else None


def forget_configuration() -> None:
    """A pyproject.toml appeared, went away or changed: which one is nearest, and what a project
    declares (the libraries its fixes may use and its code runs on), are read again."""
    config.forget()
    dependencies.forget()


def _differs_from_disk(path: str, source: str) -> bool:
    try:
        return read_source(path) != source
    except Exception:
        return True


# -- the server -------------------------------------------------------------------------------

PYGLS_MISSING = ("asynclint: error: `asynclint server` needs pygls 2: "
                 "pip install 'asynclint[lsp]' (or: pip install 'pygls>=2')")


def pygls_available() -> bool:
    try:
        import pygls.lsp.server  # noqa: F401
        import lsprotocol.types  # noqa: F401
    except ImportError:
        return False
    try:
        from importlib.metadata import version

        return int(version("pygls").split(".")[0]) >= 2
    except Exception:
        return True


@dataclass(frozen=True)
class ServerSettings:
    """What the client may set, through ``initializationOptions`` or ``workspace/configuration``
    (section ``asynclint``): the pause after the last edit before checking, and rule selection
    over the pyproject.toml, as the command line's --select/--extend-select/--ignore."""

    debounce: float = 0.15  # seconds; `debounceMs` in the client's settings
    options: Options = Options()

    @classmethod
    def from_client(cls, value: Any, base: "ServerSettings") -> "ServerSettings":
        """Settings from the client's JSON (unknown keys are ignored; raises ConfigError)."""
        if not isinstance(value, dict):
            return base
        value = value.get("asynclint", value) if isinstance(value.get("asynclint"), dict) else value
        debounce = base.debounce
        if "debounceMs" in value:
            milliseconds = value["debounceMs"]
            if not isinstance(milliseconds, (int, float)) or isinstance(milliseconds, bool) or milliseconds < 0:
                raise ConfigError("client setting `debounceMs` must be a number of milliseconds >= 0")
            debounce = milliseconds / 1000
        select = _codes("select", value["select"]) if value.get("select") is not None else base.options.select
        extend = _codes("extendSelect", value["extendSelect"]) if "extendSelect" in value \
            else base.options.extend_select
        ignore = _codes("ignore", value["ignore"]) if "ignore" in value else base.options.ignore
        return cls(debounce, replace(base.options, select=select, extend_select=extend, ignore=ignore))


def make_server():
    """The pygls LanguageServer with asynclint's features registered.

    Every check and fix runs in one worker thread, in order (the document linter and its project
    indexes are used from that thread only), so the server keeps reading messages meanwhile. A
    change is checked ``debounce`` seconds after the last edit; a check whose document has
    changed since it was asked for is dropped unpublished. Diagnostics are pushed
    (publishDiagnostics) unless the client pulls them (textDocument/diagnostic).
    """
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from lsprotocol import types
    from pygls.lsp.server import LanguageServer
    from pygls.uris import to_fs_path

    # Full sync: pygls applies incremental changes by str.splitlines(), which also breaks lines
    # at form feeds and U+2028, and clamps (in place) the client's positions to those lines.
    server = LanguageServer("asynclint", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Full)
    server.linter = DocumentLinter()
    server.settings = ServerSettings()
    server.checked = {}  # uri -> Checked, the last check of each open document
    # uri -> OpenDocument: the server's own copy of the open documents, which also applies a
    # ranged change correctly (LSP breaks lines only at \n, \r\n and \r) if a client sends one.
    server.documents = {}
    server.timers = {}  # uri -> the debounce timer of its next check
    server.shown_errors = set()
    worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="asynclint-check")

    def capability(*names: str):
        """A client capability by its path (None when the client did not say)."""
        try:
            value = server.client_capabilities
        except Exception:
            return None
        for name in names:
            value = getattr(value, name, None)
            if value is None:
                return None
        return value

    def encoding() -> str:
        try:
            value = server.workspace.position_encoding
        except RuntimeError:
            value = None
        return {types.PositionEncodingKind.Utf8: UTF8,
                types.PositionEncodingKind.Utf32: UTF32}.get(value, UTF16)

    def path_of(uri: str) -> str:
        path = to_fs_path(uri) if uri.startswith("file:") else None
        return path or uri.rsplit("/", 1)[-1] or "<untitled>"

    def workspace_roots() -> list[str]:
        try:
            workspace = server.workspace
        except RuntimeError:
            return []
        uris = [folder.uri for folder in workspace.folders.values()] or [workspace.root_uri]
        return [p for p in (to_fs_path(u) for u in uris if u and u.startswith("file:")) if p]

    def is_python(document: OpenDocument) -> bool:
        return (document.language_id == "python"
                or (not document.language_id and document.uri.endswith(PYTHON_SUFFIXES)))

    def to_range(start, end):
        return types.Range(types.Position(*start), types.Position(*end))

    def lsp_diagnostic(diagnostic: Diagnostic, lines: list[str], uri: str) -> types.Diagnostic:
        start, end = diagnostic_range(diagnostic, lines, encoding())
        related = [types.DiagnosticRelatedInformation(
            location=types.Location(uri, to_range(*diagnostic_range(r, lines, encoding()))),
            message=related_message(r)) for r in diagnostic.related]
        return types.Diagnostic(
            range=to_range(start, end),
            related_information=related or None,
            message=diagnostic.message,
            severity=(types.DiagnosticSeverity.Error if severity_is_error(diagnostic.code)
                      else types.DiagnosticSeverity.Warning),
            code=diagnostic.code,
            code_description=types.CodeDescription(href=DOCS_URL.format(code=diagnostic.code)),
            source=SOURCE,
            data={"fix": diagnostic.fix} if diagnostic.fix else None,
        )

    def lsp_diagnostics(checked: Checked) -> list[types.Diagnostic]:
        if checked.config_error is not None:
            if checked.config_error not in server.shown_errors:
                server.shown_errors.add(checked.config_error)
                server.window_show_message(types.ShowMessageParams(
                    type=types.MessageType.Error, message=f"asynclint: {checked.config_error}"))
            return [types.Diagnostic(
                range=to_range((0, 0), (0, 0)), severity=types.DiagnosticSeverity.Error,
                message=f"asynclint is not checking this file: {checked.config_error}", source=SOURCE)]
        lines = split_lines(checked.source)
        return [lsp_diagnostic(d, lines, checked.uri) for d in checked.diagnostics]

    def pulled() -> bool:
        """The client asks for diagnostics (textDocument/diagnostic) rather than being sent them."""
        return capability("text_document", "diagnostic") is not None

    def publish(uri: str, version: int | None, diagnostics: list[types.Diagnostic]) -> None:
        server.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=version))

    # -- checking, off the event loop ------------------------------------------------------

    def current(uri: str, version, text: str) -> bool:
        document = server.documents.get(uri)
        return document is not None and document.version == version and document.text == text

    def check_in_worker(uri: str, version, text: str, roots: list[str]) -> Checked | None:
        if not current(uri, version, text):  # superseded while it waited: a stale run is not made
            return None
        server.linter.roots = roots
        server.linter.options = server.settings.options
        return server.linter.check(uri, version, text, path_of(uri))

    async def checked_now(uri: str) -> Checked | None:
        """The check of the document as it is now: the last one, or a fresh one."""
        document = server.documents.get(uri)
        if document is None or not is_python(document):
            return None
        checked = server.checked.get(uri)
        if checked is not None and checked.version == document.version and checked.source == document.text:
            return checked
        cancel_timer(uri)
        version, text = document.version, document.text
        checked = await asyncio.get_running_loop().run_in_executor(
            worker, check_in_worker, uri, version, text, workspace_roots())
        if checked is None or not current(uri, version, text):
            return None
        server.checked[uri] = checked
        return checked

    async def check_and_publish(uri: str) -> None:
        server.timers.pop(uri, None)
        try:
            checked = await checked_now(uri)
        except Exception:  # a bug must not take the server down
            log.exception("checking %s failed", uri)
            return
        if checked is not None and not pulled():
            publish(uri, checked.version, lsp_diagnostics(checked))

    def cancel_timer(uri: str) -> None:
        timer = server.timers.pop(uri, None)
        if timer is not None:
            timer.cancel()

    def schedule(uri: str, delay: float) -> None:
        """Check ``uri`` after ``delay`` seconds, unless another change comes first."""
        cancel_timer(uri)
        loop = asyncio.get_running_loop()
        server.timers[uri] = loop.call_later(delay, lambda: loop.create_task(check_and_publish(uri)))

    def refresh_others(changed_path: str | None) -> None:
        """Check the open documents again (but the one whose file changed: its buffer is what
        counts): what they report may depend on the other modules of the project."""
        for uri in list(server.documents):
            server.checked.pop(uri, None)
            if changed_path is None or path_of(uri) != changed_path:
                schedule(uri, 0)
        if pulled() and capability("workspace", "diagnostics", "refresh_support"):
            server.workspace_diagnostic_refresh(None)

    def forget(path: str | None) -> None:
        """Drop a project index (in the worker, after the checks queued before)."""
        if path is None:
            worker.submit(server.linter.forget_all)
        else:
            worker.submit(server.linter.forget_project, path)

    # -- settings --------------------------------------------------------------------------

    def apply_settings(value: Any) -> None:
        try:
            server.settings = ServerSettings.from_client(value, server.settings)
        except ConfigError as error:
            server.window_show_message(types.ShowMessageParams(
                type=types.MessageType.Error, message=f"asynclint: {error}"))

    async def pull_configuration() -> None:
        if not capability("workspace", "configuration"):
            return
        try:
            values = await server.workspace_configuration_async(
                types.ConfigurationParams(items=[types.ConfigurationItem(section="asynclint")]))
        except Exception as error:
            log.info("workspace/configuration failed: %s", error)
            return
        if values:
            apply_settings(values[0])

    @server.feature(types.INITIALIZE)
    def initialize(ls, params: types.InitializeParams):
        apply_settings(params.initialization_options)

    @server.feature(types.INITIALIZED)
    async def initialized(ls, params: types.InitializedParams):
        if capability("workspace", "did_change_watched_files", "dynamic_registration"):
            watchers = [types.FileSystemWatcher(glob_pattern=pattern) for pattern in ("**/*.py", "**/pyproject.toml")]
            try:
                await server.client_register_capability_async(types.RegistrationParams(registrations=[
                    types.Registration(id="asynclint-watched-files", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                                       register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers))]))
            except Exception as error:
                log.info("cannot watch files: %s", error)
        await pull_configuration()
        if server.documents:
            refresh_others(None)

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(ls, params: types.DidChangeConfigurationParams):
        if capability("workspace", "configuration"):
            await pull_configuration()
        else:
            apply_settings(params.settings)
        refresh_others(None)

    # -- documents -------------------------------------------------------------------------

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls, params: types.DidOpenTextDocumentParams):
        item = params.text_document
        server.documents[item.uri] = OpenDocument(item.uri, item.version, item.text, item.language_id)
        schedule(item.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls, params: types.DidChangeTextDocumentParams):
        document = server.documents.get(params.text_document.uri)
        if document is None:
            return
        for change in params.content_changes:
            document.apply(getattr(change, "range", None), change.text, encoding())
        document.version = params.text_document.version
        schedule(document.uri, server.settings.debounce)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls, params: types.DidSaveTextDocumentParams):
        uri = params.text_document.uri
        changed = path_of(uri)
        if uri.endswith("/pyproject.toml"):
            forget_configuration()  # a new one changes which is nearest; an edited one, its declarations
            changed = None
        else:
            checked = server.checked.get(uri)
            if checked is not None and not checked.on_disk:
                forget(checked.path)  # a new module: the index knew it as missing
        refresh_others(changed)
        if uri in server.documents:
            schedule(uri, 0)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(ls, params: types.DidChangeWatchedFilesParams):
        """A file changed on disk (another editor, git, a formatter): the documents that may use it
        are checked again; a module that appeared or went away changes what imports resolve to."""
        changed = None
        for event in params.changes:
            path = path_of(event.uri)
            if path.endswith("pyproject.toml"):
                forget_configuration()
            elif event.type != types.FileChangeType.Changed:
                forget(None)
            changed = path if len(params.changes) == 1 else None
        refresh_others(changed)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls, params: types.DidCloseTextDocumentParams):
        uri = params.text_document.uri
        cancel_timer(uri)
        server.documents.pop(uri, None)
        checked = server.checked.pop(uri, None)
        if checked is not None and _differs_from_disk(checked.path, checked.source):
            forget(checked.path)  # closed unsaved: the index had the buffer
        if not pulled():
            publish(uri, None, [])

    @server.feature(types.TEXT_DOCUMENT_DIAGNOSTIC, types.DiagnosticOptions(
        identifier=SOURCE, inter_file_dependencies=True, workspace_diagnostics=False))
    async def diagnostic(ls, params: types.DocumentDiagnosticParams):
        checked = await checked_now(params.text_document.uri)
        items = lsp_diagnostics(checked) if checked is not None else []
        result_id = None if checked is None else f"{checked.version}:{hash(checked.source)}"
        if result_id is not None and params.previous_result_id == result_id:
            return types.RelatedUnchangedDocumentDiagnosticReport(result_id=result_id)
        return types.RelatedFullDocumentDiagnosticReport(items=items, result_id=result_id)

    # -- fixes -----------------------------------------------------------------------------

    def workspace_edit(checked: Checked, new_source: str) -> types.WorkspaceEdit:
        index = LineIndex(checked.source, encoding())
        edits = [types.TextEdit(range=to_range(index.position(e.start), index.position(e.end)), new_text=e.text)
                 for e in minimal_edits(checked.source, new_source)]
        if capability("workspace", "workspace_edit", "document_changes") and checked.version is not None:
            return types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(
                text_document=types.OptionalVersionedTextDocumentIdentifier(uri=checked.uri,
                                                                             version=checked.version),
                edits=edits)])
        return types.WorkspaceEdit(changes={checked.uri: edits})

    def wanted(kind: str, only) -> bool:
        return not only or any(kind == o or kind.startswith(f"{o}.") for o in only)

    def overlaps(a: tuple, b: types.Range) -> bool:
        (start, end) = a
        return start <= (b.end.line, b.end.character) and (b.start.line, b.start.character) <= end

    def fixes(checked: Checked, params: types.CodeActionParams) -> list[QuickFix]:
        """The fixes on offer (computed in the worker: they run the fixer)."""
        only = params.context.only
        lines = split_lines(checked.source)
        found = []
        if wanted(types.CodeActionKind.QuickFix, only):
            for diagnostic in checked.diagnostics:
                # On the finding or on one of its later calls, which its fix rewrites too.
                if diagnostic.fix and any(overlaps(diagnostic_range(place, lines, encoding()), params.range)
                                          for place in (diagnostic, *diagnostic.related)):
                    found.append(server.linter.quick_fix(checked, diagnostic))
        if wanted(FIX_ALL_KIND, only):
            found.append(server.linter.fix_all(checked))
        return [fix for fix in found if fix is not None]

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(
        code_action_kinds=[types.CodeActionKind.QuickFix, types.CodeActionKind.SourceFixAll, FIX_ALL_KIND]))
    async def code_action(ls, params: types.CodeActionParams):
        checked = await checked_now(params.text_document.uri)
        if checked is None:
            return None
        lines = split_lines(checked.source)
        offered = await asyncio.get_running_loop().run_in_executor(worker, fixes, checked, params)
        return [types.CodeAction(title=fix.title, kind=fix.kind,
                                 diagnostics=[lsp_diagnostic(d, lines, checked.uri) for d in fix.diagnostics],
                                 is_preferred=fix.preferred if fix.kind == "quickfix" else None,
                                 edit=workspace_edit(checked, fix.source))
                for fix in offered]

    return server


def serve() -> int:
    """Run the server on standard input and output until the client says exit."""
    if not pygls_available():
        print(PYGLS_MISSING, file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                        format="asynclint server: %(levelname)s: %(name)s: %(message)s")
    server = make_server()
    server.start_io()
    # LSP: exit with 0 after a shutdown request, 1 when the client went away without one.
    return 0 if getattr(server.protocol, "_shutdown", True) else 1
