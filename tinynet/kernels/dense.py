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
from .matmul import NARROW, TILE_ROWS, _nn, _nt, matmul_nt_numba, tn_into


def dense_forward_numpy(x, w, b, relu):
    y = x @ w + b
    if relu:
        np.maximum(y, 0, out=y)
    return y


@parallel_kernel
def dense_forward_numba(x, w, b, relu):
    """Optimisations: the product runs the register-blocked loop of ``matmul``
    into rows that start as the bias (no separate add pass), and ReLU is applied
    while those rows are still in cache. A big layer is shared among threads in
    one of two ways, whichever reads less (see ``_split_inputs``)."""
    if x.shape[1] != w.shape[0] or b.shape[0] != w.shape[1]:
        raise ValueError("dense_forward: x (n, i), w (i, o) and b (o,) do not fit together")
    n, i = x.shape
    y = np.empty((n, w.shape[1]), dtype=np.float32)
    rows = parts_for(n, n * i * w.shape[1], TILE_ROWS)
    if w.shape[1] >= NARROW and rows > 1 and 2 * n <= i:
        _split_inputs(x, w, b, relu, y, rows // 2)  # rows >= 2 here
    elif rows == 1:
        _dense_rows(x, w, b, relu, y)
    else:
        for t in prange(rows):
            lo, hi = split(t, rows, n, TILE_ROWS)
            _dense_rows(x[lo:hi], w, b, relu, y[lo:hi])
    return y


@parallel_kernel
def _split_inputs(x, w, b, relu, y, row_parts):
    """y = relu?(x @ w + b) with the sum over the inputs cut in two halves:
    partial[h] = x[:, half h] @ w[half h] (n x o each), added at the end. Each
    half's rows of x are cut again into ``row_parts`` pieces for more threads.

    Why: split by rows of x alone, every thread reads all of W. Split by inputs,
    the thread(s) of a half read only its rows of W - the rows whose gradient
    they compute in the backward pass (``tn_into`` cuts dW the same way) and
    that their share of Adam updates - so those rows, and their m and v, stay in
    that core's cache from one step to the next, and the seed model's Adam step
    took about half as long (benchmarks/README.md). Used while the partials (2 x n x o
    floats) are no bigger than W (i x o): at training batch sizes, not for a
    prediction over 10,000 rows. Always two halves, whatever the number of
    threads, so that the sums - and so the results - do not depend on it.
    """
    n, i = x.shape
    partial = np.empty((2, n, w.shape[1]), dtype=np.float32)
    for piece in prange(2 * row_parts):
        half, part = piece // row_parts, piece % row_parts
        k_lo, k_hi = split(half, 2, i, 4)
        lo, hi = split(part, row_parts, n, TILE_ROWS)
        _nn(x[lo:hi, k_lo:k_hi], w[k_lo:k_hi], partial[half, lo:hi], False)
    _add_partials(partial, b, relu, y)


@kernel
def _add_partials(partial, b, relu, y):
    """y = relu?(b + sum over t of partial[t]).   partial (parts, n, o), y (n, o).
    (A kernel of its own: in a ``parallel_kernel`` the whole-row assignment would
    itself become a parallel loop, started once per row.)"""
    for r in range(y.shape[0]):
        row = y[r]
        row[:] = b
        for t in range(partial.shape[0]):
            part = partial[t, r]
            for j in range(row.shape[0]):
                row[j] += part[j]
        if relu:
            for j in range(row.shape[0]):
                row[j] = max(row[j], np.float32(0.0))


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
    if (x.shape[1] != w.shape[0] or dy.shape[0] != x.shape[0] or dy.shape[1] != w.shape[1]
            or y.shape != dy.shape or dw.shape != w.shape or db.shape[0] != w.shape[1]):
        raise ValueError("dense_backward: x (n, i), w (i, o), y and dy (n, o), dw (i, o), db (o,) do not fit together")
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
