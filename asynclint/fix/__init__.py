"""The fixer: rewrite blocking calls into their async equivalents, with libcst.

``fix_source`` loops: check, rewrite what the allowed fixes can rewrite (one pass of
non-overlapping edits, see ``rewrite.py``), re-parse, re-check, until nothing more changes
or ``MAX_PASSES`` is reached. ``fix_text`` fixes one file's text and ``save_fix`` adds the
file's side: encoding, byte-order mark, atomic write with the file's mode kept, and no write at
all when anything goes wrong (the runner fixes many files with them; ``fix_file``, one).
"""

from __future__ import annotations

import ast
import difflib
import io
import os
import tokenize
from dataclasses import dataclass, field
from typing import Collection

from asynclint.analysis import module_backend
from asynclint.callgraph import ProjectIndex
from asynclint.dependencies import fix_libraries, project_root_of
from asynclint.engine import enabled_codes, lint_python, lint_source
from asynclint.files import write_atomically
from asynclint.model import Diagnostic, Settings
from asynclint.notebook import Notebook, NotebookError, is_notebook
from asynclint.source import SourceError, decode_source, read_bytes, read_source

MAX_PASSES = 8


class FixError(Exception):
    """A file the fixer could not fix; it is left unchanged."""


def fixable(diagnostic: Diagnostic, unsafe: bool) -> bool:
    return diagnostic.fix == "safe" or (unsafe and diagnostic.fix == "unsafe")


def fix_source(source: str, path: str = "<stdin>", settings: Settings = Settings(),
               unsafe: bool = False, *, only: Collection[Diagnostic] | None = None,
               project: ProjectIndex | None = None) -> tuple[str, list[Diagnostic], list[Diagnostic]]:
    """(fixed source, the findings that were fixed, the findings that remain).

    ``only``: fix these findings of ``source`` (as ``lint_source`` reported them) and leave every
    other one as it is, however the text moves around them between passes. ``project``: the
    index of the project's modules, as for ``lint_source``.

    Raises FixError when the source cannot be fixed (libcst cannot parse it, or a rewrite
    would not parse); the caller keeps the original source then. A notebook's code cells are
    fixed as one module and written back into its JSON.
    """
    return fix_passes(source, path, settings, unsafe, only=only, project=project)[:3]


def fix_passes(source: str, path: str, settings: Settings, unsafe: bool, *,
               only: Collection[Diagnostic] | None = None, project: ProjectIndex | None = None,
               checked: list[Diagnostic] | None = None) -> tuple[str, list[Diagnostic], list[Diagnostic], int]:
    """``fix_source``'s result and how many fixes the first check offered: a later pass can find
    more (a fix makes a type known), and the summary says so. ``checked``: the findings of
    ``source`` when the caller has them already, with ``project`` (a notebook is checked again:
    its findings are placed at their cells)."""
    if is_notebook(path):
        return _fix_notebook(source, path, settings, unsafe, only, project)
    return _fix_python(source, path, settings, unsafe, only, project, checked)


def _fix_notebook(source: str, path: str, settings: Settings, unsafe: bool, only, project):
    try:
        notebook = Notebook.parse(source)
    except NotebookError as error:
        raise FixError(str(error)) from None
    only = None if only is None else [notebook.unlocate(d) for d in only]
    new, fixed, remaining, offered = _fix_python(notebook.source, path, settings, unsafe, only, project)
    if new == notebook.source:
        return source, [], [notebook.locate(d) for d in remaining], offered
    try:
        written = notebook.with_source(new)
    except NotebookError as error:
        raise FixError(str(error)) from None
    return written, [notebook.locate(d) for d in fixed], [notebook.locate(d, new) for d in remaining], offered


def _fix_python(source: str, path: str, settings: Settings, unsafe: bool, only, project, checked=None):
    from asynclint.fix.rewrite import apply_pass  # libcst is imported only when fixing

    libraries = fix_libraries(settings.project_root or project_root_of(path), settings.fix_with_installed_libraries,
                              path)
    enabled = enabled_codes(settings, path)

    def lint(text: str) -> list[Diagnostic]:
        return lint_python(text, path, settings, enabled, project=project)

    fixed: list[Diagnostic] = []
    diagnostics = lint(source) if checked is None else checked
    # With ``only``: the findings to fix, followed from pass to pass as the edits move them. A
    # finding that a pass makes visible is not one of them (the later calls a finding covers are
    # rewritten with it, in the same edit).
    selected = None if only is None else set(diagnostics) & set(only)
    offered = sum(1 for d in diagnostics if fixable(d, unsafe) and (selected is None or d in selected))
    for _ in range(MAX_PASSES):
        wanted = [d for d in diagnostics if fixable(d, unsafe) and (selected is None or d in selected)]
        if not wanted:
            break
        try:
            backend = module_backend(ast.parse(source), path, settings)[0]
            new_source, applied = apply_pass(source, wanted, backend, libraries, settings.fix_style)
        except FixError:
            raise
        except Exception as error:  # libcst's parser, or a bug in a rewrite
            first_line = (str(error).strip().splitlines() or [""])[0]
            raise FixError(f"cannot fix: {type(error).__name__}: {first_line}") from error
        if not applied or new_source == source:
            break
        try:
            compile(new_source, path, "exec", dont_inherit=True, flags=ast.PyCF_ONLY_AST)
        except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
            raise FixError(f"the fix would not parse ({error}); file left unchanged") from None
        fixed += applied
        source = new_source
        before, diagnostics = [d for d in diagnostics if d not in applied], lint(source)
        if selected is not None:
            selected = _carried(selected.difference(applied), before, diagnostics)
    return source, fixed, diagnostics, offered


