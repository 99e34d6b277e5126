#!/usr/bin/env python3
"""ASL404's library chains checked at run time (issue 21): for popular async libraries, the call
a project makes first (the client's constructor, the connect) is checked statically with
ASL404, then run inside an event loop under a detector of blocking calls on the loop's thread
(blockbuster, plus wrappers of ssl.SSLContext's certificate loading, which blockbuster does not
patch), offline: every address is 127.0.0.1, on a port nothing listens on (a connect fails fast).
Each call runs in a fresh interpreter, so that what blocks only the first time is seen.

Run by hand (never by the tests; it needs the libraries installed in an environment):

    python -m venv /work/dl/libraries/rt
    /work/dl/libraries/rt/bin/pip install blockbuster openai anthropic groq aiobotocore aio-pika nats-py \\
        "elasticsearch[async]" aiosmtplib motor aiokafka asyncpg redis aiomysql "psycopg[binary]" aiohttp httpx
    python benchmarks/library_runtime.py --python /work/dl/libraries/rt/bin/python \\
        --asynclint .venv/bin/asynclint -o benchmarks/library_runtime.md

Verdicts: *confirmed* (ASL404 reports the call and the detector saw it block), *missed* (the
detector saw it block, ASL404 is quiet), *not confirmed* (ASL404 reports it, the detector saw
nothing), *quiet* (neither).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap

OFF = "127.0.0.1:9"  # the discard port: nothing listens, a connect is refused at once

# (library, what is called, the body of an async function that makes the call)
PROBES = [
    ("httpx", "httpx.AsyncClient()", "return httpx.AsyncClient()"),
    ("openai", "openai.AsyncOpenAI()", f'return openai.AsyncOpenAI(api_key="sk-x", base_url="http://{OFF}/v1")'),
    ("anthropic", "anthropic.AsyncAnthropic()",
     f'return anthropic.AsyncAnthropic(api_key="x", base_url="http://{OFF}")'),
    ("groq", "groq.AsyncGroq()", f'return groq.AsyncGroq(api_key="x", base_url="http://{OFF}")'),
    ("aiohttp", "aiohttp.ClientSession()", "return aiohttp.ClientSession()"),
    ("redis", "redis.asyncio.Redis()", 'return redis.asyncio.Redis(host="127.0.0.1", port=9)'),
    ("redis", "redis.asyncio.from_url()", 'return redis.asyncio.from_url("redis://127.0.0.1:9")'),
    ("motor", "AsyncIOMotorClient()",
     'return motor.motor_asyncio.AsyncIOMotorClient("mongodb://127.0.0.1:9", connect=False)'),
    ("asyncpg", "asyncpg.connect()", 'return await asyncpg.connect("postgresql://u@127.0.0.1:9/db", timeout=2)'),
    ("aiokafka", "AIOKafkaProducer()", 'return aiokafka.AIOKafkaProducer(bootstrap_servers="127.0.0.1:9")'),
    ("aiobotocore", "get_session()", "return aiobotocore.session.get_session()"),
    ("aio-pika", "aio_pika.connect()", 'return await aio_pika.connect("amqp://g:g@127.0.0.1:9/", timeout=2)'),
    ("nats-py", "nats.NATS()", "return nats.NATS()"),
    ("elasticsearch", "AsyncElasticsearch()",
     'return elasticsearch.AsyncElasticsearch("http://127.0.0.1:9")'),
    ("aiosmtplib", "aiosmtplib.SMTP()", 'return aiosmtplib.SMTP(hostname="127.0.0.1", port=9)'),
    ("aiomysql", "aiomysql.connect()", 'return await aiomysql.connect(host="127.0.0.1", port=9, connect_timeout=2)'),
    ("psycopg", "AsyncConnection.connect()",
     'return await psycopg.AsyncConnection.connect("host=127.0.0.1 port=9 connect_timeout=2")'),
]
IMPORTS = """\
import aio_pika
import aiobotocore.session
import aiohttp
import aiokafka
import aiomysql
import aiosmtplib
import anthropic
import asyncpg
import elasticsearch
import groq
import httpx
import motor.motor_asyncio
import nats
import openai
import psycopg
import redis.asyncio
"""

# Run in the libraries' interpreter: the probe's call on the loop, under the detector.
RUNNER = r"""
import asyncio, json, ssl, sys, traceback
from blockbuster import BlockBuster, BlockingError
sys.path.insert(0, sys.argv[1])
import probes

def guard(owner, name):
    real = getattr(owner, name)
    def wrapper(self, *args, **kwargs):
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return real(self, *args, **kwargs)
        raise BlockingError(f"ssl.SSLContext.{name}")
    setattr(owner, name, wrapper)

