"""Precision and recall of a yes/no prediction, over every output.

An output is predicted "yes" when y_pred > threshold (0.5 unless given) and is
truly "yes" when y_true is not 0. Over all outputs seen (each with its sample's
weight):
    true positives  TP = weight of (predicted yes and truly yes)
    false positives FP = weight of (predicted yes and truly no)
    false negatives FN = weight of (predicted no and truly yes)
    precision = TP / (TP + FP)      recall = TP / (TP + FN)      (0 when there is nothing to divide)

``class_id=k`` looks at output k alone. Keras' lists of thresholds and
``top_k`` are not supported.
"""
import numbers

import numpy as np

from ..losses.loss import as_numbers, squeeze_or_expand_to_same_rank
from .base import Metric


def _check_threshold(thresholds):
    if thresholds is None:
        return 0.5
    if isinstance(thresholds, bool) or not isinstance(thresholds, numbers.Real) or not 0 <= thresholds <= 1:
        raise ValueError(f"Argument `thresholds` must be None or one number in [0, 1] (tinynet supports a "
                         f"single threshold). Received: thresholds={thresholds!r}")
    return float(thresholds)


class _Confusion(Metric):
    direction = "up"

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.threshold = _check_threshold(thresholds)
        if top_k is not None:
            raise ValueError(f"Argument `top_k` must be None: tinynet does not support it. Received: top_k={top_k!r}")
        if class_id is not None and (isinstance(class_id, bool) or not isinstance(class_id, numbers.Integral)
                                     or class_id < 0):
            raise ValueError(f"Argument `class_id` must be None or a non-negative integer. Received: class_id={class_id!r}")
        self.init_thresholds, self.top_k, self.class_id = thresholds, None, class_id
        self.reset_state()

    def reset_state(self):
        self.true_positives = np.float32(0)
        self.false_positives = np.float32(0)
        self.false_negatives = np.float32(0)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = as_numbers("y_pred", y_pred).astype(np.float32, copy=False)
        y_true = as_numbers("y_true", y_true).astype(np.float32, copy=False)
        y_pred, y_true = squeeze_or_expand_to_same_rank(y_pred, y_true)
        if self.class_id is not None:
            if y_pred.ndim < 2 or self.class_id >= y_pred.shape[-1]:
                raise ValueError(f"Argument `class_id`={self.class_id} needs y_pred of shape (n, c) with c > "
                                 f"{self.class_id}. Received: y_pred.shape={y_pred.shape}")
            y_true, y_pred = y_true[..., self.class_id, None], y_pred[..., self.class_id, None]
        if y_true.shape != y_pred.shape:
            raise ValueError(f"Arguments `y_true` and `y_pred` of {type(self).__name__} must have the same shape. "
                             f"Received: y_true.shape={y_true.shape}, y_pred.shape={y_pred.shape}")
        weight = np.float32(1)
        if sample_weight is not None:
            weight = as_numbers("sample_weight", sample_weight).astype(np.float32)[..., None]
            _, weight = squeeze_or_expand_to_same_rank(y_true, weight, expand_rank_1=False)
        try:
            weight = np.broadcast_to(weight, y_pred.shape)
        except ValueError:
            raise ValueError(f"Argument `sample_weight` must broadcast against y_pred, shape {y_pred.shape}. "
                             f"Received: sample_weight.shape={np.shape(sample_weight)}") from None
        predicted, actual = y_pred > self.threshold, y_true != 0
        self.true_positives = np.float32(self.true_positives + weight[predicted & actual].sum(dtype=np.float32))
        self.false_positives = np.float32(self.false_positives + weight[predicted & ~actual].sum(dtype=np.float32))
        self.false_negatives = np.float32(self.false_negatives + weight[~predicted & actual].sum(dtype=np.float32))

    def _ratio(self, part):
        whole = self.true_positives + part
        return float(self.true_positives / whole) if whole else 0.0

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds, "top_k": self.top_k,
                "class_id": self.class_id}


class Precision(_Confusion):
    """TP / (TP + FP): of the outputs predicted "yes", the share that are."""

    def result(self):
        return self._ratio(self.false_positives)


class Recall(_Confusion):
    """TP / (TP + FN): of the outputs that are "yes", the share predicted so."""

    def result(self):
        return self._ratio(self.false_negatives)
