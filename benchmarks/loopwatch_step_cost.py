#!/usr/bin/env python3
"""What the pytest plugin's loop watch costs each asyncio loop step: CPU seconds of an
``asyncio.run`` of 100,000 steps that only yield, without and with a started ``LoopWatch``,
alternating (the median of each side; process time, so other processes' load falls on neither).

    python benchmarks/loopwatch_step_cost.py [--rounds 9] [--steps 100000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from asynclint.loopwatch import LoopWatch  # noqa: E402


async def _yields(steps: int) -> None:
    for _ in range(steps):
        await asyncio.sleep(0)


def _cpu_seconds(steps: int, watched: bool) -> float:
    watch = LoopWatch(0.1, lambda held: None, lambda path: False) if watched else None
    if watch:
        watch.start()
    try:
        start = time.process_time()
        asyncio.run(_yields(steps))
        return time.process_time() - start
    finally:
        if watch:
            watch.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--steps", type=int, default=100_000)
    options = parser.parse_args()
    seconds: dict[bool, list[float]] = {False: [], True: []}
    for round_ in range(options.rounds):
        for watched in ((False, True) if round_ % 2 == 0 else (True, False)):
            seconds[watched].append(_cpu_seconds(options.steps, watched))
    without, with_ = statistics.median(seconds[False]), statistics.median(seconds[True])
    print(f"{options.steps} steps: {without:.3f} s CPU without the watch, {with_:.3f} s with it: "
          f"{(with_ - without) / options.steps * 1e6:.2f} us a step")


if __name__ == "__main__":
    main()
