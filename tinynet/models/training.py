"""The loops over data: ``fit``, ``evaluate`` and ``predict``.

Keras' meaning of the logged figures: ``loss`` and ``accuracy`` are running means
over the samples seen so far in the epoch (a short last batch counts by its size),
taken while the weights change; ``val_loss`` and ``val_accuracy`` are computed on
the whole validation set after the epoch. Sums are kept in float32, as Keras does.

Every argument is checked before the model changes, so a rejected call leaves
the model exactly as it was.

Callbacks: each loop wraps its callbacks in a ``CallbackList`` and calls Keras'
hooks in Keras' order (see ``tinynet/callbacks/callback.py``). Batch logs are
built only when some callback listens to batch hooks (``wants_...`` flags) or
the progress bar redraws. ``fit(validation_freq=N)`` validates after every N-th
epoch (or after the epochs listed, counted from 1); other epochs have no 'val_' logs.
"""
import hashlib
import math

import numba
import numpy as np

from .. import backend, metrics
from ..callbacks import CallbackList
from ..callbacks.callback_list import as_callback_list
from ..losses import CategoricalCrossentropy
from ..utils.checks import as_float_inputs, fraction, non_negative_int, positive_int, same_length
from ..utils.progbar import Progbar
from ..utils import random as random_state


# -- checking the data ---------------------------------------------------------------------
def _require_compiled(model, method):
    if not model.compiled:
        raise RuntimeError(f"You must call `compile()` before `{method}()`. "
                           f"Received: an uncompiled model '{model.name}'")
    if model.loss is None:
        raise ValueError(f"Model '{model.name}' was compiled without a loss, which `{method}()` needs. "
                         "Call compile() again with loss=..., e.g. loss='sparse_categorical_crossentropy'.")
    if not model.layers:
        raise ValueError(f"Model '{model.name}' has no layers; add some before `{method}()`.")


def _batch_size(value):
    """Keras' default: None means batches of 32."""
    return 32 if value is None else positive_int("batch_size", value)


def _verbose(value):
    if value == "auto":
        return 1
    if value not in (0, 1, 2) or isinstance(value, bool):
        raise ValueError(f"Argument `verbose` must be 0, 1, 2 or 'auto'. Received: verbose={value!r}")
    return int(value)


def prepare_targets(loss, name, y, output_shape):
    """Check targets against the loss and the model's output; return them ready to use.

    Sparse losses take integer class labels (n,) in [0, classes); categorical
    ones take rows (n, classes); mean squared error takes (n, *output_shape).
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


def _validation_pair(validation_data):
    if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
        kind = type(validation_data).__name__
        length = f" of length {len(validation_data)}" if isinstance(validation_data, (tuple, list)) else ""
        raise ValueError("Argument `validation_data` must be a tuple (x_val, y_val). "
                         f"Received: a {kind}{length}")
    return validation_data


def _accuracy(model, x, y):
    """(the accuracy each metric name means here, the class label of each target)."""
    output_units = model.output_shape_for(x.shape[1:])[-1]
    kinds = [metrics.resolve(name, model.loss, output_units) for name in model.metric_names]
    return kinds, metrics.class_labels(kinds[0], y) if kinds else None


# -- the loops -------------------------------------------------------------------------------------
class _RunningMeans:
    """Keras' running means: sum of (batch mean x batch size) over samples seen, in float32."""

    def __init__(self, names, kinds):
        self.names, self.kinds = names, kinds
        self.total_loss = np.float32(0)
        self.correct = [0] * len(names)
        self.seen = 0

    def add(self, batch_loss, out, labels):
        """One batch: its mean loss, the model's output (n, c) and the labels (n,)."""
        size = len(out)
        self.total_loss += np.float32(batch_loss) * np.float32(size)
        self.correct = [c + metrics.count_correct(k, out, labels) for c, k in zip(self.correct, self.kinds)]
        self.seen += size

    def logs(self, prefix=""):
        out = {prefix + "loss": float(self.total_loss / np.float32(self.seen))}
        for name, c in zip(self.names, self.correct):
            out[prefix + name] = float(np.float32(c) / np.float32(self.seen))
        return out


def _batches(n, batch_size):
    for start in range(0, n, batch_size):
        yield start, min(start + batch_size, n)


