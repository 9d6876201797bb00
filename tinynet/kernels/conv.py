"""A Conv2D layer's forward and backward passes, as im2col and matrix products.

Shapes (channels-last, as Keras): x (n, h, w, c_in), kernel W (kh, kw, c_in, f),
bias b (f,) -> y (n, oh, ow, f). ``strides`` and ``dilation`` are (rows, columns);
``pads`` is (top, bottom, left, right); see ``tinynet.kernels.windows``.

With cols = im2col(x), one row per output pixel (n * oh * ow, kh * kw * c_in), and
W2 = W.reshape(kh * kw * c_in, f), a convolution is the Dense layer's maths:

Forward:   Z = cols @ W2 + b,   Y = relu(Z) if relu else Z
Backward:  dZ = dY * (Y > 0) if relu else dY
           dW2 = cols.T @ dZ      db = sum of dZ over every output pixel
           dcols = dZ @ W2.T      dX = col2im(dcols)   - only when ``need_dx``

The NumPy twins do exactly that, on the whole batch at once. The Numba kernels
do it one image at a time: an image's cols (oh * ow rows; 121 x 288 floats for
the second layer of the MNIST convnet) go into a small reused buffer that stays
in cache for the product that follows, and are made again in the backward pass
rather than kept: copying them costs far less than the product, and a batch's
cols would be about kh * kw times the size of its input (1.4 GB for the 10,000
test images at that layer). Under a max pooling most of dZ is zeros; the
backward then multiplies with the kernels of ``tinynet.kernels.sparse``, which
skip them.
"""
import numpy as np
from numba import prange

from ._jit import PARALLEL_MIN_WORK, kernel, parallel_kernel, split
from .matmul import _nn
from .sparse import nn_rows, tn_cols
from .windows import col2im_image, col2im_numpy, im2col_image, im2col_numpy, output_size

# A batch is cut into at most this many pieces of whole images, which Numba's
# threads share. Each piece sums its own part of dW; the parts are added in a
# fixed order, so dW does not depend on how many threads there are.
PIECES = 8

# An image's dZ with at most this fraction of nonzeros takes the products that
# skip zeros (``tinynet.kernels.sparse``), when their sweeps along kh * kw * c_in
# are long enough to vectorise well; otherwise the blocked ones (see
# benchmarks/README.md for the measurements behind both numbers).
SPARSE_UP_TO = 0.3
SPARSE_MIN_SWEEP = 32


def conv2d_workspace(x_shape, w_shape, strides, dilation, pads):
    """The scratch arrays the Numba kernels work in, one slot per piece of a batch:
    cols (PIECES, oh * ow, kh * kw * c_in) - one image's windows, or its dcols;
    dz (PIECES, oh * ow, f) - one image's dZ; dw (PIECES, kh * kw * c_in, f), dwt
    (PIECES, f, kh * kw * c_in) and db (PIECES, f) - each piece's sums (those of
    the blocked products, those of the sparse ones, transposed); index and values
    (PIECES, max(oh * ow, f)) - the nonzeros of a row or column of dZ; wt (f, kh *
    kw * c_in) - W2.T, copied once per backward pass. A layer makes them once and
    reuses them."""
    kh, kw, c_in, f = w_shape
    oh = output_size(x_shape[1], kh, strides[0], dilation[0], pads[0], pads[1])
    ow = output_size(x_shape[2], kw, strides[1], dilation[1], pads[2], pads[3])
    k, longest = kh * kw * c_in, max(oh * ow, f)
    return (np.empty((PIECES, oh * ow, k), np.float32), np.empty((PIECES, oh * ow, f), np.float32),
            np.empty((PIECES, k, f), np.float32), np.empty((PIECES, f, k), np.float32),
            np.empty((PIECES, f), np.float32), np.empty((PIECES, longest), np.int64),
            np.empty((PIECES, longest), np.float32), np.empty((f, k), np.float32))


@kernel
def _pieces(n, work):
    """How many pieces of whole images: 1 for small work, else up to PIECES."""
    return 1 if work < PARALLEL_MIN_WORK else min(n, PIECES)


def conv2d_forward_numpy(x, w, b, strides, dilation, pads, relu, work=None):
    """y = relu?(im2col(x) @ W2 + b).   ``work`` is the Numba kernel's; unused here."""
    kh, kw, c_in, f = w.shape
    cols = im2col_numpy(x, (kh, kw), strides, dilation, pads)
    n, oh, ow = cols.shape[:3]
    y = cols.reshape(n * oh * ow, kh * kw * c_in) @ w.reshape(kh * kw * c_in, f) + b
    if relu:
        np.maximum(y, 0, out=y)
    return y.reshape(n, oh, ow, f)


