"""Pooling: the largest or the mean value of each window, channel by channel.

x (n, h, w, c) -> y (n, oh, ow, c), windows of ``pool`` (rows, columns) moved by
``strides``; ``pads`` (top, bottom, left, right) as in ``tinynet.kernels.windows``.

Max pooling, y = max over the window. Its gradient flows to one input only, the
window's largest (the first in reading order when several are equal), so the
forward pass records where that was: ``argmax`` (n, oh, ow, c), the index
row * w + column of that input in its image. Backward adds each dy there (a pixel
that is the maximum of several overlapping windows gets the sum). Padding never wins.

Average pooling, y = mean over the window's taps that lie inside the image (with
'same' padding an edge window averages fewer values, as TensorFlow does).
Backward spreads each dy evenly over those taps.

Global pooling, x (n, h, w, c) -> y (n, c): the mean, or the max, over the whole
image. For the global max, as in TensorFlow's reduce_max, a gradient is shared
equally among the inputs that equal the maximum.
"""
import numpy as np
from numba import prange

from ._jit import kernel, parallel_kernel
from .windows import col2im_numpy, im2col_numpy, output_size


def _window_origins(size, pool, stride, before, after):
    """Where each window starts along one axis (may be negative: in the padding)."""
    out = output_size(size, pool, stride, 1, before, after)
    return np.arange(out) * stride - before


def max_pool_forward_numpy(x, pool, strides, pads):
    """Returns (y (n, oh, ow, c), argmax (n, oh, ow, c) int32)."""
    windows = im2col_numpy(x, pool, strides, (1, 1), pads, fill=-np.inf)   # (n, oh, ow, ph, pw, c)
    n, oh, ow, ph, pw, c = windows.shape
    flat = windows.reshape(n, oh, ow, ph * pw, c)
    k = flat.argmax(axis=3)                                 # the first largest tap of each window
    y = np.take_along_axis(flat, k[:, :, :, None], axis=3)[:, :, :, 0]
    rows = _window_origins(x.shape[1], ph, strides[0], pads[0], pads[1])[:, None, None] + k // pw
    cols = _window_origins(x.shape[2], pw, strides[1], pads[2], pads[3])[None, :, None] + k % pw
    return y, (rows * x.shape[2] + cols).astype(np.int32)


@parallel_kernel
def max_pool_forward_numba(x, pool, strides, pads):
    """Optimisations: one pass over each window's taps with the running maximum
    of all c channels side by side (contiguous), updated without branches so
    that the loop vectorises; images on separate threads."""
    n, h, w, c = x.shape
    oh = output_size(h, pool[0], strides[0], 1, pads[0], pads[1])
    ow = output_size(w, pool[1], strides[1], 1, pads[2], pads[3])
    y = np.empty((n, oh, ow, c), dtype=np.float32)
    argmax = np.empty((n, oh, ow, c), dtype=np.int32)
    for i in prange(n):
        _max_pool_image(x[i], pool, strides, pads, y[i], argmax[i])
    return y, argmax


@kernel
def _max_pool_image(x, pool, strides, pads, y, argmax):
    """One image: x (h, w, c) -> y and argmax (oh, ow, c)."""
    h, w, c = x.shape
    for r in range(y.shape[0]):
        r0 = max(r * strides[0] - pads[0], 0)
        r1 = min(r * strides[0] - pads[0] + pool[0], h)
        for q in range(y.shape[1]):
            q0 = max(q * strides[1] - pads[2], 0)
            q1 = min(q * strides[1] - pads[2] + pool[1], w)
            first = np.int32(r0 * w + q0)
            for ch in range(c):  # start from the window's first tap
                y[r, q, ch] = x[r0, q0, ch]
                argmax[r, q, ch] = first
            for row in range(r0, r1):
                for col in range(q0, q1):
                    index = np.int32(row * w + col)
                    for ch in range(c):
                        v, best = x[row, col, ch], y[r, q, ch]
                        y[r, q, ch] = v if v > best else best      # a tie keeps the first
                        argmax[r, q, ch] = index if v > best else argmax[r, q, ch]


