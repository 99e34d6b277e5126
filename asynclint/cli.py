"""The asynclint command: check, rules, explain, server."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections import Counter
from dataclasses import replace

from asynclint._version import __version__
from asynclint.config import ConfigError, FileSettings, Options, Resolver, _codes, settings_for, settings_report
from asynclint.docs import rule_page
from asynclint.engine import enabled_codes, lint_source
from asynclint.fix import FileFix, FixError, fix_passes
from asynclint.live import LiveRun
from asynclint.lsp import PYGLS_MISSING, pygls_available
from asynclint.model import Diagnostic
from asynclint.noqa import add_noqa
from asynclint.compat import asl_equivalents, equivalent_by_name
from asynclint.report import FORMATS, STATISTICS_FORMATS, Coverage, statistics_report, summary
from asynclint.rules import RULES
from asynclint.runner import FixRequest, check_paths, select_files
from asynclint.source import SourceError, decode_source

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
COMMANDS = ("check", "rules", "explain", "rule", "server")


class UsageError(Exception):
    pass


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="asynclint", description="Find code that blocks the event loop.")
    parser.add_argument("--version", action="version", version=f"asynclint {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = commands.add_parser("check", help="check files and directories (the default command)")
    check.add_argument("paths", nargs="*", metavar="PATH", help="files or directories; - reads standard input")
    check.add_argument("--select", help="comma-separated code prefixes to report (replaces the configured set)")
    check.add_argument("--extend-select", help="comma-separated code prefixes to report as well")
    check.add_argument("--ignore", help="comma-separated code prefixes not to report")
    check.add_argument("--format", "--output-format", dest="format", choices=sorted(FORMATS), default="text",
                       help="output format")
    check.add_argument("--exit-zero", "-e", action="store_true", help="exit 0 even when there are findings")
    check.add_argument("--stdin-filename", metavar="NAME",
                       help="read the source from standard input and report it under NAME")
    check.add_argument("--config", metavar="PYPROJECT | 'KEY = VALUE'", action="append", default=[],
                       help="the pyproject.toml to read (default: the nearest), or a `key = value` line of "
                            "[tool.asynclint] over it (repeatable)")
    check.add_argument("--isolated", action="store_true", help="read no configuration file")
    check.add_argument("--per-file-ignores", metavar="PATTERN:CODES", action="append",
                       help="codes not to report in files matching PATTERN (repeatable; replaces `per-file-ignores`)")
    check.add_argument("--extend-per-file-ignores", metavar="PATTERN:CODES", action="append", default=[],
                       help="the same, besides `per-file-ignores`")
    check.add_argument("--fix", action=argparse.BooleanOptionalAction, default=False,
                       help="rewrite the findings that have a safe fix")
    check.add_argument("--fix-only", action="store_true",
                       help="apply the fixes, but neither report nor exit non-zero for the findings left")
    check.add_argument("--show-fixes", action="store_true", help="with --fix: list what was fixed, per file")
    check.add_argument("--exit-non-zero-on-fix", action="store_true",
                       help="with --fix: exit 1 when a file was changed, even if no finding is left")
    check.add_argument("--unsafe-fixes", action=argparse.BooleanOptionalAction, default=False,
                       help="with --fix or --diff, apply unsafe fixes too (see each rule's Fix safety)")
    check.add_argument("--diff", action="store_true",
                       help="print the fixes as a unified diff; write nothing; exit 1 if there is any")
    check.add_argument("--quiet", "-q", action="store_true", help="print findings only, no summary")
    check.add_argument("--silent", "-s", action="store_true",
                       help="print nothing but errors; the exit code says whether there are findings")
    check.add_argument("--show-settings", action="store_true",
                       help="print the settings the first file (or directory) is checked with, then exit")
    check.add_argument("--show-files", action="store_true", help="list the files that would be checked, then exit")
    check.add_argument("--verbose", "-v", action="store_true", help="show tracebacks of internal errors")
    check.add_argument("--jobs", "-j", type=_jobs, metavar="N",
                       help="worker processes to check files with (default: one per idle CPU, none for little work)")
    check.add_argument("--no-cache", action="store_true", help="neither read nor write the result cache")
    check.add_argument("--cache-dir", metavar="DIR",
                       help="where to keep the result cache (default: .asynclint_cache/ at the project root)")
    check.add_argument("--exclude", metavar="PATTERNS",
                       help="comma-separated gitignore patterns not to check (replaces `exclude`)")
    check.add_argument("--extend-exclude", metavar="PATTERNS",
                       help="comma-separated gitignore patterns not to check, besides `exclude`")
    check.add_argument("--ignore-noqa", action="store_true", help="report what `# noqa` comments silence")
    check.add_argument("--runtime-report", metavar="PATH",
                       help="mark the findings the tests saw block the loop (pytest --asynclint-blocking-report=PATH)")
    check.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                       help="colour the text report: auto (a terminal without NO_COLOR), always or never")
    _add_output_options(check)

    rules = commands.add_parser("rules", help="list every rule")
    rules.add_argument("--format", choices=("text", "json"), default="text")

    explain = commands.add_parser("explain", aliases=["rule"], help="print the documentation of a rule (`rule`: "
                                  "ruff's spelling)")
    explain.add_argument("code", metavar="RULE", help="a code (ASL101), a name (blocking-sleep) or a "
                         "flake8-async/ruff code (ASYNC251)")

    server = commands.add_parser("server", help="run the Language Server on stdin/stdout (needs asynclint[lsp])")
    server.add_argument("--stdio", action="store_true", help="accepted for LSP clients that pass it; always stdio")
    return parser


def _parse(argv: list[str]) -> argparse.Namespace:
    """The arguments; one a command does not know is an error with that command's usage (argparse
    leaves them to the top-level parser, whose usage says nothing of the command's options)."""
    parser = _parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        commands.choices[args.command].error(f"unrecognized arguments: {' '.join(unknown)}")
    return args


