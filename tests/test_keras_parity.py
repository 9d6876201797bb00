"""tinynet against real Keras: the fixtures in tests/reference/fixtures were made
by tests/reference/make_fixtures.py with Keras 3.15.1 / TensorFlow 2.21.0 (see
versions.json). No Keras is needed here.

Tolerances, and why:
* building blocks and single optimizer steps: a few float32 operations, so the
  two agree to float32 rounding: relative 1e-5 of the value's size (float32's
  epsilon is 1.2e-7; sums over up to 10 terms, exp and log each add a few).
* trajectories of the normalised models (2 epochs, 64 Adam steps): each step's
  products round differently (oneDNN vs our kernels, ~1e-7 relative), and Adam
  carries those differences on. Measured on 2026-11-25: per-batch losses within
  3.7e-7 relative, final weights within 1.6e-5 of the largest weight. Limits:
  1e-5 and 1e-4, so that a real change in the maths (a missing bias correction
  moves the weights by ~1e-3) fails while rounding does not.
* the seed model on raw 0-255 pixels: pre-activations reach ~1e3, so rounding
  is ~255x larger, and Adam turns a sign change of a tiny gradient into a full
  step of lr. Measured: losses 5e-6 relative, weights 1.4e-3 of the largest
  weight; limits 5e-5 and 5e-3.
* a warning about the over-fitting model (4 hidden layers): its trajectory
  depends on which side of 0 a pre-activation lands when it sits within
  rounding of 0. Measured on 2026-11-25: a Dense forward that added its sum over
  the inputs in 8 partial sums flipped one of 32 x 512 first-layer ReLUs at step
  22 (+4e-7 against <= 0 with BLAS), and from there the losses drifted to 4.5e-3
  relative and the final weights by 34% of the largest - while at the same
  weights its gradients equalled NumPy's within 1e-5. The kernels now add two
  halves, which stays within 4.6e-7 of Keras throughout. If a change of
  summation order fails only this model's trajectory, look for such a flip
  before suspecting the maths.
A failing comparison names the figure, the position and the deviation.
"""
import json
import os

import numpy as np
import pytest

import tinynet
from tinynet import activations, initializers, losses, metrics, optimizers
from tinynet.callbacks import Callback
from tinynet.layers import Dense, Flatten
from tinynet.models import Sequential

FIXTURES = os.path.join(os.path.dirname(__file__), "reference", "fixtures")
RTOL = 1e-5


def fixture(name):
    with np.load(os.path.join(FIXTURES, name + ".npz"), allow_pickle=False) as data:
        return {k: data[k] for k in data.files}


def assert_matches(what, got, want, rtol=RTOL, scale=None):
    """|got - want| <= rtol * scale elementwise (scale: |want| unless given); on failure
    say which figure, where, and by how much."""
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    assert got.shape == want.shape, f"{what}: shape {got.shape}, Keras {want.shape}"
    scale = np.abs(want) if scale is None else np.broadcast_to(scale, want.shape)
    excess = np.abs(got - want) - rtol * scale - 1e-30
    if (excess > 0).any():
        where = np.unravel_index(np.argmax(excess), want.shape)
        raise AssertionError(f"{what} at {tuple(map(int, where))}: tinynet {got[where]:.9g}, Keras {want[where]:.9g}, "
                             f"deviation {abs(got[where] - want[where]):.3g} > {rtol:g} x {scale[where]:.3g}")


@pytest.fixture(autouse=True)
def numba_backend():
    tinynet.set_backend("numba")


@pytest.mark.parametrize("activation", ["linear", "relu", "sigmoid", "tanh", "softmax"])
def test_dense_forward_for_each_activation(activation):
    f = fixture("dense_softmax")
    layer = Dense(5, activation=activation)
    layer.build((6,))
    layer.set_weights([f["kernel"], f["bias"]])
    y = layer.call(f["x"])
    assert_matches(f"Dense({activation}) output", y, f[f"y_{activation}"], scale=np.abs(f[f"y_{activation}"]) + 1e-3)


