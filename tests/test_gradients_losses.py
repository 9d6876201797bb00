"""The new losses and activations against central differences, in float64 on
the NumPy backend: relative error <= 1e-6 (see tinynet/utils/gradient_check.py).
Kinks (|e| = delta for Huber, e = 0 for MAE, z = 0 for leaky_relu, z = +-3
for hard_sigmoid) are kept away from: a central difference across one is wrong
by design."""
import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import tinynet
from tinynet import activations, losses
from tinynet.layers import Activation, Dense, Flatten
from tinynet.models import Sequential
from tinynet.utils.gradient_check import check_layer, check_model, numerical_gradient, relative_error

from .strategies import float64_array, small_dim

TOL = 1e-6


@pytest.fixture(autouse=True)
def numpy_backend():
    tinynet.set_backend("numpy")


def away_from(values, kinks, margin=1e-3):
    for k in kinks:
        assume(np.abs(values - k).min() > margin)


def check_loss(loss, y, pred):
    analytic = loss.gradient(y, pred)
    assert analytic.shape == pred.shape
    # At a minimum (pred == targets, or sigmoid(0) against 1/2) the whole gradient is
    # 0, and a relative error would compare the difference's noise with 0.
    assume(np.linalg.norm(analytic) > 1e-6)
    numeric = numerical_gradient(lambda: float(loss.per_sample(y, pred).mean()), pred)
    assert relative_error(analytic, numeric) <= TOL


def _probabilities(data, shape):
    return data.draw(float64_array(shape, 1 / 64, 63 / 64))  # inside the clip: it has no slope outside


@given(st.data(), small_dim, small_dim, st.booleans(), st.sampled_from([0.0, 0.2]), st.booleans())
def test_binary_crossentropy(data, n, c, from_logits, smoothing, soft):
    t = data.draw(float64_array((n, c), 0, 1))
    t = t if soft else np.round(t)
    pred = data.draw(float64_array((n, c), -6, 6)) if from_logits else _probabilities(data, (n, c))
    check_loss(losses.BinaryCrossentropy(from_logits=from_logits, label_smoothing=smoothing), t, pred)


@given(st.data(), small_dim, st.integers(2, 6), st.booleans())
def test_categorical_crossentropy_with_label_smoothing(data, n, c, from_logits):
    labels = data.draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n))
    pred = data.draw(float64_array((n, c), -5, 5)) if from_logits else _probabilities(data, (n, c))
    check_loss(losses.CategoricalCrossentropy(from_logits=from_logits, label_smoothing=0.1), np.eye(c)[labels], pred)


@given(st.data(), small_dim, st.integers(2, 4), st.integers(2, 5), st.booleans())
def test_sparse_categorical_crossentropy_of_rank_3(data, n, t, c, from_logits):
    labels = np.array(data.draw(st.lists(st.integers(0, c - 1), min_size=n * t, max_size=n * t))).reshape(n, t)
    pred = data.draw(float64_array((n, t, c), -5, 5)) if from_logits else _probabilities(data, (n, t, c))
    check_loss(losses.SparseCategoricalCrossentropy(from_logits=from_logits), labels, pred)


@given(st.data(), small_dim, small_dim, st.sampled_from(["mae", "huber", "huber_half", "mse"]))
def test_regression_losses(data, n, c, which):
    y, pred = data.draw(float64_array((n, c))), data.draw(float64_array((n, c)))
    e = pred - y
    loss = {"mae": losses.MeanAbsoluteError(), "huber": losses.Huber(), "huber_half": losses.Huber(delta=0.5),
            "mse": losses.MeanSquaredError()}[which]
    away_from(np.abs(e), [0.0] if which == "mae" else [getattr(loss, "delta", -1)])
    check_loss(loss, y, pred)


@given(st.data(), small_dim)
def test_regression_loss_with_rank_matching(data, n):
    """Targets (n,) against predictions (n, 1): the gradient keeps y_pred's shape."""
    y, pred = data.draw(float64_array((n,))), data.draw(float64_array((n, 1)))
    away_from(np.abs(pred[:, 0] - y), [0.0, 1.0])
    for loss in (losses.MeanSquaredError(), losses.MeanAbsoluteError(), losses.Huber()):
        check_loss(loss, y, pred)
    check_loss(losses.MeanSquaredError(), pred, y)  # and the other way round


