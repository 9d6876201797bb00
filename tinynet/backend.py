"""Which implementation of the hot paths the layers call: ``'numba'`` or ``'numpy'``.

Layers never import a kernel directly; they call ``backend.ops.<kernel>(...)``,
and ``set_backend`` swaps ``ops`` between the two tables of ``tinynet.kernels``.
The default is ``'numba'``; the environment variable ``TINYNET_BACKEND`` chooses
another one at import time. The NumPy backend works in any float dtype (the
float64 gradient checks use it); the Numba kernels are compiled for float32.

The 'numba' backend never calls BLAS, not even where BLAS is faster on its own:
BLAS (OpenBLAS) and Numba each keep a pool of threads, and on a small machine the
two pools compete for the same cores - a Numba kernel that runs while OpenBLAS's
threads still spin after a product waits for them, and a whole training step got
slower, not faster, when its narrow products went to BLAS. One owner of the
threads - Numba's - is worth more than what BLAS saves on a single product; the
kernels compute narrow products in their transposed forms instead.
benchmarks/README.md ("The `numba` backend never calls BLAS") has the measurements.
"""
import os

import numba

from . import kernels
from .utils.checks import positive_int
from .utils.naming import lookup

_TABLES = {"numba": kernels.NUMBA, "numpy": kernels.NUMPY}
_current = None
ops = None


def set_backend(name):
    """Make every layer use the kernels of ``name`` ('numba' or 'numpy') from now on."""
    global _current, ops
    ops = lookup("backend", name, _TABLES)
    _current = name


def get_backend():
    """The name of the backend in use."""
    return _current


set_backend(os.environ.get("TINYNET_BACKEND", "numba"))


def set_num_threads(n):
    """Use ``n`` threads for the Numba kernels (at most the machine's cores).

    Numba owns the threads of the 'numba' backend, which never calls BLAS; the
    same can be set before start-up with ``NUMBA_NUM_THREADS=n``. Results do not
    depend on it: how a sum is cut into pieces is decided by the shapes, never by
    the thread count (the Dense forward's two halves of the inputs, say).
    """
    n = positive_int("n", n)
    if n > numba.config.NUMBA_NUM_THREADS:
        raise ValueError(f"Argument `n` must be at most {numba.config.NUMBA_NUM_THREADS}, the number "
                         f"of threads Numba started with. Received: n={n}")
    numba.set_num_threads(n)


def get_num_threads():
    """The number of threads the Numba kernels use."""
    return numba.get_num_threads()
