"""The ``Loss`` base class, and what every loss does to its inputs first.

Inputs, as Keras takes them: arrays of any rank, Python lists, ints or floats.
y_pred becomes a float array (float32 and float64 arrays are kept, anything
else, Python lists included, becomes float32, Keras' default float) and y_true
takes y_pred's dtype. The
loss is worked out along the last axis: y_pred (n, ..., c) -> values (n, ...).

Rank matching (Keras' ``squeeze_or_expand_to_same_rank``): when the ranks of two
arrays differ by one and the longer one ends in an axis of size 1, that axis is
dropped, or, if the other array is 1-D, added to it. So targets (n,) meet
predictions (n, 1) as (n, 1) and (n, 1): ``MeanSquaredError()(y, y[:, None])`` is 0.

Reduction of ``loss(y_true, y_pred, sample_weight)``, Keras' default
'sum_over_batch_size': sum(values * sample_weight) / (number of values), so a
weight of 0 still counts in the divisor. 'sum' stops after the sum;
'mean_with_sample_weight' divides by sum(sample_weight); None or 'none' returns
the weighted values unreduced. Inside ``fit`` the loss is always the batch mean.
"""
import numbers

import numpy as np

EPSILON = 1e-7  # Keras' backend.epsilon(): probabilities are clipped to [EPSILON, 1 - EPSILON]
REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None)


# -- inputs ----------------------------------------------------------------------------
def as_numbers(name, x):
    """``x`` (array, list or number) as a NumPy array of numbers, else a TypeError."""
    try:
        arr = np.asarray(x)
    except Exception as err:  # e.g. ragged nested lists
        raise TypeError(f"Argument `{name}` must be an array of numbers. Received: {err}") from None
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"Argument `{name}` must hold numbers. Received: {name} with dtype={arr.dtype}")
    return arr


def as_predictions(y_pred):
    """y_pred as floats of rank >= 1: float32 and float64 arrays kept, the rest
    (Python lists and numbers too) float32."""
    arr = as_numbers("y_pred", y_pred)
    from_python = not isinstance(y_pred, (np.ndarray, np.generic))
    if from_python or (arr.dtype != np.float32 and arr.dtype != np.float64):
        arr = arr.astype(np.float32)
    if arr.ndim == 0:
        raise ValueError("Argument `y_pred` must have at least one axis, the outputs being on the last. "
                         f"Received: y_pred.shape=()")
    return arr


