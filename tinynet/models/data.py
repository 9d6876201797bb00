"""Checking and preparing what ``fit``, ``evaluate`` and ``predict`` are given:
inputs, targets, sample and class weights, validation data, batch size, verbosity.

Every check runs before the model changes, and each error names the argument,
what was expected and what came.
"""
import numbers

import numpy as np

from ..losses import CategoricalCrossentropy
from ..utils.checks import as_float_inputs, positive_int, same_length


def require_compiled(model, method):
    if not model.compiled:
        raise RuntimeError(f"You must call `compile()` before `{method}()`. "
                           f"Received: an uncompiled model '{model.name}'")
    if model.loss is None:
        raise ValueError(f"Model '{model.name}' was compiled without a loss, which `{method}()` needs. "
                         "Call compile() again with loss=..., e.g. loss='sparse_categorical_crossentropy'.")
    if not model.layers:
        raise ValueError(f"Model '{model.name}' has no layers; add some before `{method}()`.")


def batch_size(value):
    """Keras' default: None means batches of 32."""
    return 32 if value is None else positive_int("batch_size", value)


def verbose(value):
    if value == "auto":
        return 1
    if value not in (0, 1, 2) or isinstance(value, bool):
        raise ValueError(f"Argument `verbose` must be 0, 1, 2 or 'auto'. Received: verbose={value!r}")
    return int(value)


def prepare_targets(loss, name, y, output_shape):
    """Check targets against the loss and the model's output; return them ready to use.

    Sparse losses take integer class labels (n,) in [0, classes); categorical
    ones take rows (n, classes); the others take (n, *output_shape).
    """
    y = np.asarray(y)
    units = output_shape[-1]
    if y.dtype.kind not in "biuf":
        raise TypeError(f"Argument `{name}` must hold numbers. Received: {name} with dtype={y.dtype}")
    if loss.sparse:
        if y.ndim == 2 and y.shape[1] == 1:
            y = y[:, 0]
        if y.ndim == 2 and y.shape[1] == units:
            raise ValueError(
                f"Argument `{name}` looks one-hot (shape {y.shape}), but loss '{loss.name}' expects "
                f"integer class labels of shape (n,). Pass {name}.argmax(axis=1), or use "
                f"loss='categorical_crossentropy'. Received: {name}.shape={y.shape}")
        if y.ndim != 1:
            raise ValueError(f"Argument `{name}` must be class labels of shape (n,). "
                             f"Received: {name}.shape={y.shape}")
        if y.dtype.kind == "f" and not (np.isfinite(y).all() and (y == np.round(y)).all()):
            raise ValueError(f"Argument `{name}` must hold whole-number class labels. "
                             f"Received: {name} with non-integer values")
        if y.size and (y.min() < 0 or y.max() >= units):
            raise ValueError(f"Argument `{name}` must hold class labels in [0, {units}) for a model "
                             f"with {units} outputs. Received: labels from {y.min()} to {y.max()}")
        return y.astype(np.int64)
    if isinstance(loss, CategoricalCrossentropy) and y.ndim == 1:
        raise ValueError(
            f"Argument `{name}` holds class labels (shape {y.shape}), but loss '{loss.name}' expects "
            f"one-hot rows of shape (n, {units}). Use loss='sparse_categorical_crossentropy'. "
            f"Received: {name}.shape={y.shape}")
    if y.ndim == 1 and tuple(output_shape) == (1,):
        y = y[:, None]
    if tuple(y.shape[1:]) != tuple(output_shape):
        raise ValueError(f"Argument `{name}` must have shape (n, {', '.join(map(str, output_shape))}) "
                         f"to match the model's output. Received: {name}.shape={y.shape}")
    y = y.astype(np.float32, copy=False)
    if not np.isfinite(y).all():
        raise ValueError(f"Argument `{name}` contains NaN or infinite values. Received: non-finite targets")
    return y


