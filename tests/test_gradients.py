"""Backpropagation against central differences, in float64, for every layer,
activation and loss and for whole small models: relative error <= 1e-6."""
import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import tinynet
from tinynet import losses
from tinynet.layers import Activation, Dense, Dropout, Flatten, ReLU, Softmax
from tinynet.models import Sequential
from tinynet.utils.gradient_check import check_layer, check_model, numerical_gradient, relative_error

from .strategies import float64_array, small_dim

TOL = 1e-6
ACTIVATIONS = ["linear", "relu", "sigmoid", "tanh", "softmax"]


def away_from_kinks(z):
    """Central differences across ReLU's kink at 0 are wrong by design: avoid it."""
    assume(np.abs(z).min() > 1e-4)


@given(st.data(), small_dim, small_dim, small_dim, st.sampled_from(ACTIVATIONS), st.booleans())
def test_dense(data, n, i, o, activation, use_bias):
    layer = Dense(o, activation=activation, use_bias=use_bias)
    layer.build((i,))
    x = data.draw(float64_array((n, i)))
    if activation == "relu":
        away_from_kinks(x @ layer.kernel + (layer.bias if use_bias else 0))
    errors = check_layer(layer, x)
    assert max(errors.values()) <= TOL, errors


@given(st.data(), small_dim, small_dim, st.sampled_from(ACTIVATIONS))
def test_activation_layers(data, n, c, activation):
    x = data.draw(float64_array((n, c)))
    if activation == "relu":
        away_from_kinks(x)
    for layer in [Activation(activation)] + ([ReLU()] if activation == "relu" else []) + (
            [Softmax()] if activation == "softmax" else []):
        errors = check_layer(layer, x)
        assert errors["input"] <= TOL, (layer, errors)


@given(st.data(), small_dim, small_dim, small_dim)
def test_flatten(data, n, h, w):
    errors = check_layer(Flatten(), data.draw(float64_array((n, h, w))))
    assert errors["input"] <= TOL


@given(st.data(), small_dim, small_dim, st.sampled_from([0.1, 0.5, 0.9]))
def test_dropout_with_its_mask_held(data, n, c, rate):
    layer = Dropout(rate, seed=3)
    x = data.draw(float64_array((n, c)))
    y = layer.call(x, training=True)
    mask = layer.mask
    np.testing.assert_allclose(y, x * mask)
    r = np.random.default_rng(0).standard_normal(y.shape)
    numeric = numerical_gradient(lambda: float((r * x * mask).sum()), x)
    assert relative_error(layer.backward(r), numeric) <= TOL


def _probabilities(data, n, c):
    p = data.draw(float64_array((n, c), 0.01, 1.0))
    return p / p.sum(axis=1, keepdims=True)


LOSSES = [
    ("sparse", losses.SparseCategoricalCrossentropy(from_logits=False)),
    ("sparse", losses.SparseCategoricalCrossentropy(from_logits=True)),
    ("onehot", losses.CategoricalCrossentropy(from_logits=False)),
    ("onehot", losses.CategoricalCrossentropy(from_logits=True)),
    ("dense", losses.MeanSquaredError()),
]


@pytest.mark.parametrize("targets,loss", LOSSES, ids=repr)
@given(data=st.data(), n=small_dim, c=st.integers(2, 9))
def test_losses(targets, loss, data, n, c):
    tinynet.set_backend("numpy")
    labels = data.draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n))
    y = {"sparse": np.array(labels), "onehot": np.eye(c)[labels],
         "dense": data.draw(float64_array((n, c)))}[targets]
    pred = data.draw(float64_array((n, c), -5, 5)) if loss.from_logits or targets == "dense" \
        else _probabilities(data, n, c)
    numeric = numerical_gradient(lambda: float(loss.per_sample(y, pred).mean()), pred)
    assert relative_error(loss.gradient(y, pred), numeric) <= TOL


def _model(hidden, activation, out_activation, loss, n_in):
    model = Sequential([Flatten(input_shape=n_in)] + [Dense(h, activation=activation) for h in hidden]
                       + [Dense(3, activation=out_activation)])
    model.compile(optimizer="sgd", loss=loss)
    return model


@pytest.mark.parametrize("hidden,activation,out_activation,loss", [
    ((5,), "relu", "softmax", "sparse_categorical_crossentropy"),
    ((4, 3), "tanh", "softmax", "categorical_crossentropy"),
    ((4,), "sigmoid", "linear", "mse"),
    ((), "linear", "sigmoid", "mse"),
])
@given(data=st.data(), n=small_dim)
def test_whole_models(hidden, activation, out_activation, loss, data, n):
    model = _model(hidden, activation, out_activation, loss, (2, 3))
    x = data.draw(float64_array((n, 2, 3)))
    labels = np.array(data.draw(st.lists(st.integers(0, 2), min_size=n, max_size=n)))
    y = {"sparse_categorical_crossentropy": labels, "categorical_crossentropy": np.eye(3)[labels],
         "mse": data.draw(float64_array((n, 3)))}[loss]
    if activation == "relu":
        first = model.layers[1]
        away_from_kinks(x.reshape(n, -1) @ first.kernel + first.bias)
        hidden_out = np.maximum(x.reshape(n, -1) @ first.kernel + first.bias, 0)
        away_from_kinks(hidden_out[hidden_out > 0] if (hidden_out > 0).any() else np.ones(1))
    errors = check_model(model, x, y)
    assert max(errors) <= TOL, errors


def test_checker_catches_a_wrong_gradient():
    """The checker itself can fail: a Dense whose backward forgets the bias term."""
    layer = Dense(3)
    layer.build((4,))
    layer.params["bias"][:] = 0.5
    x = np.random.default_rng(0).standard_normal((5, 4))
    original = layer._dense_backward

    def broken(dz, relu):
        dx = original(dz, relu)
        layer.grads["bias"] = layer.grads["bias"] * 0.9
        return dx

    layer._dense_backward = broken
    assert check_layer(layer, x)["bias"] > 1e-3
