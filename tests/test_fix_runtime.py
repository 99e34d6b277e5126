"""Fixes keep behaviour at run time: each program of a cause of issue 14 runs before and after
``--fix --unsafe-fixes`` (or ``--fix`` where the point is what stays unsafe) and prints the same.

Each program is a small project in a temporary directory (the project-wide rules need one); the
HTTP cases talk to a ``http.server`` on 127.0.0.1 that the test starts.
"""

import http.server
import json
import os
import subprocess
import sys
import textwrap
import threading

import pytest

from asynclint.engine import lint_source
from asynclint.fix import fix_file
from asynclint.model import Settings


def _run(directory, env=None):
    proc = subprocess.run([sys.executable, "main.py"], cwd=directory, capture_output=True, text=True,
                          timeout=60, env={**os.environ, **(env or {})})
    return proc.returncode, proc.stdout, proc.stderr.strip().splitlines()[-1:] if proc.returncode else []


def _before_and_after(tmp_path, files, unsafe=True, env=None):
    """Write the project, run main.py, fix it, run it again: (fixed source, run before, run after)."""
    for name, text in files.items():
        (tmp_path / name).write_text(textwrap.dedent(text))
    before = _run(tmp_path, env)
    result = fix_file(str(tmp_path / "main.py"), Settings(project_root=str(tmp_path)), unsafe=unsafe)
    assert result.error is None, result.error
    return (tmp_path / "main.py").read_text(), before, _run(tmp_path, env)


# -- cause 1: a thread wrap that moves loop-bound code to a worker thread ----------------------

def test_no_thread_wrap_of_a_constructor_that_binds_to_the_running_loop(tmp_path):
    fixed, before, after = _before_and_after(tmp_path, {"main.py": """\
        import asyncio


        class Conn:
            def __init__(self, path):
                with open(path) as f:
                    self.cfg = f.read()
                self.loop = asyncio.get_event_loop()
                self.ready = self.loop.create_future()


        def size(path):
            with open(path) as f:
                return len(f.read())


        async def main():
            c = Conn(__file__)
            print(c.cfg.splitlines()[0], size(__file__) > 0)

        asyncio.run(main())
        """})
    assert "to_thread(Conn" not in fixed and "to_thread(size" in fixed  # the safe helper is still fixed
    assert before == after == (0, "import asyncio True\n", [])


def test_no_thread_wrap_of_a_constructor_of_an_object_with_async_methods(tmp_path):
    """uvicorn's MockWebSocketConnection: its __init__ makes a protocol from a class it is given,
    whose __init__ calls get_event_loop(); no summary can follow a class passed as an argument."""
    fixed, before, after = _before_and_after(tmp_path, {"main.py": """\
        import asyncio


        class Protocol:
            def __init__(self):
                self.loop = asyncio.get_event_loop()


        def first_line(path):
            with open(path) as f:
                return f.readline().strip()


        class Connection:
            def __init__(self, protocol_cls, path):
                self.first = first_line(path)
                self.protocol = protocol_cls()

            async def __aenter__(self):
                return self

            async def __aexit__(self, *exc_info):
                pass


        async def main():
            async with Connection(Protocol, __file__) as connection:
                print(connection.first)

        asyncio.run(main())
        """})
    assert "to_thread(Connection" not in fixed
    assert before == after == (0, "import asyncio\n", [])


def test_no_thread_wrap_of_a_sync_method_whose_result_is_awaited(tmp_path):
    """distributed's Semaphore: ``await self.acquire()`` where acquire is sync and returns an
    awaitable; in a worker thread it returns something else."""
    fixed, before, after = _before_and_after(tmp_path, {"main.py": """\
        import asyncio


        class Semaphore:
            def __init__(self, path):
                self.path = path

            def acquire(self):
                with open(self.path) as f:
                    f.read()
                return self._acquire()

            async def _acquire(self):
                return "acquired"


        async def main():
            print(await Semaphore(__file__).acquire())

        asyncio.run(main())
        """})
    assert "to_thread" not in fixed
    assert before == after == (0, "acquired\n", [])


def test_no_thread_wrap_of_a_helper_that_sets_a_context_variable_or_reads_thread_local_state(tmp_path):
    fixed, before, after = _before_and_after(tmp_path, {"main.py": """\
        import asyncio
        import contextvars
        import threading

        request_id = contextvars.ContextVar("request_id", default="none")
        local = threading.local()
        local.user = "main"


        def tag(path):
            request_id.set("tagged")
            with open(path) as f:
                return f.readline().strip()


        def who(path):
            with open(path) as f:
                f.read()
            return getattr(local, "user", "nobody")


        async def main():
            print(tag(__file__), request_id.get(), who(__file__))

        asyncio.run(main())
        """})
    assert "to_thread" not in fixed
    assert before == after == (0, "import asyncio tagged main\n", [])


