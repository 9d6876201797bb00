"""Argument checks shared by the public API: each raises an error that names the
argument, says what was expected and shows what came, before anything changes."""
import numbers

import numpy as np


def positive_int(name, value):
    """``value`` must be an integer >= 1 (bools are not integers here)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(
            f"Argument `{name}` must be a positive integer. Received: {name}={value!r}"
        )
    return int(value)


def int_pair(name, value):
    """An int, or 2 ints (rows, columns), each >= 1, as Keras' ``kernel_size``,
    ``strides`` and ``pool_size`` take them: 3 -> (3, 3)."""
    pair = (value, value) if isinstance(value, numbers.Integral) else value
    try:
        pair = tuple(pair)
    except TypeError:
        pair = ()
    if len(pair) != 2 or any(isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < 1 for v in pair):
        raise ValueError(f"Argument `{name}` must be a positive integer or a tuple of 2 positive integers. "
                         f"Received: {name}={value!r}")
    return int(pair[0]), int(pair[1])


def non_negative_int(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise ValueError(
            f"Argument `{name}` must be a non-negative integer. Received: {name}={value!r}"
        )
    return int(value)


def fraction(name, value, low=0.0, high=1.0):
    """``value`` must be a real number in [low, high)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not low <= value < high:
        raise ValueError(
            f"Argument `{name}` must be a number in [{low}, {high}). Received: {name}={value!r}"
        )
    return float(value)


def as_batch(name, x):
    """``x`` as a float32 array with a batch axis, (n, ...), as a Keras layer takes it.

    Lists, integers, bools and float64 are converted (one copy; Keras computes in
    float32 too); a float32 array is used as it is (no copy).
    """
    try:
        arr = np.asarray(x)
    except Exception as err:  # e.g. ragged nested lists
        raise TypeError(f"Argument `{name}` must be an array of numbers. Received: {err}") from None
    if arr.dtype.kind not in "biuf":
        raise TypeError(
            f"Argument `{name}` must hold numbers (int, uint, bool or float). "
            f"Received: {name} with dtype={arr.dtype}"
        )
    if arr.ndim < 2:
        raise ValueError(
            f"Argument `{name}` must have a batch axis and at least one feature axis, "
            f"shape (n, ...). Received: {name}.shape={arr.shape}"
        )
    return arr.astype(np.float32, copy=False)


def as_float_inputs(name, x, feature_shape=None):
    """``as_batch``, and then: the shape of one sample must be ``feature_shape``
    (when given), and NaN and inf are rejected. x (n, *feature_shape)."""
    arr = as_batch(name, x)
    if feature_shape is not None and tuple(arr.shape[1:]) != tuple(feature_shape):
        raise ValueError(
            f"Argument `{name}` does not fit the model: expected shape (n, "
            f"{', '.join(map(str, feature_shape))}), Received: {name}.shape={arr.shape}"
        )
    if not all_finite(arr):
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise ValueError(
            f"Argument `{name}` contains {bad} NaN or infinite value(s); "
            f"expected finite numbers. Received: {name} with non-finite entries"
        )
    return arr


def all_finite(arr):
    """No NaN or inf in ``arr``: the backend's ``all_finite`` kernel, which makes no
    temporary as big as the data (np.isfinite(arr).all() would build a 45 MiB
    boolean array for MNIST)."""
    from .. import backend  # here, not at the top: tinynet.backend imports this module

    return bool(backend.ops.all_finite(arr))


def same_length(x_name, x, y_name, y):
    if len(x) != len(y):
        raise ValueError(
            f"Arguments `{x_name}` and `{y_name}` must have the same number of samples. "
            f"Received: len({x_name})={len(x)}, len({y_name})={len(y)}"
        )
    if len(x) == 0:
        raise ValueError(f"Argument `{x_name}` is empty; expected at least one sample. "
                         f"Received: {x_name}.shape={np.shape(x)}")
