"""RMSprop and Adagrad updates, in place: each parameter's step is scaled by a
running measure of its own past gradients. Same conventions as ``optim.py``:
float32 in Keras 3's order, no fast-math (the twins give the same bits), and
slots and gradients floored so that no arithmetic meets a subnormal
(``optim.py`` says why and how).

RMSprop, as Keras 3 (rho, momentum mu, epsilon):
    s <- rho * s + (1 - rho) * g*g                 (mean square of the gradient)
    centered:  a <- rho * a + (1 - rho) * g        (mean gradient)
               d  = s - a*a + epsilon              (a variance instead of a mean square)
    else:      d  = s + epsilon                    (epsilon *inside* the root, unlike Adam)
    step = lr * g / sqrt(d)
    mu > 0:    u <- mu * u + step;   p <- p - u
    else:      p <- p - step

Adagrad, as Keras 3 (the accumulator starts at ``initial_accumulator_value``):
    acc <- acc + g*g                               (the sum of all squared gradients)
    p   <- p - lr * g / sqrt(acc + epsilon)
All arrays have the shape of the parameter; any shape works (they are walked flat).
"""
import numpy as np
from numba import prange

from ._jit import exact_kernel, parallel_kernel, split
from .optim import PARALLEL_MIN_SIZE, flush, flush_numpy, small_to_zero, small_to_zero_numpy


def rmsprop_update_numpy(p, g, s, u, a, lr, rho, momentum, epsilon, centered):
    """s: mean square; u: momentum (ignored when momentum is 0); a: mean gradient
    (ignored unless centered). An ignored slot may be any array of p's shape."""
    f32 = np.float32
    g = small_to_zero_numpy(g)
    r, one_minus_r = f32(rho), f32(1 - rho)
    s[...] = r * s + one_minus_r * (g * g)
    flush_numpy(s)
    if centered:
        a[...] = r * a + one_minus_r * g
        flush_numpy(a)
        denominator = s - a * a + f32(epsilon)
    else:
        denominator = s + f32(epsilon)
    step = f32(lr) * g / np.sqrt(denominator)
    if momentum > 0:
        u[...] = f32(momentum) * u + step
        flush_numpy(u)
        p -= u
    else:
        p -= step


@parallel_kernel
def rmsprop_update_numba(p, g, s, u, a, lr, rho, momentum, epsilon, centered):
    """Optimisations: one pass reads and writes each array once (NumPy makes a
    pass, and most often a temporary, per operation); the two switches are fixed
    for the whole loop, so the compiler takes them out of it and the loop still
    vectorises; big parameters are cut into 8 pieces shared among the threads."""
    if p.size != g.size or s.size != p.size or (momentum != 0 and u.size != p.size) or (centered and a.size != p.size):
        raise ValueError("rmsprop_update: p, g, s (and u with momentum, a when centered) must have the same size")
    pf, gf, sf, uf, af = p.reshape(-1), g.reshape(-1), s.reshape(-1), u.reshape(-1), a.reshape(-1)
    n = pf.shape[0]
    if n < PARALLEL_MIN_SIZE:
        _rmsprop_range(pf, gf, sf, uf, af, lr, rho, momentum, epsilon, centered)
        return
    for t in prange(8):
        lo, hi = split(t, 8, n, 16)
        _rmsprop_range(pf[lo:hi], gf[lo:hi], sf[lo:hi], uf[lo:hi], af[lo:hi], lr, rho, momentum, epsilon, centered)


@exact_kernel
def _rmsprop_range(p, g, s, u, a, lr, rho, momentum, epsilon, centered):
    r, one_minus_r = np.float32(rho), np.float32(1.0 - rho)
    lr32, mu, eps = np.float32(lr), np.float32(momentum), np.float32(epsilon)
    for i in range(p.shape[0]):
        gi = small_to_zero(g[i])
        si = flush(r * s[i] + one_minus_r * (gi * gi))
        s[i] = si
        if centered:
            ai = flush(r * a[i] + one_minus_r * gi)
            a[i] = ai
            denominator = si - ai * ai + eps
        else:
            denominator = si + eps
        step = lr32 * gi / np.sqrt(denominator)
        if momentum > 0:
            ui = flush(mu * u[i] + step)
            u[i] = ui
            p[i] -= ui
        else:
            p[i] -= step


def adagrad_update_numpy(p, g, acc, lr, epsilon):
    g = small_to_zero_numpy(g)
    acc += g * g
    flush_numpy(acc)  # acc only grows: only a start below the floor can be flushed
    p -= np.float32(lr) * g / np.sqrt(acc + np.float32(epsilon))


@parallel_kernel
def adagrad_update_numba(p, g, acc, lr, epsilon):
    """Optimisations: one pass (NumPy makes one, and most often a temporary, per
    operation); big parameters are cut into 8 pieces shared among the threads."""
    if not p.size == g.size == acc.size:
        raise ValueError("adagrad_update: p, g and acc must have the same size")
    pf, gf, cf = p.reshape(-1), g.reshape(-1), acc.reshape(-1)
    n = pf.shape[0]
    if n < PARALLEL_MIN_SIZE:
        _adagrad_range(pf, gf, cf, lr, epsilon)
        return
    for t in prange(8):
        lo, hi = split(t, 8, n, 16)
        _adagrad_range(pf[lo:hi], gf[lo:hi], cf[lo:hi], lr, epsilon)


@exact_kernel
def _adagrad_range(p, g, acc, lr, epsilon):
    lr32, eps = np.float32(lr), np.float32(epsilon)
    for i in range(p.shape[0]):
        gi = small_to_zero(g[i])
        ci = flush(acc[i] + gi * gi)
        acc[i] = ci
        p[i] -= lr32 * gi / np.sqrt(ci + eps)
