"""Worked solutions of lesson 5's exercises."""
import numpy as np


def inverted_dropout(x, rate, rng):
    keep = rng.random(x.shape) >= rate  # True with probability 1 - rate
    mask = keep / (1 - rate)  # the kept entries are scaled up, so the mean is unchanged
    return x * mask, mask


def early_stopping(val_loss, patience):
    best, best_epoch, wait = np.inf, 0, 0
    for epoch, loss in enumerate(val_loss, start=1):
        if loss < best:
            best, best_epoch, wait = loss, epoch, 0
        else:
            wait += 1
            if wait >= patience:
                return epoch, best_epoch
    return None, best_epoch


def held_out_split(x, y, n_val):
    if not 1 <= n_val < len(x):
        raise ValueError(f"n_val must be at least 1 and below {len(x)}. Received: n_val={n_val}")
    return x[:-n_val], y[:-n_val], x[-n_val:], y[-n_val:]
