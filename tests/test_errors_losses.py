"""Bad input to the losses, activations and metrics: one row per mistake, each
with the exact error type and the words the message must contain (the argument,
what was expected, what came). Never a Numba TypingError or an IndexError."""
import numpy as np
import pytest

import tinynet
from tinynet import activations, losses, metrics
from tinynet.layers import Dense

P = np.array([[0.2, 0.5, 0.3], [0.1, 0.1, 0.8], [0.6, 0.3, 0.1], [0.3, 0.3, 0.4]], np.float32)
LABELS = np.array([1, 2, 0, 2])

LOSS_CASES = [
    ("label too large", lambda: losses.SparseCategoricalCrossentropy()(LABELS + 1, P), ValueError,
     ["`y_true`", "[0, 3)", "labels from 1 to 3"]),
    ("negative label, from logits", lambda: losses.sparse_categorical_crossentropy(LABELS - 1, P, from_logits=True),
     ValueError, ["`y_true`", "[0, 3)", "labels from -1"]),
    ("one-hot to a sparse loss", lambda: losses.SparseCategoricalCrossentropy()(np.eye(3)[LABELS], P), ValueError,
     ["`y_true`", "one-hot", "categorical_crossentropy", "(4, 3)"]),
    ("fractional labels", lambda: losses.SparseCategoricalCrossentropy()(LABELS + 0.5, P), ValueError,
     ["`y_true`", "whole-number"]),
    ("labels of the wrong length", lambda: losses.sparse_categorical_crossentropy(LABELS[:3], P), ValueError,
     ["`y_true`", "shape (4,)", "y_true.shape=(3,)"]),
    ("string labels", lambda: losses.SparseCategoricalCrossentropy()(np.array(["a"] * 4), P), TypeError,
     ["`y_true`", "dtype"]),
    ("labels to a categorical loss", lambda: losses.CategoricalCrossentropy()(LABELS, P), ValueError,
     ["`y_true`", "class labels", "sparse_categorical_crossentropy", "(4,)"]),
    ("categorical widths differ", lambda: losses.categorical_crossentropy(np.eye(4)[LABELS], P), ValueError,
     ["`y_true`", "`y_pred`", "same shape", "(4, 4)", "(4, 3)"]),
    ("binary shapes differ", lambda: losses.binary_crossentropy(np.ones((2, 3)), np.ones((2, 4)) / 2), ValueError,
     ["`y_true`", "`y_pred`", "same shape", "(2, 3)", "(2, 4)"]),
    ("binary function does not match ranks", lambda: losses.binary_crossentropy(np.ones(3), np.ones((3, 1)) / 2),
     ValueError, ["same shape", "y_true.shape=(3,)", "y_pred.shape=(3, 1)"]),
    ("regression shapes do not broadcast", lambda: losses.MeanSquaredError()(np.ones((2, 3)), np.ones((2, 4))),
     ValueError, ["`y_true`", "`y_pred`", "(2, 3)", "(2, 4)"]),
    ("a number as y_pred", lambda: losses.mean_absolute_error(1.0, 2.0), ValueError, ["`y_pred`", "at least one axis"]),
    ("ragged y_pred", lambda: losses.MeanSquaredError()([[1.0], [1.0, 2.0]], [[1.0], [1.0, 2.0]]), TypeError,
     ["`y_pred`", "array of numbers"]),
    ("sample_weight of the wrong length", lambda: losses.MeanSquaredError()(P, P, sample_weight=np.ones(3)),
     ValueError, ["`sample_weight`", "(4,)", "sample_weight.shape=(3,)"]),
    ("sample_weight that is not numbers", lambda: losses.MeanSquaredError()(P, P, sample_weight="heavy"), TypeError,
     ["`sample_weight`", "numbers"]),
    ("unknown reduction", lambda: losses.MeanSquaredError(reduction="avg"), ValueError,
     ["`reduction`", "sum_over_batch_size", "reduction='avg'"]),
    ("label_smoothing above 1", lambda: losses.BinaryCrossentropy(label_smoothing=1.5), ValueError,
     ["`label_smoothing`", "[0, 1]", "label_smoothing=1.5"]),
    ("label_smoothing in the function", lambda: losses.categorical_crossentropy(P, P, label_smoothing=-0.1),
     ValueError, ["`label_smoothing`", "label_smoothing=-0.1"]),
    ("negative delta", lambda: losses.Huber(delta=-1.0), ValueError, ["`delta`", "positive", "delta=-1.0"]),
    ("another axis", lambda: losses.CategoricalCrossentropy(axis=1), ValueError, ["`axis`", "-1", "axis=1"]),
    ("ignore_class", lambda: losses.SparseCategoricalCrossentropy(ignore_class=0), ValueError,
     ["`ignore_class`", "None", "ignore_class=0"]),
    ("unknown loss name", lambda: losses.get("huber_loss"), ValueError,
     ["Unknown loss: 'huber_loss'", "'huber'", "Received: loss='huber_loss'"]),
    ("logits of a loss without an activation", lambda: losses.MeanSquaredError().from_logits_and_grad(P, P),
     TypeError, ["mean_squared_error", "logits_activation"]),
    ("per_sample of 1-D predictions", lambda: losses.BinaryCrossentropy().per_sample(np.ones(3), np.ones(3) / 2),
     ValueError, ["per_sample", "(n, ..., outputs)", "(3,)"]),
]

