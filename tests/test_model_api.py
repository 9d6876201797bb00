"""The parts of Keras' model and layer API that tutorials use beyond fit/evaluate/predict:
calling a model or layer on data, nesting models, pop/get_layer, trainable,
Dense on inputs of higher rank, regularizers, Input at the top level, to_categorical."""
import os

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinynet
from tinynet import layers, regularizers
from tinynet.layers import Dense, Flatten, Softmax
from tinynet.models import Sequential, load_model
from tinynet.utils import to_categorical
from tinynet.utils.gradient_check import check_layer, check_model

from .helpers import seed_model, toy_digits
from .strategies import float64_array, small_dim

X, Y = toy_digits(64)
XF = X.astype(np.float32) / 255


# -- calling models and layers on data -----------------------------------------------------
@pytest.mark.parametrize("make", [lambda: XF[:5].astype(np.float64), lambda: X[:5], lambda: XF[:5].tolist()])
def test_model_call_takes_arrays_lists_and_any_number_type(make, backend_name):
    model = seed_model()
    out = model(make(), training=False)
    assert isinstance(out, np.ndarray) and out.dtype == np.float32 and out.shape == (5, 10)
    np.testing.assert_allclose(out, model.predict(np.asarray(make(), np.float32), verbose=0), rtol=1e-6)


@pytest.mark.parametrize("n", [1, 1000])
def test_model_call_takes_any_batch_size(n):
    model = seed_model()
    x = np.resize(XF, (n, 28, 28))
    np.testing.assert_array_equal(model(x), model.predict(x, batch_size=n, verbose=0))


def test_an_unbuilt_model_builds_on_its_first_call_then_refuses_other_shapes():
    model = Sequential([Flatten(), Dense(4, activation="relu"), Dense(2)])
    assert not model.built
    assert model(np.ones((3, 2, 5))).shape == (3, 2)
    assert model.input_shape == (None, 2, 5) and model.output_shape == (None, 2)
    with pytest.raises(ValueError, match=r"expects inputs of shape \(n, 2, 5\).*x.shape=\(3, 11\)"):
        model(np.ones((3, 11)))


def test_a_built_dense_refuses_a_wrong_width_before_any_kernel_runs(backend_name):
    """On the numba backend, a kernel handed a too-wide x would read past W's end."""
    layer = Dense(3)
    layer(np.ones((2, 4), np.float32))
    with pytest.raises(ValueError, match=r"built for inputs of shape \(n, \.\.\., 4\).*\(n, 5\)"):
        layer(np.ones((2, 5), np.float32))


def test_dense_applies_along_the_last_axis_of_higher_rank_inputs():
    layer = Dense(4, activation="relu")
    x = np.random.default_rng(0).standard_normal((2, 5, 7)).astype(np.float32)
    y = layer(x)
    assert y.shape == (2, 5, 4) and layer.kernel.shape == (7, 4)
    np.testing.assert_allclose(y, np.maximum(x @ layer.kernel + layer.bias, 0), rtol=1e-5, atol=1e-6)
    model = Sequential([tinynet.Input((5, 7)), Dense(3)])
    assert model.output_shape == (None, 5, 3)


@given(data=__import__("hypothesis").strategies.data(), n=small_dim, t=st.integers(1, 4))
def test_dense_gradients_on_rank_3_inputs(data, n, t):
    layer = Dense(3, activation="tanh")
    errors = check_layer(layer, data.draw(float64_array((n, t, 4))))
    assert max(errors.values()) <= 1e-6, errors


