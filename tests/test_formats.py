"""Output formats, through the CLI as a user runs it (a subprocess), and a few unit checks."""

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

import asynclint
from asynclint.model import Diagnostic
from asynclint.report import DOCS_URL, FORMATS, github, junit, sarif
from asynclint.rules import RULES
from conftest import ROOT

SOURCE = '''\
import time
import requests


async def handler(url):
    time.sleep(1)
    return requests.get(url)


async def tabbed():
\ttime.sleep(2)
'''
EXPECTED = [(6, 5, "ASL101"), (7, 12, "ASL102"), (11, 2, "ASL101")]


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A small project shared by the tests of this module (tests that write put .txt/.json files)."""
    tmp_path = tmp_path_factory.mktemp("project")
    (tmp_path / "app.py").write_text(SOURCE, encoding="utf-8")
    (tmp_path / "clean.py").write_text("async def ok():\n    return 1\n", encoding="utf-8")
    return tmp_path


_RUNS = {}


def cached_cli(*args, cwd):
    """The CLI's answer to ``args`` on the shared project, run once (each run is a new Python)."""
    key = (args, str(cwd))
    if key not in _RUNS:
        _RUNS[key] = cli(*args, cwd=cwd)
    return _RUNS[key]


def _without_fix_notes(text):
    """Findings may end with a note on the fix on offer (`` [fix: safe]``); these tests ignore it."""
    return re.sub(r" \[fix: \w+\]$", "", text, flags=re.MULTILINE)


def cli(*args, cwd, env=None, input=None):
    environment = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    environment.update(env or {})
    proc = subprocess.run([sys.executable, "-m", "asynclint", "check", *args], cwd=cwd, env=environment,
                          capture_output=True, text=True, input=input, timeout=120)
    return proc.returncode, _without_fix_notes(proc.stdout), proc.stderr


def test_every_format_is_offered(project):
    code, out, _ = cached_cli("--help", cwd=project)
    assert code == 0
    for name in ("text", "concise", "json", "jsonl", "github", "sarif", "junit", "gitlab", "rdjson"):
        assert name in FORMATS and name in out


def test_text_is_the_default_with_a_summary(project):
    code, out, _ = cached_cli("app.py", cwd=project)
    assert code == 1
    lines = out.splitlines()
    assert lines[:3] == [
        "app.py:6:5: ASL101 `time.sleep()` blocks the event loop; use `await asyncio.sleep()`",
        "app.py:7:12: ASL102 `requests.get()` blocks the event loop; use an async client such as "
        "`httpx.AsyncClient`",
        "app.py:11:2: ASL101 `time.sleep()` blocks the event loop; use `await asyncio.sleep()`",
    ]
    assert lines[3] == "Found 3 findings in 1 file (1 checked). 2 fixable with --fix, 1 more with --unsafe-fixes."
    assert "\x1b[" not in out  # a pipe is no terminal: no colour


def test_quiet_drops_the_summary(project):
    code, out, _ = cli("--quiet", ".", cwd=project)
    assert code == 1 and len(out.splitlines()) == 3 and "Found" not in out
    code, out, _ = cli("-q", "clean.py", cwd=project)
    assert code == 0 and out == ""


def test_concise_has_findings_only(project):
    code, out, _ = cli("--format", "concise", "--show-source", ".", cwd=project)
    assert code == 1
    assert out.splitlines() == [line for line in cached_cli(".", cwd=project)[1].splitlines()[:3]]


def test_show_source_prints_the_line_and_a_caret_under_the_call(project):
    code, out, _ = cli("--show-source", "app.py", cwd=project)
    assert code == 1
    lines = out.splitlines()
    assert lines[1] == "  6 |     time.sleep(1)"  # the gutter is as wide as the largest line number
    assert lines[2] == "    |     ^^^^^^^^^^^^^"
    # a tab is shown as spaces, and the caret still sits under the call
    assert lines[4] == "  7 |     return requests.get(url)"
    assert lines[5] == "    |            ^^^^^^^^^^^^^^^^^"
    assert lines[7] == " 11 |     time.sleep(2)"
    assert lines[8] == "    |     ^^^^^^^^^^^^^"


