"""Codes of other linters that mean one of ours.

flake8-async and ruff (which took over flake8-async's numbering) report blocking calls under
``ASYNC2xx`` codes, and a few of the problems asynclint's coroutine rules find under others. A project that moves to asynclint already has ``# noqa: ASYNC251`` comments
in its code; the engine honours them on the equivalent ASL rule, so that nothing silenced
before starts failing now. The table is data: docs/coming-from-flake8-async-and-ruff.md shows
it, and a test keeps the two equal.

Only the flake8 door is different: flake8 applies ``# noqa`` itself and knows nothing of this
table, so there a ``# noqa: ASYNC251`` silences ASYNC251 only.
"""

from __future__ import annotations

import re
from functools import lru_cache

# foreign code -> (its meaning in flake8-async's words, the ASL codes that report the same calls)
EQUIVALENT_CODES: dict[str, tuple[str, tuple[str, ...]]] = {
    "ASYNC105": ("missing-await: a trio async function called without await", ("ASL201",)),
    "ASYNC200": ("blocking-configured-call: a call the configuration names as blocking", ("ASL100",)),
    "ASYNC210": ("blocking-http-call: a sync HTTP call (urllib3, httpx.Client, requests...)", ("ASL102",)),
    "ASYNC211": ("blocking-http-call-pool: a likely sync HTTP call on a pool object", ("ASL102",)),
    "ASYNC212": ("blocking-http-call-httpx: a blocking call on an httpx.Client", ("ASL102",)),
    "ASYNC220": ("blocking-create-subprocess: subprocess.Popen and its kin", ("ASL105",)),
    "ASYNC221": ("blocking-run-process: subprocess.run and its kin", ("ASL105",)),
    "ASYNC222": ("blocking-process-wait: os.wait and its kin", ("ASL105",)),
    "ASYNC230": ("blocking-open-call: open() and its kin", ("ASL103",)),
    "ASYNC231": ("blocking-fdopen-call: os.fdopen()", ("ASL103",)),
    "ASYNC232": ("blocking-file-call: a blocking call on a file object", ("ASL104",)),
    "ASYNC240": ("blocking-path-usage: os.path (and pathlib) calls that touch the disk", ("ASL104",)),
    "ASYNC250": ("blocking-input: input()", ("ASL109",)),
    "ASYNC251": ("blocking-sleep: time.sleep()", ("ASL101",)),
    "ASYNC300": ("create-task-no-reference: asyncio.create_task() without keeping the task", ("ASL203",)),
    "RUF006": ("asyncio-dangling-task: a task created without keeping a reference to it", ("ASL203",)),
}


_FOREIGN_PREFIX = re.compile(r"^(ASYNC|RUF)[0-9]*$")


def asl_equivalents(prefix: str) -> tuple[str, ...]:
    """The ASL codes a flake8-async/ruff code or prefix stands for (ASYNC2: every ASYNC2xx's), in
    --select, --ignore and per-file-ignores; () when it has none."""
    prefix = prefix.upper()
    return tuple(sorted(_covered_by_foreign(prefix))) if _FOREIGN_PREFIX.match(prefix) else ()


def equivalent_by_name(name: str) -> tuple[str, ...]:
    """The ASL codes of a flake8-async/ruff rule given by name (``blocking-sleep``)."""
    return tuple(code for meaning, codes in EQUIVALENT_CODES.values()
                 if meaning.split(":", 1)[0] == name for code in codes)


def noqa_covers(noqa_code: str, code: str) -> bool:
    """Does ``noqa_code`` (from a ``# noqa:`` list, upper case) silence the finding ``code``?

    Like flake8, a listed code is a prefix: ``ASL1`` covers ASL101, and ``ASYNC2`` covers
    every ASL code that an ASYNC2xx code maps to.
    """
    return code.startswith(noqa_code) or code in _covered_by_foreign(noqa_code)


@lru_cache(maxsize=128)
def _covered_by_foreign(prefix: str) -> frozenset[str]:
    return frozenset(asl for foreign, (_, codes) in EQUIVALENT_CODES.items()
                     if foreign.startswith(prefix) for asl in codes)
