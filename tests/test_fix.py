"""The fixer: before/after fixture pairs, its guarantees, the transforms of rules wired elsewhere.

``fixtures/fix/<name>.py`` is fixed and compared exactly with ``<name>.fixed.py``. A line
``# asynclint-fix: unsafe`` in the fixture allows unsafe fixes; ``# asynclint-config:`` lines set
options as in the rule fixtures.
"""

import ast
import glob
import os
import re
import stat
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st

from asynclint import catalog, fix_source
from asynclint.fix import FixError, fix_file
from asynclint.fix import fixers, rewrite
from asynclint.fix.edit import Edit
from asynclint.engine import lint_source
from asynclint.flake8_plugin import AsyncLintPlugin
from asynclint.model import Diagnostic, FixKind, FixStyle, Settings
from asynclint.rules import RULES, load_all
from conftest import FIXTURES
from expectations import fixture_settings

FIX_FIXTURES = sorted(p for p in glob.glob(os.path.join(FIXTURES, "fix", "*.py")) if not p.endswith(".fixed.py"))


def _read(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return handle.read()


def _unsafe(source):
    return "# asynclint-fix: unsafe" in source


def _fix(source, path="fixture.py", unsafe=None, settings=None):
    settings = settings or fixture_settings(source)
    return fix_source(source, path, settings, _unsafe(source) if unsafe is None else unsafe)


@pytest.mark.parametrize("path", FIX_FIXTURES, ids=[os.path.basename(p) for p in FIX_FIXTURES])
def test_fixture_is_fixed_exactly(path):
    source = _read(path)
    expected = _read(path[:-3] + ".fixed.py")
    new_source, fixed, remaining = _fix(source, path)
    assert new_source == expected
    assert fixed, "a fix fixture must fix something"
    # What remains was there before: no fix brought a finding it did not fix in a later pass.
    before = Counter((d.code, d.target) for d in lint_source(source, path, fixture_settings(source)))
    assert not Counter((d.code, d.target) for d in remaining) - before
    # A second run finds nothing more to rewrite: the loop reached its fixed point.
    again, fixed_again, remaining_again = _fix(expected, path)
    assert again == expected, "fixing the fixed file again must change nothing"
    assert fixed_again == []
    assert [(d.line, d.code) for d in remaining_again] == [(d.line, d.code) for d in remaining]
    ast.parse(new_source)


# -- the fix registry: every kind has a fixer and a fixture pair; every offered fix happens ------

def test_every_fix_kind_has_one_fixer():
    assert set(fixers.FIXERS) == set(FixKind)
    assert all(fixer.kind is kind for kind, fixer in fixers.FIXERS.items())


def test_every_fix_kind_has_a_fixture_pair():
    fixed_kinds = {d.fix_kind for path in FIX_FIXTURES for d in _fix(_read(path), path)[1]}
    assert fixed_kinds == set(FixKind), f"no fixture pair fixes {set(FixKind) - fixed_kinds}"
    text = "".join(_read(p) for p in FIX_FIXTURES)
    for backend in ("import trio", "import anyio"):
        assert backend in text


load_all()
FIXING_RULES = [code for code in sorted(RULES) if RULES[code].fix_applicability]
MARKER = re.compile(r"  # error: .*$", re.M)


@pytest.mark.parametrize("code", FIXING_RULES)
def test_a_rule_that_offers_a_fix_shows_what_the_fixer_makes_of_its_example(code, tmp_path):
    """As fixit derives AUTOFIX from ``Invalid(..., expected_replacement=...)``: the rule's
    ``fixed`` example is what ``--fix --unsafe-fixes`` really makes of its ``bad`` one (in a project
    that declares nothing, as the docs' reader's)."""
    rule = RULES[code]
    assert rule.fixed, f"{code} offers a fix: give it a `fixed` example"
    settings = Settings(select=(code,), project_root=str(tmp_path))
    fixed, applied, _ = fix_source(rule.bad, str(tmp_path / f"{code}.py"), settings, unsafe=True)
    assert applied and MARKER.sub("", fixed) == rule.fixed
    ast.parse(fixed)


def _module_function_rows():
    """Catalog rows of module-level functions that offer a fix (methods need a typed receiver)."""
    for key, row in sorted(catalog.BLOCKING.items()):
        module, _, function = key.rpartition(".")
        if row.fix_kind is not None and module not in catalog.KNOWN_TYPES and not any(
                part[:1].isupper() for part in module.split(".")) and function != "*":
            yield key


@pytest.mark.parametrize("key", list(_module_function_rows()))
def test_every_catalogued_call_that_offers_a_fix_is_fixed(key):
    """A finding that says ``[fix: ...]`` is fixed by ``--fix --unsafe-fixes``: a kind whose fixer
    does nothing for a call would show a fix that never happens."""
    module, _, function = key.rpartition(".")
    call = function if module == "builtins" else key
    source = ("" if module == "builtins" else f"import {module}\n") + f"\n\nasync def main(p):\n    {call}(p)\n"
    offered = [d for d in lint_source(source, "t.py", Settings()) if d.fix]
    _, fixed, remaining = fix_source(source, "t.py", Settings(), unsafe=True)
    assert len(fixed) == len(offered) and not [d for d in remaining if d.fix]


# -- the property: any selection of a fixture's statements, any backend, safe or unsafe ---------

def _statements(path):
    source = _read(path)
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    return [("".join(lines[node.lineno - 1 - len(getattr(node, "decorator_list", []) or []):node.end_lineno]))
            for node in tree.body]


STATEMENTS = {path: _statements(path) for path in FIX_FIXTURES}


@st.composite
def _programs(draw):
    path = draw(st.sampled_from(FIX_FIXTURES))
    statements = STATEMENTS[path]
    keep = draw(st.lists(st.booleans(), min_size=len(statements), max_size=len(statements)))
    return "\n\n".join(s for s, k in zip(statements, keep) if k) + "\n"


@hypothesis_settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(source=_programs(), unsafe=st.booleans(), backend=st.sampled_from([None, "asyncio", "trio", "anyio"]))
def test_fix_parses_and_is_idempotent(source, unsafe, backend):
    settings = Settings(select=("ASL",), backend=backend)
    fixed_source, fixed, remaining = fix_source(source, "prop.py", settings, unsafe)
    ast.parse(fixed_source)
    again, fixed_again, _ = fix_source(fixed_source, "prop.py", settings, unsafe)
    assert (again, fixed_again) == (fixed_source, [])
    assert bool(fixed) == (fixed_source != source)


# -- the transforms of rules another branch adds (ASL201, ASL502), keyed by code --------------

def _diagnostic_at(source, code, predicate, fix="unsafe"):
    """A finding on the call ``predicate`` picks, placed as the engine would place it (ASCII source)."""
    tree = ast.parse(source)
    node = next(n for n in ast.walk(tree) if isinstance(n, ast.Call) and predicate(n))
    return Diagnostic("t.py", node.lineno, node.col_offset + 1, code, "m", node.end_lineno,
                      node.end_col_offset + 1, fix, RULES[code].fix_kind)


def _callee(name):
    return lambda call: ast.unparse(call.func) == name


def test_asl502_get_running_loop():
    source = "import asyncio\n\n\nasync def main():\n    loop = asyncio.get_event_loop()  # keep\n    return loop\n"
    d = _diagnostic_at(source, "ASL502", _callee("asyncio.get_event_loop"), fix="safe")
    new, applied = rewrite.apply_pass(source, [d], "asyncio")
    assert new == source.replace("get_event_loop()", "get_running_loop()")
    assert applied == [d]


def test_asl502_from_import_is_replaced_and_removed():
    source = "from asyncio import get_event_loop\n\n\nasync def main():\n    return get_event_loop()\n"
    d = _diagnostic_at(source, "ASL502", _callee("get_event_loop"), fix="safe")
    new, _ = rewrite.apply_pass(source, [d], "asyncio")
    assert new == "import asyncio\n\n\nasync def main():\n    return asyncio.get_running_loop()\n"


def test_asl201_inserts_await_with_parentheses_where_needed():
    source = ("async def main(job):\n"
              "    job.run()\n"
              "    x = job.fetch().value\n"
              "    return [job.item(i) for i in range(2)]\n")
    ds = [_diagnostic_at(source, "ASL201", _callee(name)) for name in ("job.run", "job.fetch", "job.item")]
    new, applied = rewrite.apply_pass(source, ds, "asyncio")
    assert new == ("async def main(job):\n"
                   "    await job.run()\n"
                   "    x = (await job.fetch()).value\n"
                   "    return [await job.item(i) for i in range(2)]\n")
    assert len(applied) == 3


@pytest.mark.parametrize("body", [
    "def sync():\n    job.run()\n",
    "async def f():\n    g = lambda: job.run()\n",
    "async def f():\n    return list(job.run() for _ in range(2))\n",
    "async def f():\n    class C:\n        x = job.run()\n",
    "async def f():\n    def inner(x=job.run()):\n        pass\n",
])
def test_asl201_never_inserts_await_where_it_is_illegal(body):
    d = _diagnostic_at(body, "ASL201", _callee("job.run"))
    new, applied = rewrite.apply_pass(body, [d], "asyncio")
    assert (new, applied) == (body, [])


def test_overlapping_fixes_take_two_passes():
    source = "import os\nimport time\n\n\nasync def f(p):\n    time.sleep(os.path.getsize(p))\n"
    new, fixed, remaining = fix_source(source, "t.py", Settings(), unsafe=True)
    assert new == ("import asyncio\nimport os\n\n\nasync def f(p):\n"
                   "    await asyncio.sleep(await asyncio.to_thread(os.path.getsize, p))\n")
    assert len(fixed) == 2 and remaining == []


def test_import_kept_when_still_used():
    source = "import time\n\n\nasync def f():\n    time.sleep(1)\n    return time.time()\n"
    new, _, _ = fix_source(source, "t.py", Settings())
    assert new.startswith("import asyncio\nimport time\n")


def test_public_api_only_safe_by_default():
    source = "import os\n\n\nasync def f(p):\n    os.remove(p)\n"
    new, fixed, remaining = fix_source(source, "t.py", Settings())
    assert new == source and fixed == [] and [d.code for d in remaining] == ["ASL104"]
    assert remaining[0].fix == "unsafe"
    import pickle

    assert pickle.loads(pickle.dumps(remaining[0])) == remaining[0]  # multiprocessing carries them


# -- files: encoding, line endings, mode, atomicity, failures ----------------------------------

SLEEPY = "import time\n\n\nasync def f():\n    time.sleep(1)  # c\n"
SLEEPY_FIXED = "import asyncio\n\n\nasync def f():\n    await asyncio.sleep(1)  # c\n"


def test_fix_file_keeps_crlf_bom_and_mode(tmp_path):
    path = tmp_path / "m.py"
    path.write_bytes(b"\xef\xbb\xbf" + SLEEPY.replace("\n", "\r\n").encode())
    os.chmod(path, 0o640)
    result = fix_file(str(path), Settings())
    assert result.changed and len(result.fixed) == 1
    assert path.read_bytes() == b"\xef\xbb\xbf" + SLEEPY_FIXED.replace("\n", "\r\n").encode()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    assert os.listdir(tmp_path) == ["m.py"]  # no temporary file left behind


def test_fix_file_keeps_declared_encoding(tmp_path):
    path = tmp_path / "latin.py"
    source = "# -*- coding: latin-1 -*-\n" + SLEEPY.replace("# c", "# caf\u00e9")
    path.write_bytes(source.encode("latin-1"))
    fix_file(str(path), Settings())
    assert path.read_bytes().decode("latin-1") == "# -*- coding: latin-1 -*-\n" + SLEEPY_FIXED.replace("# c", "# caf\u00e9")


def test_fix_file_writes_through_a_rename(tmp_path, monkeypatch):
    path = tmp_path / "m.py"
    path.write_text(SLEEPY)
    calls = []
    real_replace = os.replace
    monkeypatch.setattr(os, "replace", lambda src, dst: (calls.append((src, dst)), real_replace(src, dst)))
    fix_file(str(path), Settings())
    assert len(calls) == 1 and os.path.dirname(calls[0][0]) == str(tmp_path)
    assert calls[0][1] == os.path.realpath(path)


def test_fix_file_follows_a_symbolic_link(tmp_path):
    real = tmp_path / "real.py"
    real.write_text(SLEEPY)
    link = tmp_path / "link.py"
    link.symlink_to(real)
    fix_file(str(link), Settings())
    assert link.is_symlink() and real.read_text() == SLEEPY_FIXED


def test_failed_write_leaves_file_unchanged(tmp_path, monkeypatch):
    path = tmp_path / "m.py"
    path.write_text(SLEEPY)

    def fail(src, dst):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(os, "replace", fail)
    result = fix_file(str(path), Settings())
    assert result.error and "No space" in result.error and not result.changed
    assert path.read_text() == SLEEPY
    assert os.listdir(tmp_path) == ["m.py"]


def test_fix_that_would_not_parse_leaves_file_unchanged(tmp_path, monkeypatch):
    path = tmp_path / "m.py"
    original = SLEEPY.replace("\n", "\r\n").encode()
    path.write_bytes(original)
    monkeypatch.setattr(rewrite, "apply_pass", lambda source, ds, *context: (source + "def (:\n", ds))
    with pytest.raises(FixError):
        fix_source(SLEEPY, "m.py", Settings())
    result = fix_file(str(path), Settings())
    assert result.error and "would not parse" in result.error
    assert result.fixed == [] and [d.code for d in result.remaining] == ["ASL101"]
    assert path.read_bytes() == original


def test_source_libcst_cannot_parse_is_reported(tmp_path, monkeypatch):
    def explode(*args):
        raise RuntimeError("boom")
    monkeypatch.setattr(rewrite, "apply_pass", explode)
    path = tmp_path / "m.py"
    path.write_text(SLEEPY)
    result = fix_file(str(path), Settings())
    assert "boom" in result.error and path.read_text() == SLEEPY


def test_flake8_plugin_never_writes_nor_promises_a_fix(tmp_path):
    path = tmp_path / "m.py"
    path.write_text(SLEEPY)
    plugin = AsyncLintPlugin(ast.parse(SLEEPY), str(path), SLEEPY.splitlines(keepends=True))
    messages = [m for _, _, m, _ in plugin.run()]
    assert messages and messages[0].startswith("ASL101") and "[fix:" not in messages[0]
    assert path.read_text() == SLEEPY


# -- the command line --------------------------------------------------------------------------

@pytest.fixture
def cli(tmp_path, monkeypatch, capsys):
    """``asynclint ARGS`` run in this process (faster than a subprocess): (exit code, stdout, stderr)."""
    import io
    import sys

    from asynclint.cli import main

    monkeypatch.chdir(tmp_path)

    def run(*args, input=None):
        if input is not None:
            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(input.encode())))
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_cli_diff_writes_nothing(run_cli, tmp_path):
    path = tmp_path / "m.py"
    path.write_text(SLEEPY)
    code, out, err = run_cli("check", "--diff", "m.py")
    assert code == 1
    assert out.startswith("--- a/m.py\n+++ b/m.py\n") and "+    await asyncio.sleep(1)  # c\n" in out
    assert "Would fix 1 finding in 1 file." in err
    assert path.read_text() == SLEEPY


