"""The complementary error function, which NumPy lacks and the GELU activation needs.

erfc    x (any shape, float32 or float64) -> erfc(x) of x's dtype, elementwise:
        erfc(x) = 1 - erf(x) = 2 / sqrt(pi) * integral from x to inf of exp(-t^2) dt,
        falling from 2 to 0. The standard normal distribution function is
        Phi(z) = erfc(-z / sqrt(2)) / 2, which for negative z is a small number
        computed directly, without the cancellation of 1 + erf(z / sqrt(2)).
"""
import math

import numpy as np

from ._jit import kernel


def erfc_numpy(x):
    """Python's ``math.erfc``, once per element: the definition, and slow."""
    return np.vectorize(math.erfc, otypes=[np.float64])(x).astype(x.dtype)


@kernel
def erfc_numba(x):
    """Optimisations: one pass over the flat array with the compiled ``math.erfc``
    (no Python call per element). A non-contiguous view is copied flat first."""
    flat = x.ravel()
    out = np.empty(flat.shape[0], dtype=x.dtype)
    for i in range(flat.shape[0]):
        out[i] = math.erfc(flat[i])
    return out.reshape(x.shape)