ACTIVATION_CASES = [
    ("sigmoid of integers", lambda: activations.sigmoid(np.array([1, 2])), TypeError,
     ["`x`", "'sigmoid'", "floats", "dtype=int64"]),
    ("softmax of integers", lambda: activations.softmax(np.array([[1, 2, 3]])), TypeError, ["`x`", "'softmax'", "int64"]),
    ("relu of bools", lambda: activations.relu(np.array([True, False])), TypeError, ["`x`", "'relu'", "bool"]),
    ("softmax of strings", lambda: activations.softmax(np.array([["a", "b"]])), TypeError, ["`x`", "numbers"]),
    ("softmax of a number", lambda: activations.softmax(np.float32(2.0)), ValueError, ["`x`", "at least one axis"]),
    ("softmax over a missing axis", lambda: activations.softmax(P, axis=2), ValueError,
     ["`axis`", "from -2 to 1", "axis=2"]),
    ("a function that changes the shape", lambda: activations.get(np.sum)[1](P), ValueError,
     ["sum", "its input's shape", "(4, 3)", "output shape ()"]),
    ("a number as an activation", lambda: Dense(3, activation=3), ValueError,
     ["Unknown activation: int", "'gelu'", "Received: activation=3"]),
    ("an unknown name", lambda: Dense(3, activation="mish"), ValueError, ["Unknown activation: 'mish'", "'swish'"]),
]

METRIC_CASES = [
    ("unknown name", lambda: metrics.get("f1"), ValueError,
     ["Unknown metric: 'f1'", "'accuracy'", "'mae'", "Received: metric='f1'"]),
    ("accuracy without its loss", lambda: metrics.get("acc"), ValueError, ["'acc'", "loss and the output shape"]),
    ("one-hot labels to a sparse accuracy", lambda: metrics.SparseCategoricalAccuracy().update_state(np.eye(3)[LABELS], P),
     ValueError, ["`y_true`", "one class label per row", "(4,)", "y_true.shape=(4, 3)"]),
    ("labels to a categorical accuracy", lambda: metrics.CategoricalAccuracy().update_state(LABELS, P), ValueError,
     ["`y_true`", "sparse_categorical_accuracy", "(4,)"]),
    ("binary accuracy shapes", lambda: metrics.binary_accuracy(np.ones((2, 3)), np.ones((2, 4))), ValueError,
     ["`y_true`", "`y_pred`", "(2, 3)", "(2, 4)"]),
    ("weights that do not fit", lambda: metrics.MeanAbsoluteError().update_state(P, P, sample_weight=np.ones(3)),
     ValueError, ["`sample_weight`", "sample_weight.shape=(3,)"]),
    ("several thresholds", lambda: metrics.Precision(thresholds=[0.2, 0.5]), ValueError,
     ["`thresholds`", "one number", "thresholds=[0.2, 0.5]"]),
    ("top_k", lambda: metrics.Recall(top_k=2), ValueError, ["`top_k`", "top_k=2"]),
    ("class_id beyond the outputs", lambda: metrics.Recall(class_id=5).update_state(P > 0.5, P), ValueError,
     ["`class_id`=5", "(4, 3)"]),
    ("a float64 metric", lambda: metrics.Mean(dtype="float64"), ValueError, ["`dtype`", "float32", "dtype='float64'"]),
    ("ignore_class in a metric", lambda: metrics.SparseCategoricalCrossentropy(ignore_class=1), ValueError,
     ["`ignore_class`"]),
]


@pytest.mark.parametrize("case,call,error,words", LOSS_CASES + ACTIVATION_CASES + METRIC_CASES,
                         ids=[c[0] for c in LOSS_CASES + ACTIVATION_CASES + METRIC_CASES])
@pytest.mark.parametrize("backend_name", ["numba", "numpy"])
def test_bad_input_is_named(backend_name, case, call, error, words):
    tinynet.set_backend(backend_name)
    with pytest.raises(error) as info:
        call()
    for word in words:
        assert word in str(info.value), f"{word!r} not in: {info.value}"


@pytest.mark.parametrize("metric", [metrics.MeanSquaredError(), metrics.SparseCategoricalAccuracy(),
                                    metrics.Precision(), metrics.RootMeanSquaredError()], ids=repr)
def test_a_rejected_update_leaves_the_totals_as_they_were(metric):
    good = (LABELS, P) if isinstance(metric, metrics.SparseCategoricalAccuracy) else (P > 0.4, P)
    metric.reset_state()
    metric.update_state(*good)
    before = metric.result()
    with pytest.raises(ValueError):
        metric.update_state(*good, sample_weight=np.ones(7))
    assert metric.result() == before