def _jobs(value: str) -> int:
    try:
        jobs = int(value)
    except ValueError:
        jobs = 0
    if jobs < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, not {value!r}")
    return jobs


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in COMMANDS and argv[0] not in ("-h", "--help", "--version")):
        argv.insert(0, "check")
    if argv[0] == "server":  # before argparse, so that `server --help` says it too
        if not pygls_available():
            print(PYGLS_MISSING, file=sys.stderr)
            return EXIT_ERROR
    args = _parse(argv)
    _tolerant_output()
    try:
        if args.command == "rules":
            return _rules(args)
        if args.command in ("explain", "rule"):
            return _explain(args)
        if args.command == "server":
            from asynclint.lsp_server import serve  # pygls, an optional dependency: only now

            return serve()
        if args.silent:
            with open(os.devnull, "w") as nowhere, contextlib.redirect_stdout(nowhere):
                return _check(args)
        return _check(args)
    except (ConfigError, UsageError) as error:
        print(f"asynclint: error: {error}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("asynclint: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (`asynclint check | head`): stop quietly
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        return 128 + 13  # as if killed by SIGPIPE, like other command-line tools


def _tolerant_output() -> None:
    """Paths with undecodable bytes and non-ASCII source on a strict or ASCII console must not
    crash the report: characters the stream cannot encode are written as escapes."""
    for stream in (sys.stdout, sys.stderr):
        if getattr(stream, "errors", None) == "strict" and hasattr(stream, "reconfigure"):
            try:
                stream.reconfigure(errors="backslashreplace")
            except (ValueError, OSError):
                pass


def _prefixes(option: str, value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    try:
        return _codes(option, [v.strip().upper() for v in value.split(",") if v.strip()])
    except ConfigError as error:
        raise UsageError(str(error)) from None


def _options(args, paths: list[str]) -> Options:
    """What the command line says over the configuration files."""
    files = [value for value in args.config if os.path.isfile(value) or "=" not in value]
    if len(files) > 1:
        raise UsageError(f"--config names {len(files)} files: give one pyproject.toml at most")
    config = None
    if files:
        if not os.path.isfile(files[0]):
            reason = "is a directory, not a file" if os.path.isdir(files[0]) else "no such file"
            raise UsageError(f"--config {files[0]}: {reason}")
        if args.isolated:
            raise UsageError("--isolated reads no configuration file: it cannot be combined with --config FILE")
        config = os.path.abspath(files[0])
    overrides = tuple(value for value in args.config if value not in files)
    return Options(config=config, isolated=args.isolated, overrides=overrides,
                   select=_prefixes("--select", args.select),
                   extend_select=_prefixes("--extend-select", args.extend_select) or (),
                   ignore=_prefixes("--ignore", args.ignore) or (),
                   per_file_ignores=None if args.per_file_ignores is None
                   else _file_ignores("--per-file-ignores", args.per_file_ignores),
                   extend_per_file_ignores=_file_ignores("--extend-per-file-ignores", args.extend_per_file_ignores),
                   exclude=_patterns(args.exclude), extend_exclude=_patterns(args.extend_exclude) or (),
                   force_exclude=args.force_exclude,
                   # --add-noqa sees every finding: with_noqa leaves the lines whose comment covers it.
                   ignore_noqa=args.ignore_noqa or args.add_noqa,
                   root=_common_root(paths, args.stdin_filename))


def _file_ignores(option: str, values: list[str]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """``PATTERN:CODE,CODE`` arguments, as ruff takes them."""
    table = []
    for value in values:
        pattern, colon, codes = value.rpartition(":")
        if not colon or not pattern:
            raise UsageError(f"{option} {value!r}: expected PATTERN:CODES, like 'tests/*:ASL101,ASL104'")
        table.append((pattern, _prefixes(option, codes) or ()))
    return tuple(table)


def _patterns(value: str | None) -> tuple[str, ...] | None:
    return None if value is None else tuple(p.strip() for p in value.split(",") if p.strip())


def _common_root(paths: list[str], stdin_filename: str | None) -> str:
    """Without a pyproject.toml, the project is what the paths have in common."""
    anchors = [stdin_filename] if stdin_filename else [p for p in paths if p != "-"]
    directories = [os.path.abspath(p if os.path.isdir(p) else os.path.dirname(p) or ".") for p in anchors]
    return os.path.commonpath(directories) if directories else os.getcwd()


def _check(args) -> int:
    paths = args.paths or ([] if args.stdin_filename else ["."])
    options = _options(args, paths)
    from_stdin = bool(args.stdin_filename) or paths == ["-"]
    if not from_stdin and "-" in paths:
        raise UsageError("- (standard input) cannot be combined with other paths")
    if from_stdin:
        name = args.stdin_filename or "<stdin>"
        own = settings_for(args.stdin_filename or os.path.join(os.getcwd(), name), options, named=True)
        data = sys.stdin.buffer.read()
        if args.fix or args.fix_only or args.diff:
            return _fix_stdin(args, name, data, own)
        return _check_stdin(args, name, data, own)
    if args.show_files or args.show_settings:
        return _show(args, paths, options)
    if args.fix or args.fix_only or args.diff:
        return _fix(args, paths, options)
    live = _live_run(args)
    result = check_paths(paths, options=options, jobs=args.jobs, cache=not args.no_cache,
                         cache_dir=args.cache_dir, verbose=args.verbose, listener=live)
    live.clear()
    if not result.files_checked and not result.problems:
        print("asynclint: warning: no Python files found under the given paths", file=sys.stderr)
    return _report(args, result.diagnostics, result.problems, Coverage(result.files_checked, result.skipped), {},
                   streamed=live.write is not None)


def _fix(args, paths: list[str], options: Options) -> int:
    """--fix, --fix-only, --diff: the run of a check that fixes too; the patch or the findings left."""
    write = not args.diff
    live = _live_run(args, fixing=True)
    result = check_paths(paths, options=options, jobs=args.jobs, cache=not args.no_cache, cache_dir=args.cache_dir,
                         verbose=args.verbose, listener=live, fix=FixRequest(args.unsafe_fixes, write))
    live.clear()
    problems = result.problems + [f"{r.path}: not fixed, left unchanged: {r.error}" for r in result.fixes if r.error]
    for problem in problems:
        print(f"asynclint: error: {problem}", file=sys.stderr)
    if args.diff:
        sys.stdout.write("".join(r.diff() for r in result.fixes))
    elif not args.fix_only:
        sys.stdout.write(FORMATS[args.format](result.diagnostics))
    if not args.quiet:
        # With --diff, stdout is the patch: the summary goes to stderr.
        out = sys.stderr if args.diff or args.format != "text" else sys.stdout
        print(fix_summary(result.fixes, write, args.show_fixes), file=out)
        if not args.diff and not args.fix_only and args.format == "text":
            print(summary(result.diagnostics, Coverage(result.files_checked, problems=len(problems))), file=out)
    return _fix_exit(args, bool(problems), any(r.changed for r in result.fixes), result.diagnostics)


def _fix_stdin(args, name: str, data: bytes, own: FileSettings) -> int:
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
    return _fix_exit(args, bool(result.error) or unreadable, result.changed, result.remaining)


def _fix_exit(args, problems: bool, changed: bool, remaining: list[Diagnostic]) -> int:
    if problems or any(d.code == "ASL002" for d in remaining):
        return EXIT_ERROR
    if args.diff:
        return EXIT_FINDINGS if changed else EXIT_CLEAN
    if changed and args.exit_non_zero_on_fix:
        return EXIT_FINDINGS
    if args.fix_only:  # the findings left are not this run's business
        return EXIT_CLEAN
    return EXIT_FINDINGS if remaining and not args.exit_zero else EXIT_CLEAN


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def fix_summary(results: list[FileFix], write: bool, show_fixes: bool = False) -> str:
    """``Fixed N findings in M files.`` (``Would fix`` for --diff); --show-fixes: what, per file and rule."""
    fixed = sum(len(r.fixed) for r in results if r.changed)
    files = sum(1 for r in results if r.changed)
    verb = "Fixed" if write else "Would fix"
    line = f"{verb} {_plural(fixed, 'finding')} in {_plural(files, 'file')}."
    beyond = sum(r.beyond for r in results)
    if beyond:
        line = line[:-1] + f" ({beyond} more than the check reported: fixing made them visible)."
    if show_fixes:
        for r in results:
            if r.changed:
                line += f"\n  {r.path}:"
                for code, count in sorted(Counter(d.code for d in r.fixed).items()):
                    name = RULES[code].name if code in RULES else ""
                    line += f"\n    {count} x {code} ({name})"
    return line


def _live_run(args, fixing: bool = False) -> LiveRun:
    """A progress line for a person at a terminal (never when piped, in CI or with --quiet), and
    the text report written as files finish instead of at the end (not of a fix run: the findings
    left are known at the end)."""
    person = (sys.stderr.isatty() and not args.quiet and not os.environ.get("CI")
              and os.environ.get("TERM") != "dumb")
    # --runtime-report marks findings once all are known: that report is written at the end.
    streams = args.format == "text" and not (fixing or args.statistics or args.output_file or args.add_noqa
                                             or args.runtime_report)
    color = _use_color(sys.stdout, args.color)

    def write(diagnostics: list[Diagnostic]) -> None:
        sys.stdout.write(FORMATS["text"](diagnostics, show_source=args.show_source, color=color))
        sys.stdout.flush()

    return LiveRun(sys.stderr if person else None, write if streams else None)


def _show(args, paths: list[str], options: Options) -> int:
    """--show-files: the files a check would read; --show-settings: how the first is checked."""
    resolver = Resolver(options)
    files, problems = select_files(paths, resolver)
    for problem in problems:
        print(f"asynclint: error: {problem}", file=sys.stderr)
    if args.show_files:
        sys.stdout.write("".join(f"{path}\n" for path, _ in files))
    else:
        path = files[0][0] if files else os.path.abspath(paths[0])
        own = resolver.file(path, named=True) if files else FileSettings(resolver.directory(path), False, None)
        sys.stdout.write(settings_report(path, own, enabled_codes(own.settings, path)))
    return EXIT_ERROR if problems else EXIT_CLEAN


def _check_stdin(args, name: str, data: bytes, own: FileSettings) -> int:
    diagnostics: list[Diagnostic] = []
    sources: dict[str, str] = {}  # the text of what is not on disk, for --show-source
    try:
        source = decode_source(data)
    except SourceError as error:
        diagnostics.append(error.finding(name))
    else:
        if not own.excluded:
            diagnostics = lint_source(source, name, own.settings, verbose=args.verbose)
        sources[name] = source
    return _report(args, diagnostics, [], Coverage(1), sources)


def _report(args, diagnostics: list[Diagnostic], problems: list[str], coverage: Coverage,
            sources: dict[str, str], streamed: bool = False) -> int:
    """``streamed``: the findings are written already (text, as files finished): the summary is left."""
    if args.add_noqa:
        return _add_noqa(diagnostics, problems, sources)
    if args.runtime_report:
        diagnostics = _seen_blocking(args.runtime_report, diagnostics)
    for problem in problems:
        print(f"asynclint: error: {problem}", file=sys.stderr)
    _write_report(args, diagnostics, replace(coverage, problems=len(problems)), sources, streamed)
    if problems or any(d.code == "ASL002" for d in diagnostics):
        return EXIT_ERROR
    return EXIT_FINDINGS if diagnostics and not args.exit_zero else EXIT_CLEAN


def _seen_blocking(path: str, diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    from asynclint.runtime_report import RuntimeReportError, load, mark

    try:
        return mark(diagnostics, load(path))
    except RuntimeReportError as error:
        raise UsageError(str(error)) from None


# -- output: formats, --show-source, --statistics, --output-file, --add-noqa ----------------------

def _add_output_options(check: argparse.ArgumentParser) -> None:
    check.add_argument("--show-source", action="store_true",
                       help="text format: print each offending line with a caret under the finding")
    check.add_argument("--statistics", action="store_true",
                       help="print how many findings of each code instead of the findings")
    check.add_argument("--output-file", "-o", metavar="FILE",
                       help="write the report to FILE instead of standard output")
    check.add_argument("--force-exclude", action="store_true",
                       help="apply `exclude` to files named on the command line too (for pre-commit)")
    check.add_argument("--add-noqa", action="store_true",
                       help="add `# noqa: ASLxxx` to every line with a finding, to adopt asynclint gradually")


def _use_color(stream, when: str = "auto") -> bool:
    """Colour only for a person at a terminal, and never when NO_COLOR is set (no-color.org),
    unless --color says always or never."""
    if when != "auto":
        return when == "always"
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _write_report(args, diagnostics: list[Diagnostic], coverage: Coverage, sources: dict[str, str],
                  streamed: bool = False) -> None:
    if streamed:
        report = ""
    elif args.statistics:
        if args.format not in STATISTICS_FORMATS:
            raise UsageError(f"--statistics works with --format {', '.join(STATISTICS_FORMATS)}")
        report = statistics_report(diagnostics, args.format)
    elif args.format == "text":
        stream = sys.stdout if not args.output_file else None
        report = FORMATS["text"](diagnostics, show_source=args.show_source,
                                 color=_use_color(stream, args.color) if stream is not None else args.color == "always",
                                 sources=sources)
    else:
        report = FORMATS[args.format](diagnostics)
    if args.format == "text" and not args.quiet:
        report += summary(diagnostics, coverage) + "\n"
    if args.output_file:
        directory = os.path.dirname(os.path.abspath(args.output_file))
        try:
            os.makedirs(directory, exist_ok=True)
            with open(args.output_file, "w", encoding="utf-8", newline="") as handle:
                handle.write(report)
        except OSError as error:
            raise UsageError(f"--output-file {args.output_file}: {error.strerror or error}") from None
    else:
        sys.stdout.write(report)
        sys.stdout.flush()


def _add_noqa(diagnostics: list[Diagnostic], problems: list[str], sources: dict[str, str]) -> int:
    if sources:
        raise UsageError("--add-noqa rewrites files; it cannot be used with standard input")
    result = add_noqa(diagnostics)
    for message in problems + result.problems:
        print(f"asynclint: error: {message}", file=sys.stderr)
    for path, line, reason in result.skipped:
        print(f"asynclint: {path}:{line}: no `# noqa` added: {reason}", file=sys.stderr)
    files = len(result.changed_files)
    print(f"Added {result.added} noqa comment{'s' if result.added != 1 else ''} "
          f"to {files} file{'s' if files != 1 else ''}.", file=sys.stderr)
    if problems or result.problems:
        return EXIT_ERROR
    return EXIT_FINDINGS if result.skipped else EXIT_CLEAN


def _rules(args) -> int:
    rules = [RULES[code] for code in sorted(RULES)]
    if args.format == "json":
        print(json.dumps([{"code": r.code, "name": r.name, "summary": r.summary,
                           "enabled_by_default": r.enabled_by_default, "fix": r.fix_applicability} for r in rules], indent=2))
    else:
        for r in rules:
            state = "on " if r.enabled_by_default else "off"
            print(f"{r.code}  {state}  {r.name:<40} {r.summary}")
    return EXIT_CLEAN


def _explain(args) -> int:
    codes = _rules_named(args.code)
    if not codes:
        raise UsageError(f"unknown rule {args.code!r}; `asynclint rules` lists them")
    sys.stdout.write("\n".join(rule_page(RULES[code]) for code in codes))
    return EXIT_CLEAN


def _rules_named(name: str) -> tuple[str, ...]:
    """The rules a code, a rule's name or a flake8-async/ruff code or name stands for."""
    if name.upper() in RULES:
        return (name.upper(),)
    by_name = tuple(code for code, rule in RULES.items() if rule.name == name.lower())
    return by_name or asl_equivalents(name) or equivalent_by_name(name.lower())
