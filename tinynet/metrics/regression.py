"""Regression metrics: running means of the error e = y_pred - y_true.

    MeanSquaredError       mean of e^2                  (the loss function mean_squared_error)
    MeanAbsoluteError      mean of |e|                  (the loss function mean_absolute_error)
    RootMeanSquaredError   sqrt(mean of e^2)            (the root of the running mean, not a mean of roots)

Shapes as for the losses: (n, ..., c), with (n,) matched to (n, 1).
"""
import math

import numpy as np

from ..losses.loss import as_predictions, as_targets, squeeze_or_expand_to_same_rank
from ..losses.regression import mean_absolute_error, mean_squared_error
from .base import Mean, MeanMetricWrapper


class MeanSquaredError(MeanMetricWrapper):
    direction = "down"

    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, name=name, dtype=dtype)


class MeanAbsoluteError(MeanMetricWrapper):
    direction = "down"

    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, name=name, dtype=dtype)


class RootMeanSquaredError(Mean):
    direction = "down"

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = as_predictions(y_pred).astype(np.float32, copy=False)
        y_true, y_pred = squeeze_or_expand_to_same_rank(as_targets(y_true, np.float32), y_pred)
        try:
            error = y_pred - y_true
        except ValueError:
            raise ValueError(f"Arguments `y_true` and `y_pred` must have the same shape. Received: "
                             f"y_true.shape={y_true.shape}, y_pred.shape={y_pred.shape}") from None
        super().update_state(error * error, sample_weight=sample_weight)

    def result(self):
        return math.sqrt(super().result())
