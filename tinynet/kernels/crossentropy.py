"""Softmax, and softmax or sigmoid followed by cross-entropy, fused, forward and backward.

For one row of logits z (c,) with true class y:
    p_j   = exp(z_j - m) / s,  where m = max(z) and s = sum_j exp(z_j - m)
    loss  = -log p_y = log(s) - (z_y - m)        (finite for any finite z)
    dL/dz = p - onehot(y)

Over a batch of n rows the loss is the mean, so the gradient is divided by n.
Shapes: logits (n, c), labels (n,) integers -> losses (n,), dlogits (n, c).
Subtracting the row maximum first keeps exp() from overflowing at z = 1e4.
The sum s is accumulated in float64 and the results rounded once to the input's
dtype: summed in float32, each of the c terms could round away up to half an
ulp of s, and for a confident prediction (s close to 1, loss close to 0) that
would be most of the loss.

Sigmoid + binary cross-entropy, for logits z (n, c) and targets t (n, c) in [0, 1]
(each of the c outputs is its own yes/no question):
    loss_ij = max(z, 0) - z t + log(1 + exp(-|z|))    (= -t log s - (1-t) log(1-s), s = sigmoid(z))
    loss_i  = mean_j loss_ij,      dL/dz_ij = (s_ij - t_ij) / (n c)
No exp() here ever sees a positive argument, so it is finite for any finite z.

Every kernel first checks that the shapes fit together (and the labels lie in
[0, c)), raising ValueError: without the check a wrong label or a short target
array would make the loops read past an array's end, in silence.
"""
import numpy as np

from ._jit import exact_kernel


def softmax_numpy(z):
    """p = exp(z - max) / sum(exp(z - max)) per row.   z (n, c) -> p (n, c)."""
    if z.shape[1] == 0 and z.shape[0] > 0:
        raise ValueError("softmax: z must have at least one column, shape (n, c) with c >= 1")
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


@exact_kernel
def softmax_numba(z):
    """Optimisations: per row one pass for the max, one for exp and the sum, one
    to scale; no temporaries. Any float dtype (the output has z's dtype)."""
    n, c = z.shape
    if c == 0 and n > 0:
        raise ValueError("softmax: z must have at least one column, shape (n, c) with c >= 1")
    p = np.empty_like(z)
    for r in range(n):
        m = z[r, 0]
        for j in range(1, c):
            m = max(m, z[r, j])
        s = z[r, 0] * 0  # a zero of z's dtype
        for j in range(c):
            e = np.exp(z[r, j] - m)
            p[r, j] = e
            s += e
        for j in range(c):
            p[r, j] /= s
    return p


def softmax_crossentropy_numpy(logits, labels):
    """Returns (per-row losses (n,), gradient of the mean loss wrt logits (n, c))."""
    n, c = logits.shape
    if labels.shape[0] != n:
        raise ValueError("softmax_crossentropy: labels (n,) must have one entry per row of logits (n, c)")
    if c == 0 and n > 0:
        raise ValueError("softmax_crossentropy: logits must have at least one column")
    if n and (labels.min() < 0 or labels.max() >= c):
        raise ValueError("softmax_crossentropy: every label must lie in [0, c)")
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_s = np.log(np.exp(shifted).sum(axis=1, keepdims=True, dtype=np.float64))
    log_p = shifted - log_s
    rows = np.arange(n)
    losses = -log_p[rows, labels]
    dlogits = np.exp(log_p)
    dlogits[rows, labels] -= 1
    return losses.astype(logits.dtype), (dlogits / n).astype(logits.dtype)


@exact_kernel
def _shifted_exp(z, e):
    """For one row z (c,): m = max(z), e_j = exp(z_j - m) written into ``e``, and
    s = sum_j e_j summed in float64 (see the module docstring). Returns (m, s)."""
    m = z[0]
    for j in range(1, z.shape[0]):
        m = max(m, z[j])
    s = np.float64(0.0)  # not 0.0: as plain Python (NUMBA_DISABLE_JIT=1), 0.0 + a float32 is a float32
    for j in range(z.shape[0]):
        e[j] = np.exp(z[j] - m)
        s += e[j]
    return m, s


