"""``ModelCheckpoint``: save the model (or its weights) during training, as
``keras.callbacks.ModelCheckpoint``."""
import numbers
import os
import warnings

from .monitor_callback import MonitorCallback


def check_save_freq(save_freq):
    if save_freq == "epoch":
        return save_freq
    if isinstance(save_freq, bool) or not isinstance(save_freq, numbers.Integral) or save_freq < 1:
        raise ValueError("Argument `save_freq` must be 'epoch' or a positive integer (a number of "
                         f"batches). Received: save_freq={save_freq!r}")
    return int(save_freq)


class ModelCheckpoint(MonitorCallback):
    """Save after every epoch, or every ``save_freq`` batches, or only when
    ``monitor`` improves.

    filepath: may hold ``{epoch}`` (counted from 1) and any log name, e.g.
        "w-{epoch:02d}-{val_loss:.2f}.weights.h5"; when saving every N batches
        also ``{batch}`` (counted from 1 within the epoch), and the log names are
        those of the batch (running 'loss', 'accuracy', ..., no 'val_'). Missing
        folders are created. tinynet writes its own .npz format whatever the name
        (Keras insists on .keras, .h5 or .weights.h5 names; tinynet does not).
    save_best_only: save only when ``monitor`` beats the best so far (which
        starts at ``initial_value_threshold``); when the logs lack ``monitor``
        (an epoch that did not validate) it saves anyway, with a warning, as Keras.
    save_weights_only: ``model.save_weights`` instead of ``model.save``.
    save_freq: 'epoch', or N: save after every N-th training batch, counting on
        across epochs (batches 2, 4, 6 of a run with 3 batches per epoch are
        epoch 1 batch 2, epoch 2 batches 1 and 3), and not at epoch ends.
    Each save is atomic (see ``tinynet.models.saving``), so an interrupted run
    leaves the last complete file.
    """

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False,
                 save_weights_only=False, mode="auto", save_freq="epoch", initial_value_threshold=None):
        super().__init__(monitor, mode, initial_value_threshold)
        self.filepath = os.fspath(filepath)
        self.verbose = verbose
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.save_freq = check_save_freq(save_freq)
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen = None
        self._current_epoch = 0

    def on_train_begin(self, logs=None):
        if self.save_best_only:
            self._check_monitor()
            if self.monitor_op is None:
                # Keras chooses it at the first epoch end, so its batch-level best-only
                # saving fails before then; choosing it here avoids that.
                self._set_monitor_op()

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self._should_save_on_batch(batch):
            self._save_model(self._current_epoch, batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._save_model(epoch, None, logs)

    def _should_save_on_batch(self, batch):
        """Count batches across epochs; True every ``save_freq``-th one."""
        if self.save_freq == "epoch":
            return False
        if self._last_batch_seen is None or batch <= self._last_batch_seen:
            self._batches_seen_since_last_saving += batch + 1  # a new epoch: batches 0..batch
        else:
            self._batches_seen_since_last_saving += batch - self._last_batch_seen
        self._last_batch_seen = batch
        if self._batches_seen_since_last_saving >= self.save_freq:
            self._batches_seen_since_last_saving = 0
            return True
        return False

    def _file_path(self, epoch, batch, logs):
        try:
            if batch is None or "batch" in logs:
                return self.filepath.format(epoch=epoch + 1, **logs)
            return self.filepath.format(epoch=epoch + 1, batch=batch + 1, **logs)
        except KeyError as err:
            raise KeyError(f'Failed to format this callback filepath: "{self.filepath}". Reason: {err}') from None

    def _should_save(self, epoch, logs, path):
        if not self.save_best_only:
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: saving model to {path}")
            return True
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(f"Can save best model only with {self.monitor} available.", stacklevel=2)
            return True
        if self.monitor_op is None:
            self._set_monitor_op()
        best = "None" if self.best is None else f"{self.best:.5f}"
        if self._is_improvement(current, self.best):
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: {self.monitor} improved from {best} to {current:.5f}, "
                      f"saving model to {path}")
            self.best = current
            return True
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {best}")
        return False

    def _save_model(self, epoch, batch, logs):
        logs = logs or {}
        path = self._file_path(epoch, batch, logs)
        if not self._should_save(epoch, logs, path):
            return
        folder = os.path.dirname(path)
        if folder:
            os.makedirs(folder, exist_ok=True)
        if os.path.isdir(path):
            raise IOError("Please specify a non-directory filepath for ModelCheckpoint. "
                          f"Filepath used is an existing directory: {path}")
        (self.model.save_weights if self.save_weights_only else self.model.save)(path)
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: finished saving model to {path}")
