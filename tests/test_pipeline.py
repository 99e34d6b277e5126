"""One pipeline for every door: check, --fix, --diff, stdin and flake8 agree on which files are
checked and with which settings (config.settings_for), and a --diff applies with git and patch."""

import os
import shutil
import subprocess
import sys

import pytest

from asynclint import lint_source
from asynclint.config import Options, settings_for
from asynclint.fix import fix_source
from asynclint.model import Selection, Settings
from conftest import FIXTURES

BLOCKING = "import time\n\n\nasync def handler():\n    time.sleep(1)\n"


@pytest.fixture
def nested(tmp_path):
    """A project whose sub-folder has its own pyproject.toml that ignores ASL101."""
    (tmp_path / "pyproject.toml").write_text("[tool.asynclint]\n")
    (tmp_path / "top.py").write_text(BLOCKING)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "pyproject.toml").write_text('[tool.asynclint]\nignore = ["ASL101"]\n')
    (tmp_path / "sub" / "a.py").write_text(BLOCKING)
    return tmp_path


def test_a_nested_configuration_decides_for_check_diff_and_fix(nested, run_cli):
    code, out, _ = run_cli("check", "--format", "concise", ".", cwd=nested)
    assert code == 1 and [line.split(":")[0] for line in out.splitlines()] == ["./top.py"]

    code, diff, _ = run_cli("check", "--diff", ".", cwd=nested)
    assert code == 1 and "top.py" in diff and "sub/a.py" not in diff

    code, _, _ = run_cli("check", "--fix", ".", cwd=nested)
    assert (nested / "sub" / "a.py").read_text() == BLOCKING  # untouched: its configuration ignores ASL101
    assert "asyncio.sleep" in (nested / "top.py").read_text()

    code, out, _ = run_cli("check", "--stdin-filename", "sub/a.py", input=BLOCKING, cwd=nested)
    assert code == 0, out


def test_settings_for_reads_the_nearest_configuration_and_the_options_over_it(nested):
    own = settings_for(str(nested / "sub" / "a.py"))
    assert own.settings.ignore == ("ASL101",) and own.origin == str(nested / "sub" / "pyproject.toml")
    assert settings_for(str(nested / "sub" / "b.py")).settings is own.settings  # shared, not rebuilt
    assert settings_for(str(nested / "top.py")).settings.ignore == ()
    over = settings_for(str(nested / "top.py"), Options(ignore=("ASL1",))).settings
    assert over.selection_overrides == (Selection(None, (), ("ASL1",), "the command line"),)


def test_exclude_is_decided_for_named_and_walked_files_alike(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.asynclint]\nexclude = ["generated/"]\n')
    path = str(tmp_path / "generated" / "gen.py")
    assert settings_for(path).excluded  # walked, opened in an editor, handed over by flake8
    assert not settings_for(path, named=True).excluded  # named on the command line
    assert settings_for(path, Options(force_exclude=True), named=True).excluded


def test_flake8_honours_exclude(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.asynclint]\nexclude = ["generated/", "legacy.py"]\n')
    for name in ("app.py", "legacy.py", "generated/gen.py"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(BLOCKING)
    proc = subprocess.run([sys.executable, "-m", "flake8", "--isolated", "--select", "ASL", "."],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert [line.split(":")[0] for line in proc.stdout.splitlines()] == ["./app.py"]


@pytest.mark.parametrize("tool", ["git", "patch"])
def test_the_diff_applies_with_git_apply_and_patch(tmp_path, run_cli, tool):
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} is not installed")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "main.py").write_text(BLOCKING)
    (tmp_path / "app" / "no_newline.py").write_text(BLOCKING.rstrip("\n"))
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    for paths in (["."], ["app"], [str(tmp_path / "app" / "main.py")]):
        code, diff, err = run_cli("check", "--diff", *paths, cwd=tmp_path)
        assert code == 1, err
        assert "a/./" not in diff and "--- a/app/main.py" in diff
    code, diff, _ = run_cli("check", "--diff", ".", cwd=tmp_path)
    command = ["git", "apply", "-"] if tool == "git" else ["patch", "-p1", "--batch"]
    proc = subprocess.run(command, input=diff, capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert run_cli("check", ".", cwd=tmp_path)[0] == 0  # what the diff said, now applied
    assert "await asyncio.sleep(1)" in (tmp_path / "app" / "main.py").read_text()


def test_fix_source_only_fixes_the_findings_it_is_given():
    source = ("import time\n\n\nasync def handler(path):\n    time.sleep(1)\n"
              "    with open(path) as f:\n        time.sleep(2)\n        return f.read()\n")
    sleep_1, open_, sleep_2 = lint_source(source, "m.py")
    assert (sleep_1.line, open_.code, sleep_2.line) == (5, "ASL103", 7)
    new, fixed, remaining = fix_source(source, "m.py", only=[sleep_1])
    assert fixed == [sleep_1]
    assert "await asyncio.sleep(1)" in new and "time.sleep(2)" in new and "aiofiles" not in new
    # The fix of `open` rewrites the `with` that holds sleep(2): that one is fixed in a second
    # pass, after the new imports moved every line; sleep(1), not asked for, is left alone.
    # (aiofiles only where the project depends on it: fixtures/fix/requirements.txt says so.)
    with_aiofiles = Settings(project_root=os.path.join(FIXTURES, "fix"))
    new, fixed, remaining = fix_source(source, "m.py", with_aiofiles, only=[open_, sleep_2], unsafe=True)
    assert [d.code for d in fixed] == ["ASL103", "ASL101"]
    assert "    time.sleep(1)\n" in new and "await asyncio.sleep(2)" in new and "aiofiles.open" in new
    # Three lines above it now: `import aiofiles`, the line that opens its section, `import asyncio`.
    assert [(d.code, d.line) for d in remaining] == [("ASL101", sleep_1.line + 3)]
