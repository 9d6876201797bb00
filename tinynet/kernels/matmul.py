"""The three matrix products of a Dense layer, without transposed copies.

Forward:   Y  = X @ W        X (n, i), W (i, o)  -> (n, o)    ``matmul``
Backward:  dW = X.T @ dY     X (n, i), dY (n, o) -> (i, o)    ``matmul_tn``
           dX = dY @ W.T     dY (n, o), W (i, o) -> (n, i)    ``matmul_nt``

``matmul_naive`` is the textbook triple loop, for comparison (lesson 4 and the
benchmark time it). Each NumPy twin is one line and calls BLAS. Each Numba kernel
runs a serial loop nest, ``_nn``, on blocks of C held in registers, so that every
value loaded from memory is used many times; big products are cut into row
pieces that run the same loop nest on separate threads.

``_nn`` is one of two versions of one loop nest, picked for the vector width of
the CPU (``VECTOR_FLOATS``): 8 x 32 tiles for AVX-512 (written out by
``make_tiles.py`` into ``tiles.py``), and ``_nn4x4``, the readable one - start
there - for AVX2 and other CPUs. ``tiles.py`` also holds a 4 x 16 tile for AVX2,
tested but not used: compiled for AVX2 it ran slower than ``_nn4x4`` (see
benchmarks/README.md).

``_nt`` (dY @ W.T) likewise: ``_nt4x4`` for AVX-512, ``_nt2x4`` - start there -
for AVX2 and other CPUs.

Narrow products: the loops vectorise along one axis - ``_nn`` along a row of C,
``_nt`` along the sum - and an axis shorter than ``NARROW`` (the 10 classes of an
output layer) fills a vector register poorly or not at all, and runs mostly
scalar. Such a product is computed in the other form, on a transposed copy of
the small operand (10 x 128 floats), which took the 32x128x10 products to less
than half their time (benchmarks/README.md, "Narrow products").
"""
import numpy as np
from numba import prange

from ._jit import VECTOR_FLOATS, kernel, parallel_kernel, pieces_for, split
from .tiles import nn_8x32

NARROW = 16  # floats in one AVX-512 register, or two AVX2 registers


def matmul_naive(a, b):
    """C = A @ B, one multiply-add at a time, reading B down its columns: plain
    Python (run it through ``numba.njit`` to see what compiling alone buys)."""
    m, k = a.shape
    n = b.shape[1]
    c = np.zeros((m, n), dtype=np.float32)
    for i in range(m):
        for j in range(n):
            s = 0.0
            for p in range(k):
                s += a[i, p] * b[p, j]
            c[i, j] = s
    return c


def matmul_numpy(a, b):
    """C = A @ B.   A (m, k), B (k, n) -> C (m, n)."""
    return a @ b


@parallel_kernel
def matmul_numba(a, b):
    """C = A @ B.   A (m, k), B (k, n) -> C (m, n), float32.

    Optimisations: register blocking (see ``_nn``); rows of C split over threads
    when the product is big; C is written by one thread per row, so no locking;
    narrow B: see the module docstring.
    """
    if a.shape[1] != b.shape[0]:  # checked first: the loops below trust the shapes
        raise ValueError("matmul: A (m, k) and B (k, n) must share k")
    m, k = a.shape
    c = np.empty((m, b.shape[1]), dtype=np.float32)
    parts = pieces_for(m, m * k * b.shape[1], TILE_ROWS)
    if b.shape[1] < NARROW:  # dot products of rows of A and of B.T instead
        _nt(a, np.ascontiguousarray(b.T), c)
    elif parts == 1:  # sliced as the pieces are, so that both run the same compiled loop
        _nn(a[0:m], b, c[0:m], False)
    else:
        for t in prange(parts):
            lo, hi = split(t, parts, m, TILE_ROWS)
            _nn(a[lo:hi], b, c[lo:hi], False)
    return c