def test_softmax_stays_finite_at_extreme_logits():
    f = fixture("dense_softmax")
    p = activations.softmax(f["softmax_z"])
    assert np.isfinite(p).all()
    assert_matches("softmax", p, f["softmax_p"], scale=np.abs(f["softmax_p"]) + 1e-7)


LOSS_CASES = {
    "sparse_logits": (losses.SparseCategoricalCrossentropy(from_logits=True), "labels", "logits"),
    "sparse_probs": (losses.SparseCategoricalCrossentropy(), "labels", "probs"),
    "categorical_logits": (losses.CategoricalCrossentropy(from_logits=True), "onehot", "logits"),
    "categorical_probs": (losses.CategoricalCrossentropy(), "onehot", "probs"),
    "mse": (losses.MeanSquaredError(), "mse_true", "logits"),
}


@pytest.mark.parametrize("case", sorted(LOSS_CASES))
def test_losses_and_their_gradients(case):
    f = fixture("losses")
    loss, y_key, pred_key = LOSS_CASES[case]
    y, pred = f[y_key], f[pred_key]
    assert_matches(f"{case} loss", loss(y, pred), f[f"{case}_loss"])
    grad = loss.gradient(y, pred)
    assert_matches(f"{case} gradient", grad, f[f"{case}_grad"], scale=np.abs(f[f"{case}_grad"]).max())


def test_accuracy_metrics_including_a_tie():
    f = fixture("metrics")
    labels = f["labels"]
    # The training loop's path: labels once, then one count per batch.
    def fast(metric, y_true, y_pred):
        metric.update_state_from_labels(metric.labels(y_true), y_pred)
        return metric.result()

    sparse = fast(metrics.SparseCategoricalAccuracy(), labels, f["scores"])
    categorical = fast(metrics.CategoricalAccuracy(), np.eye(3)[labels], f["scores"])
    binary = fast(metrics.BinaryAccuracy(), f["binary_true"], f["binary_pred"])
    assert sparse == pytest.approx(f["sparse"].mean())
    assert categorical == pytest.approx(f["categorical"].mean())
    assert binary == pytest.approx(f["binary"].mean())


