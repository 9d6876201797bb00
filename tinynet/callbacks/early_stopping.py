"""``EarlyStopping``: stop training when a figure stops improving, as
``keras.callbacks.EarlyStopping``."""
import warnings

from ..utils.checks import non_negative_int
from .monitor_callback import MonitorCallback, check_number


class EarlyStopping(MonitorCallback):
    """Stop when ``monitor`` has not improved by more than ``min_delta`` for
    ``patience`` epochs; optionally put back the weights of the best epoch.

    mode: 'min', 'max' or 'auto' (min for a loss, max for an accuracy).
    baseline: a value to beat; while the best is not past it, the wait is not
    reset, so training stops after ``patience`` epochs short of it.
    restore_best_weights: at the end of training (stopped early or not), set
    the weights of the best epoch seen.
    Epochs before ``start_from_epoch`` are a warm-up: never counted, never best.
    An epoch whose logs lack ``monitor`` (one that did not validate, with
    ``validation_freq`` > 1) is skipped, with a warning, as Keras does.
    """

    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto",
                 baseline=None, restore_best_weights=False, start_from_epoch=0):
        super().__init__(monitor, mode, min_delta=min_delta)
        self.patience = non_negative_int("patience", patience)
        self.start_from_epoch = non_negative_int("start_from_epoch", start_from_epoch)
        self.baseline = None if baseline is None else check_number("baseline", baseline)
        self.verbose = verbose
        self.restore_best_weights = restore_best_weights
        self.wait = 0
        self.stopped_epoch = 0
        self.best_weights = None
        self.best_epoch = 0

    def on_train_begin(self, logs=None):
        self._check_monitor()
        if self.monitor_op is None:
            self._set_monitor_op()
        # reset, so that one instance can serve several fit calls
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_weights = None
        self.best_epoch = 0

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()
        current = self.get_monitor_value(logs)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()  # something to restore, even if nothing improves
            self.best_epoch = epoch
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0  # only a value past the baseline too restarts the wait
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print(f"Restoring model weights from the end of the best epoch: {self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)

    def get_monitor_value(self, logs):
        value = (logs or {}).get(self.monitor)
        if value is None:
            warnings.warn(f"Early stopping conditioned on metric `{self.monitor}` which is not available. "
                          f"Available metrics are: {','.join(logs or {})}", stacklevel=2)
        return value