def test_show_source_works_for_standard_input(project):
    code, out, _ = cli("--show-source", "--stdin-filename", "x.py", cwd=project, input=SOURCE)
    assert code == 1
    assert "  6 |     time.sleep(1)" in out.splitlines()


def test_show_source_never_prints_control_characters(tmp_path):
    (tmp_path / "evil.py").write_text('import time\nasync def f():\n    time.sleep(1); "\x1b[2J"\n')
    code, out, _ = cli("--show-source", "evil.py", cwd=tmp_path)
    assert code == 1 and "\x1b" not in out and "\ufffd[2J" in out


def _run_on_a_terminal(args, cwd, env):
    """Run the CLI with its standard output on a pseudo-terminal; return what it printed."""
    pty = pytest.importorskip("pty")
    master, slave = pty.openpty()
    environment = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    environment.update(env)
    proc = subprocess.Popen([sys.executable, "-m", "asynclint", "check", *args], cwd=cwd, env=environment,
                            stdout=slave, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    proc.wait(timeout=120)
    os.close(master)
    return proc.returncode, b"".join(chunks).decode()


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_colour_on_a_terminal_and_never_with_no_color(project):
    code, out = _run_on_a_terminal(["--show-source", "app.py"], project, {})
    assert code == 1 and "\x1b[" in out and "ASL101" in out
    code, out = _run_on_a_terminal(["--show-source", "app.py"], project, {"NO_COLOR": "1"})
    assert code == 1 and "\x1b[" not in out and "ASL101" in out


def test_json_and_jsonl_carry_the_same_objects(project):
    _, out, _ = cached_cli("--format", "json", ".", cwd=project)
    findings = json.loads(out)
    assert [(f["line"], f["column"], f["code"]) for f in findings] == EXPECTED
    code, out, _ = cached_cli("--format", "jsonl", ".", cwd=project)
    assert code == 1
    assert [json.loads(line) for line in out.splitlines()] == findings
    assert set(findings[0]) == {"path", "line", "column", "end_line", "end_column", "code", "message", "fix"}


def test_github_annotations(project):
    code, out, _ = cached_cli("--format", "github", ".", cwd=project)
    assert code == 1
    lines = out.splitlines()
    assert len(lines) == 3
    assert lines[0] == ("::error file=app.py,line=6,col=5,endLine=6,endColumn=18,title=ASL101 blocking-sleep"
                        "::ASL101 `time.sleep()` blocks the event loop; use `await asyncio.sleep()`")


def test_github_escapes_properties_and_data():
    d = Diagnostic("dir,a/b:c%.py", 3, 1, "ASL101", "100% sure\nsecond line\r", 3, 5)
    line = github([d])
    assert line == ("::error file=dir%2Ca/b%3Ac%25.py,line=3,col=1,endLine=3,endColumn=5,"
                    "title=ASL101 blocking-sleep::ASL101 100%25 sure%0Asecond line%0D\n")
    assert line.count("\n") == 1


# -- SARIF ---------------------------------------------------------------------------------------
# A minimal structural schema, written from the SARIF 2.1.0 specification's required properties
# and value constraints for the objects asynclint emits (the full schema is not shipped by any
# package we install). Objects whose complete property list is short are closed, to catch typos.

_MESSAGE_STRING = {"type": "object", "required": ["text"],
                   "properties": {"text": {"type": "string"}, "markdown": {"type": "string"},
                                  "properties": {"type": "object"}},
                   "additionalProperties": False}
_ARTIFACT_LOCATION = {"type": "object", "properties": {"uri": {"type": "string", "minLength": 1},
                                                       "uriBaseId": {"type": "string"},
                                                       "index": {"type": "integer", "minimum": -1}}}
_REGION = {"type": "object",
           "properties": {name: {"type": "integer", "minimum": 1}
                          for name in ("startLine", "startColumn", "endLine", "endColumn")},
           "additionalProperties": False}
_LEVEL = {"enum": ["none", "note", "warning", "error"]}
_LOCATION = {"type": "object", "properties": {
    "id": {"type": "integer", "minimum": -1},
    "message": _MESSAGE_STRING,
    "physicalLocation": {
        "type": "object",
        "anyOf": [{"required": ["address"]}, {"required": ["artifactLocation"]}],
        "properties": {"artifactLocation": _ARTIFACT_LOCATION, "region": _REGION}},
}, "additionalProperties": False}
SARIF_MINIMAL_SCHEMA = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "required": ["version", "runs"],
    "properties": {
        "$schema": {"type": "string", "format": "uri"},
        "version": {"const": "2.1.0"},
        "runs": {"type": ["array", "null"], "items": {
            "type": "object",
            "required": ["tool"],
            "properties": {
                "tool": {"type": "object", "required": ["driver"], "properties": {"driver": {
                    "type": "object", "required": ["name"],
                    "properties": {
                        "name": {"type": "string"}, "version": {"type": "string"},
                        "semanticVersion": {"type": "string"},
                        "informationUri": {"type": "string", "format": "uri"},
                        "rules": {"type": "array", "uniqueItems": True, "items": {
                            "type": "object", "required": ["id"],
                            "properties": {
                                "id": {"type": "string"}, "name": {"type": "string"},
                                "shortDescription": _MESSAGE_STRING, "fullDescription": _MESSAGE_STRING,
                                "help": _MESSAGE_STRING, "helpUri": {"type": "string", "format": "uri"},
                                "defaultConfiguration": {
                                    "type": "object",
                                    "properties": {"enabled": {"type": "boolean"}, "level": _LEVEL,
                                                   "rank": {"type": "number"}},
                                    "additionalProperties": False},
                                "properties": {"type": "object"},
                            },
                            "additionalProperties": False}},
                    }}}},
                "originalUriBaseIds": {"type": "object", "additionalProperties": _ARTIFACT_LOCATION},
                "columnKind": {"enum": ["utf16CodeUnits", "unicodeCodePoints"]},
                "results": {"type": ["array", "null"], "items": {
                    "type": "object",
                    "required": ["message"],
                    "properties": {
                        "ruleId": {"type": "string"},
                        "ruleIndex": {"type": "integer", "minimum": -1},
                        "level": _LEVEL,
                        "message": {"type": "object", "anyOf": [{"required": ["text"]}, {"required": ["id"]}],
                                    "properties": {"text": {"type": "string"}}},
                        "locations": {"type": "array", "items": _LOCATION},
                        "relatedLocations": {"type": "array", "uniqueItems": True, "items": _LOCATION},
                        "properties": {"type": "object"},
                    }}},
            }}},
    },
}


