#!/usr/bin/env python3
"""Time asynclint against flake8 + flake8-async and ruff on pinned corpora of real code.

Run by hand from the repository root (never by the tests):

    python benchmarks/run.py                # set up if needed, then measure; prints a Markdown table
    python benchmarks/run.py --reps 5 --flake8-mixed

What it does, every step re-runnable:

1. Two virtual environments (gitignored): ``benchmarks/.venv`` with the pinned flake8,
   flake8-async and ruff, and ``benchmarks/.venv-asynclint`` with this checkout installed
   (not editable). They are separate so that flake8 does not also load asynclint's own flake8
   plugin, which would charge flake8 for asynclint's work.
2. The corpus (gitignored): pinned wheels from PyPI, fetched with ``pip download``; their
   ``.py`` files are extracted to ``benchmarks/corpus/async`` (ten async packages) and
   ``benchmarks/corpus/mixed`` (the same plus django and sqlalchemy), and a file of about
   10,000 lines is made by concatenating whole modules of the async corpus.
3. Each tool runs in its own subprocess, the tools alternating within each repetition (the
   starting tool rotates), so that a noisy neighbour on the shared machine hurts all of them
   alike. Wall time is taken around the subprocess; peak memory is the largest sum of the
   resident set sizes of the process and its children, sampled every 5 ms from /proc.
   The table reports medians.

asynclint runs: cold (its cache directory deleted before the run, so the run also writes
the cache), with ``--jobs 1`` and with every core; cached (the same command again, tree
unchanged). flake8 runs ``--select ASYNC -j auto``; ruff ``check --select ASYNC --no-cache``.

The full-corpus mode (``--full-corpus [DIR]``) measures the 20 async packages of the precision
issue as sdists (tests included), unpacked in DIR (default: downloaded with ``pip download`` into
``benchmarks/corpus/full``): asynclint cold with the default jobs, cold ``--jobs 1``, cached, the
parse floor (``ast.parse`` of every file that contains "async", one process; and the same with each
tree traversed by a Python walk that does nothing, and by ``ast.walk``) and ruff, alternating,
with wall and CPU time; with ``--per-package``, also cold default jobs against cold ``--jobs 1`` on
each package alone. ``--asynclint PATH`` times another asynclint (say, a checkout's venv);
``--reference PATH`` times a second one alongside (say, main's), alternating with the first.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CORPUS = os.path.join(HERE, "corpus")
TOOLS_VENV = os.path.join(HERE, ".venv")
ASYNCLINT_VENV = os.path.join(HERE, ".venv-asynclint")

TOOLS = ["flake8==7.1.1", "flake8-async==24.11.4", "ruff==0.8.0"]
ASYNC_PACKAGES = [
    "aiohttp==3.10.10", "httpx==0.27.2", "anyio==4.6.2.post1", "starlette==0.41.2", "fastapi==0.115.4",
    "uvicorn==0.32.0", "websockets==13.1", "asyncpg==0.30.0", "redis==5.2.0", "tornado==6.4.1",
]
MIXED_EXTRA = ["django==5.1.3", "sqlalchemy==2.0.36"]
FULL_PACKAGES = [
    "aiofiles==25.1.0", "aiogram==3.31.0", "aiohttp==3.14.5", "aiokafka==0.14.0", "aiosqlite==0.22.1",
    "anyio==4.16.0", "asyncpg==0.32.0", "discord.py==2.7.1", "fastapi==0.165.0", "httpcore==1.0.9",
    "httpx==0.28.1", "motor==3.7.1", "redis==8.1.0", "sanic==25.12.1", "starlette==1.10.0", "telethon==1.45.0",
    "tornado==6.6.1", "trio==0.35.0", "uvicorn==0.54.0", "websockets==17.4",
]
# The parse floor: what parsing alone costs, one process, every file asynclint would parse.
# The first argument says what else is done with each tree, the others are the directories: "-",
# nothing; otherwise each tree is also traversed in Python doing nothing else: "visit", the
# least a recursive walk over every node's fields costs; "ast.walk", the standard library's.
# What a pure-Python analysis adds to the parse cannot be less than the first.
PARSE_FLOOR = """
import ast, os, sys, warnings
warnings.simplefilter("ignore")
def visit(node):
    for field in node._fields:
        value = getattr(node, field, None)
        if type(value) is list:
            for item in value:
                if isinstance(item, ast.AST):
                    visit(item)
        elif isinstance(value, ast.AST):
            visit(value)
