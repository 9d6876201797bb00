"""Conv2D, pooling and BatchNormalization against real Keras, and the "Simple
MNIST convnet" trained 2 epochs from Keras' initial weights. The fixtures
(conv_layers.npz, convnet.npz) were made by tests/reference/make_fixtures.py with
Keras 3.15.1 / TensorFlow 2.21.0; no Keras is needed here.

Tolerances, and why (as in test_keras_parity.py):
* single layers: each value is a sum - over a window's kh * kw * c_in products, a
  batch's pixels, ... - that oneDNN adds in another order than tinynet, so the two
  agree to float32 rounding: relative 1e-5 of the sum of |terms| (computed by the
  NumPy twins on absolute values), not of the value, which may cancel to ~0.
* the convnet's first epoch (8 Adam steps of batch 128): every product rounds
  differently (~1e-7 relative) and Adam carries it on, as for the Dense models.
  Measured on 2026-12-02: running losses within 1.1e-7 relative, weights within
  5.5e-6 of the largest weight of their array (the same with 1 thread or 2). Limits 1e-5 and 1e-4, as for the
  normalised Dense trajectories: a change in the maths fails them.
* its second epoch: at its second step (step 10), two outputs of the second
  Conv2D that fall in one 2x2 pooling window (image 238, rows 4 and 5, column 3,
  filter 31) differ by 6e-8 in Keras and are equal in tinynet - rounding - so
  Keras' max pooling sends that gradient to the second one and tinynet's to the
  first (with a tie, both take the first; checked by the pooling fixture). That
  one routing moves the second Conv2D's kernel gradient by 0.7% of its largest
  entry, and Adam carries it on: the final weights differ by up to 2.5e-3 of the
  largest weight of their array (the second Conv2D's bias), while the running
  losses stay within 3e-7 and evaluate within 1e-6. Limits for the final weights:
  1e-2 of the largest weight of the array; losses, accuracies and evaluate as in
  the first epoch.
Dropout: the fixture's convnet has Dropout(0.0). Its masks are random in both
frameworks and cannot be made the same; with rate 0 the layer passes its input
through in both, and everything else in the example is as written.
"""
import re

import numpy as np
import pytest

import tinynet
from tinynet.callbacks import Callback
from tinynet.kernels import NUMPY
from tinynet.layers import (AveragePooling2D, BatchNormalization, Conv2D, Dense, Dropout, Flatten,
                            GlobalAveragePooling2D, GlobalMaxPooling2D, Input, MaxPooling2D)
from tinynet.models import Sequential
from tinynet.utils import to_categorical

from .test_keras_parity import assert_matches, fixture

CONV_CASES = {
    "relu_valid": dict(filters=4, kernel_size=3, activation="relu"),
    "strided_same": dict(filters=3, kernel_size=(2, 3), strides=(2, 3), padding="same"),
    "dilated_same": dict(filters=2, kernel_size=3, dilation_rate=2, padding="same"),
    "one_by_one_tanh": dict(filters=5, kernel_size=1, strides=2, activation="tanh"),
}
POOL_CASES = {
    "2x2": dict(pool_size=2),
    "3x3_stride2_same": dict(pool_size=3, strides=2, padding="same"),
    "overlapping_2x3": dict(pool_size=(2, 3), strides=1),
}


@pytest.fixture(autouse=True)
def numba_backend():
    tinynet.set_backend("numba")


def output_and_input_gradient(layer, x, r, training=False):
    """layer(x), and dL/dx for L = sum(r * layer(x)), as the fixtures' GradientTape took them."""
    y = layer.call(x, training=training)
    layer.needs_input_grad = True
    return y, layer.backward(r)


def conv_scales(layer, x, r):
    """The sums of |terms| behind a Conv2D's output and its gradients: the NumPy twins
    run in float64 on |x|, |W|, |b| and |r| (|r| bounds |dL/dz|: ReLU's, tanh's and
    the identity's slopes are at most 1)."""
    x, r = np.abs(x).astype(np.float64), np.abs(r).astype(np.float64)
    w, b = np.abs(layer.kernel).astype(np.float64), np.abs(layer.bias).astype(np.float64)
    args = layer.strides, layer.dilation_rate, layer.pads
    y = NUMPY.conv2d_forward(x, w, b, *args, False, None)
    dw, db = np.empty_like(w), np.empty_like(b)
    dx = NUMPY.conv2d_backward(x, w, y, r, *args, False, True, dw, db, None)
    return {"y": y, "dx": dx, "dkernel": dw, "dbias": db}


