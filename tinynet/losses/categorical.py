"""Categorical cross-entropy: one class out of c, over the last axis.

    sparse_categorical_crossentropy   -log p_y              labels y (n,) integers in [0, c)
    categorical_crossentropy          -sum_j t_j log p_j    targets t (n, c), e.g. one-hot

Shapes: y_pred (n, ..., c); labels y_pred.shape[:-1] (or with a trailing axis
of 1); targets y_pred.shape. Values y_pred.shape[:-1]. Each ``*_grad`` returns
d(mean of the values)/d y_pred, with y_pred's shape.

From logits z: p = softmax(z), taken by the fused kernel of
``tinynet.kernels.crossentropy`` (stable at any z, never clipped).
From probabilities, as Keras computes them: clipped to [1e-7, 1 - 1e-7] first
(log(0) would be -inf), after each row is rescaled to sum to 1 (categorical)
or, equivalently, as -log(p_y / sum_j p_j) (sparse). The clip has zero slope
outside its range, so those entries get no gradient.

Label smoothing (categorical only, as in Keras): t <- t (1 - s) + s / c.
"""
import numpy as np

from .. import backend
from .loss import (EPSILON, Loss, as_numbers, as_predictions, as_targets, check_axis, check_label_smoothing,
                   per_sample_from_rows, rows, same_shape)


def _clip(p):
    return np.clip(p, EPSILON, 1 - EPSILON)


def _inside_clip(p):
    """1 where the clip lets the gradient through (TensorFlow's rule: on the bounds too)."""
    return (p >= p.dtype.type(EPSILON)) & (p <= p.dtype.type(1 - EPSILON))


# -- sparse labels ----------------------------------------------------------------------------------
def sparse_labels(y_true, y_pred):
    """Class labels as int64 of shape y_pred.shape[:-1], after every check."""
    y = as_numbers("y_true", y_true)
    classes = y_pred.shape[-1]
    if y.ndim == y_pred.ndim and y.ndim > 0 and y.shape[-1] == 1:
        y = y[..., 0]  # labels (n, 1) -> (n,)
    if y.shape != y_pred.shape[:-1]:
        hint = (" They look one-hot: use categorical_crossentropy, or pass y_true.argmax(axis=-1)."
                if y.shape == y_pred.shape else "")
        raise ValueError(f"Argument `y_true` of sparse_categorical_crossentropy must hold one class label per "
                         f"row of y_pred, shape {y_pred.shape[:-1]}.{hint} Received: y_true.shape={np.shape(y_true)}, "
                         f"y_pred.shape={y_pred.shape}")
    if y.dtype.kind == "f" and not (np.isfinite(y).all() and (y == np.round(y)).all()):
        raise ValueError("Argument `y_true` must hold whole-number class labels. "
                         "Received: y_true with non-integer values")
    if y.size and (y.min() < 0 or y.max() >= classes):
        raise ValueError(f"Argument `y_true` must hold class labels in [0, {classes}) for y_pred with "
                         f"{classes} classes. Received: labels from {y.min()} to {y.max()}")
    return y.astype(np.int64, copy=False)


def check_ignore_class(ignore_class):
    if ignore_class is not None:
        raise ValueError("Argument `ignore_class` must be None: tinynet does not mask classes. "
                         f"Received: ignore_class={ignore_class!r}")


def _sparse_inputs(y_true, y_pred, ignore_class, axis):
    check_axis(axis)
    check_ignore_class(ignore_class)
    y_pred = as_predictions(y_pred)
    return sparse_labels(y_true, y_pred), y_pred


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None, axis=-1):
    """-log p_y for each row: labels y_pred.shape[:-1] -> values y_pred.shape[:-1]."""
    labels, y_pred = _sparse_inputs(y_true, y_pred, ignore_class, axis)
    p, y = rows(y_pred), labels.reshape(-1)
    if from_logits:
        values = backend.ops.softmax_crossentropy(p, y)[0]
    else:
        # Keras: a softmax cross-entropy on the log of the clipped probabilities,
        # which amounts to -log(p_y / sum_j p_j).
        q = _clip(p)
        values = np.log(q.sum(axis=1)) - np.log(q[np.arange(len(q)), y])
    return values.astype(y_pred.dtype, copy=False).reshape(labels.shape)


def sparse_categorical_crossentropy_grad(y_true, y_pred, from_logits=False, ignore_class=None, axis=-1):
    labels, y_pred = _sparse_inputs(y_true, y_pred, ignore_class, axis)
    p, y = rows(y_pred), labels.reshape(-1)
    if from_logits:
        return backend.ops.softmax_crossentropy(p, y)[1].astype(y_pred.dtype, copy=False).reshape(y_pred.shape)
    m, at_label = len(p), (np.arange(len(p)), y)
    q = _clip(p)
    grad = np.broadcast_to(1 / q.sum(axis=1, keepdims=True), q.shape).copy()
    grad[at_label] -= 1 / q[at_label]
    return (grad * _inside_clip(p) / m).reshape(y_pred.shape)


