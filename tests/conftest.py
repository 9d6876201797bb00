"""Shared test set-up: one Numba thread, a hypothesis profile without deadlines,
and warm kernels.

One thread: the default run starts the bounds-checked kernel tests in a second
process (see ``BoundsCheckedKernelTests``), which holds one of the two cores
while it compiles. Two Numba threads in this process would then share the other
core, and every parallel region would wait for a thread that the system has
descheduled, and a training step took about a hundred times longer (README,
"Threads"). So the tests, and every
process they start (which inherits the variable), run the kernels on one thread,
unless NUMBA_NUM_THREADS is set already. The tests that compare one thread with
two run themselves again in a process of their own with two (``two_threads``).

Numba compiles a kernel on its first call (seconds, or a cache load), which
would trip hypothesis' per-example deadline; the profile turns the deadline off
and ``warm_kernels`` makes the first call once per session.
"""
import os

os.environ.setdefault("NUMBA_NUM_THREADS", "1")  # before Numba is imported: it reads this once

import numba  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

import tinynet  # noqa: E402

from .helpers import BoundsCheckedKernelTests, run_with_two_threads  # noqa: E402

BOUNDS_CHECK_TEST = "test_kernel_tests_pass_with_numba_bounds_checking"
BOUNDS_RUN = pytest.StashKey()

# 40 examples per property by default: the default run stays well under 10 minutes
# on a 2-core machine with an empty Numba cache (compiling is most of it);
# TINYNET_EXAMPLES=200 explores further.
settings.register_profile(
    "tinynet", deadline=None, max_examples=int(os.environ.get("TINYNET_EXAMPLES", "40")),
    suppress_health_check=[HealthCheck.too_slow],
    # In CI the examples are derived from the test's name, so a run is repeatable;
    # locally they are random, so every run explores new inputs.
    derandomize=bool(os.environ.get("CI")),
)
settings.load_profile("tinynet")


def pytest_collection_modifyitems(session, config, items):
    """If the bounds-checked kernel run is among the tests, start it now, in the
    background (see ``BoundsCheckedKernelTests``): it then costs the suite little
    wall time instead of minutes at the end."""
    if any(item.name == BOUNDS_CHECK_TEST for item in items):
        config.stash[BOUNDS_RUN] = BoundsCheckedKernelTests()


def pytest_unconfigure(config):
    run = config.stash.get(BOUNDS_RUN, None)
    if run is not None:
        run.stop()  # ends it if its test never waited for it (deselected, interrupted); else a no-op


@pytest.fixture
def bounds_checked_kernel_run(request):
    return request.config.stash[BOUNDS_RUN]


@pytest.fixture
def two_threads(request):
    """True where this process can run Numba on two threads. Where it cannot (the
    default run: see the top), the test is run again by itself in a pytest process
    whose Numba starts two threads, this fixture checks that it passed there, and
    gives False: the test returns at once. Either way the comparison is made."""
    if numba.config.NUMBA_NUM_THREADS >= 2:
        return True
    run_with_two_threads(request.node.nodeid)
    return False


@pytest.fixture(scope="session", autouse=True)
def warm_kernels():
    x = np.ones((4, 3), np.float32)
    w = np.ones((3, 2), np.float32)
    tinynet.kernels.NUMBA.dense_forward(x, w, np.zeros(2, np.float32), True)


@pytest.fixture(autouse=True)
def fresh_seed_and_backend():
    """Every test starts from seed 0 on the default backend."""
    tinynet.utils.set_random_seed(0)
    before = tinynet.get_backend()
    yield
    tinynet.set_backend(before)


@pytest.fixture(params=["numba", "numpy"])
def backend_name(request):
    tinynet.set_backend(request.param)
    return request.param
