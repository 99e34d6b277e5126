"""The asynclint command: check, rules, explain, server."""

from __future__ import annotations

import argparse
from functools import lru_cache
import json
import os
import sys
from dataclasses import replace

from asynclint._version import __version__
from asynclint.config import ConfigError, _codes, find_pyproject, load_settings
from asynclint.engine import SourceError, decode_source, lint_source
from asynclint.files import is_excluded
from asynclint.model import Diagnostic, Settings
from asynclint.report import FORMATS, STATISTICS_FORMATS, statistics_report, summary
from asynclint.rules import RULES
from asynclint.runner import check_paths

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
COMMANDS = ("check", "rules", "explain", "server")


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
    check.add_argument("--format", choices=sorted(FORMATS), default="text", help="output format")
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    check.add_argument("--stdin-filename", metavar="NAME",
                       help="read the source from standard input and report it under NAME")
    check.add_argument("--config", metavar="PYPROJECT", help="the pyproject.toml to read (default: the nearest)")
    check.add_argument("--fix", action="store_true", help="rewrite the findings that have a safe fix")
    check.add_argument("--unsafe-fixes", action="store_true",
                       help="with --fix or --diff, apply unsafe fixes too (see each rule's Fix safety)")
    check.add_argument("--diff", action="store_true",
                       help="print the fixes as a unified diff; write nothing; exit 1 if there is any")
    check.add_argument("--quiet", "-q", action="store_true", help="print findings only, no summary")
    check.add_argument("--verbose", "-v", action="store_true", help="show tracebacks of internal errors")
    check.add_argument("--jobs", "-j", type=_jobs, metavar="N",
                       help="worker processes to check files with (default: one per CPU)")
    check.add_argument("--no-cache", action="store_true", help="neither read nor write the result cache")
    check.add_argument("--cache-dir", metavar="DIR",
                       help="where to keep the result cache (default: .asynclint_cache/ at the project root)")
    _add_output_options(check)

    rules = commands.add_parser("rules", help="list every rule")
    rules.add_argument("--format", choices=("text", "json"), default="text")

    explain = commands.add_parser("explain", help="print the documentation of a rule")
    explain.add_argument("code", metavar="CODE")

    server = commands.add_parser("server", help="run the Language Server on stdin/stdout (needs asynclint[lsp])")
    server.add_argument("--stdio", action="store_true", help="accepted for LSP clients that pass it; always stdio")
    return parser


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
    args = _parser().parse_args(argv)
    _tolerant_output()
    try:
        if args.command == "rules":
            return _rules(args)
        if args.command == "explain":
            return _explain(args)
        if args.command == "server":
            from asynclint.lsp import serve

            return serve()
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


def _pyproject(args, paths: list[str]) -> str | None:
    """The configuration of the run: --config, else the nearest pyproject.toml of the first path."""
    if args.config:
        if not os.path.isfile(args.config):
            reason = "is a directory, not a file" if os.path.isdir(args.config) else "no such file"
            raise UsageError(f"--config {args.config}: {reason}")
        return args.config
    anchor = args.stdin_filename or (paths[0] if paths and paths[0] != "-" else os.getcwd())
    return find_pyproject(anchor if os.path.exists(anchor) else os.getcwd())


def _settings(args, paths: list[str]) -> Settings:
    return _with_options(load_settings(_pyproject(args, paths)), args, paths)


def _with_options(settings: Settings, args, paths: list[str]) -> Settings:
    """A configuration with the command line's options applied over it."""
    overrides = {}
    for option, field_name in (("--select", "select"), ("--extend-select", "extend_select"),
                               ("--ignore", "ignore")):
        value = _prefixes(option, getattr(args, field_name))
        if value is not None:
            overrides[field_name] = value if field_name == "select" else getattr(settings, field_name) + value
    if settings.project_root is None:
        overrides["project_root"] = _common_root(paths, args.stdin_filename)
    if args.force_exclude:
        overrides["force_exclude"] = True
    return replace(settings, **overrides)


def _settings_per_file(args, paths: list[str], settings: Settings):
    """Each file is checked with the configuration of its nearest pyproject.toml (a nested
    project keeps its own), unless --config names one for all."""
    if args.config:
        return None
    top = _pyproject(args, paths)

    @lru_cache(maxsize=None)
    def for_pyproject(pyproject: str | None) -> Settings:
        if pyproject == top:
            return settings
        return _with_options(load_settings(pyproject), args, paths)

    @lru_cache(maxsize=None)
    def for_directory(directory: str) -> Settings:
        return for_pyproject(find_pyproject(directory))

    return lambda path: for_directory(os.path.dirname(os.path.abspath(path)))


