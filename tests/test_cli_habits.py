"""The ruff flags users reach for, through the real command: --show-settings, --show-files,
--isolated, --per-file-ignores, --config 'key = value', -e, --silent, --no-fix, `rule`, a
command's own usage on a bad flag, and the warnings for an empty run."""

import json
import os
import subprocess
import sys

import pytest

BLOCKING = "import time\n\n\nasync def f():\n    time.sleep(1)\n"


@pytest.fixture
def project(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.asynclint]\nignore = ["ASL101"]\n')
    (tmp_path / "app.py").write_text(BLOCKING)
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_app.py").write_text(BLOCKING)
    return tmp_path


def reported(out: str) -> list[str]:
    return sorted(line.split(": ")[0].rsplit(":", 2)[0] for line in out.splitlines() if ": ASL" in line)


def test_show_settings_says_where_the_settings_come_from(project, run_cli):
    code, out, err = run_cli("check", "--show-settings", "--extend-select", "ASL5", "app.py", cwd=project)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "file: app.py"
    assert f"configuration: {project / 'pyproject.toml'}" in lines
    assert 'ignore = ["ASL101"]' in lines and 'over it, from the command line: extend-select = ["ASL5"]' in lines
    enabled = next(line for line in lines if line.startswith("rules enabled: "))
    assert "ASL101" not in enabled and "ASL501" in enabled and "ASL104" in enabled


def test_show_files_lists_what_a_check_reads(project, run_cli):
    (project / "notes.txt").write_text("not python")
    code, out, _ = run_cli("check", "--show-files", "--extend-exclude", "tests/", ".", cwd=project)
    assert code == 0 and out.splitlines() == ["./app.py"]


def test_isolated_reads_no_configuration(project, run_cli):
    assert reported(run_cli("check", "app.py", cwd=project)[1]) == []
    assert reported(run_cli("check", "--isolated", "app.py", cwd=project)[1]) == ["app.py"]
    code, _, err = run_cli("check", "--isolated", "--config", "pyproject.toml", "app.py", cwd=project)
    assert code == 2 and "--isolated" in err


def test_config_takes_key_value_lines_over_the_file(project, run_cli):
    code, out, err = run_cli("check", "--config", "ignore = []", "--config", 'exclude = ["tests/"]', ".",
                             cwd=project)
    assert reported(out) == ["./app.py"], err
    code, _, err = run_cli("check", "--config", "ignroe = []", ".", cwd=project)
    assert code == 2 and "unknown key `ignroe`" in err and "Traceback" not in err
    code, _, err = run_cli("check", "--config", "ignore = [", ".", cwd=project)
    assert code == 2 and "not a path to a file, nor a `key = value` line" in err


def test_per_file_ignores_on_the_command_line(project, run_cli):
    args = ("check", "--config", "ignore = []", ".")
    assert reported(run_cli(*args, "--per-file-ignores", "tests/*:ASL1", cwd=project)[1]) == ["./app.py"]
    assert reported(run_cli(*args, "--extend-per-file-ignores", "app.py:ASL101", cwd=project)[1]) \
        == ["./tests/test_app.py"]
    code, _, err = run_cli(*args, "--per-file-ignores", "ASL101", cwd=project)
    assert code == 2 and "PATTERN:CODES" in err


def test_exit_zero_short_flag_and_silent(project, run_cli):
    assert run_cli("check", "--isolated", "-e", "app.py", cwd=project)[0] == 0
    code, out, err = run_cli("check", "--isolated", "--silent", "app.py", cwd=project)
    assert (code, out, err) == (1, "", "")


def test_no_fix_and_no_unsafe_fixes_undo_earlier_flags(project, run_cli):
    before = (project / "app.py").read_text()
    code, out, _ = run_cli("check", "--isolated", "--fix", "--no-fix", "app.py", cwd=project)
    assert code == 1 and (project / "app.py").read_text() == before and "ASL101" in out
    code, out, _ = run_cli("check", "--isolated", "--diff", "--unsafe-fixes", "--no-unsafe-fixes", "--format",
                           "json", "app.py", cwd=project)
    assert code == 1  # the sleep fix is safe: still a diff


def test_rule_is_explain(run_cli):
    code, out, _ = run_cli("rule", "ASL101")
    assert code == 0 and out.startswith("# ASL101 blocking-sleep")