def max_pool_backward_numpy(dy, argmax, size, pool, strides, pads):
    """dx (n, h, w, c) for ``size`` = (h, w): each dy added at its argmax. (The
    windows' geometry is the Numba kernel's; the argmax says it all here.)"""
    n, oh, ow, c = dy.shape
    dx = np.zeros((n, size[0] * size[1], c), dy.dtype)
    images = np.arange(n)[:, None, None, None]
    channels = np.arange(c)[None, None, None, :]
    np.add.at(dx, (images, argmax, channels), dy)   # add.at: overlapping windows may pick the same pixel
    return dx.reshape(n, size[0], size[1], c)


@parallel_kernel
def max_pool_backward_numba(dy, argmax, size, pool, strides, pads):
    """Optimisations: when the windows tile the image (strides equal to the pool
    size, as by default), every pixel of dx is written once, in order - dy or 0 -
    with no zeroing pass and no scattered additions; otherwise dy is added at
    each argmax. Images on separate threads (an image's dx is one thread's)."""
    n, oh, ow, c = dy.shape
    h, w = size
    if pool[0] != strides[0] or pool[1] != strides[1]:
        dx = np.zeros((n, h * w, c), dtype=np.float32)
        for i in prange(n):
            for r in range(oh):
                for q in range(ow):
                    for ch in range(c):
                        dx[i, argmax[i, r, q, ch], ch] += dy[i, r, q, ch]
        return dx.reshape(n, h, w, c)
    dx4 = np.empty((n, h, w, c), dtype=np.float32)
    for i in prange(n):
        _max_pool_image_backward(dy[i], argmax[i], pool, pads, dx4[i])
    return dx4


@kernel
def _max_pool_image_backward(dy, argmax, pool, pads, dx):
    """One image, windows that tile it: dx (h, w, c) = dy at each window's argmax, 0
    elsewhere (and 0 in the rows and columns no window covers)."""
    h, w, c = dx.shape
    oh, ow = dy.shape[0], dy.shape[1]
    for row in range(h):
        r = (row + pads[0]) // pool[0]
        for col in range(w):
            q = (col + pads[2]) // pool[1]
            if r >= oh or q >= ow:
                for ch in range(c):
                    dx[row, col, ch] = 0.0
                continue
            index = np.int32(row * w + col)
            for ch in range(c):
                dx[row, col, ch] = dy[r, q, ch] if argmax[r, q, ch] == index else np.float32(0.0)


def _tap_counts(size, pool, strides, pads):
    """(oh, ow) float: how many taps of each window lie inside the image."""
    def along(axis):
        starts = _window_origins(size[axis], pool[axis], strides[axis], pads[2 * axis], pads[2 * axis + 1])
        return np.minimum(starts + pool[axis], size[axis]) - np.maximum(starts, 0)
    return np.outer(along(0), along(1)).astype(np.float64)


def avg_pool_forward_numpy(x, pool, strides, pads):
    """y (n, oh, ow, c): each window's sum over its taps inside the image, / their count."""
    windows = im2col_numpy(x, pool, strides, (1, 1), pads)            # padding holds 0: adds nothing
    counts = _tap_counts(x.shape[1:3], pool, strides, pads)
    return windows.sum(axis=(3, 4)) / counts[:, :, None].astype(x.dtype)


@parallel_kernel
def avg_pool_forward_numba(x, pool, strides, pads):
    """Optimisations: the window's taps summed for all c channels side by side;
    images on separate threads."""
    n, h, w, c = x.shape
    oh = output_size(h, pool[0], strides[0], 1, pads[0], pads[1])
    ow = output_size(w, pool[1], strides[1], 1, pads[2], pads[3])
    y = np.zeros((n, oh, ow, c), dtype=np.float32)
    for i in prange(n):
        for r in range(oh):
            r0 = max(r * strides[0] - pads[0], 0)
            r1 = min(r * strides[0] - pads[0] + pool[0], h)
            for q in range(ow):
                q0 = max(q * strides[1] - pads[2], 0)
                q1 = min(q * strides[1] - pads[2] + pool[1], w)
                for row in range(r0, r1):
                    for col in range(q0, q1):
                        for ch in range(c):
                            y[i, r, q, ch] += x[i, row, col, ch]
                taps = np.float32((r1 - r0) * (q1 - q0))
                for ch in range(c):
                    y[i, r, q, ch] /= taps
    return y