def test_cli_diff_clean_exits_zero(cli, tmp_path):
    (tmp_path / "m.py").write_text(SLEEPY_FIXED)
    assert cli("check", "--diff", "m.py")[:2] == (0, "")


def test_cli_fix_prints_remaining_and_summary(cli, tmp_path):
    path = tmp_path / "m.py"
    path.write_text(SLEEPY + "    import os\n    os.remove('x')\n")
    code, out, err = cli("check", "--fix", "m.py")
    assert code == 1, err
    assert out.splitlines() == [
        "m.py:7:5: ASL104 `os.remove()` blocks the event loop; use `await asyncio.to_thread(...)` [fix: unsafe]",
        "Fixed 1 finding in 1 file.",
        "Found 1 finding in 1 file (1 checked). 1 fixable with --unsafe-fixes.",
    ]
    assert "await asyncio.sleep(1)" in path.read_text()
    code, out, err = cli("check", "--fix", "--unsafe-fixes", "m.py")
    assert code == 0, err
    assert out.splitlines() == ["Fixed 1 finding in 1 file.", "All checks passed (1 file checked)."]
    assert "await asyncio.to_thread(os.remove, 'x')" in path.read_text()


def test_cli_check_shows_fixability(cli, tmp_path):
    (tmp_path / "m.py").write_text(SLEEPY)
    code, out, _ = cli("check", "m.py")
    assert code == 1 and out.splitlines()[0].endswith("[fix: safe]")


