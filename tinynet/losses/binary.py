"""Binary cross-entropy: each output is its own yes/no question.

For a target t in [0, 1] and a predicted probability p of "yes":
    loss = -(t log p + (1 - t) log(1 - p)),   averaged over the last axis.

Shapes: y_true and y_pred (n, ..., c), the same (``BinaryCrossentropy()``
first matches (n,) with (n, 1), as Keras does; the function does not). Values
y_pred.shape[:-1]. ``binary_crossentropy_grad`` returns d(mean of the
values)/d y_pred, with y_pred's shape.

From logits z (p = sigmoid(z)): the fused kernel ``sigmoid_crossentropy`` of
``tinynet.kernels.crossentropy``, max(z, 0) - z t + log(1 + exp(-|z|)), finite
at any z; its gradient is (sigmoid(z) - t).
From probabilities, as Keras computes them: p clipped to [1e-7, 1 - 1e-7], so a
confident wrong answer costs at most -log(1e-7) = 16.1 per output; outside the
clip the gradient is 0.
Label smoothing pulls the targets towards 1/2:  t <- t (1 - s) + s / 2.
"""
import numpy as np

from .. import backend
from .loss import (EPSILON, Loss, as_predictions, as_targets, check_axis, check_label_smoothing,
                   per_sample_from_rows, rows, same_shape)


def _inputs(y_true, y_pred, label_smoothing, axis):
    check_axis(axis)
    label_smoothing = check_label_smoothing(label_smoothing)
    y_pred = as_predictions(y_pred)
    y_true = as_targets(y_true, y_pred.dtype)
    same_shape(y_true, y_pred, "binary_crossentropy")
    if label_smoothing:
        y_true = y_true * (1 - label_smoothing) + 0.5 * label_smoothing
    return y_true, y_pred


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """mean over the last axis of -(t log p + (1 - t) log(1 - p)): (..., c) -> (...)."""
    t, y_pred = _inputs(y_true, y_pred, label_smoothing, axis)
    if from_logits:
        values = backend.ops.sigmoid_crossentropy(rows(y_pred), rows(t))[0]
    else:
        p = np.clip(y_pred, EPSILON, 1 - EPSILON)
        values = -(t * np.log(p) + (1 - t) * np.log(1 - p)).mean(axis=-1)
    return values.astype(y_pred.dtype, copy=False).reshape(y_pred.shape[:-1])


def binary_crossentropy_grad(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    t, y_pred = _inputs(y_true, y_pred, label_smoothing, axis)
    if from_logits:
        grad = backend.ops.sigmoid_crossentropy(rows(y_pred), rows(t))[1]
        return grad.astype(y_pred.dtype, copy=False).reshape(y_pred.shape)
    lo, hi = y_pred.dtype.type(EPSILON), y_pred.dtype.type(1 - EPSILON)
    p = np.clip(y_pred, lo, hi)
    inside = (y_pred >= lo) & (y_pred <= hi)  # the clip's slope (TensorFlow's rule: 1 on the bounds)
    return (-t / p + (1 - t) / (1 - p)) * inside / y_pred.size


class BinaryCrossentropy(Loss):
    name = "binary_crossentropy"
    logits_activation = "sigmoid"

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1, reduction="sum_over_batch_size",
                 name="binary_crossentropy"):
        super().__init__(reduction=reduction, name=name)
        self.from_logits = bool(from_logits)
        self.label_smoothing = check_label_smoothing(label_smoothing)
        self.axis = check_axis(axis)

    def call(self, y_true, y_pred):
        return binary_crossentropy(y_true, y_pred, self.from_logits, self.label_smoothing)

    def _grad(self, y_true, y_pred):
        return binary_crossentropy_grad(y_true, y_pred, self.from_logits, self.label_smoothing)

    def from_logits_and_grad(self, y_true, logits):
        s = self.label_smoothing
        t = y_true * (1 - s) + 0.5 * s if s else y_true
        if logits.ndim == 2:
            return backend.ops.sigmoid_crossentropy(logits, t)
        losses, dz = backend.ops.sigmoid_crossentropy(rows(logits), rows(t))  # (n, ..., c) as rows
        return per_sample_from_rows(losses, len(logits)), dz.reshape(logits.shape)

    def get_config(self):
        return {**super().get_config(), "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing, "axis": self.axis}