def test_no_thread_wrap_of_a_method_of_a_class_that_holds_loop_objects(tmp_path):
    fixed, before, after = _before_and_after(tmp_path, {"main.py": """\
        import asyncio


        class Handler:
            def __init__(self):
                self.done = asyncio.get_running_loop().create_future()

            def finish(self):
                self.done.set_result("finished")

            def validate(self, path):
                with open(path) as f:
                    f.read()
                self.finish()


        async def main():
            handler = Handler()
            handler.validate(__file__)
            print(await handler.done)

        asyncio.run(main())
        """})
    assert "to_thread" not in fixed
    assert before == after == (0, "finished\n", [])


def test_no_thread_wrap_of_a_generator_function(tmp_path):
    fixed, before, after = _before_and_after(tmp_path, {"main.py": """\
        import asyncio


        def lines(path):
            with open(path) as f:
                yield from f


        async def main():
            print(sum(1 for _ in lines(__file__)) > 3)

        asyncio.run(main())
        """})
    assert "to_thread" not in fixed
    assert before == after == (0, "True\n", [])


def test_no_thread_wrap_of_an_owner_bound_lock(tmp_path):
    fixed, before, after = _before_and_after(tmp_path, {"main.py": """\
        import asyncio
        import threading

        rlock = threading.RLock()


        def take(path):
            with open(path) as f:
                f.read()
            rlock.acquire()


        async def main():
            rlock.acquire()
            try:
                print("held")
            finally:
                rlock.release()
            take(__file__)
            rlock.release()
            print("released")

        asyncio.run(main())
        """})
    assert "to_thread" not in fixed
    assert before == after == (0, "held\nreleased\n", [])


def test_method_resolution_follows_python_order_across_modules(tmp_path):
    """jupyter_server's case: the class's own order picks an async override; a depth-first look
    at the bases found a sync one and the thread wrap returned an un-awaited coroutine."""
    files = {
        "base.py": """\
            class FileManagerMixin:
                def _read_file(self, path):
                    with open(path) as f:
                        return f.readline().strip()


            class ContentsManager:
                pass


            class FileContentsManager(FileManagerMixin, ContentsManager):
                pass
            """,
        "main.py": """\
            import asyncio

            from base import ContentsManager, FileContentsManager, FileManagerMixin


            class AsyncFileManagerMixin(FileManagerMixin):
                async def _read_file(self, path):
                    return "async " + await asyncio.to_thread(super()._read_file, path)


            class AsyncContentsManager(ContentsManager):
                pass


            class AsyncFileContentsManager(FileContentsManager, AsyncFileManagerMixin, AsyncContentsManager):
                async def get(self, path):
                    return await self._read_file(path)


            print(asyncio.run(AsyncFileContentsManager().get(__file__)))
            """}
    fixed, before, after = _before_and_after(tmp_path, files)
    assert "to_thread(self._read_file" not in fixed
    assert before == after == (0, "async import asyncio\n", [])


# -- cause 2: an await point where the blocking sleep kept other tasks out --------------------

SLEEPS = """\
    import asyncio
    import threading
    import time

    lock = threading.Lock()
    counter = 0
    total = 0


    async def locked(n):
        global counter
        with lock:
            v = counter
            time.sleep(0.01)
            counter = v + n


    async def racy(n):
        global total
        v = total
        time.sleep(0.01)
        total = v + n


    async def pause():
        time.sleep(0)


    async def main():
        await asyncio.gather(*(locked(10) for _ in range(10)), *(racy(10) for _ in range(10)), pause())
        print(counter, total)

    asyncio.run(main())
    """


def test_sleep_in_a_threading_lock_or_a_read_modify_write_is_not_a_safe_fix(tmp_path):
    fixed, before, after = _before_and_after(tmp_path, {"main.py": SLEEPS}, unsafe=False)
    assert fixed.count("time.sleep(0.01)") == 2 and "await asyncio.sleep(0)" in fixed
    assert before == after == (0, "100 100\n", [])


# Objects that outlive the call, changed around a sleep (issue 23): an item of a module-level
# container, an augmented assignment to it, a method that changes it, an attribute of a
# module-level object. Each would lose updates under gather if the sleep became an await point.
SHARED_CONTAINERS = """\
    import asyncio
    import time
    import types

    stock = {"apples": 100}
    tally = {"pears": 0}
    orders = []
    shop = types.SimpleNamespace(sold=0)


    async def reserve(item, n):
        left = stock[item]
        time.sleep(0.001)
        stock[item] = left - n


    async def count(n):
        seen = tally["pears"]
        time.sleep(0.001)
        tally["pears"] += n if seen < 5 else 0


    async def record(n):
        if len(orders) < 5:
            time.sleep(0.001)
            orders.append(n)


    async def sell(n):
        sold = shop.sold
        time.sleep(0.001)
        shop.sold = sold + n


    async def main():
        await asyncio.gather(*(reserve("apples", 1) for _ in range(10)), *(count(1) for _ in range(10)),
                             *(record(i) for i in range(10)), *(sell(2) for _ in range(10)))
        print(stock["apples"], tally["pears"], len(orders), shop.sold)

    asyncio.run(main())
    """


