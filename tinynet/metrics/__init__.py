"""Metrics with Keras' names: objects that keep running totals over batches,
and the plain functions they average.

    base.py           Metric (update_state, result, reset_state), Mean, MeanMetricWrapper
    accuracy.py       Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy
    regression.py     MeanSquaredError, MeanAbsoluteError, RootMeanSquaredError
    probabilistic.py  BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy
    confusion.py      Precision, Recall

``get(identifier, loss, output_shape)`` is how ``compile(metrics=[...])`` makes
them, as Keras' compile does: 'accuracy' (or 'acc', any capitals) means binary
accuracy for one output unit, else sparse categorical accuracy when the loss
takes class labels, else categorical accuracy; every other string is a class
or snake_case name. The metric is named by the string it came from ('acc'
gives the History key 'acc', 'mae' gives 'mae'); a Metric object keeps its own.
"""
import numpy as np

from .. import backend
from ..losses.binary import binary_crossentropy
from ..losses.categorical import categorical_crossentropy, sparse_categorical_crossentropy
from ..losses.regression import mean_absolute_error, mean_squared_error
from ..utils.naming import lookup
from .accuracy import (Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy, accuracy,
                       binary_accuracy, categorical_accuracy, sparse_categorical_accuracy)
from .base import Mean, MeanMetricWrapper, Metric
from .confusion import Precision, Recall
from .probabilistic import BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy
from .regression import MeanAbsoluteError, MeanSquaredError, RootMeanSquaredError

_CLASSES = [BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy, MeanSquaredError, MeanAbsoluteError,
            RootMeanSquaredError, BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy,
            Precision, Recall]
# Every string Keras' compile accepts for these: class names, their snake_case and the
# short aliases. ('accuracy' and 'acc' are resolved before this table; 'mean' is left
# out: Mean takes values, not (y_true, y_pred).)
_NAMES = {
    **{cls.__name__: cls for cls in _CLASSES},
    "binary_accuracy": BinaryAccuracy, "categorical_accuracy": CategoricalAccuracy,
    "sparse_categorical_accuracy": SparseCategoricalAccuracy, "mean_squared_error": MeanSquaredError,
    "mean_absolute_error": MeanAbsoluteError, "root_mean_squared_error": RootMeanSquaredError,
    "binary_crossentropy": BinaryCrossentropy, "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy, "precision": Precision, "recall": Recall,
    "mse": MeanSquaredError, "MSE": MeanSquaredError, "mae": MeanAbsoluteError, "MAE": MeanAbsoluteError,
    "bce": BinaryCrossentropy, "BCE": BinaryCrossentropy,
}


def accuracy_for(loss, output_shape):
    """The accuracy class that 'accuracy' means for this loss and output shape (Keras' rule)."""
    if tuple(output_shape)[-1] == 1:
        return BinaryAccuracy
    return SparseCategoricalAccuracy if loss.sparse else CategoricalAccuracy


def get(identifier, loss=None, output_shape=None):
    """A fresh Metric for a name, the user's Metric object itself, a new one for a
    Metric class, or a running mean of a function ``fn(y_true, y_pred)``."""
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return identifier()
    if isinstance(identifier, str) and identifier.lower() in ("accuracy", "acc"):
        if loss is None or output_shape is None:
            raise ValueError(f"Metric '{identifier}' depends on the loss and the output shape; pass both: "
                             f"metrics.get('{identifier}', loss, output_shape). Received: loss={loss!r}, "
                             f"output_shape={output_shape!r}")
        return accuracy_for(loss, output_shape)(name=identifier)
    if callable(identifier) and not isinstance(identifier, str):
        # Keras names it by the function's name (or a Loss object's name)
        return MeanMetricWrapper(identifier, name=getattr(identifier, "__name__", getattr(identifier, "name", None)))
    # 'accuracy' and 'acc' never get here; they are in the table for the error's list of choices.
    metric = lookup("metric", identifier, {**_NAMES, "accuracy": None, "acc": None})()
    metric.name = identifier
    return metric


# -- what tinynet/models/training.py calls until it uses the Metric objects ----------------
ACCURACY_NAMES = ("accuracy", "acc", "sparse_categorical_accuracy", "categorical_accuracy", "binary_accuracy")


def check(name):
    """The metric's name if the training loop supports it, else a ValueError listing the choices."""
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


__all__ = ["Metric", "Mean", "MeanMetricWrapper", "get", "Accuracy", "BinaryAccuracy", "CategoricalAccuracy",
           "SparseCategoricalAccuracy", "MeanSquaredError", "MeanAbsoluteError", "RootMeanSquaredError",
           "BinaryCrossentropy", "CategoricalCrossentropy", "SparseCategoricalCrossentropy", "Precision", "Recall",
           "accuracy", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
           "mean_squared_error", "mean_absolute_error", "binary_crossentropy", "categorical_crossentropy",
           "sparse_categorical_crossentropy"]
