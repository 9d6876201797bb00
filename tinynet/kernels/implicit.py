"""A convolution's product without its im2col: the image is read through offsets.

im2col (``windows.py``) copies each window of an image into a row of ``cols``,
so that a convolution is the product cols @ W2 (``conv.py``). But every entry of
cols is a pixel of the image. Flatten the (zero-padded) image x (hp, wp, c_in)
into xf; then

    cols[p, t] = xf[base[p] + offset[t]]

    base[p]    where the window of output pixel p = (r, q) starts:
               (r * stride_rows * wp + q * stride_cols) * c_in
    offset[t]  where tap t = (u, v, ci) of the kernel sits from there:
               (u * dilation_rows * wp + v * dilation_cols) * c_in + ci

So a product can read cols through these two short lists instead of from a
copy: ``gather_product`` below, whose loops load A[r, p] = xf[rows[r] +
offsets[p]] where the loops of ``matmul._nn`` load a[i + r, p]. The same loops
serve both products of a Conv2D that involve cols:

    forward    Z  = cols @ W2        rows = bases of the output pixels, offsets = taps
    backward   dW = cols.T @ dZ      rows = taps, offsets = bases of the output pixels

(the sum over t becomes a sum over p by swapping the two lists). Nothing is
copied but a padded image when the convolution pads. ``conv_pool.py`` uses it.
"""
import numpy as np

from ._jit import VECTOR_FLOATS, kernel
from .tiles import gather_tile_8x32

# The loop for the CPU's vector width, as matmul.py picks ``_nn``: on AVX-512 its
# 8 x 32 tile (``gather_tile_8x32``), on AVX2 the 4 x 4 loop (``_gather_nn4x4``),
# each the twin of the loop that multiplies a copied im2col there, so that both
# give the same bits. Without AVX2 Numba compiles without its straight-line
# vectoriser (``_jit.py``) and ``IN_USE`` is False: conv_pool.py then copies the
# im2col as conv.py does.
IN_USE = VECTOR_FLOATS >= 8
TILE_ROWS, TILE_COLS = (8, 32) if VECTOR_FLOATS == 16 else (4, 4)