def test_cli_fix_and_diff_on_stdin(cli):
    code, out, err = cli("check", "--fix", "--stdin-filename", "m.py", input=SLEEPY)
    assert (code, out) == (0, SLEEPY_FIXED) and "Fixed 1 finding in 1 file." in err
    code, out, err = cli("check", "--diff", "-", input=SLEEPY)
    assert code == 1 and out.startswith("--- a/<stdin>\n") and "Would fix 1 finding" in err


# -- the import block --------------------------------------------------------------------------

from asynclint.fix.imports import add_imports, remove_unused  # noqa: E402
import libcst as cst  # noqa: E402


def _added(source, *modules):
    return add_imports(cst.parse_module(source), set(modules)).code


def test_add_imports_after_docstring_and_future():
    assert _added('"""Doc."""\nfrom __future__ import annotations\n\nx = 1\n', "asyncio") == (
        '"""Doc."""\nfrom __future__ import annotations\n\nimport asyncio\n\nx = 1\n')  # a section of its own
    assert _added('"""Doc."""\n\n\nasync def f():\n    pass\n', "asyncio") == (
        '"""Doc."""\n\nimport asyncio\n\n\nasync def f():\n    pass\n')
    assert _added("# comment\nasync def f():\n    pass\n", "trio") == (
        "# comment\nimport trio\n\n\nasync def f():\n    pass\n")


