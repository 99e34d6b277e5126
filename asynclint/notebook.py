"""Jupyter notebooks (``.ipynb``): their code cells checked as one module, as ruff does.

The code cells are joined into one Python source, each after a marker comment naming its cell
(``# asynclint-notebook-cell: 3``), so that a finding's line maps back to a cell and a line in it
(``nb.ipynb:cell 3:2:5``), and a fixed source splits back into cells. IPython syntax is not
Python: a line magic (``%time``), a shell escape (``!ls``, ``x = !ls``) or a help query
(``len?``) becomes ``pass`` at its indentation, marked with its number, and comes back verbatim
when the notebook is written; a cell magic (``%%bash``) makes the whole cell opaque (it is not
checked). Cells count from 1 over every cell of the notebook, as Jupyter lists them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from typing import TypeVar

from asynclint.model import Diagnostic, Related

T = TypeVar("T", Diagnostic, Related)

SUFFIX = ".ipynb"
_MARKER = "# asynclint-notebook-cell: "
_MAGIC = "  # asynclint-notebook-magic: "
_MARKER_LINE = re.compile(r"^# asynclint-notebook-cell: (\d+)$")
_MAGIC_LINE = re.compile(r"^(\s*)pass  # asynclint-notebook-magic: (\d+)$")
_IPYTHON_LINE = re.compile(r"^\s*(?:[%!]|[\w.]+\s*=\s*[%!])|^[^#'\"]*\?\??\s*$")


class NotebookError(Exception):
    """A file named .ipynb that is not a notebook; the message says why."""


def is_notebook(path: str) -> bool:
    return path.endswith(SUFFIX)


@dataclass
class Notebook:
    document: dict  # the JSON document, as read
    source: str  # the code cells as one Python module
    magics: list[str]  # the IPython lines replaced by `pass`, by number
    indent: int | None  # the JSON's indentation, kept when the notebook is written

    @classmethod
    def parse(cls, text: str) -> "Notebook":
        try:
            document = json.loads(text)
        except ValueError as error:
            raise NotebookError(f"not a valid notebook: invalid JSON: {error}") from None
        cells = document.get("cells") if isinstance(document, dict) else None
        if not isinstance(cells, list):
            raise NotebookError("not a valid notebook: no list of cells (nbformat 4 is supported)")
        parts: list[str] = []
        magics: list[str] = []
        for number, cell in enumerate(cells, start=1):
            if not isinstance(cell, dict) or cell.get("cell_type") != "code":
                continue
            lines = _lines(cell.get("source", ""))
            parts.append(f"{_MARKER}{number}\n")
            if lines and lines[0].lstrip().startswith("%%"):
                continue  # a cell magic: another language, or Python under a magic's control
            for line in lines:
                if _IPYTHON_LINE.match(line.rstrip("\n")):
                    indent = line[:len(line) - len(line.lstrip())]
                    parts.append(f"{indent}pass{_MAGIC}{len(magics)}\n")
                    magics.append(line)
                else:
                    parts.append(line if line.endswith("\n") else line + "\n")
        match = re.search(r"\n( +)\S", text)
        return cls(document, "".join(parts), magics, len(match.group(1)) if match else None)

    def locate(self, diagnostic: Diagnostic, source: str | None = None) -> Diagnostic:
        """A finding of the joined module (``source``, by default the notebook's) at its cell, and
        so are its related calls."""
        markers = _markers(source or self.source)

        def at_cell(found: T) -> T:
            cell, first = _cell_at(markers, found.line)
            if cell is None:
                return found
            end_line = found.end_line - first if found.end_line else 0
            return replace(found, cell=cell, line=found.line - first, end_line=max(end_line, 0))
        return replace(at_cell(diagnostic), related=tuple(at_cell(r) for r in diagnostic.related))

    def unlocate(self, diagnostic: Diagnostic) -> Diagnostic:
        """``locate`` undone: a finding at its cell, back in the joined module."""
        starts = {cell: index + 1 for index, cell in _markers(self.source)}

        def in_module(found: T) -> T:
            if found.cell is None:
                return found
            first = starts.get(found.cell, 0)
            return replace(found, cell=None, line=found.line + first,
                           end_line=found.end_line + first if found.end_line else 0)
        return replace(in_module(diagnostic), related=tuple(in_module(r) for r in diagnostic.related))

    def with_source(self, source: str) -> str:
        """The notebook's JSON text with its code cells replaced by those of ``source`` (a fixed
        version of ``self.source``); raises NotebookError when the cells cannot be told apart."""
        cells = self.document["cells"]
        found = _markers(source)
        if [cell for _, cell in found] != [cell for _, cell in _markers(self.source)]:
            raise NotebookError("the fix moved the notebook's cell boundaries; notebook left unchanged")
        lines = source.splitlines(keepends=True)
        bounds = [index for index, _ in found] + [len(lines)]
        added_on_top = lines[:bounds[0]]  # what the fixer put above the first cell (imports)
        for (start, cell), end in zip(found, bounds[1:]):
            original = cells[cell - 1]
            old = _lines(original.get("source", ""))
            if old and old[0].lstrip().startswith("%%"):
                continue  # a cell magic's cell is never rewritten
            body = added_on_top + [self._restored(line) for line in lines[start + 1:end]]
            added_on_top = []
            if body and not "".join(old).endswith("\n"):
                body[-1] = body[-1].removesuffix("\n")  # the cell's last line had no line break
            original["source"] = body if isinstance(original.get("source"), list) else "".join(body)
        return json.dumps(self.document, indent=self.indent, ensure_ascii=False) + "\n"

    def _restored(self, line: str) -> str:
        match = _MAGIC_LINE.match(line.rstrip("\n"))
        return self.magics[int(match.group(2))] if match else line


def _lines(source) -> list[str]:
    if isinstance(source, list):
        return [str(line) for line in source]
    return str(source).splitlines(keepends=True)


def _markers(source: str) -> list[tuple[int, int]]:
    """(0-based line index, cell number) of each cell marker of a joined module."""
    return [(index, int(match.group(1))) for index, line in enumerate(source.splitlines())
            if (match := _MARKER_LINE.match(line))]


def _cell_at(markers: list[tuple[int, int]], line: int) -> tuple[int | None, int]:
    """(cell number, 1-based line of its marker) of the cell that holds ``line`` of the module."""
    cell, first = None, 0
    for index, number in markers:
        if index + 1 >= line:
            break
        cell, first = number, index + 1
    return cell, first
