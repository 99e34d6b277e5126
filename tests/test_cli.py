"""The asynclint command, run as a subprocess: exit codes, formats, options, configuration."""

import json
import os
import re

import pytest

from asynclint.rules import RULES
from conftest import FIXTURES

BLOCKING = "import time\n\n\nasync def f():\n    time.sleep(1)\n"
CLEAN = "import asyncio\n\n\nasync def f():\n    await asyncio.sleep(1)\n"
SEVERAL = (
    "import os\nimport time\n\nimport requests\n\n\n"
    "async def f(url):\n    time.sleep(1)\n    requests.get(url)\n    os.remove(url)\n"
)
LINE = re.compile(r"^(?P<path>.+):(?P<line>\d+):(?P<col>\d+): (?P<code>ASL\d{3}) (?P<message>.+)$")


def write(directory, name, text, mode="w"):
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def run_main(tmp_path, monkeypatch, capsys):
    """The same command in-process (``cli.main``), for the many option combinations: much faster."""
    from asynclint.cli import main

    def run(*args, cwd=None):
        monkeypatch.chdir(cwd or tmp_path)
        capsys.readouterr()
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def findings(stdout):
    """(path, line, col, code) of every finding line of text output."""
    return [(m["path"], int(m["line"]), int(m["col"]), m["code"])
            for m in map(LINE.match, stdout.splitlines()) if m]


# -- exit codes and formats ----------------------------------------------------------------------

def test_clean_file_exits_0(run_cli, tmp_path):
    write(tmp_path, "ok.py", CLEAN)
    code, out, err = run_cli("check", "ok.py")
    assert code == 0, err
    assert findings(out) == []
    assert "All checks passed (1 file checked)." in out


def test_findings_exit_1_with_text_lines(run_cli, tmp_path):
    write(tmp_path, "bad.py", BLOCKING)
    code, out, err = run_cli("check", "bad.py")
    assert code == 1, err
    assert findings(out) == [("bad.py", 5, 5, "ASL101")]
    assert "`time.sleep()` blocks the event loop; use `await asyncio.sleep()`" in out
    assert "Found 1 finding in 1 file (1 checked)." in out


def test_check_is_the_default_command(run_main, tmp_path):
    write(tmp_path, "bad.py", BLOCKING)
    code, out, _ = run_main("bad.py")
    assert code == 1 and findings(out) == [("bad.py", 5, 5, "ASL101")]


def test_directory_is_the_default_path(run_cli, tmp_path):
    write(tmp_path, "pkg/bad.py", BLOCKING)
    code, out, _ = run_cli("check")
    assert code == 1
    assert [f[1:] for f in findings(out)] == [(5, 5, "ASL101")]


def test_json_format(run_cli, tmp_path):
    write(tmp_path, "bad.py", SEVERAL)
    code, out, _ = run_cli("check", "--format", "json", "bad.py")
    assert code == 1
    data = json.loads(out)
    assert [(d["path"], d["line"], d["column"], d["code"]) for d in data] == [
        ("bad.py", 8, 5, "ASL101"), ("bad.py", 9, 5, "ASL102"), ("bad.py", 10, 5, "ASL104")]
    first = data[0]
    assert set(first) >= {"path", "line", "column", "end_line", "end_column", "code", "message", "fix"}
    assert (first["end_line"], first["end_column"]) == (8, 18)


def test_json_format_clean_is_an_empty_list(run_main, tmp_path):
    write(tmp_path, "ok.py", CLEAN)
    code, out, _ = run_main("check", "--format", "json", "ok.py")
    assert code == 0 and json.loads(out) == []


def test_quiet_prints_findings_only(run_main, tmp_path):
    write(tmp_path, "bad.py", BLOCKING)
    code, out, _ = run_main("check", "-q", "bad.py")
    assert code == 1 and out.splitlines() == [out.splitlines()[0]] and "Found" not in out


def test_exit_zero(run_cli, tmp_path):
    write(tmp_path, "bad.py", BLOCKING)
    code, out, _ = run_cli("check", "--exit-zero", "bad.py")
    assert code == 0
    assert findings(out) == [("bad.py", 5, 5, "ASL101")]


def test_unknown_option_is_a_usage_error(run_cli, tmp_path):
    code, _, err = run_cli("check", "--no-such-option", ".")
    assert code == 2 and "--no-such-option" in err


