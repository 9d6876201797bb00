"""The loops over data: ``fit``, ``evaluate`` and ``predict``.

Keras' meaning of the logged figures: ``loss`` and the metrics are running means
over the samples seen so far in the epoch (``tracker.py``), taken while the
weights change; ``val_loss`` and the other ``val_`` figures are computed on the
whole validation set after the epoch.

Every argument is checked before the model changes (``data.py``), so a rejected
call leaves the model exactly as it was.

Callbacks: each loop wraps its callbacks in a ``CallbackList`` and calls Keras'
hooks in Keras' order (see ``tinynet/callbacks/callback.py``). Batch logs are
built only when some callback listens to batch hooks (``wants_...`` flags) or
the progress bar redraws. ``fit(validation_freq=N)`` validates after every N-th
epoch (or after the epochs listed, counted from 1); other epochs have no 'val_' logs.

One training step is ``_layer_step``: the layers' forward and backward passes
(``Sequential.compute_gradients``), the finiteness check, ``optimizer.apply``.
For the models ``compiled_step.py`` covers, ``fit`` runs the same kernels in the
same order as one compiled call per batch instead, with the same results;
``compile(jit_compile=False)`` or the 'numpy' backend keeps the layer-by-layer step.
"""
import hashlib
import math

import numba
import numpy as np

from .. import backend
from ..callbacks import CallbackList
from ..callbacks.callback_list import as_callback_list
from ..utils.checks import as_float_inputs, fraction, non_negative_int, positive_int
from ..utils.progbar import Progbar
from ..utils import random as random_state
from . import compiled_step, data
from .tracker import Tracker


def _batch_loss(model, sample_losses, weights):
    """sum_i w_i l_i / n (the plain mean without weights), plus the penalties."""
    if weights is not None:
        sample_losses = sample_losses * weights
    loss = backend.ops.mean(sample_losses)  # an inf or NaN loss is reported by the caller
    return loss + np.float32(sum(model.losses)) if model.has_regularizers else loss


def _run_inference(model, x, y, weights, batch_size, verbose, callbacks):
    """Loss and metrics of the current weights on (x, y), batch by batch, calling
    the test hooks (``evaluate``, and ``fit``'s validation). Returns the logs."""
    tracker = Tracker(model, model.compiled_metrics(), y)
    bar = Progbar(math.ceil(len(x) / batch_size), verbose)
    model.stop_evaluating = False
    callbacks.on_test_begin()
    for step, (start, stop) in enumerate(data.batches(len(x), batch_size)):
        if callbacks.wants_test_batch_begin:
            callbacks.on_test_batch_begin(step)
        rows = slice(start, stop)
        out = model.forward(x[rows], training=False)
        batch_loss = _batch_loss(model, model.sample_losses(out, y[rows]), None if weights is None else weights[rows])
        tracker.add(batch_loss, out, y[rows], rows)
        if callbacks.wants_test_batch_end:
            callbacks.on_test_batch_end(step, tracker.logs())
        if model.stop_evaluating:
            break
    logs = tracker.logs()
    bar.finish(logs)
    callbacks.on_test_end(logs)
    return logs


def _training_weights(y, sample_weight, class_weight):
    if sample_weight is not None and class_weight is not None:
        raise ValueError("You cannot `class_weight` and `sample_weight` at the same time. "
                         "Received: both; fold the class weights into sample_weight instead.")
    if class_weight is not None:
        return data.weights_from_classes(class_weight, y)
    return data.sample_weights("sample_weight", sample_weight, len(y))


