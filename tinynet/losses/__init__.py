"""Losses, as Keras has them: a pure function per loss, and a thin class that
``compile`` takes (``loss='mse'`` or ``loss=losses.Huber(delta=2.0)``).

    module          functions                          classes
    categorical.py  sparse_categorical_crossentropy    SparseCategoricalCrossentropy
                    categorical_crossentropy           CategoricalCrossentropy
    binary.py       binary_crossentropy                BinaryCrossentropy
    regression.py   mean_squared_error, mean_absolute_error, huber
                                                       MeanSquaredError, MeanAbsoluteError, Huber
    loss.py         the Loss base class: inputs, rank matching, Keras' reductions

Each function takes (y_true, y_pred) of any rank and returns one value per row
of the last axis, as Keras' does; each ``<function>_grad`` returns d(mean of
those values)/d y_pred. The classes add Keras' reduction and sample weights
(``loss(y_true, y_pred, sample_weight=None)``) and what the model needs:
``per_sample``, ``gradient`` and ``from_logits_and_grad``.

A softmax output trained with a categorical cross-entropy, or a sigmoid output
trained with binary cross-entropy, has its loss taken from the logits behind
the activation (``Loss.logits_activation`` names which): no clipping, so an
over-confident wrong answer costs what it really costs.
"""
from .binary import BinaryCrossentropy, binary_crossentropy, binary_crossentropy_grad
from .categorical import (CategoricalCrossentropy, SparseCategoricalCrossentropy, categorical_crossentropy,
                          categorical_crossentropy_grad, sparse_categorical_crossentropy,
                          sparse_categorical_crossentropy_grad)
from .loss import EPSILON, Loss, squeeze_or_expand_to_same_rank
from .regression import (Huber, MeanAbsoluteError, MeanSquaredError, huber, huber_grad, mean_absolute_error,
                         mean_absolute_error_grad, mean_squared_error, mean_squared_error_grad)
from ..utils.naming import lookup

# Every string Keras' losses.get accepts for these losses: class names, function
# names and the short aliases.
_NAMES = {
    "SparseCategoricalCrossentropy": SparseCategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
    "CategoricalCrossentropy": CategoricalCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy,
    "BinaryCrossentropy": BinaryCrossentropy,
    "binary_crossentropy": BinaryCrossentropy,
    "bce": BinaryCrossentropy,
    "BCE": BinaryCrossentropy,
    "MeanSquaredError": MeanSquaredError,
    "mean_squared_error": MeanSquaredError,
    "mse": MeanSquaredError,
    "MSE": MeanSquaredError,
    "MeanAbsoluteError": MeanAbsoluteError,
    "mean_absolute_error": MeanAbsoluteError,
    "mae": MeanAbsoluteError,
    "MAE": MeanAbsoluteError,
    "Huber": Huber,
    "huber": Huber,
}


def get(identifier):
    """A Loss from a Loss instance, a Loss class or a Keras string name."""
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Loss) and identifier is not Loss:
        return identifier()
    return lookup("loss", identifier, _NAMES)()


__all__ = ["Loss", "get", "EPSILON", "squeeze_or_expand_to_same_rank",
           "SparseCategoricalCrossentropy", "CategoricalCrossentropy", "BinaryCrossentropy",
           "MeanSquaredError", "MeanAbsoluteError", "Huber",
           "sparse_categorical_crossentropy", "categorical_crossentropy", "binary_crossentropy",
           "mean_squared_error", "mean_absolute_error", "huber",
           "sparse_categorical_crossentropy_grad", "categorical_crossentropy_grad", "binary_crossentropy_grad",
           "mean_squared_error_grad", "mean_absolute_error_grad", "huber_grad"]
