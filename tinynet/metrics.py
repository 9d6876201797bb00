"""Accuracy metrics, and how ``metrics=['accuracy']`` picks one, as Keras does.

    sparse_categorical_accuracy   argmax(y_pred) == y_true              (labels (n,))
    categorical_accuracy          argmax(y_pred) == argmax(y_true)       (one-hot (n, c))
    binary_accuracy               (y_pred > 0.5) == y_true               (one output unit)

During ``fit`` the targets are turned into class indices once, so every kind of
accuracy is "count the rows whose predicted class is the label".
"""
import numpy as np

from . import backend
from .utils.naming import lookup

ACCURACY_NAMES = ("accuracy", "acc", "sparse_categorical_accuracy", "categorical_accuracy",
                  "binary_accuracy")


def check(name):
    """The metric's name if tinynet supports it, else a ValueError listing the choices."""
    return lookup("metric", name, {n: n for n in ACCURACY_NAMES})


def resolve(name, loss, output_units):
    """Which accuracy a metric name means for this loss and output width."""
    if name not in ("accuracy", "acc"):
        return name
    if output_units == 1:
        return "binary_accuracy"
    return "sparse_categorical_accuracy" if loss.sparse else "categorical_accuracy"


def class_labels(kind, y):
    """The integer class of each row of targets y, for counting correct predictions."""
    if kind == "sparse_categorical_accuracy":
        return y.reshape(-1).astype(np.int64, copy=False)  # sparse targets are already int64: no copy
    if kind == "categorical_accuracy":
        return y.argmax(axis=1)
    return (y.reshape(-1) > 0.5).astype(np.int64)


def count_correct(kind, y_pred, labels):
    """How many rows of y_pred (n, c) predict ``labels`` (n,)."""
    if kind == "binary_accuracy":
        return int(np.count_nonzero((y_pred.reshape(-1) > 0.5) == labels))
    return backend.ops.count_correct(y_pred, labels)
