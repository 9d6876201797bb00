"""Metrics with Keras' names: objects that keep running totals over batches,
and the plain functions they average.

    base.py           Metric (update_state, result, reset_state), Mean, MeanMetricWrapper
    accuracy.py       Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy
    regression.py     MeanSquaredError, MeanAbsoluteError, RootMeanSquaredError
    probabilistic.py  BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy
    confusion.py      Precision, Recall
    top_k.py          TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy

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
from .top_k import (SparseTopKCategoricalAccuracy, TopKCategoricalAccuracy, sparse_top_k_categorical_accuracy,
                    top_k_categorical_accuracy)

_CLASSES = [BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy, MeanSquaredError, MeanAbsoluteError,
            RootMeanSquaredError, BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy,
            Precision, Recall, TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy]
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
    "top_k_categorical_accuracy": TopKCategoricalAccuracy,
    "sparse_top_k_categorical_accuracy": SparseTopKCategoricalAccuracy,
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


def check(identifier):
    """Raise the error ``get`` would, without needing the loss or the output shape:
    for ``compile``, so that a misspelled metric fails before training."""
    if isinstance(identifier, str):
        if identifier.lower() not in ("accuracy", "acc"):
            get(identifier)
    elif not (isinstance(identifier, Metric) or callable(identifier)):
        raise ValueError("Each metric must be a name, a Metric object or a function fn(y_true, y_pred). "
                         f"Received: {identifier!r}")
    return identifier


def name_of(identifier):
    """The History key a metric will get: the string as given, or the object's own name."""
    if isinstance(identifier, str):
        return identifier
    if isinstance(identifier, Metric):
        return identifier.name
    return getattr(identifier, "__name__", str(identifier))


__all__ = ["Metric", "Mean", "MeanMetricWrapper", "get", "Accuracy", "BinaryAccuracy", "CategoricalAccuracy",
           "SparseCategoricalAccuracy", "MeanSquaredError", "MeanAbsoluteError", "RootMeanSquaredError",
           "BinaryCrossentropy", "CategoricalCrossentropy", "SparseCategoricalCrossentropy", "Precision", "Recall",
           "TopKCategoricalAccuracy", "SparseTopKCategoricalAccuracy", "top_k_categorical_accuracy",
           "sparse_top_k_categorical_accuracy",
           "accuracy", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
           "mean_squared_error", "mean_absolute_error", "binary_crossentropy", "categorical_crossentropy",
           "sparse_categorical_crossentropy"]
