"""Timing helpers shared by the benchmarks: medians of repeats, and the machine."""
import os
import platform
import time

import numpy as np


def median_time(fn, repeats=7, min_seconds=0.02):
    """Median over ``repeats`` of the mean seconds per call, each repeat long
    enough (>= min_seconds) that the clock's resolution does not matter."""
    fn()  # warm: compile, caches
    calls = 1
    while True:
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        if time.perf_counter() - start >= min_seconds:
            break
        calls *= 2
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        times.append((time.perf_counter() - start) / calls)
    return float(np.median(times))


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
