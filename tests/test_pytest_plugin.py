"""The pytest plugin (--asynclint-blocking): a suite whose async tests block the loop through a sync
helper (time.sleep, a CPU loop, hashlib.pbkdf2_hmac, a sync HTTP request to a local server) and
whose other tests do not (awaits, a worker thread, sync tests), under pytest-asyncio and anyio's
asyncio and trio backends, with asyncio.run in a sync test. Exactly the blocking ones are
reported, at the helper's line, in both modes; `asynclint check --runtime-report` marks them."""

import asyncio.events
import hashlib
import http.server
import json
import threading
import time

import pytest

pytest_plugins = ["pytester"]

INI = "[pytest]\nasyncio_default_fixture_loop_scope = function\n"  # (pytest-asyncio warns without it)
BLOCK_SECONDS = 0.25
THRESHOLD_MS = 100

HELPERS = '''\
import hashlib
import time
import urllib.request


def slow_helper():
    time.sleep({seconds})  # blocks: sleep


def spin():
    total = 0
    for number in range({loops}):
        total += number * number  # blocks: cpu
    return total


def derive():
    return hashlib.pbkdf2_hmac("sha256", b"secret", b"salt", {iterations})  # blocks: hash


def fetch():
    with urllib.request.urlopen("{url}", timeout=10) as response:  # blocks: http
        return response.read()
'''

PYTEST_ASYNCIO_TESTS = '''\
import asyncio

import pytest

import helpers


@pytest.mark.asyncio
async def test_sleep():
    helpers.slow_helper()


@pytest.mark.asyncio
async def test_cpu():
    helpers.spin()


@pytest.mark.asyncio
async def test_hash():
    helpers.derive()


@pytest.mark.asyncio
async def test_http():
    helpers.fetch()


@pytest.mark.asyncio
async def test_awaits():
    await asyncio.sleep({seconds})


@pytest.mark.asyncio
async def test_to_thread():
    await asyncio.to_thread(helpers.slow_helper)


def test_sync():
    helpers.slow_helper()


def test_asyncio_run():
    async def main():
        helpers.spin()

    asyncio.run(main())
'''

ANYIO_TESTS = '''\
import anyio
import pytest

import helpers

pytestmark = [pytest.mark.anyio, pytest.mark.parametrize("anyio_backend", ["asyncio", "trio"])]


async def test_sleep(anyio_backend):
    helpers.slow_helper()


async def test_hash(anyio_backend):
    helpers.derive()


async def test_http(anyio_backend):
    helpers.fetch()


async def test_awaits(anyio_backend):
    await anyio.sleep({seconds})


async def test_to_thread(anyio_backend):
    await anyio.to_thread.run_sync(helpers.spin)
'''

# nodeid -> the helper line (its `# blocks:` marker) it must be reported at; every other test must not be.
EXPECTED = {
    "test_pytest_asyncio.py::test_sleep": "sleep",
    "test_pytest_asyncio.py::test_cpu": "cpu",
    "test_pytest_asyncio.py::test_hash": "hash",
    "test_pytest_asyncio.py::test_http": "http",
    "test_pytest_asyncio.py::test_asyncio_run": "cpu",
    **{f"test_anyio.py::test_{kind}[{backend}]": kind for backend in ("asyncio", "trio")
       for kind in ("sleep", "hash", "http")},
}
CALLS = {"sleep": "time.sleep", "cpu": None, "hash": "hashlib.pbkdf2_hmac", "http": "urllib.request.urlopen"}
FUNCTIONS = {"sleep": "slow_helper", "cpu": "spin", "hash": "derive", "http": "fetch"}
ALL_TESTS = 8 + 10