@parallel_kernel
def conv2d_forward_numba(x, w, b, strides, dilation, pads, relu, work):
    """Optimisations: one image's cols at a time, in a buffer that stays in cache
    (no batch-sized im2col); its product runs the register-blocked loop of
    ``matmul`` into rows that start as the bias, and ReLU is applied while they
    are still in cache (as the Dense kernel does). Blocks of cols that are all
    zero - a blank background - are skipped by ``_nn``. Pieces of whole images
    run on separate threads."""
    n = x.shape[0]
    kh, kw, c_in, f = w.shape
    oh = output_size(x.shape[1], kh, strides[0], dilation[0], pads[0], pads[1])
    ow = output_size(x.shape[2], kw, strides[1], dilation[1], pads[2], pads[3])
    w2 = w.reshape(kh * kw * c_in, f)
    y = np.empty((n, oh * ow, f), dtype=np.float32)
    cols = work[0]
    parts = _pieces(n, n * oh * ow * kh * kw * c_in * f)
    if parts == 1:
        _forward_images(x, w2, b, kh, kw, strides, dilation, pads, relu, cols[0], y)
    else:
        for t in prange(parts):
            lo, hi = split(t, parts, n, 1)
            _forward_images(x[lo:hi], w2, b, kh, kw, strides, dilation, pads, relu, cols[t], y[lo:hi])
    return y.reshape(n, oh, ow, f)


@kernel
def _forward_images(x, w2, b, kh, kw, strides, dilation, pads, relu, cols, y):
    """y[i] = relu?(im2col(x[i]) @ w2 + b) for each image i of one piece. (Indexed
    element by element: a view of a row per row cost more than the row's work.)"""
    for i in range(x.shape[0]):
        im2col_image(x[i], kh, kw, strides, dilation, pads, cols)
        yi = y[i]
        _nn(cols, w2, yi, False)
        for r in range(yi.shape[0]):
            for j in range(yi.shape[1]):
                v = yi[r, j] + b[j]
                yi[r, j] = max(v, np.float32(0.0)) if relu else v


def conv2d_backward_numpy(x, w, y, dy, strides, dilation, pads, relu, need_dx, dw, db, work=None):
    """Fills dW (kh, kw, c_in, f) and db (f,); returns dX (n, h, w, c_in), or None
    when not ``need_dx``."""
    kh, kw, c_in, f = w.shape
    dz = dy * (y > 0) if relu else dy
    dz2 = dz.reshape(-1, f)
    cols = im2col_numpy(x, (kh, kw), strides, dilation, pads)
    np.matmul(cols.reshape(-1, kh * kw * c_in).T, dz2, out=dw.reshape(kh * kw * c_in, f))
    np.sum(dz2, axis=0, out=db)
    if not need_dx:
        return None
    dcols = (dz2 @ w.reshape(kh * kw * c_in, f).T).reshape(cols.shape)
    return col2im_numpy(dcols, x.shape, strides, dilation, pads)


@kernel
def conv2d_backward_numba(x, w, y, dy, strides, dilation, pads, relu, need_dx, dw, db, work):
    """Optimisations: per image, dZ (ReLU's mask applied) and its column sums come
    from one pass over dY into a buffer in cache, so no batch-sized dZ is written;
    the image's cols are made again rather than stored. An image's dZ that is
    mostly zeros (under a max pooling: see ``SPARSE_UP_TO``) takes the products
    that skip zeros; a denser one the blocked loop of ``matmul``; neither makes a
    transposed copy of cols. dcols reuses the cols buffer, and is added onto dX
    at once (col2im). Each piece of images sums its own dW and db, added in a
    fixed order at the end."""
    kh, kw, c_in, f = w.shape
    dx = _zeros_or_empty(x.shape, need_dx)
    parts = _backward_pieces(x, w.reshape(kh * kw * c_in, f), y, dy, kh, kw, strides, dilation, pads, relu,
                             need_dx, work, dx)
    _sum_parts(work[2][:parts], work[3][:parts], work[4][:parts], dw.reshape(kh * kw * c_in, f), db)
    return dx if need_dx else None


