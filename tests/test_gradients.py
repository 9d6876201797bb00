"""Backpropagation against central differences, in float64, for every layer,
activation and loss and for whole small models: relative error <= 1e-6."""
import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import tinynet
from tinynet import losses
from tinynet.kernels import NUMPY
from tinynet.layers import (Activation, AveragePooling2D, BatchNormalization, Conv2D, Dense, Dropout, Flatten,
                            GlobalAveragePooling2D, GlobalMaxPooling2D, Input, MaxPooling2D, ReLU, Reshape, Softmax)
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


@st.composite
def image_layer_case(draw, max_kernel=3, dilation=True):
    """(layer arguments, input shape) for a Conv2D or a pooling layer: kernel or pool
    size, strides 1-3 or dilation 1-2 (Keras refuses both above 1), either padding,
    and an image (n, h, w, c) that at least one window fits."""
    kernel = (draw(st.integers(1, max_kernel)), draw(st.integers(1, max_kernel)))
    strides = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    rates = (1, 1)
    if dilation and draw(st.booleans()):
        strides, rates = (1, 1), (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    padding = draw(st.sampled_from(["valid", "same"]))
    low = [(k - 1) * d + 1 if padding == "valid" else 1 for k, d in zip(kernel, rates)]
    shape = (draw(st.integers(1, 2)), draw(st.integers(low[0], low[0] + 4)), draw(st.integers(low[1], low[1] + 4)),
             draw(st.sampled_from([1, 2, 3])))
    return dict(kernel=kernel, strides=strides, rates=rates, padding=padding), shape


def distinct_values(data, shape):
    """float64 values in [-1, 1) at least 1/size apart: no ties for a maximum to sit on."""
    size = int(np.prod(shape))
    order = data.draw(st.permutations(range(size)))
    return (np.array(order, np.float64).reshape(shape) * 2 - size) / size


@given(st.data(), image_layer_case(), st.integers(1, 3), st.sampled_from(["linear", "relu", "tanh"]),
       st.booleans())
def test_conv2d(data, case, filters, activation, use_bias):
    args, shape = case
    layer = Conv2D(filters, args["kernel"], strides=args["strides"], padding=args["padding"],
                   dilation_rate=args["rates"], activation=activation, use_bias=use_bias,
                   bias_initializer="glorot_uniform" if use_bias else "zeros")
    layer.build(shape[1:])
    x = data.draw(float64_array(shape))
    if activation == "relu":
        z = NUMPY.conv2d_forward(x, layer.kernel.astype(np.float64), layer._bias_or_zeros().astype(np.float64),
                                 layer.strides, layer.dilation_rate, layer._pads(shape[1:3]), False, None)
        away_from_kinks(z)
    errors = check_layer(layer, x)
    assert max(errors.values()) <= TOL, errors


@given(st.data(), image_layer_case(dilation=False))
def test_pooling(data, case):
    args, shape = case
    for cls in (MaxPooling2D, AveragePooling2D):
        layer = cls(args["kernel"], strides=args["strides"], padding=args["padding"])
        errors = check_layer(layer, distinct_values(data, shape))
        assert errors["input"] <= TOL, (layer, errors)


@given(st.data(), image_layer_case(max_kernel=1), st.booleans())
def test_global_pooling(data, case, keepdims):
    shape = case[1]
    for layer in (GlobalAveragePooling2D(keepdims=keepdims), GlobalMaxPooling2D(keepdims=keepdims)):
        errors = check_layer(layer, distinct_values(data, shape))
        assert errors["input"] <= TOL, (layer, errors)


@given(st.data(), small_dim, small_dim, small_dim)
def test_reshape(data, n, h, w):
    errors = check_layer(Reshape((w, -1)), data.draw(float64_array((n, h, w))))
    assert errors["input"] <= TOL


@given(st.data(), st.integers(1, 4), st.sampled_from([(3,), (2, 3, 2)]), st.booleans(), st.booleans(),
       st.booleans())
def test_batch_normalization(data, n, shape, training, center, scale):
    """In training the mean and variance are the batch's, and depend on x; in
    inference they are the moving ones, fixed. In training x gets distinct values in
    a batch of at least 2: a channel whose values are all equal has variance 0 and
    gradients of exactly 0, which a relative error can only compare as rounding."""
    layer = BatchNormalization(center=center, scale=scale, beta_initializer="glorot_uniform",
                               gamma_initializer="glorot_uniform", moving_mean_initializer="glorot_uniform")
    layer.build(shape)
    x = distinct_values(data, (max(n, 2),) + shape) if training else data.draw(float64_array((n,) + shape))
    errors = check_layer(layer, x, training=training)
    assert set(errors) == {"input"} | ({"gamma"} if scale else set()) | ({"beta"} if center else set())
    assert max(errors.values()) <= TOL, errors


@given(st.data(), st.integers(1, 3))
def test_a_whole_convnet_with_a_kernel_regularizer(data, n):
    """Conv2D -> MaxPooling2D -> Conv2D -> GlobalAveragePooling2D -> Dense, every
    weight's gradient under the loss plus an L2 penalty on the first kernel (tanh
    keeps the gradients away from ReLU's kink; distinct inputs away from ties)."""
    model = Sequential([Input((7, 7, 2)), Conv2D(3, 3, padding="same", activation="tanh", kernel_regularizer="l2"),
                        MaxPooling2D(2), Conv2D(4, 2, activation="tanh"), GlobalAveragePooling2D(),
                        Dense(3, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    x = distinct_values(data, (n, 7, 7, 2))
    y = np.array(data.draw(st.lists(st.integers(0, 2), min_size=n, max_size=n)))
    assert len(model.losses) == 1
    errors = check_model(model, x, y)
    assert len(errors) == 6 and max(errors) <= TOL, errors


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
