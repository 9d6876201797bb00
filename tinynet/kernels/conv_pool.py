"""A Conv2D and the MaxPooling2D after it, as one pass over each image.

Shapes: x (n, h, w, c_in), kernel W (kh, kw, c_in, f), bias b (f,); the
convolution's output Z (n, oh, ow, f) is pooled to y (n, ph, pw, f), with
``argmax`` (n, ph, pw, f) as ``tinynet.kernels.pooling`` records it (the index
row * ow + column of each window's largest value). The maths is exactly that
of the two layers one after the other:

Forward:   Z = relu?(conv(x, W) + b)               (``tinynet.kernels.conv``)
           y, argmax = max_pool(Z)                 (``tinynet.kernels.pooling``)
Backward:  dZ = dy added at each argmax, 0 elsewhere; ReLU's mask is known
           without Z: the pixel at a window's argmax holds that window's y, so
           it passed ReLU exactly when y > 0
           dW, db, dX from dZ as a Conv2D's backward pass

Why fuse: Z is the biggest array of a small convnet (26 x 26 x 32 floats per
MNIST image, 11 MB for a batch of 128, four times the pooled y). Apart, the
two layers write Z, read it back to pool it, write its gradient and read that
back with Z for ReLU's mask: four trips through memory for an array the
products have long left. Fused, one image's Z is made in a small buffer that
stays in cache, pooled at once, and never stored; the backward pass makes one
image's dZ in that buffer from dy and argmax alone. ``Sequential`` runs a
Conv2D (activation 'relu' or none) and a MaxPooling2D right after it this way
(``tinynet/models/fusion.py``); either layer called alone runs as before.

On AVX-512 (``implicit.IN_USE``), when the pooling windows tile Z (strides =
pool size, no padding: every pixel in at most one window, as in
MaxPooling2D(2)), one image goes further:

Forward:   Z's pixels are computed window by window (``rows`` lists them in
           that order), each from the image through offsets rather than from
           an im2col copy (``implicit.py``), and each window is pooled from
           consecutive rows of Z.
Backward:  dZ is made in one raster pass (each pixel's window is known), and
           when dZ is too dense for the products that skip zeros, dW = cols.T
           @ dZ reads cols from the image the same way.

The workspace (``conv2d_pool_workspace``) holds the offsets, made once per
shape. Either way the numbers are the two layers' bits (tests/test_conv_pool.py).
"""
import numpy as np
from numba import prange

from ._jit import kernel, parallel_kernel, split
from .conv import (_forward_images, _pieces, _sum_parts, _transpose, _zeros_or_empty, conv2d_backward_numpy,
                   conv2d_forward_numpy, conv2d_workspace, image_products, takes_sparse)
from .implicit import IN_USE, flat_image, gather_product, pixel_bases, tap_offsets, whole_tiles
from .matmul import _nn
from .pooling import _max_pool_image, max_pool_backward_numpy, max_pool_forward_numpy
from .windows import col2im_image, output_size


@kernel
def pools_tile(pool, pool_strides, pool_pads):
    """True when the pooling windows tile Z (strides = pool size, no padding):
    each pixel of Z then belongs to at most one window."""
    return (pool[0] == pool_strides[0] and pool[1] == pool_strides[1]
            and pool_pads[0] == 0 and pool_pads[1] == 0 and pool_pads[2] == 0 and pool_pads[3] == 0)