def test_add_imports_only_when_missing():
    source = "import trio.testing\nimport asyncio as aio\n"
    assert _added(source, "trio") == source
    assert _added(source, "asyncio", "anyio.to_thread") == (
        "import anyio.to_thread\nimport trio.testing\nimport asyncio\nimport asyncio as aio\n")


def _removed(source, *names):
    return remove_unused(cst.parse_module(source), set(names)).code


def test_remove_unused_only_what_nothing_uses():
    assert _removed("import os, time\nimport sys\n\nx = 1\n", "time", "sys") == "import os\n\nx = 1\n"
    assert _removed("from time import sleep, time\n\nx = time()\n", "sleep", "time") == (
        "from time import time\n\nx = time()\n")
    kept = '__all__ = ["sleep"]\nfrom time import sleep\n'
    assert _removed(kept, "sleep") == kept
    assert _removed("import time\n\nx = obj.time\n", "time") == "\nx = obj.time\n"[1:]


def test_remove_unused_keeps_comments_and_separating_lines():
    source = "import os\n\n# the clock\nimport time\nimport sys\n\n\ndef f():\n    return os, sys\n"
    assert _removed(source, "time") == "import os\n\n# the clock\nimport sys\n\n\ndef f():\n    return os, sys\n"


def test_diff_marks_a_missing_final_newline(tmp_path):
    path = tmp_path / "m.py"
    path.write_text(SLEEPY.rstrip("\n"))
    diff = fix_file(str(path), Settings(), write=False).diff()
    assert diff.endswith("+    await asyncio.sleep(1)  # c\n\\ No newline at end of file\n")
    assert path.read_text() == SLEEPY.rstrip("\n")


