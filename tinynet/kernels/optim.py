"""Optimizer updates, in place, one pass over each parameter: SGD, Adam (and its
AMSGrad variant) and the weight decay that any optimizer may add. RMSprop and
Adagrad are in ``optim_adaptive.py``.

Every line below is one float32 operation, in the order Keras 3 writes it, and
the Numba kernels are compiled without fast-math (``exact_kernel``): no fused
multiply-add, no reordering, so each kernel gives the same bits as its NumPy
twin. (Fast-math would fuse a few multiply-adds; with no long sum to reorder,
it has little to win in an elementwise update.)

Adam, as Keras 3 computes it at step t (t = 1, 2, ...):
    m     <- m + (g - m) * (1 - beta_1)
    v     <- v + (g*g - v) * (1 - beta_2)
    alpha  = lr * sqrt(1 - beta_2**t) / (1 - beta_1**t)    (bias correction, in the step size)
    p     <- p - alpha * m / (sqrt(v) + epsilon)             (epsilon outside the root)
AMSGrad keeps v_hat, the largest v seen, and divides by it instead of v:
    v_hat <- max(v_hat, v);   p <- p - alpha * m / (sqrt(v_hat) + epsilon)
``alpha`` is computed once per step (``adam_step_size``), in float32 as Keras
does, and passed to the update of every parameter.

SGD with momentum mu, as Keras 3:
    mu == 0:   p <- p - lr * g
    else:      u <- mu * u - lr * g;   p <- p + u               (classic)
                                       p <- p + mu * u - lr * g (nesterov)

Weight decay wd (any optimizer, when given ``weight_decay``), before its update
and with the same learning rate:
    p <- p - p * wd * lr
All arrays have the shape of the parameter; any shape works (they are walked flat).

No arithmetic on subnormals. A float32 smaller in magnitude than ``TINY`` =
2**-126 (about 1.2e-38, the smallest normal float32) is *subnormal*: it has
fewer significant bits, and many x86 CPUs compute with it - as an operand or as
a result - through a microcode assist that costs many times an ordinary multiply
or add (Intel's far more than AMD's). Training makes such numbers: once a
weight's gradient is 0 (a dead ReLU, an always-blank pixel), m shrinks by
beta_1 and v by beta_2 every step. Storing slots below TINY as 0 is not enough:
v spends thousands of steps (0.999 a step) between 2**-126 and 2**-100, and
every one of them makes (g*g - v) * (1 - beta_2) subnormal on the way. So the
updates keep every intermediate normal with two floors, both far below anything
a float32 weight of ordinary size can feel:

    SLOT_FLOOR = 2**-100 (~7.9e-31)  a slot value below it is stored as 0
                                     (``flush``): a slot times (1 - beta) or
                                     times a step size >= 2**-26 (~1.5e-8)
                                     then stays normal (a schedule that decays
                                     the rate below that can make subnormals
                                     again, in the update only)
    GRAD_FLOOR = 2**-50 (~8.9e-16)   a gradient entry below it is used as 0
                                     (``small_to_zero``): g*g * (1 - beta_2)
                                     then stays normal (the array is not changed)

What they take from a step: with Adam, at most alpha * GRAD_FLOOR / epsilon
(~1e-11 at the defaults), under the rounding of a weight of 0.01 (~1e-9).
The CPU's own flush-to-zero switches (FTZ/DAZ on x86, which TensorFlow sets)
would do this for all arithmetic, but they are per-thread processor state,
differ between CPUs and change other code's results; explicit comparisons give
the same bits on every CPU, in both twins. NaN is kept (it fails the
comparisons), so a diverging run still shows.
"""
import numpy as np
from numba import prange

from ._jit import exact_kernel, parallel_kernel, split

# Parameters with more elements than this are updated by several threads.
PARALLEL_MIN_SIZE = 65_536

TINY = np.float32(np.finfo(np.float32).tiny)  # the smallest normal float32, 2**-126
SLOT_FLOOR = np.float32(2.0 ** -100)
GRAD_FLOOR = np.float32(2.0 ** -50)