def walk(tree):
    for node in ast.walk(tree):
        pass
traverse = {"visit": visit, "ast.walk": walk}.get(sys.argv[1])
for base, dirs, names in (step for root in sys.argv[2:] for step in os.walk(root)):
    dirs[:] = [d for d in dirs if not d.startswith(".")]
    for name in names:
        if name.endswith(".py"):
            with open(os.path.join(base, name), "rb") as handle:
                data = handle.read()
            if b"async" in data:
                try:
                    tree = ast.parse(data)
                except (SyntaxError, ValueError):
                    continue
                if traverse:
                    traverse(tree)
"""
BIG_FILE_LINES = 10_000


# -- set-up ------------------------------------------------------------------------------------

def _run(cmd, **kwargs):
    print("+", " ".join(cmd), file=sys.stderr)
    subprocess.run(cmd, check=True, **kwargs)


def _bin(venv: str, name: str) -> str:
    return os.path.join(venv, "bin", name)


def setup_venvs(reinstall_asynclint: bool = True) -> None:
    stamp = os.path.join(TOOLS_VENV, "pinned.txt")
    if not (os.path.exists(stamp) and open(stamp).read() == "\n".join(TOOLS)):
        shutil.rmtree(TOOLS_VENV, ignore_errors=True)
        _run([sys.executable, "-m", "venv", TOOLS_VENV])
        _run([_bin(TOOLS_VENV, "python"), "-m", "pip", "install", "-q", *TOOLS])
        with open(stamp, "w") as handle:
            handle.write("\n".join(TOOLS))
    if not os.path.exists(_bin(ASYNCLINT_VENV, "asynclint")):
        shutil.rmtree(ASYNCLINT_VENV, ignore_errors=True)
        _run([sys.executable, "-m", "venv", ASYNCLINT_VENV])
        _run([_bin(ASYNCLINT_VENV, "python"), "-m", "pip", "install", "-q", ROOT])  # with its dependencies
    elif reinstall_asynclint:
        # A fresh copy of the checkout as it is now (not editable, no stale build/).
        _run([_bin(ASYNCLINT_VENV, "python"), "-m", "pip", "install", "-q", "--force-reinstall", "--no-deps", ROOT])


def _extract(wheel: str, target: str) -> None:
    with zipfile.ZipFile(wheel) as archive:
        for member in archive.namelist():
            if member.endswith(".py") and ".dist-info/" not in member:
                archive.extract(member, target)


def setup_corpus() -> None:
    wheels = os.path.join(CORPUS, "wheels")
    os.makedirs(wheels, exist_ok=True)
    stamp = os.path.join(CORPUS, "pinned.txt")
    wanted = "\n".join(ASYNC_PACKAGES + MIXED_EXTRA)
    if os.path.exists(stamp) and open(stamp).read() == wanted:
        return
    for name in ("async", "mixed"):
        shutil.rmtree(os.path.join(CORPUS, name), ignore_errors=True)
    _run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:", "-d", wheels,
          *ASYNC_PACKAGES, *MIXED_EXTRA])
    files = os.listdir(wheels)
    for spec in ASYNC_PACKAGES + MIXED_EXTRA:
        project, version = spec.split("==")
        wheel = next(f for f in files if f.lower().replace("_", "-").startswith(f"{project}-{version}-"))
        targets = ["mixed"] + (["async"] if spec in ASYNC_PACKAGES else [])
        for target in targets:
            _extract(os.path.join(wheels, wheel), os.path.join(CORPUS, target))
    for target in ("async", "mixed"):
        directory = os.path.join(CORPUS, target)
        # Make each corpus its own project: no tool then reads this repository's configuration
        # or its .gitignore (which ignores benchmarks/corpus/ itself).
        with open(os.path.join(directory, "pyproject.toml"), "w") as handle:
            handle.write("[project]\nname = 'corpus'\nversion = '0'\n")
        os.makedirs(os.path.join(directory, ".git"), exist_ok=True)
    _make_big_file()
    with open(stamp, "w") as handle:
        handle.write(wanted)


def _python_files(directory: str) -> list[str]:
    found = []
    for base, subdirs, names in os.walk(directory):
        subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))
        found += [os.path.join(base, n) for n in sorted(names) if n.endswith(".py")]
    return found


def _make_big_file() -> None:
    """About 10,000 lines of real async code: whole modules of the async corpus, largest first."""
    directory = os.path.join(CORPUS, "bigfile")
    os.makedirs(directory, exist_ok=True)
    candidates = []
    for path in _python_files(os.path.join(CORPUS, "async")):
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        if "async def" in text:
            candidates.append((-text.count("\n"), os.path.relpath(path, CORPUS), text))
    candidates.sort()
    parts, lines = [], 0
    for negative, name, text in candidates:
        text = "\n".join(line for line in text.splitlines() if not line.startswith("from __future__"))
        try:
            compile("\n".join(parts + [text]), "big.py", "exec", dont_inherit=True)
        except SyntaxError:
            continue
        parts.append(f"# ---- {name}\n{text}\n")
        lines += text.count("\n") + 2
        if lines >= BIG_FILE_LINES:
            break
    with open(os.path.join(directory, "big.py"), "w", encoding="utf-8") as handle:
        handle.write("\n".join(parts))
    with open(os.path.join(directory, "pyproject.toml"), "w") as handle:
        handle.write("[project]\nname = 'bigfile'\nversion = '0'\n")
    os.makedirs(os.path.join(directory, ".git"), exist_ok=True)


# -- measuring ---------------------------------------------------------------------------------

def _tree_rss(root_pid: int) -> int:
    """Resident bytes of a process and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        fields = stat[stat.rfind(b")") + 2:].split()
        pid, ppid = int(entry), int(fields[1])
        children.setdefault(ppid, []).append(pid)
        rss[pid] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
    total, stack = 0, [root_pid]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack += children.get(pid, [])
    return total


