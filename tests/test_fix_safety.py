"""Fix safety on real code: blocking calls injected into the standard library's async functions.

After `--fix --unsafe-fixes` every file parses and compiles, re-checking it reports exactly
what the fixer said remains, and fixing again changes nothing. A deterministic sample runs by
default; `-m slow` runs every standard-library module with an async function.
"""

import ast
import glob
import os
import sysconfig

import pytest

from asynclint import fix_source
from asynclint.engine import lint_source
from asynclint.model import Settings

STDLIB = sysconfig.get_paths()["stdlib"]
INJECTED = ("time.sleep(0)", "open('/dev/null').read()", "os.path.exists('x')", "subprocess.run(['true'])")


def _async_modules():
    paths = []
    for path in sorted(glob.glob(os.path.join(STDLIB, "**", "*.py"), recursive=True)):
        if "site-packages" in path or "/test/" in path or "lib2to3" in path:
            continue
        try:
            with open(path, encoding="utf-8") as handle:
                if "async def" in handle.read():
                    paths.append(path)
        except (OSError, UnicodeDecodeError):
            continue
    return paths


ALL = _async_modules()
SAMPLE = ALL[:: max(1, len(ALL) // 12)][:12]


def inject(source):
    """A blocking call as the first statement of every async function whose body starts on its own line."""
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    targets = sorted((n.body[0].lineno, n.body[0].col_offset) for n in ast.walk(tree)
                     if isinstance(n, ast.AsyncFunctionDef) and n.body[0].lineno > n.lineno)
    for number, (line, col) in enumerate(reversed(targets)):
        lines.insert(line - 1, " " * col + INJECTED[number % len(INJECTED)] + "\n")
    return "import os, subprocess, time\n" + "".join(lines), len(targets)


def check_fix_is_safe(path):
    with open(path, encoding="utf-8") as handle:
        source, injected = inject(handle.read())
    settings = Settings()
    fixed_source, fixed, remaining = fix_source(source, path, settings, unsafe=True)
    compile(fixed_source, path, "exec")  # parses and compiles
    assert injected == 0 or fixed, "the injected calls should be fixed"
    recheck = lint_source(fixed_source, path, settings)
    assert sorted((d.line, d.code) for d in recheck) == sorted((d.line, d.code) for d in remaining)
    again, fixed_again, _ = fix_source(fixed_source, path, settings, unsafe=True)
    assert again == fixed_source and not fixed_again


@pytest.mark.parametrize("path", SAMPLE, ids=[os.path.relpath(p, STDLIB) for p in SAMPLE])
def test_fix_is_safe_on_a_sample_of_real_modules(path):
    check_fix_is_safe(path)


@pytest.mark.slow
@pytest.mark.parametrize("path", ALL, ids=[os.path.relpath(p, STDLIB) for p in ALL])
def test_fix_is_safe_on_every_stdlib_module_with_async_code(path):
    check_fix_is_safe(path)
