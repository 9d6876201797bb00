"""Gradient clipping, as Keras 3's optimizers do it when given ``clipnorm``,
``global_clipnorm`` or ``clipvalue`` (at most one of them).

    clipnorm c:          g <- g * c / max(||g||, c)           each gradient array on its own
    global_clipnorm c:   g <- g * c * min(1 / N, 1 / c)       N = the norm of all gradients together
    clipvalue c:         g <- min(max(g, -c), c)              elementwise

||g|| is the Euclidean norm of the whole array (sqrt of the sum of squares).
Below the limit the first two leave g as it was (up to rounding: Keras
multiplies and divides by c even then, and so do we). Every function returns
new arrays: the layers' own gradients are left alone. In float32, as Keras.
This runs only when asked for, once per step, so it is plain NumPy (one
reduction per array) rather than a kernel pair.
"""
import numpy as np

f32 = np.float32


def clip_by_norm(g, clipnorm):
    c = f32(clipnorm)
    norm = np.sqrt(np.sum(g * g))
    return g * c / np.maximum(norm, c)


def clip_by_global_norm(grads, clipnorm):
    norm = np.sqrt(sum(np.sum(g * g) for g in grads))
    with np.errstate(divide="ignore"):  # all-zero gradients: 1 / 0 = inf, and min() takes 1 / c
        scale = f32(clipnorm) * np.minimum(f32(1) / norm, f32(1.0 / clipnorm))
    # A NaN or infinite norm makes every gradient NaN, so that the failure shows.
    scale = scale + (norm - norm)
    return [g * scale for g in grads]


def clip_by_value(g, clipvalue):
    c = f32(clipvalue)
    return np.clip(g, -c, c)
