"""Timing helpers shared by the benchmarks: medians of repeats, and the machine."""
import os
import platform
import time

import numpy as np


def _calls_for(fn, min_seconds):
    """How many calls of ``fn`` take at least ``min_seconds`` (after a warm-up call)."""
    fn()  # warm: compile, caches
    calls = 1
    while True:
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        if time.perf_counter() - start >= min_seconds:
            return calls
        calls *= 2


def _seconds_per_call(fn, calls):
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - start) / calls


def median_time(fn, repeats=7, min_seconds=0.02):
    """Median over ``repeats`` of the mean seconds per call, each repeat long
    enough (>= min_seconds) that the clock's resolution does not matter."""
    calls = _calls_for(fn, min_seconds)
    return float(np.median([_seconds_per_call(fn, calls) for _ in range(repeats)]))


def paired_median_times(fns, repeats=7, min_seconds=0.02):
    """Like ``median_time`` for several functions at once, their repeats taken in
    turn (a, b, a, b, ...), so that a slow stretch of this machine falls on all
    of them alike rather than on whichever was being timed."""
    calls = [_calls_for(fn, min_seconds) for fn in fns]
    times = [[] for _ in fns]
    for _ in range(repeats):
        for fn, n, out in zip(fns, calls, times):
            out.append(_seconds_per_call(fn, n))
    return [float(np.median(t)) for t in times]


def machine():
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            names = [line.split(":", 1)[1].strip() for line in f if line.startswith("model name")]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    import numba
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(),
            "numpy": np.__version__, "numba": numba.__version__,
            "numba_threads": numba.get_num_threads()}
