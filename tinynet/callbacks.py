"""Callbacks: code that ``fit`` runs at the start and end of training, of each
epoch and of each batch, as in ``keras.callbacks``.

``fit`` calls, in order: on_train_begin, then per epoch on_epoch_begin,
on_train_batch_end after every batch, on_epoch_end with the epoch's logs
(``loss``, ``accuracy``, ``val_loss``, ``val_accuracy``), and on_train_end.
A callback stops training by setting ``self.model.stop_training = True``.
"""
import numbers

import numpy as np

from .utils.checks import non_negative_int


class Callback:
    model = None
    params = None

    def set_model(self, model):
        self.model = model

    def set_params(self, params):
        self.params = params

    def on_train_begin(self, logs=None): ...
    def on_train_end(self, logs=None): ...
    def on_epoch_begin(self, epoch, logs=None): ...
    def on_epoch_end(self, epoch, logs=None): ...
    def on_train_batch_end(self, batch, logs=None): ...


def _mode(monitor, mode):
    """'min' or 'max': how ``monitor`` improves. 'auto' means max for accuracies."""
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"Argument `mode` must be one of ['auto', 'max', 'min']. Received: mode={mode!r}")
    return ("max" if "acc" in monitor else "min") if mode == "auto" else mode


def _improves(value, reference, mode, min_delta=0.0):
    """True when ``value`` beats ``reference`` by more than ``min_delta``."""
    return value + min_delta < reference if mode == "min" else value - min_delta > reference


def _check_monitor(callback):
    """Refuse, before training starts, to watch a figure that fit will not log."""
    logged = (callback.params or {}).get("metrics", [])
    if callback.monitor not in logged:
        raise ValueError(f"{type(callback).__name__} monitors '{callback.monitor}', which fit will not log. "
                         f"Expected one of {logged}. Received: monitor={callback.monitor!r}")


class History(Callback):
    """What ``fit`` returns: ``history`` maps each log name to one value per epoch.

    ``stop_reason``: None, or a dict (reason, epoch, batch, message) when training
    stopped on a NaN or infinite loss or gradient. ``receipt``: seed, backend,
    thread count, versions and a hash of the final weights.
    """

    def __init__(self):
        self.epoch = []
        self.history = {}
        self.stop_reason = None
        self.receipt = None

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for name, value in (logs or {}).items():
            self.history.setdefault(name, []).append(value)


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved by more than ``min_delta`` for
    ``patience`` epochs; optionally put back the weights of the best epoch.

    mode: 'min', 'max' or 'auto' (max for names containing 'acc', else min).
    Epochs before ``start_from_epoch`` are a warm-up: never counted, never best.
    """

    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto",
                 baseline=None, restore_best_weights=False, start_from_epoch=0):
        self.mode = _mode(monitor, mode)
        self.patience = non_negative_int("patience", patience)
        self.start_from_epoch = non_negative_int("start_from_epoch", start_from_epoch)
        if isinstance(min_delta, bool) or not isinstance(min_delta, numbers.Real):
            raise ValueError(f"Argument `min_delta` must be a number. Received: min_delta={min_delta!r}")
        self.monitor = monitor
        self.min_delta = abs(float(min_delta))
        self.verbose = verbose
        self.baseline = baseline
        self.restore_best_weights = restore_best_weights

    def on_train_begin(self, logs=None):
        _check_monitor(self)
        self.wait = 0
        self.stopped_epoch = 0
        self.best = np.inf if self.mode == "min" else -np.inf
        self.best_epoch = 0
        self.best_weights = None

    def on_epoch_end(self, epoch, logs=None):
        value = logs[self.monitor]
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()  # something to restore from
        if epoch < self.start_from_epoch:
            return
        self.wait += 1
        if _improves(value, self.best, self.mode, self.min_delta):
            self.best, self.best_epoch = value, epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or _improves(value, self.baseline, self.mode, self.min_delta):
                self.wait = 0
                return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch and self.restore_best_weights and self.best_weights is not None:
            self.model.set_weights(self.best_weights)
            if self.verbose:
                print(f"Restoring model weights from the end of the best epoch: {self.best_epoch + 1}.")
        if self.stopped_epoch and self.verbose:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")


class TerminateOnNaN(Callback):
    """Stop training when a batch's loss is NaN or infinite, as Keras' does.

    tinynet's ``fit`` already checks every batch before applying its update (see
    ``History.stop_reason``); this callback is here so Keras code runs unchanged,
    and acts on any loss that reaches it.
    """

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not np.isfinite(loss):
            print(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True


class ModelCheckpoint(Callback):
    """Save the model after every epoch, or only when ``monitor`` improves.

    ``filepath`` may hold ``{epoch}`` and log names, e.g. "model-{epoch:02d}.npz".
    Each save is atomic (``Sequential.save``), so an interrupted run leaves the
    last complete file.
    """

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False,
                 save_weights_only=False, mode="auto"):
        self.mode = _mode(monitor, mode)
        self.filepath = str(filepath)
        self.monitor = monitor
        self.verbose = verbose
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.best = np.inf if self.mode == "min" else -np.inf

    def on_train_begin(self, logs=None):
        if self.save_best_only:
            _check_monitor(self)

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        path = self.filepath.format(epoch=epoch + 1, **logs)
        if self.save_best_only:
            value = logs[self.monitor]
            if not _improves(value, self.best, self.mode):
                return
            self.best = value
        if self.verbose:
            print(f"Epoch {epoch + 1}: saving model to {path}")
        (self.model.save_weights if self.save_weights_only else self.model.save)(path)
