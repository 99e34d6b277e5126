"""Output formats: each turns the run's diagnostics into text.

``FORMATS`` maps a format name to a function of the (sorted) diagnostics list. Some take
keyword options as well (``text``: the source line and colour); the CLI passes those.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import PurePath
from typing import Callable, Iterable, Mapping
from urllib.parse import quote

from asynclint._version import __version__
from asynclint.model import Diagnostic, Related
from asynclint.rules import RULES
from asynclint.source import SourceError, read_source

# Where the rule pages live on the web (SARIF's helpUri, GitHub's annotation titles link there).
REPOSITORY_URL = "https://github.com/asynclint/asynclint"
DOCS_URL = REPOSITORY_URL + "/blob/main/docs/rules/{code}.md"

# -- text ---------------------------------------------------------------------------------------

_BOLD, _RED, _BLUE, _RESET = "\x1b[1m", "\x1b[31m", "\x1b[34m", "\x1b[0m"
_TAB = 4


def fix_note(d: Diagnostic) -> str:
    """`` [fix: safe]`` / `` [fix: unsafe]`` after a message whose finding has a fix, with the reason
    when the fix is only unsafe here (`` [fix: unsafe, inside a threading lock]``) or withheld
    (`` [fix: none, touches the event loop]``)."""
    if d.fix_reason:
        return f" [fix: {d.fix or 'none'}, {d.fix_reason}]"
    return f" [fix: {d.fix}]" if d.fix else ""


def text(diagnostics: list[Diagnostic], *, show_source: bool = False, color: bool = False,
         sources: Mapping[str, str] | None = None) -> str:
    """``path:line:col: CODE message``, one a line; with ``show_source``, the line and a caret.

    ``sources`` gives the text of files that are not on disk (standard input).
    """
    def paint(style: str, value: str) -> str:
        return f"{style}{value}{_RESET}" if color else value

    lines_of = _SourceLines(sources or {})
    gutter = max((len(str(d.line)) for d in diagnostics), default=1)
    out = []
    for d in diagnostics:
        code = paint(_BOLD + _RED, d.code)
        out.append(f"{paint(_BOLD, where(d))}:{d.line}:{d.col}: {code} {d.message}{fix_note(d)}\n")
        if show_source and d.cell is None:  # (a notebook's lines are in its JSON, not its text)
            out.append(_snippet(d, lines_of(d.path), paint, gutter))
    return "".join(out)


def concise(diagnostics: list[Diagnostic]) -> str:
    """One line a finding, never a summary or source: for scripts and editors' problem matchers."""
    return "".join(f"{where(d)}:{d.line}:{d.col}: {d.code} {d.message}\n" for d in diagnostics)


def where(d: Diagnostic) -> str:
    """The file, and in a notebook the cell, as ruff writes it: ``nb.ipynb:cell 3``."""
    return d.path if d.cell is None else f"{d.path}:cell {d.cell}"


class _SourceLines:
    """The lines of each reported file, read once (a file that cannot be read has none)."""

    def __init__(self, sources: Mapping[str, str]) -> None:
        self.cache: dict[str, list[str]] = {path: _split(text) for path, text in sources.items()}

    def __call__(self, path: str) -> list[str]:
        if path not in self.cache:
            try:
                self.cache[path] = _split(read_source(path))
            except SourceError:
                self.cache[path] = []
        return self.cache[path]


def _split(source: str) -> list[str]:
    return re.split(r"\r\n|\r|\n", source)


def _printable(line: str) -> str:
    """Never send a file's control characters (an escape sequence) to the terminal."""
    return "".join(c if c.isprintable() or c == "\t" else "\ufffd" for c in line)


def _snippet(d: Diagnostic, lines: list[str], paint, gutter: int) -> str:
    if not 1 <= d.line <= len(lines):
        return ""
    line = _printable(lines[d.line - 1].rstrip())
    start = len(line[: d.col - 1].expandtabs(_TAB))
    shown = line.expandtabs(_TAB)
    if d.end_line == d.line and d.end_col > d.col:
        end = len(line[: d.end_col - 1].expandtabs(_TAB))
    else:
        end = len(shown)
    width = max(1, end - start)
    number = " " + str(d.line).rjust(gutter) + " |"
    blank = " " * (gutter + 1) + " |"
    return (f"{paint(_BLUE, number)} {shown}\n"
            f"{paint(_BLUE, blank)} {' ' * start}{paint(_RED, '^' * width)}\n")


# -- json ---------------------------------------------------------------------------------------

def end_of(d: Diagnostic | Related) -> tuple[int, int]:
    """Where a finding ends, 1-based; a finding without an extent (ASL001, ASL003) ends where it starts."""
    return (d.end_line, d.end_col) if d.end_line else (d.line, d.col)


