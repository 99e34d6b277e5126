"""Smoke tests of distributed's library, for fix_suites.py: its sdist ships no tests.

They exercise what issue 14 saw break after `--fix`: the scheduler's start-up (CLI and in
process), a `gen_cluster` test, the coordination primitives (`async with` a Semaphore or Lock),
and a cluster of worker processes. Run by pytest from outside the tree under test, so that
asynclint never rewrites them.
"""

import contextlib
import subprocess
import sys
import time

from distributed import Client, Event, LocalCluster, Lock, Semaphore, Variable
from distributed.utils_test import gen_cluster, gen_test, inc


def test_dask_scheduler_cli_serves_a_client():
    scheduler = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                                  "--port", "0", "--no-dashboard"], stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        line = ""
        while "Scheduler at:" not in line:
            line = scheduler.stderr.readline()
            assert line, f"the scheduler exited {scheduler.wait()} before listening"
            assert time.monotonic() < deadline, "the scheduler did not listen within 60 s"
        address = line.split("Scheduler at:")[1].strip()
        # It logs its address before it has finished starting: a client proves it serves.
        with Client(address, timeout=30) as client:
            assert client.scheduler_info()["address"] == address
        assert scheduler.poll() is None, "the scheduler exited"
    finally:
        scheduler.terminate()
        scheduler.wait(timeout=30)


@gen_cluster(client=True)
async def test_gen_cluster_submit(c, s, a, b):
    assert await c.submit(inc, 1) == 2
    assert sum(await c.gather(c.map(inc, range(10)))) == 55


@contextlib.asynccontextmanager
async def in_process_client():
    """A cluster without gen_cluster: utils_test, which makes gen_cluster's, is rewritten by the fix too."""
    async with LocalCluster(n_workers=1, processes=False, asynchronous=True, dashboard_address=None) as cluster:
        async with Client(cluster, asynchronous=True) as client:
            yield client


@gen_test()
async def test_semaphore():
    async with in_process_client():
        semaphore = Semaphore(max_leases=1, name="smoke")
        async with semaphore:
            assert not await semaphore.acquire(timeout=0.1)
        assert await semaphore.acquire(timeout=5)
        await semaphore.release()


@gen_test()
async def test_lock_event_variable():
    async with in_process_client():
        async with Lock("smoke"):
            pass
        event = Event("smoke")
        await event.set()
        assert await event.wait(timeout=5)
        variable = Variable("smoke")
        await variable.set(2)
        assert await variable.get() == 2


def test_local_cluster_of_processes():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with Client(cluster) as client:
            assert client.submit(inc, 1).result(timeout=60) == 2


@gen_test()
async def test_asynchronous_client_in_process():
    async with in_process_client() as client:
        assert await client.submit(inc, 1) == 2
