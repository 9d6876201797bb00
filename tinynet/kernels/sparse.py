"""Products with a matrix that is mostly zeros: only its nonzeros are visited.

A max-pooling layer sends its gradient to one input of each window, so the dZ
of a Conv2D under MaxPooling2D(2) is at least three quarters zeros (more after
ReLU's mask), scattered one per window and channel. The blocked loop of
``matmul`` skips only 4x4 blocks that are all zero, which such zeros almost never
form; these two kernels skip every zero:

    nn_rows(a, b, c)   C  = A @ B      A (m, k) mostly zeros, B (k, n) -> C (m, n)
                       row by row: C[p] = sum over the nonzero A[p, j] of A[p, j] * B[j]
    tn_cols(a, b, c)   C += A.T @ B    A (m, k) mostly zeros, B (m, n) -> C (k, n)
                       column by column: C[j] += sum over the nonzero A[p, j] of A[p, j] * B[p]

Work: nnz(A) * n multiply-adds instead of m * k * n. ``index`` and ``values``
(at least max(m, k) long) are scratch space for one row's or column's nonzeros.
Optimisations: the nonzeros are gathered first, then added 4 at a time in one
sweep along contiguous rows of B and C, so C's row is loaded and stored once per
4 nonzeros and the sweep vectorises.
"""
from ._jit import kernel


@kernel
def nn_rows(a, b, c, index, values):
    """C = A @ B, skipping A's zeros (see the module docstring)."""
    m, k = a.shape
    n = b.shape[1]
    for p in range(m):
        count = 0
        for j in range(k):  # without a branch: every entry is written, only nonzeros advance
            index[count] = j
            values[count] = a[p, j]
            count += a[p, j] != 0
        c[p] = 0.0
        _add_rows(b, index, values, count, c, p)


@kernel
def tn_cols(a, b, c, index, values):
    """C += A.T @ B, skipping A's zeros (see the module docstring)."""
    m, k = a.shape
    for j in range(k):
        count = 0
        for p in range(m):
            index[count] = p
            values[count] = a[p, j]
            count += a[p, j] != 0
        _add_rows(b, index, values, count, c, j)


@kernel
def _add_rows(b, index, values, count, c, row):
    """c[row] += sum over t < count of values[t] * b[index[t]], four rows of b per sweep."""
    n = b.shape[1]
    out = c[row]
    t = 0
    while t + 4 <= count:
        b0, b1, b2, b3 = b[index[t]], b[index[t + 1]], b[index[t + 2]], b[index[t + 3]]
        v0, v1, v2, v3 = values[t], values[t + 1], values[t + 2], values[t + 3]
        for e in range(n):
            out[e] += v0 * b0[e] + v1 * b1[e] + v2 * b2[e] + v3 * b3[e]
        t += 4
    for u in range(t, count):
        bu, v = b[index[u]], values[u]
        for e in range(n):
            out[e] += v * bu[e]