def test_training_loss_is_taken_from_the_softmax_logits_like_keras():
    """Keras computes the loss of a softmax output from the logits behind it; with
    clipped probabilities this model's loss would be visibly different."""
    f = fixture("model_gradients")
    model = Sequential([Flatten(input_shape=(2, 3)), Dense(5, activation="relu"), Dense(4, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    model.set_weights([f[f"w{i}"] for i in range(4)])
    model.layers[1].needs_input_grad = True  # Keras' tape also gave dL/dx
    model._first_trainable = 0
    sample_losses, out = model.compute_gradients(f["x"].reshape(6, -1), f["y"])
    assert_matches("model output", out, f["y_pred"], scale=np.abs(f["y_pred"]) + 1e-6)
    assert_matches("training loss", sample_losses.mean(), f["loss"])
    clipped = losses.sparse_categorical_crossentropy(f["y"], out).mean()
    assert abs(clipped - f["loss"]) > 1e-3, "this fixture should tell logits from clipped probabilities"
    for i, grad in enumerate(model.gradients()):
        assert_matches(f"gradient of weight {i}", grad, f[f"g{i}"], scale=np.abs(f[f"g{i}"]).max())


@pytest.mark.parametrize("name,make", [
    ("adam", lambda: optimizers.Adam(learning_rate=0.01)),
    ("sgd", lambda: optimizers.SGD(learning_rate=0.1)),
    ("sgd_momentum", lambda: optimizers.SGD(learning_rate=0.1, momentum=0.9)),
    ("sgd_nesterov", lambda: optimizers.SGD(learning_rate=0.1, momentum=0.9, nesterov=True)),
])
def test_optimizer_steps(name, make):
    f = fixture("optimizers")
    w = f["w0"].copy()
    opt = make()
    for step, g in enumerate(f["grads"]):
        opt.apply([w], [g])
        assert_matches(f"{name} step {step + 1}", w, f[name][step], scale=np.abs(f[name][step]) + 1e-6)


def test_glorot_uniform_statistics_match_keras():
    f = fixture("initializers")
    for shape, (mean, std, low, high) in f.items():
        fan_in, fan_out = map(int, shape.split("x"))
        limit = np.sqrt(6 / (fan_in + fan_out))
        w = initializers.glorot_uniform((fan_in, fan_out))
        assert -limit <= w.min() and w.max() <= limit and -limit <= low and high <= limit
        assert w.std() == pytest.approx(std, rel=0.03), shape  # both ~ limit / sqrt(3)
        assert abs(w.mean()) < 4 * std / np.sqrt(w.size) and abs(mean) < 4 * std / np.sqrt(w.size)


def test_parameter_counts_match_keras():
    with open(os.path.join(FIXTURES, "versions.json")) as f:
        counts = json.load(f)["param_counts"]
    for name, hidden in {"under": [], "balanced": [128], "over": [512, 512, 256, 128]}.items():
        model = Sequential([Flatten(input_shape=(28, 28))] + [Dense(h, activation="relu") for h in hidden]
                           + [Dense(10, activation="softmax")])
        assert [layer.count_params() for layer in model.layers] == counts[name]


class BatchLogs(Callback):
    def __init__(self):
        self.loss, self.accuracy = [], []

    def on_train_batch_end(self, batch, logs=None):
        self.loss.append(logs["loss"])
        self.accuracy.append(logs["accuracy"])


TRAJECTORIES = {"seed": ([128], 1.0, 5e-5, 5e-3), "under": ([], 255.0, 1e-5, 1e-4),
                "balanced": ([128], 255.0, 1e-5, 1e-4), "over": ([512, 512, 256, 128], 255.0, 1e-5, 1e-4)}


@pytest.mark.parametrize("name", sorted(TRAJECTORIES))
def test_training_trajectory_follows_keras(name):
    hidden, scale, loss_rtol, weight_rtol = TRAJECTORIES[name]
    f = fixture(f"trajectory_{name}")
    (x_train, y_train), (x_test, y_test) = tinynet.datasets.mnist.load_data()
    x, y = x_train[:1024].astype(np.float32) / scale, y_train[:1024]
    xv, yv = x_test[:512].astype(np.float32) / scale, y_test[:512]
    model = Sequential([Flatten(input_shape=(28, 28))] + [Dense(h, activation="relu") for h in hidden]
                       + [Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.set_weights([f[f"initial_{i}"] for i in range(len(model.weights))])
    logs = BatchLogs()
    history = model.fit(x, y, epochs=2, batch_size=32, shuffle=False, validation_data=(xv, yv), verbose=0,
                        callbacks=[logs])
    assert_matches(f"{name}: running loss after each batch", logs.loss, f["batch_loss"], loss_rtol)
    # Accuracy is a count: equal, or off by whole samples (1/1024 = 9.8e-4 each).
    assert_matches(f"{name}: running accuracy after each batch", logs.accuracy, f["batch_accuracy"], 1e-6, 1.0)
    for key, values in history.history.items():
        rtol = loss_rtol if "loss" in key else 1e-6
        assert_matches(f"{name}: History['{key}']", values, f[f"history_{key}"], rtol)
    for i, w in enumerate(model.get_weights()):
        final = f[f"final_{i}"]
        assert_matches(f"{name}: final weight array {i}", w, final, weight_rtol, np.abs(final).max())
    assert_matches(f"{name}: evaluate", model.evaluate(xv, yv, verbose=0), f["evaluate"], loss_rtol)
    assert_matches(f"{name}: predict", model.predict(xv[:64]), f["predict"], weight_rtol, 1.0)
