"""Which implementation of the hot paths the layers call: ``'numba'`` or ``'numpy'``.

Layers never import a kernel directly; they call ``backend.ops.<kernel>(...)``,
and ``set_backend`` swaps ``ops`` between the two tables of ``tinynet.kernels``.
The default is ``'numba'``; the environment variable ``TINYNET_BACKEND`` chooses
another one at import time. The NumPy backend works in any float dtype (the
float64 gradient checks use it); the Numba kernels are compiled for float32.
"""
import os

from . import kernels
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