def _validate_sarif(log):
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft7Validator(SARIF_MINIMAL_SCHEMA, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def test_sarif_log_is_structurally_valid_and_carries_rule_metadata(project):
    code, out, _ = cached_cli("--format", "sarif", ".", cwd=project)
    assert code == 1
    log = json.loads(out)
    _validate_sarif(log)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted(RULES)
    for descriptor in rules:
        rule = RULES[descriptor["id"]]
        assert descriptor["name"] == rule.name
        assert descriptor["shortDescription"]["text"] and descriptor["fullDescription"]["text"]
        assert descriptor["helpUri"] == DOCS_URL.format(code=rule.code)
        assert descriptor["helpUri"].endswith(f"docs/rules/{rule.code}.md")
        assert os.path.isfile(os.path.join(ROOT, "docs", "rules", f"{rule.code}.md"))
    results = run["results"]
    assert len(results) == 3
    for result, (line, col, rule_code) in zip(results, EXPECTED):
        assert result["ruleId"] == rule_code and rules[result["ruleIndex"]]["id"] == rule_code
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"] == {"uri": "app.py", "uriBaseId": "%SRCROOT%"}
        assert (location["region"]["startLine"], location["region"]["startColumn"]) == (line, col)
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"].startswith("file://")


def test_sarif_of_a_clean_run_and_of_odd_paths():
    _validate_sarif(json.loads(sarif([])))
    odd = [Diagnostic("my dir/ü.py", 1, 1, "ASL101", "m", 1, 2),
           Diagnostic(os.path.abspath("x.py"), 2, 3, "ASL999", "unknown rule", 0, 0)]
    log = json.loads(sarif(odd))
    _validate_sarif(log)
    first, second = log["runs"][0]["results"]
    assert first["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "my%20dir/%C3%BC.py"
    assert second["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].startswith("file:///")
    assert "ruleIndex" not in second


# -- related locations: the later calls a finding covers ------------------------------------------

LATER = 'async def load(p):\n    f = open(p)\n    s = "\u00e9"; data = f.read()\n    return data + f.read(2)\n'


def test_later_calls_are_data_in_json_sarif_and_rdjson(tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    (tmp_path / "later.py").write_text(LATER, encoding="utf-8")
    code, out, err = cli("--format", "json", "later.py", cwd=tmp_path)
    assert code == 1, err
    [finding] = json.loads(out)
    assert (finding["code"], finding["line"]) == ("ASL103", 2)
    assert finding["related"] == [
        {"line": 3, "column": 21, "end_line": 3, "end_column": 29, "text": "f.read()"},
        {"line": 4, "column": 19, "end_line": 4, "end_column": 28, "text": "f.read(2)"}]
    diagnostics = asynclint.lint_source(LATER, str(tmp_path / "later.py"))

    log = json.loads(sarif(diagnostics))
    _validate_sarif(log)
    related = log["runs"][0]["results"][0]["relatedLocations"]
    assert [(r["id"], r["physicalLocation"]["region"], r["message"]["text"]) for r in related] == [
        (0, {"startLine": 3, "startColumn": 21, "endLine": 3, "endColumn": 29}, "later call on what it returns: `f.read()`"),
        (1, {"startLine": 4, "startColumn": 19, "endLine": 4, "endColumn": 28}, "later call on what it returns: `f.read(2)`")]
    assert related[0]["physicalLocation"]["artifactLocation"]["uri"].endswith("later.py")

    result = json.loads(FORMATS["rdjson"](diagnostics))
    jsonschema.Draft7Validator(_schema("rdjson.json"), format_checker=jsonschema.FormatChecker()).validate(result)
    [first, second] = result["diagnostics"][0]["related_locations"]
    assert first["message"] == "later call on what it returns: `f.read()`"
    assert first["location"]["range"] == {"start": {"line": 3, "column": 22}, "end": {"line": 3, "column": 30}}  # é: 2 bytes
    assert second["location"]["range"]["start"] == {"line": 4, "column": 19}
    assert "related" not in FORMATS["text"](diagnostics) and "f.read()" in FORMATS["text"](diagnostics)


# -- JUnit ---------------------------------------------------------------------------------------

def test_junit_is_valid_xml_with_a_failed_testcase_per_finding(project):
    code, out, _ = cached_cli("--format", "junit", ".", cwd=project)
    assert code == 1
    root = ET.fromstring(out.encode("utf-8"))
    assert root.tag == "testsuites" and root.get("tests") == "3" and root.get("failures") == "3"
    cases = root.findall("./testsuite/testcase")
    assert len(cases) == 3
    assert [case.get("classname") for case in cases] == ["./app.py"] * 3
    assert all(case.find("failure") is not None for case in cases)
    assert cases[0].find("failure").get("type") == "ASL101"


def test_junit_of_a_clean_run_has_one_passing_case(project):
    code, out, _ = cli("--format", "junit", "clean.py", cwd=project)
    assert code == 0
    root = ET.fromstring(out.encode("utf-8"))
    cases = root.findall("./testsuite/testcase")
    assert len(cases) == 1 and cases[0].find("failure") is None


def test_junit_survives_characters_xml_cannot_carry():
    out = junit([Diagnostic("a\x01<b>&.py", 1, 1, "ASL101", 'say "hi" \x1b & <bye>', 1, 2)])
    root = ET.fromstring(out.encode("utf-8"))
    assert root.find("./testsuite").get("name") == "a\ufffd<b>&.py"


# -- statistics and the output file -------------------------------------------------------------

def test_statistics_counts_per_code(project):
    code, out, _ = cli("--statistics", ".", cwd=project)
    assert code == 1
    assert [line.split("  (")[0] for line in out.splitlines()[:2]] == ["2  ASL101  blocking-sleep",
                                                                       "1  ASL102  blocking-http-call"]
    code, out, _ = cli("--statistics", "--format", "json", ".", cwd=project)
    rows = json.loads(out)
    assert [{k: row[k] for k in ("code", "name", "count")} for row in rows] == [
        {"code": "ASL101", "name": "blocking-sleep", "count": 2},
        {"code": "ASL102", "name": "blocking-http-call", "count": 1}]
    assert all(0 <= row["fixable"] <= row["count"] for row in rows)
    code, _, err = cli("--statistics", "--format", "sarif", ".", cwd=project)
    assert code == 2 and "--statistics" in err


def test_output_file_receives_the_report(project):
    code, out, _ = cli("--format", "sarif", "--output-file", "reports/asynclint.sarif", ".", cwd=project)
    assert code == 1 and out == ""
    log = json.loads((project / "reports" / "asynclint.sarif").read_text(encoding="utf-8"))
    assert len(log["runs"][0]["results"]) == 3
    code, out, _ = cli("-o", "report.txt", ".", cwd=project)
    assert code == 1 and out == ""
    written = (project / "report.txt").read_text(encoding="utf-8")
    assert "app.py:6:5: ASL101" in written and "Found 3 findings" in written and "\x1b[" not in written


def test_output_file_that_cannot_be_written_is_a_usage_error(project):
    (project / "taken").write_text("")
    code, _, err = cli("-o", "taken/report.json", ".", cwd=project)
    assert code == 2 and "--output-file" in err


def _schema(name):
    with open(os.path.join(ROOT, "tests", "data", "schemas", name), encoding="utf-8") as handle:
        return json.load(handle)


def test_gitlab_code_quality_report(project):
    jsonschema = pytest.importorskip("jsonschema")
    (project / "twice.py").write_text("import time\n\n\nasync def f():\n    time.sleep(1)\n    time.sleep(1)\n")
    code, out, _ = cli("--format", "gitlab", ".", cwd=project)
    assert code == 1
    issues = json.loads(out)
    jsonschema.Draft7Validator(_schema("gitlab-codequality.json")).validate(issues)
    assert [(i["location"]["path"], i["location"]["lines"]["begin"], i["check_name"]) for i in issues] == \
        [("app.py", line, code) for line, _, code in EXPECTED] + [("twice.py", 5, "ASL101"), ("twice.py", 6, "ASL101")]
    assert len({i["fingerprint"] for i in issues}) == len(issues)  # GitLab shows one issue per fingerprint
    (project / "twice.py").write_text("\n\nimport time\n\n\nasync def f():\n    time.sleep(1)\n    time.sleep(1)\n")
    moved = json.loads(cli("--format", "gitlab", ".", cwd=project)[1])
    assert [i["fingerprint"] for i in moved] == [i["fingerprint"] for i in issues]  # lines moved: same issues
    (project / "twice.py").unlink()


def test_rdjson_for_reviewdog(project):
    jsonschema = pytest.importorskip("jsonschema")
    (project / "wide.py").write_text('import time\n\n\nasync def f():\n    s = "\u00e9\U0001d11e"; time.sleep(1)\n',
                                     encoding="utf-8")
    code, out, _ = cli("--format", "rdjson", ".", cwd=project)
    assert code == 1
    result = json.loads(out)
    jsonschema.Draft7Validator(_schema("rdjson.json"), format_checker=jsonschema.FormatChecker()).validate(result)
    assert result["source"]["name"] == "asynclint"
    found = [(d["location"]["path"], d["location"]["range"]["start"]["line"],
              d["location"]["range"]["start"]["column"], d["code"]["value"]) for d in result["diagnostics"]]
    # reviewdog counts columns in UTF-8 bytes: é is 2, the musical symbol 4.
    assert found == [("app.py", line, column, code) for line, column, code in EXPECTED] + [("wide.py", 5, 19, "ASL101")]
    wide = result["diagnostics"][-1]["location"]["range"]
    assert wide["end"]["column"] - wide["start"]["column"] == len("time.sleep(1)")
    (project / "wide.py").unlink()
