"""A Dense layer's forward and backward passes, with bias and ReLU fused in.

Forward:   Z = X @ W + b,   Y = relu(Z) if relu else Z
           X (n, i), W (i, o), b (o,) -> Y (n, o)
Backward:  dZ = dY * (Y > 0) if relu else dY          (ReLU's gradient is 0 or 1)
           dW = X.T @ dZ   (i, o)
           db = sum of dZ over the batch   (o,)
           dX = dZ @ W.T   (n, i)   - only when ``need_dx``: the first layer's
                                      input is data, and nothing needs its gradient.
dW and db are written into arrays the layer allocated once (its ``grads``):
a fresh 1.6 MB dW every step cost page faults that made training 2.5x slower.
A narrow layer (fewer than ``NARROW`` outputs, like the 10 classes) runs its
products in their transposed forms: see ``tinynet.kernels.matmul``.
"""
import numpy as np
from numba import prange

from ._jit import kernel, parallel_kernel, parts_for, split
from .matmul import NARROW, _nn, _nt, matmul_nt_numba, tn_into


def dense_forward_numpy(x, w, b, relu):
    y = x @ w + b
    if relu:
        np.maximum(y, 0, out=y)
    return y


@parallel_kernel
def dense_forward_numba(x, w, b, relu):
    """Optimisations: each row of the output starts as the bias (no separate add
    pass), the product accumulates into it with the register-blocked loop of
    ``matmul``, and ReLU is applied while those rows are still in cache; big
    layers split their rows over threads."""
    n = x.shape[0]
    y = np.empty((n, w.shape[1]), dtype=np.float32)
    parts = parts_for(n, n * w.shape[0] * w.shape[1], 4)
    if parts == 1:
        _dense_rows(x, w, b, relu, y)
    else:
        for t in prange(parts):
            lo, hi = split(t, parts, n, 4)
            _dense_rows(x[lo:hi], w, b, relu, y[lo:hi])
    return y


@kernel
def _dense_rows(x, w, b, relu, y):
    """y = relu?(x @ w + b) for one thread's rows."""
    if w.shape[1] < NARROW:  # dot products of rows of x and of W.T, bias added after
        _nt(x, np.ascontiguousarray(w.T), y)
        for r in range(y.shape[0]):
            y[r] += b
    else:
        for r in range(x.shape[0]):
            y[r] = b
        _nn(x, w, y, True)
    if relu:
        for r in range(y.shape[0]):
            row = y[r]
            for j in range(row.shape[0]):
                row[j] = max(row[j], np.float32(0.0))


def dense_backward_numpy(x, w, y, dy, relu, need_dx, dw, db):
    """Fills dW (i, o) and db (o,); returns dX (n, i), or None when not ``need_dx``."""
    dz = dy * (y > 0) if relu else dy
    np.matmul(x.T, dz, out=dw)
    np.sum(dz, axis=0, out=db)
    return dz @ w.T if need_dx else None


@kernel
def dense_backward_numba(x, w, y, dy, relu, need_dx, dw, db):
    """Optimisations: the ReLU mask and the bias gradient come from one pass over
    dY; the products use the blocked, threaded kernels without transposed copies
    (and in their transposed forms for narrow layers); dX is skipped when
    nothing needs it."""
    n, o = dy.shape
    dz = np.empty((n, o), dtype=np.float32)
    db[:] = 0
    for r in range(n):
        for j in range(o):
            g = dy[r, j]
            if relu and y[r, j] <= 0:
                g = np.float32(0.0)
            dz[r, j] = g
            db[j] += g
    tn_into(x, dz, dw)
    return matmul_nt_numba(dz, w) if need_dx else None