def test_noqa(run_main, tmp_path):
    write(tmp_path, "bad.py", BLOCKING.replace("time.sleep(1)", "time.sleep(1)  # noqa: ASL101"))
    assert run_main("check", "bad.py")[0] == 0


# -- select / ignore -----------------------------------------------------------------------------

@pytest.mark.parametrize("args, expected", [
    ((), ["ASL101", "ASL102", "ASL104"]),
    (("--select", "ASL101"), ["ASL101"]),
    (("--select", "ASL10"), ["ASL101", "ASL102", "ASL104"]),
    (("--select", "asl101,ASL102"), ["ASL101", "ASL102"]),
    (("--ignore", "ASL101"), ["ASL102", "ASL104"]),
    (("--ignore", "ASL1"), []),
    (("--select", "ASL1", "--ignore", "ASL10"), []),
    (("--select", "ASL101", "--extend-select", "ASL104"), ["ASL101", "ASL104"]),
    (("--ignore", "ASL1", "--select", "ASL102"), ["ASL102"]),  # the more specific prefix wins
])
def test_select_ignore_prefixes(run_main, tmp_path, args, expected):
    write(tmp_path, "bad.py", SEVERAL)
    code, out, err = run_main("check", *args, "bad.py")
    assert [f[3] for f in findings(out)] == expected, err
    assert code == (1 if expected else 0)


@pytest.mark.parametrize("value", ["XYZ", "ASL1234", "E501"])
def test_bad_select_value_exits_2(run_main, tmp_path, value):
    write(tmp_path, "bad.py", BLOCKING)
    code, out, err = run_main("check", "--select", value, "bad.py")
    assert code == 2 and "--select" in err and value in err
    assert "Traceback" not in err


# -- standard input --------------------------------------------------------------------------------

def test_stdin_dash(run_cli):
    code, out, _ = run_cli("check", "-", input=BLOCKING)
    assert code == 1
    assert findings(out) == [("<stdin>", 5, 5, "ASL101")]


def test_stdin_filename(run_cli):
    code, out, _ = run_cli("check", "--stdin-filename", "app/service.py", input=BLOCKING)
    assert code == 1
    assert findings(out) == [("app/service.py", 5, 5, "ASL101")]


def test_stdin_filename_with_dash_and_json(run_cli):
    code, out, _ = run_cli("check", "--format", "json", "--stdin-filename", "x.py", "-", input=CLEAN)
    assert code == 0 and json.loads(out) == []


def test_stdin_honours_per_file_ignores(run_cli, tmp_path):
    write(tmp_path, "pyproject.toml", '[tool.asynclint]\nper-file-ignores = { "tests/*" = ["ASL101"] }\n')
    assert run_cli("check", "--stdin-filename", "tests/test_x.py", input=BLOCKING)[0] == 0
    assert run_cli("check", "--stdin-filename", "src/x.py", input=BLOCKING)[0] == 1


def test_stdin_cannot_be_mixed_with_paths(run_cli, tmp_path):
    write(tmp_path, "ok.py", CLEAN)
    code, _, err = run_cli("check", "-", "ok.py", input=CLEAN)
    assert code == 2 and "standard input" in err


def test_stdin_undecodable_and_binary(tmp_path):
    import subprocess
    import sys

    for data in (b"async def f():\n    s = '\xff'\n", b"\x00\x01async"):
        proc = subprocess.run([sys.executable, "-m", "asynclint", "check", "-"], input=data, capture_output=True,
                              cwd=tmp_path, timeout=120)
        out = proc.stdout.decode()
        assert proc.returncode == 1 and b"Traceback" not in proc.stderr
        assert [f[3] for f in findings(out)] == ["ASL003"]


def test_config_error_as_a_subprocess(run_cli, tmp_path):
    write(tmp_path, "pyproject.toml", '[tool.asynclint]\nselect = ["ASL1"]\ncolour = "red"\n')
    write(tmp_path, "bad.py", BLOCKING)
    code, out, err = run_cli("check", "bad.py")
    assert code == 2 and "unknown key `colour`" in err and "Traceback" not in err


# -- configuration -------------------------------------------------------------------------------