def whole_tiles(count):
    """``count`` rounded up to whole tiles of rows: the length of ``rows`` (and of
    C's rows) that ``gather_product`` needs; the extra rows point at offset 0."""
    return -(-count // TILE_ROWS) * TILE_ROWS


def tap_offsets(kh, kw, c_in, wp, dilation, length):
    """offset[t] for each tap t = (u, v, ci) in the kernel's order, then zeros up
    to ``length``: uint64 (length,). wp: the padded image's width."""
    u, v, ci = np.meshgrid(np.arange(kh), np.arange(kw), np.arange(c_in), indexing="ij")
    offsets = np.zeros(length, np.uint64)
    offsets[:kh * kw * c_in] = ((u * dilation[0] * wp + v * dilation[1]) * c_in + ci).reshape(-1)
    return offsets


def pixel_bases(rows, cols, strides, wp, c_in):
    """base[p] of output pixels (rows, cols) (same shape, any order), uint64."""
    return ((np.asarray(rows) * strides[0] * wp + np.asarray(cols) * strides[1]) * c_in).astype(np.uint64)


@kernel
def flat_image(x, pads, padded):
    """x (h, w, c) as a flat array: itself when nothing pads, else copied into
    the middle of ``padded`` ((h + top + bottom) * (w + left + right) * c floats,
    whose border stays the zeros it was made with)."""
    h, w, c = x.shape
    if pads[0] + pads[1] + pads[2] + pads[3] == 0:
        return x.reshape(-1)
    wp = w + pads[2] + pads[3]
    for r in range(h):
        start = ((r + pads[0]) * wp + pads[2]) * c
        padded[start:start + w * c] = x[r].reshape(-1)
    return padded


@kernel
def gather_product(xf, rows, offsets, b, c, accumulate):
    """C (+)= A @ B with A[r, p] = xf[rows[r] + offsets[p]], never made.
    rows (m,) and C (m, n) with m a multiple of TILE_ROWS; offsets (k,), B (k, n)
    contiguous."""
    if TILE_ROWS == 8:
        _tiled(xf, rows, offsets, b, c, accumulate)
    else:
        _gather_nn4x4(xf, rows, offsets, b, c, accumulate)


@kernel
def _tiled(xf, rows, offsets, b, c, accumulate):
    """``gather_product`` in tiles of 8 x 32 (``tiles.nn_8x32``'s loop); the
    columns that do not fill a tile (n % 32), row by row."""
    m, n = c.shape
    k = np.uint64(offsets.shape[0])
    bf = b.reshape(-1)
    n_full = n - n % 32
    for i in range(0, m, 8):
        some_rows = rows[i:i + 8]
        for j in range(0, n_full, 32):
            gather_tile_8x32(xf, some_rows, offsets, k, bf, np.uint64(n), c, np.uint64(i), np.uint64(j), accumulate)
        if n_full < n:
            _leftover(xf, some_rows, offsets, b, c[i:i + 8, n_full:], accumulate)


@kernel
def _leftover(xf, rows, offsets, b, c, accumulate):
    """C (+)= A @ B[:, n - C's width:] for one tile's rows, a row at a time, as
    ``tiles.leftover`` does for a stored A (and skipping zeros as it does, so
    the sums are rounded alike)."""
    j0 = b.shape[1] - c.shape[1]
    for r in range(c.shape[0]):
        cr = c[r]
        if not accumulate:
            cr[:] = 0
        for p in range(offsets.shape[0]):
            a = xf[rows[r] + offsets[p]]
            if a != 0:
                bp = b[p, j0:]
                for j in range(cr.shape[0]):
                    cr[j] += a * bp[j]


@kernel
def _gather_nn4x4(xf, rows, offsets, b, c, accumulate):
    """``matmul._nn4x4`` line for line, with each a[i + r, p + s] read as
    xf[rows[i + r] + offsets[p + s]] (m a multiple of 4: no leftover rows)."""
    m, n = c.shape
    k = offsets.shape[0]
    k4 = k - k % 4
    for i in range(0, m, 4):
        c0, c1, c2, c3 = c[i], c[i + 1], c[i + 2], c[i + 3]
        r0, r1, r2, r3 = rows[i], rows[i + 1], rows[i + 2], rows[i + 3]
        if not accumulate and k4 == 0:
            c[i:i + 4] = 0
        for p in range(0, k4, 4):
            b0, b1, b2, b3 = b[p], b[p + 1], b[p + 2], b[p + 3]
            o0, o1, o2, o3 = offsets[p], offsets[p + 1], offsets[p + 2], offsets[p + 3]
            a00, a01, a02, a03 = xf[r0 + o0], xf[r0 + o1], xf[r0 + o2], xf[r0 + o3]
            a10, a11, a12, a13 = xf[r1 + o0], xf[r1 + o1], xf[r1 + o2], xf[r1 + o3]
            a20, a21, a22, a23 = xf[r2 + o0], xf[r2 + o1], xf[r2 + o2], xf[r2 + o3]
            a30, a31, a32, a33 = xf[r3 + o0], xf[r3 + o1], xf[r3 + o2], xf[r3 + o3]
            if (a00 == 0 and a01 == 0 and a02 == 0 and a03 == 0 and a10 == 0 and a11 == 0
                    and a12 == 0 and a13 == 0 and a20 == 0 and a21 == 0 and a22 == 0 and a23 == 0
                    and a30 == 0 and a31 == 0 and a32 == 0 and a33 == 0):
                if p == 0 and not accumulate:
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
            bp, o = b[p], offsets[p]
            for j in range(n):
                c0[j] += xf[r0 + o] * bp[j]
                c1[j] += xf[r1 + o] * bp[j]
                c2[j] += xf[r2 + o] * bp[j]
                c3[j] += xf[r3 + o] * bp[j]