@kernel
def _nn4x4(a, b, c, accumulate):
    """C += A @ B (``accumulate``) or C = A @ B, in blocks of 4 x 4: the readable
    version of ``_nn`` (the tiles of ``tiles.py`` are the same idea, bigger).

    4 rows of A x 4 steps of k are loaded into 16 scalars, then one sweep along a
    row of B updates 4 rows of C with 16 fused multiply-adds per column; the
    innermost loop runs over contiguous columns, so LLVM vectorises it. A may be
    a transposed view (``X.T`` for dW): its values are read one at a time, so its
    layout does not matter. Without ``accumulate`` the first 4 steps of k assign
    C's block, which saves zeroing C first (for dW, as big as the weights, that
    pass was a third of the memory traffic).

    A block of A that is all zeros adds nothing, and its sweep is skipped. MNIST
    images are 81% background, so in the first layer's X @ W and X.T @ dZ about
    half of the blocks are zero, and skipping them saves far more than the
    check costs on dense data (benchmarks/README.md). One difference from BLAS: a skipped block
    treats 0 * inf as 0, where IEEE says NaN - it matters only for weights that
    are already inf or NaN, and fit stops before an update would make them so.

    Why bigger tiles: a sweep of 4 rows keeps 4 x (one vector) sums per column
    step in registers, far fewer than AVX2's 16 or AVX-512's 32, and reloads and
    stores C's rows every 4 steps of k; the tiles keep a whole block of C in
    registers over hundreds of steps.
    """
    m, k = a.shape
    n = b.shape[1]
    k4 = k - k % 4
    for i in range(0, m - m % 4, 4):
        c0, c1, c2, c3 = c[i], c[i + 1], c[i + 2], c[i + 3]
        if not accumulate and k4 == 0:
            c[i:i + 4] = 0
        for p in range(0, k4, 4):
            b0, b1, b2, b3 = b[p], b[p + 1], b[p + 2], b[p + 3]
            a00, a01, a02, a03 = a[i, p], a[i, p + 1], a[i, p + 2], a[i, p + 3]
            a10, a11, a12, a13 = a[i + 1, p], a[i + 1, p + 1], a[i + 1, p + 2], a[i + 1, p + 3]
            a20, a21, a22, a23 = a[i + 2, p], a[i + 2, p + 1], a[i + 2, p + 2], a[i + 2, p + 3]
            a30, a31, a32, a33 = a[i + 3, p], a[i + 3, p + 1], a[i + 3, p + 2], a[i + 3, p + 3]
            if (a00 == 0 and a01 == 0 and a02 == 0 and a03 == 0 and a10 == 0 and a11 == 0
                    and a12 == 0 and a13 == 0 and a20 == 0 and a21 == 0 and a22 == 0 and a23 == 0
                    and a30 == 0 and a31 == 0 and a32 == 0 and a33 == 0):
                if p == 0 and not accumulate:  # nothing to add, but the block must start at 0
                    c[i:i + 4] = 0
                continue
            if p == 0 and not accumulate:
                for j in range(n):
                    x0, x1, x2, x3 = b0[j], b1[j], b2[j], b3[j]
                    c0[j] = a00 * x0 + a01 * x1 + a02 * x2 + a03 * x3
                    c1[j] = a10 * x0 + a11 * x1 + a12 * x2 + a13 * x3
                    c2[j] = a20 * x0 + a21 * x1 + a22 * x2 + a23 * x3
                    c3[j] = a30 * x0 + a31 * x1 + a32 * x2 + a33 * x3
            else:
                for j in range(n):
                    x0, x1, x2, x3 = b0[j], b1[j], b2[j], b3[j]
                    c0[j] += a00 * x0 + a01 * x1 + a02 * x2 + a03 * x3
                    c1[j] += a10 * x0 + a11 * x1 + a12 * x2 + a13 * x3
                    c2[j] += a20 * x0 + a21 * x1 + a22 * x2 + a23 * x3
                    c3[j] += a30 * x0 + a31 * x1 + a32 * x2 + a33 * x3
        for p in range(k4, k):  # leftover k-steps
            bp = b[p]
            for j in range(n):
                c0[j] += a[i, p] * bp[j]
                c1[j] += a[i + 1, p] * bp[j]
                c2[j] += a[i + 2, p] * bp[j]
                c3[j] += a[i + 3, p] * bp[j]
    for i in range(m - m % 4, m):  # leftover rows
        ci = c[i]
        if not accumulate:
            ci[:] = 0
        for p in range(k):
            aip = a[i, p]
            bp = b[p]
            for j in range(n):
                ci[j] += aip * bp[j]


