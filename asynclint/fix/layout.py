"""Rewritten lines within the project's line length, broken the way black and ruff's formatter
break a call: after its opening parenthesis, one argument per line, a magic trailing comma, the
closing parenthesis on a line of its own. A formatter then leaves the lines as they are.

Only lines the fix wrote are broken, only a statement that is one line, and only where the code
means the same after the break (the ast is compared).
"""

from __future__ import annotations

import ast
import difflib
import io
import tokenize

_OPENING = {")": "(", "]": "[", "}": "{"}


def fit_lines(original: str, code: str, line_length: int, indent: str) -> str:
    """``code`` (``original`` with a fix's edits) with each line the fix wrote longer than
    ``line_length`` broken at the last call of its statement; ``indent``: one level of the file's."""
    lines = code.splitlines(keepends=True)
    written = _written_lines(original.splitlines(keepends=True), lines)
    long = {row for row in written if len(lines[row - 1].rstrip("\r\n")) > line_length}
    if not long:
        return code
    try:
        statements = _one_line_statements(code)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return code
    broken = 0
    for row in sorted(long, reverse=True):  # from the end, so that the rows before keep their numbers
        tokens = statements.get(row)
        split = _broken(lines[row - 1], tokens, line_length, indent) if tokens else None
        if split is not None:
            lines[row - 1:row] = split
            broken += 1
    if not broken:
        return code
    new = "".join(lines)
    try:
        same = ast.dump(ast.parse(new)) == ast.dump(ast.parse(code))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        same = False
    return new if same else code


def _written_lines(before: list[str], after: list[str]) -> set[int]:
    """The rows (from 1) of ``after`` that are not lines of ``before`` kept as they were."""
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    return {row + 1 for tag, _, _, start, end in matcher.get_opcodes() if tag in ("replace", "insert")
            for row in range(start, end)}


def _one_line_statements(code: str) -> dict[int, list[tokenize.TokenInfo]]:
    """The tokens of each logical line that is one physical line, by its row."""
    statements: dict[int, list[tokenize.TokenInfo]] = {}
    current: list[tokenize.TokenInfo] = []
    skipped = (tokenize.NL, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT, tokenize.ENCODING)
    for token in tokenize.generate_tokens(io.StringIO(code).readline):
        if token.type == tokenize.NEWLINE:
            if current and current[0].start[0] == token.start[0]:
                statements[token.start[0]] = current
            current = []
        elif token.type not in skipped and token.type != tokenize.ENDMARKER:
            current.append(token)
    return statements


def _broken(line: str, tokens: list[tokenize.TokenInfo], line_length: int, indent: str) -> list[str] | None:
    """The line broken at its last call with arguments, or None where it cannot be so."""
    opened: list[int] = []
    pairs: list[tuple[int, int]] = []  # (opening, closing) token indexes of brackets the line holds whole
    for index, token in enumerate(tokens):
        if token.type != tokenize.OP:
            continue
        if token.string in "([{":
            opened.append(index)
        elif token.string in _OPENING and opened:
            pairs.append((opened.pop(), index))
    outermost = [(o, c) for o, c in pairs if not any(o2 < o and c < c2 for o2, c2 in pairs)]
    for opening, closing in reversed(outermost):
        if closing - opening < 2:
            continue  # nothing inside: black looks further left too
        before = tokens[opening - 1] if opening else None
        if tokens[opening].string != "(" or before is None or not (
                before.type == tokenize.NAME or before.string in (")", "]")):
            return None  # not a call: left to the formatter
        return _one_argument_per_line(line, tokens, opening, closing, line_length, indent)
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