@pytest.mark.parametrize("case", sorted(CONV_CASES))
def test_conv2d_output_and_gradients(case):
    f = {k[len(f"conv_{case}_"):]: v for k, v in fixture("conv_layers").items() if k.startswith(f"conv_{case}_")}
    layer = Conv2D(**CONV_CASES[case])
    layer.build(f["x"].shape[1:])
    layer.set_weights([f["kernel"], f["bias"]])
    y, dx = output_and_input_gradient(layer, f["x"], f["r"])
    scales = conv_scales(layer, f["x"], f["r"])
    assert_matches(f"Conv2D {case} output", y, f["y"], scale=scales["y"])
    assert_matches(f"Conv2D {case} dL/dx", dx, f["dx"], scale=scales["dx"])
    for name in ("kernel", "bias"):
        assert_matches(f"Conv2D {case} dL/d{name}", layer.grads[name], f[f"d{name}"], scale=scales[f"d{name}"])


@pytest.mark.parametrize("case", sorted(POOL_CASES))
@pytest.mark.parametrize("cls", [MaxPooling2D, AveragePooling2D], ids=lambda c: c.__name__)
def test_pooling_output_and_gradient(case, cls):
    """The 2x2 case's first window holds a four-way tie: Keras' gradient goes to the
    first of them in reading order, as tinynet's does."""
    f = fixture("conv_layers")
    key = f"pool_{case}_{cls.__name__}_"
    layer, x, r = cls(**POOL_CASES[case]), f[f"pool_{case}_x"], f[key + "r"]
    y, dx = output_and_input_gradient(layer, x, r)
    # Sums of |terms|: the same layer on |x| and |r| (a max is exact: its scale is |y|).
    assert_matches(f"{cls.__name__} {case} output", y, f[key + "y"], scale=layer.call(np.abs(x)))
    layer.call(x)
    assert_matches(f"{cls.__name__} {case} dL/dx", dx, f[key + "dx"], scale=layer.backward(np.abs(r)))


@pytest.mark.parametrize("cls", [GlobalMaxPooling2D, GlobalAveragePooling2D], ids=lambda c: c.__name__)
def test_global_pooling_output_and_gradient(cls):
    """Four pixels tie for one channel's maximum: Keras (reduce_max) shares that
    channel's gradient among them equally, and so does tinynet."""
    f = fixture("conv_layers")
    key = f"global_{cls.__name__}_"
    y, dx = output_and_input_gradient(cls(), f["global_x"], f[key + "r"])
    assert_matches(f"{cls.__name__} output", y, f[key + "y"], scale=cls().call(np.abs(f["global_x"])))
    assert_matches(f"{cls.__name__} dL/dx", dx, f[key + "dx"])  # dy / (pixels, or ties): one rounding


@pytest.mark.parametrize("case", ["images", "features"])
def test_batch_normalization_in_training_then_in_inference(case):
    """One training call (batch statistics; the moving ones updated), then one
    inference call (the updated moving statistics), as the fixture's layer did."""
    f = {k[len(f"bn_{case}_"):]: v for k, v in fixture("conv_layers").items() if k.startswith(f"bn_{case}_")}
    layer = BatchNormalization()
    layer.build(f["x"].shape[1:])
    layer.set_weights([f[f"weight{i}"] for i in range(4)])
    for mode in ("training", "inference"):
        y, dx = output_and_input_gradient(layer, f["x"], f[f"{mode}_r"], training=mode == "training")
        scales = batchnorm_scales(layer, f["x"], f[f"{mode}_r"])
        for name, got in [("output", y), ("dx", dx), ("dgamma", layer.grads["gamma"]),
                          ("dbeta", layer.grads["beta"])]:
            want = f[f"{mode}_{'y' if name == 'output' else name}"]
            assert_matches(f"BatchNormalization {case} {mode} {name}", got, want, scale=scales[name])
        for i, w in enumerate(layer.get_weights()):
            assert_matches(f"BatchNormalization {case} weight {i} after {mode}", w, f[f"{mode}_after{i}"])