def test_a_bad_flag_shows_the_command_s_usage(run_cli):
    code, _, err = run_cli("check", "--bogus")
    assert code == 2 and err.startswith("usage: asynclint check") and "unrecognized arguments: --bogus" in err


def test_no_python_files_is_a_warning_not_a_pass(tmp_path, run_cli):
    (tmp_path / "empty").mkdir()
    code, out, err = run_cli("check", "empty")
    assert code == 0 and "All checks passed" not in out
    assert "warning: no Python files found" in err


def test_an_invalid_notebook_is_reported_even_without_async(tmp_path, run_cli):
    (tmp_path / "bad.ipynb").write_text('{"cells": 3')
    code, out, _ = run_cli("check", "--no-cache", ".")
    assert code == 1 and "ASL001" in out and "not a valid notebook" in out


def test_add_noqa_adds_the_asl_code_beside_a_flake8_async_code(tmp_path, run_cli):
    (tmp_path / "a.py").write_text(BLOCKING.replace("time.sleep(1)", "time.sleep(1)  # noqa: ASYNC251")
                                   + "    time.sleep(2)  # noqa: ASL1\n")
    code, _, err = run_cli("check", "--add-noqa", "a.py")
    assert code == 0, err
    lines = (tmp_path / "a.py").read_text().splitlines()
    assert lines[4].endswith("# noqa: ASYNC251, ASL101") and lines[5].endswith("# noqa: ASL1")
    assert "Added 1 noqa comment to 1 file." in err
    assert run_cli("check", "--add-noqa", "a.py")[2].startswith("Added 0 noqa comments")


def _readme_commands() -> list[str]:
    """The `asynclint ...` lines of the README's shell blocks, without their comments."""
    readme = open(os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "README.md"),
                  encoding="utf-8").read()
    commands, in_shell = [], False
    for line in readme.splitlines():
        if line.startswith("```"):
            in_shell = line == "```sh"
        elif in_shell and line.startswith("asynclint ") and not line.startswith("asynclint server"):
            commands.append(line.split("  #")[0].strip())
    return commands


def test_the_readme_s_commands_run_as_written(tmp_path):
    commands = _readme_commands()
    assert len(commands) >= 10
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(BLOCKING)
    (tmp_path / "app.py").write_text(BLOCKING)
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    for command in commands:
        proc = subprocess.run(["bash", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True,
                              timeout=120)
        assert proc.returncode in (0, 1) and "error" not in proc.stderr and proc.stdout, (command, proc.stderr)
        (tmp_path / "src" / "app.py").write_text(BLOCKING)  # --fix rewrote it: the next command needs it


# A value for each [tool.asynclint] key: a new key without one fails the parity test below.
SAMPLE_VALUES = {
    "allow": '["os.stat"]', "backend": '"trio"', "cpu-loop-threshold": "5000", "exclude": '["build/"]',
    "extend-select": '["ASL501"]', "extra-blocking": '{"mylib.fetch" = "mylib.afetch"}',
    "fix-with-installed-libraries": "true", "force-exclude": "true", "ignore": '["ASL104"]',
    "per-file-ignores": '{"tests/*" = ["ASL101"]}', "select": '["ASL1"]', "src": '["src"]',
    "loop-callback-decorators": '["myapp.callback"]', "thread-runners": '["myapp.run_sync"]',
    "python": json.dumps(sys.executable),
}


def test_every_configuration_key_can_be_given_on_the_command_line(tmp_path, monkeypatch, capsys):
    from asynclint.cli import main
    from asynclint.config import _KEYS

    def run_main(*args):
        monkeypatch.chdir(tmp_path)
        capsys.readouterr()
        code = main(list(args))
        return (code, *capsys.readouterr())

    assert set(SAMPLE_VALUES) == set(_KEYS), "give the new key a sample value"
    (tmp_path / "app.py").write_text(BLOCKING)
    for key, value in SAMPLE_VALUES.items():
        code, out, err = run_main("check", "--isolated", "--config", f"{key} = {value}", "--show-settings", "app.py")
        assert code == 0, err
        shown = next(line for line in out.splitlines() if line.startswith(f"{key} = "))
        assert shown.replace(" ", "") == f"{key} = {value}".replace(" ", ""), shown
