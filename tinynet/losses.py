"""Losses: a pure function per loss (per-sample values and their gradient), plus
a thin class that Keras code passes to ``compile``.

Shapes: y_pred (n, c); sparse labels (n,) integers, other targets (n, c).
Each ``*_grad`` returns d(mean over the batch)/d y_pred, shape (n, c).

    sparse_categorical_crossentropy    -log p_y
    categorical_crossentropy           -sum_j t_j log p_j
    mean_squared_error                 mean_j (y_j - p_j)^2

Probabilities, as Keras computes them: cross-entropy on probabilities clips them
to [1e-7, 1 - 1e-7] first (log(0) would be -inf), and categorical also rescales
each row to sum to 1. But when the probabilities come straight from a softmax
output layer, ``fit`` and ``evaluate`` skip all this and take the cross-entropy
from the logits behind the softmax (``Loss.from_logits_and_grad``): no clipping,
so an over-confident wrong answer costs what it really costs.
"""
import numpy as np

from . import backend
from .utils.naming import lookup

EPSILON = 1e-7


def _clip(p):
    return np.clip(p, EPSILON, 1 - EPSILON)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False):
    if from_logits:
        return backend.ops.softmax_crossentropy(y_pred, y_true)[0]
    # Keras: log of the clipped probabilities, then a softmax cross-entropy on
    # them, which amounts to -log(p_y / sum_j p_j).
    p = _clip(y_pred)
    return np.log(p.sum(axis=1)) - np.log(p[np.arange(len(p)), y_true])


def sparse_categorical_crossentropy_grad(y_true, y_pred, from_logits=False):
    if from_logits:
        return backend.ops.softmax_crossentropy(y_pred, y_true)[1]
    n = len(y_pred)
    p = _clip(y_pred)
    grad = np.broadcast_to(1 / p.sum(axis=1, keepdims=True), p.shape).copy()
    grad[np.arange(n), y_true] -= 1 / p[np.arange(n), y_true]
    inside = (y_pred > EPSILON) & (y_pred < 1 - EPSILON)  # clipping has zero slope
    return grad * inside / n


def categorical_crossentropy(y_true, y_pred, from_logits=False):
    if from_logits:
        return backend.ops.softmax_crossentropy_onehot(y_pred, y_true)[0]
    q = _clip(y_pred / y_pred.sum(axis=1, keepdims=True))
    return -(y_true * np.log(q)).sum(axis=1)


def categorical_crossentropy_grad(y_true, y_pred, from_logits=False):
    if from_logits:
        return backend.ops.softmax_crossentropy_onehot(y_pred, y_true)[1]
    s = y_pred.sum(axis=1, keepdims=True)
    q = y_pred / s
    inside = (q > EPSILON) & (q < 1 - EPSILON)
    dq = -y_true / _clip(q) * inside
    # Through q = p / s:  dL/dp_k = (dq_k - sum_j dq_j q_j) / s
    return (dq - (dq * q).sum(axis=1, keepdims=True)) / s / len(y_pred)


def mean_squared_error(y_true, y_pred):
    return ((y_pred - y_true) ** 2).mean(axis=1)


def mean_squared_error_grad(y_true, y_pred):
    return 2 * (y_pred - y_true) / y_pred.size


class Loss:
    """A loss as ``compile`` takes it: ``loss(y_true, y_pred)`` is the batch mean."""

    name = None
    sparse = False       # targets are class indices (n,), not rows (n, c)
    crossentropy = True  # may be computed from the logits of a softmax output
    logits_activation = "softmax"  # ... namely from the logits of this output activation

    def __init__(self, from_logits=False):
        self.from_logits = bool(from_logits)

    def __call__(self, y_true, y_pred):
        return float(np.mean(self.per_sample(y_true, y_pred)))

    def per_sample(self, y_true, y_pred):
        return type(self)._fn(y_true, y_pred, self.from_logits)

    def gradient(self, y_true, y_pred):
        return type(self)._grad(y_true, y_pred, self.from_logits)

    def from_logits_and_grad(self, y_true, logits):
        """(per-sample losses, dL/dlogits): the fused softmax + cross-entropy kernel."""
        if self.sparse:
            return backend.ops.softmax_crossentropy(logits, y_true)
        return backend.ops.softmax_crossentropy_onehot(logits, y_true)

    def get_config(self):
        return {"from_logits": self.from_logits}

    def __repr__(self):
        return f"{type(self).__name__}(from_logits={self.from_logits})"


class SparseCategoricalCrossentropy(Loss):
    name = "sparse_categorical_crossentropy"
    sparse = True
    _fn = staticmethod(sparse_categorical_crossentropy)
    _grad = staticmethod(sparse_categorical_crossentropy_grad)


class CategoricalCrossentropy(Loss):
    name = "categorical_crossentropy"
    _fn = staticmethod(categorical_crossentropy)
    _grad = staticmethod(categorical_crossentropy_grad)


class MeanSquaredError(Loss):
    name = "mean_squared_error"
    crossentropy = False
    logits_activation = None

    def __init__(self):
        super().__init__(from_logits=False)

    def per_sample(self, y_true, y_pred):
        return mean_squared_error(y_true, y_pred)

    def gradient(self, y_true, y_pred):
        return mean_squared_error_grad(y_true, y_pred)

    def get_config(self):
        return {}


_NAMES = {
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy,
    "mean_squared_error": MeanSquaredError,
    "mse": MeanSquaredError,
}


def get(identifier):
    """A Loss from a Loss instance or a Keras string name."""
    if isinstance(identifier, Loss):
        return identifier
    return lookup("loss", identifier, _NAMES)()
