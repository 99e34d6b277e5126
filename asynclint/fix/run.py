"""``asynclint check --fix`` / ``--diff`` over files and directories."""

from __future__ import annotations

import sys
from collections import Counter

from asynclint.config import FileSettings, Resolver
from asynclint.fix import FileFix, FixError, fix_file, fix_passes
from asynclint.report import FORMATS, Coverage, summary
from asynclint.rules import RULES
from asynclint.runner import select_files
from asynclint.source import SourceError, decode_source

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def fix_summary(results: list[FileFix], write: bool, show_fixes: bool = False) -> str:
    fixed = sum(len(r.fixed) for r in results if r.changed)
    files = sum(1 for r in results if r.changed)
    verb = "Fixed" if write else "Would fix"
    line = f"{verb} {_plural(fixed, 'finding')} in {_plural(files, 'file')}."
    beyond = sum(r.beyond for r in results)
    if beyond:
        line = line[:-1] + f" ({beyond} more than the check reported: fixing made them visible)."
    if show_fixes:  # --show-fixes: what, per file and rule
        for r in results:
            if r.changed:
                line += f"\n  {r.path}:"
                for code, count in sorted(Counter(d.code for d in r.fixed).items()):
                    name = RULES[code].name if code in RULES else ""
                    line += f"\n    {count} x {code} ({name})"
    return line


def _exit_code(args, problems: bool, changed: bool, remaining: list) -> int:
    if problems or any(d.code == "ASL002" for d in remaining):
        return EXIT_ERROR
    if args.diff:
        return EXIT_FINDINGS if changed else EXIT_CLEAN
    if changed and args.exit_non_zero_on_fix:
        return EXIT_FINDINGS
    if args.fix_only:  # the findings left are not this run's business
        return EXIT_CLEAN
    return EXIT_FINDINGS if remaining and not args.exit_zero else EXIT_CLEAN


def fix_paths(paths: list[str], resolver: Resolver, args) -> int:
    """The same files as a check, each fixed with its own settings."""
    write = not args.diff
    files, problems = select_files(paths, resolver)
    results = [fix_file(path, settings, unsafe=args.unsafe_fixes, write=write) for path, settings in files]
    remaining = [d for r in results for d in r.remaining]  # files and their findings come sorted
    failed = [r for r in results if r.error]
    for r in failed:
        problems.append(f"{r.path}: not fixed, left unchanged: {r.error}")

    for problem in problems:
        print(f"asynclint: error: {problem}", file=sys.stderr)
    if args.diff:
        sys.stdout.write("".join(r.diff() for r in results))
    elif not args.fix_only:
        sys.stdout.write(FORMATS[args.format](remaining))
    if not args.quiet:
        # With --diff, stdout is the patch: the summary goes to stderr.
        out = sys.stderr if args.diff or args.format != "text" else sys.stdout
        print(fix_summary(results, write, args.show_fixes), file=out)
        if not args.diff and not args.fix_only and args.format == "text":
            print(summary(remaining, Coverage(len(files), problems=len(problems))), file=out)
    return _exit_code(args, bool(problems), any(r.changed for r in results), remaining)


def fix_stdin(name: str, data: bytes, own: FileSettings, args) -> int:
    """Standard input: ``--fix`` prints the fixed source on stdout (findings and summary on
    stderr), ``--diff`` prints the diff. An editor can pipe a buffer through either. An
    excluded name (under force-exclude) is passed through unchanged."""
    result = FileFix(name)
    try:
        result.original = result.source = decode_source(data)
        if not own.excluded:
            result.source, result.fixed, result.remaining, result.offered = fix_passes(
                result.original, name, own.settings, args.unsafe_fixes)
    except SourceError as error:
        result.remaining = [error.finding(name)]
    except FixError as error:
        result.error = str(error)
    if args.diff:
        sys.stdout.write(result.diff())
    else:
        sys.stdout.write(result.source if result.error is None and result.original else data.decode("utf-8", "replace"))
        if not args.fix_only:
            sys.stderr.write(FORMATS[args.format](result.remaining))
    if result.error:
        print(f"asynclint: error: {name}: not fixed, left unchanged: {result.error}", file=sys.stderr)
    if not args.quiet:
        print(fix_summary([result], not args.diff, args.show_fixes), file=sys.stderr)
    unreadable = any(d.code == "ASL003" for d in result.remaining)
    return _exit_code(args, bool(result.error) or unreadable, result.changed, result.remaining)
