"""--force-exclude / `force-exclude`: the configured exclusions apply to files named explicitly."""

import subprocess
import sys

import pytest

BLOCKING = "import time\n\n\nasync def f():\n    time.sleep(1)\n"


@pytest.fixture
def project(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.asynclint]\nexclude = ["generated/"]\n', encoding="utf-8")
    (tmp_path / "generated").mkdir()
    (tmp_path / "generated" / "gen.py").write_text(BLOCKING, encoding="utf-8")
    (tmp_path / "app.py").write_text(BLOCKING, encoding="utf-8")
    return tmp_path


def cli(*args, cwd):
    proc = subprocess.run([sys.executable, "-m", "asynclint", "check", "--format", "concise", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)
    return proc.returncode, [line.split(":")[0] for line in proc.stdout.splitlines()], proc.stderr


def test_a_named_file_is_checked_even_if_excluded(project):
    assert cli("app.py", "generated/gen.py", cwd=project)[:2] == (1, ["app.py", "generated/gen.py"])
    assert cli(".", cwd=project)[:2] == (1, ["./app.py"])  # a walked directory honours exclude


def test_force_exclude_applies_exclude_to_named_files(project):
    assert cli("--force-exclude", "app.py", "generated/gen.py", cwd=project)[:2] == (1, ["app.py"])
    assert cli("--force-exclude", "generated/gen.py", cwd=project)[:2] == (0, [])


def test_force_exclude_applies_to_the_stdin_filename(project):
    def run(*args):
        proc = subprocess.run([sys.executable, "-m", "asynclint", "check", "--format", "concise", *args],
                              cwd=project, input=BLOCKING, capture_output=True, text=True, timeout=120)
        return proc.returncode, proc.stdout

    assert run("--stdin-filename", "generated/gen.py")[0] == 1
    assert run("--force-exclude", "--stdin-filename", "generated/gen.py") == (0, "")
    assert run("--force-exclude", "--stdin-filename", "app.py")[0] == 1


def test_force_exclude_from_the_configuration(project):
    (project / "pyproject.toml").write_text('[tool.asynclint]\nexclude = ["generated/"]\nforce-exclude = true\n',
                                            encoding="utf-8")
    assert cli("app.py", "generated/gen.py", cwd=project)[:2] == (1, ["app.py"])
    (project / "pyproject.toml").write_text('[tool.asynclint]\nforce-exclude = "yes"\n', encoding="utf-8")
    code, _, err = cli("app.py", cwd=project)
    assert code == 2 and "force-exclude" in err
