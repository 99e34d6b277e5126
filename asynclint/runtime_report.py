"""The runtime report of the pytest plugin (``--asynclint-blocking-report``): written by the plugin,
read by ``asynclint check --runtime-report`` to mark the findings seen blocking in the tests.

The file is one JSON object: ``root`` (the absolute directory the paths are relative to),
``threshold_ms`` and ``events``, one per blocking episode (see docs/pytest-plugin.md).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, replace

from asynclint.model import Diagnostic, SeenBlocking

VERSION = 1


class RuntimeReportError(Exception):
    """A runtime report that cannot be read; the message names the file."""


def dump(path: str, root: str, threshold_ms: float, events: list[dict]) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        json.dump({"version": VERSION, "root": root, "threshold_ms": threshold_ms, "events": events}, handle, indent=2)
        handle.write("\n")


@dataclass(frozen=True)
class _Frame:
    path: str  # absolute
    line: int
    duration_ms: float
    nodeid: str


def load(path: str) -> list[_Frame]:
    """Every project frame of every episode in a runtime report."""
    try:
        with open(path, encoding="utf-8") as handle:
            report = json.load(handle)
    except OSError as error:
        raise RuntimeReportError(f"--runtime-report {path}: {error.strerror or error}") from None
    except (ValueError, UnicodeDecodeError) as error:
        raise RuntimeReportError(f"--runtime-report {path}: not JSON ({error})") from None
    try:
        root = report["root"]
        return [_Frame(os.path.normpath(os.path.join(root, frame["path"])), int(frame["line"]),
                       float(event["duration_ms"]), str(event["nodeid"]))
                for event in report["events"] for frame in event["stack"]]
    except (KeyError, TypeError, ValueError) as error:
        raise RuntimeReportError(f"--runtime-report {path}: not a runtime report of asynclint's pytest plugin "
                                 f"(--asynclint-blocking-report): {type(error).__name__} {error}") from None


def mark(diagnostics: list[Diagnostic], frames: list[_Frame]) -> list[Diagnostic]:
    """The diagnostics, each finding on a line an episode's stack passed through marked with the
    longest such episode and how many there were."""
    by_file: dict[str, list[_Frame]] = {}
    for frame in frames:
        by_file.setdefault(frame.path, []).append(frame)
    marked = []
    for d in diagnostics:
        last = d.end_line or d.line
        seen = {(f.nodeid, f.duration_ms): f for f in by_file.get(os.path.abspath(d.path), ())
                if d.cell is None and d.line <= f.line <= last}
        if seen:
            worst = max(seen.values(), key=lambda f: f.duration_ms)
            d = replace(d, seen_blocking=SeenBlocking(round(worst.duration_ms), worst.nodeid, len(seen)))
        marked.append(d)
    return marked
