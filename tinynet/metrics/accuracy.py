"""Accuracy metrics: how often the prediction is right, as Keras counts it.

    accuracy                      y_pred == y_true                        (entry by entry)
    binary_accuracy               (y_pred > threshold) == y_true          (entry by entry; a target of
                                                                           0.7 is never matched)
    categorical_accuracy          argmax(y_pred) == argmax(y_true)        (rows (n, c))
    sparse_categorical_accuracy   argmax(y_pred) == y_true                (labels (n,) or (n, 1))

Each function returns float32 0/1 values (ties in argmax go to the first
maximum); each class is the running mean of its function (``Mean``).

The training loop updates the metrics after every batch, so the classes have
a faster path for it: ``labels(y_true)`` turns the targets of a whole data set
into integer labels once, and ``update_state_from_labels(labels, y_pred)``
then costs one call of the ``count_correct`` kernel per batch (no new arrays).
Both paths add the same figures.
"""
import numpy as np

from .. import backend
from ..losses.loss import as_numbers, rows, squeeze_or_expand_to_same_rank
from .base import MeanMetricWrapper


def _broadcast_check(y_true, y_pred, fn):
    try:
        np.broadcast_shapes(y_true.shape, y_pred.shape)
    except ValueError:
        raise ValueError(f"Arguments `y_true` and `y_pred` of {fn} must have the same shape. "
                         f"Received: y_true.shape={y_true.shape}, y_pred.shape={y_pred.shape}") from None


def accuracy(y_true, y_pred):
    y_true, y_pred = squeeze_or_expand_to_same_rank(as_numbers("y_true", y_true), as_numbers("y_pred", y_pred))
    _broadcast_check(y_true, y_pred, "accuracy")
    return (y_true == y_pred).astype(np.float32)


def binary_accuracy(y_true, y_pred, threshold=0.5):
    y_true, y_pred = squeeze_or_expand_to_same_rank(as_numbers("y_true", y_true), as_numbers("y_pred", y_pred))
    _broadcast_check(y_true, y_pred, "binary_accuracy")
    return ((y_pred > threshold) == y_true).astype(np.float32)


def categorical_accuracy(y_true, y_pred):
    y_true, y_pred = as_numbers("y_true", y_true), as_numbers("y_pred", y_pred)
    if y_true.shape != y_pred.shape or y_pred.ndim == 0:
        hint = " It holds class labels: use sparse_categorical_accuracy." if y_true.shape[:1] == y_pred.shape[:1] \
            and y_true.ndim <= y_pred.ndim and y_true.shape[-1:] != y_pred.shape[-1:] else ""
        raise ValueError(f"Argument `y_true` of categorical_accuracy must have y_pred's shape (rows of c scores).{hint} "
                         f"Received: y_true.shape={y_true.shape}, y_pred.shape={y_pred.shape}")
    return (y_true.argmax(axis=-1) == y_pred.argmax(axis=-1)).astype(np.float32)


def _sparse_shape(y_true, y_pred):
    """Labels y_pred.shape[:-1] (a trailing axis of 1 dropped), else a clear error."""
    if y_pred.ndim == 0:
        raise ValueError("Argument `y_pred` must have a class axis, shape (n, c). Received: y_pred.shape=()")
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = y_true[..., 0]
    if y_true.shape != y_pred.shape[:-1]:
        raise ValueError(f"Argument `y_true` of sparse_categorical_accuracy must hold one class label per row of "
                         f"y_pred, shape {y_pred.shape[:-1]}. Received: y_true.shape={y_true.shape}, "
                         f"y_pred.shape={y_pred.shape}")
    return y_true


def sparse_categorical_accuracy(y_true, y_pred):
    y_pred = as_numbers("y_pred", y_pred)
    y_true = _sparse_shape(as_numbers("y_true", y_true), y_pred)
    return (y_true == y_pred.argmax(axis=-1)).astype(np.float32)


class Accuracy(MeanMetricWrapper):
    direction = "up"

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(accuracy, name=name, dtype=dtype)


class _CountingAccuracy(MeanMetricWrapper):
    """An accuracy with the training loop's fast path (see the module docstring)."""
    direction = "up"


    def labels(self, y_true):
        """Integer labels (n, ...) for the targets of a whole data set."""
        raise NotImplementedError

    def update_state_from_labels(self, labels, y_pred):
        """Add a batch: y_pred (n, ..., c) against ``labels`` from ``labels()``: the
        number of rows whose highest score is at the label, one kernel call."""
        n = len(y_pred)
        if y_pred.ndim == 2:
            self._add_counts(backend.ops.count_correct(y_pred, labels), n)
        else:
            scores = rows(y_pred)
            correct = backend.ops.count_correct(scores, labels.reshape(-1))
            self._add_counts(correct * n / len(scores), n)  # the mean per sample, summed


class SparseCategoricalAccuracy(_CountingAccuracy):
    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(sparse_categorical_accuracy, name=name, dtype=dtype)

    def labels(self, y_true):
        y = as_numbers("y_true", y_true)
        if y.ndim >= 2 and y.shape[-1] == 1:
            y = y[..., 0]
        if y.dtype.kind == "f":  # as Keras compares: a label like 1.5 matches no class
            y = np.where(y == np.round(y), y, -1)
        return y if y.dtype == np.int64 else y.astype(np.int64)  # int64 labels are used as they are


class CategoricalAccuracy(_CountingAccuracy):
    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(categorical_accuracy, name=name, dtype=dtype)

    def labels(self, y_true):
        return as_numbers("y_true", y_true).argmax(axis=-1)


class BinaryAccuracy(_CountingAccuracy):
    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        super().__init__(binary_accuracy, name=name, dtype=dtype, threshold=threshold)
        self.threshold = threshold

    def labels(self, y_true):
        """1 for a target of exactly 1, 0 for exactly 0, and -1 (matched by nothing) otherwise."""
        y = as_numbers("y_true", y_true)
        return np.where(y == 1, 1, np.where(y == 0, 0, -1)).astype(np.int64)

    def update_state_from_labels(self, labels, y_pred):
        """One comparison per output (not the count_correct kernel: there is no argmax here)."""
        labels, y_pred = squeeze_or_expand_to_same_rank(labels, y_pred)
        correct = np.count_nonzero((y_pred > self.threshold) == labels)
        n = len(y_pred)
        self._add_counts(correct if labels.size == n else correct * n / labels.size, n)