def test_remove_unused_in_blocks_never_leaves_a_block_empty_or_drops_a_comment():
    source = "def f():\n    import time\n\n\nx = 1\n# the end\nimport sys  # why\n"
    assert _removed(source, "time", "sys") == "def f():\n    pass\n\n\nx = 1\n# the end\n"


def test_fixed_code_runs_as_the_original_did(tmp_path):
    """The rewrites keep behaviour: run a fixed module and compare with the original's results."""
    import asyncio

    source = """\
import os
import subprocess
import time


async def main(path):
    time.sleep(0)
    exists = os.path.exists(path)
    result = subprocess.run(["echo", "hi"], capture_output=True)
    code = subprocess.call(["sh", "-c", "exit 3"])
    try:
        subprocess.run(["sh", "-c", "exit 4"], check=True)
    except subprocess.CalledProcessError as error:
        failed = error.returncode
    return exists, result.stdout.strip(), result.returncode, code, failed
"""
    fixed, applied, remaining = fix_source(source, "m.py", Settings(), unsafe=True)
    assert len(applied) == 5 and remaining == []
    assert "time.sleep" not in fixed and "subprocess.run(" not in fixed
    results = []
    for text in (source, fixed):
        namespace = {}
        exec(compile(text, "m.py", "exec"), namespace)
        results.append(asyncio.run(namespace["main"](str(tmp_path))))
    assert results[0] == results[1] == (True, b"hi", 0, 3, 4)


def test_asl502_reported_on_the_callee_is_still_fixed():
    source = "import asyncio\n\n\nasync def main():\n    return asyncio.get_event_loop()\n"
    call = _diagnostic_at(source, "ASL502", _callee("asyncio.get_event_loop"), fix="safe")
    on_callee = Diagnostic("t.py", call.line, call.col, "ASL502", "m", call.end_line, call.end_col - 2, "safe",
                           FixKind.RUNNING_LOOP)
    assert rewrite.apply_pass(source, [on_callee], "asyncio")[0] == source.replace("get_event", "get_running")


def test_rules_reporting_without_a_fix_argument_get_their_rule_applicability(monkeypatch):
    """How ASL201/ASL502 get wired: a rule class with `fix = "safe"` whose checker reports
    without naming a fix produces findings with that applicability."""
    from asynclint import engine
    from asynclint.rules import RULES, Checker

    class Reporter(Checker):
        codes = ("ASL110",)

        def visit_Call(self, call):
            self.report(call, "ASL110", "m")

    monkeypatch.setattr(engine, "_checkers_for", lambda enabled: (Reporter,))
    monkeypatch.setattr(RULES["ASL110"], "fix_applicability", "safe")
    monkeypatch.setattr(RULES["ASL110"], "fix_kind", FixKind.THREAD)
    assert [d.fix for d in lint_source("async def f():\n    g()\n")] == ["safe"]


# -- the property again, over generated code: any blocking call in any expression context -------

CALLS = ["time.sleep(1)", "os.remove(p)", "open(p)", "requests.get(p)", "subprocess.run(['ls'])",
         "subprocess.call(['ls'], cwd=p)", "input()", "socket.gethostbyname(p)", "shutil.rmtree(p, True)"]
