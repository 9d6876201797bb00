"""Exercises of lesson 7 (one training step, from the inside).
Write each function; check with: python3 -m pytest lessons/exercises/test_07_step_through.py"""


def update_ratio(before, after):
    """Exercise 1. ||after - before|| / ||before||: how far one step moved a weight
    array, against its size (norms over all entries). Returns a float."""
    raise NotImplementedError("exercise 1: update_ratio")


def adam_first_update(g, lr, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    """Exercise 2. The change Adam's first step (t = 1, m = v = 0 before it) makes to
    a weight array whose gradient is g:
        m = (1 - beta_1) g,  v = (1 - beta_2) g^2,
        alpha = lr * sqrt(1 - beta_2) / (1 - beta_1),   dw = -alpha * m / (sqrt(v) + epsilon).
    Returns dw, float32, g's shape."""
    raise NotImplementedError("exercise 2: adam_first_update")


def silent_units(outputs):
    """Exercise 3. The units (columns of outputs (n, units)) that are 0 for every
    sample of the batch: a sorted list of their indices."""
    raise NotImplementedError("exercise 3: silent_units")
