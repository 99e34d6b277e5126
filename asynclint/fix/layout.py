"""Rewritten statements within the project's line length, laid out as its formatter lays them out.

A statement the fix made too long, or wrote over several lines, is formatted by black (whose
layout ruff's formatter keeps to) with the project's line length and Python versions, where
black leaves the statement as it was before the fix: black then changes nothing the fix did not
write, and a file ``ruff format`` accepted it still accepts. Elsewhere (a project that formats
otherwise) a long line the fix wrote is broken the way black breaks a call: after its last
call's opening parenthesis, one argument per line, a magic trailing comma, the closing
parenthesis on a line of its own.

Only lines the fix wrote are laid out, and only where they mean the same after it (their ast,
parsed alone, is compared).
"""

from __future__ import annotations

import ast
import difflib
import io
import textwrap
import tokenize

from asynclint.model import FixStyle

_OPENING = {")": "(", "]": "[", "}": "{"}
# A compound statement's header parses alone with a body put after it.
_HEADERS = ("with ", "async with ", "for ", "async for ", "if ", "while ")
_BODY = "    pass\n"
_COMPOUND = (ast.With, ast.AsyncWith, ast.For, ast.AsyncFor, ast.If, ast.While)


def fit_lines(original: str, code: str, style: FixStyle, indent: str) -> str:
    """``code`` (``original`` with a fix's edits) with the statements the fix wrote laid out again
    where they are too long or span several lines; ``indent``: one level of the file's indentation."""
    lines = code.splitlines(keepends=True)
    before = original.splitlines(keepends=True)
    kept = set(before)  # a line of the original is not the fix's to lay out
    written = [row for row, line in enumerate(lines) if line not in kept]
    long = {row for row in written if len(lines[row].rstrip("\r\n")) > style.line_length}
    spans = _statement_spans(code) if written and indent == "    " else {}  # black indents by four spaces
    chosen: dict[int, int] = {}  # first row -> last row of each statement to lay out
    for row in written:
        first, last = spans.get(row, (row, row))
        if row in long or last > first:
            chosen[first] = last
    if not chosen:
        return code
    to_original = _row_map(before, lines)
    for first in sorted(chosen, reverse=True):  # from the end, so that the rows before keep their numbers
        last = chosen[first]
        laid_out = None
        if first in spans and first in to_original and last in to_original:
            laid_out = _black(before[to_original[first]:to_original[last] + 1], lines[first:last + 1], style)
        if laid_out is not None:
            lines[first:last + 1] = laid_out
            continue
        for row in sorted((r for r in long if first <= r <= last), reverse=True):
            broken = _broken(lines[row], style.line_length, indent)
            if broken is not None:
                lines[row:row + 1] = broken
    return "".join(lines)