def prepare_data(model, x, y, x_name="x", y_name="y"):
    """(x as float32, y as the loss wants it) after every check."""
    x = as_float_inputs(x_name, x, model._sample_shape)
    y_arr = np.asarray(y) if y is not None else None
    if y_arr is None:
        raise ValueError(f"Argument `{y_name}` is required. Received: {y_name}=None")
    same_length(x_name, x, y_name, y_arr)
    output_shape = model.output_shape_for(x.shape[1:])
    return x, prepare_targets(model.loss, y_name, y_arr, output_shape)


def sample_weights(name, weights, n):
    """None, or float32 weights (n,) of the samples: finite numbers, one per sample."""
    if weights is None:
        return None
    w = np.asarray(weights)
    if w.ndim == 2 and w.shape[1] == 1:
        w = w[:, 0]
    if w.dtype.kind not in "biuf" or w.shape != (n,):
        raise ValueError(f"Argument `{name}` must hold one number per sample, shape ({n},). "
                         f"Received: {name} with shape {w.shape} and dtype {w.dtype}")
    w = w.astype(np.float32)
    if not np.isfinite(w).all():
        raise ValueError(f"Argument `{name}` contains NaN or infinite values. Received: non-finite weights")
    return w


def class_label_of_each_target(y):
    """The class of each target, as Keras' class_weight reads it: the label itself, the
    argmax of a one-hot row, or a single probability rounded to 0 or 1."""
    if y.ndim == 1:
        return y.astype(np.int64)
    if y.shape[1] == 1:
        return np.round(y[:, 0]).astype(np.int64)
    return y.reshape(len(y), -1).argmax(axis=1)


def weights_from_classes(class_weight, y):
    """Per-sample weights (n,) from {class: weight}; a class not in the dict weighs 1.0, as in Keras."""
    if not isinstance(class_weight, dict):
        raise ValueError("Argument `class_weight` must be a dict {class index: weight}. "
                         f"Received: class_weight of type {type(class_weight).__name__}")
    for key, value in class_weight.items():
        ok_key = isinstance(key, numbers.Integral) and not isinstance(key, bool)
        if not ok_key or not isinstance(value, numbers.Real) or not np.isfinite(value):
            raise ValueError("Argument `class_weight` must map integer class indices to finite numbers. "
                             f"Received: {key!r}: {value!r}")
    labels = class_label_of_each_target(y)
    table = np.ones(max([int(labels.max()) + 1 if labels.size else 0] + [int(k) + 1 for k in class_weight]),
                    np.float32)
    for key, value in class_weight.items():
        if key >= 0:
            table[int(key)] = value
    return table[labels]


def validation_parts(validation_data):
    """(x_val, y_val, sample_weight or None) from Keras' 2- or 3-tuple."""
    if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
        kind = type(validation_data).__name__
        length = f" of length {len(validation_data)}" if isinstance(validation_data, (tuple, list)) else ""
        raise ValueError("Argument `validation_data` must be a tuple (x_val, y_val) or (x_val, y_val, "
                         f"sample_weight_val). Received: a {kind}{length}")
    return tuple(validation_data) + (None,) * (3 - len(validation_data))


def check_validation_freq(validation_freq):
    """An int N (validate after every N-th epoch) or a list of epoch numbers, counted
    from 1. Keras documents only the int, and also takes the list."""
    if isinstance(validation_freq, list) and validation_freq and all(
            isinstance(e, int) and not isinstance(e, bool) and e >= 1 for e in validation_freq):
        return validation_freq
    if isinstance(validation_freq, bool) or not isinstance(validation_freq, int) or validation_freq < 1:
        raise ValueError("Argument `validation_freq` must be a positive integer (validate every N "
                         "epochs) or a list of epoch numbers counted from 1. "
                         f"Received: validation_freq={validation_freq!r}")
    return validation_freq


def should_validate(epoch, validation_freq):
    """Does epoch ``epoch`` (counted from 0) end with a validation?"""
    if isinstance(validation_freq, list):
        return epoch + 1 in validation_freq
    return (epoch + 1) % validation_freq == 0


def batches(n, size):
    for start in range(0, n, size):
        yield start, min(start + size, n)