def as_dict(d: Diagnostic) -> dict:
    end_line, end_col = end_of(d)
    return {
        "path": d.path, "line": d.line, "column": d.col, "end_line": end_line, "end_column": end_col,
        "code": d.code, "message": d.message,
        "fix": None if d.fix is None else {"applicability": d.fix, "reason": d.fix_reason},
        **({"fix_withheld": d.fix_reason} if d.fix is None and d.fix_reason else {}),
        **({} if d.cell is None else {"cell": d.cell}),  # a notebook's: lines count in that cell
        **({"chain": [dict(zip(("step", "path", "line", "when"), step)) for step in d.chain]} if d.chain else {}),
        **({"related": [_related_dict(r) for r in d.related]} if d.related else {}),
    }


def _related_dict(r: Related) -> dict:
    return {"line": r.line, "column": r.col, "end_line": r.end_line, "end_column": r.end_col, "text": r.text,
            **({} if r.cell is None else {"cell": r.cell})}


def related_message(r: Related) -> str:
    """What a related location is, said where it is shown apart from its finding (SARIF, an editor)."""
    first, *more = r.text.splitlines() or [""]
    shown = first if len(first) <= 60 and not more else first[:57].rstrip() + "..."
    return f"later call on what it returns: `{shown}`"


def json_report(diagnostics: list[Diagnostic]) -> str:
    return json.dumps([as_dict(d) for d in diagnostics], indent=2) + "\n"


def jsonl(diagnostics: list[Diagnostic]) -> str:
    """One JSON object a line (JSON Lines), for streaming consumers and ``grep``."""
    return "".join(json.dumps(as_dict(d)) + "\n" for d in diagnostics)


# -- GitHub Actions -----------------------------------------------------------------------------

def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def _relative_path(path: str) -> str:
    """``./pkg/mod.py`` as ``pkg/mod.py``, with forward slashes, as CI services expect."""
    return os.path.normpath(path).replace(os.sep, "/") if path else path


def github(diagnostics: list[Diagnostic]) -> str:
    """Workflow commands: GitHub Actions shows each as an annotation on the file and line."""
    out = []
    for d in diagnostics:
        rule = RULES.get(d.code)
        properties = {"file": _relative_path(d.path), "line": d.line, "col": d.col}
        if d.end_line:
            properties["endLine"] = d.end_line
            if d.end_col:
                properties["endColumn"] = d.end_col
        properties["title"] = f"{d.code} {rule.name}" if rule else d.code
        fields = ",".join(f"{key}={_escape_property(str(value))}" for key, value in properties.items())
        out.append(f"::error {fields}::{_escape_data(f'{d.code} {d.message}')}\n")
    return "".join(out)


# -- SARIF 2.1.0 --------------------------------------------------------------------------------

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _sentence(summary: str) -> str:
    return f"{summary[0].upper()}{summary[1:]}." if summary else ""


def _sarif_rule(rule) -> dict:
    documentation = rule.documentation()
    descriptor = {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": _sentence(rule.summary)},
        "fullDescription": {"text": documentation or _sentence(rule.summary),
                            "markdown": documentation or _sentence(rule.summary)},
        "helpUri": DOCS_URL.format(code=rule.code),
        "help": {"text": f"{_sentence(rule.summary)} See {DOCS_URL.format(code=rule.code)}",
                 "markdown": f"{_sentence(rule.summary)} [{rule.code}]({DOCS_URL.format(code=rule.code)})"},
        "defaultConfiguration": {"enabled": rule.enabled_by_default, "level": "error"},
        "properties": {"fix": rule.fix_applicability} if rule.fix_applicability else {},
    }
    if not descriptor["properties"]:
        del descriptor["properties"]
    return descriptor


def _artifact(path: str) -> dict:
    if os.path.isabs(path):
        return {"uri": PurePath(path).as_uri()}
    return {"uri": quote(_relative_path(path)), "uriBaseId": "%SRCROOT%"}


def _region(found: Diagnostic | Related) -> dict:
    region = {"startLine": found.line, "startColumn": found.col}
    if found.end_line >= found.line:
        region["endLine"] = found.end_line
        if found.end_col and (found.end_line > found.line or found.end_col >= found.col):
            region["endColumn"] = found.end_col
    return region