def _statement_spans(code: str) -> dict[int, tuple[int, int]]:
    """Each row's statement (a simple statement, or the header of a ``with``, ``for``, ``if`` or
    ``while``) as (first row, last row), 0-based; rows that two statements share are left out."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return {}
    lines = code.splitlines()
    spans: dict[int, tuple[int, int]] = {}
    shared: set[int] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.stmt):
            continue
        if isinstance(node, _COMPOUND):
            # The header: up to the colon, the line before the body's first statement (and the
            # blank or comment lines before that).
            last = node.body[0].lineno - 1
            while last > node.lineno and (not lines[last - 1].strip() or lines[last - 1].lstrip().startswith("#")):
                last -= 1
            if node.body[0].lineno == node.lineno:
                continue  # `with x: pass` on one line
        elif hasattr(node, "body"):
            continue  # a def, class, try or match: not the fix's to lay out
        else:
            last = node.end_lineno or node.lineno
        span = (node.lineno - 1, last - 1)
        for row in range(span[0], span[1] + 1):
            if row in spans and spans[row] != span:
                shared.add(row)
            spans[row] = span
    return {row: span for row, span in spans.items() if row not in shared}


def _row_map(before: list[str], after: list[str]) -> dict[int, int]:
    """The row of ``before`` in the place of each row of ``after`` that is unchanged (but for its
    indentation: code moved into a helper function), in a changed stretch of as many rows as it
    replaced, or at either end of a changed stretch."""
    rows: dict[int, int] = {}
    matcher = difflib.SequenceMatcher(None, [line.strip() for line in before], [line.strip() for line in after],
                                      autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal" or i2 - i1 == j2 - j1:
            rows.update((j1 + k, i1 + k) for k in range(j2 - j1))
        elif i2 > i1 and j2 > j1:
            rows[j1], rows[j2 - 1] = i1, i2 - 1
    return rows


def _black(before: list[str], after: list[str], style: FixStyle) -> list[str] | None:
    """``after`` (a statement the fix rewrote from ``before``) as black formats it, or None where
    black would also change ``before`` (the project does not format that statement as black does)."""
    import black  # only for a statement the fix wrote

    # Unsaid, ruff's default target (3.9), under which a `with` of several items is parenthesized.
    targets = {v for v in black.TargetVersion if v.value >= (style.python_minimum or 9)}
    mode = black.Mode(line_length=style.line_length, target_versions=targets, string_normalization=False)

    def formatted(lines: list[str]) -> tuple[str, str, type] | None:
        """(the statement's text, black's text of it, its kind of statement)."""
        module = _as_module(lines)
        if module is None:
            return None
        text, wrapper, body = module
        try:
            statement = ast.parse(text)
            for _ in range(wrapper.count("\n") + 1):
                statement = statement.body[0]
            out = black.format_str(text, mode=mode)
        except Exception:  # black's parser or its own check: left to the plain breaking
            return None
        if not (out.startswith(wrapper) and out.endswith(body)):
            return None
        return text[len(wrapper):len(text) - len(body)], out[len(wrapper):len(out) - len(body)], type(statement)

    original, rewritten = formatted(before), formatted(after)
    if original is None or rewritten is None or original[0] != original[1] or original[2] is not rewritten[2]:
        return None
    newline = after[-1][len(after[-1].rstrip("\r\n")):] or "\n"
    laid_out = [line + newline for line in rewritten[1].splitlines()]
    return laid_out if _same_code(after, laid_out) else None


def _as_module(lines: list[str]) -> tuple[str, str, str] | None:
    """(module text, wrapper, body): the statement's lines as they are, under an ``if x:`` per level
    of their indentation (four spaces each) and, for a compound statement's header, over a
    ``pass``; None for an indentation of tabs or of another width."""
    margin = lines[0][:len(lines[0]) - len(lines[0].lstrip())]
    if margin.strip(" ") or len(margin) % 4:
        return None
    wrapper = "".join("    " * level + "if x:\n" for level in range(len(margin) // 4))
    text = "".join(line.rstrip("\r\n") + "\n" for line in "".join(lines).splitlines())
    body = margin + _BODY if text.lstrip().startswith(_HEADERS) else ""
    return wrapper + text + body, wrapper, body


def _broken(line: str, line_length: int, indent: str) -> list[str] | None:
    """The line broken at its last call with arguments, or None where it cannot be so."""
    try:
        tokens = [t for t in tokenize.generate_tokens(io.StringIO(line.rstrip("\r\n") + "\n").readline)
                  if t.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT, tokenize.INDENT,
                                    tokenize.DEDENT, tokenize.ENDMARKER)]
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return None  # part of a statement of several lines
    opened: list[int] = []
    outermost: list[tuple[int, int]] = []  # (opening, closing) token indexes of the brackets at depth 0
    for index, token in enumerate(tokens):
        if token.type == tokenize.OP and token.string in "([{":
            opened.append(index)
        elif token.type == tokenize.OP and token.string in _OPENING:
            if not opened:
                return None
            opening = opened.pop()
            if not opened:
                outermost.append((opening, index))
    if opened:
        return None
    for opening, closing in reversed(outermost):
        if closing - opening < 2:
            continue  # nothing inside (`.read()`): black looks further left too
        before = tokens[opening - 1] if opening else None
        if tokens[opening].string != "(" or before is None or not (
                before.type == tokenize.NAME or before.string in (")", "]")):
            return None  # not a call: left to the formatter
        broken = _one_argument_per_line(line, tokens, opening, closing, line_length, indent)
        return broken if broken is not None and _same_code([line], broken) else None
    return None


def _one_argument_per_line(line: str, tokens, opening: int, closing: int, line_length: int,
                           indent: str) -> list[str] | None:
    depth, starts = 0, [opening + 1]
    for index in range(opening + 1, closing):
        token = tokens[index]
        if token.type == tokenize.NAME and token.string in ("lambda", "for") and depth == 0:
            return None  # a lambda's commas are not the call's; a bare generator takes no comma
        if token.type == tokenize.OP and token.string in "([{":
            depth += 1
        elif token.type == tokenize.OP and token.string in _OPENING:
            depth -= 1
        elif token.type == tokenize.OP and token.string == "," and depth == 0:
            starts.append(index + 1)
    ends = [start - 1 for start in starts[1:]] + [closing]
    arguments = [line[tokens[start].start[1]:tokens[end].start[1]].strip() for start, end in zip(starts, ends)
                 if start < end]
    ending = line[len(line.rstrip("\r\n")):]
    newline = ending or "\n"
    margin = line[:len(line) - len(line.lstrip())]
    head = line[:tokens[opening].end[1]]
    lines = [head + newline, *(f"{margin}{indent}{argument},{newline}" for argument in arguments),
             margin + line[tokens[closing].start[1]:].rstrip("\r\n") + ending]
    if any(len(text.rstrip("\r\n")) > line_length for text in lines[:-1]):
        return None  # the formatter would break it elsewhere: leave it whole
    return lines


def _same_code(before: list[str], after: list[str]) -> bool:
    """Whether the lines parse alone (under their indentation, a header with a body after it)
    to the same ast."""
    def tree(lines: list[str]) -> str | None:
        module = _as_module(lines)
        if module is None:  # an indentation of tabs: at the left margin
            text = textwrap.dedent("".join(lines).rstrip() + "\n")
            module = (text + _BODY if text.startswith(_HEADERS) else text, "", "")
        try:
            return ast.dump(ast.parse(module[0]))
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None
    parsed = tree(before)
    return parsed is not None and parsed == tree(after)
