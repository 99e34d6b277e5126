"""Bad input of every kind: the run reports it, goes on with the other files, and never crashes
or hangs. The CLI runs as a subprocess where the exit code or the output stream matters."""

from __future__ import annotations

import ast
import os
import stat
import subprocess
import sys

import pytest

import asynclint.source
from asynclint import cli, engine
from asynclint.engine import check_file, lint_source
from asynclint.model import Settings
from asynclint.runner import check_paths
from positions import position_problems

SLEEP = "import time\n\nasync def f():\n    time.sleep(1)\n"  # ASL101 at 4:5


def write(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def codes(diagnostics):
    return [(d.line, d.col, d.code) for d in diagnostics]


def lines_of(stdout):
    return [line.removeprefix("./") for line in stdout.splitlines() if ": ASL" in line]


# -- one run over a tree of bad files --------------------------------------------------------------

def test_a_run_over_bad_files_reports_each_and_goes_on(tmp_path, run_cli):
    write(tmp_path / "a_syntax.py", "async def f(:\n    pass\n")
    write(tmp_path / "b_null.py", b"async def f():\n    x = 1\0\n")
    write(tmp_path / "c_binary.py", bytes(range(256)) * 4)
    write(tmp_path / "d_latin1_no_cookie.py", "async def f():\n    s = 'é'\n".encode("latin-1"))
    write(tmp_path / "e_empty.py", b"")
    write(tmp_path / "f_comments.py", "# async def f():\n#     time.sleep(1)\n")
    write(tmp_path / "g_good.py", SLEEP)
    (tmp_path / "h_dir.py").mkdir()  # a directory named like a file: walked, not read
    write(tmp_path / "h_dir.py" / "inner.py", SLEEP)
    code, out, err = run_cli("check", ".")
    assert "Traceback" not in out + err
    reported = lines_of(out)
    assert reported == [
        "a_syntax.py:1:13: ASL001 syntax error: invalid syntax",
        "b_null.py:1:1: ASL003 file contains null bytes (binary?); not checked",
        "c_binary.py:1:1: ASL003 file contains null bytes (binary?); not checked",
        "d_latin1_no_cookie.py:1:1: ASL003 file is not valid utf-8 (byte 24); not checked",
        "g_good.py:4:5: ASL101 `time.sleep()` blocks the event loop; use `await asyncio.sleep()` [fix: safe]",
        "h_dir.py/inner.py:4:5: ASL101 `time.sleep()` blocks the event loop; use `await asyncio.sleep()` [fix: safe]",
    ], out
    assert "(8 files: 7 analysed, 1 without async code). 2 fixable with --fix." in out
    assert code == 1


def test_binary_without_null_bytes_is_reported_not_crashed(tmp_path):
    path = write(tmp_path / "x.py", b"\x89PNG\r\n\x1a\n\xff\xfe\xfd async")
    [d] = check_file(str(path), Settings())
    assert d.code == "ASL003"


# -- encodings --------------------------------------------------------------------------------------

def test_latin1_cookie_decodes_and_columns_count_characters(tmp_path):
    source = "# -*- coding: latin-1 -*-\nimport time\nasync def f():\n    s = 'é'; time.sleep(1)\n"
    path = write(tmp_path / "x.py", source.encode("latin-1"))
    assert codes(check_file(str(path), Settings())) == [(4, 14, "ASL101")]


@pytest.mark.parametrize("cookie, message", [
    ("# coding: no-such-codec", "unknown encoding"),
    ("# coding: rot13", "not a text encoding"),
    ("# coding: utf-16", "not valid utf-16"),
])
def test_unusable_coding_cookies(tmp_path, cookie, message):
    path = write(tmp_path / "x.py", f"{cookie}\nasync def f():\n    pass\n")
    [d] = check_file(str(path), Settings())
    assert d.code == "ASL003" and message in d.message


def test_bom(tmp_path):
    path = write(tmp_path / "x.py", b"\xef\xbb\xbf" + SLEEP.encode())
    assert codes(check_file(str(path), Settings())) == [(4, 5, "ASL101")]
    conflict = write(tmp_path / "y.py", b"\xef\xbb\xbf# coding: latin-1\n" + SLEEP.encode())
    [d] = check_file(str(conflict), Settings())
    assert d.code == "ASL003"


def test_undecodable_file_names_do_not_break_the_output(tmp_path, run_cli):
    if sys.platform == "darwin" or os.name == "nt":
        pytest.skip("the file system only takes valid names")
    name = os.fsencode(str(tmp_path)) + b"/bad\xff.py"
    with open(name, "wb") as handle:
        handle.write(SLEEP.encode())
    for encoding in ("utf-8", "ascii"):
        env = dict(os.environ, PYTHONIOENCODING=encoding)
        proc = subprocess.run([sys.executable, "-m", "asynclint", "check", "."], cwd=tmp_path, env=env,
                              capture_output=True, timeout=120)
        assert proc.returncode == 1, proc.stderr
        assert b"bad" in proc.stdout and b"ASL101" in proc.stdout and b"Traceback" not in proc.stderr


# -- line endings, tabs, size -----------------------------------------------------------------------

@pytest.mark.parametrize("newline", ["\r\n", "\r", "\n"])
def test_line_endings(newline):
    source = SLEEP.replace("\n", newline)
    diagnostics = lint_source(source, "x.py")
    assert codes(diagnostics) == [(4, 5, "ASL101")]
    assert position_problems(source, diagnostics) == []


def test_mixed_line_endings():
    source = "import time\r\n\nasync def f():\r    x = 1\n    time.sleep(1)\r\n    time.sleep(2)"
    diagnostics = lint_source(source, "x.py")
    assert codes(diagnostics) == [(5, 5, "ASL101"), (6, 5, "ASL101")]
    assert position_problems(source, diagnostics) == []


def test_tabs_count_as_one_column():
    source = "import time\nasync def f():\n\tif 1:\n\t\tx = 1; time.sleep(1)\n"
    assert codes(lint_source(source, "x.py")) == [(4, 10, "ASL101")]


def test_fifty_thousand_lines(tmp_path):
    body = "".join(f"    x{i} = {i}\n" if i % 1000 else "    time.sleep(1)\n" for i in range(50_000))
    path = write(tmp_path / "big.py", "import time\nasync def f():\n" + body)
    diagnostics = check_file(str(path), Settings())
    assert [d.line for d in diagnostics] == [3 + i for i in range(0, 50_000, 1000)]


def test_too_large_file(tmp_path, monkeypatch):
    monkeypatch.setattr(asynclint.source, "MAX_FILE_BYTES", 100)
    path = write(tmp_path / "x.py", SLEEP * 10)
    [d] = check_file(str(path), Settings())
    assert d.code == "ASL003" and "larger than" in d.message


@pytest.mark.parametrize("source", ["", "# only a comment", "# async\n# await\n", "\n\n\n", "async def"])
def test_empty_and_comment_only(source):
    diagnostics = lint_source(source, "x.py")
    assert [d.code for d in diagnostics] == ([] if source != "async def" else ["ASL001"])


# -- deep nesting -----------------------------------------------------------------------------------

def _in_async(line: str) -> str:
    return f"import time\nasync def f():\n    {line}\n"


def _parser_limit(make) -> int:
    """The depth at which Python's own ast.parse gives up, by bisection."""
    low, high = sys.getrecursionlimit(), 4 * sys.getrecursionlimit()
    while low < high:
        middle = (low + high + 1) // 2
        try:
            ast.parse(make(middle))
            low = middle
        except (RecursionError, SyntaxError, MemoryError):
            high = middle - 1
    return low


DEEP = {
    "binop": lambda n: _in_async("x = " + " + ".join(["time.sleep(1)"] * n)),
    "elif": lambda n: "import time\nasync def f():\n    if a: pass\n" + "    elif a: time.sleep(1)\n" * n,
    "attribute": lambda n: _in_async("x = a" + ".b" * n + ".read()"),
    "unary": lambda n: _in_async("x = " + "-" * n + "time.sleep(1)"),
    "conditional": lambda n: _in_async("x = " + "1 if a else " * n + "time.sleep(1)"),
    "lambda": lambda n: _in_async("x = " + "lambda: " * n + "time.sleep(1)"),
}


@pytest.mark.parametrize("kind", sorted(DEEP))
def test_deep_but_valid_code_is_analysed(kind):
    """Up to where Python's parser stops (about 3 x the recursion limit), the code is analysed in
    full: deeper than the walk could recurse at the default limit."""
    make = DEEP[kind]
    limit = sys.getrecursionlimit()
    depth = _parser_limit(make) - 50
    assert depth > limit  # beyond what a plain recursive walk survives
    diagnostics = lint_source(make(depth), "deep.py")
    assert not [d for d in diagnostics if d.code in ("ASL001", "ASL002")], diagnostics[:1]
    assert sys.getrecursionlimit() == limit


@pytest.mark.parametrize("source, message", [
    (_in_async("x = " + "(" * 300 + "1" + ")" * 300), "too many nested parentheses"),
    (_in_async("x = " + "-" * 100_000 + "1"), "too deeply nested"),
    (_in_async("x = a" + ".b" * 100_000), "too deeply nested"),
    ("async def f():\n" + "".join(" " * i + "if a:\n" for i in range(1, 120)) + " " * 120 + "pass\n",
     "too many levels of indentation"),
])
def test_deeper_than_python_parses_is_asl001(source, message):
    [d] = lint_source(source, "deep.py")
    assert d.code == "ASL001" and message in d.message


def test_deep_file_through_the_cli(tmp_path, run_cli):
    write(tmp_path / "deep.py", DEEP["elif"](2500))
    write(tmp_path / "deeper.py", _in_async("x = " + "-" * 100_000 + "1"))
    code, out, err = run_cli("check", "--select", "ASL0,ASL101", ".")
    assert "Traceback" not in err
    assert len([line for line in lines_of(out) if "deep.py" in line and "ASL101" in line]) == 2500
    assert [line for line in lines_of(out) if "deeper.py" in line][0].startswith("deeper.py:1:1: ASL001")
    assert code == 1


def test_recursion_error_escaping_the_deep_walk_is_asl001(monkeypatch):
    def bottomless(function):
        raise RecursionError("maximum recursion depth exceeded")
    monkeypatch.setattr(engine, "run_deep", bottomless)
    [d] = lint_source(DEEP["elif"](1000), "deep.py")
    assert (d.code, d.message) == ("ASL001", "too deeply nested to analyse")


# -- the file system: links, FIFOs, unreadable files, missing paths ---------------------------------

@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links")
def test_symlink_loops_and_broken_links(tmp_path, run_cli):
    tree = tmp_path / "tree"
    write(tree / "pkg" / "a.py", SLEEP)
    try:
        os.symlink("..", tree / "pkg" / "up")  # a directory loop: not followed
    except OSError:
        pytest.skip("cannot make symbolic links here")
    os.symlink(".", tree / "pkg" / "here")
    os.symlink("self.py", tree / "self.py")  # a link to itself
    os.symlink("missing.py", tree / "broken.py")
    code, out, err = run_cli("check", "tree")
    reported = lines_of(out)
    assert reported[0].startswith("tree/broken.py:1:1: ASL003 cannot read file")
    assert reported[1].startswith("tree/pkg/a.py:4:5: ASL101")
    assert reported[2].startswith("tree/self.py:1:1: ASL003 cannot read file")
    assert len(reported) == 3 and code == 1
    code, out, err = run_cli("check", "tree/self.py", "tree/broken.py", "tree/pkg/a.py")
    assert "tree/self.py: a broken symbolic link or a link loop" in err
    assert "tree/broken.py: a broken symbolic link or a link loop" in err
    assert "ASL101" in out and code == 2


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs")
def test_fifo_is_not_read(tmp_path, run_cli):
    """Reading a FIFO would wait for a writer forever."""
    os.mkfifo(tmp_path / "pipe.py")
    write(tmp_path / "ok.py", SLEEP)
    code, out, err = run_cli("check", ".")
    assert lines_of(out) == [
        "ok.py:4:5: ASL101 `time.sleep()` blocks the event loop; use `await asyncio.sleep()` [fix: safe]",
        "pipe.py:1:1: ASL003 not a regular file (a FIFO, socket or device?); not checked",
    ]
    assert code == 1


def test_unreadable_file(tmp_path, monkeypatch):
    path = write(tmp_path / "secret.py", SLEEP)
    real_open = os.open

    def refusing_open(name, *args, **kwargs):
        if os.fspath(name) == str(path):
            raise PermissionError(13, "Permission denied", name)
        return real_open(name, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing_open)
    result = check_paths([str(tmp_path)], Settings())
    assert [(d.code, d.message) for d in result.diagnostics] == [("ASL003", "cannot read file: Permission denied")]


@pytest.mark.skipif(os.name == "nt" or os.geteuid() == 0, reason="root (or Windows) reads mode-000 files")
def test_mode_000_file(tmp_path):
    path = write(tmp_path / "secret.py", SLEEP)
    path.chmod(0)
    try:
        [d] = check_file(str(path), Settings())
    finally:
        path.chmod(stat.S_IRUSR | stat.S_IWUSR)
    assert d.code == "ASL003" and "Permission denied" in d.message


def test_directory_read_as_a_file(tmp_path):
    (tmp_path / "pkg.py").mkdir()
    [d] = check_file(str(tmp_path / "pkg.py"), Settings())
    assert d.code == "ASL003" and "directory" in d.message


def test_unlistable_directory_is_reported(tmp_path, monkeypatch, capsys):
    write(tmp_path / "ok.py", SLEEP)
    write(tmp_path / "locked" / "hidden.py", SLEEP)
    real_scandir = os.scandir

    def refusing_scandir(path="."):
        if os.path.basename(os.fspath(path)) == "locked":
            raise PermissionError(13, "Permission denied", path)
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", refusing_scandir)
    assert cli.main(["check", str(tmp_path)]) == cli.EXIT_ERROR
    out, err = capsys.readouterr()
    assert "ok.py:4:5: ASL101" in out and "hidden.py" not in out
    assert "locked: cannot list directory: Permission denied" in err


def test_very_deep_directory_tree(tmp_path, monkeypatch):
    """os.walk recurses once a level; the discovery must not."""
    levels = sys.getrecursionlimit() + 50
    monkeypatch.chdir(tmp_path)
    try:
        for _ in range(levels):  # relative steps: the absolute path would pass PATH_MAX
            os.mkdir("d")
            os.chdir("d")
        with open("deep.py", "w") as handle:
            handle.write(SLEEP)
        os.chdir(tmp_path)
        result = check_paths(["d"], Settings())
        assert [d.code for d in result.diagnostics] == ["ASL101"] and result.problems == []
    finally:
        _remove_deep_tree(tmp_path, levels)


def _remove_deep_tree(top, levels):
    """Bottom-up, without recursion: shutil.rmtree (and pytest's clean-up) would recurse."""
    os.chdir(top)
    depth = 0
    while depth < levels and os.path.isdir("d"):
        os.chdir("d")
        depth += 1
    if os.path.exists("deep.py"):
        os.remove("deep.py")
    for _ in range(depth):
        os.chdir("..")
        os.rmdir("d")


def test_missing_paths_and_directory_as_config(tmp_path, run_cli):
    write(tmp_path / "ok.py", SLEEP)
    (tmp_path / "conf").mkdir()
    code, out, err = run_cli("check", "nowhere.py", "ok.py")
    assert "asynclint: error: nowhere.py: no such file or directory" in err
    assert "ok.py:4:5: ASL101" in out and code == 2
    code, out, err = run_cli("check", "--config", "conf", "ok.py")
    assert "--config conf: is a directory, not a file" in err and code == 2


@pytest.mark.parametrize("text, message", [
    ("[tool.asynclint\n", "invalid TOML"),
    ("tool = 1\n", "[tool] must be a table"),
    ("[tool]\nasynclint = 3\n", "[tool.asynclint] must be a table"),
    ('[tool.asynclint]\nselect = "ASL"\n', "`select` must be a list of rule codes"),
    ("[tool.asynclint]\nno-such-key = 1\n", "unknown key `no-such-key`"),
    (b"[tool.asynclint]\n# \xff\xfe\n", "invalid TOML"),
])
def test_invalid_pyproject(tmp_path, run_cli, text, message):
    write(tmp_path / "pyproject.toml", text)
    write(tmp_path / "ok.py", SLEEP)
    code, out, err = run_cli("check", "ok.py")
    assert code == 2 and message in err and "Traceback" not in err
    assert err.startswith("asynclint: error: ") and "pyproject.toml" in err


def test_closed_output_pipe(tmp_path):
    write(tmp_path / "many.py", "import time\nasync def f():\n" + "    time.sleep(1)\n" * 5_000)
    command = f"{sys.executable} -m asynclint check many.py | head -n 1"
    proc = subprocess.run(["sh", "-c", command], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.stdout.count("ASL101") == 1
    assert "Traceback" not in proc.stderr and "BrokenPipeError" not in proc.stderr


def test_no_thread_for_the_deep_walk_is_asl001(monkeypatch):
    import threading

    def refuse(self):
        raise RuntimeError("can't start new thread")
    monkeypatch.setattr(threading.Thread, "start", refuse)
    limit = sys.getrecursionlimit()
    [d] = lint_source(DEEP["elif"](1500), "deep.py")
    assert (d.code, d.message) == ("ASL001", "too deeply nested to analyse")
    assert sys.getrecursionlimit() == limit


def test_out_of_memory_is_asl001(monkeypatch):
    import asynclint.analysis

    def exhausted(*args, **kwargs):
        raise MemoryError
    monkeypatch.setattr(asynclint.analysis.Analysis, "run", exhausted)
    [d] = lint_source(SLEEP, "x.py")
    assert d.code == "ASL001" and "out of memory" in d.message
    monkeypatch.setattr(engine.ast, "parse", exhausted)
    [d] = lint_source(SLEEP, "x.py")
    assert d.code == "ASL001" and "too deeply nested for the parser" in d.message
