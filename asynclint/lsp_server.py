"""The second half of ``asynclint server``: lsp.py's plain parts wired to pygls, which this module
imports at once (it is imported only when the server starts: pygls is the optional ``[lsp]``)."""

from __future__ import annotations

import asyncio
import logging
import sys
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from asynclint._version import __version__
from asynclint.config import ConfigError
from asynclint.lsp import (
    FIX_ALL_KIND, PYTHON_SUFFIXES, SOURCE, DOCS_URL, UTF8, UTF16, UTF32, Checked, DocumentLinter,
    LineIndex, OpenDocument, QuickFix, ServerSettings, _differs_from_disk, diagnostic_range, forget_configuration,
    minimal_edits, severity_is_error, split_lines,
)
from asynclint.model import Diagnostic
from asynclint.report import related_message

log = logging.getLogger("asynclint.lsp")


class Server(LanguageServer):
    """The pygls LanguageServer with asynclint's features registered.

    Every check and fix runs in one worker thread, in order (the document linter and its project
    indexes are used from that thread only), so the server keeps reading messages meanwhile. A
    change is checked ``debounce`` seconds after the last edit; a check whose document has
    changed since it was asked for is dropped unpublished. Diagnostics are pushed
    (publishDiagnostics) unless the client pulls them (textDocument/diagnostic).
    """

    def __init__(self) -> None:
        # Full sync: pygls applies incremental changes by str.splitlines(), which also breaks lines
        # at form feeds and U+2028, and clamps (in place) the client's positions to those lines.
        super().__init__("asynclint", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Full)
        self.linter = DocumentLinter()
        self.settings = ServerSettings()
        self.checked: dict[str, Checked] = {}  # uri -> the last check of each open document
        # uri -> OpenDocument: the server's own copy of the open documents, which also applies a
        # ranged change correctly (LSP breaks lines only at \n, \r\n and \r) if a client sends one.
        self.documents: dict[str, OpenDocument] = {}
        self.timers: dict[str, asyncio.TimerHandle] = {}  # uri -> the debounce timer of its next check
        self.shown_errors: set[str] = set()
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="asynclint-check")
        # pygls marks each handler it is given, which a bound method does not allow: a partial does.
        for feature, handler, *options in (
                (types.INITIALIZE, Server.initialize),
                (types.INITIALIZED, Server.initialized),
                (types.WORKSPACE_DID_CHANGE_CONFIGURATION, Server.did_change_configuration),
                (types.TEXT_DOCUMENT_DID_OPEN, Server.did_open),
                (types.TEXT_DOCUMENT_DID_CHANGE, Server.did_change),
                (types.TEXT_DOCUMENT_DID_SAVE, Server.did_save),
                (types.WORKSPACE_DID_CHANGE_WATCHED_FILES, Server.did_change_watched_files),
                (types.TEXT_DOCUMENT_DID_CLOSE, Server.did_close),
                (types.TEXT_DOCUMENT_DIAGNOSTIC, Server.diagnostic, types.DiagnosticOptions(
                    identifier=SOURCE, inter_file_dependencies=True, workspace_diagnostics=False)),
                (types.TEXT_DOCUMENT_CODE_ACTION, Server.code_action, types.CodeActionOptions(code_action_kinds=[
                    types.CodeActionKind.QuickFix, types.CodeActionKind.SourceFixAll, FIX_ALL_KIND]))):
            self.feature(feature, *options)(partial(handler, self))

    def capability(self, *names: str):
        """A client capability by its path (None when the client did not say)."""
        try:
            value = self.client_capabilities
        except Exception:
            return None
        for name in names:
            value = getattr(value, name, None)
            if value is None:
                return None
        return value

    def encoding(self) -> str:
        try:
            value = self.workspace.position_encoding
        except RuntimeError:
            value = None
        return {types.PositionEncodingKind.Utf8: UTF8,
                types.PositionEncodingKind.Utf32: UTF32}.get(value, UTF16)

    def path_of(self, uri: str) -> str:
        path = to_fs_path(uri) if uri.startswith("file:") else None
        return path or uri.rsplit("/", 1)[-1] or "<untitled>"

    def workspace_roots(self) -> list[str]:
        try:
            workspace = self.workspace
        except RuntimeError:
            return []
        uris = [folder.uri for folder in workspace.folders.values()] or [workspace.root_uri]
        return [p for p in (to_fs_path(u) for u in uris if u and u.startswith("file:")) if p]

    def is_python(self, document: OpenDocument) -> bool:
        return (document.language_id == "python"
                or (not document.language_id and document.uri.endswith(PYTHON_SUFFIXES)))

    def to_range(self, start, end):
        return types.Range(types.Position(*start), types.Position(*end))

    def lsp_diagnostic(self, diagnostic: Diagnostic, lines: list[str], uri: str) -> types.Diagnostic:
        start, end = diagnostic_range(diagnostic, lines, self.encoding())
        related = [types.DiagnosticRelatedInformation(
            location=types.Location(uri, self.to_range(*diagnostic_range(r, lines, self.encoding()))),
            message=related_message(r)) for r in diagnostic.related]
        return types.Diagnostic(
            range=self.to_range(start, end),
            related_information=related or None,
            message=diagnostic.message,
            severity=(types.DiagnosticSeverity.Error if severity_is_error(diagnostic.code)
                      else types.DiagnosticSeverity.Warning),
            code=diagnostic.code,
            code_description=types.CodeDescription(href=DOCS_URL.format(code=diagnostic.code)),
            source=SOURCE,
            data={"fix": diagnostic.fix} if diagnostic.fix else None,
        )

    def lsp_diagnostics(self, checked: Checked) -> list[types.Diagnostic]:
        if checked.config_error is not None:
            if checked.config_error not in self.shown_errors:
                self.shown_errors.add(checked.config_error)
                self.window_show_message(types.ShowMessageParams(
                    type=types.MessageType.Error, message=f"asynclint: {checked.config_error}"))
            return [types.Diagnostic(
                range=self.to_range((0, 0), (0, 0)), severity=types.DiagnosticSeverity.Error,
                message=f"asynclint is not checking this file: {checked.config_error}", source=SOURCE)]
        lines = split_lines(checked.source)
        return [self.lsp_diagnostic(d, lines, checked.uri) for d in checked.diagnostics]

    def pulled(self) -> bool:
        """The client asks for diagnostics (textDocument/diagnostic) rather than being sent them."""
        return self.capability("text_document", "diagnostic") is not None

    def publish(self, uri: str, version: int | None, diagnostics: list[types.Diagnostic]) -> None:
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=version))

    # -- checking, off the event loop ------------------------------------------------------

    def current(self, uri: str, version, text: str) -> bool:
        document = self.documents.get(uri)
        return document is not None and document.version == version and document.text == text

    def check_in_worker(self, uri: str, version, text: str, roots: list[str]) -> Checked | None:
        if not self.current(uri, version, text):  # superseded while it waited: a stale run is not made
            return None
        self.linter.roots = roots
        self.linter.options = self.settings.options
        return self.linter.check(uri, version, text, self.path_of(uri))

    async def checked_now(self, uri: str) -> Checked | None:
        """The check of the document as it is now: the last one, or a fresh one."""
        document = self.documents.get(uri)
        if document is None or not self.is_python(document):
            return None
        checked = self.checked.get(uri)
        if checked is not None and checked.version == document.version and checked.source == document.text:
            return checked
        self.cancel_timer(uri)
        version, text = document.version, document.text
        checked = await asyncio.get_running_loop().run_in_executor(
            self.worker, self.check_in_worker, uri, version, text, self.workspace_roots())
        if checked is None or not self.current(uri, version, text):
            return None
        self.checked[uri] = checked
        return checked

    async def check_and_publish(self, uri: str) -> None:
        self.timers.pop(uri, None)
        try:
            checked = await self.checked_now(uri)
        except Exception:  # a bug must not take the server down
            log.exception("checking %s failed", uri)
            return
        if checked is not None and not self.pulled():
            self.publish(uri, checked.version, self.lsp_diagnostics(checked))

    def cancel_timer(self, uri: str) -> None:
        timer = self.timers.pop(uri, None)
        if timer is not None:
            timer.cancel()

    def schedule(self, uri: str, delay: float) -> None:
        """Check ``uri`` after ``delay`` seconds, unless another change comes first."""
        self.cancel_timer(uri)
        loop = asyncio.get_running_loop()
        self.timers[uri] = loop.call_later(delay, lambda: loop.create_task(self.check_and_publish(uri)))

    def refresh_others(self, changed_path: str | None) -> None:
        """Check the open documents again (but the one whose file changed: its buffer is what
        counts): what they report may depend on the other modules of the project."""
        for uri in list(self.documents):
            self.checked.pop(uri, None)
            if changed_path is None or self.path_of(uri) != changed_path:
                self.schedule(uri, 0)
        if self.pulled() and self.capability("workspace", "diagnostics", "refresh_support"):
            self.workspace_diagnostic_refresh(None)

    def forget(self, path: str | None) -> None:
        """Drop a project index (in the self.worker, after the checks queued before)."""
        if path is None:
            self.worker.submit(self.linter.forget_all)
        else:
            self.worker.submit(self.linter.forget_project, path)

    # -- settings --------------------------------------------------------------------------

    def apply_settings(self, value: Any) -> None:
        try:
            self.settings = ServerSettings.from_client(value, self.settings)
        except ConfigError as error:
            self.window_show_message(types.ShowMessageParams(
                type=types.MessageType.Error, message=f"asynclint: {error}"))

    async def pull_configuration(self) -> None:
        if not self.capability("workspace", "configuration"):
            return
        try:
            values = await self.workspace_configuration_async(
                types.ConfigurationParams(items=[types.ConfigurationItem(section="asynclint")]))
        except Exception as error:
            log.info("workspace/configuration failed: %s", error)
            return
        if values:
            self.apply_settings(values[0])

    def initialize(self, params: types.InitializeParams):
        self.apply_settings(params.initialization_options)

    async def initialized(self, params: types.InitializedParams):
        if self.capability("workspace", "did_change_watched_files", "dynamic_registration"):
            watchers = [types.FileSystemWatcher(glob_pattern=pattern) for pattern in ("**/*.py", "**/pyproject.toml")]
            try:
                await self.client_register_capability_async(types.RegistrationParams(registrations=[
                    types.Registration(id="asynclint-watched-files", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                                       register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers))]))
            except Exception as error:
                log.info("cannot watch files: %s", error)
        await self.pull_configuration()
        if self.documents:
            self.refresh_others(None)

    async def did_change_configuration(self, params: types.DidChangeConfigurationParams):
        if self.capability("workspace", "configuration"):
            await self.pull_configuration()
        else:
            self.apply_settings(params.settings)
        self.refresh_others(None)

    # -- documents -------------------------------------------------------------------------

    def did_open(self, params: types.DidOpenTextDocumentParams):
        item = params.text_document
        self.documents[item.uri] = OpenDocument(item.uri, item.version, item.text, item.language_id)
        self.schedule(item.uri, 0)

    def did_change(self, params: types.DidChangeTextDocumentParams):
        document = self.documents.get(params.text_document.uri)
        if document is None:
            return
        for change in params.content_changes:
            document.apply(getattr(change, "range", None), change.text, self.encoding())
        document.version = params.text_document.version
        self.schedule(document.uri, self.settings.debounce)

    def did_save(self, params: types.DidSaveTextDocumentParams):
        uri = params.text_document.uri
        changed = self.path_of(uri)
        if uri.endswith("/pyproject.toml"):
            forget_configuration()  # a new one changes which is nearest; an edited one, its declarations
            changed = None
        else:
            checked = self.checked.get(uri)
            if checked is not None and not checked.on_disk:
                self.forget(checked.path)  # a new module: the index knew it as missing
        self.refresh_others(changed)
        if uri in self.documents:
            self.schedule(uri, 0)

    def did_change_watched_files(self, params: types.DidChangeWatchedFilesParams):
        """A file changed on disk (another editor, git, a formatter): the documents that may use it
        are checked again; a module that appeared or went away changes what imports resolve to."""
        changed = None
        for event in params.changes:
            path = self.path_of(event.uri)
            if path.endswith("pyproject.toml"):
                forget_configuration()
            elif event.type != types.FileChangeType.Changed:
                self.forget(None)
            changed = path if len(params.changes) == 1 else None
        self.refresh_others(changed)

    def did_close(self, params: types.DidCloseTextDocumentParams):
        uri = params.text_document.uri
        self.cancel_timer(uri)
        self.documents.pop(uri, None)
        checked = self.checked.pop(uri, None)
        if checked is not None and _differs_from_disk(checked.path, checked.source):
            self.forget(checked.path)  # closed unsaved: the index had the buffer
        if not self.pulled():
            self.publish(uri, None, [])

    async def diagnostic(self, params: types.DocumentDiagnosticParams):
        checked = await self.checked_now(params.text_document.uri)
        items = self.lsp_diagnostics(checked) if checked is not None else []
        result_id = None if checked is None else f"{checked.version}:{hash(checked.source)}"
        if result_id is not None and params.previous_result_id == result_id:
            return types.RelatedUnchangedDocumentDiagnosticReport(result_id=result_id)
        return types.RelatedFullDocumentDiagnosticReport(items=items, result_id=result_id)

    # -- fixes -----------------------------------------------------------------------------

    def workspace_edit(self, checked: Checked, new_source: str) -> types.WorkspaceEdit:
        index = LineIndex(checked.source, self.encoding())
        edits = [types.TextEdit(range=self.to_range(index.position(e.start), index.position(e.end)), new_text=e.text)
                 for e in minimal_edits(checked.source, new_source)]
        if self.capability("workspace", "workspace_edit", "document_changes") and checked.version is not None:
            return types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(
                text_document=types.OptionalVersionedTextDocumentIdentifier(uri=checked.uri,
                                                                             version=checked.version),
                edits=edits)])
        return types.WorkspaceEdit(changes={checked.uri: edits})

    def wanted(self, kind: str, only) -> bool:
        return not only or any(kind == o or kind.startswith(f"{o}.") for o in only)

    def overlaps(self, a: tuple, b: types.Range) -> bool:
        (start, end) = a
        return start <= (b.end.line, b.end.character) and (b.start.line, b.start.character) <= end

    def fixes(self, checked: Checked, params: types.CodeActionParams) -> list[QuickFix]:
        """The fixes on offer (computed in the self.worker: they run the fixer)."""
        only = params.context.only
        lines = split_lines(checked.source)
        found = []
        if self.wanted(types.CodeActionKind.QuickFix, only):
            for diagnostic in checked.diagnostics:
                # On the finding or on one of its later calls, which its fix rewrites too.
                if diagnostic.fix and any(self.overlaps(diagnostic_range(place, lines, self.encoding()), params.range)
                                          for place in (diagnostic, *diagnostic.related)):
                    found.append(self.linter.quick_fix(checked, diagnostic))
        if self.wanted(FIX_ALL_KIND, only):
            found.append(self.linter.fix_all(checked))
        return [fix for fix in found if fix is not None]

    async def code_action(self, params: types.CodeActionParams):
        checked = await self.checked_now(params.text_document.uri)
        if checked is None:
            return None
        lines = split_lines(checked.source)
        offered = await asyncio.get_running_loop().run_in_executor(self.worker, self.fixes, checked, params)
        return [types.CodeAction(title=fix.title, kind=fix.kind,
                                 diagnostics=[self.lsp_diagnostic(d, lines, checked.uri) for d in fix.diagnostics],
                                 is_preferred=fix.preferred if fix.kind == "quickfix" else None,
                                 edit=self.workspace_edit(checked, fix.source))
                for fix in offered]


def serve() -> int:
    """Run the server on standard input and output until the client says exit."""
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                        format="asynclint server: %(levelname)s: %(name)s: %(message)s")
    server = Server()
    server.start_io()
    # LSP: exit with 0 after a shutdown request, 1 when the client went away without one.
    return 0 if getattr(server.protocol, "_shutdown", True) else 1