def as_targets(y_true, dtype):
    """y_true as floats of y_pred's dtype (Keras casts it so)."""
    return as_numbers("y_true", y_true).astype(dtype, copy=False)


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1=True):
    """Keras' rank matching (see the module docstring); returns the pair."""
    r1, r2 = x1.ndim, x2.ndim
    if r1 == r2 + 1 and x1.shape[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = x2[:, None]
        else:
            x1 = x1[..., 0]
    elif r2 == r1 + 1 and x2.shape[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = x1[:, None]
        else:
            x2 = x2[..., 0]
    return x1, x2


def same_shape(y_true, y_pred, loss):
    """Cross-entropies compare y_true and y_pred entry by entry: their shapes must agree."""
    if y_true.shape != y_pred.shape:
        raise ValueError(f"Arguments `y_true` and `y_pred` of {loss} must have the same shape. "
                         f"Received: y_true.shape={y_true.shape}, y_pred.shape={y_pred.shape}")


def rows(a):
    """a (..., c) as a 2-D array (rows, c), as the kernels take it (a view when possible)."""
    return a.reshape(-1, a.shape[-1])


def unbroadcast(grad, shape):
    """Sum ``grad`` down to ``shape``: the gradient of an input that NumPy broadcast."""
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


def check_axis(axis):
    if isinstance(axis, bool) or axis != -1:
        raise ValueError(f"Argument `axis` must be -1: tinynet's losses work along the last axis. "
                         f"Received: axis={axis!r}")
    return -1


def check_label_smoothing(value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 <= value <= 1:
        raise ValueError(f"Argument `label_smoothing` must be a number in [0, 1]. "
                         f"Received: label_smoothing={value!r}")
    return float(value)


# -- reduction -------------------------------------------------------------------------------
def check_reduction(reduction):
    if reduction not in REDUCTIONS or isinstance(reduction, bool):
        raise ValueError(f"Invalid value for argument `reduction`. Expected one of {list(REDUCTIONS)}. "
                         f"Received: reduction={reduction!r}")
    return reduction


def reduce_weighted_values(values, sample_weight=None, reduction="sum_over_batch_size"):
    """Keras' reduction of per-sample loss values (see the module docstring)."""
    if sample_weight is not None:
        sample_weight = as_numbers("sample_weight", sample_weight).astype(values.dtype, copy=False)
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        try:
            values = values * sample_weight
        except ValueError:
            raise ValueError(f"Argument `sample_weight` must broadcast against the loss values, whose shape is "
                             f"{values.shape}. Received: sample_weight.shape="
                             f"{sample_weight.shape}") from None
    if reduction is None or reduction == "none" or values.shape in ((), (0,)):
        return values
    total = values.sum(dtype=values.dtype)
    if reduction == "sum":
        return total
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        divisor = sample_weight.sum(dtype=values.dtype)
    else:
        divisor = values.dtype.type(values.size)
    return total / divisor if divisor != 0 else values.dtype.type(0)  # Keras' divide_no_nan


# -- the base class -------------------------------------------------------------------------
class Loss:
    """A loss as ``compile`` takes it. ``loss(y_true, y_pred)`` is a float, the
    batch mean; the model uses the methods below, which keep float64 in float64.

    Subclasses set the class attributes and ``call`` (Keras' per-value losses).
    """

    name = None               # the default name, as Keras'
    sparse = False            # targets are class indices (n,), not rows like y_pred
    logits_activation = None  # 'softmax' or 'sigmoid': the output activation whose
                              # logits the loss can be taken from (from_logits_and_grad)
    from_logits = False

    def __init__(self, reduction="sum_over_batch_size", name=None):
        self.reduction = check_reduction(reduction)
        self.name = type(self).name if name is None else str(name)

    def call(self, y_true, y_pred):
        """Keras' loss values, y_pred.shape[:-1], for rank-matched inputs."""
        raise NotImplementedError

    def _matched(self, y_true, y_pred):
        y_pred = as_predictions(y_pred)
        y_true = as_numbers("y_true", y_true)
        return squeeze_or_expand_to_same_rank(y_true, y_pred)

    def __call__(self, y_true, y_pred, sample_weight=None):
        """The reduced loss (a float; an array for reduction None or 'none').
        Worked in float32, as Keras does by default."""
        y_pred = as_predictions(y_pred).astype(np.float32, copy=False)
        y_true = as_numbers("y_true", y_true)
        if not self.sparse:  # class labels stay as they came, to be checked as labels
            y_true = y_true.astype(np.float32, copy=False)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        values = np.asarray(self.call(y_true, y_pred), np.float32)
        out = reduce_weighted_values(values, sample_weight, self.reduction)
        return float(out) if np.ndim(out) == 0 else out

    def per_sample(self, y_true, y_pred):
        """The loss of each sample: y_pred (n, ...) -> (n,), the mean of Keras'
        values over every axis but the first (so their mean is the batch loss)."""
        values = self.call(*self._matched(y_true, y_pred))
        if values.ndim == 0:
            raise ValueError("per_sample needs y_pred of shape (n, ..., outputs), with the samples on the "
                             f"first axis. Received: y_pred.shape={np.shape(y_pred)}")
        return values if values.ndim == 1 else values.reshape(len(values), -1).mean(axis=1)

    def gradient(self, y_true, y_pred):
        """d(batch mean loss)/d y_pred, with y_pred's shape."""
        shape = np.shape(y_pred)
        y_true, y_pred = self._matched(y_true, y_pred)
        return self._grad(y_true, y_pred).reshape(shape)

    def from_logits_and_grad(self, y_true, logits):
        """(per-sample losses (n,), d(batch mean)/d logits) when y_pred = activation(logits),
        activation being ``logits_activation``: one fused kernel, no clipping."""
        raise TypeError(f"Loss '{self.name}' is not taken from the logits of an output activation "
                        f"(its logits_activation is None)")

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction}

    def __repr__(self):
        shown = {k: v for k, v in self.get_config().items()
                 if not (k == "name" and v == type(self).name) and not (k == "reduction" and v == REDUCTIONS[0])}
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in shown.items())})"


def per_sample_from_rows(row_losses, n):
    """Losses of the rows (n * m,) of a (n, ..., c) output -> per-sample means (n,)."""
    return row_losses if len(row_losses) == n else row_losses.reshape(n, -1).mean(axis=1)
