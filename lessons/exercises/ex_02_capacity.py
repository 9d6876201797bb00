"""Exercises of lesson 2 (under-fitting, a balanced model, over-fitting).
Write each function; check with: python3 -m pytest lessons/exercises/test_02_capacity.py"""


def count_dense_parameters(sizes):
    """Exercise 1. The number of weights of a stack of Dense layers.

    sizes: the widths from input to output, e.g. [784, 128, 10] for the balanced
    model. A Dense layer from n_in to n_out units has n_in * n_out + n_out weights
    (its kernel and its bias). Return the total as an int.
    """
    raise NotImplementedError("exercise 1: count_dense_parameters")


def verdict(gap):
    """Exercise 2. The seed notebook's word for a generalisation gap.

    'EXCELLENT' below 0.05, 'GOOD' below 0.1, 'MODERATE' below 0.2, 'HIGH' otherwise.
    """
    raise NotImplementedError("exercise 2: verdict")


def overfitting_epoch(val_loss, factor=1.2):
    """Exercise 3. Where over-fitting shows in the validation loss.

    val_loss: one value per epoch. Return the first epoch (counted from 1) after
    the epoch of the lowest value at which the loss is above ``factor`` times that
    lowest value, or None if there is none.
    """
    raise NotImplementedError("exercise 3: overfitting_epoch")