def sarif(diagnostics: list[Diagnostic]) -> str:
    """A SARIF 2.1.0 log: one run, every rule's metadata, one result a finding."""
    codes = sorted(RULES)
    index = {code: i for i, code in enumerate(codes)}
    results = []
    for d in diagnostics:
        result = {
            "ruleId": d.code,
            "level": "error",
            "message": {"text": d.message},
            "locations": [{"physicalLocation": {"artifactLocation": _artifact(d.path), "region": _region(d)}}],
        }
        if d.related:
            result["relatedLocations"] = [
                {"id": number, "message": {"text": related_message(r)},
                 "physicalLocation": {"artifactLocation": _artifact(d.path), "region": _region(r)}}
                for number, r in enumerate(d.related)]
        if d.code in index:
            result["ruleIndex"] = index[d.code]
        if d.fix:
            result["properties"] = {"fix": d.fix}
        results.append(result)
    root = os.getcwd().replace(os.sep, "/").rstrip("/") + "/"
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "asynclint",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": REPOSITORY_URL,
                "rules": [_sarif_rule(RULES[code]) for code in codes],
            }},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": PurePath(root).as_uri() + "/"}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return json.dumps(log, indent=2) + "\n"


# -- JUnit XML ----------------------------------------------------------------------------------

# Characters XML 1.0 cannot carry at all, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _xml_text(value: str) -> str:
    return _NOT_XML.sub("\ufffd", value)


def junit(diagnostics: list[Diagnostic]) -> str:
    """JUnit XML for CI test reports: a test suite per file, a failed test case per finding.

    A clean run is one passing test case, so that the report is never empty.
    """
    import xml.etree.ElementTree as ET  # here: the other formats, the usual ones, need no XML

    suites = ET.Element("testsuites", name="asynclint", tests=str(max(1, len(diagnostics))),
                        failures=str(len(diagnostics)), errors="0")
    by_file: dict[str, list[Diagnostic]] = {}
    for d in diagnostics:
        by_file.setdefault(d.path, []).append(d)
    if not by_file:
        suite = ET.SubElement(suites, "testsuite", name="asynclint", tests="1", failures="0", errors="0")
        ET.SubElement(suite, "testcase", name="no findings", classname="asynclint")
    for path, found in by_file.items():
        name = _xml_text(path)
        suite = ET.SubElement(suites, "testsuite", name=name, tests=str(len(found)),
                              failures=str(len(found)), errors="0")
        for d in found:
            case = ET.SubElement(suite, "testcase", name=f"{d.code} at line {d.line}, column {d.col}",
                                 classname=name, file=name, line=str(d.line))
            failure = ET.SubElement(case, "failure", message=_xml_text(f"{d.code} {d.message}"), type=d.code)
            failure.text = _xml_text(f"{where(d)}:{d.line}:{d.col}: {d.code} {d.message}")
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


# -- GitLab Code Quality ------------------------------------------------------------------------

# The findings that say a file was not (fully) checked rank above the rules' findings.
_NOT_CHECKED = frozenset({"ASL001", "ASL002", "ASL003"})


def gitlab(diagnostics: list[Diagnostic]) -> str:
    """GitLab's Code Quality report (``artifacts: reports: codequality``): a JSON array of issues
    with description, check_name, fingerprint, severity and location (path, lines). The
    fingerprint leaves the line out, so that a finding keeps it when code above it moves; the
    same finding twice in a file is told apart by its rank."""
    issues = []
    seen: Counter = Counter()
    for d in diagnostics:
        path = _relative_path(d.path)
        identity = (path, d.code, d.message)
        seen[identity] += 1
        end_line, _ = end_of(d)
        digest = hashlib.sha256("\0".join((*identity, str(seen[identity]))).encode("utf-8", "surrogatepass"))
        issues.append({
            "type": "issue",
            "description": f"{d.code} {d.message}",
            "check_name": d.code,
            "fingerprint": digest.hexdigest()[:32],
            "severity": "major" if d.code in _NOT_CHECKED else "minor",
            "location": {"path": path, "lines": {"begin": d.line, "end": end_line}},
        })
    return json.dumps(issues, indent=2) + "\n"


# -- reviewdog (rdjson) -------------------------------------------------------------------------

def rdjson(diagnostics: list[Diagnostic]) -> str:
    """reviewdog's Diagnostic Format, one DiagnosticResult (``reviewdog -f=rdjson``). Its columns
    count UTF-8 bytes, so a column on a line with other characters is converted from the file."""
    lines_of = _SourceLines({})
    results = []
    for d in diagnostics:
        lines = lines_of(d.path)

        def location(found: Diagnostic | Related) -> dict:
            end_line, end_col = end_of(found)
            return {"path": _relative_path(d.path), "range": {
                "start": {"line": found.line, "column": _utf8_column(lines, found.line, found.col)},
                "end": {"line": end_line, "column": _utf8_column(lines, end_line, end_col)}}}
        results.append({
            "message": d.message,
            "location": location(d),
            "severity": "ERROR" if d.code in _NOT_CHECKED else "WARNING",
            "code": {"value": d.code, "url": DOCS_URL.format(code=d.code)},
            **({"related_locations": [{"message": related_message(r), "location": location(r)} for r in d.related]}
               if d.related else {}),
        })
    return json.dumps({"source": {"name": "asynclint", "url": REPOSITORY_URL}, "diagnostics": results},
                      indent=2) + "\n"


