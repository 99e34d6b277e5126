"""What a person at a terminal sees while a check runs: a progress line on standard error, and
the text report's findings written as their files finish (the runner's Listener)."""

from __future__ import annotations

import time
from typing import Callable, TextIO

from asynclint.model import Diagnostic

# A run shorter than this shows no progress line at all (no flicker on small projects).
PROGRESS_AFTER_S = 0.5
PROGRESS_EVERY_S = 0.1  # at most ten updates a second


class LiveRun:
    """``progress``: the stream for the progress line (None: none). ``write``: formats one file's
    findings for the report stream (None: the report is written at the end, not streamed)."""

    def __init__(self, progress: TextIO | None, write: Callable[[list[Diagnostic]], None] | None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.stream, self.write, self.clock = progress, write, clock
        self.started = clock()
        self.shown_at: float | None = None  # when the progress line was last drawn
        self.width = 0  # of the line drawn, to clear it

    def progress(self, done: int, total: int) -> None:
        if self.stream is None:
            return
        now = self.clock()
        if now - self.started < PROGRESS_AFTER_S or (self.shown_at is not None and now - self.shown_at < PROGRESS_EVERY_S
                                                      and done < total):
            return
        line = f"asynclint: {done}/{total} files checked, {now - self.started:.1f} s"
        self.stream.write("\r" + line.ljust(self.width))
        self.stream.flush()
        self.shown_at, self.width = now, len(line)

    def file_done(self, path: str, diagnostics: list[Diagnostic]) -> None:
        if self.write is not None and diagnostics:
            self.clear()
            self.write(diagnostics)

    def clear(self) -> None:
        """Take the progress line away (before findings or the summary are written)."""
        if self.stream is not None and self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
            self.width = 0
            self.shown_at = None
