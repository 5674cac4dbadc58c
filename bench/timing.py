"""Timing shared by the bench scripts: an action run many times after a warm-up, its
percentiles in one line, and a profile of it when a target is missed."""

from __future__ import annotations

import cProfile
import io
import pstats
import time as clock
from collections.abc import Callable, Sequence

#: Untimed runs before the timed ones, by default: caches, compiled statements, fonts.
WARM_UP = 20


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100), interpolating between the closest ranks."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    position = (len(ordered) - 1) * q / 100
    below = int(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


def timed_ms(action: Callable[[], object]) -> float:
    """Milliseconds of one run of `action`."""
    started = clock.perf_counter()
    action()
    return (clock.perf_counter() - started) * 1000


def timings(action: Callable[[], object], runs: int, warm_up: int = WARM_UP) -> list[float]:
    """Milliseconds of each of `runs` runs, after `warm_up` untimed ones."""
    for _ in range(warm_up):
        action()
    return [timed_ms(action) for _ in range(runs)]


def summary(values: Sequence[float]) -> str:
    return (f"p50 {percentile(values, 50):6.2f} ms  p95 {percentile(values, 95):6.2f} ms  "
            f"max {max(values):6.2f} ms")


def profile(action: Callable[[], object], runs: int = 20, lines: int = 15) -> str:
    """The `lines` costliest calls of `runs` runs, by cumulative time."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(runs):
        action()
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(lines)
    return out.getvalue()
