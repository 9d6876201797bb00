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
offsets[p]] where the loops of ``tiles.nn_8x32`` (``matmul._nn`` on AVX-512)
load a[i + r, p]. The same loops serve both products of a Conv2D that involve cols:

    forward    Z  = cols @ W2        rows = bases of the output pixels, offsets = taps
    backward   dW = cols.T @ dZ      rows = taps, offsets = bases of the output pixels

(the sum over t becomes a sum over p by swapping the two lists). Nothing is
copied but a padded image when the convolution pads. ``conv_pool.py`` uses it.
"""
import numpy as np

from ._jit import VECTOR_FLOATS, kernel
from .tiles import gather_tile_8x32

# The tile of AVX-512, the twin of the one that multiplies a copied im2col there
# (``tiles.nn_8x32``), so that both give the same bits. ``IN_USE``: only there.
# On AVX2 ``_nn`` is a 4 x 4 loop whose sums LLVM may regroup (it reads a row of
# A as one vector where it can): a copy reading A through offsets gave other
# bits, so conv_pool.py copies the im2col there as conv.py does. This module
# runs anywhere (its tests run it), at a tile's speed only with AVX-512.
IN_USE = VECTOR_FLOATS == 16
TILE_ROWS = 8   # gather_tile_8x32's rows


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
    contiguous. Tiles of 8 x 32 (``tiles.nn_8x32``'s loop); the columns that do
    not fill a tile (n % 32), row by row."""
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