def conv2d_pool_workspace(x_shape, w_shape, strides, dilation, pads, pool, pool_strides, pool_pads, work=None):
    """(the Conv2D kernels' workspace (``conv2d_workspace``), the tiling path's):
    rows (whole_tiles(P),) - base of each of the P pixels of Z inside a window,
    window by window, each window's pixels row by row; index (P,) int32 - each
    one's row * ow + column (what argmax records); taps (whole_tiles(k),) - the
    offset of each tap; pixels (oh * ow,) - the base of every pixel of Z, row by
    row; z (PIECES, whole_tiles(P), f) - one image's Z, window by window; dw
    (PIECES, whole_tiles(k), f) - a piece's dW; padded (PIECES, padded image
    size) - one image with its zero padding (``tinynet.kernels.implicit``).
    Empty arrays when the pools do not tile Z, or on a CPU without AVX-512
    (``implicit.IN_USE``). ``work``: the Conv2D's own
    workspace, when it has one already."""
    if work is None:
        work = conv2d_workspace(x_shape, w_shape, strides, dilation, pads)
    pieces, kh, kw, c_in, f = work[0].shape[0], *w_shape
    oh, ow = (output_size(x_shape[1 + a], w_shape[a], strides[a], dilation[a], pads[2 * a], pads[2 * a + 1])
              for a in range(2))
    wp = x_shape[2] + pads[2] + pads[3]
    if IN_USE and pools_tile(pool, pool_strides, pool_pads):
        ph, pw = oh // pool[0], ow // pool[1]
    else:
        ph = pw = oh = ow = kh = kw = c_in = 0
    r, q, a, b = np.meshgrid(np.arange(ph), np.arange(pw), np.arange(pool[0]), np.arange(pool[1]), indexing="ij")
    r, q = (r * pool[0] + a).reshape(-1), (q * pool[1] + b).reshape(-1)   # Z's pixels, window by window
    rows = np.zeros(whole_tiles(r.size), np.uint64)
    rows[:r.size] = pixel_bases(r, q, strides, wp, c_in)
    grid = np.indices((oh, ow)).reshape(2, -1)
    window_of = np.full((oh, ow), -1, np.int32)
    window_of[:ph * pool[0], :pw * pool[1]] = np.arange(ph * pw).reshape(ph, pw).repeat(pool[0], 0).repeat(pool[1], 1)
    k = kh * kw * c_in
    padded = (x_shape[1] + pads[0] + pads[1]) * wp * c_in if any(pads) else 0
    return work, (rows, (r * ow + q).astype(np.int32), tap_offsets(kh, kw, c_in, wp, dilation, whole_tiles(k)),
                  pixel_bases(grid[0], grid[1], strides, wp, c_in), window_of.reshape(-1),
                  np.empty((pieces, rows.size, f), np.float32), np.empty((pieces, whole_tiles(k), f), np.float32),
                  np.zeros((pieces, padded), np.float32))


def conv2d_pool_forward_numpy(x, w, b, strides, dilation, pads, relu, pool, pool_strides, pool_pads, work=None):
    """Returns (y (n, ph, pw, f), argmax (n, ph, pw, f) int32): the two layers in turn."""
    z = conv2d_forward_numpy(x, w, b, strides, dilation, pads, relu)
    return max_pool_forward_numpy(z, pool, pool_strides, pool_pads)


@parallel_kernel
def conv2d_pool_forward_numba(x, w, b, strides, dilation, pads, relu, pool, pool_strides, pool_pads, work):
    """Optimisations: per image, Z is the Conv2D kernel's product (+ bias, ReLU)
    into one reused buffer, (oh * ow, f), which the pooling reads while it is
    still in cache; no batch-sized Z is written. Pieces of whole images run on
    separate threads, as in ``conv2d_forward_numba``."""
    x = np.ascontiguousarray(x)   # a view (a flipped image): the image-reading path needs flat rows
    n = x.shape[0]
    kh, kw, c_in, f = w.shape
    oh = output_size(x.shape[1], kh, strides[0], dilation[0], pads[0], pads[1])
    ow = output_size(x.shape[2], kw, strides[1], dilation[1], pads[2], pads[3])
    ph = output_size(oh, pool[0], pool_strides[0], 1, pool_pads[0], pool_pads[1])
    pw = output_size(ow, pool[1], pool_strides[1], 1, pool_pads[2], pool_pads[3])
    w2 = w.reshape(kh * kw * c_in, f)
    y = np.empty((n, ph, pw, f), dtype=np.float32)
    argmax = np.empty((n, ph, pw, f), dtype=np.int32)
    (cols, z), (rows, index, taps, _, _, zw, _, padded) = work[0][:2], work[1]   # (prange takes no tuples)
    tiling = taps.shape[0] > 0       # the workspace's choice (conv2d_pool_workspace)
    taps = taps[:kh * kw * c_in]
    parts = _pieces(n, n * oh * ow * kh * kw * c_in * f)
    if parts == 1:  # sliced as the pieces are, so that both run the same compiled loop
        _forward_piece(x[0:n], w2, b, kh, kw, strides, dilation, pads, relu, pool, pool_strides, pool_pads, tiling,
                       cols[0], z[0:1], rows, index, taps, zw[0], padded[0], oh, ow, y[0:n], argmax[0:n])
    else:
        for t in prange(parts):
            lo, hi = split(t, parts, n, 1)
            _forward_piece(x[lo:hi], w2, b, kh, kw, strides, dilation, pads, relu, pool, pool_strides, pool_pads,
                           tiling, cols[t], z[t:t + 1], rows, index, taps, zw[t], padded[t], oh, ow, y[lo:hi],
                           argmax[lo:hi])
    return y, argmax


@kernel
def _forward_piece(x, w2, b, kh, kw, strides, dilation, pads, relu, pool, pool_strides, pool_pads, tiling, cols, z,
                   rows, index, taps, zw, padded, oh, ow, y, argmax):
    """One piece of images, with one slot of the workspace: through
    ``_forward_windows`` when the pools tile Z, else through ``_forward_pooled``."""
    if IN_USE and tiling:  # IN_USE, a constant: Numba leaves out the branch and its tile where it is False
        _forward_windows(x, w2, b, pads, relu, pool, rows, index, taps, zw, padded, y, argmax)
    else:
        _forward_pooled(x, w2, b, kh, kw, strides, dilation, pads, relu, pool, pool_strides, pool_pads,
                        cols, z, oh, ow, y, argmax)


