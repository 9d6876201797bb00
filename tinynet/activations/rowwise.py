"""Softmax: an activation of a whole row, not of each entry alone.

For z (..., c), along the last axis (or ``axis``):
    a_j = exp(z_j - m) / sum_k exp(z_k - m),    m = max_k z_k
    dz  = a * (da - sum_k da_k a_k)             (the Jacobian, never built)
Subtracting m first keeps exp() from overflowing at z = 1e4. The loop is the
``softmax`` kernel in tinynet.kernels.crossentropy, which takes rows (n, c):
this entry turns any rank into rows and back, and checks the input first.
"""
import numbers

import numpy as np

from .. import backend
from ._inputs import as_input, at_least_float32


def _check_axis(axis, ndim):
    if axis is None:
        return None
    if isinstance(axis, bool) or not isinstance(axis, numbers.Integral) or not -ndim <= axis < ndim:
        raise ValueError(f"Argument `axis` of softmax must be an axis of x (from {-ndim} to {ndim - 1}) or None. "
                         f"Received: axis={axis!r} for x with {ndim} axes")
    return int(axis) % ndim


def softmax(x, axis=-1):
    """Probabilities along ``axis`` (None: over every entry), x's shape and dtype."""
    x = as_input(x, "softmax")
    if x.ndim == 2 and (axis == -1 or axis == 1) and x.dtype.itemsize >= 4 and x.shape[1]:
        return backend.ops.softmax(x)  # a layer's (n, c): straight to the kernel
    if x.ndim == 0:
        raise ValueError("Argument `x` of softmax must have at least one axis. Received: x.shape=()")
    axis = _check_axis(axis, x.ndim)
    if x.size == 0:
        return x.copy()  # no rows, or rows of nothing: nothing to normalise
    moved = x.reshape(1, -1) if axis is None else np.moveaxis(x, axis, -1)
    p = backend.ops.softmax(at_least_float32(moved.reshape(-1, moved.shape[-1])))
    p = p.astype(x.dtype, copy=False).reshape(moved.shape)
    return p.reshape(x.shape) if axis is None else np.moveaxis(p, -1, axis)


def softmax_backward(z, a, da):
    return a * (da - (da * a).sum(axis=-1, keepdims=True))