# -- target rows -------------------------------------------------------------------------------------
def _categorical_inputs(y_true, y_pred, label_smoothing, axis):
    check_axis(axis)
    label_smoothing = check_label_smoothing(label_smoothing)
    y_pred = as_predictions(y_pred)
    y_true = as_targets(y_true, y_pred.dtype)
    if y_true.ndim == y_pred.ndim - 1 and y_true.shape == y_pred.shape[:-1]:
        raise ValueError(f"Argument `y_true` of categorical_crossentropy holds class labels (shape {y_true.shape}), "
                         f"but rows like y_pred are expected, shape {y_pred.shape}. Use "
                         f"sparse_categorical_crossentropy. Received: y_true.shape={y_true.shape}")
    same_shape(y_true, y_pred, "categorical_crossentropy")
    if label_smoothing:
        y_true = y_true * (1 - label_smoothing) + label_smoothing / y_pred.shape[-1]
    return y_true, y_pred


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """-sum_j t_j log p_j for each row: y_true, y_pred (..., c) -> values (...)."""
    t, y_pred = _categorical_inputs(y_true, y_pred, label_smoothing, axis)
    if from_logits:
        values = backend.ops.softmax_crossentropy_onehot(rows(y_pred), rows(t))[0]
    else:
        q = _clip(y_pred / y_pred.sum(axis=-1, keepdims=True))
        values = -(t * np.log(q)).sum(axis=-1)
    return values.astype(y_pred.dtype, copy=False).reshape(y_pred.shape[:-1])


def categorical_crossentropy_grad(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    t, y_pred = _categorical_inputs(y_true, y_pred, label_smoothing, axis)
    if from_logits:
        grad = backend.ops.softmax_crossentropy_onehot(rows(y_pred), rows(t))[1]
        return grad.astype(y_pred.dtype, copy=False).reshape(y_pred.shape)
    p, t = rows(y_pred), rows(t)
    s = p.sum(axis=1, keepdims=True)
    q = p / s
    dq = -t / _clip(q) * _inside_clip(q)
    # Through q = p / s:  dL/dp_k = (dq_k - sum_j dq_j q_j) / s
    return ((dq - (dq * q).sum(axis=1, keepdims=True)) / s / len(p)).reshape(y_pred.shape)


# -- the classes ---------------------------------------------------------------------------------------
class _SoftmaxCrossentropy(Loss):
    logits_activation = "softmax"

    def from_logits_and_grad(self, y_true, logits):
        if logits.ndim != 2:  # (n, ..., c): the kernels take rows (n * ..., c)
            losses, dz = self.from_logits_and_grad(y_true if self.sparse else rows(y_true), rows(logits))
            return per_sample_from_rows(losses, len(logits)), dz.reshape(logits.shape)
        if self.sparse:
            return backend.ops.softmax_crossentropy(logits, y_true if y_true.ndim == 1 else y_true.reshape(-1))
        return backend.ops.softmax_crossentropy_onehot(logits, self._smoothed(y_true, logits.shape[-1]))

    def _smoothed(self, t, classes):
        return t


class SparseCategoricalCrossentropy(_SoftmaxCrossentropy):
    name = "sparse_categorical_crossentropy"
    sparse = True

    def __init__(self, from_logits=False, ignore_class=None, reduction="sum_over_batch_size", axis=-1,
                 name="sparse_categorical_crossentropy"):
        super().__init__(reduction=reduction, name=name)
        check_axis(axis)
        check_ignore_class(ignore_class)
        self.from_logits = bool(from_logits)
        self.ignore_class = None

    def call(self, y_true, y_pred):
        return sparse_categorical_crossentropy(y_true, y_pred, self.from_logits)

    def _grad(self, y_true, y_pred):
        return sparse_categorical_crossentropy_grad(y_true, y_pred, self.from_logits)

    def get_config(self):
        return {**super().get_config(), "from_logits": self.from_logits, "ignore_class": self.ignore_class}


class CategoricalCrossentropy(_SoftmaxCrossentropy):
    name = "categorical_crossentropy"

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1, reduction="sum_over_batch_size",
                 name="categorical_crossentropy"):
        super().__init__(reduction=reduction, name=name)
        self.from_logits = bool(from_logits)
        self.label_smoothing = check_label_smoothing(label_smoothing)
        self.axis = check_axis(axis)

    def call(self, y_true, y_pred):
        return categorical_crossentropy(y_true, y_pred, self.from_logits, self.label_smoothing)

    def _grad(self, y_true, y_pred):
        return categorical_crossentropy_grad(y_true, y_pred, self.from_logits, self.label_smoothing)

    def _smoothed(self, t, classes):
        s = self.label_smoothing
        return t * (1 - s) + s / classes if s else t

    def get_config(self):
        return {**super().get_config(), "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing, "axis": self.axis}
