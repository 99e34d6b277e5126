"""``asynclint server``: a Language Server over stdio, built on pygls 2.

Diagnostics are published on open, change and save and cleared on close; the fixes are
offered as code actions (one quick fix per fixable finding and ``source.fixAll.asynclint``).

This module is plain Python with no pygls in it: positions (LSP counts 0-based lines and, by
default, UTF-16 code units), the conversion of findings to LSP diagnostics, text edits, the
per-document state and the ``DocumentLinter`` that checks and fixes documents. lsp_server.py
wires it to pygls as a ``Server`` class, imported only when the server starts (pygls is an
optional dependency: ``[lsp]``).
"""

from __future__ import annotations

import bisect
import difflib
import logging
import os
import re
from dataclasses import dataclass, field, replace
from typing import Any

from asynclint import engine
from asynclint.config import ConfigError, FileSettings, Options, _codes, settings_for
from asynclint import config, dependencies
from asynclint.fix import fix_source
from asynclint.model import Diagnostic, Related, Settings
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
            enabled = None if own.excluded else engine.enabled_codes(own.settings, path)
        except ConfigError as error:
            checked.config_error = str(error)
            return checked
        if own.excluded:
            return checked
        checked.settings = own.settings
        checked.project = self.project_for(own)
        checked.project.refresh()  # kept since the last check: files may have changed meanwhile
        checked.diagnostics = engine.lint_source(source, path, own.settings, enabled=enabled,
                                                 project=checked.project, skip_without_async=False)
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
        return cls(debounce, replace(base.options, select=select, extend_select=extend, ignore=ignore,
                                     origin="the editor's settings"))
