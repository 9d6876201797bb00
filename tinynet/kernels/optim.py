"""Optimizer updates, in place, one pass over each parameter.

Adam, as Keras 3 computes it at step t (t = 1, 2, ...):
    m     <- m + (g - m) * (1 - beta_1)
    v     <- v + (g*g - v) * (1 - beta_2)
    alpha  = lr * sqrt(1 - beta_2**t) / (1 - beta_1**t)    (bias correction, in the step size)
    p     <- p - alpha * m / (sqrt(v) + epsilon)             (epsilon outside the root)
``alpha`` is computed once per step (``adam_step_size``), in float32 as Keras
does, and passed to the update of every parameter.

SGD with momentum mu, as Keras 3:
    mu == 0:   p <- p - lr * g
    else:      u <- mu * u - lr * g;   p <- p + u               (classic)
                                       p <- p + mu * u - lr * g (nesterov)
All arrays have the shape of the parameter; any shape works (they are walked flat).
"""
import numpy as np
from numba import prange

from ._jit import exact_kernel, kernel, parallel_kernel, split

# Parameters with more elements than this are updated by several threads.
PARALLEL_MIN_SIZE = 65_536


def adam_step_size_numpy(learning_rate, beta_1, beta_2, t):
    """alpha_t = lr * sqrt(1 - beta_2**t) / (1 - beta_1**t), every operation in float32."""
    f32, one = np.float32, np.float32(1)
    t = f32(t)
    return f32(learning_rate) * np.sqrt(one - f32(beta_2) ** t) / (one - f32(beta_1) ** t)


@exact_kernel
def adam_step_size_numba(learning_rate, beta_1, beta_2, t):
    """The same float32 operations in the same order (no fastmath: the bits must
    match NumPy's, and so Keras'). Why a kernel for five scalar operations: each
    NumPy scalar operation costs ~0.3 us of Python, and this ran 2.3 us per step
    against 0.26 us compiled."""
    f32, one = np.float32, np.float32(1)
    t = f32(t)
    return f32(learning_rate) * np.sqrt(one - f32(beta_2) ** t) / (one - f32(beta_1) ** t)


def adam_update_numpy(p, g, m, v, alpha, beta_1, beta_2, epsilon):
    m += (g - m) * (1 - beta_1)
    v += (g * g - v) * (1 - beta_2)
    p -= alpha * m / (np.sqrt(v) + epsilon)


@parallel_kernel
def adam_update_numba(p, g, m, v, alpha, beta_1, beta_2, epsilon):
    """Optimisations: m, v and p are read and written once each (NumPy makes 6
    passes and 4 temporaries); ``error_model='numpy'`` lets the division
    vectorise; big parameters are cut into 8 pieces shared among the threads."""
    pf, gf, mf, vf = p.reshape(-1), g.reshape(-1), m.reshape(-1), v.reshape(-1)
    n = pf.shape[0]
    if n < PARALLEL_MIN_SIZE:  # even an idle parallel region costs ~3 us
        _adam_range(pf, gf, mf, vf, alpha, beta_1, beta_2, epsilon)
        return
    for t in prange(8):
        lo, hi = split(t, 8, n, 16)
        _adam_range(pf[lo:hi], gf[lo:hi], mf[lo:hi], vf[lo:hi], alpha, beta_1, beta_2, epsilon)


@kernel
def _adam_range(p, g, m, v, alpha, beta_1, beta_2, epsilon):
    # One loop from 0 over 1-D slices: a loop that starts at a run-time offset
    # did not vectorise.
    one_minus_b1 = np.float32(1.0 - beta_1)
    one_minus_b2 = np.float32(1.0 - beta_2)
    a, eps = np.float32(alpha), np.float32(epsilon)
    for i in range(p.shape[0]):
        gi = g[i]
        mi = m[i] + (gi - m[i]) * one_minus_b1
        vi = v[i] + (gi * gi - v[i]) * one_minus_b2
        m[i] = mi
        v[i] = vi
        p[i] -= a * mi / (np.sqrt(vi) + eps)


def sgd_update_numpy(p, g, u, lr, momentum, nesterov):
    """``u`` (the velocity) is ignored when momentum is 0."""
    if momentum == 0:
        p -= lr * g
        return
    u *= momentum
    u -= lr * g
    if nesterov:
        p += momentum * u - lr * g
    else:
        p += u


@kernel
def sgd_update_numba(p, g, u, lr, momentum, nesterov):
    """Optimisations: one fused pass over p, g and u."""
    pf, gf, uf = p.reshape(-1), g.reshape(-1), u.reshape(-1)
    lr32, mu = np.float32(lr), np.float32(momentum)
    for i in range(pf.shape[0]):
        step = -lr32 * gf[i]
        if momentum != 0:
            ui = mu * uf[i] + step
            uf[i] = ui
            step = mu * ui + step if nesterov else ui
        pf[i] += step