def flush_numpy(a):
    """Write 0 over the entries of slot ``a`` below SLOT_FLOOR in magnitude, in place."""
    a[np.abs(a) < SLOT_FLOOR] = 0


@exact_kernel
def flush(x):
    """x, or 0 if |x| < SLOT_FLOOR: the scalar twin of ``flush_numpy``."""
    return np.float32(0) if abs(x) < SLOT_FLOOR else x


def small_to_zero_numpy(g):
    """A copy of gradient ``g`` with the entries below GRAD_FLOOR in magnitude set to 0."""
    return np.where(np.abs(g) < GRAD_FLOOR, np.float32(0), g)


@exact_kernel
def small_to_zero(x):
    """x, or 0 if |x| < GRAD_FLOOR: the scalar twin of ``small_to_zero_numpy``."""
    return np.float32(0) if abs(x) < GRAD_FLOOR else x


def adam_step_size_numpy(learning_rate, beta_1, beta_2, t):
    """alpha_t = lr * sqrt(1 - beta_2**t) / (1 - beta_1**t), every operation in float32."""
    f32, one = np.float32, np.float32(1)
    t = f32(t)
    return f32(learning_rate) * np.sqrt(one - f32(beta_2) ** t) / (one - f32(beta_1) ** t)


@exact_kernel
def adam_step_size_numba(learning_rate, beta_1, beta_2, t):
    """The same float32 operations in the same order (no fastmath: the bits must
    match NumPy's, and so Keras'). Why a kernel for five scalar operations: each
    NumPy scalar operation goes through Python's interpreter, and five of them
    cost several times what the compiled function does, once per step."""
    f32, one = np.float32, np.float32(1)
    t = f32(t)
    return f32(learning_rate) * np.sqrt(one - f32(beta_2) ** t) / (one - f32(beta_1) ** t)


def adam_update_numpy(p, g, m, v, alpha, beta_1, beta_2, epsilon):
    f32 = np.float32
    g = small_to_zero_numpy(g)
    m += (g - m) * f32(1 - beta_1)
    flush_numpy(m)
    v += (g * g - v) * f32(1 - beta_2)
    flush_numpy(v)
    p -= f32(alpha) * m / (np.sqrt(v) + f32(epsilon))


@parallel_kernel
def adam_update_numba(p, g, m, v, alpha, beta_1, beta_2, epsilon):
    """Optimisations: m, v and p are read and written once each (NumPy makes a
    pass over memory, and most often a temporary array, per operation);
    ``error_model='numpy'`` lets the division vectorise; big parameters are cut
    into 8 pieces shared among the threads."""
    if not p.size == g.size == m.size == v.size:
        raise ValueError("adam_update: p, g, m and v must have the same size")
    pf, gf, mf, vf = p.reshape(-1), g.reshape(-1), m.reshape(-1), v.reshape(-1)
    n = pf.shape[0]
    if n < PARALLEL_MIN_SIZE:  # starting even an idle parallel region costs more than this work
        _adam_range(pf, gf, mf, vf, alpha, beta_1, beta_2, epsilon)
        return
    for t in prange(8):
        lo, hi = split(t, 8, n, 16)
        _adam_range(pf[lo:hi], gf[lo:hi], mf[lo:hi], vf[lo:hi], alpha, beta_1, beta_2, epsilon)


@exact_kernel
def _adam_range(p, g, m, v, alpha, beta_1, beta_2, epsilon):
    # One loop from 0 over 1-D slices: a loop that starts at a run-time offset
    # did not vectorise.
    one_minus_b1 = np.float32(1.0 - beta_1)
    one_minus_b2 = np.float32(1.0 - beta_2)
    a, eps = np.float32(alpha), np.float32(epsilon)
    for i in range(p.shape[0]):
        gi = small_to_zero(g[i])
        mi = flush(m[i] + (gi - m[i]) * one_minus_b1)
        vi = flush(v[i] + (gi * gi - v[i]) * one_minus_b2)
        m[i] = mi
        v[i] = vi
        p[i] -= a * mi / (np.sqrt(vi) + eps)