# {} is where the call goes; True: `await` may stand there.
CONTEXTS = [
    ("    {}\n", True),
    ("    x = {}\n", True),
    ("    x = {}.real\n", True),
    ("    x = {}[0]\n", True),
    ("    x = {}()\n", True),
    ("    x = -{} ** 2\n", True),
    ("    x = 2 ** {}\n", True),
    ("    x = f({})\n", True),
    ("    x = f(key={})\n", True),
    ('    x = f"{{{}}}"\n', True),
    ("    x = [{} for _ in range(2)]\n", True),
    ("    x = {{{}: 1}}\n", True),
    ("    x = ({} if p else None)\n", True),
    ("    if {}:\n        pass\n", True),
    ("    with {} as handle:\n        handle.read()\n", True),
    ("    return {}, p\n", True),
    ("    x = list({} for _ in range(2))\n", False),
    ("    x = lambda: {}\n", False),
    ("    class C:\n        x = {}\n", False),
    ("    def g():\n        return {}\n", False),
    ("    def g(x={}):\n        pass\n", False),
    ("    async def g():\n        return {}\n", True),
]
HEADER = "import os\nimport shutil\nimport socket\nimport subprocess\nimport time\n\nimport requests\n\n\n"


@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(call=st.sampled_from(CALLS), context=st.sampled_from(CONTEXTS),
       backend=st.sampled_from([None, "trio", "anyio"]), wrapper=st.sampled_from(["async def", "def"]))
def test_generated_contexts(call, context, backend, wrapper):
    template, legal = context
    source = HEADER + f"{wrapper} main(p, f):\n" + template.format(call)
    if backend:
        source = f"import {backend}\n" + source
    fixed, applied, _ = fix_source(source, "gen.py", Settings(), unsafe=True)
    ast.parse(fixed)
    assert fix_source(fixed, "gen.py", Settings(), unsafe=True)[0] == fixed
    on_loop = wrapper == "async def" or "async def g" in template
    if not (legal and on_loop):
        assert fixed == source
    elif call.startswith(("time.", "os.", "input", "socket", "shutil")):
        assert applied


def test_cli_reports_a_file_it_could_not_fix(cli, tmp_path, monkeypatch):
    (tmp_path / "bad.py").write_text(SLEEPY)
    (tmp_path / "good.py").write_text(SLEEPY)
    real = rewrite.apply_pass

    def broken_for_bad(source, diagnostics, *context):
        if diagnostics[0].path.endswith("bad.py"):
            return source.replace("async def", "async def def"), diagnostics
        return real(source, diagnostics, *context)
    monkeypatch.setattr(rewrite, "apply_pass", broken_for_bad)
    code, out, err = cli("check", "--fix", ".")
    assert code == 2
    assert "bad.py: not fixed, left unchanged: the fix would not parse" in err
    assert "Fixed 1 finding in 1 file." in out
    assert (tmp_path / "bad.py").read_text() == SLEEPY
    assert (tmp_path / "good.py").read_text() == SLEEPY_FIXED


def test_fixed_trio_code_runs_as_the_original_did():
    trio = pytest.importorskip("trio")
    source = """\
import subprocess
import time

import trio


async def main():
    time.sleep(0)
    code = subprocess.call(["sh", "-c", "exit 3"])
    out = subprocess.run(["echo", "hi"], capture_output=True)
    try:
        subprocess.check_call(["sh", "-c", "exit 4"])
    except subprocess.CalledProcessError as error:
        failed = error.returncode
    return code, out.stdout, failed
"""
    fixed, applied, remaining = fix_source(source, "m.py", Settings(), unsafe=True)
    assert len(applied) == 4 and remaining == [] and "trio.run_process" in fixed
    results = []
    for text in (source, fixed):
        namespace = {}
        exec(compile(text, "m.py", "exec"), namespace)
        results.append(trio.run(namespace["main"]))
    assert results[0] == results[1] == (3, b"hi\n", 4)


LATER_CALLS = ("import time\n\n\nasync def load(p):\n    f = open(p)\n    data = f.read()\n    time.sleep(1)\n"
               "    return data + f.readline() + open(p).read()\n")


def test_a_finding_and_the_later_calls_it_covers_are_fixed_in_one_edit():
    """``f = open(p)`` names ``f.read()``: its fix rewrites both at once, so that no second wave of
    findings comes out of the fixed file, with ``--fix`` as with ``only=`` (an editor's "fix this")."""
    opened, sleep, chained = lint_source(LATER_CALLS, "m.py")
    assert [r.text for r in opened.related] == ["f.read()", "f.readline()"]
    assert [r.text for r in chained.related] == ["open(p).read()"]
    new, fixed, remaining = fix_source(LATER_CALLS, "m.py", unsafe=True, only=[opened])
    assert fixed == [opened] and [d.code for d in remaining] == ["ASL101", "ASL103"]
    assert "data = await asyncio.to_thread(f.read)\n" in new and "await asyncio.to_thread(f.readline)" in new
    new, fixed, remaining = fix_source(LATER_CALLS, "m.py", Settings(fix_style=FixStyle(line_length=120)), unsafe=True)
    assert fixed == [opened, sleep, chained] and remaining == []  # in one pass: nothing more became visible
    assert new.endswith("    return data + await asyncio.to_thread(f.readline) + "
                        "await asyncio.to_thread((await asyncio.to_thread(open, p)).read)\n")


