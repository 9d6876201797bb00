"""Cross-entropies as metrics: running means of the loss functions of the same
name (see ``tinynet.losses``), with their ``from_logits`` and ``label_smoothing``.

Keras, inside ``fit``, takes such a metric from the logits behind a softmax or
sigmoid output, as it takes the loss (unclipped). ``logits_activation`` names
the activation whose logits a metric can use, and
``update_state_from_logits(y_true, logits)`` adds a batch that way.
"""
from ..losses.binary import binary_crossentropy
from ..losses.categorical import categorical_crossentropy, check_ignore_class, sparse_categorical_crossentropy
from ..losses.loss import check_axis, check_label_smoothing
from .base import Mean, MeanMetricWrapper


class _Crossentropy(MeanMetricWrapper):
    direction = "down"
    logits_activation = None

    def update_state_from_logits(self, y_true, logits, sample_weight=None):
        """Add a batch given the logits z behind the output activation (y_pred = activation(z))."""
        kwargs = {**self._fn_kwargs, "from_logits": True}
        Mean.update_state(self, self._fn(y_true, logits, **kwargs), sample_weight)


class BinaryCrossentropy(_Crossentropy):
    logits_activation = "sigmoid"

    def __init__(self, name="binary_crossentropy", dtype=None, from_logits=False, label_smoothing=0):
        label_smoothing = check_label_smoothing(label_smoothing)
        super().__init__(binary_crossentropy, name=name, dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing)
        self.from_logits, self.label_smoothing = from_logits, label_smoothing


class CategoricalCrossentropy(_Crossentropy):
    logits_activation = "softmax"

    def __init__(self, name="categorical_crossentropy", dtype=None, from_logits=False, label_smoothing=0, axis=-1):
        label_smoothing, axis = check_label_smoothing(label_smoothing), check_axis(axis)
        super().__init__(categorical_crossentropy, name=name, dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis


class SparseCategoricalCrossentropy(_Crossentropy):
    logits_activation = "softmax"

    def __init__(self, name="sparse_categorical_crossentropy", dtype=None, from_logits=False, ignore_class=None,
                 axis=-1):
        check_ignore_class(ignore_class), check_axis(axis)
        super().__init__(sparse_categorical_crossentropy, name=name, dtype=dtype, from_logits=from_logits,
                         ignore_class=ignore_class, axis=axis)
        self.from_logits, self.ignore_class, self.axis = from_logits, ignore_class, axis
