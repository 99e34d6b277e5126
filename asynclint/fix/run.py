"""``asynclint check --fix`` / ``--diff`` over files and directories."""

from __future__ import annotations

import sys

from asynclint.config import FileSettings, Resolver
from asynclint.engine import SourceError, decode_source
from asynclint.fix import FileFix, FixError, fix_file, fix_source
from asynclint.report import FORMATS, summary
from asynclint.runner import select_files

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def fix_summary(results: list[FileFix], write: bool) -> str:
    fixed = sum(len(r.fixed) for r in results if r.changed)
    files = sum(1 for r in results if r.changed)
    verb = "Fixed" if write else "Would fix"
    return f"{verb} {_plural(fixed, 'finding')} in {_plural(files, 'file')}."


def fix_paths(paths: list[str], resolver: Resolver, args) -> int:
    """The same files as a check, each fixed with its own settings."""
    write = not args.diff
    files, problems = select_files(paths, resolver)
    results = [fix_file(path, settings, unsafe=args.unsafe_fixes, write=write) for path, settings in files]
    remaining = [d for r in results for d in r.remaining]  # files and their findings come sorted
    failed = [r for r in results if r.error]
    for r in failed:
        problems.append(f"{r.path}: not fixed, left unchanged: {r.error}")

    if args.diff:
        sys.stdout.write("".join(r.diff() for r in results))
    else:
        sys.stdout.write(FORMATS[args.format](remaining))
    for problem in problems:
        print(f"asynclint: error: {problem}", file=sys.stderr)
    if not args.quiet:
        # With --diff, stdout is the patch: the summary goes to stderr.
        out = sys.stderr if args.diff or args.format != "text" else sys.stdout
        print(fix_summary(results, write), file=out)
        if not args.diff and args.format == "text":
            print(summary(remaining, len(files)), file=out)

    if problems or any(d.code == "ASL002" for d in remaining):
        return EXIT_ERROR
    if args.diff:
        return EXIT_FINDINGS if any(r.changed for r in results) else EXIT_CLEAN
    return EXIT_FINDINGS if remaining and not args.exit_zero else EXIT_CLEAN


def fix_stdin(name: str, data: bytes, own: FileSettings, args) -> int:
    """Standard input: ``--fix`` prints the fixed source on stdout (findings and summary on
    stderr), ``--diff`` prints the diff. An editor can pipe a buffer through either. An
    excluded name (under force-exclude) is passed through unchanged."""
    result = FileFix(name)
    try:
        result.original = result.source = decode_source(data)
        if not own.excluded:
            result.source, result.fixed, result.remaining = fix_source(result.original, name, own.settings,
                                                                       args.unsafe_fixes)
    except SourceError as error:
        result.remaining = [error.finding(name)]
    except FixError as error:
        result.error = str(error)
    if args.diff:
        sys.stdout.write(result.diff())
    else:
        sys.stdout.write(result.source if result.error is None and result.original else data.decode("utf-8", "replace"))
        sys.stderr.write(FORMATS[args.format](result.remaining))
    if result.error:
        print(f"asynclint: error: {name}: not fixed, left unchanged: {result.error}", file=sys.stderr)
    if not args.quiet:
        print(fix_summary([result], write=not args.diff), file=sys.stderr)
    if result.error or any(d.code in ("ASL002", "ASL003") for d in result.remaining):
        return EXIT_ERROR
    if args.diff:
        return EXIT_FINDINGS if result.changed else EXIT_CLEAN
    return EXIT_FINDINGS if result.remaining and not args.exit_zero else EXIT_CLEAN
