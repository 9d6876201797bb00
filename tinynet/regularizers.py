"""Weight penalties, as in ``keras.regularizers``: a layer's ``kernel_regularizer``
or ``bias_regularizer`` adds a number to the loss that ``fit`` minimises, so that
large weights cost something.

For a weight array w (any shape):
    L1(l1)          penalty = l1 * sum |w|                 gradient = l1 * sign(w)
    L2(l2)          penalty = l2 * sum w^2                 gradient = 2 * l2 * w
    L1L2(l1, l2)    the sum of both (each factor defaults to 0 here)

The penalty is a plain sum over the weights, not a mean, and it does not depend on
the batch: Keras adds it once to every batch's mean loss. ``l1``, ``l2`` and
``l1_l2`` are the same classes under Keras' lower-case names.
"""
import math
import numbers

import numpy as np

from .utils.naming import lookup


def _factor(name, value):
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if not ok or not math.isfinite(value) or value < 0:
        raise ValueError(f"Argument `{name}` must be a non-negative number. Received: {name}={value!r}")
    return float(value)


class Regularizer:
    """``penalty = regularizer(w)``; ``regularizer.gradient(w)`` is d penalty / d w."""

    def __call__(self, w):
        return 0.0

    def gradient(self, w):
        return np.zeros_like(w)

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        args = ", ".join(f"{k}={v}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class L1L2(Regularizer):
    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = _factor("l1", 0.0 if l1 is None else l1)
        self.l2 = _factor("l2", 0.0 if l2 is None else l2)

    def __call__(self, w):
        # Summed in float64: one rounding for the whole penalty.
        penalty = 0.0
        if self.l1:
            penalty += self.l1 * float(np.abs(w).sum(dtype=np.float64))
        if self.l2:
            penalty += self.l2 * float(np.square(w, dtype=np.float64).sum())
        return penalty

    def gradient(self, w):
        grad = np.zeros_like(w)
        if self.l1:
            grad += w.dtype.type(self.l1) * np.sign(w)
        if self.l2:
            grad += w.dtype.type(2 * self.l2) * w
        return grad

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


class L1(L1L2):
    def __init__(self, l1=0.01):
        super().__init__(l1=l1)

    def get_config(self):
        return {"l1": self.l1}


class L2(L1L2):
    def __init__(self, l2=0.01):
        super().__init__(l2=l2)

    def get_config(self):
        return {"l2": self.l2}


l1, l2, l1_l2 = L1, L2, L1L2  # Keras' lower-case names are the classes themselves

_NAMES = {"l1": L1, "l2": L2, "l1l2": L1L2, "l1_l2": L1L2, "L1": L1, "L2": L2, "L1L2": L1L2}


def get(identifier, argument="regularizer"):
    """None, a Regularizer, or a Keras name ('l1', 'l2', 'l1_l2') -> a Regularizer or None."""
    if identifier is None or isinstance(identifier, Regularizer):
        return identifier
    if isinstance(identifier, dict) and identifier.get("class_name") in _NAMES:
        return _NAMES[identifier["class_name"]](**identifier.get("config", {}))
    return lookup(argument, identifier, _NAMES)()


def serialize(regularizer):
    """{"class_name": ..., "config": ...}, or None; ``get`` reads it back."""
    if regularizer is None:
        return None
    return {"class_name": type(regularizer).__name__, "config": regularizer.get_config()}
