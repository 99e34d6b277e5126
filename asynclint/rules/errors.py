"""ASL0xx: files that could not be checked. The engine reports these itself."""

from asynclint.rules import Rule, rule


@rule
class ASL001(Rule):
    """
    ## What it does
    Reports a file with async code that does not parse as Python (for the Python running
    asynclint), or that is nested too deeply for the parser. The message gives the parser's
    reason and position. A file that is valid for a newer Python (a `type` statement, type
    parameters, PEP 701 f-strings, t-strings, `except A, B:`) is reported once, at its first
    line, as `needs Python >= 3.12 to parse; asynclint runs on 3.11`, and the summary counts
    those files: run asynclint under the Python your project targets (for pre-commit, set
    `language_version` on the hook).

    A file without async code has nothing to report and is not parsed, so its syntax errors
    are not reported; the summary says how many files were left out that way. The Language
    Server always parses the open document.

    ## Why is this bad?
    A file that cannot be parsed cannot be checked: its findings are unknown. The other files
    of the run are still checked.
    """

    code = "ASL001"
    name = "syntax-error"
    summary = "the file does not parse"


@rule
class ASL002(Rule):
    """
    ## What it does
    Reports an error inside asynclint while it checked a file, naming the rule that failed.
    Run with `--verbose` to see the traceback, and please report it.

    ## Why is this bad?
    The file was not fully checked. The other files of the run are still checked.
    """

    code = "ASL002"
    name = "internal-error"
    summary = "asynclint failed on this file"


@rule
class ASL003(Rule):
    """
    ## What it does
    Reports a file that could not be read: missing, unreadable, not text (binary), not in its
    declared encoding (PEP 263 cookie, default UTF-8), or larger than asynclint checks.

    ## Why is this bad?
    A file that cannot be read cannot be checked.
    """

    code = "ASL003"
    name = "unreadable-file"
    summary = "the file could not be read as Python source"
