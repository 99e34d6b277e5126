"""Rewritten lines within the project's line length, broken the way black and ruff's formatter
break a call: after its opening parenthesis, one argument per line, a magic trailing comma, the
closing parenthesis on a line of its own. A formatter then leaves the lines as they are.

Only lines the fix wrote are broken, one line at a time, and only where the line means the same
after the break (its ast, parsed alone, is compared).
"""

from __future__ import annotations

import ast
import io
import textwrap
import tokenize

_OPENING = {")": "(", "]": "[", "}": "{"}
# A compound statement's header parses alone with a body put after it.
_HEADERS = ("with ", "async with ", "for ", "async for ", "if ", "while ")


def fit_lines(original: str, code: str, line_length: int, indent: str) -> str:
    """``code`` (``original`` with a fix's edits) with each line the fix wrote longer than
    ``line_length`` broken at its last call; ``indent``: one level of the file's indentation."""
    lines = code.splitlines(keepends=True)
    kept = set(original.splitlines(keepends=True))  # a line of the original is not the fix's to break
    long = [row for row, line in enumerate(lines) if len(line.rstrip("\r\n")) > line_length and line not in kept]
    for row in reversed(long):  # from the end, so that the rows before keep their numbers
        broken = _broken(lines[row], line_length, indent)
        if broken is not None:
            lines[row:row + 1] = broken
    return "".join(lines) if long else code


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
    """Whether the lines parse alone (a header with a body put after it) to the same ast."""
    def tree(lines: list[str]) -> str | None:
        text = textwrap.dedent("".join(lines).rstrip() + "\n")
        if text.startswith(_HEADERS):
            text += "    pass\n"
        try:
            return ast.dump(ast.parse(text))
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None
    parsed = tree(before)
    return parsed is not None and parsed == tree(after)