def measure(cmd: list[str], cwd: str) -> tuple[float, float, str]:
    """(wall seconds, peak MB of the process tree, a digest of what it printed). The CPU seconds
    of the process and the children it waited for are left in ``measure.cpu``."""
    peak = 0
    output = tempfile.TemporaryFile()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=output, stderr=subprocess.PIPE)
    done = threading.Event()

    def sample():
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(proc.pid))
            done.wait(0.005)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    done.set()
    sampler.join()
    measure.cpu = usage.ru_utime + usage.ru_stime
    proc.returncode = os.waitstatus_to_exitcode(status)
    stderr = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{stderr[-2000:]}")
    peak = max(peak, usage.ru_maxrss * 1024)
    output.seek(0)
    digest = hashlib.sha256(output.read()).hexdigest()
    output.close()
    return elapsed, peak / 2**20, digest


def count(directory: str) -> tuple[int, int]:
    files = _python_files(directory)
    lines = 0
    for path in files:
        with open(path, "rb") as handle:
            lines += handle.read().count(b"\n")
    return len(files), lines


def commands(target: str, cache_dir: str, jobs: int) -> dict[str, tuple[list[str], str | None]]:
    """name -> (command, what to do before each run). ``target`` is "." run inside the corpus."""
    asynclint = _bin(ASYNCLINT_VENV, "asynclint")
    quiet = ["--quiet", "--exit-zero", "--cache-dir", cache_dir]
    return {
        "asynclint cold -j1": ([asynclint, "check", *quiet, "--jobs", "1", target], "clear"),
        f"asynclint cold -j{jobs}": ([asynclint, "check", *quiet, "--jobs", str(jobs), target], "clear"),
        f"asynclint cached -j{jobs}": ([asynclint, "check", *quiet, "--jobs", str(jobs), target], "warm"),
        "flake8-async -j auto": ([_bin(TOOLS_VENV, "flake8"), "--select", "ASYNC", "-j", "auto", target], None),
        "ruff --no-cache": ([_bin(TOOLS_VENV, "ruff"), "check", "--select", "ASYNC", "--no-cache", "--exit-zero",
                             "--quiet", target], None),
    }


