"""Worked solutions of lesson 2's exercises."""
import numpy as np


def count_dense_parameters(sizes):
    # Each consecutive pair of widths is one Dense layer: a kernel n_in x n_out and a bias n_out.
    return sum(n_in * n_out + n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))


def verdict(gap):
    # The thresholds are checked from the smallest up, as the notebook's if/elif chain does.
    for limit, word in ((0.05, "EXCELLENT"), (0.1, "GOOD"), (0.2, "MODERATE")):
        if gap < limit:
            return word
    return "HIGH"


def overfitting_epoch(val_loss, factor=1.2):
    val_loss = np.asarray(val_loss, dtype=float)
    best = int(val_loss.argmin())  # the first epoch of the lowest value, counted from 0
    above = np.flatnonzero(val_loss[best + 1:] > factor * val_loss[best])
    return None if len(above) == 0 else best + 1 + int(above[0]) + 1  # back to counting from 1
