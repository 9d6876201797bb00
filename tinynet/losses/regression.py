"""Regression losses: a function of the error e = y_pred - y_true, averaged over
the last axis.

    mean_squared_error     e^2                                     de: 2 e
    mean_absolute_error    |e|                                     de: sign(e)
    huber                  e^2 / 2             if |e| <= delta     de: e
                           delta |e| - delta^2 / 2  otherwise      de: delta sign(e)

Shapes: y_true and y_pred (n, ..., c) after Keras' rank matching ((n,) meets
(n, 1) as (n, 1)); NumPy broadcasting then applies, as TensorFlow's does in
Keras. Values: the broadcast shape without its last axis. Each ``*_grad``
returns d(mean of the values)/d y_pred, with y_pred's shape (summed over any
axis along which y_pred was broadcast).

Huber is squared error near 0 and absolute error far from it, so one wild
target cannot dominate the gradient: its slope never exceeds delta.
"""
import numbers

import numpy as np

from .loss import Loss, as_predictions, as_targets, squeeze_or_expand_to_same_rank, unbroadcast


def _errors(y_true, y_pred):
    """(e = y_pred - y_true after rank matching and broadcasting, y_pred's matched shape)."""
    y_pred = as_predictions(y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(as_targets(y_true, y_pred.dtype), y_pred)
    try:
        e = y_pred - y_true
    except ValueError:
        raise ValueError(f"Arguments `y_true` and `y_pred` must have the same shape (or shapes that broadcast). "
                         f"Received: y_true.shape={y_true.shape}, y_pred.shape={y_pred.shape}") from None
    if e.ndim == 0:
        raise ValueError("Arguments `y_true` and `y_pred` must have at least one axis. Received: two numbers")
    return e, y_pred.shape


def _grad(y_pred, de, matched_shape):
    """d(mean of all values)/d y_pred from the elementwise slope ``de`` (one per error)."""
    return unbroadcast(de / de.size, matched_shape).reshape(np.shape(y_pred))


def mean_squared_error(y_true, y_pred):
    e, _ = _errors(y_true, y_pred)
    return np.mean(e * e, axis=-1)


def mean_squared_error_grad(y_true, y_pred):
    e, shape = _errors(y_true, y_pred)
    return _grad(y_pred, 2 * e, shape)


def mean_absolute_error(y_true, y_pred):
    e, _ = _errors(y_true, y_pred)
    return np.mean(np.abs(e), axis=-1)


def mean_absolute_error_grad(y_true, y_pred):
    e, shape = _errors(y_true, y_pred)
    return _grad(y_pred, np.sign(e), shape)  # 0 at e = 0, as TensorFlow's abs


def _check_delta(delta):
    if isinstance(delta, bool) or not isinstance(delta, numbers.Real) or not delta > 0:
        raise ValueError(f"Argument `delta` must be a positive number. Received: delta={delta!r}")
    return float(delta)


def huber(y_true, y_pred, delta=1.0):
    delta = _check_delta(delta)
    e, _ = _errors(y_true, y_pred)
    a = np.abs(e)
    return np.mean(np.where(a <= delta, 0.5 * e * e, delta * a - 0.5 * delta * delta), axis=-1)


def huber_grad(y_true, y_pred, delta=1.0):
    delta = _check_delta(delta)
    e, shape = _errors(y_true, y_pred)
    return _grad(y_pred, np.where(np.abs(e) <= delta, e, delta * np.sign(e)), shape)


class MeanSquaredError(Loss):
    name = "mean_squared_error"

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error"):
        super().__init__(reduction=reduction, name=name)

    def call(self, y_true, y_pred):
        return mean_squared_error(y_true, y_pred)

    def _grad(self, y_true, y_pred):
        return mean_squared_error_grad(y_true, y_pred)


class MeanAbsoluteError(Loss):
    name = "mean_absolute_error"

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_error"):
        super().__init__(reduction=reduction, name=name)

    def call(self, y_true, y_pred):
        return mean_absolute_error(y_true, y_pred)

    def _grad(self, y_true, y_pred):
        return mean_absolute_error_grad(y_true, y_pred)


class Huber(Loss):
    name = "huber_loss"

    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name="huber_loss"):
        super().__init__(reduction=reduction, name=name)
        self.delta = _check_delta(delta)

    def call(self, y_true, y_pred):
        return huber(y_true, y_pred, self.delta)

    def _grad(self, y_true, y_pred):
        return huber_grad(y_true, y_pred, self.delta)

    def get_config(self):
        # Keras' Huber leaves delta out of its config (so its own reload forgets it);
        # tinynet keeps it, since load_model rebuilds the loss from this config.
        return {**super().get_config(), "delta": self.delta}