def test_sleep_between_a_read_and_a_write_of_a_shared_container_or_object_is_not_a_safe_fix(tmp_path):
    fixed, before, after = _before_and_after(tmp_path, {"main.py": SHARED_CONTAINERS}, unsafe=False)
    assert fixed.count("time.sleep(0.001)") == 4, fixed
    assert before == after == (0, "90 5 5 20\n", [])
    # What the check guards against: the same program with the sleeps made await points.
    (tmp_path / "main.py").write_text(fixed.replace("time.sleep(0.001)", "await asyncio.sleep(0.001)"))
    assert _run(tmp_path) != before


# -- cause 3: requests -> httpx keeps requests' behaviour --------------------------------------

class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/moved":
            self.send_response(302)
            self.send_header("Location", "/data")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = json.dumps({"path": self.path, "auth": self.headers.get("Authorization"),
                           "token": self.headers.get("X-Token")}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


REQUESTS = """\
    import asyncio
    import os

    import requests

    URL = os.environ["URL"]


    async def main():
        moved = requests.post(URL + "/moved", json={"a": 1})
        print(moved.status_code, moved.json()["path"])
        signed = requests.get(URL + "/x", headers={"X-Token": "t"}, auth=("u", "p"), timeout=30)
        print(signed.json())
        asked = requests.get(URL + "/moved", allow_redirects=False)
        print(asked.status_code, asked.headers["Location"])

    asyncio.run(main())
    """


@pytest.mark.parametrize("declared", ["httpx\n", ""], ids=["httpx-declared", "no-httpx"])
def test_requests_rewrite_follows_redirects_and_keeps_headers_and_auth(tmp_path, server, declared):
    pytest.importorskip("requests")
    pytest.importorskip("httpx")
    fixed, before, after = _before_and_after(
        tmp_path, {"main.py": REQUESTS, "requirements.txt": "requests\n" + declared}, env={"URL": server})
    if declared:
        assert fixed.count("httpx.AsyncClient(follow_redirects=True") == 3 and "timeout=None" in fixed
    else:
        assert "httpx" not in fixed and fixed.count("asyncio.to_thread(requests.") == 3
    assert before[0] == 0 and before == after
    assert "200 /data" in before[1] and "302 /data" in before[1]


# -- imports, and one bad fix dropping only itself ---------------------------------------------

def test_open_fix_uses_aiofiles_only_when_the_project_depends_on_it(tmp_path):
    fixed, before, after = _before_and_after(tmp_path, {"main.py": """\
        import asyncio


        async def main():
            with open(__file__) as f:
                print(f.readline().strip())

        asyncio.run(main())
        """})
    assert "aiofiles" not in fixed and "asyncio.to_thread(open" in fixed
    assert before == after == (0, "import asyncio\n", [])


def test_generator_argument_is_parenthesised(tmp_path):
    fixed, before, after = _before_and_after(tmp_path, {"main.py": """\
        import asyncio
        import os


        def save_lines(path, lines):
            with open(path, "w") as f:
                f.writelines(lines)


        async def main(rows):
            save_lines(os.devnull, (f"{r}\\n" for r in rows))
            save_lines(f"{r}\\n" for r in rows) if False else None
            print(os.path.exists(os.devnull))

        asyncio.run(main([1, 2]))
        """})
    assert "(f\"{r}\\n\" for r in rows))" in fixed and "await asyncio.to_thread(os.path.exists" in fixed
    assert before == after == (0, "True\n", [])


def test_lines_of_a_file_are_read_in_a_thread(tmp_path):
    fixed, before, after = _before_and_after(tmp_path, {"main.py": """\
        import asyncio


        async def main():
            for line in open(__file__):
                print(line.rstrip())
                break

        asyncio.run(main())
        """})
    assert "for line in await asyncio.to_thread(lambda: open(__file__).readlines()):" in fixed
    assert before == after == (0, "import asyncio\n", [])


def test_a_resource_and_its_later_calls_are_fixed_at_once(tmp_path):
    """A file, a chain on a file and a process: each finding's fix also moves the later calls on
    what its call made (issue 13), and the fixed program prints the same with nothing left to fix."""
    fixed, before, after = _before_and_after(tmp_path, {"main.py": """\
        import asyncio
        import subprocess
        import sys


        async def copy(source, target):
            f = open(source)
            header = f.readline()
            rest = f.read()
            f.close()
            out = open(target, "w")
            out.write(header.upper() + rest)
            out.close()
            return open(target).read().splitlines()[0]


        async def child():
            proc = subprocess.Popen([sys.executable, "-c", "print('child')"], stdout=subprocess.PIPE, text=True)
            out, _ = proc.communicate()
            return out.strip(), proc.returncode


        async def main():
            print(await copy(__file__, "copy.txt"), await child())

        asyncio.run(main())
        """})
    assert "await asyncio.to_thread(f.read)" in fixed and "await asyncio.to_thread(proc.communicate)" in fixed
    assert lint_source(fixed, "main.py") == []
    assert before == after == (0, "IMPORT ASYNCIO ('child', 0)\n", [])


def test_a_name_that_shadows_asyncio_gets_the_module_under_an_alias(tmp_path):
    """(fixtures/fix/shadowed_module.py shows the alias the fixer adds when there is none.)"""
    fixed, before, after = _before_and_after(tmp_path, {"main.py": """\
        import asyncio as aio
        import os
        import time


        async def check(asyncio, path):
            time.sleep(0)
            return asyncio, os.path.exists(path)

        print(aio.run(check("not the module", __file__)))
        """})
    assert "await aio.sleep(0)" in fixed and "await aio.to_thread(os.path.exists" in fixed  # its own alias
    assert before == after == (0, "('not the module', True)\n", [])


def test_no_await_on_a_method_a_subclass_overrides_with_a_plain_one(tmp_path):
    fixed, before, after = _before_and_after(tmp_path, {"main.py": """\
        import asyncio


        class Base:
            async def save(self):
                return "async"


        class Plain(Base):
            def save(self):
                print("saved")


        async def store(obj: Base):
            obj.save()

        asyncio.run(store(Plain()))
        """})
    assert "await obj.save()" not in fixed
    assert before == after == (0, "saved\n", [])


def test_an_async_path_only_for_a_path_of_text(tmp_path):
    """anyio's suite: `os.unlink(path)` with `path` bytes became `await anyio.Path(path).unlink()`,
    which pathlib refuses (TypeError). Bytes, a descriptor or a name of unknown type go to a thread
    as they are; a str literal or f-string becomes an async Path."""
    pytest.importorskip("anyio")
    fixed, before, after = _before_and_after(tmp_path, {"main.py": """\
        import os

        import anyio

        BYTES_NAME = os.fsencode(os.path.abspath(__file__)) + b".tmp"
        open(BYTES_NAME, "wb").close()
        FD = os.open(__file__, os.O_RDONLY)


        async def main(name):
            print(os.path.exists(name), os.path.isfile(FD))
            os.remove(name)
            print(os.path.exists(name), os.path.exists(f"{__file__}"))


        anyio.run(main, BYTES_NAME)
        """})
    assert before == after == (0, "True True\nFalse True\n", [])
    assert "anyio.to_thread.run_sync(os.remove, name)" in fixed and 'anyio.Path(f"{__file__}").exists()' in fixed


# -- a group of thread wraps made one thread call (issue 23) ------------------------------------

GROUPED = """\
    import asyncio
    import os
    import shutil
    import tempfile


    async def scan(paths):
        sizes = {}
        largest = 0
        for path in paths:
            if os.path.exists(path):
                sizes[path] = size = os.path.getsize(path)
                if size > largest:
                    largest = size
        return sizes, largest


    async def tidy(directory, extra):
        shutil.rmtree(directory)
        os.remove(extra)


    async def main():
        root = tempfile.mkdtemp()
        paths = []
        for n in range(3):
            paths.append(os.path.join(root, f"f{n}"))
            with open(paths[-1], "w") as handle:
                handle.write("x" * (n + 1))
        sizes, largest = await scan([*paths, os.path.join(root, "missing")])
        print({os.path.basename(path): size for path, size in sizes.items()}, largest)
        extra = tempfile.mkstemp()[1]
        await tidy(root, extra)
        print(os.path.exists(root), os.path.exists(extra))

    asyncio.run(main())
    """


def test_a_group_of_thread_wraps_made_one_thread_call_keeps_the_output(tmp_path):
    fixed, before, after = _before_and_after(tmp_path, {"main.py": GROUPED})
    assert fixed.count("await asyncio.to_thread(run_blocking)") == 2 and "nonlocal largest" in fixed, fixed
    assert before == after == (0, "{'f0': 1, 'f1': 2, 'f2': 3} 3\nFalse False\n", [])