def test_config_select_and_ignore(run_main, tmp_path):
    write(tmp_path, "pyproject.toml", '[tool.asynclint]\nselect = ["ASL1"]\nignore = ["ASL101", "ASL104"]\n')
    write(tmp_path, "bad.py", SEVERAL)
    code, out, _ = run_main("check", "bad.py")
    assert [f[3] for f in findings(out)] == ["ASL102"]


def test_command_line_extends_config_ignore(run_main, tmp_path):
    write(tmp_path, "pyproject.toml", '[tool.asynclint]\nignore = ["ASL101"]\n')
    write(tmp_path, "bad.py", SEVERAL)
    code, out, _ = run_main("check", "--ignore", "ASL102", "bad.py")
    assert [f[3] for f in findings(out)] == ["ASL104"]


def test_config_is_found_above_the_checked_path(run_cli, tmp_path):
    write(tmp_path, "pyproject.toml", '[tool.asynclint]\nignore = ["ASL101"]\n')
    write(tmp_path, "src/pkg/bad.py", BLOCKING)
    code, out, _ = run_cli("check", "pkg/bad.py", cwd=tmp_path / "src")
    assert code == 0, out


def test_explicit_config_option(run_main, tmp_path):
    write(tmp_path, "other.toml", '[tool.asynclint]\nignore = ["ASL101"]\n')
    write(tmp_path, "bad.py", BLOCKING)
    assert run_main("check", "--config", "other.toml", "bad.py")[0] == 0
    code, _, err = run_main("check", "--config", "missing.toml", "bad.py")
    assert code == 2 and "missing.toml" in err


@pytest.mark.parametrize("table, key", [
    ('colour = "red"', "colour"),
    ('select = "ASL101"', "select"),
    ('select = ["E501"]', "select"),
    ('ignore = [1]', "ignore"),
    ('per-file-ignores = ["tests/*"]', "per-file-ignores"),
    ('per-file-ignores = { "tests/*" = ["XYZ"] }', "per-file-ignores"),
    ('extra-blocking = ["mylib.fetch"]', "extra-blocking"),
    ('extra-blocking = { "not a name" = "x" }', "extra-blocking"),
    ('allow = "os.path.exists"', "allow"),
    ('backend = "gevent"', "backend"),
    ('exclude = "build"', "exclude"),
])
def test_config_errors_exit_2_and_name_the_key(run_main, tmp_path, table, key):
    write(tmp_path, "pyproject.toml", f"[tool.asynclint]\n{table}\n")
    write(tmp_path, "bad.py", BLOCKING)
    code, out, err = run_main("check", "bad.py")
    assert code == 2
    assert f"`{key}" in err and "pyproject.toml" in err
    assert "Traceback" not in err and findings(out) == []


def test_invalid_toml_exits_2(run_cli, tmp_path):
    write(tmp_path, "pyproject.toml", "[tool.asynclint\nselect = \n")
    write(tmp_path, "bad.py", BLOCKING)
    code, _, err = run_cli("check", "bad.py")
    assert code == 2 and "invalid TOML" in err and "Traceback" not in err


def test_other_tools_tables_are_ignored(run_main, tmp_path):
    write(tmp_path, "pyproject.toml", '[project]\nname = "x"\n[tool.ruff]\nline-length = 99\n')
    write(tmp_path, "ok.py", CLEAN)
    assert run_main("check", "ok.py")[0] == 0


def test_per_file_ignores(run_cli, tmp_path):
    write(tmp_path, "pyproject.toml",
          '[tool.asynclint]\nper-file-ignores = { "tests/*" = ["ASL101"], "scripts/run.py" = ["ASL1"] }\n')
    write(tmp_path, "tests/test_a.py", SEVERAL)
    write(tmp_path, "scripts/run.py", SEVERAL)
    write(tmp_path, "src/a.py", SEVERAL)
    code, out, _ = run_cli("check", ".")
    got = sorted((f[0], f[3]) for f in findings(out))
    assert got == sorted([
        ("./src/a.py", "ASL101"), ("./src/a.py", "ASL102"), ("./src/a.py", "ASL104"),
        ("./tests/test_a.py", "ASL102"), ("./tests/test_a.py", "ASL104"),
    ])