@given(st.data(), small_dim, small_dim, st.booleans())
def test_sigmoid_logits_path_equals_the_probability_path(data, n, c, smoothing):
    """from_logits_and_grad (the fused kernel) against the loss of sigmoid(z) chained
    through the sigmoid's backward: the same per-sample losses and dL/dz."""
    z, t = data.draw(float64_array((n, c), -6, 6)), np.round(data.draw(float64_array((n, c), 0, 1)))
    loss = losses.BinaryCrossentropy(label_smoothing=0.2 if smoothing else 0.0)
    per_sample, dz = loss.from_logits_and_grad(t, z)
    p = activations.sigmoid(z)
    np.testing.assert_allclose(per_sample, loss.per_sample(t, p), rtol=1e-9)
    chained = activations.get("sigmoid")[2](z, p, loss.gradient(t, p))
    assert relative_error(dz, chained) <= TOL


NEW_ACTIVATIONS = ["elu", "selu", "softplus", "softsign", "gelu", "leaky_relu", "silu", "exponential", "hard_sigmoid"]
KINKS = {"leaky_relu": [0.0], "hard_sigmoid": [-3.0, 3.0], "elu": [0.0], "selu": [0.0]}


@given(st.data(), small_dim, small_dim, st.sampled_from(NEW_ACTIVATIONS))
def test_activation_layers(data, n, c, name):
    x = data.draw(float64_array((n, c), -4, 4))
    away_from(x, KINKS.get(name, []))
    assert check_layer(Activation(name), x)["input"] <= TOL


@given(st.data(), small_dim, small_dim, small_dim, st.sampled_from(NEW_ACTIVATIONS))
def test_dense_with_each_new_activation(data, n, i, o, name):
    layer = Dense(o, activation=name)
    layer.build((i,))
    x = data.draw(float64_array((n, i)))
    away_from(x @ layer.kernel + layer.bias, KINKS.get(name, []))
    errors = check_layer(layer, x)
    assert max(errors.values()) <= TOL, errors


def wavy(x):
    return np.sin(x) * x


@given(st.data(), small_dim, small_dim)
def test_a_users_elementwise_function_is_differentiated_numerically(data, n, c):
    """The backward of a user's function: central differences of the function itself,
    checked against its derivative written out by hand."""
    z = data.draw(float64_array((n, c), -4, 4))
    name, forward, backward = activations.get(wavy)
    assert name == "wavy"
    np.testing.assert_array_equal(forward(z), wavy(z))
    da = np.ones_like(z)
    assert relative_error(backward(z, forward(z), da), np.cos(z) * z + np.sin(z)) <= TOL


@pytest.mark.parametrize("hidden,out,loss", [
    ("gelu", "sigmoid", "binary_crossentropy"),
    ("selu", "linear", "huber"),
    ("silu", "softmax", "categorical_crossentropy"),
    (wavy, "linear", "mae"),
])
@given(data=st.data(), n=small_dim)
def test_whole_models(hidden, out, loss, data, n):
    model = Sequential([Flatten(input_shape=(2, 3)), Dense(4, activation=hidden), Dense(3, activation=out)])
    model.compile(optimizer="sgd", loss=loss)
    if loss == "mae":
        # dL/dbias is a sum of signs +-1 over the samples: with an even n it can be
        # exactly 0, which a relative error cannot check (the difference's noise,
        # ~1e-10, would be compared with 0). With an odd n it never is.
        n += 1 - n % 2
    x = data.draw(float64_array((n, 2, 3)))
    labels = np.array(data.draw(st.lists(st.integers(0, 2), min_size=n, max_size=n)))
    y = np.eye(3)[labels] if "crossentropy" in loss else data.draw(float64_array((n, 3)))
    if loss in ("mae", "huber"):
        out_values = model.forward(x.reshape(n, -1).astype(np.float32))
        away_from(np.abs(out_values - y), [0.0, 1.0], margin=1e-2)
    errors = check_model(model, x, y)
    assert max(errors) <= TOL, errors