def test_a_later_call_silenced_by_noqa_is_left_as_it_is():
    source = LATER_CALLS.replace("data = f.read()\n", "data = f.read()  # noqa: ASL104\n")
    opened = lint_source(source, "m.py")[0]
    assert [r.text for r in opened.related] == ["f.readline()"]
    new, fixed, _ = fix_source(source, "m.py", unsafe=True, only=[opened])
    assert fixed == [opened] and "    data = f.read()  # noqa: ASL104\n" in new
    assert "await asyncio.to_thread(f.readline)" in new


def test_a_later_call_without_a_fix_withholds_the_fix_of_its_finding():
    """Nothing half-fixed: ``root.iterdir()`` has no fix, so ``path.resolve()`` that made ``root``
    keeps its place on the loop too, and says why."""
    source = ("import pathlib\n\n\nasync def names(path: pathlib.Path):\n    root = path.resolve()\n"
              "    return [child.name for child in root.iterdir()]\n")
    [found] = lint_source(source, "m.py")
    assert (found.fix, found.fix_reason) == (None, "`root.iterdir()` (line 6) on what it returns has no fix: "
                                                   "a lazy iterator: the work happens as it is consumed")
    assert fix_source(source, "m.py", unsafe=True)[:2] == (source, [])


def test_summary_says_when_fixing_found_more_than_the_check_reported():
    from asynclint.fix import FileFix
    from asynclint.cli import fix_summary

    found = Diagnostic("m.py", 1, 1, "ASL101", "m", fix="safe")
    as_checked = FileFix("m.py", "a", "b", [found], offered=1)
    with_more = FileFix("n.py", "a", "b", [found, found], offered=1)
    assert fix_summary([as_checked], write=True) == "Fixed 1 finding in 1 file."
    assert fix_summary([as_checked, with_more], write=True) == (
        "Fixed 3 findings in 2 files (1 more than the check reported: fixing made them visible).")


@pytest.mark.parametrize("declaration, uses_aiofiles", [
    ({}, False),
    # declared for the tests only: library code that imports it fails for the package's users
    ({"requirements-dev.txt": "pytest\naiofiles>=23  # async files\n"}, False),
    ({"pyproject.toml": '[project]\nname = "p"\n[dependency-groups]\ntest = ["aiofiles"]\n'}, False),
    ({"pyproject.toml": '[project]\nname = "p"\ndependencies = ["aiofiles>=23"]\n'}, True),
    ({"setup.cfg": "[options]\ninstall_requires =\n    requests\n    aiofiles\n"}, True),
    ({"pyproject.toml": '[project]\nname = "p"\ndependencies = ["aiofiles-stubs"]\n'}, False),
])
def test_a_fix_uses_a_third_party_library_only_where_the_project_depends_on_it(tmp_path, declaration,
                                                                                 uses_aiofiles):
    for name, text in declaration.items():
        (tmp_path / name).write_text(text)
    source = "async def load(p):\n    with open(p) as f:\n        return f.read()\n"
    fixed, _, remaining = fix_source(source, str(tmp_path / "m.py"), Settings(), unsafe=True)
    assert ("aiofiles.open" in fixed) == uses_aiofiles and remaining == []
    assert uses_aiofiles or "await asyncio.to_thread(f.read)" in fixed


SLEEPS = "import time\n\n\nasync def nap():\n    time.sleep(1)\n"