def _run_inference(model, x, y, labels, kinds, batch_size, verbose, callbacks):
    """Loss and accuracy of the current weights on (x, y), batch by batch, calling
    the test hooks (``evaluate``, and ``fit``'s validation). Returns the logs."""
    means = _RunningMeans(model.metric_names, kinds)
    bar = Progbar(math.ceil(len(x) / batch_size), verbose)
    model.stop_evaluating = False
    callbacks.on_test_begin()
    for step, (start, stop) in enumerate(_batches(len(x), batch_size)):
        if callbacks.wants_test_batch_begin:
            callbacks.on_test_batch_begin(step)
        out = model.forward(x[start:stop], training=False)
        batch_loss = backend.ops.mean(model.sample_losses(out, y[start:stop]))
        means.add(batch_loss, out, None if labels is None else labels[start:stop])
        if callbacks.wants_test_batch_end:
            callbacks.on_test_batch_end(step, means.logs())
        if model.stop_evaluating:
            break
    logs = means.logs()
    bar.finish(logs)
    callbacks.on_test_end(logs)
    return logs


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


def _should_validate(epoch, validation_freq):
    """Does epoch ``epoch`` (counted from 0) end with a validation?"""
    if isinstance(validation_freq, list):
        return epoch + 1 in validation_freq
    return (epoch + 1) % validation_freq == 0


def fit(model, x, y, *, epochs, batch_size, validation_data, validation_split, shuffle,
        verbose, callbacks, initial_epoch, validation_freq=1):
    _require_compiled(model, "fit")
    epochs = positive_int("epochs", epochs)
    batch_size = _batch_size(batch_size)
    initial_epoch = non_negative_int("initial_epoch", initial_epoch)
    validation_split = fraction("validation_split", validation_split)
    validation_freq = check_validation_freq(validation_freq)
    verbose = _verbose(verbose)
    callbacks = as_callback_list(callbacks)
    x, y = prepare_data(model, x, y)
    if validation_data is None and validation_split:
        split = int(len(x) * (1 - validation_split))  # Keras takes the last samples, unshuffled
        if split == 0 or split == len(x):
            raise ValueError(f"Argument `validation_split`={validation_split} leaves an empty "
                             f"training or validation set for {len(x)} samples.")
        validation_data = (x[split:], y[split:])
        x, y = x[:split], y[:split]
    val = None
    if validation_data is not None:
        x_val, y_val = _validation_pair(validation_data)
        val = prepare_data(model, x_val, y_val, "validation_data[0]", "validation_data[1]")
    # -- every check passed: from here on the model changes ----------------------------
    if not model.built:
        model.build((None,) + x.shape[1:])
    model._freeze_trainable_set()
    kinds, labels = _accuracy(model, x, y)
    val_labels = _accuracy(model, *val)[1] if val is not None else None

    steps = math.ceil(len(x) / batch_size)
    log_names = ["loss"] + list(model.metric_names)
    log_names += [f"val_{name}" for name in log_names] if val is not None else []
    callbacks = CallbackList(callbacks, add_history=True, model=model, verbose=verbose, epochs=epochs,
                             steps=steps, metrics=log_names)
    history = callbacks.history
    model.stop_training = False
    callbacks.on_train_begin()  # a callback may refuse here (say, a misspelled monitor): nothing trained yet
    training_logs = None
    buffer = np.empty((batch_size,) + x.shape[1:], dtype=np.float32)  # reused by every batch
    for epoch in range(initial_epoch, epochs):
        callbacks.on_epoch_begin(epoch)
        if verbose:
            print(f"Epoch {epoch + 1}/{epochs}")
        order = random_state.generator().permutation(len(x)) if shuffle else None
        bar = Progbar(steps, verbose)
        means = _RunningMeans(model.metric_names, kinds)
        for step, (start, stop) in enumerate(_batches(len(x), batch_size)):
            if callbacks.wants_train_batch_begin:
                callbacks.on_train_batch_begin(step)
            if order is None:
                xb, yb, lb = x[start:stop], y[start:stop], None if labels is None else labels[start:stop]
            else:
                idx = order[start:stop]
                xb = x.take(idx, axis=0, out=buffer[: stop - start], mode="clip")
                yb = y[idx]
                lb = yb if labels is y else None if labels is None else labels[idx]  # sparse: one gather
            sample_losses, out = model.compute_gradients(xb, yb)
            batch_loss = backend.ops.mean(sample_losses)  # an inf or NaN loss is reported just below
            if not (math.isfinite(batch_loss) and model.gradients_finite()):
                history.stop_reason = _stop_on_nonfinite(epoch, step, batch_loss, verbose)
                model.stop_training = True
                break
            model.optimizer.apply(model._params, model.gradients())
            means.add(batch_loss, out, lb)
            if callbacks.wants_train_batch_end or bar.due():
                logs = means.logs()
                bar.update(step + 1, logs)
                if callbacks.wants_train_batch_end:
                    callbacks.on_train_batch_end(step, logs)
            if model.stop_training:  # set by a callback: end the epoch here, as Keras does
                break
        if history.stop_reason is not None:
            break
        epoch_logs = means.logs()
        if val is not None and _should_validate(epoch, validation_freq):
            val_logs = _run_inference(model, val[0], val[1], val_labels, kinds, batch_size, 0, callbacks)
            epoch_logs.update({f"val_{name}": value for name, value in val_logs.items()})
        bar.finish(callbacks.on_epoch_end(epoch, epoch_logs))  # with what the callbacks added
        training_logs = epoch_logs
        if model.stop_training:
            break
    callbacks.on_train_end(training_logs)
    history.receipt = receipt(model)
    return history