def batchnorm_scales(layer, x, r):
    """The sums of |terms| behind BatchNormalization's output and gradients, with the
    statistics the layer's last call used (see tinynet.kernels.batchnorm's formulas)."""
    x = x.reshape(-1, x.shape[-1]).astype(np.float64)
    r = np.abs(r.reshape(x.shape)).astype(np.float64)
    inv_std = 1 / np.sqrt(layer.variance.astype(np.float64) + layer.epsilon)
    s = np.abs(layer.params["gamma"]) * inv_std
    x_hat = np.abs(x - layer.mean) * inv_std
    sum_r, sum_r_xhat = r.sum(axis=0), (r * x_hat).sum(axis=0)
    dx = s * (r + (sum_r + x_hat * sum_r_xhat) / len(x)) if layer.batch_stats else s * r
    y = np.abs(x) * s + np.abs(layer.params["beta"]) + np.abs(layer.mean) * s
    return {"output": y.reshape(layer.x_shape), "dx": dx.reshape(layer.x_shape), "dgamma": sum_r_xhat,
            "dbeta": sum_r}


def convnet(dropout=0.0):
    return Sequential([
        Input(shape=(28, 28, 1)),
        Conv2D(32, kernel_size=(3, 3), activation="relu"),
        MaxPooling2D(pool_size=(2, 2)),
        Conv2D(64, kernel_size=(3, 3), activation="relu"),
        MaxPooling2D(pool_size=(2, 2)),
        Flatten(),
        Dropout(dropout),
        Dense(10, activation="softmax"),
    ])


def test_convnet_summary_as_keras_prints_it():
    """Line for line, character for character, except for the model's name line and
    the numbers both append to repeated layer names (conv2d_6 there, conv2d_1 here),
    which are taken off (and the cell they sit in compared without its padding)."""
    lines = []
    convnet(0.5).summary(print_fn=lines.append)
    lines = "\n".join(lines).splitlines()
    keras_lines = list(fixture("convnet")["summary"])

    def unnumbered(rows):
        return [re.sub(r"^│ (\S+?)(_\d+)? \((\w+)\) +│", r"│ \1 (\3) │", row) for row in rows[1:]]

    assert len(lines) == len(keras_lines) == 21
    assert unnumbered(lines) == unnumbered(keras_lines)
    assert convnet().count_params() == 34_826


class BatchLogs(Callback):
    def __init__(self):
        self.loss, self.accuracy = [], []

    def on_train_batch_end(self, batch, logs=None):
        self.loss.append(logs["loss"])
        self.accuracy.append(logs["accuracy"])


class AfterEpoch(Callback):
    def __init__(self):
        self.weights = []

    def on_epoch_end(self, epoch, logs=None):
        self.weights.append(self.model.get_weights())


def test_convnet_trajectory_follows_keras():
    f = fixture("convnet")
    (x, y), (xv, yv) = tinynet.datasets.mnist.load_data()
    x, xv = (x[:1024].astype(np.float32) / 255)[..., None], (xv[:512].astype(np.float32) / 255)[..., None]
    y, yv = to_categorical(y[:1024], 10), to_categorical(yv[:512], 10)
    model = convnet()
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    model.set_weights([f[f"initial_{i}"] for i in range(len(model.weights))])
    logs, after_epoch = BatchLogs(), AfterEpoch()
    history = model.fit(x, y, batch_size=128, epochs=2, shuffle=False, validation_data=(xv, yv), verbose=0,
                        callbacks=[logs, after_epoch])
    assert_matches("convnet: running loss after each batch", logs.loss, f["batch_loss"], 1e-5)
    assert_matches("convnet: running accuracy after each batch", logs.accuracy, f["batch_accuracy"], 1e-6, 1.0)
    for key, values in history.history.items():
        assert_matches(f"convnet: History['{key}']", values, f[f"history_{key}"], 1e-5 if "loss" in key else 1e-6)
    for i, w in enumerate(after_epoch.weights[0]):
        want = f[f"epoch1_{i}"]
        assert_matches(f"convnet: weight array {i} after epoch 1", w, want, 1e-4, np.abs(want).max())
    for i, w in enumerate(model.get_weights()):  # after one rounding-decided routing: see the docstring
        final = f[f"final_{i}"]
        assert_matches(f"convnet: final weight array {i}", w, final, 1e-2, np.abs(final).max())
    assert_matches("convnet: evaluate", model.evaluate(xv, yv, batch_size=128, verbose=0), f["evaluate"], 1e-5)
    assert_matches("convnet: predict", model.predict(xv[:64], batch_size=128, verbose=0), f["predict"], 1e-4, 1.0)