def timed_run(tool: str, run: tuple, directory: str, cache_dir: str, outputs: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, peak MB) of one run of ``tool``, its cache first cleared or warmed as ``run``
    says. Every asynclint configuration must print the same findings (``outputs``: digest -> tool),
    or the timing is void."""
    cmd, before = run
    if before == "clear":
        shutil.rmtree(cache_dir, ignore_errors=True)
    elif before == "warm":
        subprocess.run(cmd, cwd=directory, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seconds, peak, digest = measure(cmd, directory)
    if tool.startswith("asynclint"):
        outputs.setdefault(digest, tool)
        if len(outputs) > 1:
            raise SystemExit(f"asynclint printed different findings in {sorted(outputs.values())}")
    return seconds, peak


def bench(name: str, directory: str, target: str, reps: int, skip: set[str], flake8_reps: int) -> dict:
    jobs = len(os.sched_getaffinity(0))
    cache_dir = os.path.join(CORPUS, f".cache-{name}")
    runs = {k: v for k, v in commands(target, cache_dir, jobs).items() if not any(s in k for s in skip)}
    files, lines = count(directory) if target == "." else (1, open(os.path.join(directory, target)).read().count("\n"))
    times: dict[str, list[float]] = {k: [] for k in runs}
    memory: dict[str, list[float]] = {k: [] for k in runs}
    names = list(runs)
    outputs: dict[str, str] = {}
    for rep in range(reps):
        order = names[rep % len(names):] + names[: rep % len(names)]
        for tool in order:
            if tool.startswith("flake8") and rep >= flake8_reps:
                continue
            seconds, peak = timed_run(tool, runs[tool], directory, cache_dir, outputs)
            times[tool].append(seconds)
            memory[tool].append(peak)
            print(f"  [{name} rep {rep + 1}/{reps}] {tool}: {seconds:.2f} s, {peak:.0f} MB", file=sys.stderr)
    return {"corpus": name, "files": files, "lines": lines, "reps": reps,
            "rows": {tool: {"median_s": statistics.median(times[tool]), "all_s": times[tool],
                            "peak_mb": max(memory[tool])} for tool in runs}}


def table(result: dict) -> str:
    rows = result["rows"]
    flake8 = next((v["median_s"] for k, v in rows.items() if k.startswith("flake8")), None)
    ruff = next((v["median_s"] for k, v in rows.items() if k.startswith("ruff")), None)
    out = [f"**{result['corpus']}**: {result['files']:,} files, {result['lines']:,} lines, "
           f"medians (runs per tool in the last column)",
           "",
           "| tool | median s | files/s | lines/s | peak MB | vs flake8-async | vs ruff | runs |",
           "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for tool, row in rows.items():
        median = row["median_s"]
        speedup = f"{flake8 / median:.1f}x faster" if flake8 else "-"
        versus_ruff = f"{median / ruff:.1f}x ruff's time" if ruff else "-"
        out.append(f"| {tool} | {median:.3f} | {result['files'] / median:,.0f} | {result['lines'] / median:,.0f} | "
                   f"{row['peak_mb']:.0f} | {speedup} | {versus_ruff} | {len(row['all_s'])} |")
    return "\n".join(out)


def setup_full_corpus(directory: str) -> None:
    """The 20 packages' sdists (wheels where PyPI has no sdist), unpacked into ``directory``."""
    stamp = os.path.join(directory, "pinned.txt")
    if os.path.exists(stamp) and open(stamp).read() == "\n".join(FULL_PACKAGES):
        return
    unpacked = {name.lower().replace("_", ".") for name in os.listdir(directory)} if os.path.isdir(directory) else set()
    if all(spec.replace("==", "-").lower() in unpacked for spec in FULL_PACKAGES):
        return  # already unpacked there by another script (realcode.py, or by hand)
    downloads = os.path.join(directory, ".downloads")
    os.makedirs(downloads, exist_ok=True)
    for spec in FULL_PACKAGES:
        _run([sys.executable, "-m", "pip", "download", "-q", "--no-deps",
              "--prefer-binary" if spec.startswith("telethon") else "--no-binary=" + spec.split("==")[0], "-d", downloads, spec])
    import tarfile

    for name in os.listdir(downloads):
        path = os.path.join(downloads, name)
        if name.endswith(".whl"):
            _extract(path, os.path.join(directory, name.split("-")[0] + "-" + name.split("-")[1]))
        elif name.endswith(".tar.gz"):
            with tarfile.open(path) as archive:
                archive.extractall(directory, filter="data")
    with open(stamp, "w") as handle:
        handle.write("\n".join(FULL_PACKAGES))