def adam_amsgrad_update_numpy(p, g, m, v, v_hat, alpha, beta_1, beta_2, epsilon):
    f32 = np.float32
    g = small_to_zero_numpy(g)
    m += (g - m) * f32(1 - beta_1)
    flush_numpy(m)
    v += (g * g - v) * f32(1 - beta_2)
    flush_numpy(v)
    np.maximum(v_hat, v, out=v_hat)  # both already flushed
    p -= f32(alpha) * m / (np.sqrt(v_hat) + f32(epsilon))


@parallel_kernel
def adam_amsgrad_update_numba(p, g, m, v, v_hat, alpha, beta_1, beta_2, epsilon):
    """Optimisations: as ``adam_update_numba``, with v_hat in the same pass."""
    if not p.size == g.size == m.size == v.size == v_hat.size:
        raise ValueError("adam_amsgrad_update: p, g, m, v and v_hat must have the same size")
    pf, gf, mf, vf, hf = p.reshape(-1), g.reshape(-1), m.reshape(-1), v.reshape(-1), v_hat.reshape(-1)
    n = pf.shape[0]
    if n < PARALLEL_MIN_SIZE:
        _amsgrad_range(pf, gf, mf, vf, hf, alpha, beta_1, beta_2, epsilon)
        return
    for t in prange(8):
        lo, hi = split(t, 8, n, 16)
        _amsgrad_range(pf[lo:hi], gf[lo:hi], mf[lo:hi], vf[lo:hi], hf[lo:hi], alpha, beta_1, beta_2, epsilon)


@exact_kernel
def _amsgrad_range(p, g, m, v, v_hat, alpha, beta_1, beta_2, epsilon):
    one_minus_b1 = np.float32(1.0 - beta_1)
    one_minus_b2 = np.float32(1.0 - beta_2)
    a, eps = np.float32(alpha), np.float32(epsilon)
    for i in range(p.shape[0]):
        gi = small_to_zero(g[i])
        mi = flush(m[i] + (gi - m[i]) * one_minus_b1)
        vi = flush(v[i] + (gi * gi - v[i]) * one_minus_b2)
        hi = np.maximum(v_hat[i], vi)  # NaN wins, as in NumPy
        m[i] = mi
        v[i] = vi
        v_hat[i] = hi
        p[i] -= a * mi / (np.sqrt(hi) + eps)


def sgd_update_numpy(p, g, u, lr, momentum, nesterov):
    """``u`` (the velocity) is ignored when momentum is 0."""
    lr, mu = np.float32(lr), np.float32(momentum)
    g = small_to_zero_numpy(g)
    if momentum == 0:
        p -= lr * g
        return
    u *= mu
    u -= lr * g
    flush_numpy(u)
    if nesterov:
        p += mu * u - lr * g
    else:
        p += u


@exact_kernel
def sgd_update_numba(p, g, u, lr, momentum, nesterov):
    """Optimisations: one fused pass over p, g and u."""
    if p.size != g.size or (momentum != 0 and u.size != p.size):
        raise ValueError("sgd_update: p, g (and u, with momentum) must have the same size")
    pf, gf, uf = p.reshape(-1), g.reshape(-1), u.reshape(-1)
    lr32, mu = np.float32(lr), np.float32(momentum)
    for i in range(pf.shape[0]):
        step = lr32 * small_to_zero(gf[i])
        if momentum == 0:
            pf[i] -= step
        else:
            ui = flush(mu * uf[i] - step)
            uf[i] = ui
            pf[i] += mu * ui - step if nesterov else ui


def weight_decay_numpy(p, weight_decay, lr):
    """p <- p - p * wd * lr, as Keras' base optimizer does before every update."""
    p -= p * np.float32(weight_decay) * np.float32(lr)


@exact_kernel
def weight_decay_numba(p, weight_decay, lr):
    """Optimisations: one pass, no temporary (NumPy makes two)."""
    pf = p.reshape(-1)
    wd, lr32 = np.float32(weight_decay), np.float32(lr)
    for i in range(pf.shape[0]):
        pf[i] -= pf[i] * wd * lr32