# The loop nest for this CPU, and the height of its blocks (threads split rows
# on multiples of it). Chosen once, at import, from the width Numba compiles for;
# ``nn_4x16`` is the AVX2 tile, generated and tested but not used (see above).
if VECTOR_FLOATS >= 16:
    _nn, TILE_ROWS = nn_8x32, 8
else:
    _nn, TILE_ROWS = _nn4x4, 4


def matmul_tn_numpy(a, b):
    """C = A.T @ B.   A (k, m), B (k, n) -> C (m, n)."""
    return a.T @ b


@kernel
def matmul_tn_numba(a, b):
    """C = A.T @ B.   A (k, m), B (k, n) -> C (m, n), float32. No copy of A.T is made.

    Optimisations: see ``tn_into``.
    """
    if a.shape[0] != b.shape[0]:
        raise ValueError("matmul_tn: A (k, m) and B (k, n) must share k")
    c = np.empty((a.shape[1], b.shape[1]), dtype=np.float32)
    tn_into(a, b, c)
    return c


@parallel_kernel
def tn_into(a, b, c):
    """C = A.T @ B written into ``c`` (m, n); the Dense backward's dW = X.T @ dZ.

    Optimisations: the loop nest of ``matmul`` run on the transposed view A.T (no
    copy); a thread's share is a block of columns of A, the rows of C it writes;
    narrow B: see the module docstring.
    """
    k, m = a.shape
    parts = pieces_for(m, m * k * b.shape[1], TILE_ROWS)
    if b.shape[1] < NARROW:  # C.T = B.T @ A: its rows are A's rows, long and contiguous
        c_t = np.empty((b.shape[1], m), dtype=np.float32)
        _nn(b.T, a, c_t, False)
        c[:] = c_t.T
    elif parts == 1:  # sliced as the pieces are (see matmul_numba)
        _nn(a[:, 0:m].T, b, c[0:m], False)
    else:
        for t in prange(parts):
            lo, hi = split(t, parts, m, TILE_ROWS)
            _nn(a[:, lo:hi].T, b, c[lo:hi], False)


def matmul_nt_numpy(a, b):
    """C = A @ B.T.   A (m, k), B (n, k) -> C (m, n)."""
    return a @ b.T


@parallel_kernel
def matmul_nt_numba(a, b):
    """C = A @ B.T.   A (m, k), B (n, k) -> C (m, n), float32. No copy of B.T is made.

    Optimisations: dot products of contiguous rows with 8 or 16 running sums (see
    ``_nt2x4``, ``_nt4x4``); a thread's share is a block of rows of B, i.e. columns of C;
    short rows (k < NARROW): see the module docstring.
    """
    if a.shape[1] != b.shape[1]:
        raise ValueError("matmul_nt: A (m, k) and B (n, k) must share k")
    m, k = a.shape
    n = b.shape[0]
    c = np.empty((m, n), dtype=np.float32)
    parts = pieces_for(n, m * k * n, 4)
    if k < NARROW:  # short dot products: the blocked loop along rows of B.T instead
        _nn(a, np.ascontiguousarray(b.T), c, False)
    elif parts == 1:  # sliced as the pieces are (see matmul_numba)
        _nt(a, b[0:n], c[:, 0:n])
    else:
        for t in prange(parts):
            lo, hi = split(t, parts, n, 4)
            _nt(a, b[lo:hi], c[:, lo:hi])
    return c


