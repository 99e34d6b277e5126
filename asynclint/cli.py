"""The asynclint command: check, rules, explain."""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import replace

from asynclint import __version__
from asynclint.config import ConfigError, _codes, find_pyproject, load_settings
from asynclint.engine import SourceError, decode_source, lint_source
from asynclint.model import Diagnostic, Settings
from asynclint.report import FORMATS, summary
from asynclint.rules import RULES
from asynclint.runner import check_paths

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
COMMANDS = ("check", "rules", "explain")


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
    check.add_argument("--quiet", "-q", action="store_true", help="print findings only, no summary")
    check.add_argument("--verbose", "-v", action="store_true", help="show tracebacks of internal errors")
    check.add_argument("--jobs", "-j", type=_jobs, metavar="N",
                       help="worker processes to check files with (default: one per CPU)")
    check.add_argument("--no-cache", action="store_true", help="neither read nor write the result cache")
    check.add_argument("--cache-dir", metavar="DIR",
                       help="where to keep the result cache (default: .asynclint_cache/ at the project root)")

    rules = commands.add_parser("rules", help="list every rule")
    rules.add_argument("--format", choices=("text", "json"), default="text")

    explain = commands.add_parser("explain", help="print the documentation of a rule")
    explain.add_argument("code", metavar="CODE")
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
    try:
        if args.command == "rules":
            return _rules(args)
        if args.command == "explain":
            return _explain(args)
        return _check(args)
    except (ConfigError, UsageError) as error:
        print(f"asynclint: error: {error}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("asynclint: interrupted", file=sys.stderr)
        return 130


def _prefixes(option: str, value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    try:
        return _codes(option, [v.strip().upper() for v in value.split(",") if v.strip()])
    except ConfigError as error:
        raise UsageError(str(error)) from None


def _settings(args, paths: list[str]) -> Settings:
    if args.config:
        if not os.path.isfile(args.config):
            raise UsageError(f"--config {args.config}: no such file")
        pyproject = args.config
    else:
        anchor = args.stdin_filename or (paths[0] if paths and paths[0] != "-" else os.getcwd())
        pyproject = find_pyproject(anchor if os.path.exists(anchor) else os.getcwd())
    settings = load_settings(pyproject)
    overrides = {}
    for option, field_name in (("--select", "select"), ("--extend-select", "extend_select"),
                               ("--ignore", "ignore")):
        value = _prefixes(option, getattr(args, field_name))
        if value is not None:
            overrides[field_name] = value if field_name == "select" else getattr(settings, field_name) + value
    return replace(settings, **overrides)


def _check(args) -> int:
    paths = args.paths or ([] if args.stdin_filename else ["."])
    settings = _settings(args, paths)
    diagnostics: list[Diagnostic] = []
    problems: list[str] = []
    checked = 0
    if args.stdin_filename or paths == ["-"]:
        name = args.stdin_filename or "<stdin>"
        try:
            source = decode_source(sys.stdin.buffer.read())
        except SourceError as error:
            diagnostics.append(Diagnostic(name, 1, 1, "ASL003", str(error)))
        else:
            diagnostics += lint_source(source, name, settings, verbose=args.verbose)
        checked = 1
    else:
        if "-" in paths:
            raise UsageError("- (standard input) cannot be combined with other paths")
        result = check_paths(paths, settings, jobs=args.jobs, cache=not args.no_cache, cache_dir=args.cache_dir,
                             verbose=args.verbose)
        diagnostics, problems, checked = result.diagnostics, result.problems, result.files_checked
    diagnostics.sort(key=Diagnostic.sort_key)

    sys.stdout.write(FORMATS[args.format](diagnostics))
    for problem in problems:
        print(f"asynclint: error: {problem}", file=sys.stderr)
    if args.format == "text" and not args.quiet:
        print(summary(diagnostics, checked))
    if problems or any(d.code == "ASL002" for d in diagnostics):
        return EXIT_ERROR
    return EXIT_FINDINGS if diagnostics and not args.exit_zero else EXIT_CLEAN


def _rules(args) -> int:
    rules = [RULES[code] for code in sorted(RULES)]
    if args.format == "json":
        print(json.dumps([{"code": r.code, "name": r.name, "summary": r.summary,
                           "enabled_by_default": r.enabled_by_default, "fix": r.fix} for r in rules], indent=2))
    else:
        for r in rules:
            flags = "" if r.enabled_by_default else "  (off by default)"
            print(f"{r.code}  {r.name:<28} {r.summary}{flags}")
    return EXIT_CLEAN


def _explain(args) -> int:
    from asynclint.docs import rule_page

    code = args.code.upper()
    if code not in RULES:
        raise UsageError(f"unknown rule {args.code!r}; `asynclint rules` lists them")
    sys.stdout.write(rule_page(RULES[code]))
    return EXIT_CLEAN