def _alternate(runs: dict, directory: str, reps: int, cache_dir: str, label: str) -> dict:
    """Each command ``reps`` times, alternating (the first rotates): medians of wall and CPU."""
    names = list(runs)
    figures: dict[str, dict[str, list[float]]] = {k: {"wall": [], "cpu": [], "mb": []} for k in names}
    outputs: dict[str, str] = {}
    for rep in range(reps):
        for tool in names[rep % len(names):] + names[: rep % len(names)]:
            seconds, peak = timed_run(tool, runs[tool], directory, cache_dir, outputs)
            for key, value in (("wall", seconds), ("cpu", measure.cpu), ("mb", peak)):
                figures[tool][key].append(value)
            print(f"  [{label} rep {rep + 1}/{reps}] {tool}: {seconds:.2f} s wall, {measure.cpu:.2f} s CPU, "
                  f"{peak:.0f} MB", file=sys.stderr)
    return {tool: {"wall": statistics.median(f["wall"]), "cpu": statistics.median(f["cpu"]),
                   "peak_mb": max(f["mb"]), "runs": len(f["wall"])} for tool, f in figures.items()}


def full_corpus(directory: str, asynclint: str, ruff: str, reps: int, per_package: bool,
                reference: str | None = None) -> str:
    """The table of the full corpus; ``reference``: another asynclint (say, main's) timed in the
    same alternation, its rows named "reference ..." (its findings must be the same)."""
    cache_dir = os.path.join(tempfile.gettempdir(), "asynclint-bench-full-cache")
    quiet = ["--quiet", "--exit-zero", "--cache-dir", cache_dir]
    packages = sorted(d for d in os.listdir(directory) if not d.startswith(".") and
                      os.path.isdir(os.path.join(directory, d)) and not d.startswith("flake8"))
    tools = {"asynclint": asynclint, **({"reference": reference} if reference else {})}
    runs = {}
    for name, tool in tools.items():
        runs.update({
            f"{name} cold, default jobs": ([tool, "check", *quiet, *packages], "clear"),
            f"{name} cold -j1": ([tool, "check", *quiet, "--jobs", "1", *packages], "clear"),
            f"{name} cached": ([tool, "check", *quiet, *packages], "warm"),
        })
    runs.update({
        "parse floor": ([sys.executable, "-c", PARSE_FLOOR, "-", *packages], None),
        "parse + a Python walk doing nothing": ([sys.executable, "-c", PARSE_FLOOR, "visit", *packages], None),
        "parse + ast.walk": ([sys.executable, "-c", PARSE_FLOOR, "ast.walk", *packages], None),
        "ruff --no-cache": ([ruff, "check", "--select", "ASYNC", "--no-cache", "--exit-zero", "--quiet", *packages],
                            None),
    })
    load = os.getloadavg()
    rows = _alternate(runs, directory, reps, cache_dir, "full corpus")
    files, lines = count(directory)
    ruff_wall, floor_cpu = rows["ruff --no-cache"]["wall"], rows["parse floor"]["cpu"]
    out = [f"**full corpus**: {len(packages)} packages, {files:,} files, {lines:,} lines; load average "
           f"{load[0]:.1f} at the start, {os.getloadavg()[0]:.1f} at the end, on {len(os.sched_getaffinity(0))} "
           f"cores; medians of {reps}",
           "", "| run | wall s | CPU s | peak MB | wall / ruff wall | CPU / parse floor CPU |",
           "|---|---:|---:|---:|---:|---:|"]
    for tool, row in rows.items():
        out.append(f"| {tool} | {row['wall']:.2f} | {row['cpu']:.2f} | {row['peak_mb']:.0f} | "
                   f"{row['wall'] / ruff_wall:.2f} | {row['cpu'] / floor_cpu:.2f} |")
    if per_package:
        out += ["", "| package | " + " | ".join(f"{name} default jobs wall s | {name} -j1 wall s | {name} default / -j1"
                                              for name in tools) + " |",
                "|---|" + "---:|---:|---:|" * len(tools)]
        for package in packages:
            pairs = {}
            for name, tool in tools.items():
                pairs[f"{name} default jobs"] = ([tool, "check", *quiet, "."], "clear")
                pairs[f"{name} -j1"] = ([tool, "check", *quiet, "--jobs", "1", "."], "clear")
            rows = _alternate(pairs, os.path.join(directory, package), reps, cache_dir, package)
            cells = []
            for name in tools:
                default, single = rows[f"{name} default jobs"]["wall"], rows[f"{name} -j1"]["wall"]
                cells.append(f"{default:.2f} | {single:.2f} | {default / single:.2f}")
            out.append(f"| {package} | {' | '.join(cells)} |")
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=3, help="repetitions of each measurement (default 3)")
    parser.add_argument("--flake8-reps", type=int, default=1,
                        help="repetitions of flake8, the slowest by far (default 1)")
    parser.add_argument("--flake8-mixed", action="store_true",
                        help="also time flake8 on the mixed corpus (many minutes per run)")
    parser.add_argument("--only", choices=("async", "mixed", "bigfile"), action="append",
                        help="measure only these (repeatable)")
    parser.add_argument("--no-setup", action="store_true", help="use the venvs and corpus as they are")
    parser.add_argument("--json", metavar="FILE", help="also write the raw figures to FILE")
    parser.add_argument("--full-corpus", metavar="DIR", nargs="?", const=os.path.join(CORPUS, "full"),
                        help="measure the 20 async packages unpacked in DIR (downloaded there if missing)")
    parser.add_argument("--per-package", action="store_true",
                        help="with --full-corpus: default jobs against --jobs 1 on each package")
    parser.add_argument("--asynclint", metavar="PATH", help="the asynclint to time (default: the benchmark's venv)")
    parser.add_argument("--ruff", metavar="PATH", help="the ruff to time (default: the benchmark's venv)")
    parser.add_argument("--reference", metavar="PATH",
                        help="with --full-corpus: another asynclint (say, main's) timed alongside, alternating")
    args = parser.parse_args()
    if sys.platform != "linux":
        raise SystemExit("the benchmark reads /proc: run it on Linux")
    if args.full_corpus:
        if not args.no_setup and not (args.asynclint and args.ruff):
            setup_venvs()
        if not os.path.isfile(os.path.join(args.full_corpus, "pinned.txt")) and not args.no_setup:
            setup_full_corpus(args.full_corpus)
        tools = [os.path.abspath(t) if t else None for t in (args.asynclint, args.ruff)]
        print(full_corpus(args.full_corpus, tools[0] or _bin(ASYNCLINT_VENV, "asynclint"),
                          tools[1] or _bin(TOOLS_VENV, "ruff"), args.reps, args.per_package,
                          args.reference and os.path.abspath(args.reference)))
        return 0
    if not args.no_setup:
        setup_venvs()
        setup_corpus()
    results = []
    wanted = args.only or ["bigfile", "async", "mixed"]
    if "bigfile" in wanted:
        results.append(bench("bigfile (one file)", os.path.join(CORPUS, "bigfile"), "big.py", args.reps, set(), args.flake8_reps))
    if "async" in wanted:
        results.append(bench("async corpus", os.path.join(CORPUS, "async"), ".", args.reps, set(), args.flake8_reps))
    if "mixed" in wanted:
        skip = set() if args.flake8_mixed else {"flake8"}
        results.append(bench("mixed corpus", os.path.join(CORPUS, "mixed"), ".", args.reps, skip, args.flake8_reps))
    version = subprocess.run([_bin(ASYNCLINT_VENV, "asynclint"), "--version"], capture_output=True, text=True).stdout
    head = (f"{time.strftime('%Y-%m-%d', time.gmtime())}, {platform.python_implementation()} "
            f"{platform.python_version()}, {len(os.sched_getaffinity(0))} cores, {version.strip()}, "
            f"{', '.join(TOOLS)}")
    print(head + "\n")
    for result in results:
        print(table(result) + "\n")
    if args.json:
        with open(args.json, "w") as handle:
            json.dump({"environment": head, "results": results}, handle, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