def _stop_on_nonfinite(epoch, step, batch_loss, verbose):
    """Say why training stops; the update of this batch was not applied."""
    what = "loss" if not np.isfinite(batch_loss) else "gradient"
    message = (f"Epoch {epoch + 1}, batch {step + 1}: the {what} became NaN or infinite, so training "
               "stopped and the weights from before this batch were kept. Usual causes: a learning "
               "rate that is too high (try one 10x smaller), or inputs that are not normalised "
               "(divide pixel values by 255).")
    print(message)
    return {"reason": "non-finite " + what, "epoch": epoch, "batch": step, "message": message}


def receipt(model):
    """What decides a run's numbers, and a fingerprint of its final weights, so two
    runs can be compared at a glance."""
    from .. import __version__  # here, not at the top: tinynet/__init__ is still importing us

    digest = hashlib.sha256()
    for w in model.get_weights():
        digest.update(np.ascontiguousarray(w).tobytes())
    return {"seed": random_state.current_seed(), "backend": backend.get_backend(),
            "threads": backend.get_num_threads(), "tinynet": __version__,
            "numpy": np.__version__, "numba": numba.__version__, "weights_sha256": digest.hexdigest()[:16]}


def evaluate(model, x, y, *, batch_size, verbose, callbacks=None):
    _require_compiled(model, "evaluate")
    batch_size = _batch_size(batch_size)
    verbose = _verbose(verbose)
    callbacks = as_callback_list(callbacks)
    x, y = prepare_data(model, x, y)
    if not model.built:
        model.build((None,) + x.shape[1:])
    kinds, labels = _accuracy(model, x, y)
    callbacks = CallbackList(callbacks, model=model, verbose=verbose, epochs=1,
                             steps=math.ceil(len(x) / batch_size))
    logs = _run_inference(model, x, y, labels, kinds, batch_size, verbose, callbacks)
    values = [logs["loss"]] + [logs[name] for name in model.metric_names]
    return values if model.metric_names else values[0]


def predict(model, x, *, batch_size, verbose, callbacks=None):
    """The outputs for x, batch by batch; each batch's outputs reach the callbacks
    as on_predict_batch_end's {'outputs': (n, *output_shape)} (a view of the result)."""
    if not model.layers:
        raise ValueError(f"Model '{model.name}' has no layers; add some before `predict()`.")
    batch_size = _batch_size(batch_size)
    verbose = _verbose(verbose)
    callbacks = as_callback_list(callbacks)
    x = as_float_inputs("x", x, model._sample_shape)
    output_shape = model.output_shape_for(x.shape[1:])
    if not model.built:
        model.build((None,) + x.shape[1:])
    out = np.empty((len(x),) + tuple(output_shape), dtype=np.float32)
    steps = math.ceil(len(x) / batch_size)
    callbacks = CallbackList(callbacks, model=model, verbose=verbose, epochs=1, steps=steps)
    bar = Progbar(steps, verbose)
    model.stop_predicting = False
    callbacks.on_predict_begin()
    for step, (start, stop) in enumerate(_batches(len(x), batch_size)):
        if callbacks.wants_predict_batch_begin:
            callbacks.on_predict_batch_begin(step)
        out[start:stop] = model.forward(x[start:stop], training=False)
        if callbacks.wants_predict_batch_end:
            callbacks.on_predict_batch_end(step, {"outputs": out[start:stop]})
        if model.stop_predicting:
            out = out[:stop]  # as Keras: the outputs of the batches that ran
            break
    bar.finish({})
    callbacks.on_predict_end()
    return out
