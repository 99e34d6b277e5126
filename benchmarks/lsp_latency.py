#!/usr/bin/env python3
"""How long the Language Server takes, while someone types, to show the diagnostics of the text
as it stands after their last keystroke (issue 15).

Run by hand from the repository root (never by the tests):

    python benchmarks/lsp_latency.py                       # this checkout
    python benchmarks/lsp_latency.py --checkout /tmp/old   # another checkout (its source tree)
    python benchmarks/lsp_latency.py --lines 3000 --edits 5 --gap-ms 30 --rounds 10 --debounce-ms 150

It writes a module of about ``--lines`` lines (async functions with blocking calls, helpers,
classes), starts ``python -m asynclint server`` over stdio with the test suite's scripted client,
opens the module, then for each round sends ``--edits`` full-text changes ``--gap-ms`` apart, as a
typist would, and measures from the last change to the publishDiagnostics of its version. The
figures include the debounce (the pause the server waits after an edit).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

BLOCK = '''

async def handler_{n}(request, path):
    """Serve one request."""
    data = await request.json()
    time.sleep(0.1)
    with open(path) as handle:
        text = handle.read()
    total = 0
    for item in data["items"]:
        total += len(item) * {n}
    if total > 10:
        result = helper_{n}(total)
    else:
        result = None
    return {{"total": total, "text": text, "result": result}}


def helper_{n}(value):
    return sorted(str(value))


class Service{n}:
    def __init__(self):
        self.count = {n}

    async def run(self):
        await asyncio.sleep(0)
        return self.count
'''


def module(lines: int) -> str:
    text = "import asyncio\nimport time\n"
    n = 0
    while text.count("\n") < lines:
        text += BLOCK.format(n=n)
        n += 1
    return text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkout", help="the asynclint source tree to run (default: this one)")
    parser.add_argument("--lines", type=int, default=3000)
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--gap-ms", type=float, default=30.0, help="time between two edits of a burst")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--debounce-ms", type=float, default=None,
                        help="the server's debounceMs setting (default: the server's own)")
    args = parser.parse_args()

    checkout = Path(args.checkout).resolve() if args.checkout else HERE.parent
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(checkout), os.environ.get("PYTHONPATH")) if p)
    from test_lsp import Client  # the tests' scripted client: JSON-RPC over the server's stdio

    source = module(args.lines)
    with tempfile.TemporaryDirectory(prefix="asynclint-lsp-") as folder:
        root = Path(folder)
        (root / "pyproject.toml").write_text("[tool.asynclint]\n")
        path = root / "big.py"
        path.write_text(source)
        client = Client(root)
        options = None if args.debounce_ms is None else {"debounceMs": args.debounce_ms}
        client.request("initialize", {"processId": os.getpid(), "rootUri": root.as_uri(), "capabilities": {},
                                      "initializationOptions": options})
        client.notify("initialized", {})
        uri = path.as_uri()
        started = time.perf_counter()
        client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python",
                                                                "version": 1, "text": source}})
        found = client.diagnostics(uri, 1)
        print(f"{source.count(chr(10))} lines, {len(found)} findings; first check after open: "
              f"{(time.perf_counter() - started) * 1000:.0f} ms")
        version = 1
        latencies = []
        for _ in range(args.rounds):
            # The clock runs from when the typist made the last edit, not from when the pipe took
            # it: a server that reads an edit only after checking the one before blocks the writes
            # (a full text is larger than the pipe's buffer), as an editor's queue would fill.
            first = time.perf_counter()
            for edit in range(args.edits):
                version += 1
                text = source + f"# edit {version}\n"  # a keystroke at the end of the file
                client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                                         "contentChanges": [{"text": text}]})
                pause = first + (edit + 1) * args.gap_ms / 1000 - time.perf_counter()
                if edit < args.edits - 1 and pause > 0:
                    time.sleep(pause)
            last = first + (args.edits - 1) * args.gap_ms / 1000
            client.diagnostics(uri, version)
            latencies.append((time.perf_counter() - last) * 1000)
            client.pending.clear()  # what older versions published, if anything
            time.sleep(0.3)
        client.request("shutdown")
        client.notify("exit")
        client.close()
    print(f"from the last of {args.edits} edits ({args.gap_ms:.0f} ms apart) to its diagnostics, "
          f"{args.rounds} rounds: median {statistics.median(latencies):.0f} ms, "
          f"min {min(latencies):.0f} ms, max {max(latencies):.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