@kernel
def _nt2x4(a, b, c):
    """C = A @ B.T, one thread's share, for AVX2 and other CPUs. Every C[i, j] is
    a dot product of two contiguous rows; 2 rows of A x 4 rows of B keep 8 running sums, so each
    loaded value is used 2-4 times, and the sums over k are reassociated
    (fastmath) so that they vectorise."""
    m, k = a.shape
    n = b.shape[0]
    m2, n4 = m - m % 2, n - n % 4
    for i in range(0, m2, 2):
        r0, r1 = a[i], a[i + 1]
        for j in range(0, n4, 4):
            q0, q1, q2, q3 = b[j], b[j + 1], b[j + 2], b[j + 3]
            s00 = s01 = s02 = s03 = np.float32(0.0)
            s10 = s11 = s12 = s13 = np.float32(0.0)
            for p in range(k):
                u, w = r0[p], r1[p]
                s00 += u * q0[p]
                s01 += u * q1[p]
                s02 += u * q2[p]
                s03 += u * q3[p]
                s10 += w * q0[p]
                s11 += w * q1[p]
                s12 += w * q2[p]
                s13 += w * q3[p]
            c[i, j], c[i, j + 1], c[i, j + 2], c[i, j + 3] = s00, s01, s02, s03
            c[i + 1, j], c[i + 1, j + 1], c[i + 1, j + 2], c[i + 1, j + 3] = s10, s11, s12, s13
        for j in range(n4, n):
            c[i, j] = _dot(r0, b[j])
            c[i + 1, j] = _dot(r1, b[j])
    for i in range(m2, m):
        for j in range(n):
            c[i, j] = _dot(a[i], b[j])


@kernel
def _nt4x4(a, b, c):
    """``_nt2x4`` with 4 rows of A x 4 rows of B: 16 running sums, each loaded
    value used 4 times. For AVX-512, where 2 x 4 sums left the loads, not the
    arithmetic, setting the pace (6 loads for 8 multiply-adds); AVX2's 16
    vector registers cannot hold 16 sums and the 8 values they need, and
    there it lost to ``_nt2x4``."""
    m, k = a.shape
    n = b.shape[0]
    m4, n4 = m - m % 4, n - n % 4
    for i in range(0, m4, 4):
        r0, r1, r2, r3 = a[i], a[i + 1], a[i + 2], a[i + 3]
        for j in range(0, n4, 4):
            q0, q1, q2, q3 = b[j], b[j + 1], b[j + 2], b[j + 3]
            s00 = s01 = s02 = s03 = np.float32(0.0)
            s10 = s11 = s12 = s13 = np.float32(0.0)
            s20 = s21 = s22 = s23 = np.float32(0.0)
            s30 = s31 = s32 = s33 = np.float32(0.0)
            for p in range(k):
                u0, u1, u2, u3 = r0[p], r1[p], r2[p], r3[p]
                v0, v1, v2, v3 = q0[p], q1[p], q2[p], q3[p]
                s00 += u0 * v0
                s01 += u0 * v1
                s02 += u0 * v2
                s03 += u0 * v3
                s10 += u1 * v0
                s11 += u1 * v1
                s12 += u1 * v2
                s13 += u1 * v3
                s20 += u2 * v0
                s21 += u2 * v1
                s22 += u2 * v2
                s23 += u2 * v3
                s30 += u3 * v0
                s31 += u3 * v1
                s32 += u3 * v2
                s33 += u3 * v3
            c[i, j], c[i, j + 1], c[i, j + 2], c[i, j + 3] = s00, s01, s02, s03
            c[i + 1, j], c[i + 1, j + 1], c[i + 1, j + 2], c[i + 1, j + 3] = s10, s11, s12, s13
            c[i + 2, j], c[i + 2, j + 1], c[i + 2, j + 2], c[i + 2, j + 3] = s20, s21, s22, s23
            c[i + 3, j], c[i + 3, j + 1], c[i + 3, j + 2], c[i + 3, j + 3] = s30, s31, s32, s33
        for j in range(n4, n):
            for r in range(i, i + 4):
                c[r, j] = _dot(a[r], b[j])
    for i in range(m4, m):
        for j in range(n):
            c[i, j] = _dot(a[i], b[j])


# dY @ W.T's loop for this CPU, chosen like ``_nn``.
_nt = _nt4x4 if VECTOR_FLOATS >= 16 else _nt2x4


@kernel
def _dot(u, v):
    s = np.float32(0.0)
    for p in range(u.shape[0]):
        s += u[p] * v[p]
    return s