# -- nesting -----------------------------------------------------------------------------------
def test_a_model_inside_a_model_predicts_fits_summarises_and_saves(tmp_path):
    """TensorFlow's quickstart: probability_model = Sequential([model, Softmax()])."""
    inner = Sequential([Flatten(input_shape=(28, 28)), Dense(16, activation="relu"), Dense(10)])
    outer = Sequential([inner, Softmax()])
    logits = inner.predict(XF[:8], verbose=0)
    p = outer(XF[:8])
    np.testing.assert_allclose(p, np.exp(logits) / np.exp(logits).sum(1, keepdims=True), rtol=1e-5)
    assert outer.count_params() == inner.count_params() == 12730
    assert len(outer.weights) == 4 and outer.layers[0] is inner

    lines = []
    outer.summary(print_fn=lines.append)
    assert f"│ {inner.name} (Sequential)" in lines[0] and "│        12,730 │" in lines[0]

    outer.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    before = inner.get_weights()
    outer.fit(XF, Y, epochs=1, verbose=0)
    assert all(np.abs(a - b).max() > 0 for a, b in zip(before, inner.get_weights())), "inner weights trained"

    path = os.path.join(tmp_path, "nested.npz")
    outer.save(path)
    again = load_model(path)
    assert isinstance(again.layers[0], Sequential)
    np.testing.assert_array_equal(again.predict(XF, verbose=0), outer.predict(XF, verbose=0))


