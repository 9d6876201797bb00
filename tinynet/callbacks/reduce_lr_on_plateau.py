"""``ReduceLROnPlateau``: lower the learning rate when a figure stops improving,
as ``keras.callbacks.ReduceLROnPlateau``."""
import warnings

import numpy as np

from ..utils.checks import non_negative_int
from .monitor_callback import MonitorCallback, check_number


class ReduceLROnPlateau(MonitorCallback):
    """After ``patience`` epochs without ``monitor`` improving by more than
    ``min_delta``, set lr = max(lr * factor, min_lr); then wait ``cooldown``
    epochs (improvements still count, waiting does not) before counting again.
    An lr already at ``min_lr`` is left alone.

    Every epoch's logs get 'learning_rate', the rate used in that epoch (before
    any reduction at its end), as Keras adds it.
    mode: 'min', 'max' or 'auto' (min for a loss, max for an accuracy).
    """

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto",
                 min_delta=1e-4, cooldown=0, min_lr=0.0):
        super().__init__(monitor, mode, min_delta=min_delta)
        factor = check_number("factor", factor)
        if not 0 <= factor < 1:
            raise ValueError("Argument `factor` must be a number in [0, 1): ReduceLROnPlateau does not "
                             f"support a factor >= 1.0. Received: factor={factor}")
        self.factor = factor
        self.min_lr = check_number("min_lr", min_lr)
        self.patience = non_negative_int("patience", patience)
        self.cooldown = non_negative_int("cooldown", cooldown)
        self.verbose = verbose
        self.cooldown_counter = 0
        self.wait = 0

    def on_train_begin(self, logs=None):
        self._check_monitor()
        if self.monitor_op is None:
            self._set_monitor_op()
        self.best = None
        self.cooldown_counter = 0
        self.wait = 0

    def in_cooldown(self):
        return self.cooldown_counter > 0

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()
        logs = {} if logs is None else logs
        logs["learning_rate"] = float(self.model.optimizer.learning_rate)
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(f"Learning rate reduction is conditioned on metric `{self.monitor}` which is not "
                          f"available. Available metrics are: {','.join(logs)}.", stacklevel=2)
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self._is_improvement(current, self.best):
            self.best = current
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience and self._reduce_lr(epoch):
                self.cooldown_counter = self.cooldown
                self.wait = 0

    def _reduce_lr(self, epoch):
        """lr = max(lr * factor, min_lr), unless lr is at min_lr already (compared in
        float32, as Keras stores the rate). True when it changed the rate."""
        optimizer = self.model.optimizer
        old_lr = float(optimizer.learning_rate)
        if not np.float32(old_lr) > np.float32(self.min_lr):
            return False
        new_lr = max(old_lr * self.factor, self.min_lr)
        optimizer.learning_rate = new_lr
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new_lr}.")
        return True
