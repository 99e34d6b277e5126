"""The flake8 door reports what the CLI reports, and reads the same [tool.asynclint]."""

import json
import os
import subprocess
import sys

import pytest

from conftest import FIXTURES, ROOT

RULE_FIXTURES = os.path.join(FIXTURES, "rules")


def flake8(*args, cwd):
    proc = subprocess.run([sys.executable, "-m", "flake8", "--isolated", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=300)
    return proc.returncode, proc.stdout, proc.stderr


def flake8_findings(stdout):
    found = set()
    for line in stdout.splitlines():
        path, line_no, col, rest = line.split(":", 3)
        found.add((os.path.normpath(path), int(line_no), int(col), rest.split()[0]))
    return found


@pytest.fixture(scope="module")
def cli_on_fixtures():
    proc = subprocess.run([sys.executable, "-m", "asynclint", "check", "--format", "json", "fixtures"],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode in (0, 1), proc.stderr
    return {(os.path.normpath(d["path"]), d["line"], d["column"], d["code"]) for d in json.loads(proc.stdout)}


def test_flake8_reports_what_the_cli_reports_on_every_fixture(cli_on_fixtures):
    code, out, err = flake8("--select", "ASL", "fixtures", cwd=ROOT)
    assert "Traceback" not in err, err
    assert cli_on_fixtures, "the fixtures should produce findings"
    assert flake8_findings(out) == cli_on_fixtures
    per_file = {path for path, *_ in cli_on_fixtures}
    assert len(per_file) >= 10


def test_flake8_message_is_the_cli_s_without_its_fix_note(tmp_path):
    # flake8 never fixes: `[fix: safe]` would promise what it cannot do.
    (tmp_path / "a.py").write_text("import time\n\n\nasync def f():\n    time.sleep(1)  # noqa: E501\n")
    code, out, _ = flake8("--select", "ASL", "a.py", cwd=tmp_path)
    assert code == 1
    assert out == "a.py:5:5: ASL101 `time.sleep()` blocks the event loop; use `await asyncio.sleep()`\n"


def test_flake8_stops_on_an_unknown_rule_selector(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.asynclint]\nselect = ["ASL999"]\n')
    (tmp_path / "a.py").write_text("import time\n\n\nasync def f():\n    time.sleep(1)\n")
    code, out, err = flake8("--select", "ASL", "a.py", cwd=tmp_path)
    assert code != 0 and "unknown rule selector 'ASL999'" in out + err and "Traceback" not in out + err


def test_flake8_noqa(tmp_path):
    (tmp_path / "a.py").write_text(
        "import time\n\n\nasync def f():\n"
        "    time.sleep(1)  # noqa: ASL101\n    time.sleep(2)  # noqa\n    time.sleep(3)  # noqa: ASL102\n")
    code, out, _ = flake8("--select", "ASL", "a.py", cwd=tmp_path)
    assert [line.split(":")[1] for line in out.splitlines()] == ["7"]


def test_flake8_reads_tool_asynclint(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.asynclint]\nextra-blocking = { "mylib.fetch" = "mylib.afetch" }\nignore = ["ASL104"]\n'
        'backend = "trio"\n')
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "a.py").write_text(
        "import os\nimport time\n\nimport mylib\n\n\nasync def f(p):\n"
        "    mylib.fetch(p)\n    os.remove(p)\n    time.sleep(1)\n")
    code, out, err = flake8("--select", "ASL", "pkg/a.py", cwd=tmp_path)
    assert code == 1, err
    lines = out.splitlines()
    assert [line.split(":", 3)[1:3] + [line.split()[1]] for line in lines] == [
        ["8", "5", "ASL100"], ["10", "5", "ASL101"]]
    assert "use `mylib.afetch`" in lines[0]
    assert "`await trio.sleep()`" in lines[1]


def test_flake8_config_error_is_reported(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.asynclint]\ncolour = "red"\n')
    (tmp_path / "a.py").write_text("async def f():\n    pass\n")
    code, out, err = flake8("--select", "ASL", "a.py", cwd=tmp_path)
    assert code != 0
    assert "colour" in out + err


def test_flake8_select_prefix(tmp_path):
    (tmp_path / "a.py").write_text(
        "import os\nimport time\n\n\nasync def f(p):\n    time.sleep(1)\n    os.remove(p)\n")
    code, out, _ = flake8("--select", "ASL104", "a.py", cwd=tmp_path)
    assert [line.split()[1] for line in out.splitlines()] == ["ASL104"]


def test_flake8_honours_per_file_ignores(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.asynclint]\nper-file-ignores = { "tests/*" = ["ASL101"] }\n')
    source = "import time\n\n\nasync def f():\n    time.sleep(1)\n"
    for directory in ("tests", "src"):
        (tmp_path / directory).mkdir()
        (tmp_path / directory / "a.py").write_text(source)
    code, out, _ = flake8("--select", "ASL", "tests", "src", cwd=tmp_path)
    assert [line.split(":")[0] for line in out.splitlines()] == [os.path.join("src", "a.py")]


def test_flake8_is_an_optional_extra_and_the_plugin_loads():
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        tomllib = pytest.importorskip("tomli")
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as handle:
        project = tomllib.load(handle)["project"]
    assert not [d for d in project["dependencies"] if d.startswith("flake8")]
    assert [d for d in project["optional-dependencies"]["flake8"] if d.startswith("flake8")]
    assert project["entry-points"]["flake8.extension"]["ASL"] == "asynclint.flake8_plugin:AsyncLintPlugin"
    # With flake8 installed (the test extra has it), flake8 finds and loads the plugin.
    proc = subprocess.run([sys.executable, "-m", "flake8", "--version"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "asynclint" in proc.stdout, proc.stdout + proc.stderr


def test_the_command_does_not_need_flake8(tmp_path):
    blocker = tmp_path / "noflake8"
    (blocker / "flake8").mkdir(parents=True)
    (blocker / "flake8" / "__init__.py").write_text("raise ImportError('no flake8 here')\n")
    (tmp_path / "a.py").write_text("import time\n\n\nasync def f():\n    time.sleep(1)\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(blocker), os.environ["PYTHONPATH"]])}
    proc = subprocess.run([sys.executable, "-c", "import asynclint.flake8_plugin, asynclint.cli, sys; "
                           "sys.exit(asynclint.cli.main(['check', '--format', 'concise', 'a.py']))"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120, env=env)
    assert proc.returncode == 1 and "ASL101" in proc.stdout, proc.stderr
