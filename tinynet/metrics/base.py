"""The Metric base class, and Keras' running means.

A metric keeps totals across batches: ``update_state(y_true, y_pred,
sample_weight=None)`` adds a batch, ``result()`` reads the figure,
``reset_state()`` starts again. The totals are float32, as Keras keeps them.

``Mean`` is the running mean that most metrics are: each batch gives values
(n, ...), reduced to one per sample (the mean over the other axes), and

    result = sum_i w_i v_i / sum_i w_i        (w_i = 1 without sample weights; 0 if no weight at all)

with Keras' handling of weights of other shapes: a weight (n,) or (n, 1) per
sample; weights (n, k) are first reduced to their mean per sample; a single
number weights the whole batch's mean.
"""
import re

import numpy as np

from ..losses.loss import as_numbers, squeeze_or_expand_to_same_rank

_NAME_COUNTS = {}


def auto_name(class_name):
    """Keras' default name of an unnamed metric: snake_case, made unique with _1, _2, ..."""
    base = re.sub(r"(?<!^)(?=[A-Z])", "_", class_name).lower()
    count = _NAME_COUNTS.get(base, 0)
    _NAME_COUNTS[base] = count + 1
    return base if count == 0 else f"{base}_{count}"


def _check_dtype(dtype):
    if dtype not in (None, "float32"):
        raise ValueError(f"Argument `dtype` must be None or 'float32': tinynet's metrics keep float32 totals. "
                         f"Received: dtype={dtype!r}")


class Metric:
    """A figure accumulated over batches (see the module docstring)."""
    direction = None  # "up" or "down": which way is better, for callbacks' mode="auto"


    def __init__(self, name=None, dtype=None):
        _check_dtype(dtype)
        self.name = auto_name(type(self).__name__) if name is None else str(name)
        self.dtype = "float32"

    def update_state(self, y_true, y_pred, sample_weight=None):
        raise NotImplementedError

    def result(self):
        raise NotImplementedError

    def reset_state(self):
        raise NotImplementedError

    def __call__(self, *args, **kwargs):
        """Keras' shortcut: update_state(...) then result()."""
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"


def reduce_to_samplewise_values(values, sample_weight, reduce_fn=np.mean):
    """(one float32 value per sample, the weights as Keras applies them); see the module docstring."""
    values = np.asarray(values, np.float32)
    if sample_weight is not None:
        weight = as_numbers("sample_weight", sample_weight).astype(np.float32)
        values, weight = squeeze_or_expand_to_same_rank(values, weight)
        if values.ndim > weight.ndim:
            values = reduce_fn(values, axis=tuple(range(weight.ndim, values.ndim)))
        try:
            weight_b = np.broadcast_to(weight, values.shape)
        except ValueError:
            raise ValueError(f"Argument `sample_weight` must broadcast against the metric's values, whose shape is "
                             f"{values.shape}. Received: sample_weight.shape={weight.shape}") from None
        values = values * weight_b
        sample_weight = weight_b if weight.ndim <= 1 else reduce_fn(weight_b, axis=tuple(range(1, weight.ndim)))
    if values.ndim > 1:
        values = reduce_fn(values, axis=tuple(range(1, values.ndim)))
    return values, sample_weight


class Mean(Metric):
    """The running (weighted) mean of the values given to ``update_state(values, sample_weight=None)``."""

    def __init__(self, name="mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.reset_state()

    def reset_state(self):
        self.total = np.float32(0)
        self.count = np.float32(0)

    def update_state(self, values, sample_weight=None):
        values, sample_weight = reduce_to_samplewise_values(values, sample_weight)
        self.total = np.float32(self.total + values.sum(dtype=np.float32))
        if sample_weight is not None:
            seen = np.sum(sample_weight, dtype=np.float32)
        else:
            seen = values.shape[0] if values.ndim else 1
        self.count = np.float32(self.count + np.float32(seen))

    def _add_counts(self, total, seen):
        """Add a batch already summed: ``total`` of the per-sample values over ``seen`` samples."""
        self.total = np.float32(self.total + np.float32(total))
        self.count = np.float32(self.count + np.float32(seen))

    def result(self):
        return float(self.total / self.count) if self.count else 0.0  # Keras' divide_no_nan


class MeanMetricWrapper(Mean):
    """The running mean of ``fn(y_true, y_pred, **kwargs)``, e.g. a loss function
    or an accuracy: ``MeanMetricWrapper(my_fn, name='my_metric')``."""

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name=name, dtype=dtype)
        self._fn, self._fn_kwargs = fn, kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        super().update_state(self._fn(y_true, y_pred, **self._fn_kwargs), sample_weight=sample_weight)

    def get_config(self):
        return {**super().get_config(), **self._fn_kwargs}
