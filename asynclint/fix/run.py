"""``asynclint check --fix`` / ``--diff`` over files and directories."""

from __future__ import annotations

import sys

from asynclint.files import discover
from asynclint.fix import FileFix, fix_file
from asynclint.model import Diagnostic, Settings
from asynclint.report import FORMATS, summary

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def fix_summary(results: list[FileFix], write: bool) -> str:
    fixed = sum(len(r.fixed) for r in results if r.changed)
    files = sum(1 for r in results if r.changed)
    verb = "Fixed" if write else "Would fix"
    return f"{verb} {_plural(fixed, 'finding')} in {_plural(files, 'file')}."


def fix_paths(paths: list[str], settings: Settings, args) -> int:
    write = not args.diff
    files, problems = discover(paths, settings)
    results = [fix_file(path, settings, unsafe=args.unsafe_fixes, write=write) for path in files]
    remaining: list[Diagnostic] = sorted((d for r in results for d in r.remaining), key=Diagnostic.sort_key)
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
