"""Fixes a reviewer merges as they are: imports where the project's sorter puts them, lines within
the project's line length, broken as its formatter breaks them (issue 23)."""

import os
import subprocess
import sys

import isort
import libcst as cst
import pytest

from asynclint import fix_source
from asynclint.config import load_settings
from asynclint.fix.imports import add_imports
from asynclint.model import FixStyle, Settings
from asynclint.style import project_style
from conftest import FIXTURES


def _style(tmp_path, pyproject: str = "", **files) -> FixStyle:
    (tmp_path / "pyproject.toml").write_text(pyproject)
    for name, text in files.items():
        (tmp_path / name.replace("_", ".", 1) if name.startswith("_") else tmp_path / name).write_text(text)
    return load_settings(str(tmp_path / "pyproject.toml")).fix_style


# -- the project's settings, read through config.py ----------------------------------------------

def test_line_length_from_ruff_then_black_then_flake8_else_88(tmp_path):
    assert _style(tmp_path).line_length == 88
    assert _style(tmp_path, "[tool.ruff]\nline-length = 100\n[tool.black]\nline-length = 90\n").line_length == 100
    assert _style(tmp_path, "[tool.black]\nline-length = 90\n").line_length == 90
    for name in ("setup.cfg", "tox.ini", ".flake8"):
        for other in ("setup.cfg", "tox.ini", ".flake8"):
            (tmp_path / other).unlink(missing_ok=True)
        (tmp_path / name).write_text("[flake8]\nmax-line-length = 120\n")
        assert _style(tmp_path).line_length == 120, name


def test_the_oldest_python_from_ruff_then_black_then_requires_python(tmp_path):
    assert _style(tmp_path).python_minimum is None
    assert _style(tmp_path, '[project]\nrequires-python = ">=3.9"\n[tool.black]\n'
                            'target-version = ["py311", "py310"]\n').python_minimum == 10
    assert _style(tmp_path, '[project]\nrequires-python = ">= 3.8, <4"\n').python_minimum == 8
    assert _style(tmp_path, '[tool.ruff]\ntarget-version = "py312"\n[project]\n'
                            'requires-python = ">=3.9"\n').python_minimum == 12


def test_a_value_of_the_wrong_type_is_left_to_its_own_tool(tmp_path):
    assert _style(tmp_path, '[tool.ruff]\nline-length = "long"\n').line_length == 88


def test_import_options_from_ruff_or_isort(tmp_path):
    ruff = dict(_style(tmp_path, '[tool.ruff.lint.isort]\nknown-first-party = ["app"]\n'
                                 "force-sort-within-sections = true\n").import_sorting)
    assert ruff["known_first_party"] == ("app",) and ruff["force_sort_within_sections"] is True
    assert ruff["src_paths"] == (str(tmp_path), str(tmp_path / "src"))
    legacy = dict(_style(tmp_path, '[tool.ruff.isort]\nknown-first-party = ["app"]\n').import_sorting)
    assert legacy["known_first_party"] == ("app",)
    own = dict(_style(tmp_path, '[tool.isort]\nprofile = "google"\nsrc_paths = ["lib"]\n').import_sorting)
    assert own["profile"] == "google" and own["src_paths"] == (str(tmp_path / "lib"),)


# -- imports -------------------------------------------------------------------------------------

def _added(source, *modules, style=FixStyle()):
    return add_imports(cst.parse_module(source), set(modules), style=style).code


def _sorted(code, style):
    return isort.check_code(code, config=isort.Config(**dict(style.import_sorting)))


SORTED = '''"""Doc."""

from __future__ import annotations

import abc
import os
from typing import Any

import httpx

from app import models

from . import views
'''


@pytest.mark.parametrize("module", ["asyncio", "zipfile", "aaa_third", "zzz_third", "functools", "anyio.to_thread"])
def test_an_import_goes_into_its_section_in_order(tmp_path, module):
    (tmp_path / "app").mkdir()  # first-party, found in the project's source root
    style = project_style({}, str(tmp_path))
    fixed = _added(SORTED, module, style=style)
    assert _sorted(SORTED, style) and _sorted(fixed, style), fixed
    assert fixed.replace(f"import {module}\n", "", 1) == SORTED


def test_a_new_section_goes_where_the_sorter_puts_it(tmp_path):
    style = project_style({"tool": {"ruff": {"lint": {"isort": {"known-first-party": ["app"]}}}}}, str(tmp_path))
    source = "import httpx\n\nfrom app import models\n\nx = 1\n"
    assert _added(source, "asyncio", style=style) == "import asyncio\n\nimport httpx\n\nfrom app import models\n\nx = 1\n"
    source = '"""Doc."""\n\n# the standard library\nimport os\n\nfrom app import models\n'
    assert _added(source, "trio", style=style) == (
        '"""Doc."""\n\n# the standard library\nimport os\n\nimport trio\n\nfrom app import models\n')
    assert _added("from __future__ import annotations\n\nx = 1\n", "asyncio", style=style) == (
        "from __future__ import annotations\n\nimport asyncio\n\nx = 1\n")


def test_force_sort_within_sections_and_profiles_are_followed(tmp_path):
    within = project_style({"tool": {"ruff": {"lint": {"isort": {"force-sort-within-sections": True}}}}},
                           str(tmp_path))
    source = "from collections import deque\nimport os\n"
    assert _added(source, "asyncio", style=within) == "import asyncio\nfrom collections import deque\nimport os\n"
    assert _added(source, "copy", style=within) == "from collections import deque\nimport copy\nimport os\n"
    google = project_style({"tool": {"isort": {"profile": "google"}}}, str(tmp_path))
    assert _added(source, "copy", style=google) == "from collections import deque\nimport copy\nimport os\n"
    plain = project_style({}, str(tmp_path))
    assert _added("import os\nfrom collections import deque\n", "copy", style=plain) == (
        "import copy\nimport os\nfrom collections import deque\n")