def test_nested_model_gradients_match_central_differences():
    inner = Sequential([Dense(4, activation="tanh"), Dense(3)])
    model = Sequential([Flatten(input_shape=(2, 3)), inner, layers.Activation("softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    x = np.random.default_rng(1).uniform(-1, 1, (5, 2, 3))
    errors = check_model(model, x, np.array([0, 1, 2, 1, 0]))
    assert len(errors) == 4 and max(errors) <= 1e-6, errors


# -- pop, get_layer, shapes, names -------------------------------------------------------------
def test_pop_and_get_layer():
    model = seed_model()
    first, hidden, out = model.layers
    assert model.get_layer(index=1) is hidden and model.get_layer(name=out.name) is out
    assert model.pop() is out and model.layers == [first, hidden]
    assert model.output_shape == (None, 16)
    for kwargs, words in [({}, "exactly one"), ({"name": "nope"}, "No such layer: nope"),
                          ({"index": 5}, "index 5")]:
        with pytest.raises(ValueError, match=words):
            model.get_layer(**kwargs)
    model.pop(), model.pop()
    with pytest.raises(IndexError, match="no layers"):
        model.pop()


def test_model_layers_never_list_the_input_and_input_is_at_the_top_level():
    assert tinynet.Input is layers.Input
    model = Sequential([tinynet.Input((28, 28)), Flatten(), Dense(3)])
    assert [type(layer) for layer in model.layers] == [Flatten, Dense]
    assert model.input_shape == (None, 28, 28)


def test_metrics_names():
    model = seed_model()
    assert model.metrics_names == ["loss", "accuracy"]


# -- trainable -----------------------------------------------------------------------------------
def test_a_frozen_layer_keeps_its_weights_and_counts_as_non_trainable(tmp_path):
    model = seed_model(compile=False)
    hidden = model.layers[1]
    hidden.trainable = False
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    frozen = hidden.get_weights()
    out_before = model.layers[2].get_weights()
    model.fit(XF, Y, epochs=1, verbose=0)
    for a, b in zip(frozen, hidden.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert np.abs(out_before[0] - model.layers[2].kernel).max() > 0
    assert len(model.trainable_weights) == 2 and len(model.non_trainable_weights) == 2
    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert " Trainable params: 170 (680.00 B)" in text and " Non-trainable params: 12,560 (49.06 KB)" in text
    path = os.path.join(tmp_path, "frozen.npz")
    model.save(path)
    assert load_model(path).layers[1].trainable is False


def test_freezing_a_model_freezes_every_layer_inside_it():
    model = seed_model()
    model.trainable = False
    assert all(not layer.trainable for layer in model.layers)
    assert model.trainable_weights == [] and len(model.non_trainable_weights) == 4


def test_trainable_changed_after_fit_takes_effect_at_the_next_compile():
    model = seed_model()
    model.fit(XF, Y, epochs=1, verbose=0)
    model.layers[1].trainable = False
    kept = model.layers[1].get_weights()
    model.fit(XF, Y, epochs=1, verbose=0)  # the training step still updates the layer, as in Keras
    assert np.abs(kept[0] - model.layers[1].kernel).max() > 0
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    kept = model.layers[1].get_weights()
    model.fit(XF, Y, epochs=1, verbose=0)
    np.testing.assert_array_equal(kept[0], model.layers[1].kernel)


# -- regularizers ----------------------------------------------------------------------------------
def test_regularizers_penalties_and_names():
    w = np.array([[1.0, -2.0], [0.5, 0.0]], np.float32)
    assert regularizers.l2(0.1)(w) == pytest.approx(0.1 * 5.25)
    assert regularizers.l1(0.1)(w) == pytest.approx(0.1 * 3.5)
    assert regularizers.l1_l2(l1=0.1, l2=0.1)(w) == pytest.approx(0.1 * 8.75)
    assert regularizers.get("l2").get_config() == {"l2": 0.01}
    assert regularizers.l1_l2().get_config() == {"l1": 0.0, "l2": 0.0}
    with pytest.raises(ValueError, match="Unknown kernel_regularizer: 'l3'"):
        Dense(3, kernel_regularizer="l3")
    with pytest.raises(ValueError, match="`l2`.*l2=-1"):
        regularizers.L2(-1)


def test_model_losses_list_each_penalty_and_gradients_include_them():
    model = Sequential([Flatten(input_shape=(2, 3)), Dense(4, activation="tanh", kernel_regularizer="l2",
                                                            bias_regularizer=regularizers.l1(0.05)),
                        Dense(3, activation="softmax", kernel_regularizer=regularizers.l1_l2(0.01, 0.02))])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    model.layers[1].bias[:] = [0.5, -0.25, 0, 1]
    w1, b1, w2 = model.layers[1].kernel, model.layers[1].bias, model.layers[2].kernel
    expected = [0.01 * (w1.astype(np.float64) ** 2).sum(), 0.05 * np.abs(b1).sum(),
                0.01 * np.abs(w2).sum() + 0.02 * (w2.astype(np.float64) ** 2).sum()]
    np.testing.assert_allclose(model.losses, expected, rtol=1e-6)
    x = np.random.default_rng(2).uniform(-1, 1, (4, 2, 3))
    errors = check_model(model, x, np.array([0, 2, 1, 1]))
    assert max(errors) <= 1e-6, errors


# -- to_categorical -----------------------------------------------------------------------------------
def test_to_categorical():
    np.testing.assert_array_equal(to_categorical([0, 2, 1]), np.eye(3)[[0, 2, 1]])
    assert to_categorical(np.array([[1], [0]]), num_classes=5).shape == (2, 5)
    with pytest.raises(ValueError, match=r"\[0, 3\).*from 0 to 5"):
        to_categorical([0, 5], num_classes=3)


def test_summary_counts_the_optimizer_state_as_keras_does():
    """Keras 3.15 after one epoch of Adam on Input((3,)) -> Dense(2): 8 weights, 16 slots,
    a step count and a learning rate; the total includes them."""
    model = Sequential([tinynet.Input((3,)), Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(np.ones((4, 3)), np.ones((4, 2)), verbose=0)
    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    for line in [" Total params: 26 (108.00 B)", " Trainable params: 8 (32.00 B)",
                 " Non-trainable params: 0 (0.00 B)", " Optimizer params: 18 (76.00 B)"]:
        assert line in text, text


def test_layer_names_must_be_unique_in_a_model():
    with pytest.raises(ValueError, match="unique names.*'x'"):
        Sequential([Dense(2, name="x"), Dense(2, name="x")])


def test_a_model_without_trainable_weights_warns_and_keeps_them():
    model = seed_model()
    model.trainable = False
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    before = model.get_weights()
    with pytest.warns(UserWarning, match="does not have any trainable weights"):
        model.fit(XF, Y, epochs=1, verbose=0)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_the_functional_api_gets_a_clear_error():
    for call in (lambda: tinynet.Model(inputs=tinynet.Input((4,)), outputs=None),
                 lambda: tinynet.models.Model(),
                 lambda: Dense(3)(tinynet.Input((4,)))):
        with pytest.raises(NotImplementedError, match="only Sequential models.*functional API"):
            call()