def test_extra_blocking_and_allow(run_cli, tmp_path):
    write(tmp_path, "pyproject.toml",
          '[tool.asynclint]\nextra-blocking = { "mylib.fetch" = "mylib.afetch" }\nallow = ["os.remove"]\n')
    write(tmp_path, "a.py", "import os\nimport mylib\n\n\nasync def f(p):\n    mylib.fetch(p)\n    os.remove(p)\n")
    code, out, _ = run_cli("check", "a.py")
    assert code == 1
    assert [f[1:] for f in findings(out)] == [(6, 5, "ASL100")]
    assert "use `mylib.afetch`" in out


# -- which files -----------------------------------------------------------------------------------

def test_exclude_and_gitignore(run_cli, tmp_path):
    write(tmp_path, "pyproject.toml", '[tool.asynclint]\nexclude = ["generated/", "*_pb2.py"]\n')
    write(tmp_path, ".gitignore", "ignored_dir/\nscratch.py\n!keep/scratch.py\n")
    for name in ("generated/a.py", "pkg/msg_pb2.py", "ignored_dir/b.py", "scratch.py", "keep/scratch.py",
                 "pkg/real.py", ".venv/lib/site.py", "build/lib/x.py", "notes.txt"):
        write(tmp_path, name, BLOCKING)
    code, out, _ = run_cli("check", ".")
    assert sorted(f[0] for f in findings(out)) == ["./keep/scratch.py", "./pkg/real.py"]
    assert "(2 checked)" in out


def test_named_files_are_checked_even_when_excluded(run_main, tmp_path):
    write(tmp_path, "pyproject.toml", '[tool.asynclint]\nexclude = ["generated/"]\n')
    write(tmp_path, "generated/a.py", BLOCKING)
    code, out, _ = run_main("check", "generated/a.py")
    assert code == 1 and findings(out) == [("generated/a.py", 5, 5, "ASL101")]


def test_missing_path_exits_2_and_the_rest_is_checked(run_cli, tmp_path):
    write(tmp_path, "bad.py", BLOCKING)
    code, out, err = run_cli("check", "nope.py", "bad.py", "nodir/")
    assert code == 2
    assert findings(out) == [("bad.py", 5, 5, "ASL101")]
    assert "nope.py" in err and "nodir" in err and "Traceback" not in err


def test_syntax_error_is_one_finding_and_the_rest_is_checked(run_cli, tmp_path):
    write(tmp_path, "broken.py", "async def f(:\n    pass\n")
    write(tmp_path, "bad.py", BLOCKING)
    code, out, err = run_cli("check", "broken.py", "bad.py")
    assert code == 1, err
    got = findings(out)
    assert [f for f in got if f[0] == "broken.py"] == [("broken.py", 1, 13, "ASL001")]
    assert ("bad.py", 5, 5, "ASL101") in got and len(got) == 2
    assert "syntax error" in out


@pytest.mark.parametrize("name, data, code_expected", [
    ("latin1.py", "# -*- coding: latin-1 -*-\nimport time\n\n\nasync def f():\n    s = 'é'\n    time.sleep(1)\n"
     .encode("latin-1"), "ASL101"),
    ("not_utf8.py", b"import time\n\n\nasync def f():\n    s = '\xff\xfe'\n    time.sleep(1)\n", "ASL003"),
    ("binary.py", bytes(range(256)), "ASL003"),
    ("bom.py", b"\xef\xbb\xbf" + BLOCKING.encode(), "ASL101"),
    ("bad_cookie.py", b"# -*- coding: no-such-codec -*-\nasync def f(): pass\n", "ASL003"),
])
def test_undecodable_files_never_crash(run_main, tmp_path, name, data, code_expected):
    write(tmp_path, name, data)
    write(tmp_path, "ok.py", CLEAN)
    code, out, err = run_main("check", name, "ok.py")
    assert "Traceback" not in err and "Traceback" not in out
    assert [f[3] for f in findings(out) if f[0] == name] == [code_expected]
    assert "(2 checked)" in out


def test_empty_and_whitespace_files(run_main, tmp_path):
    write(tmp_path, "empty.py", "")
    write(tmp_path, "blank.py", "\n\n   \n")
    write(tmp_path, "only_comment.py", "# async def\n")
    code, out, err = run_main("check", ".")
    assert code == 0 and "Traceback" not in err
    assert "All checks passed (3 files: 1 analysed, 2 without async code)." in out


# -- rules and explain -----------------------------------------------------------------------------

