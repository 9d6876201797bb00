"""Top-k accuracy: is the true class among the k highest scores?

    top_k_categorical_accuracy          target class = argmax(y_true), rows (n, c)
    sparse_top_k_categorical_accuracy   target class = y_true, labels (n,) or (n, 1)

For one row of scores s (c,) and target class t: right when fewer than k classes
score strictly higher than s_t. So classes that tie with s_t at the boundary all
count as in the top k, as TensorFlow's ``in_top_k`` counts them. With k = 1 this
is the ordinary accuracy, except that a tie for first place counts as right.
"""
import numpy as np

from ..losses.loss import as_numbers
from .accuracy import _sparse_shape
from .base import MeanMetricWrapper


def _in_top_k(target, y_pred, k):
    """target (n,) class indices, y_pred (n, c) -> float32 (n,) of 0/1."""
    scores = np.take_along_axis(y_pred, target[:, None].astype(np.int64), axis=1)
    higher = (y_pred > scores).sum(axis=1)
    return (higher < k).astype(np.float32)


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    y_true, y_pred = as_numbers("y_true", y_true), as_numbers("y_pred", y_pred)
    if y_true.shape != y_pred.shape or y_pred.ndim != 2:
        raise ValueError("Arguments `y_true` and `y_pred` of top_k_categorical_accuracy must both be rows of c "
                         f"scores, shape (n, c). Received: y_true.shape={y_true.shape}, y_pred.shape={y_pred.shape}")
    return _in_top_k(y_true.argmax(axis=-1), y_pred, k)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5):
    y_pred = as_numbers("y_pred", y_pred)
    y_true = _sparse_shape(as_numbers("y_true", y_true), y_pred)
    if y_pred.ndim != 2:
        raise ValueError(f"Argument `y_pred` must be rows of c scores, shape (n, c). Received: y_pred.shape={y_pred.shape}")
    return _in_top_k(y_true, y_pred, k)


def _check_k(k):
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"Argument `k` must be a positive integer. Received: k={k!r}")
    return int(k)


class TopKCategoricalAccuracy(MeanMetricWrapper):
    direction = "up"

    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        super().__init__(top_k_categorical_accuracy, name=name, dtype=dtype, k=_check_k(k))
        self.k = int(k)


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    direction = "up"

    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None):
        super().__init__(sparse_top_k_categorical_accuracy, name=name, dtype=dtype, k=_check_k(k))
        self.k = int(k)