def _carried(chosen: set[Diagnostic], before: list[Diagnostic], after: list[Diagnostic]) -> set[Diagnostic]:
    """The findings of ``chosen`` as the next pass sees them (the edits moved them): ``before`` and
    ``after`` aligned on what a finding is apart from its position. One that cannot be told apart
    any more is dropped: it stays as it is."""
    def what(d: Diagnostic) -> tuple:
        return d.code, d.message, d.fix, d.fix_kind, d.target

    moved: dict[Diagnostic, Diagnostic] = {}
    matcher = difflib.SequenceMatcher(None, [what(d) for d in before], [what(d) for d in after], autojunk=False)
    for block in matcher.get_matching_blocks():
        for offset in range(block.size):
            moved[before[block.a + offset]] = after[block.b + offset]
    return {moved[d] for d in chosen if d in moved}


@dataclass
class FileFix:
    """What fixing one file did."""

    path: str
    original: str = ""
    source: str = ""
    fixed: list[Diagnostic] = field(default_factory=list)
    remaining: list[Diagnostic] = field(default_factory=list)
    error: str | None = None  # set when the file was left unchanged because fixing failed
    offered: int = 0  # the fixes the first check offered

    @property
    def beyond(self) -> int:
        """Fixes made beyond those the first check offered (a later pass found them)."""
        return max(0, len(self.fixed) - self.offered) if self.changed else 0

    @property
    def changed(self) -> bool:
        return self.error is None and self.source != self.original

    def _label(self, side: str) -> str:
        """``a/src/m.py`` as git writes it, relative to the working directory, so that
        ``git apply`` and ``patch -p1`` apply it; a file outside it keeps its absolute path."""
        path = os.path.normpath(self.path)
        if os.path.isabs(path):
            relative = os.path.relpath(path)
            if relative == os.pardir or relative.startswith(os.pardir + os.sep):
                return path
            path = relative
        return f"{side}/{path.replace(os.sep, '/')}"

    def diff(self) -> str:
        if not self.changed:
            return ""
        lines = []
        for line in difflib.unified_diff(self.original.splitlines(keepends=True),
                                         self.source.splitlines(keepends=True),
                                         fromfile=self._label("a"), tofile=self._label("b")):
            lines.append(line)
            if not line.endswith(("\n", "\r")):  # a last line without its line break, as diff marks it
                lines.append("\n\\ No newline at end of file\n")
        return "".join(lines)


def fix_text(path: str, source: str, settings: Settings, unsafe: bool = False, *,
             project: ProjectIndex | None = None, found: list[Diagnostic] | None = None) -> FileFix:
    """Fix one file's text (``source``, as read from ``path``); nothing is written. When it
    cannot be fixed, ``error`` says why and the findings left are those of the text as it is
    (``found``, when the caller checked it already)."""
    result = FileFix(path, source, source)
    try:
        result.source, result.fixed, result.remaining, result.offered = fix_passes(
            source, path, settings, unsafe, project=project, checked=found)
    except Exception as error:  # whatever went wrong, the file stays as it was
        if isinstance(error, FixError):
            _failed(result, str(error))
        else:
            _failed(result, f"internal error while fixing: {type(error).__name__}: {error}")
        result.remaining = found if found is not None else lint_source(source, path, settings, project=project)
    return result


def save_fix(result: FileFix, write: bool = True) -> None:
    """Encode the fixed text as the file is encoded (its declared encoding, its byte-order mark)
    and, with ``write``, put it in place of the file atomically. The file is read again first:
    if it no longer holds the text that was fixed, or the fix cannot be encoded or written, the
    file is left as it is and ``error`` says why (the caller decides which findings remain)."""
    if not result.changed:
        return
    try:
        data = read_bytes(result.path)
        if decode_source(data) != result.original:
            _failed(result, "the file changed while it was being fixed")
            return
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        encoded = result.source.encode("utf-8" if encoding == "utf-8-sig" else encoding)
        if encoding == "utf-8-sig" or data.startswith(b"\xef\xbb\xbf"):
            encoded = b"\xef\xbb\xbf" + encoded.removeprefix(b"\xef\xbb\xbf")
        if write:
            write_atomically(result.path, encoded)
    except (SourceError, OSError, UnicodeEncodeError) as error:
        _failed(result, f"cannot write the fix: {error}")


def _failed(result: FileFix, error: str) -> None:
    result.error, result.source, result.fixed = error, result.original, []


def fix_file(path: str, settings: Settings, unsafe: bool = False, write: bool = True) -> FileFix:
    """Fix one file in place (or only compute the fix when ``write`` is False): the library's
    one-file door. A run over many files fixes through the runner (``runner.check_paths``)."""
    try:
        source = read_source(path)
    except SourceError as error:
        return FileFix(path, remaining=[error.finding(path)])
    result = fix_text(path, source, settings, unsafe)
    if result.error is None:
        save_fix(result, write)
        if result.error is not None:
            result.remaining = lint_source(source, path, settings)
    return result
