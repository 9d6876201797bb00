"""The image layers' Keras API: shapes, clear errors, names, weights that are not
trained (BatchNormalization's moving statistics), saving, and a convnet that learns."""
import os

import numpy as np
import pytest

import tinynet
from tinynet.layers import (AveragePooling2D, BatchNormalization, Conv2D, Dense, Flatten, GlobalAveragePooling2D,
                            GlobalMaxPooling2D, Input, MaxPooling2D, Reshape)
from tinynet.models import Sequential, load_model

from .helpers import toy_digits


def images(n=64):
    x, y = toy_digits(n)
    return (x.astype(np.float32) / 255)[..., None], y


def small_convnet(*middle):
    model = Sequential([Input((28, 28, 1)), Conv2D(4, 3, activation="relu"), *middle, MaxPooling2D(),
                        Flatten(), Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


# -- shapes and Keras' defaults -----------------------------------------------------------------
@pytest.mark.parametrize("layer,shape", [
    (Conv2D(8, 3), (26, 26, 8)), (Conv2D(8, 3, padding="same"), (28, 28, 8)),
    (Conv2D(8, (5, 3), strides=2), (12, 13, 8)), (Conv2D(8, 3, strides=3, padding="SAME"), (10, 10, 8)),
    (Conv2D(8, 3, dilation_rate=2), (24, 24, 8)), (Conv2D(8, 1), (28, 28, 8)),
    (MaxPooling2D(), (14, 14, 1)), (MaxPooling2D(3), (9, 9, 1)), (MaxPooling2D(3, strides=2, padding="same"), (14, 14, 1)),
    (AveragePooling2D((2, 4)), (14, 7, 1)), (GlobalAveragePooling2D(), (1,)),
    (GlobalMaxPooling2D(keepdims=True), (1, 1, 1)), (Reshape((-1, 14)), (56, 14)), (BatchNormalization(), (28, 28, 1)),
])
def test_output_shapes_as_keras(layer, shape):
    assert layer.compute_output_shape((28, 28, 1)) == shape
    assert layer(np.zeros((2, 28, 28, 1))).shape == (2,) + shape


def test_names_and_parameter_counts_as_keras():
    model = Sequential([Input((28, 28, 3)), Conv2D(32, 3), BatchNormalization(), MaxPooling2D(), GlobalMaxPooling2D()])
    assert [layer.name.rsplit("_", 1)[0] if layer.name[-1].isdigit() else layer.name for layer in model.layers] == [
        "conv2d", "batch_normalization", "max_pooling2d", "global_max_pooling2d"]
    assert [layer.count_params() for layer in model.layers] == [3 * 3 * 3 * 32 + 32, 4 * 32, 0, 0]
    assert model.layers[0].kernel.shape == (3, 3, 3, 32)


def test_conv2d_kernel_is_glorot_uniform_over_its_receptive_field():
    """Keras counts fan_in = 3 * 3 * 1 and fan_out = 3 * 3 * 32 for a (3, 3, 1, 32) kernel."""
    layer = Conv2D(32, 3)
    layer.build((28, 28, 1))
    limit = np.sqrt(6 / (9 + 288))
    assert np.abs(layer.kernel).max() <= limit and np.abs(layer.kernel).max() > 0.9 * limit
    assert np.all(layer.bias == 0)


# -- clear errors, before anything changes -------------------------------------------------------
@pytest.mark.parametrize("make,message", [
    (lambda: Conv2D(0, 3), r"`filters` must be a positive integer.*filters=0"),
    (lambda: Conv2D(8, (3, 0)), r"`kernel_size` must be .*kernel_size=\(3, 0\)"),
    (lambda: Conv2D(8, 3, strides=2, dilation_rate=2), r"strides > 1.*dilation_rate > 1"),
    (lambda: Conv2D(8, 3, padding="full"), r"Unknown padding: 'full'. Expected one of \['same', 'valid'\]"),
    (lambda: Conv2D(8, 3, data_format="channels_first"), r"channels_last.*channels_first"),
    (lambda: Conv2D(8, 3, groups=2), r"groups=1.*groups=2"),
    (lambda: Conv2D(8, 3, activation="mish"), r"Unknown activation: 'mish'"),
    (lambda: MaxPooling2D(pool_size=(2, 2, 2)), r"`pool_size` must be .*\(2, 2, 2\)"),
    (lambda: Reshape((2, -1, -1)), r"`target_shape`.*one of which may be -1"),
    (lambda: BatchNormalization(momentum=1.5), r"`momentum` must be a number in \[0.0, 1.0\)"),
])
def test_bad_arguments_are_refused(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_pool_size_defaults_as_in_keras():
    """Keras 3: MaxPooling2D pools 2x2 unless told otherwise; AveragePooling2D must be told."""
    assert MaxPooling2D().pool_size == (2, 2)
    with pytest.raises(TypeError, match="pool_size"):
        AveragePooling2D()


@pytest.mark.parametrize("layers,message", [
    ([Flatten(), Conv2D(8, 3)], r"Conv2D layer 'conv2d.*' expects inputs of shape \(n, height, width, "
                                r"channels\). Received: inputs of shape \(n, 784\), rank 2"),
    ([Conv2D(8, 30)], r"Conv2D layer 'conv2d.*': its 30x30 kernel .* is larger than its input.*\(n, 28, 28, 1\)"),
    ([Conv2D(8, 5, dilation_rate=7)], r"its 5x5 kernel \(dilation_rate=\(7, 7\)\) is larger"),
    ([MaxPooling2D(29)], r"MaxPooling2D layer 'max_pooling2d.*': its pool_size=\(29, 29\) is larger.*\(n, 28, 28, 1\)"),
    ([Reshape((5, -1))], r"Reshape layer 'reshape.*': the total size must be unchanged.*784 values.*\(5, -1\)"),
    ([BatchNormalization(axis=1)], r"normalises only the last axis.*axis=1 for inputs of shape \(n, 28, 28, 1\)"),
])
def test_layers_that_do_not_fit_their_input_say_so_when_added(layers, message):
    model = Sequential([Input((28, 28, 1))] + layers[:-1])
    with pytest.raises(ValueError, match=message):
        model.add(layers[-1])
    assert len(model.layers) == len(layers) - 1


def test_a_built_conv2d_refuses_images_with_other_channels():
    layer = Conv2D(4, 3)
    layer(np.zeros((1, 8, 8, 3)))
    with pytest.raises(ValueError, match=r"built for images with 3 channel\(s\).*\(n, 8, 8, 1\)"):
        layer(np.zeros((1, 8, 8, 1)))
    assert layer(np.zeros((2, 10, 9, 3))).shape == (2, 8, 7, 4)  # other image sizes are fine, as in Keras


# -- BatchNormalization's weights that are not trained ------------------------------------------------
def test_moving_statistics_are_weights_but_not_trainable_and_never_reach_the_optimizer():
    model = small_convnet(BatchNormalization())
    bn = model.layers[1]
    assert list(bn.params) == ["gamma", "beta", "moving_mean", "moving_variance"]
    assert len(model.weights) == 8 and len(model.trainable_weights) == 6 and len(model.non_trainable_weights) == 2
    assert model.non_trainable_weights[0] is bn.params["moving_mean"]
    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert "│            16 │" in text and " Non-trainable params: 8 (32.00 B)" in text
    x, y = images()
    model.fit(x, y, epochs=1, batch_size=32, verbose=0)
    assert len(model.optimizer.slots[0]) == 6  # Adam keeps m and v for the six trained arrays only
    assert set(bn.grads) == {"gamma", "beta"}
    assert not np.allclose(bn.params["moving_mean"], 0) and not np.allclose(bn.params["moving_variance"], 1)


def test_batch_normalization_uses_batch_statistics_in_training_and_moving_ones_in_inference():
    layer = BatchNormalization(momentum=0.5)
    x = np.random.default_rng(0).normal(3.0, 2.0, (200, 4)).astype(np.float32)
    y = layer(x, training=True)
    np.testing.assert_allclose(y.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(y.var(axis=0), x.var(axis=0) / (x.var(axis=0) + 1e-3), rtol=1e-4)
    np.testing.assert_allclose(layer.params["moving_mean"], 0.5 * x.mean(axis=0), rtol=1e-5)
    np.testing.assert_allclose(layer.params["moving_variance"], 0.5 + 0.5 * x.var(axis=0), rtol=1e-5)
    moving = [w.copy() for w in layer.get_weights()]
    inferred = layer(x)  # inference: the moving statistics, which stay as they are
    np.testing.assert_allclose(inferred, (x - moving[2]) / np.sqrt(moving[3] + 1e-3), rtol=1e-4, atol=1e-5)
    assert all(np.array_equal(a, b) for a, b in zip(moving, layer.get_weights()))


def test_a_frozen_batch_normalization_runs_in_inference_mode_in_fit_as_in_keras():
    model = small_convnet(BatchNormalization())
    bn = model.layers[1]
    bn.trainable = False
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    before = bn.get_weights()
    model.fit(*images(), epochs=1, verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(before, bn.get_weights()))
    assert len(model.trainable_weights) == 4 and len(model.non_trainable_weights) == 4


# -- saving and learning --------------------------------------------------------------------------------
def test_a_convnet_saves_and_loads_with_every_layer(tmp_path):
    model = Sequential([Input((28, 28, 1)), Conv2D(4, 3, padding="same", activation="relu"), BatchNormalization(),
                        AveragePooling2D(2), Conv2D(3, (2, 3), strides=2, dilation_rate=1), MaxPooling2D(padding="same"),
                        Reshape((-1, 3)), Reshape((4, 3, 3)), GlobalAveragePooling2D(keepdims=True), GlobalMaxPooling2D(),
                        Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    x, y = images()
    model.fit(x, y, epochs=1, verbose=0)
    path = os.path.join(tmp_path, "convnet.npz")
    model.save(path)
    again = load_model(path)
    assert [type(layer) for layer in again.layers] == [type(layer) for layer in model.layers]
    assert [layer.get_config() for layer in again.layers] == [layer.get_config() for layer in model.layers]
    np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))


def test_a_small_convnet_learns_the_toy_digits(backend_name):
    tinynet.utils.set_random_seed(1)
    model = small_convnet()
    x, y = images(256)
    history = model.fit(x, y, epochs=6, batch_size=32, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    assert model.evaluate(x, y, verbose=0)[1] > 0.9