for method in ("load_verify_locations", "load_default_certs", "set_default_verify_paths", "load_cert_chain"):
    guard(ssl.SSLContext, method)

async def main():
    blockbuster = BlockBuster()
    blockbuster.activate()
    try:
        made = await asyncio.wait_for(getattr(probes, sys.argv[2])(), 10)
    finally:
        blockbuster.deactivate()
    close = getattr(made, "close", None) or getattr(made, "aclose", None)
    if close is not None:
        try:
            result = close()
            if asyncio.iscoroutine(result):
                await result
        except Exception:
            pass

try:
    asyncio.run(main())
    print(json.dumps({"blocked": None}))
except BlockingError as error:
    frames = [f"{f.filename.rsplit('site-packages/', 1)[-1]}:{f.lineno}" for f in traceback.extract_tb(error.__traceback__)
              if "site-packages/" in f.filename and "blockbuster" not in f.filename]
    print(json.dumps({"blocked": str(error).split(" is ")[0].replace("Blocking call to ", ""), "frames": frames[-4:]}))
except BaseException as error:
    print(json.dumps({"blocked": None, "error": f"{type(error).__name__}: {error}"[:120]}))
"""


def probe_module() -> tuple[str, dict[int, int]]:
    """The probes as one module (an async function each), and the line of each probe's call."""
    lines = IMPORTS.splitlines() + ["", ""]
    where = {}
    for number, (_, _, body) in enumerate(PROBES):
        lines += [f"async def probe_{number}():"]
        where[len(lines) + 1] = number
        lines += [f"    {body}", "", ""]
    return "\n".join(lines).rstrip() + "\n", where


def static_findings(asynclint: str, python: str, folder: str, where: dict[int, int]) -> dict[int, str]:
    done = subprocess.run([asynclint, "check", "--no-cache", "--isolated", "--select", "ASL404", "--python", python,
                           "--format", "json", "--exit-zero", "probes.py"], cwd=folder, capture_output=True,
                          text=True, timeout=600)
    found = {}
    for finding in json.loads(done.stdout or "[]"):
        line = finding["location"]["row"] if "location" in finding else finding["line"]
        if line in where:
            found[where[line]] = finding["message"]
    return found


def run_time(python: str, folder: str, number: int) -> dict:
    try:
        done = subprocess.run([python, "-c", RUNNER, folder, f"probe_{number}"], capture_output=True, text=True,
                              timeout=60, cwd=folder)
        return json.loads(done.stdout.strip().splitlines()[-1])
    except (subprocess.TimeoutExpired, ValueError, IndexError) as error:
        return {"blocked": None, "error": f"no verdict: {type(error).__name__}"}


def version(python: str, distribution: str) -> str:
    done = subprocess.run([python, "-c", f"import importlib.metadata as m; print(m.version({distribution!r}))"],
                          capture_output=True, text=True)
    return done.stdout.strip() or "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--python", required=True, help="the interpreter with the libraries and blockbuster")
    parser.add_argument("--asynclint", default="asynclint")
    parser.add_argument("-o", "--output", help="write the table (markdown) here")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="asynclint-library-runtime-")
    source, where = probe_module()
    with open(os.path.join(folder, "probes.py"), "w") as handle:
        handle.write(source)
    static = static_findings(args.asynclint, args.python, folder, where)
    rows, counts = [], {}
    for number, (library, call, _) in enumerate(PROBES):
        seen = run_time(args.python, folder, number)
        reported = number in static
        blocked = seen.get("blocked")
        verdict = {(True, True): "confirmed", (False, True): "missed", (True, False): "not confirmed",
                   (False, False): "quiet"}[reported, bool(blocked)]
        counts[verdict] = counts.get(verdict, 0) + 1
        chain = static[number].split(": ", 1)[1].split(" (/")[0] if reported else ""
        at_run_time = f"`{blocked}` ({', '.join(seen.get('frames', [])[-2:])})" if blocked else seen.get("error", "nothing")
        rows.append(f"| {library} {version(args.python, library)} | `{call}` | {verdict} | {chain or '—'} | "
                    f"{at_run_time} |")
        print(rows[-1], flush=True)
    table = "\n".join([
        "| library | call | verdict | ASL404's chain | seen at run time (blockbuster + ssl wrappers) |",
        "|---|---|---|---|---|", *rows, "",
        "Totals: " + ", ".join(f"{n} {v}" for v, n in sorted(counts.items())) + f" of {len(PROBES)} calls.", ""])
    print(table)
    if args.output:
        with open(args.output, "w") as handle:
            handle.write("# ASL404 at run time\n\nMade by `benchmarks/library_runtime.py` (see its docstring).\n\n"
                         + table)


if __name__ == "__main__":
    sys.exit(main())
