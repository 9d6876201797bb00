"""Worked solutions of lesson 7's exercises."""
import numpy as np


def update_ratio(before, after):
    return float(np.linalg.norm(after - before) / np.linalg.norm(before))


def adam_first_update(g, lr, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    g = np.asarray(g, np.float32)
    m = np.float32(1 - beta_1) * g
    v = np.float32(1 - beta_2) * g * g
    alpha = np.float32(lr * np.sqrt(1 - beta_2) / (1 - beta_1))
    return -alpha * m / (np.sqrt(v) + np.float32(epsilon))  # about -lr * sign(g) where |g| >> epsilon


def silent_units(outputs):
    return np.flatnonzero((outputs == 0).all(axis=0)).tolist()