def _utf8_column(lines: list[str], line: int, column: int) -> int:
    """A 1-based character column as a 1-based UTF-8 byte column (past the text: as many more)."""
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    return len(text[:column - 1].encode("utf-8", "surrogatepass")) + 1 + max(0, column - 1 - len(text))


# -- the registry -------------------------------------------------------------------------------

FORMATS: dict[str, Callable[[list[Diagnostic]], str]] = {
    "text": text,
    "concise": concise,
    "json": json_report,
    "jsonl": jsonl,
    "github": github,
    "sarif": sarif,
    "junit": junit,
    "gitlab": gitlab,
    "rdjson": rdjson,
}


# -- summaries ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Coverage:
    """What a run looked at, for the summary line."""

    files: int  # files checked
    without_async: int = 0  # of those, files the early skip left unparsed: no async code to analyse
    problems: int = 0  # paths that could not be checked at all


def _count(number: int, word: str) -> str:
    return f"{number} {word}{'' if number == 1 else 's'}"


def summary(diagnostics: Iterable[Diagnostic], coverage: Coverage) -> str:
    """``Found 3 findings in 2 files (433 files: 176 analysed, 257 without async code). 2 fixable
    with --fix, 1 more with --unsafe-fixes.`` The numbers say what was and was not analysed:
    a file without async code is not parsed, so a syntax error there is not reported, and a
    file written for a newer Python than the one running asynclint is counted apart."""
    diagnostics = list(diagnostics)
    files = _count(coverage.files, "file")
    if coverage.without_async:
        scope = short_scope = (f"{files}: {coverage.files - coverage.without_async} analysed, "
                               f"{coverage.without_async} without async code")
    else:
        scope, short_scope = f"{files} checked", f"{coverage.files} checked"
    if coverage.problems:
        found = _count(len(diagnostics), "finding") if diagnostics else "no findings"
        line = f"{_count(coverage.problems, 'path')} could not be checked (see the errors); {found} in the {scope}."
    elif not diagnostics:
        line = f"All checks passed ({scope})."
    else:
        line = (f"Found {_count(len(diagnostics), 'finding')} in {_count(len({d.path for d in diagnostics}), 'file')}"
                f" ({short_scope}).")
    newer = Counter(d.message.split(";")[0] for d in diagnostics
                    if d.code == "ASL001" and d.message.startswith(NEEDS_NEWER))
    for needs, count in sorted(newer.items()):
        verb = needs if count == 1 else "need" + needs.removeprefix("needs")
        line += f" {_count(count, 'file')} {verb} (asynclint runs on {_running_python()})."
    safe = sum(1 for d in diagnostics if d.fix == "safe")
    unsafe = sum(1 for d in diagnostics if d.fix == "unsafe")
    fixable = [f"{safe} fixable with --fix"] if safe else []
    if unsafe:
        fixable.append(f"{unsafe} {'more ' if safe else 'fixable '}with --unsafe-fixes")
    return line + (f" {', '.join(fixable)}." if fixable else "")


NEEDS_NEWER = "needs Python >= "  # how an ASL001 for newer syntax begins (syntax_version.message)


def _running_python() -> str:
    return f"{sys.version_info.major}.{sys.version_info.minor}"


def statistics(diagnostics: Iterable[Diagnostic]) -> list[dict]:
    """How many findings of each code, the most frequent first."""
    counts = Counter(d.code for d in diagnostics)
    fixable = Counter(d.code for d in diagnostics if d.fix)
    rows = []
    for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        rule = RULES.get(code)
        rows.append({"code": code, "name": rule.name if rule else "", "count": count,
                     "fixable": fixable[code]})
    return rows


def statistics_report(diagnostics: list[Diagnostic], format: str) -> str:
    """``--statistics``: a table for people, or JSON (json, jsonl) for programs."""
    rows = statistics(diagnostics)
    if format == "json":
        return json.dumps(rows, indent=2) + "\n"
    if format == "jsonl":
        return "".join(json.dumps(row) + "\n" for row in rows)
    width = max((len(str(row["count"])) for row in rows), default=1)
    return "".join(f"{row['count']:>{width}}  {row['code']}  {row['name']}"
                   f"{'  (' + str(row['fixable']) + ' fixable)' if row['fixable'] else ''}\n" for row in rows)


STATISTICS_FORMATS = ("text", "concise", "json", "jsonl")
