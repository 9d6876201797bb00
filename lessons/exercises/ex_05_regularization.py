"""Exercises of lesson 5 (Dropout, width, early stopping).
Write each function; check with: python3 -m pytest lessons/exercises/test_05_regularization.py"""


def inverted_dropout(x, rate, rng):
    """Exercise 1. Dropout while training: each entry of x is kept with probability
    1 - rate and then divided by 1 - rate, else set to 0, so that the mean stays.
    rng: a numpy Generator (rng.random(shape) draws uniforms in [0, 1)).
    Returns (y, mask), with y = x * mask and mask holding 0 or 1 / (1 - rate)."""
    raise NotImplementedError("exercise 1: inverted_dropout")


def early_stopping(val_loss, patience):
    """Exercise 2. What EarlyStopping(monitor='val_loss', patience=patience) does with
    these validation losses (one per epoch): after each epoch, an improvement (a value
    below the best so far) resets the wait; otherwise the wait grows by 1, and when it
    reaches ``patience`` training stops after that epoch.
    Returns (stopped, best): the epoch after which training stopped, or None if it ran
    to the end, and the epoch of the best loss - both counted from 1."""
    raise NotImplementedError("exercise 2: early_stopping")


def held_out_split(x, y, n_val):
    """Exercise 3. Keep the last n_val samples for validation:
    returns (x_fit, y_fit, x_val, y_val). Raise ValueError unless 1 <= n_val < len(x)."""
    raise NotImplementedError("exercise 3: held_out_split")