@parallel_kernel
def _backward_pieces(x, w2, y, dy, kh, kw, strides, dilation, pads, relu, need_dx, work, dx):
    """Runs ``_backward_images`` on each piece of the batch; returns how many pieces."""
    n = x.shape[0]
    k, f = w2.shape
    oh, ow = y.shape[1], y.shape[2]
    cols, dz, dw, dwt, db, index, values, wt = work
    _transpose(w2, wt)   # wt (f, k) = W2.T: dcols = dZ @ W2.T as a plain product
    y3, dy3 = y.reshape(n, oh * ow, f), dy.reshape(n, oh * ow, f)
    parts = _pieces(n, n * oh * ow * k * f)
    if parts == 1:
        _backward_images(x, wt, y3, dy3, kh, kw, strides, dilation, pads, relu, need_dx,
                         cols[0], dz[0], dw[0], dwt[0], db[0], index[0], values[0], dx)
    else:
        for t in prange(parts):
            lo, hi = split(t, parts, n, 1)
            _backward_images(x[lo:hi], wt, y3[lo:hi], dy3[lo:hi], kh, kw, strides, dilation, pads, relu,
                             need_dx, cols[t], dz[t], dw[t], dwt[t], db[t], index[t], values[t], dx[lo:hi])
    return parts


@kernel
def _transpose(a, out):
    """out = a.T, into an existing array. (A kernel of its own: in a
    ``parallel_kernel`` the copy would become a parallel loop of its own.)"""
    for r in range(a.shape[0]):
        for j in range(a.shape[1]):
            out[j, r] = a[r, j]


@kernel
def _zeros_or_empty(shape, need):
    """dX's buffer: zeros of ``shape``, or (n, 0, 0, 0) when nothing needs dX."""
    if need:
        return np.zeros(shape, dtype=np.float32)
    return np.zeros((shape[0], 0, 0, 0), dtype=np.float32)


@kernel
def _backward_images(x, wt, y, dy, kh, kw, strides, dilation, pads, relu, need_dx, cols, dz, dw, dwt, db,
                     index, values, dx):
    """One piece of images: dw (k, f), dwt (f, k) and db (f,) get this piece's sums;
    dx[i] gets each image's input gradient."""
    dw[:] = 0
    dwt[:] = 0
    db[:] = 0
    m, f = dz.shape
    for i in range(x.shape[0]):
        nonzero = 0
        for r in range(m):
            for j in range(f):
                g = dy[i, r, j]
                if relu and y[i, r, j] <= 0:
                    g = np.float32(0.0)
                dz[r, j] = g
                db[j] += g
                nonzero += g != 0
        image_products(x[i], wt, dz, nonzero, kh, kw, strides, dilation, pads, need_dx, cols, dw, dwt,
                       index, values, dx[i])


@kernel
def image_products(x, wt, dz, nonzero, kh, kw, strides, dilation, pads, need_dx, cols, dw, dwt, index, values,
                   dx):
    """One image x (h, w, c_in) and its dZ (oh * ow, f), of which ``nonzero`` entries
    are not 0: adds cols.T @ dZ to dw (or its transpose to dwt), and when
    ``need_dx`` writes dx (h, w, c_in) = col2im(dZ @ W2.T)."""
    m, f = dz.shape
    sparse = takes_sparse(nonzero, m, f, cols.shape[1])
    im2col_image(x, kh, kw, strides, dilation, pads, cols)
    if sparse:
        tn_cols(dz, cols, dwt, index, values)      # dW.T += dZ.T @ cols
    else:
        _nn(cols.T, dz, dw, True)                  # dW += cols.T @ dZ
    if need_dx:
        if sparse:
            nn_rows(dz, wt, cols, index, values)   # dcols = dZ @ W2.T
        else:
            _nn(dz, wt, cols, False)
        col2im_image(cols, kh, kw, strides, dilation, pads, dx)


@kernel
def takes_sparse(nonzero, m, f, k):
    """True when an image's dZ (m, f) with ``nonzero`` nonzeros, for a kernel of k
    taps, takes the products that skip zeros (see ``SPARSE_UP_TO``)."""
    return nonzero <= SPARSE_UP_TO * m * f and k >= SPARSE_MIN_SWEEP


@kernel
def _sum_parts(dw_parts, dwt_parts, db_parts, dw, db):
    """dw = dw_parts[0] + dw_parts[1] + ... + (dwt_parts[0] + dwt_parts[1] + ...).T,
    the parts added in that order (and db likewise)."""
    total = dwt_parts[0]
    for t in range(1, dwt_parts.shape[0]):
        for j in range(total.shape[0]):
            for e in range(total.shape[1]):
                total[j, e] += dwt_parts[t, j, e]
    dw[:] = total.T
    for t in range(dw_parts.shape[0]):
        for e in range(dw.shape[0]):
            for j in range(dw.shape[1]):
                dw[e, j] += dw_parts[t, e, j]
    db[:] = db_parts[0]
    for t in range(1, db_parts.shape[0]):
        for j in range(db.shape[0]):
            db[j] += db_parts[t, j]
