"""Optimizer updates, in place, one pass over each parameter.

Adam, as Keras 3 computes it at step t (t = 1, 2, ...):
    m     <- m + (g - m) * (1 - beta_1)
    v     <- v + (g*g - v) * (1 - beta_2)
    alpha  = lr * sqrt(1 - beta_2**t) / (1 - beta_1**t)    (bias correction, in the step size)
    p     <- p - alpha * m / (sqrt(v) + epsilon)             (epsilon outside the root)
``alpha`` is computed once per step by the optimizer and passed in.

SGD with momentum mu, as Keras 3:
    mu == 0:   p <- p - lr * g
    else:      u <- mu * u - lr * g;   p <- p + u               (classic)
                                       p <- p + mu * u - lr * g (nesterov)
All arrays have the shape of the parameter; any shape works (they are walked flat).
"""
import numpy as np

from ._jit import kernel


def adam_update_numpy(p, g, m, v, alpha, beta_1, beta_2, epsilon):
    m += (g - m) * (1 - beta_1)
    v += (g * g - v) * (1 - beta_2)
    p -= alpha * m / (np.sqrt(v) + epsilon)


@kernel
def adam_update_numba(p, g, m, v, alpha, beta_1, beta_2, epsilon):
    """Optimisations: m, v and p are read and written once each (NumPy makes 6
    passes and 4 temporaries); ``error_model='numpy'`` lets the division vectorise."""
    pf, gf, mf, vf = p.reshape(-1), g.reshape(-1), m.reshape(-1), v.reshape(-1)
    one_minus_b1 = np.float32(1.0 - beta_1)
    one_minus_b2 = np.float32(1.0 - beta_2)
    a, eps = np.float32(alpha), np.float32(epsilon)
    for i in range(pf.shape[0]):
        gi = gf[i]
        mi = mf[i] + (gi - mf[i]) * one_minus_b1
        vi = vf[i] + (gi * gi - vf[i]) * one_minus_b2
        mf[i] = mi
        vf[i] = vi
        pf[i] -= a * mi / (np.sqrt(vi) + eps)


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
