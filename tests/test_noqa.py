"""Suppressions: flake8-async / ruff codes in ``# noqa``, and ``--add-noqa``."""

import os
import re
import stat
import subprocess
import sys

import pytest

from asynclint.compat import EQUIVALENT_CODES, noqa_covers
from asynclint.engine import lint_source
from asynclint.model import Settings
from asynclint.noqa import with_noqa
from asynclint.rules import RULES
from conftest import ROOT


def cli(*args, cwd):
    proc = subprocess.run([sys.executable, "-m", "asynclint", "check", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120)
    return proc.returncode, proc.stdout, proc.stderr


def _codes(source):
    return [(d.line, d.code) for d in lint_source(source, "t.py", Settings(select=tuple(sorted(RULES))))]


# -- foreign codes ------------------------------------------------------------------------------

def test_the_mapping_names_real_rules_only():
    for foreign, (meaning, codes) in EQUIVALENT_CODES.items():
        assert re.fullmatch(r"(ASYNC|RUF)[0-9]{3}", foreign) and meaning
        assert codes and all(code in RULES for code in codes)


@pytest.mark.parametrize("noqa, silenced", [
    ("ASYNC251", True), ("ASYNC25", True), ("ASYNC2", True), ("asyncio251", False),
    ("ASYNC230", False), ("ASL101", True), ("ASL1", True), ("ASL102", False), ("E501, ASYNC251", True),
])
def test_foreign_codes_silence_their_equivalent(noqa, silenced):
    source = f"import time\n\nasync def f():\n    time.sleep(1)  # noqa: {noqa}\n"
    assert _codes(source) == ([] if silenced else [(4, "ASL101")])


def test_every_mapped_code_silences_its_rule():
    for foreign, (_, codes) in EQUIVALENT_CODES.items():
        for code in codes:
            assert noqa_covers(foreign, code)
    assert not noqa_covers("ASYNC251", "ASL102")


def test_each_blocking_family_through_the_cli(tmp_path):
    (tmp_path / "app.py").write_text(
        "import os, subprocess, time\nimport requests\n\n\nasync def f(p):\n"
        "    time.sleep(1)  # noqa: ASYNC251\n"
        "    requests.get(p)  # noqa: ASYNC210\n"
        "    open(p)  # noqa: ASYNC230\n"
        "    os.path.exists(p)  # noqa: ASYNC240\n"
        "    subprocess.run(p)  # noqa: ASYNC221\n"
        "    input()  # noqa: ASYNC250\n"
        "    subprocess.run(p)  # noqa: ASYNC251\n",
        encoding="utf-8")
    code, out, _ = cli("--format", "concise", "app.py", cwd=tmp_path)
    assert code == 1
    assert [line.split(": ")[1].split()[0] for line in out.splitlines()] == ["ASL105"]
    assert out.startswith("app.py:12:")


# -- --add-noqa ---------------------------------------------------------------------------------

@pytest.mark.parametrize("line, codes, expected", [
    ("    time.sleep(1)\n", ["ASL101"], "    time.sleep(1)  # noqa: ASL101\n"),
    ("    time.sleep(1)   \r\n", ["ASL101"], "    time.sleep(1)  # noqa: ASL101\r\n"),
    ("x  # noqa: E501\n", ["ASL101", "ASL104"], "x  # noqa: E501, ASL101, ASL104\n"),
    ("x  # noqa:E501 why\n", ["ASL101"], "x  # noqa:E501, ASL101 why\n"),
    ("x  # noqa: ASL101\n", ["ASL101"], "x  # noqa: ASL101\n"),
    ("x  # type: ignore\n", ["ASL101"], "x  # type: ignore  # noqa: ASL101\n"),
    ("x", ["ASL101"], "x  # noqa: ASL101"),
])
def test_with_noqa(line, codes, expected):
    assert with_noqa(line, codes) == expected


ADOPT = '''\
import os
import time


async def f(p):
    time.sleep(1)
    os.remove(p); time.sleep(2)  # noqa: E501 keep
    x = os.path.exists(p); y = """
    inside a string"""
    z = os.listdir(p) + \\
        []
    s = f"{time.sleep(3)}"
'''


def test_add_noqa_silences_every_finding_it_can(tmp_path):
    path = tmp_path / "app.py"
    path.write_text(ADOPT, encoding="utf-8")
    os.chmod(path, 0o640)
    code, out, err = cli("--add-noqa", "app.py", cwd=tmp_path)
    assert out == ""
    assert code == 1, err  # two lines could not take a comment
    assert "Added 3 noqa comments to 1 file." in err
    assert "app.py:8: no `# noqa` added: the line ends inside a multi-line string" in err
    assert "app.py:10: no `# noqa` added: the line continues with a backslash" in err
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[5] == "    time.sleep(1)  # noqa: ASL101"
    assert lines[6] == "    os.remove(p); time.sleep(2)  # noqa: E501, ASL101, ASL104 keep"
    assert lines[7] == '    x = os.path.exists(p); y = """'  # untouched: inside the string follows
    assert lines[8] == '    inside a string"""'
    assert lines[11] == '    s = f"{time.sleep(3)}"  # noqa: ASL101'
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    # no temporary file left behind (the result cache is asynclint's own directory)
    assert [p.name for p in tmp_path.iterdir() if p.name != ".asynclint_cache"] == ["app.py"]
    # what remains is exactly what could not be silenced; a second run changes nothing
    code, out, _ = cli("--format", "concise", "app.py", cwd=tmp_path)
    assert [line.split(":")[1] for line in out.splitlines()] == ["8", "10"]
    cli("--add-noqa", "app.py", cwd=tmp_path)
    assert path.read_text(encoding="utf-8") == text


def test_add_noqa_keeps_encoding_line_endings_and_links(tmp_path):
    source = "# -*- coding: latin-1 -*-\r\nimport time\r\n\r\nasync def f():\r\n    time.sleep(1)  # caf\xe9\r\n"
    real = tmp_path / "real.py"
    real.write_bytes(source.encode("latin-1"))
    link = tmp_path / "link.py"
    link.symlink_to(real)
    code, _, err = cli("--add-noqa", "link.py", cwd=tmp_path)
    assert code == 0, err
    assert link.is_symlink()
    assert real.read_bytes() == source.replace("caf\xe9\r\n", "caf\xe9  # noqa: ASL101\r\n").encode("latin-1")


def test_add_noqa_on_a_clean_tree_and_with_standard_input(tmp_path):
    (tmp_path / "ok.py").write_text("async def f():\n    pass\n", encoding="utf-8")
    code, out, err = cli("--add-noqa", ".", cwd=tmp_path)
    assert code == 0 and "Added 0 noqa comments to 0 files." in err
    proc = subprocess.run([sys.executable, "-m", "asynclint", "check", "--add-noqa", "--stdin-filename", "x.py"],
                          input="import time\nasync def f():\n    time.sleep(1)\n", capture_output=True,
                          text=True, cwd=tmp_path, timeout=120)
    assert proc.returncode == 2 and "standard input" in proc.stderr


def test_add_noqa_leaves_files_with_syntax_errors_alone(tmp_path):
    (tmp_path / "broken.py").write_text("async def f(:\n", encoding="utf-8")
    code, _, err = cli("--add-noqa", "broken.py", cwd=tmp_path)
    assert code == 1 and "ASL001 is not a finding" in err
    assert (tmp_path / "broken.py").read_text(encoding="utf-8") == "async def f(:\n"


def test_mapping_table_in_the_docs_matches_the_data():
    page = open(os.path.join(ROOT, "docs", "coming-from-flake8-async-and-ruff.md"), encoding="utf-8").read()
    rows = re.findall(r"^\| `((?:ASYNC|RUF)\d+)` \| (.+?) \| (.+?) \|$", page, re.MULTILINE)
    documented = {foreign: (meaning, tuple(re.findall(r"\[(ASL\d+)\]", asl))) for foreign, meaning, asl in rows}
    assert documented == EQUIVALENT_CODES