def test_lines_between_types_part_an_import_from_the_from_imports(tmp_path):
    """sanic's ruff settings: ``lines-between-types = 1``."""
    style = project_style({"tool": {"ruff": {"lint": {"isort": {"lines-between-types": 1}}}}}, str(tmp_path))
    source = "from __future__ import annotations\n\nfrom collections.abc import Sequence\n\nx = 1\n"
    fixed = _added(source, "asyncio", style=style)
    assert fixed == ("from __future__ import annotations\n\nimport asyncio\n\nfrom collections.abc import Sequence\n"
                     "\nx = 1\n")
    assert _sorted(fixed, style)
    assert _added("import abc\n\nfrom os import path\n", "zlib", style=style) == (
        "import abc\nimport zlib\n\nfrom os import path\n")


def test_options_isort_rejects_leave_its_defaults(tmp_path):
    style = project_style({"tool": {"isort": {"profile": "no-such-profile", "line_length": "wide"}}}, str(tmp_path))
    assert _added("import os\n", "asyncio", style=style) == "import asyncio\nimport os\n"


def test_what_was_there_is_never_reordered():
    source = "import sys\nimport abc\nimport os\n"
    fixed = _added(source, "asyncio")
    assert [line for line in fixed.splitlines() if line != "import asyncio"] == source.splitlines()


def test_a_comment_above_an_import_stays_with_it():
    source = "# why abc\nimport abc\n"
    assert _added(source, "os") == "# why abc\nimport abc\nimport os\n"
    assert _added("import os\n# why sys\nimport sys\n", "abc") == "import abc\nimport os\n# why sys\nimport sys\n"


# -- line length ---------------------------------------------------------------------------------

LONG = "import shutil\n\n\nasync def copy(source_directory, target_directory):\n" \
       "    shutil.copytree(source_directory, target_directory, dirs_exist_ok=True)\n"


def test_a_rewritten_statement_past_the_length_is_laid_out_as_black_lays_it_out():
    fixed = fix_source(LONG, "m.py", Settings(), unsafe=True)[0]
    assert fixed.endswith("    await asyncio.to_thread(\n"
                          "        shutil.copytree, source_directory, target_directory, dirs_exist_ok=True\n    )\n")


def test_a_statement_black_would_change_before_the_fix_is_broken_one_argument_per_line():
    """The project does not format it as black does: black is not asked, it would change more
    than the fix wrote."""
    unformatted = LONG.replace("dirs_exist_ok=True", "dirs_exist_ok = True")
    fixed = fix_source(unformatted, "m.py", Settings(), unsafe=True)[0]
    assert fixed.endswith("    await asyncio.to_thread(\n        shutil.copytree,\n        source_directory,\n"
                          "        target_directory,\n        dirs_exist_ok = True,\n    )\n")


def test_the_projects_line_length_decides():
    wide = Settings(fix_style=FixStyle(line_length=100))
    fixed = fix_source(LONG, "m.py", wide, unsafe=True)[0]
    assert "    await asyncio.to_thread(shutil.copytree, source_directory, target_directory, dirs_exist_ok=True)\n" in fixed


def test_a_line_that_was_not_rewritten_or_cannot_be_broken_is_left_alone():
    untouched = "x = 1  # " + "long " * 30 + "\n"
    unbreakable = "    return [open(p) for _ in range(3) if p and p.startswith('/some/long/prefix/of/a/path/or/other')]\n"
    source = f"import time\n\n{untouched}\n\nasync def f(p):\n    time.sleep(1)\n{unbreakable}"
    fixed = fix_source(source, "m.py", Settings(), unsafe=True)[0]
    assert untouched in fixed and "await asyncio.sleep(1)" in fixed
    # The rewritten call is inside a comprehension: the line ends in its bracket, not a call's: left to the formatter.
    assert unbreakable.replace("open(p)", "await asyncio.to_thread(open, p)") in fixed


RUFF = [sys.executable, "-m", "ruff"]


def _ruff_available():
    return subprocess.run([*RUFF, "--version"], capture_output=True).returncode == 0


# Fix fixtures formatted and sorted under ruff's defaults, each of a case seen on real code (issue 23).
RUFF_CLEAN = ["long_lines.py", "long_statements.py", "import_after_header_comment.py"]


@pytest.mark.skipif(not _ruff_available(), reason="ruff is a test dependency (pyproject.toml [test])")
@pytest.mark.parametrize("name", RUFF_CLEAN)
def test_a_file_ruff_accepted_before_the_fix_it_accepts_after(tmp_path, name):
    """The fixture is formatted and sorted under ruff's defaults; so is what the fix makes of it."""
    path = os.path.join(FIXTURES, "fix", name)
    for candidate in (path, path[:-3] + ".fixed.py"):
        target = tmp_path / os.path.basename(candidate)
        target.write_text(open(candidate, encoding="utf-8").read())
        checked = subprocess.run([*RUFF, "check", "--isolated", "--select", "I001,E501", str(target)],
                                 capture_output=True, text=True)
        formatted = subprocess.run([*RUFF, "format", "--isolated", "--check", str(target)],
                                   capture_output=True, text=True)
        assert checked.returncode == 0 and formatted.returncode == 0, checked.stdout + formatted.stdout
