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
"""
import numpy as np
from numba import prange

from ._jit import kernel, parallel_kernel, split
from .conv import (_forward_images, _pieces, _sum_parts, _transpose, _zeros_or_empty, conv2d_backward_numpy,
                   conv2d_forward_numpy, image_products)
from .pooling import _max_pool_image, max_pool_backward_numpy, max_pool_forward_numpy
from .windows import output_size


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
    n = x.shape[0]
    kh, kw, c_in, f = w.shape
    oh = output_size(x.shape[1], kh, strides[0], dilation[0], pads[0], pads[1])
    ow = output_size(x.shape[2], kw, strides[1], dilation[1], pads[2], pads[3])
    ph = output_size(oh, pool[0], pool_strides[0], 1, pool_pads[0], pool_pads[1])
    pw = output_size(ow, pool[1], pool_strides[1], 1, pool_pads[2], pool_pads[3])
    w2 = w.reshape(kh * kw * c_in, f)
    y = np.empty((n, ph, pw, f), dtype=np.float32)
    argmax = np.empty((n, ph, pw, f), dtype=np.int32)
    cols, z = work[0], work[1]
    parts = _pieces(n, n * oh * ow * kh * kw * c_in * f)
    if parts == 1:
        _forward_pooled(x, w2, b, kh, kw, strides, dilation, pads, relu, pool, pool_strides, pool_pads,
                        cols[0], z[0:1], oh, ow, y, argmax)
    else:
        for t in prange(parts):
            lo, hi = split(t, parts, n, 1)
            _forward_pooled(x[lo:hi], w2, b, kh, kw, strides, dilation, pads, relu, pool, pool_strides, pool_pads,
                            cols[t], z[t:t + 1], oh, ow, y[lo:hi], argmax[lo:hi])
    return y, argmax


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
    (zeroed, then each dy added at its argmax), its sums and nonzeros counted
    in one pass, and handed to the Conv2D kernel's products (``image_products``:
    dW, and dX when needed); no batch-sized dZ or Z is read or written. Each
    piece of images sums its own dW and db, added in a fixed order at the end,
    as in ``conv2d_backward_numba``."""
    kh, kw, c_in, f = w.shape
    dx = _zeros_or_empty(x.shape, need_dx)
    parts = _backward_pieces(x, w.reshape(kh * kw * c_in, f), y, dy, argmax, kh, kw, strides, dilation, pads, relu,
                             need_dx, work, dx)
    _sum_parts(work[2][:parts], work[3][:parts], work[4][:parts], dw.reshape(kh * kw * c_in, f), db)
    return dx if need_dx else None


@parallel_kernel
def _backward_pieces(x, w2, y, dy, argmax, kh, kw, strides, dilation, pads, relu, need_dx, work, dx):
    """Runs ``_backward_pooled`` on each piece of the batch; returns how many pieces."""
    n = x.shape[0]
    k, f = w2.shape
    cols, dz, dw, dwt, db, index, values, wt = work
    _transpose(w2, wt)
    parts = _pieces(n, n * dz.shape[1] * k * f)
    if parts == 1:
        _backward_pooled(x, wt, y, dy, argmax, kh, kw, strides, dilation, pads, relu, need_dx,
                         cols[0], dz[0], dw[0], dwt[0], db[0], index[0], values[0], dx)
    else:
        for t in prange(parts):
            lo, hi = split(t, parts, n, 1)
            _backward_pooled(x[lo:hi], wt, y[lo:hi], dy[lo:hi], argmax[lo:hi], kh, kw, strides, dilation, pads,
                             relu, need_dx, cols[t], dz[t], dw[t], dwt[t], db[t], index[t], values[t], dx[lo:hi])
    return parts


@kernel
def _backward_pooled(x, wt, y, dy, argmax, kh, kw, strides, dilation, pads, relu, need_dx, cols, dz, dw, dwt, db,
                     index, values, dx):
    """One piece of images, as ``conv._backward_images`` but with each image's dZ
    made from the pooled dy and argmax: dw (k, f), dwt (f, k) and db (f,) get
    this piece's sums; dx[i] gets each image's input gradient."""
    dw[:] = 0
    dwt[:] = 0
    db[:] = 0
    m, f = dz.shape
    for i in range(x.shape[0]):
        dz[:] = 0
        for r in range(y.shape[1]):
            for q in range(y.shape[2]):
                for j in range(f):
                    if not relu or y[i, r, q, j] > 0:
                        dz[argmax[i, r, q, j], j] += dy[i, r, q, j]
        # db and the nonzeros in pixel order, as the Conv2D kernel counts them
        # (the same sums, rounded the same way, as the two layers apart)
        nonzero = 0
        for p in range(m):
            for j in range(f):
                db[j] += dz[p, j]
                nonzero += dz[p, j] != 0
        image_products(x[i], wt, dz, nonzero, kh, kw, strides, dilation, pads, need_dx, cols, dw, dwt,
                       index, values, dx[i])