@exact_kernel
def softmax_crossentropy_numba(logits, labels):
    """Optimisations: one pass per row for the max, one for exp and the sum, one
    to write the gradient; nothing is allocated but the two outputs."""
    n, c = logits.shape
    if labels.shape[0] != n:
        raise ValueError("softmax_crossentropy: labels (n,) must have one entry per row of logits (n, c)")
    if c == 0 and n > 0:
        raise ValueError("softmax_crossentropy: logits must have at least one column")
    losses = np.empty(n, dtype=np.float32)
    dlogits = np.empty((n, c), dtype=np.float32)
    inv_n = np.float32(1.0 / n)
    for r in range(n):
        y = labels[r]
        if y < 0 or y >= c:
            raise ValueError("softmax_crossentropy: every label must lie in [0, c)")
        z = logits[r]
        m, s = _shifted_exp(z, dlogits[r])
        losses[r] = np.log(s) - (z[y] - m)  # z_y - m first: exact, so small losses stay accurate
        scale = inv_n / s
        for j in range(c):
            dlogits[r, j] = dlogits[r, j] * scale
        dlogits[r, y] -= inv_n
    return losses, dlogits


def softmax_crossentropy_onehot_numpy(logits, targets):
    """The same with a target distribution t (n, c), e.g. one-hot rows:
    loss = -sum_j t_j log p_j,  dL/dz = p * sum_j t_j - t   (then / n)."""
    n, c = logits.shape
    if targets.shape != logits.shape:
        raise ValueError("softmax_crossentropy_onehot: targets must have the shape of logits, (n, c)")
    if c == 0 and n > 0:
        raise ValueError("softmax_crossentropy_onehot: logits must have at least one column")
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True, dtype=np.float64))
    losses = -(targets * log_p).sum(axis=1)
    dlogits = np.exp(log_p) * targets.sum(axis=1, keepdims=True) - targets
    return losses.astype(logits.dtype), (dlogits / n).astype(logits.dtype)


@exact_kernel
def softmax_crossentropy_onehot_numba(logits, targets):
    """Optimisations: as ``softmax_crossentropy_numba``, three passes per row."""
    n, c = logits.shape
    if targets.shape[0] != n or targets.shape[1] != c:
        raise ValueError("softmax_crossentropy_onehot: targets must have the shape of logits, (n, c)")
    if c == 0 and n > 0:
        raise ValueError("softmax_crossentropy_onehot: logits must have at least one column")
    losses = np.empty(n, dtype=np.float32)
    dlogits = np.empty((n, c), dtype=np.float32)
    inv_n = np.float32(1.0 / n)
    for r in range(n):
        z, t = logits[r], targets[r]
        m, s = _shifted_exp(z, dlogits[r])
        log_s = np.log(s)
        loss = np.float64(0.0)  # float64 as plain Python too (see _shifted_exp)
        t_sum = np.float64(0.0)
        for j in range(c):
            loss -= t[j] * ((z[j] - m) - log_s)
            t_sum += t[j]
        losses[r] = loss
        for j in range(c):
            dlogits[r, j] = (dlogits[r, j] / s * t_sum - t[j]) * inv_n
    return losses, dlogits


def sigmoid_crossentropy_numpy(logits, targets):
    """Binary cross-entropy of sigmoid(logits) against targets, fused (see the
    module docstring). logits (n, c), targets (n, c) floats -> (per-row losses (n,),
    gradient of the mean loss wrt logits (n, c)). Worked in float64, returned in
    the logits' dtype."""
    n, c = logits.shape
    if targets.shape != logits.shape:
        raise ValueError("sigmoid_crossentropy: targets must have the shape of logits, (n, c)")
    z, t = logits.astype(np.float64), targets.astype(np.float64)
    e = np.exp(-np.abs(z))  # in (0, 1]: never overflows
    losses = (np.maximum(z, 0) - z * t + np.log1p(e)).mean(axis=1)
    s = np.where(z >= 0, 1 / (1 + e), e / (1 + e))  # sigmoid(z) without exp of a large number
    return losses.astype(logits.dtype), ((s - t) / (n * c)).astype(logits.dtype)


@exact_kernel
def sigmoid_crossentropy_numba(logits, targets):
    """Optimisations: one pass over each row for the loss and the gradient
    together (exp(-|z|) serves both); each element worked in float64, as the
    NumPy twin, so the two round alike; nothing is allocated but the outputs."""
    n, c = logits.shape
    if targets.shape[0] != n or targets.shape[1] != c:
        raise ValueError("sigmoid_crossentropy: targets must have the shape of logits, (n, c)")
    losses = np.empty(n, dtype=np.float32)
    dlogits = np.empty((n, c), dtype=np.float32)
    scale = 1.0 / (n * c) if n * c > 0 else 0.0
    for r in range(n):
        total = np.float64(0.0)
        for j in range(c):
            z = np.float64(logits[r, j])
            t = np.float64(targets[r, j])
            e = np.exp(-abs(z))
            total += max(z, 0.0) - z * t + np.log1p(e)
            s = 1.0 / (1.0 + e) if z >= 0 else e / (1.0 + e)
            dlogits[r, j] = (s - t) * scale
        losses[r] = total / c
    return losses, dlogits