def test_rules_lists_every_rule(run_cli):
    code, out, _ = run_cli("rules")
    assert code == 0
    listed = [line.split()[0] for line in out.splitlines() if line.strip()]
    assert listed == sorted(RULES)
    assert "blocking-sleep" in out
    state = {line.split()[0]: line.split()[1] for line in out.splitlines() if line.strip()}
    assert {code for code, on in state.items() if on == "off"} == {"ASL112", "ASL402", "ASL404", "ASL501", "ASL502"}


DEFAULT_OFF = """\
import asyncio
import os

def helper(path):
    if path:
        os.remove(path)

async def fetch(url): ...

async def main(path, urls):
    loop = asyncio.get_event_loop()
    helper(path)
    return [await fetch(url) for url in urls]
"""


@pytest.mark.parametrize("args, expected", [
    ((), []),
    (("--select", "ALL"), ["ASL402", "ASL501", "ASL502"]),
    (("--select", "ALL", "--ignore", "ASL5"), ["ASL402"]),
    (("--extend-select", "ASL402"), ["ASL402"]),
])
def test_the_default_set_leaves_out_suggestions_and_conditional_chains(run_main, tmp_path, args, expected):
    write(tmp_path, "app.py", DEFAULT_OFF)
    code, out, err = run_main("check", *args, "app.py")
    assert sorted(f[3] for f in findings(out)) == expected, err


def test_rules_json(run_main):
    code, out, _ = run_main("rules", "--format", "json")
    data = json.loads(out)
    assert [r["code"] for r in data] == sorted(RULES)
    assert all(r["name"] and r["summary"] for r in data)


def test_explain(run_cli):
    code, out, _ = run_cli("explain", "ASL101")
    assert code == 0
    assert out.startswith("# ASL101 blocking-sleep")
    assert "## Why is this bad?" in out and "time.sleep" in out


def test_explain_is_case_insensitive_and_unknown_is_an_error(run_main):
    assert run_main("explain", "asl104")[0] == 0
    code, _, err = run_main("explain", "ASL999")
    assert code == 2 and "ASL999" in err


def test_explain_matches_docs(run_main):
    with open(os.path.join(os.path.dirname(FIXTURES), "docs", "rules", "ASL105.md"), encoding="utf-8") as f:
        assert run_main("explain", "ASL105")[1] == f.read()


# -- backend wording -------------------------------------------------------------------------------

@pytest.mark.parametrize("header, expected, not_expected", [
    ("import trio\n", "`await trio.sleep()`", "asyncio"),
    ("import anyio\n", "`await anyio.sleep()`", "asyncio"),
    ("from trio import open_nursery\n", "`await trio.sleep()`", "asyncio"),
    ("import asyncio\nimport trio\n", "`await asyncio.sleep()`", "trio"),
    ("", "`await asyncio.sleep()`", "trio"),
])
def test_backend_wording(run_main, tmp_path, header, expected, not_expected):
    write(tmp_path, "a.py", header + BLOCKING)
    code, out, _ = run_main("check", "-q", "a.py")
    assert code == 1
    message = out.splitlines()[0]
    assert expected in message and not_expected not in message


def test_backend_from_config(run_main, tmp_path):
    write(tmp_path, "pyproject.toml", '[tool.asynclint]\nbackend = "trio"\n')
    write(tmp_path, "a.py", "import subprocess\n\n\nasync def f():\n    subprocess.run(['ls'])\n")
    code, out, _ = run_main("check", "a.py")
    assert code == 1 and "`await trio.run_process()`" in out


def test_trio_wording_for_several_rules(run_cli):
    source = (
        "import os\nimport subprocess\nimport threading\n\nimport trio\n\n\n"
        "async def f(lock: threading.Lock, p):\n"
        "    subprocess.run(['ls'])\n    open(p)\n    os.path.exists(p)\n    lock.acquire()\n"
    )
    code, out, _ = run_cli("check", "-q", "-", input=source)
    lines = out.splitlines()
    assert len(lines) == 4
    assert "trio.run_process" in lines[0]
    assert "trio.open_file" in lines[1]
    assert "trio" in lines[2] and "trio.Lock" in lines[3]
    assert "asyncio" not in out


def test_readme_example(run_cli):
    code, out, _ = run_cli("check", os.path.join(FIXTURES, "example"))
    assert code == 1
    assert [f[3] for f in findings(out)] == ["ASL101", "ASL103", "ASL102"]
