"""The convnet's two Conv2D layers at batch 128: each pass of the Numba kernels
against its NumPy twin (im2col, then BLAS), and the rate each reaches as a share
of the machine's measured sgemm rate.

The inputs are what the layers see in training: MNIST images for the first, the
max-pooled ReLU outputs of the first for the second, and as dY what a max pooling
sends back (one value per 2x2 window and channel, the rest zeros). The rate is
counted in the multiply-adds of the dense products (2 * n * oh * ow * kh * kw *
c_in * filters per product): the backward kernels skip the zeros of dZ, so theirs
is an equivalent rate, and can exceed what a dense product would reach.
Each layer is timed alone and fused with the MaxPooling2D(2) after it, as a
Sequential runs the pair in training (``tinynet.models.fusion``).
"""
import numpy as np

import tinynet
from tinynet.kernels import NUMBA, NUMPY
from tinynet.kernels.conv import conv2d_workspace
from tinynet.kernels.conv_pool import conv2d_pool_workspace
from tinynet.layers import Conv2D, MaxPooling2D

from .kernels import compare
from .models import CONVNET_BATCH


def _pooled_gradient(y, rng):
    """dY as a MaxPooling2D(2) after this layer sends it back: random values at
    each window's maximum, zeros elsewhere."""
    pool = MaxPooling2D(2)
    pooled = pool.call(y)
    pool.needs_input_grad = True
    return pool.backward(rng.standard_normal(pooled.shape, dtype=np.float32))


def layers_at_training_shapes(batch=CONVNET_BATCH):
    """[(name, x, kernel, bias, y, dy, need_dx)] for the convnet's two Conv2D layers."""
    rng = np.random.default_rng(0)
    tinynet.utils.set_random_seed(0)
    (images, _), _ = tinynet.datasets.mnist.load_data()
    x1 = (images[rng.permutation(len(images))[:batch]].astype(np.float32) / 255)[..., None]
    first, second = Conv2D(32, 3, activation="relu"), Conv2D(64, 3, activation="relu")
    y1 = first(x1)
    x2 = MaxPooling2D(2).call(y1)
    y2 = second(x2)
    return [("conv2d 28x28x1 -> 26x26x32", x1, first, y1, _pooled_gradient(y1, rng), False),
            ("conv2d_1 13x13x32 -> 11x11x64", x2, second, y2, _pooled_gradient(y2, rng), True)]


def fused_passes(x, w, b, args, need_dx, dw, db):
    """The same layer with the MaxPooling2D(2) after it, as a Sequential runs the
    pair (``tinynet.kernels.conv_pool``): the pooling's work is counted in the
    time, not in the multiply-adds."""
    pool = ((2, 2), (2, 2), (0, 0, 0, 0))
    work = conv2d_pool_workspace(x.shape, w.shape, *args, *pool)
    y, argmax = NUMPY.conv2d_pool_forward(x, w, b, *args, True, *pool)
    dy = np.random.default_rng(1).standard_normal(y.shape, dtype=np.float32)
    products = 2 if need_dx else 1
    return [("forward + pool (fused)", 1, lambda: NUMBA.conv2d_pool_forward(x, w, b, *args, True, *pool, work),
             lambda: NUMPY.conv2d_pool_forward(x, w, b, *args, True, *pool)),
            ("pool + backward (fused)", products,
             lambda: NUMBA.conv2d_pool_backward(x, w, y, dy, argmax, *args, True, need_dx, dw, db, work),
             lambda: NUMPY.conv2d_pool_backward(x, w, y, dy, argmax, *args, True, need_dx, dw, db))]


def conv_rows(repeats, rounds):
    """One row per layer and pass: Numba and NumPy times (``compare``), and the rate."""
    rows = []
    for name, x, layer, y, dy, need_dx in layers_at_training_shapes():
        w, b = layer.kernel, layer.bias
        args = layer.strides, layer.dilation_rate, layer.pads
        work = conv2d_workspace(x.shape, w.shape, *args)
        dw, db = np.empty_like(w), np.empty_like(b)
        n, oh, ow, f = y.shape
        m, k = n * oh * ow, w.shape[0] * w.shape[1] * w.shape[2]
        products = 2 if need_dx else 1
        passes = [("forward", 1, lambda: NUMBA.conv2d_forward(x, w, b, *args, True, work),
                   lambda: NUMPY.conv2d_forward(x, w, b, *args, True, None)),
                  ("backward (dW" + (", dX)" if need_dx else ")"), products,
                   lambda: NUMBA.conv2d_backward(x, w, y, dy, *args, True, need_dx, dw, db, work),
                   lambda: NUMPY.conv2d_backward(x, w, y, dy, *args, True, need_dx, dw, db, None))]
        passes += fused_passes(x, w, b, args, need_dx, dw, db)
        density = float(np.count_nonzero(dy * (y > 0))) / dy.size
        for what, count, fast, slow in passes:
            t = compare(fast, slow, repeats, rounds)
            flops = 2 * m * k * f * count
            rows.append({"layer": name, "pass": what, "shape": f"{m}x{k}x{f}", "numba_ms": t["numba"] * 1e3,
                         "numpy_ms": t["numpy"] * 1e3, "numba_gflops": flops / t["numba"] / 1e9,
                         "numba_vs_numpy": t["ratio"], "dz_density": density if what.startswith("backward") else None,
                         "rounds": t["rounds"]})
    return rows
