"""``MonitorCallback``: what EarlyStopping, ModelCheckpoint and ReduceLROnPlateau
share, as Keras' (internal) ``MonitorCallback``: which way the watched figure
improves, and whether a value beats the best so far.
"""
import numbers

import numpy as np

from .callback import Callback

MODES = ("auto", "max", "min")


def check_mode(mode):
    # Keras warns about an unknown mode and falls back to 'auto'; tinynet refuses it.
    if mode not in MODES:
        raise ValueError(f"Argument `mode` must be one of {list(MODES)}. Received: mode={mode!r}")
    return mode


def check_number(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"Argument `{name}` must be a number. Received: {name}={value!r}")
    return float(value)


class MonitorCallback(Callback):
    """monitor: the log name to watch, e.g. 'val_loss'. mode: 'min', 'max', or
    'auto' (min for a loss, max for an accuracy; anything else must be told).
    baseline: the starting "best" (None: the first value is an improvement).
    min_delta: how much a value must beat the best by to count (>= 0).
    """

    def __init__(self, monitor="val_loss", mode="auto", baseline=None, min_delta=0):
        super().__init__()
        self.monitor = monitor
        self.mode = check_mode(mode)
        self.best = baseline
        self.min_delta = abs(check_number("min_delta", min_delta))
        self.monitor_op = None  # np.less or np.greater, chosen by _set_monitor_op

    def _check_monitor(self):
        """Refuse, before training starts, to watch a figure that fit will never log.
        (Keras only warns, once per epoch; tinynet stops before any weight changes.)
        ``params['metrics']`` lists what fit logs; without it there is nothing to check."""
        logged = (self.params or {}).get("metrics")
        if logged is not None and self.monitor not in logged:
            raise ValueError(f"{type(self).__name__} monitors '{self.monitor}', which fit will not log. "
                             f"Expected one of {logged}. Received: monitor={self.monitor!r}")

    def _set_monitor_op(self):
        """Choose the comparison. 'auto': a loss improves downwards, an accuracy upwards."""
        direction = self.mode
        if direction == "auto":
            name = self.monitor.removeprefix("val_")
            if name == "loss":
                direction = "min"
            elif _direction_of(self.model, name) is not None:
                direction = "max" if _direction_of(self.model, name) == "up" else "min"
            else:
                raise ValueError(
                    f"{type(self).__name__} callback received monitor={self.monitor}, but tinynet isn't "
                    "able to automatically determine whether that metric should be maximized or "
                    "minimized. Pass `mode='max'` in order to monitor based on the highest metric "
                    "value, or pass `mode='min'` in order to use the lowest value.")
        self.monitor_op = np.less if direction == "min" else np.greater

    def _is_improvement(self, value, reference):
        """True when ``value`` beats ``reference`` by more than ``min_delta``
        (value + min_delta < reference in 'min' mode, value - min_delta > reference in
        'max' mode); always True against None."""
        if reference is None:
            return True
        shifted = value + self.min_delta if self.monitor_op is np.less else value - self.min_delta
        # Keras compares in float32 (its ops turn Python floats into float32 tensors),
        # so values equal to float32 precision are not an improvement there either.
        return bool(self.monitor_op(np.float32(shifted), np.float32(reference)))


def _direction_of(model, name):
    """'up' or 'down' for a compiled metric of that name (Keras' metric._direction), else None."""
    compiled = getattr(model, "compiled_metrics", None)
    for metric in compiled() if compiled is not None else []:
        if metric.name == name:
            return metric.direction
    return None