@pytest.fixture(scope="module")
def slow_server():
    """An HTTP server on 127.0.0.1 that answers each request after BLOCK_SECONDS."""

    class Slow(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            time.sleep(BLOCK_SECONDS)
            body = b"ok"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def _scaled(work, seconds: float, probe: int = 20_000) -> int:
    """How many times ``work(n)`` must be asked to repeat to take about ``seconds`` here (machines
    differ tenfold)."""
    start = time.perf_counter()
    work(probe)
    return max(probe, int(probe * seconds / max(time.perf_counter() - start, 1e-6)))


def _squares(count: int) -> int:
    total = 0
    for number in range(count):
        total += number * number
    return total


@pytest.fixture(autouse=True)
def _ini(pytester):
    pytester.makeini(INI)


@pytest.fixture
def suite(pytester, slow_server):
    helpers = HELPERS.format(
        seconds=BLOCK_SECONDS, url=slow_server, loops=_scaled(_squares, BLOCK_SECONDS * 1.5, 200_000),
        iterations=_scaled(lambda n: hashlib.pbkdf2_hmac("sha256", b"secret", b"salt", n), BLOCK_SECONDS * 1.5))
    pytester.makepyfile(helpers=helpers, test_pytest_asyncio=PYTEST_ASYNCIO_TESTS.format(seconds=BLOCK_SECONDS),
                        test_anyio=ANYIO_TESTS.format(seconds=BLOCK_SECONDS))
    lines = {marker.split("# blocks: ")[1]: number for number, marker in enumerate(helpers.splitlines(), 1)
             if "# blocks: " in marker}
    return pytester, lines


def _run(pytester, *args):
    return pytester.runpytest("-p", "no:cacheprovider", f"--asynclint-blocking-threshold={THRESHOLD_MS}",
                              "--asynclint-blocking-report=episodes.json", *args)


@pytest.mark.parametrize("mode", ["report", "fail"])
def test_exactly_the_blocking_tests_are_reported_at_the_helper_line(suite, mode):
    pytester, lines = suite
    result = _run(pytester, f"--asynclint-blocking={mode}")
    events = json.loads((pytester.path / "episodes.json").read_text())["events"]

    assert sorted(e["nodeid"] for e in events) == sorted(EXPECTED)
    for event in events:
        kind = EXPECTED[event["nodeid"]]
        assert (event["path"], event["line"], event["function"], event["call"]) == (
            "helpers.py", lines[kind], FUNCTIONS[kind], CALLS[kind]), event
        assert event["stack"][0] == {"path": "helpers.py", "line": lines[kind], "function": FUNCTIONS[kind]}
        assert event["stack"][-1]["path"].startswith("test_")  # the project's frames, up to the test
        assert event["duration_ms"] >= THRESHOLD_MS and event["phase"] == "call"
        assert event["loop"] == ("trio" if "[trio]" in event["nodeid"] else "asyncio")
    outcomes = result.parseoutcomes()
    if mode == "fail":
        assert outcomes.get("failed") == len(EXPECTED) and outcomes.get("passed") == ALL_TESTS - len(EXPECTED)
        failed = {r.nodeid for r in result.reprec.getreports("pytest_runtest_logreport") if r.failed}
        assert failed == set(EXPECTED)
        result.stdout.fnmatch_lines(["*the test held the event loop*", f"*helpers.py:{lines['sleep']} in slow_helper()*"])
    else:
        assert outcomes.get("passed") == ALL_TESTS and "failed" not in outcomes
        _the_summary_says_what_the_static_check_reports_and_what_would_make_it(result, events, lines)


def _the_summary_says_what_the_static_check_reports_and_what_would_make_it(result, events, lines):
    static = {e["nodeid"]: (e["static"], e.get("code"), e.get("suggestion")) for e in events}

    # time.sleep and urlopen are in the catalog: the calls of their helpers are reported (ASL401).
    assert static["test_pytest_asyncio.py::test_sleep"] == ("reported", "ASL401", None)
    assert static["test_anyio.py::test_http[trio]"] == ("reported", "ASL401", None)
    # pbkdf2 and a CPU loop are not: the summary names the lines that would make them so.
    assert static["test_pytest_asyncio.py::test_hash"][:2] == ("not reported", None)
    assert static["test_pytest_asyncio.py::test_cpu"][:2] == ("not reported", None)
    reported = sum(1 for e in events if e["static"] == "reported")
    result.stdout.fnmatch_lines([
        "*asynclint: event loop held (threshold 100 ms)*",
        f"{len(EXPECTED)} episodes in {len(EXPECTED)} tests; asynclint check reports {reported} of them.",
        f"*ms  test_pytest_asyncio.py::test_http  helpers.py:{lines['http']} in fetch() calling urllib.request.urlopen()"
        "  [[]reported: ASL401]",  # (fnmatch: [[] is a bracket)
        "What would make asynclint check report the others:",
    ])
    result.stdout.fnmatch_lines_random([
        '*extra-blocking = { "hashlib.pbkdf2_hmac" = "asyncio.to_thread" }*',
        '*extra-blocking = { "hashlib.pbkdf2_hmac" = "trio.to_thread.run_sync" }*',
        '*extra-blocking = { "helpers.spin" = "asyncio.to_thread" }*(CPU-bound code)',
    ])
    assert '"helpers.derive"' not in result.stdout.str()  # its call is named: the line is for the call


def test_check_marks_the_findings_seen_blocking(suite, run_cli):
    pytester, _ = suite
    _run(pytester, "--asynclint-blocking", "test_pytest_asyncio.py::test_sleep", "test_pytest_asyncio.py::test_awaits")
    code, out, err = run_cli("check", "--runtime-report", "episodes.json", ".", cwd=pytester.path)
    assert code == 1, err
    seen = [line for line in out.splitlines() if "seen blocking" in line]
    assert len(seen) == 1 and seen[0].startswith("./test_pytest_asyncio.py:10:5: ASL401 `helpers.slow_helper()`")
    assert seen[0].endswith(" ms in test_sleep]")

    _, out, _ = run_cli("check", "--runtime-report", "episodes.json", "--format", "json", ".", cwd=pytester.path)
    marked = [d for d in json.loads(out) if "seen_blocking" in d]
    assert [(d["line"], d["seen_blocking"]["nodeid"], d["seen_blocking"]["episodes"]) for d in marked] == [
        (10, "test_pytest_asyncio.py::test_sleep", 1)]
    assert marked[0]["seen_blocking"]["duration_ms"] >= THRESHOLD_MS

    _, out, _ = run_cli("check", "--runtime-report", "episodes.json", "--format", "sarif", ".", cwd=pytester.path)
    results = json.loads(out)["runs"][0]["results"]
    marked = [r for r in results if "seenBlocking" in r.get("properties", {})]
    assert len(marked) == 1 and "[seen blocking: " in marked[0]["message"]["text"]
    assert all("seen blocking" not in r["message"]["text"] for r in results if r not in marked)


@pytest.mark.parametrize("content, message", [
    (None, "No such file or directory"),
    ("not json", "not JSON"),
    ('{"events": []}', "not a runtime report of asynclint's pytest plugin"),
])
def test_a_bad_runtime_report_is_exit_2_with_a_message(tmp_path, run_cli, content, message):
    (tmp_path / "app.py").write_text("import time\n\n\nasync def f():\n    time.sleep(1)\n")
    if content is not None:
        (tmp_path / "report.json").write_text(content)
    code, out, err = run_cli("check", "--runtime-report", "report.json", "app.py")
    assert code == 2 and message in err and "Traceback" not in err


def test_an_episode_only_a_rule_that_is_off_reports_names_the_rule_to_select(pytester):
    """A helper that sleeps under a condition its caller's argument decides at run time is
    "may block, when" (ASL402, off by default): the summary names the line that turns it on."""
    pytester.makepyfile(
        gated="import time\n\n\ndef maybe_wait(slow):\n    if slow:\n        time.sleep({})\n".format(BLOCK_SECONDS),
        test_gated="import asyncio\n\nimport gated\n\n\nasync def wait(slow):\n    gated.maybe_wait(slow)\n\n\n"
                   "def test_run():\n    asyncio.run(wait(bool(len('x'))))\n")
    result = _run(pytester, "--asynclint-blocking")
    result.assert_outcomes(passed=1)
    [event] = json.loads((pytester.path / "episodes.json").read_text())["events"]
    assert (event["path"], event["line"], event["static"]) == ("gated.py", 6, "not reported")
    hint = ('ASL402 (conditional-blocking-call-through-helper) reports it, but it is off here: '
            'extend-select = ["ASL402"] in [tool.asynclint]')
    assert event["suggestion"] == hint
    result.stdout.fnmatch_lines(["What would make asynclint check report the others:", f"  {hint}"])


def test_inactive_unless_asked(pytester):
    pytester.makepyfile(test_plain="import asyncio.events\n\ndef test_untouched():\n"
                                   "    assert asyncio.events.Handle._run.__module__ == 'asyncio.events'\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    assert "event loop held" not in result.stdout.str()


def test_the_loops_are_left_as_they_were(pytester):
    original = asyncio.events.Handle._run
    pytester.makepyfile(test_plain="def test_nothing():\n    pass\n")
    _run(pytester, "--asynclint-blocking").assert_outcomes(passed=1)
    assert asyncio.events.Handle._run is original


def test_the_threshold_comes_from_the_ini_unless_given(pytester):
    pytester.makepyfile(test_block="import asyncio, time\n\ndef test_run():\n"
                                   "    async def main():\n        time.sleep(0.15)\n    asyncio.run(main())\n")
    pytester.makeini(INI + "asynclint_blocking_threshold = 1000\n")
    result = pytester.runpytest("-p", "no:cacheprovider", "--asynclint-blocking")
    result.stdout.fnmatch_lines(["*event loop held (threshold 1000 ms)*", "no loop step held the loop that long"])
    result = pytester.runpytest("-p", "no:cacheprovider", "--asynclint-blocking", "--asynclint-blocking-threshold=50")
    result.stdout.fnmatch_lines(["*threshold 50 ms*", "1 episode in 1 test; *"])


def test_a_bad_mode_is_a_usage_error(pytester):
    result = pytester.runpytest("--asynclint-blocking=sometimes")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--asynclint-blocking=sometimes: the mode is one of report, fail"])


@pytest.mark.parametrize("value", ["0", "-5", "soon", "inf"])
def test_a_bad_threshold_is_a_usage_error(pytester, value):
    result = pytester.runpytest("--asynclint-blocking", f"--asynclint-blocking-threshold={value}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*--asynclint-blocking-threshold: a positive number of milliseconds, not '{value}'"])


def test_a_method_call_is_named_by_its_receivers_type_and_the_hint_says_to_annotate_it(tmp_path):
    """In-process, without pytest: the watch itself. A sync helper waits on a queue it was handed
    (the static check cannot know its type): the episode names `queue.Queue.get`, the receiver's
    type, and the hint is the annotation that would let the catalog's row match."""
    from asynclint.config import settings_for
    from asynclint.loopwatch import LoopWatch
    from asynclint.pytest_plugin import _hint

    (tmp_path / "waiting.py").write_text(
        "import queue\n\n\ndef next_item(jobs):\n    try:\n        return jobs.get(timeout={})  # blocks\n"
        "    except queue.Empty:\n        return None\n\n\nasync def consume(jobs):\n    return next_item(jobs)\n"
        .format(BLOCK_SECONDS))
    import importlib.util
    import queue

    spec = importlib.util.spec_from_file_location("waiting", tmp_path / "waiting.py")
    waiting = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(waiting)
    held = []
    watch = LoopWatch(THRESHOLD_MS / 1000, held.append, lambda path: path.startswith(str(tmp_path)))
    watch.start()
    try:
        asyncio.run(waiting.consume(queue.Queue()))
        asyncio.run(asyncio.sleep(BLOCK_SECONDS))  # an await holds nothing
    finally:
        watch.stop()
    assert len(held) == 1
    where = held[0].where()
    assert (where.stack[0].function, where.stack[0].line, where.call, where.receiver_type) == (
        "next_item", 6, "queue.Queue.get", "queue.Queue")
    assert [frame.function for frame in where.stack] == ["next_item", "consume"]
    settings = settings_for(str(tmp_path / "waiting.py")).settings
    assert _hint(where, "asyncio", settings) == (
        "the catalog lists `queue.Queue.get`, but the static check did not know the receiver's type: "
        "annotate it `queue.Queue` (next_item in waiting)")


def test_a_thread_that_ends_while_the_watchdog_probes_it_is_not_an_error(monkeypatch):
    """The probe of whether a thread runs Python reads its CPU clock before and after giving up
    the GIL; a thread that ends in between (a TestClient's portal thread) took its clock with it.
    The watchdog used to die of the OSError there, and every later episode went unsampled."""
    from asynclint import loopwatch

    finished = threading.Event()
    worker = threading.Thread(target=finished.wait)
    worker.start()
    ident = worker.ident

    def end_the_thread(seconds):
        finished.set()
        worker.join()

    monkeypatch.setattr(loopwatch, "sleep", end_the_thread)
    assert loopwatch._running_python(ident) is False