@kernel
def _forward_windows(x, w2, b, pads, relu, pool, rows, index, taps, z, padded, y, argmax):
    """Each image of one piece when the pools tile Z: z (whole_tiles(P), f) = Z's
    pixels window by window, its im2col read from the image through ``rows`` and
    ``taps`` (``implicit.py``); then each window's largest value of z + b (after
    ReLU), the first of any tie, as ``_max_pool_image`` scans."""
    size = pool[0] * pool[1]
    for i in range(x.shape[0]):
        gather_product(flat_image(x[i], pads, padded), rows, taps, w2, z, False)
        yi, ai = y[i].reshape(-1, b.shape[0]), argmax[i].reshape(-1, b.shape[0])
        for window in range(yi.shape[0]):
            _pool_window(z, b, relu, index, window * size, size, yi[window], ai[window])


@kernel
def _pool_window(z, b, relu, index, first, size, best, at):
    """best (f,), at (f,) = the largest of relu?(z[e] + b) over the window's pixels
    e = first ... first + size - 1, and its index; the first of any tie. Selects
    instead of branches, so that the loop over f runs in vector registers."""
    for j in range(b.shape[0]):
        v = z[first, j] + b[j]
        best[j] = max(v, np.float32(0.0)) if relu else v
        at[j] = index[first]
    for e in range(first + 1, first + size):
        ze, here = z[e], index[e]
        for j in range(b.shape[0]):
            v = ze[j] + b[j]
            if relu:
                v = max(v, np.float32(0.0))
            larger = v > best[j]
            best[j] = v if larger else best[j]
            at[j] = here if larger else at[j]


@kernel
def _forward_pooled(x, w2, b, kh, kw, strides, dilation, pads, relu, pool, pool_strides, pool_pads, cols, z, oh,
                    ow, y, argmax):
    """Each image of one piece: z (1, oh * ow, f) = its Z, then y[i], argmax[i]."""
    for i in range(x.shape[0]):
        _forward_images(x[i:i + 1], w2, b, kh, kw, strides, dilation, pads, relu, cols, z)
        _max_pool_image(z[0].reshape(oh, ow, z.shape[2]), pool, pool_strides, pool_pads, y[i], argmax[i])


def conv2d_pool_backward_numpy(x, w, y, dy, argmax, strides, dilation, pads, relu, need_dx, dw, db, work=None):
    """Fills dW and db; returns dX (n, h, w, c_in), or None when not ``need_dx``.
    y, dy and argmax are the pooled output's (n, ph, pw, f)."""
    kh, kw = w.shape[:2]
    oh = output_size(x.shape[1], kh, strides[0], dilation[0], pads[0], pads[1])
    ow = output_size(x.shape[2], kw, strides[1], dilation[1], pads[2], pads[3])
    live = dy * (y > 0) if relu else dy                       # ReLU's mask, read off the pooled y
    dz = max_pool_backward_numpy(live, argmax, (oh, ow), None, None, None)   # argmax alone places dy
    return conv2d_backward_numpy(x, w, dz, dz, strides, dilation, pads, False, need_dx, dw, db)


@kernel
def conv2d_pool_backward_numba(x, w, y, dy, argmax, strides, dilation, pads, relu, need_dx, dw, db, work):
    """Optimisations: per image, dZ is made in one reused buffer from dy and argmax
    (when the pools tile Z, in one pass that also sums db and counts nonzeros),
    and handed to the Conv2D kernel's products (``image_products``: dW, and dX
    when needed) - or, when the pools tile Z and dZ is too dense for the
    products that skip zeros, dW = cols.T @ dZ reads cols straight from the
    image (``implicit.py``). No batch-sized dZ or Z is read or written. Each
    piece of images sums its own dW and db, added in a fixed order at the end,
    as in ``conv2d_backward_numba``."""
    kh, kw, c_in, f = w.shape
    x, dy = np.ascontiguousarray(x), np.ascontiguousarray(dy)   # a view (a flipped image) reads as flat rows too
    dx = _zeros_or_empty(x.shape, need_dx)
    parts = _backward_pieces(x, w.reshape(kh * kw * c_in, f), y, dy, argmax, kh, kw, strides, dilation, pads, relu,
                             need_dx, work, dx)
    conv_work = work[0]
    _sum_parts(conv_work[2][:parts], conv_work[3][:parts], conv_work[4][:parts], dw.reshape(kh * kw * c_in, f), db)
    return dx if need_dx else None


