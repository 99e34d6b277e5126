"""``--add-noqa``: silence every current finding with ``# noqa: ASLxxx``, for gradual adoption.

A finding is silenced by a ``# noqa`` on its first line (engine.py). This module adds one
there, or merges the codes into a ``# noqa: ...`` list already on the line. A line that
cannot take a comment (it ends inside a multi-line string, or continues with a backslash)
is left alone and reported. Each file is rewritten atomically, in its own encoding and line
endings, and only if the result still parses.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from dataclasses import dataclass, field

from asynclint.engine import _NOQA
from asynclint.files import write_atomically
from asynclint.model import Diagnostic

# Physical lines with their line break, split where Python splits them.
_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


@dataclass
class AddNoqaResult:
    added: int = 0
    changed_files: list[str] = field(default_factory=list)
    skipped: list[tuple[str, int, str]] = field(default_factory=list)  # (path, line, why)
    problems: list[str] = field(default_factory=list)  # files that could not be rewritten


def add_noqa(diagnostics: list[Diagnostic]) -> AddNoqaResult:
    result = AddNoqaResult()
    by_file: dict[str, dict[int, set[str]]] = {}
    for d in diagnostics:
        if d.code.startswith("ASL0"):  # the file was not checked: no comment can help
            result.skipped.append((d.path, d.line, f"{d.code} is not a finding `# noqa` can silence"))
            continue
        if d.cell is not None:  # the line is in a notebook's JSON string, not a line of the file
            result.skipped.append((f"{d.path}:cell {d.cell}", d.line, "add `# noqa` to a notebook's cells by hand"))
            continue
        by_file.setdefault(d.path, {}).setdefault(d.line, set()).add(d.code)
    for path, codes_by_line in by_file.items():
        try:
            added = _add_to_file(path, codes_by_line, result)
        except (OSError, UnicodeError, SyntaxError, ValueError) as error:
            result.problems.append(f"{path}: cannot add noqa comments: {error}")
            continue
        if added:
            result.added += added
            result.changed_files.append(path)
    return result


def _add_to_file(path: str, codes_by_line: dict[int, set[str]], result: AddNoqaResult) -> int:
    with open(path, "rb") as handle:
        data = handle.read()
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    source = data.decode(encoding)
    lines = _LINES.findall(source)
    commentable = _commentable_lines(lines)
    added = 0
    for number, codes in sorted(codes_by_line.items()):
        if number not in commentable:
            result.skipped.append((path, number, commentable_reason(lines, number)))
            continue
        commented = with_noqa(lines[number - 1], sorted(codes))
        if commented != lines[number - 1]:
            lines[number - 1] = commented
            added += 1
    if not added:
        return 0
    new_source = "".join(lines)
    ast.parse(new_source.removeprefix("\ufeff"), filename=path)  # never write a file that does not parse
    write_atomically(path, new_source.encode(encoding))
    return added


def _commentable_lines(lines: list[str]) -> set[int]:
    """Lines whose end is outside any token: where a ``#`` comment can go."""
    found: set[int] = set()
    readline = iter([line.replace("\r\n", "\n").replace("\r", "\n") for line in lines]).__next__
    try:
        for token in tokenize.generate_tokens(readline):
            if token.type in (tokenize.NEWLINE, tokenize.NL, tokenize.COMMENT):
                found.add(token.start[0])
    except StopIteration:
        pass
    except tokenize.TokenError as error:
        raise ValueError(f"cannot tokenize: {error.args[0]}") from None
    return found


def commentable_reason(lines: list[str], number: int) -> str:
    line = lines[number - 1].rstrip("\r\n") if number <= len(lines) else ""
    if line.endswith("\\"):
        return "the line continues with a backslash, so a comment cannot follow it"
    return "the line ends inside a multi-line string"


def with_noqa(line: str, codes: list[str]) -> str:
    """``line`` (with its line break) with ``codes`` added to its ``# noqa``, or a new one."""
    body = line.rstrip("\r\n")
    ending = line[len(body):]
    match = _NOQA.search(body)
    if match is not None and match.group("codes"):
        # An ASL code or prefix there covers the finding; a flake8-async or ruff code does for
        # asynclint, but not for flake8, which reads the comment itself: the ASL code joins it.
        present = [c.upper() for c in re.split(r"[\s,]+", match.group("codes")) if c.upper().startswith("ASL")]
        missing = [c for c in codes if not any(c.startswith(p) for p in present)]
        if not missing:
            return line
        insert = match.end("codes")
        return body[:insert] + ", " + ", ".join(missing) + body[insert:] + ending
    if match is not None:  # a bare `# noqa` silences everything already
        return line
    stripped = body.rstrip()
    return f"{stripped}  # noqa: {', '.join(codes)}{ending}"