def _common_root(paths: list[str], stdin_filename: str | None) -> str:
    """Without a pyproject.toml, the project is what the paths have in common."""
    anchors = [stdin_filename] if stdin_filename else [p for p in paths if p != "-"]
    directories = [os.path.abspath(p if os.path.isdir(p) else os.path.dirname(p) or ".") for p in anchors]
    return os.path.commonpath(directories) if directories else os.getcwd()


def _check(args) -> int:
    paths = args.paths or ([] if args.stdin_filename else ["."])
    settings = _settings(args, paths)
    diagnostics: list[Diagnostic] = []
    problems: list[str] = []
    checked = 0
    if args.fix or args.diff:
        from asynclint.fix.run import fix_paths, fix_stdin

        if args.stdin_filename or paths == ["-"]:
            return fix_stdin(args.stdin_filename or "<stdin>", sys.stdin.buffer.read(), settings, args)
        if "-" in paths:
            raise UsageError("- (standard input) cannot be combined with other paths")
        return fix_paths(paths, settings, args)
    sources: dict[str, str] = {}  # text of the files that are not on disk (standard input)
    if args.stdin_filename or paths == ["-"]:
        name = args.stdin_filename or "<stdin>"
        try:
            source = decode_source(sys.stdin.buffer.read())
        except SourceError as error:
            diagnostics.append(Diagnostic(name, 1, 1, "ASL003", str(error)))
        else:
            if not (settings.force_exclude and args.stdin_filename and is_excluded(name, settings)):
                diagnostics += lint_source(source, name, settings, verbose=args.verbose)
            sources[name] = source
        checked = 1
    else:
        if "-" in paths:
            raise UsageError("- (standard input) cannot be combined with other paths")
        result = check_paths(paths, settings, settings_for=_settings_per_file(args, paths, settings),
                             jobs=args.jobs, cache=not args.no_cache, cache_dir=args.cache_dir,
                             verbose=args.verbose)
        diagnostics, problems, checked = result.diagnostics, result.problems, result.files_checked
    diagnostics.sort(key=Diagnostic.sort_key)

    if args.add_noqa:
        return _add_noqa(diagnostics, problems, sources)
    _write_report(args, diagnostics, checked, sources)
    for problem in problems:
        print(f"asynclint: error: {problem}", file=sys.stderr)
    if problems or any(d.code == "ASL002" for d in diagnostics):
        return EXIT_ERROR
    return EXIT_FINDINGS if diagnostics and not args.exit_zero else EXIT_CLEAN


# -- output (issue 7): formats, --show-source, --statistics, --output-file, --add-noqa -----------

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


def _use_color(stream) -> bool:
    """Colour only for a person at a terminal, and never when NO_COLOR is set (no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _write_report(args, diagnostics: list[Diagnostic], checked: int, sources: dict[str, str]) -> None:
    if args.statistics:
        if args.format not in STATISTICS_FORMATS:
            raise UsageError(f"--statistics works with --format {', '.join(STATISTICS_FORMATS)}")
        report = statistics_report(diagnostics, args.format)
    elif args.format == "text":
        stream = sys.stdout if not args.output_file else None
        report = FORMATS["text"](diagnostics, show_source=args.show_source,
                                 color=stream is not None and _use_color(stream), sources=sources)
    else:
        report = FORMATS[args.format](diagnostics)
    if args.format == "text" and not args.quiet:
        report += summary(diagnostics, checked) + "\n"
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
    from asynclint.noqa import add_noqa

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
                           "enabled_by_default": r.enabled_by_default, "fix": r.fix} for r in rules], indent=2))
    else:
        for r in rules:
            state = "on " if r.enabled_by_default else "off"
            print(f"{r.code}  {state}  {r.name:<40} {r.summary}")
    return EXIT_CLEAN


def _explain(args) -> int:
    from asynclint.docs import rule_page

    code = args.code.upper()
    if code not in RULES:
        raise UsageError(f"unknown rule {args.code!r}; `asynclint rules` lists them")
    sys.stdout.write(rule_page(RULES[code]))
    return EXIT_CLEAN
