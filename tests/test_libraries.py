"""ASL404: calls into installed libraries, read from the project's environment (environment.py),
summarised by the project's machinery and kept per distribution and version in the user's cache.
The environments here are built by each test in a temporary folder; the fixture project
fixtures/projects/libraries (with its environment in fixtures/environments) is checked by
test_projects.py."""

import os
import sys
import textwrap

import pytest

from asynclint import engine, environment
from asynclint.cache import user_cache_dir
from asynclint.model import Settings
from asynclint.runner import check_paths

LIBRARY = {
    "slowlib/__init__.py": "from slowlib.core import Client, helper\n",
    "slowlib/core.py": """\
        import time


        class Client:
            def __init__(self, retries=3):
                self.retries = retries
                _settle()


        def _settle():
            time.sleep(0.1)


        def helper():
            return 1
        """,
}
PROJECT = """\
    import slowlib


    async def main():
        slowlib.Client()
        return slowlib.helper()
    """


def make_environment(folder, files=LIBRARY, name="slowlib", version="0.3.0"):
    """A virtual environment's layout (pyvenv.cfg, lib/python3.X/site-packages) with the files
    and the metadata of one distribution."""
    site = folder / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}" / "site-packages"
    for relative, text in files.items():
        (site / relative).parent.mkdir(parents=True, exist_ok=True)
        (site / relative).write_text(textwrap.dedent(text))
    info = site / f"{name}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n\n")
    (info / "top_level.txt").write_text(f"{name}\n")
    (folder / "pyvenv.cfg").write_text("home = /usr/bin\n")
    return site


def make_project(folder, source=PROJECT):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "app.py").write_text(textwrap.dedent(source))
    return folder


def check(project, python, *, select=("ASL404",), cache=False, cache_dir=None):
    settings = Settings(project_root=str(project), python=str(python), extend_select=select)
    return check_paths([str(project)], settings, cache=cache, cache_dir=cache_dir, jobs=1).diagnostics


def test_a_call_that_blocks_inside_a_library_names_the_library_its_version_and_the_chain(tmp_path):
    make_environment(tmp_path / "env")
    project = make_project(tmp_path / "project")
    found = check(project, tmp_path / "env")
    assert [(d.line, d.code) for d in found] == [(5, "ASL404")]
    assert found[0].message.startswith(
        "`slowlib.Client()` blocks the event loop, inside slowlib 0.3.0: slowlib.core.Client.__init__ -> "
        "slowlib.core._settle -> time.sleep() [ASL101]")
    assert found[0].fix is None
    assert [step[0] for step in found[0].chain][-1] == "time.sleep() [ASL101]"


def test_without_asl404_the_libraries_are_not_read(tmp_path, monkeypatch):
    make_environment(tmp_path / "env")
    project = make_project(tmp_path / "project")
    monkeypatch.setattr(engine, "library_index", lambda *args: pytest.fail("the libraries were read"))
    assert check(project, tmp_path / "env", select=()) == []


def test_summaries_are_kept_per_distribution_and_version_for_every_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    make_environment(tmp_path / "env-a")
    site_b = make_environment(tmp_path / "env-b")
    project = make_project(tmp_path / "project")
    assert check(project, tmp_path / "env-a", cache=True, cache_dir=str(tmp_path / "c1"))
    stored = sorted(os.path.join(d, n) for d, _, names in os.walk(user_cache_dir()) for n in names)
    assert any(name.endswith(".json") for name in stored)

    summarised = []
    real = engine.summarize_module
    monkeypatch.setattr(engine, "summarize_module", lambda *a, **k: summarised.append(a[0]) or real(*a, **k))
    found = check(project, tmp_path / "env-b", cache=True, cache_dir=str(tmp_path / "c2"))
    assert [d.code for d in found] == ["ASL404"]
    assert str(site_b) in found[0].chain[-1][1]  # the other environment's file, though stored by the first
    assert not [path for path in summarised if "site-packages" in path]
    assert sorted(os.path.join(d, n) for d, _, names in os.walk(user_cache_dir()) for n in names) == stored


def test_a_cached_finding_goes_when_the_library_changes(tmp_path):
    site = make_environment(tmp_path / "env")
    project = make_project(tmp_path / "project")
    cache_dir = str(tmp_path / "cache")
    assert check(project, tmp_path / "env", cache=True, cache_dir=cache_dir)
    core = site / "slowlib" / "core.py"
    core.write_text(core.read_text().replace("time.sleep(0.1)", "pass  # no longer sleeps"))
    assert check(project, tmp_path / "env", cache=True, cache_dir=cache_dir) == []


def test_the_environment_is_the_setting_then_virtual_env_then_a_venv_in_the_root_then_our_own(tmp_path,
                                                                                              monkeypatch):
    for name in ("given", "active", "root/.venv"):
        make_environment(tmp_path / name)
    (tmp_path / "given" / "bin").mkdir()
    (tmp_path / "given" / "bin" / "python").write_text("")
    root = str(tmp_path / "root")
    monkeypatch.setenv("VIRTUAL_ENV", str(tmp_path / "active"))
    given = environment.find_environment(str(tmp_path / "given" / "bin" / "python"), root)
    assert (given.chosen_by, given.interpreter) == ("the `python` setting", str(tmp_path / "given" / "bin" / "python"))
    assert given.site_packages[0].startswith(str(tmp_path / "given" / "lib"))
    assert environment.find_environment("../given", root).site_packages == given.site_packages  # relative to the root
    assert environment.find_environment(None, root).chosen_by == "VIRTUAL_ENV"
    monkeypatch.delenv("VIRTUAL_ENV")
    found = environment.find_environment(None, root)
    assert found.chosen_by == ".venv in the project root"
    assert found.site_packages[0].startswith(str(tmp_path / "root" / ".venv"))
    own = environment.find_environment(None, str(tmp_path))
    assert (own.chosen_by, own.interpreter) == ("asynclint's own interpreter", sys.executable)


def test_distributions_come_from_top_level_or_from_the_record(tmp_path):
    site = make_environment(tmp_path / "env")
    info = site / "wheelonly-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Name: wheelonly\nVersion: 1.0\n\n")
    (info / "RECORD").write_text("wheelonly/__init__.py,sha256=x,1\nsingle.py,,\nwheelonly-1.0.dist-info/RECORD,,\n")
    owners = environment.distributions((str(site),))
    assert {top: str(d) for top, d in owners.items()} == {
        "slowlib": "slowlib 0.3.0", "wheelonly": "wheelonly 1.0", "single": "wheelonly 1.0"}


def test_show_settings_names_the_environment_and_a_bad_python_is_an_error(tmp_path, run_cli):
    make_environment(tmp_path / "env")
    make_project(tmp_path / "project")
    code, out, err = run_cli("check", "--show-settings", "--python", str(tmp_path / "env"), "project")
    assert code == 0, err
    assert f"python environment: {tmp_path / 'env'}" in out and "(the `python` setting)" in out
    code, out, err = run_cli("check", "--extend-select", "ASL404", "--python", str(tmp_path / "env"), "project")
    assert code == 1 and "ASL404" in out and "inside slowlib 0.3.0" in out
    code, out, err = run_cli("check", "--python", str(tmp_path / "missing"), "project")
    assert code == 2 and "no interpreter or environment at" in err and "Traceback" not in err
