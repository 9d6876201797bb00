"""Softmax followed by cross-entropy, fused, forward and backward.

For one row of logits z (c,) with true class y:
    p_j   = exp(z_j - m) / s,  where m = max(z) and s = sum_j exp(z_j - m)
    loss  = -log p_y = log(s) - (z_y - m)        (finite for any finite z)
    dL/dz = p - onehot(y)

Over a batch of n rows the loss is the mean, so the gradient is divided by n.
Shapes: logits (n, c), labels (n,) integers -> losses (n,), dlogits (n, c).
Subtracting the row maximum first keeps exp() from overflowing at z = 1e4.
"""
import numpy as np

from ._jit import exact_kernel


def softmax_crossentropy_numpy(logits, labels):
    """Returns (per-row losses (n,), gradient of the mean loss wrt logits (n, c))."""
    n = logits.shape[0]
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_s = np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    log_p = shifted - log_s
    rows = np.arange(n)
    losses = -log_p[rows, labels]
    dlogits = np.exp(log_p)
    dlogits[rows, labels] -= 1
    return losses, dlogits / n


@exact_kernel
def softmax_crossentropy_numba(logits, labels):
    """Optimisations: one pass per row for the max, one for exp and the sum, one
    to write the gradient; nothing is allocated but the two outputs."""
    n, c = logits.shape
    losses = np.empty(n, dtype=np.float32)
    dlogits = np.empty((n, c), dtype=np.float32)
    inv_n = np.float32(1.0 / n)
    for r in range(n):
        z = logits[r]
        m = z[0]
        for j in range(1, c):
            m = max(m, z[j])
        s = np.float32(0.0)
        for j in range(c):
            e = np.exp(z[j] - m)
            dlogits[r, j] = e
            s += e
        y = labels[r]
        losses[r] = np.log(s) - (z[y] - m)  # z_y - m first: exact, so small losses stay accurate
        scale = inv_n / s
        for j in range(c):
            dlogits[r, j] *= scale
        dlogits[r, y] -= inv_n
    return losses, dlogits


def softmax_crossentropy_onehot_numpy(logits, targets):
    """The same with a target distribution t (n, c), e.g. one-hot rows:
    loss = -sum_j t_j log p_j,  dL/dz = p * sum_j t_j - t   (then / n)."""
    n = logits.shape[0]
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    losses = -(targets * log_p).sum(axis=1)
    dlogits = np.exp(log_p) * targets.sum(axis=1, keepdims=True) - targets
    return losses, dlogits / n


@exact_kernel
def softmax_crossentropy_onehot_numba(logits, targets):
    """Optimisations: as ``softmax_crossentropy_numba``, three passes per row."""
    n, c = logits.shape
    losses = np.empty(n, dtype=np.float32)
    dlogits = np.empty((n, c), dtype=np.float32)
    inv_n = np.float32(1.0 / n)
    for r in range(n):
        z, t = logits[r], targets[r]
        m = z[0]
        for j in range(1, c):
            m = max(m, z[j])
        s = np.float32(0.0)
        for j in range(c):
            e = np.exp(z[j] - m)
            dlogits[r, j] = e
            s += e
        log_s = np.log(s)
        loss = np.float32(0.0)
        t_sum = np.float32(0.0)
        for j in range(c):
            loss -= t[j] * ((z[j] - m) - log_s)
            t_sum += t[j]
        losses[r] = loss
        for j in range(c):
            dlogits[r, j] = (dlogits[r, j] / s * t_sum - t[j]) * inv_n
    return losses, dlogits
