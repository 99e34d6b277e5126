"""What users bring from ruff and flake8-async: the flag spellings, the peer codes, `explain` by
name, honest summaries and errors. Each drives the command as a subprocess."""

import json
import os
import subprocess
import sys

import pytest

BLOCKING = "import time\n\n\nasync def handler():\n    time.sleep(1)\n"
UNSAFE_ONLY = "import os\n\n\nasync def handler(p):\n    os.remove(p)\n"


@pytest.fixture
def project(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.asynclint]\n")
    (tmp_path / "app.py").write_text(BLOCKING)
    (tmp_path / "gen").mkdir()
    (tmp_path / "gen" / "out.py").write_text(BLOCKING)
    (tmp_path / "old.py").write_text(BLOCKING)
    return tmp_path


def paths_reported(out: str) -> list[str]:
    return sorted(line.split(":")[0] for line in out.splitlines() if ": ASL" in line)


def test_a_missing_path_is_an_error_not_a_pass(run_cli, tmp_path):
    code, out, err = run_cli("check", str(tmp_path / "nonexistent.py"))
    assert code == 2
    assert "All checks passed" not in out + err
    assert "nonexistent.py: no such file or directory" in err
    code, out, err = run_cli("check", "--format", "concise", str(tmp_path / "nonexistent.py"))
    assert (code, out) == (2, "")


def test_output_format_is_format(project, run_cli):
    code, out, _ = run_cli("check", "--output-format", "json", "app.py", cwd=project)
    assert code == 1 and json.loads(out)[0]["code"] == "ASL101"


def test_exclude_and_extend_exclude_on_the_command_line(project, run_cli):
    (project / "pyproject.toml").write_text('[tool.asynclint]\nexclude = ["old.py"]\n')
    _, out, _ = run_cli("check", "--format", "concise", ".", cwd=project)
    assert paths_reported(out) == ["./app.py", "./gen/out.py"]
    _, out, _ = run_cli("check", "--format", "concise", "--extend-exclude", "gen/", ".", cwd=project)
    assert paths_reported(out) == ["./app.py"]
    _, out, _ = run_cli("check", "--format", "concise", "--exclude", "gen/", ".", cwd=project)  # replaces
    assert paths_reported(out) == ["./app.py", "./old.py"]


def test_fix_only_show_fixes_and_exit_non_zero_on_fix(project, run_cli):
    (project / "unsafe.py").write_text(UNSAFE_ONLY)
    code, out, err = run_cli("check", "--fix-only", "--show-fixes", "app.py", "unsafe.py", cwd=project)
    assert code == 0, err  # the unsafe finding left is not reported
    assert "ASL104" not in out
    assert "Fixed 1 finding in 1 file." in out and "app.py:" in out and "1 x ASL101 (blocking-sleep)" in out
    (project / "app.py").write_text(BLOCKING)
    assert run_cli("check", "--fix", "app.py", cwd=project)[0] == 0  # fixed, nothing left
    (project / "app.py").write_text(BLOCKING)
    assert run_cli("check", "--fix", "--exit-non-zero-on-fix", "app.py", cwd=project)[0] == 1


def test_ignore_noqa(project, run_cli):
    (project / "app.py").write_text(BLOCKING.replace("time.sleep(1)", "time.sleep(1)  # noqa: ASL101"))
    assert run_cli("check", "app.py", cwd=project)[0] == 0
    code, out, _ = run_cli("check", "--ignore-noqa", "--format", "concise", "app.py", cwd=project)
    assert code == 1 and "ASL101" in out


def test_color(project, run_cli):
    assert "\x1b[" in run_cli("check", "--color", "always", "app.py", cwd=project)[1]
    assert "\x1b[" not in run_cli("check", "--color", "never", "app.py", cwd=project)[1]


@pytest.mark.parametrize("args, reported", [
    (("--select", "ASYNC251"), True),
    (("--select", "ASYNC2"), True),
    (("--select", "ASYNC230"), False),
    (("--ignore", "ASYNC251"), False),
    (("--ignore", "RUF006"), True),
])
def test_peer_codes_in_select_and_ignore(project, run_cli, args, reported):
    code, out, err = run_cli("check", "--format", "concise", *args, "app.py", cwd=project)
    assert code == (1 if reported else 0), err
    assert ("ASL101" in out) == reported