@parallel_kernel
def _backward_pieces(x, w2, y, dy, argmax, kh, kw, strides, dilation, pads, relu, need_dx, work, dx):
    """Runs ``_backward_piece`` on each piece of the batch; returns how many pieces."""
    n = x.shape[0]
    k, f = w2.shape
    cols, dz, dw, dwt, db, index, values, wt = work[0]   # (prange takes no tuples)
    _, _, taps, pixels, window_of, _, dw_tiles, padded = work[1]
    _transpose(w2, wt)
    parts = _pieces(n, n * dz.shape[1] * k * f)
    if parts == 1:
        _backward_piece(x[0:n], wt, y[0:n], dy[0:n], argmax[0:n], kh, kw, strides, dilation, pads, relu, need_dx,
                        cols[0], dz[0], dw[0], dwt[0], db[0], index[0], values[0], taps, pixels, window_of,
                        dw_tiles[0], padded[0], dx[0:n])
    else:
        for t in prange(parts):
            lo, hi = split(t, parts, n, 1)
            _backward_piece(x[lo:hi], wt, y[lo:hi], dy[lo:hi], argmax[lo:hi], kh, kw, strides, dilation, pads,
                            relu, need_dx, cols[t], dz[t], dw[t], dwt[t], db[t], index[t], values[t], taps, pixels,
                            window_of, dw_tiles[t], padded[t], dx[lo:hi])
    return parts


@kernel
def _backward_piece(x, wt, y, dy, argmax, kh, kw, strides, dilation, pads, relu, need_dx, cols, dz, dw, dwt, db,
                    index, values, taps, pixels, window_of, dw_tiles, padded, dx):
    """One piece of images, as ``conv._backward_images`` but with each image's dZ
    made from the pooled dy and argmax: dw (k, f), dwt (f, k) and db (f,) get
    this piece's sums (dw_tiles: the tiling path's dW, whole tiles of rows);
    dx[i] gets each image's input gradient."""
    dw[:] = 0
    dwt[:] = 0
    db[:] = 0
    dw_tiles[:] = 0
    m, f = dz.shape
    k = wt.shape[1]
    tiling = taps.shape[0] > 0
    for i in range(x.shape[0]):
        if tiling:
            nonzero = _dz_of_windows(y[i], dy[i], argmax[i], relu, window_of, dz, db)
        else:
            nonzero = _dz_scattered(y[i], dy[i], argmax[i], relu, dz, db)
        if IN_USE and tiling and not takes_sparse(nonzero, m, f, k):   # IN_USE: as in _forward_piece
            # dW += cols.T @ dZ with cols read from the image (rows: the taps)
            gather_product(flat_image(x[i], pads, padded), taps, pixels, dz, dw_tiles, True)
            if need_dx:
                _nn(dz, wt, cols, False)
                col2im_image(cols, kh, kw, strides, dilation, pads, dx[i])
        else:
            image_products(x[i], wt, dz, nonzero, kh, kw, strides, dilation, pads, need_dx, cols, dw, dwt,
                           index, values, dx[i])
    if tiling:
        dw += dw_tiles[:k]


@kernel
def _dz_scattered(y, dy, argmax, relu, dz, db):
    """One image's dZ (oh * ow, f): zeroed, then each window's dy added at its argmax
    (windows may overlap); adds dZ's column sums to db, row by row, as the Conv2D
    kernel does (the same sums, rounded the same way); returns its nonzeros."""
    m, f = dz.shape
    dz[:] = 0
    for r in range(y.shape[0]):
        for q in range(y.shape[1]):
            for j in range(f):
                if not relu or y[r, q, j] > 0:
                    dz[argmax[r, q, j], j] += dy[r, q, j]
    nonzero = 0
    for p in range(m):
        for j in range(f):
            db[j] += dz[p, j]
            nonzero += dz[p, j] != 0
    return nonzero


@kernel
def _dz_of_windows(y, dy, argmax, relu, window_of, dz, db):
    """``_dz_scattered`` in one pass, when the windows tile Z: pixel p of Z lies in
    window ``window_of[p]`` (-1: in none), and gets that window's dy where its
    argmax is p, else 0."""
    f = dz.shape[1]
    y2, dy2, argmax2 = y.reshape(-1, f), dy.reshape(-1, f), argmax.reshape(-1, f)
    nonzero = 0
    for p in range(dz.shape[0]):
        window = window_of[p]
        if window < 0:
            dz[p] = 0
            continue
        for j in range(f):
            g = dy2[window, j]
            if (relu and y2[window, j] <= 0) or argmax2[window, j] != p:
                g = np.float32(0.0)
            dz[p, j] = g
            db[j] += g
            nonzero += g != 0
    return nonzero
