"""Batch normalization over the last axis: each channel scaled to mean 0, variance 1,
then by gamma and beta.

x (m, c): every axis but the channels folded into m (for images, m = n * h * w).
Training uses the batch's own statistics, inference the layer's moving ones:

Moments:   mean = sum_m x / m,   variance = sum_m (x - mean)^2 / m   (biased, as Keras)
Forward:   x_hat = (x - mean) / sqrt(variance + epsilon)
           y = gamma * x_hat + beta
           computed as y = x * s + (beta - mean * s),  s = gamma / sqrt(variance + epsilon),
           TensorFlow's order of operations.
Backward:  dbeta = sum_m dy,   dgamma = sum_m dy * x_hat
           with batch statistics (the mean and variance depend on x too):
               dx = s * (dy - dbeta / m - x_hat * dgamma / m)
           with fixed (moving) statistics:
               dx = s * dy
"""
import numpy as np

from ._jit import kernel


def batchnorm_moments_numpy(x):
    """(mean (c,), variance (c,)) of x (m, c) over m; the variance divides by m."""
    mean = x.mean(axis=0)
    return mean, ((x - mean) ** 2).mean(axis=0)


@kernel
def batchnorm_moments_numba(x):
    """Optimisations: two passes over x with every channel's sum side by side; the
    sums are kept in float64, so a long batch loses no precision."""
    m, c = x.shape
    total = np.zeros(c, dtype=np.float64)
    for r in range(m):
        for j in range(c):
            total[j] += x[r, j]
    mean = total / m
    total[:] = 0
    for r in range(m):
        for j in range(c):
            d = x[r, j] - mean[j]
            total[j] += d * d
    return mean.astype(np.float32), (total / m).astype(np.float32)


def batchnorm_forward_numpy(x, mean, variance, gamma, beta, epsilon):
    """y (m, c) = gamma * (x - mean) / sqrt(variance + epsilon) + beta."""
    s = gamma / np.sqrt(variance + epsilon)
    return x * s + (beta - mean * s)


@kernel
def batchnorm_forward_numba(x, mean, variance, gamma, beta, epsilon):
    """Optimisations: s and the offset computed once per channel; then one
    multiply-add per value, along contiguous rows."""
    m, c = x.shape
    s = gamma / np.sqrt(variance + np.float32(epsilon))
    offset = beta - mean * s
    y = np.empty((m, c), dtype=np.float32)
    for r in range(m):
        for j in range(c):
            y[r, j] = x[r, j] * s[j] + offset[j]
    return y


def batchnorm_backward_numpy(x, mean, variance, gamma, dy, epsilon, batch_stats, dgamma, dbeta):
    """Fills dgamma (c,) and dbeta (c,); returns dx (m, c). ``batch_stats``: were
    mean and variance the batch's own (training) or fixed (inference)?"""
    inv_std = 1 / np.sqrt(variance + epsilon)
    x_hat = (x - mean) * inv_std
    np.sum(dy, axis=0, out=dbeta)
    np.sum(dy * x_hat, axis=0, out=dgamma)
    s = gamma * inv_std
    if not batch_stats:
        return dy * s
    m = x.shape[0]
    return s * (dy - dbeta / m - x_hat * (dgamma / m))


@kernel
def batchnorm_backward_numba(x, mean, variance, gamma, dy, epsilon, batch_stats, dgamma, dbeta):
    """Optimisations: the two sums come from one pass over x and dy (float64
    sums), dx from a second; no temporaries of x's size."""
    m, c = x.shape
    inv_std = np.float32(1.0) / np.sqrt(variance + np.float32(epsilon))
    sum_dy = np.zeros(c, dtype=np.float64)
    sum_dy_xhat = np.zeros(c, dtype=np.float64)
    for r in range(m):
        for j in range(c):
            g = dy[r, j]
            sum_dy[j] += g
            sum_dy_xhat[j] += g * ((x[r, j] - mean[j]) * inv_std[j])
    dbeta[:] = sum_dy
    dgamma[:] = sum_dy_xhat
    s = gamma * inv_std
    dx = np.empty((m, c), dtype=np.float32)
    if batch_stats:
        mean_dy = (sum_dy / m).astype(np.float32)
        mean_dy_xhat = (sum_dy_xhat / m).astype(np.float32)
        for r in range(m):
            for j in range(c):
                x_hat = (x[r, j] - mean[j]) * inv_std[j]
                dx[r, j] = s[j] * (dy[r, j] - mean_dy[j] - x_hat * mean_dy_xhat[j])
    else:
        for r in range(m):
            for j in range(c):
                dx[r, j] = s[j] * dy[r, j]
    return dx