def test_peer_codes_in_the_configuration(project, run_cli):
    (project / "pyproject.toml").write_text('[tool.asynclint]\nper-file-ignores = { "gen/*" = ["ASYNC251"] }\n')
    _, out, _ = run_cli("check", "--format", "concise", "app.py", "gen/out.py", cwd=project)
    assert paths_reported(out) == ["app.py"]
    (project / "pyproject.toml").write_text('[tool.asynclint]\nignore = ["E501"]\n')
    code, _, err = run_cli("check", "app.py", cwd=project)
    assert code == 2 and "E501" in err and "Traceback" not in err


@pytest.mark.parametrize("name", ["blocking-sleep", "ASYNC251", "asl101", "ASL101"])
def test_explain_by_code_or_name(run_cli, name):
    code, out, err = run_cli("explain", name)
    assert code == 0, err
    assert out.startswith("# ASL101 blocking-sleep")
    assert run_cli("explain", "no-such-rule")[0] == 2


def test_the_summary_says_what_was_analysed_and_what_can_be_fixed(project, run_cli):
    (project / "plain.py").write_text("def f(:\n    pass\n")  # no async code: not parsed, and said so
    (project / "unsafe.py").write_text(UNSAFE_ONLY)
    code, out, _ = run_cli("check", "app.py", "plain.py", "unsafe.py", cwd=project)
    assert out.splitlines()[-1] == ("Found 2 findings in 2 files (3 files: 2 analysed, 1 without async code). "
                                    "1 fixable with --fix, 1 more with --unsafe-fixes.")


def test_json_positions_of_file_level_findings_are_1_based(project, run_cli):
    (project / "broken.py").write_text("async def f(:\n    pass\n")
    (project / "binary.py").write_bytes(b"async def\0")
    _, out, _ = run_cli("check", "--format", "json", "broken.py", "binary.py", cwd=project)
    for finding in json.loads(out):
        assert finding["end_line"] >= finding["line"] >= 1 and finding["end_column"] >= 1, finding


def test_server_help_without_pygls_says_what_is_missing(tmp_path):
    blocker = tmp_path / "nopygls"
    (blocker / "pygls").mkdir(parents=True)
    (blocker / "pygls" / "__init__.py").write_text("raise ImportError('no pygls here')\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(blocker), os.environ["PYTHONPATH"]])}
    for args in (["server", "--help"], ["server"]):
        proc = subprocess.run([sys.executable, "-m", "asynclint", *args], capture_output=True, text=True,
                              cwd=tmp_path, timeout=60, env=env, stdin=subprocess.DEVNULL)
        assert proc.returncode == 2, args
        assert "pygls" in proc.stderr and "asynclint[lsp]" in proc.stderr


NEWER = {  # a file valid for the Python in the key only
    (3, 12): "type Alias = list[int]\n\n\nasync def f[T](x: T) -> T:\n    return x\n",
    (3, 14): 'async def f(name):\n    return t"hello {name}"\n',
}


def test_a_file_for_a_newer_python_says_so_once(tmp_path, run_cli):
    expected = {f"py{v[0]}{v[1]}.py": v for v in NEWER if v > sys.version_info[:2]}
    if not expected:
        pytest.skip("this Python parses every example")
    for version, source in NEWER.items():
        (tmp_path / f"py{version[0]}{version[1]}.py").write_text(source)
    (tmp_path / "broken.py").write_text("async def f(:\n    pass\n")
    code, out, _ = run_cli("check", "--format", "concise", ".")
    running = f"{sys.version_info[0]}.{sys.version_info[1]}"
    lines = out.splitlines()
    for name, (major, minor) in expected.items():
        assert f"./{name}:1:1: ASL001 needs Python >= {major}.{minor} to parse; asynclint runs on {running}" in lines
    assert any(line.startswith("./broken.py:1:13: ASL001 syntax error") for line in lines)
    assert len(lines) == len(expected) + 1
    _, out, _ = run_cli("check", ".")
    for major, minor in set(expected.values()):
        count = list(expected.values()).count((major, minor))
        assert f"{count} file{'s' if count > 1 else ''} need{'s' if count == 1 else ''} Python >= {major}.{minor} " \
               f"to parse (asynclint runs on {running})." in out.splitlines()[-1]
