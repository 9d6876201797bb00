"""Small models and data that many tests share, and the background run of the
kernel tests under Numba's bounds checking."""
import os
import shutil
import subprocess
import sys
import tempfile

import numba
import numpy as np
import pytest

from tinynet.layers import Dense, Flatten
from tinynet.models import Sequential


def seed_model(hidden=16, compile=True, jit_compile="auto"):
    """The seed notebook's architecture, narrower: Flatten -> Dense(relu) -> Dense(10, softmax).
    ``fit`` trains it with its compiled step, or layer by layer with ``jit_compile=False``."""
    model = Sequential([Flatten(input_shape=(28, 28)), Dense(hidden, activation="relu"),
                        Dense(10, activation="softmax")])
    if compile:
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                      jit_compile=jit_compile)
    return model


def toy_digits(n=96, seed=0):
    """Images (n, 28, 28) uint8 whose label is written in their brightest row."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 10, n)
    x = rng.integers(0, 40, (n, 28, 28)).astype(np.uint8)
    x[np.arange(n), y * 2 + 3, :] = 255
    return x, y.astype(np.uint8)


ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# The one test of tests/test_conv_pool.py that the bounds-checked run takes too:
# the tile that reads the image, which only AVX-512 machines run elsewhere.
BOUNDS_CHECKED_CONV_TEST = ("tests/test_conv_pool.py::"
                            "test_the_product_read_from_the_image_gives_the_bits_of_the_product_of_its_im2col")


class BoundsCheckedKernelTests:
    """``tests/test_kernels.py``, ``tests/test_kernels_optim.py`` and
    ``BOUNDS_CHECKED_CONV_TEST`` in a process of its own with ``NUMBA_BOUNDSCHECK=1``,
    which turns an out-of-range index inside a kernel into an IndexError (without
    it, a kernel reads or writes past an array's end in silence). It also runs the
    tests of tiles this CPU does not run (``bounds_checked_run_only_unless``).

    Every kernel must compile again with the checks in, into an empty cache folder:
    minutes of compiling on one core. ``tests/conftest.py`` starts it as soon
    as the tests are collected, so it runs on the second core while the other
    tests run, and its test (in ``test_reliability.py``) waits for the result.
    """

    def __init__(self):
        self.folder = tempfile.mkdtemp(prefix="tinynet-boundscheck-")
        env = dict(os.environ, NUMBA_BOUNDSCHECK="1", NUMBA_CACHE_DIR=os.path.join(self.folder, "cache"),
                   TINYNET_EXAMPLES="15", NUMBA_NUM_THREADS="2")  # two: it runs the thread tests itself
        self.output = open(os.path.join(self.folder, "output.txt"), "w+")  # a file: a pipe could fill and stall it
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_kernels.py",
             "tests/test_kernels_optim.py", BOUNDS_CHECKED_CONV_TEST],
            env=env, cwd=ROOT, stdout=self.output, stderr=subprocess.STDOUT)

    def result(self, timeout=900):
        """(return code, the last 3,000 characters it printed); cleans up after itself."""
        try:
            code = self.process.wait(timeout)
            self.output.seek(0)
            return code, self.output.read()[-3000:]
        finally:
            self.stop()

    def stop(self):
        """Kill the run if it is still going, and remove its folder; safe to call twice."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.output.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def bounds_checked_run_only_unless(runs_here):
    """A mark for a test of code that this CPU never runs: AVX-512's tiles on an
    AVX2 machine, the 4 x 4 loop on an AVX-512 one, the 4 x 16 tile on any.
    Compiling them is most of what testing them costs, so they are tested only
    in the bounds-checked run (``BoundsCheckedKernelTests``), which compiles them
    anyway, on the other core: every tile is still tested on every machine, with
    its indices checked. With NUMBA_DISABLE_JIT=1 nothing compiles,
    and they run here."""
    skip = not (runs_here or numba.config.BOUNDSCHECK or numba.config.DISABLE_JIT)
    return pytest.mark.skipif(skip,
                              reason="a tile this CPU does not run: tested in the bounds-checked run")


def run_with_two_threads(nodeid):
    """Run one test (pytest's ``nodeid``) in a pytest process of its own whose Numba
    starts two threads; fail here with its output if it fails there."""
    env = dict(os.environ, NUMBA_NUM_THREADS="2")
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", nodeid],
                          env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{nodeid} failed with two threads:\n{done.stdout[-3000:]}{done.stderr[-2000:]}"