def fit(model, x, y, *, epochs, batch_size, validation_data, validation_split, shuffle, verbose,
        callbacks, initial_epoch, validation_freq=1, class_weight=None, sample_weight=None):
    data.require_compiled(model, "fit")
    epochs = positive_int("epochs", epochs)
    batch_size = data.batch_size(batch_size)
    initial_epoch = non_negative_int("initial_epoch", initial_epoch)
    validation_split = fraction("validation_split", validation_split)
    validation_freq = data.check_validation_freq(validation_freq)
    verbose = data.verbose(verbose)
    callbacks = as_callback_list(callbacks)
    x, y = data.prepare_data(model, x, y)
    weights = _training_weights(y, sample_weight, class_weight)
    val = None
    if validation_data is None and validation_split:
        split = int(len(x) * (1 - validation_split))  # Keras takes the last samples, unshuffled
        if split == 0 or split == len(x):
            raise ValueError(f"Argument `validation_split`={validation_split} leaves an empty "
                             f"training or validation set for {len(x)} samples.")
        val = (x[split:], y[split:], None if weights is None else weights[split:])
        x, y, weights = x[:split], y[:split], None if weights is None else weights[:split]
    elif validation_data is not None:
        x_val, y_val, w_val = data.validation_parts(validation_data)
        x_val, y_val = data.prepare_data(model, x_val, y_val, "validation_data[0]", "validation_data[1]")
        val = (x_val, y_val, data.sample_weights("validation_data[2]", w_val, len(y_val)))
    # -- every check passed: from here on the model changes ----------------------------
    if not model.built:
        model.build((None,) + x.shape[1:])
    model._freeze_trainable_set()
    metrics = model.compiled_metrics()
    compiled = compiled_step.for_fit(model, x, weights)  # None: the step runs layer by layer

    steps = math.ceil(len(x) / batch_size)
    log_names = ["loss"] + [m.name for m in metrics]
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
        tracker = Tracker(model, metrics, y)
        for step, (start, stop) in enumerate(data.batches(len(x), batch_size)):
            if callbacks.wants_train_batch_begin:
                callbacks.on_train_batch_begin(step)
            if compiled is not None:
                labels = tracker.labels[0] if tracker.labels else y  # what the accuracy counts
                batch_loss, correct, finite = compiled(order, start, stop, y, labels)
                if finite:
                    tracker.add_counted(batch_loss, stop - start, correct)
            else:
                batch_loss, finite = _layer_step(model, x, y, weights, buffer, order, start, stop, tracker)
            if not finite:
                history.stop_reason = _stop_on_nonfinite(epoch, step, batch_loss, verbose)
                model.stop_training = True
                break
            if callbacks.wants_train_batch_end or bar.due():
                logs = tracker.logs()
                bar.update(step + 1, logs)
                if callbacks.wants_train_batch_end:
                    callbacks.on_train_batch_end(step, logs)
            if model.stop_training:  # set by a callback: end the epoch here, as Keras does
                break
        if history.stop_reason is not None:
            break
        epoch_logs = tracker.logs()
        if val is not None and data.should_validate(epoch, validation_freq):
            val_logs = _run_inference(model, val[0], val[1], val[2], batch_size, 0, callbacks)
            epoch_logs.update({f"val_{name}": value for name, value in val_logs.items()})
        bar.finish(callbacks.on_epoch_end(epoch, epoch_logs))  # with what the callbacks added
        training_logs = epoch_logs
        if model.stop_training:
            break
    callbacks.on_train_end(training_logs)
    history.receipt = receipt(model)
    return history


def _layer_step(model, x, y, weights, buffer, order, start, stop, tracker):
    """One training step, layer by layer: gather the batch, forward, loss and backward
    (``compute_gradients``), check, update (``optimizer.apply``), count. Returns
    (batch loss, finite); when not finite the weights are left as they were."""
    if order is None:
        rows = slice(start, stop)
        xb = x[rows]
    else:
        rows = order[start:stop]
        xb = x.take(rows, axis=0, out=buffer[: stop - start], mode="clip")
    yb, wb = y[rows], None if weights is None else weights[rows]
    sample_losses, out = model.compute_gradients(xb, yb, wb)
    batch_loss = _batch_loss(model, sample_losses, wb)
    if not (math.isfinite(batch_loss) and model.gradients_finite()):
        return batch_loss, False
    model.optimizer.apply(model._params, model.gradients())
    tracker.add(batch_loss, out, yb, rows)
    return batch_loss, True


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


def evaluate(model, x, y, *, batch_size, verbose, callbacks=None, sample_weight=None, return_dict=False):
    data.require_compiled(model, "evaluate")
    batch_size = data.batch_size(batch_size)
    verbose = data.verbose(verbose)
    callbacks = as_callback_list(callbacks)
    x, y = data.prepare_data(model, x, y)
    weights = data.sample_weights("sample_weight", sample_weight, len(y))
    if not model.built:
        model.build((None,) + x.shape[1:])
    callbacks = CallbackList(callbacks, model=model, verbose=verbose, epochs=1,
                             steps=math.ceil(len(x) / batch_size))
    logs = _run_inference(model, x, y, weights, batch_size, verbose, callbacks)
    if return_dict:
        return dict(sorted(logs.items()))  # Keras returns its logs in sorted order
    names = model.metrics_names
    return [logs[name] for name in names] if len(names) > 1 else logs["loss"]


def predict(model, x, *, batch_size, verbose, callbacks=None):
    """The outputs for x, batch by batch; each batch's outputs reach the callbacks
    as on_predict_batch_end's {'outputs': (n, *output_shape)} (a view of the result)."""
    if not model.layers:
        raise ValueError(f"Model '{model.name}' has no layers; add some before `predict()`.")
    batch_size = data.batch_size(batch_size)
    verbose = data.verbose(verbose)
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
    for step, (start, stop) in enumerate(data.batches(len(x), batch_size)):
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