@pytest.mark.parametrize("declaration, fixed_with", [
    ({}, "await asyncio.sleep(1)"),
    ({"pyproject.toml": '[project]\nname = "p"\ndependencies = ["httpx"]\n'}, "await asyncio.sleep(1)"),
    ({"pyproject.toml": '[project]\nname = "p"\n[project.optional-dependencies]\ntrio = ["trio>=0.22"]\n'}, None),
    ({"requirements.txt": "anyio>=4\n"}, None),
    # trio for the tests only (the code's own test suite, as asynclint's): the code runs on asyncio
    ({"pyproject.toml": '[project]\nname = "p"\n[project.optional-dependencies]\ntest = ["trio"]\n'
                        '[dependency-groups]\ndev = ["anyio"]\n', "requirements-dev.txt": "trio\n"},
     "await asyncio.sleep(1)"),
])
def test_a_module_that_imports_no_async_library_is_fixed_only_where_asyncio_is_the_only_one(
        tmp_path, declaration, fixed_with):
    """anyio's own suite: `await asyncio.to_thread(...)` written into a module that runs on trio as
    well failed every test that reached it. Where the project declares trio or anyio, a module
    importing none of them gets no fix, and says why."""
    for name, text in declaration.items():
        (tmp_path / name).write_text(text)
    path = str(tmp_path / "m.py")
    (finding,) = lint_source(SLEEPS, path, Settings())
    fixed, applied, _ = fix_source(SLEEPS, path, Settings(), unsafe=True)
    if fixed_with:
        assert finding.fix == "safe" and fixed_with in fixed
    else:
        assert finding.fix is None and "set `backend`" in finding.fix_reason and (fixed, applied) == (SLEEPS, [])
        assert "await asyncio.sleep(1)" in fix_source(SLEEPS, path, Settings(backend="asyncio"), unsafe=True)[0]
        for library in ("asyncio", "trio"):
            imported = f"import {library}\n" + SLEEPS
            assert f"await {library}.sleep(1)" in fix_source(imported, path, Settings(), unsafe=True)[0]


def test_the_modules_of_an_async_library_itself_are_not_fixed(tmp_path):
    """trio's and anyio's own modules import their library relatively: the finding names the
    library's remedy, and no fix imports the package inside itself."""
    package = tmp_path / "src" / "trio" / "_core"
    package.mkdir(parents=True)
    for directory in (package.parent, package):
        (directory / "__init__.py").write_text("")
    path = str(package / "_io.py")
    (finding,) = lint_source(SLEEPS, path, Settings())
    assert "trio.sleep" in finding.message and finding.fix is None and "a module of trio itself" in finding.fix_reason
    assert fix_source(SLEEPS, path, Settings(), unsafe=True)[:2] == (SLEEPS, [])


@pytest.mark.parametrize("declaration", [
    {"setup.py": "", "requirements-dev.txt": "pytest\naiofiles>=23\n"},
    {"pyproject.toml": '[project]\nname = "p"\n[dependency-groups]\ntest = ["aiofiles"]\n'},
])
@pytest.mark.parametrize("module", ["tests/test_load.py", "tests/helpers.py", "conftest.py", "load_test.py"])
def test_test_code_may_use_a_library_declared_for_the_tests(tmp_path, declaration, module):
    for name, text in declaration.items():
        (tmp_path / name).write_text(text)
    source = "async def load(p):\n    with open(p) as f:\n        return f.read()\n"
    fixed = fix_source(source, str(tmp_path / module), Settings(), unsafe=True)[0]
    assert "aiofiles.open" in fixed


def test_the_setting_lets_a_fix_use_an_importable_library(tmp_path):
    pytest.importorskip("aiofiles")
    source = "async def load(p):\n    with open(p) as f:\n        return f.read()\n"
    settings = Settings(project_root=str(tmp_path), fix_with_installed_libraries=True)
    assert "aiofiles.open" in fix_source(source, str(tmp_path / "m.py"), settings, unsafe=True)[0]


def test_one_edit_that_would_not_parse_drops_only_itself(monkeypatch):
    """A fixer that makes unparsable code (a bug, or a form no rewrite foresaw) costs its own fix,
    not the file's others."""
    import libcst as cst

    class Broken(fixers.Fixer):
        kind = FixKind.SLEEP

        def rewrite(self, ctx, call, d):
            edit = Edit(call, d)
            edit.replace(call, lambda new: cst.Name("def"))
            return edit
    monkeypatch.setitem(fixers.FIXERS, FixKind.SLEEP, Broken())
    source = "import os\nimport time\n\n\nasync def f(p):\n    time.sleep(1)\n    return os.path.exists(p)\n"
    fixed, applied, remaining = fix_source(source, "t.py", Settings(), unsafe=True)
    assert "await asyncio.to_thread(os.path.exists, p)" in fixed and "time.sleep(1)" in fixed
    assert [d.code for d in applied] == ["ASL104"] and [d.code for d in remaining] == ["ASL101"]


def test_a_fix_is_withheld_where_a_comment_says_the_blocking_is_deliberate():
    path = os.path.join(FIXTURES, "fix", "deliberate_blocking.py")
    reasons = [(d.line, d.fix, d.fix_reason) for d in lint_source(_read(path), path)]
    assert reasons == [
        (10, None, "a comment (line 9) says the blocking is deliberate"),
        (14, None, "a comment (line 14) says the blocking is deliberate"),
        (19, None, "the function's docstring says the blocking is deliberate"),
        (24, "unsafe", None), (28, "unsafe", None)]
