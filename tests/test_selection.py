"""Rule selection as ruff users expect it: unknown selectors are errors with a suggestion, and a
command-line --select replaces the configured selection, extend-select and ignore included."""

import pytest

BLOCKING = "import time\n\n\nasync def f():\n    time.sleep(1)\n    asyncio.get_event_loop()\n"


def codes(out: str) -> list[str]:
    return sorted(line.split(": ")[1].split()[0] for line in out.splitlines() if ": ASL" in line)


@pytest.fixture
def project(tmp_path):
    (tmp_path / "app.py").write_text("import asyncio\n" + BLOCKING)
    return tmp_path


def configure(project, text: str) -> None:
    (project / "pyproject.toml").write_text("[tool.asynclint]\n" + text)


@pytest.mark.parametrize("args, fragment", [
    (("--select", "ASL999"), "unknown rule selector 'ASL999' in --select; did you mean ASL109"),
    (("--ignore", "ASL7"), "unknown rule selector 'ASL7' in --ignore"),
    (("--extend-select", "ASL1,ASL60"), "unknown rule selector 'ASL60' in --extend-select"),
])
def test_an_unknown_selector_on_the_command_line_is_an_error(project, run_cli, args, fragment):
    code, out, err = run_cli("check", *args, "app.py", cwd=project)
    assert code == 2 and fragment in err and out == ""


@pytest.mark.parametrize("key", ["select", "extend-select", "ignore"])
def test_an_unknown_selector_in_the_configuration_names_the_file(project, run_cli, key):
    configure(project, f'{key} = ["ASL1", "ASL1011"]\n')
    code, out, err = run_cli("check", "app.py", cwd=project)
    assert code == 2 and f"unknown rule selector 'ASL1011' in `{key}`" in err
    assert str(project / "pyproject.toml") in err and "did you mean" in err and "ASL101" in err


def test_an_unknown_per_file_ignore_is_an_error(project, run_cli):
    configure(project, 'per-file-ignores = { "app.py" = ["ASL8"] }\n')
    code, _, err = run_cli("check", "app.py", cwd=project)
    assert code == 2 and "unknown rule selector 'ASL8' in `per-file-ignores`" in err


@pytest.mark.parametrize("config, args, reported", [
    # The configuration alone: select, then extend-select, then ignore.
    ('extend-select = ["ASL501"]\nignore = ["ASL502"]\n', (), ["ASL101"]),
    # A command-line select replaces the configured one with its extend-select and ignore.
    ('ignore = ["ASL101"]\n', ("--select", "ASL1"), ["ASL101"]),
    ('extend-select = ["ASL5"]\n', ("--select", "ASL1", "--ignore", "ASL1"), []),
    # Without a select, the command line's extend-select and ignore adjust the configured set,
    # and win over it: they are the higher level.
    ('ignore = ["ASL101"]\n', ("--extend-select", "ASL101"), ["ASL101"]),
    ('select = ["ASL101"]\n', ("--ignore", "ASL1"), []),
    # Within a level the most specific selector decides; as specific, ignore wins.
    ('select = ["ASL"]\nignore = ["ASL1"]\nextend-select = ["ASL101"]\n', (), ["ASL101"]),
    # A rule off by default (ASL502) needs a prefix more specific than ASL.
    ('extend-select = ["ASL5"]\n', (), ["ASL101", "ASL502"]),
    ('select = ["ASL101"]\nignore = ["ASL101"]\n', (), []),
    # per-file-ignores apply after every level.
    ('per-file-ignores = { "app.py" = ["ASL1"] }\n', ("--select", "ASL101,ASL502"), ["ASL502"]),
])
def test_selection_follows_ruffs_precedence(project, run_cli, config, args, reported):
    configure(project, config)
    code, out, err = run_cli("check", *args, "app.py", cwd=project)
    assert codes(out) == reported, err