def avg_pool_backward_numpy(dy, size, pool, strides, pads):
    """dx (n, h, w, c): each dy / (its window's taps) added to every tap inside the image."""
    counts = _tap_counts(size, pool, strides, pads)
    share = dy / counts[:, :, None].astype(dy.dtype)
    dcols = np.broadcast_to(share[:, :, :, None, None, :], share.shape[:3] + tuple(pool) + share.shape[3:])
    return col2im_numpy(dcols, (dy.shape[0],) + tuple(size), strides, (1, 1), pads)


@parallel_kernel
def avg_pool_backward_numba(dy, size, pool, strides, pads):
    """Optimisations: one pass over dy, each share added to its window's taps for
    all channels side by side; images on separate threads."""
    n, oh, ow, c = dy.shape
    h, w = size
    dx = np.zeros((n, h, w, c), dtype=np.float32)
    for i in prange(n):
        for r in range(oh):
            r0, r1 = max(r * strides[0] - pads[0], 0), min(r * strides[0] - pads[0] + pool[0], h)
            for q in range(ow):
                q0, q1 = max(q * strides[1] - pads[2], 0), min(q * strides[1] - pads[2] + pool[1], w)
                scale = np.float32(1.0) / np.float32((r1 - r0) * (q1 - q0))
                for row in range(r0, r1):
                    for col in range(q0, q1):
                        for ch in range(c):
                            dx[i, row, col, ch] += dy[i, r, q, ch] * scale
    return dx


def global_avg_pool_forward_numpy(x):
    """y (n, c): each channel's mean over the whole image."""
    return x.mean(axis=(1, 2))


@kernel
def global_avg_pool_forward_numba(x):
    """Optimisations: one pass, the sums of all channels side by side."""
    n, h, w, c = x.shape
    y = np.zeros((n, c), dtype=np.float32)
    for i in range(n):
        for r in range(h):
            for q in range(w):
                for ch in range(c):
                    y[i, ch] += x[i, r, q, ch]
    y *= np.float32(1.0) / np.float32(h * w)
    return y


def global_avg_pool_backward_numpy(dy, size):
    """dx (n, h, w, c): dy / (h * w) at every pixel."""
    share = dy / dy.dtype.type(size[0] * size[1])
    return np.repeat(np.repeat(share[:, None, None, :], size[0], axis=1), size[1], axis=2)


@kernel
def global_avg_pool_backward_numba(dy, size):
    """Optimisations: one pass that writes dx in order."""
    n, c = dy.shape
    dx = np.empty((n, size[0], size[1], c), dtype=np.float32)
    scale = np.float32(1.0) / np.float32(size[0] * size[1])
    for i in range(n):
        for r in range(size[0]):
            for q in range(size[1]):
                for ch in range(c):
                    dx[i, r, q, ch] = dy[i, ch] * scale
    return dx


def global_max_pool_forward_numpy(x):
    """y (n, c): each channel's maximum over the whole image."""
    return x.max(axis=(1, 2))


@kernel
def global_max_pool_forward_numba(x):
    """Optimisations: one pass, the running maxima of all channels side by side."""
    n, h, w, c = x.shape
    y = np.empty((n, c), dtype=np.float32)
    for i in range(n):
        y[i] = x[i, 0, 0]
        for r in range(h):
            for q in range(w):
                for ch in range(c):
                    y[i, ch] = max(y[i, ch], x[i, r, q, ch])
    return y


def global_max_pool_backward_numpy(x, y, dy):
    """dx (n, h, w, c): dy shared equally among the pixels equal to the maximum."""
    hits = x == y[:, None, None, :]
    return hits * (dy / hits.sum(axis=(1, 2)))[:, None, None, :]


@kernel
def global_max_pool_backward_numba(x, y, dy):
    """Optimisations: two passes, no temporary: count the maxima, then share dy."""
    n, h, w, c = x.shape
    dx = np.zeros((n, h, w, c), dtype=np.float32)
    hits = np.zeros(c, dtype=np.float32)
    for i in range(n):
        hits[:] = 0
        for r in range(h):
            for q in range(w):
                for ch in range(c):
                    if x[i, r, q, ch] == y[i, ch]:
                        hits[ch] += 1
        for r in range(h):
            for q in range(w):
                for ch in range(c):
                    if x[i, r, q, ch] == y[i, ch]:
                        dx[i, r, q, ch] = dy[i, ch] / hits[ch]
    return dx
