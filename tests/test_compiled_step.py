"""fit's compiled step (tinynet/kernels/step.py, tinynet/models/compiled_step.py)
against the layer-by-layer step it stands for: the same kernels in the same order,
so the same bits - History, weights, Adam's state, gradients."""
import numpy as np
import pytest

import tinynet
from tinynet.kernels import step as step_kernels
from tinynet.layers import Dense, Dropout, Flatten
from tinynet.models import Sequential, compiled_step
from tinynet.models.training import _layer_step
from tinynet.models.tracker import Tracker

from .helpers import seed_model, toy_digits


def model_of(hidden, jit_compile="auto", metrics=("accuracy",), optimizer="adam", last="softmax",
             loss="sparse_categorical_crossentropy", **dense):
    tinynet.utils.set_random_seed(3)
    model = Sequential([Flatten(input_shape=(28, 28))]
                       + [Dense(units, activation=act, **dense) for units, act in hidden]
                       + [Dense(10, activation=last)])
    model.compile(optimizer=optimizer, loss=loss, metrics=list(metrics), jit_compile=jit_compile)
    return model


def train(model, x, y, **kwargs):
    tinynet.utils.set_random_seed(5)  # the same shuffles for both paths
    return model.fit(x, y, verbose=0, **kwargs)


def uses_compiled_step(model, x):
    return compiled_step.for_fit(model, np.asarray(x, np.float32), None) is not None


def assert_same_bits(a, b):
    for p, q in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(p, q)
    assert a.optimizer.iterations == b.optimizer.iterations
    for kind_a, kind_b in zip(a.optimizer.slots, b.optimizer.slots):
        for p, q in zip(kind_a, kind_b):
            np.testing.assert_array_equal(p, q)
    for p, q in zip(a.gradients(), b.gradients()):
        np.testing.assert_array_equal(p, q)


@pytest.mark.parametrize("hidden,metrics,kwargs", [
    ([(16, "relu")], ("accuracy",), {"batch_size": 32}),
    ([(24, "relu"), (12, "linear")], ("accuracy",), {"batch_size": 20, "validation_split": 0.25}),
    ([(16, "relu")], (), {"batch_size": 32, "shuffle": False}),
    ([(16, "relu")], ("sparse_categorical_accuracy",), {"batch_size": 7}),
])
def test_the_compiled_step_trains_to_the_same_bits_as_the_layer_path(hidden, metrics, kwargs):
    x, y = toy_digits(150)
    x = x.astype(np.float32) / 255
    fast, slow = model_of(hidden, metrics=metrics), model_of(hidden, jit_compile=False, metrics=metrics)
    assert uses_compiled_step(fast, x) and not uses_compiled_step(slow, x)
    got, want = train(fast, x, y, epochs=3, **kwargs), train(slow, x, y, epochs=3, **kwargs)
    assert got.history == want.history  # floats compared exactly
    assert_same_bits(fast, slow)


def test_callbacks_see_the_same_batches_and_logs_on_both_paths():
    x, y = toy_digits(100)
    seen = {}
    for jit in ("auto", False):
        log = seen[jit] = []

        class Record(tinynet.callbacks.Callback):
            def on_train_batch_begin(self, batch, logs=None):
                log.append(("begin", batch))

            def on_train_batch_end(self, batch, logs=None):
                log.append(("end", batch, dict(logs)))

            def on_epoch_end(self, epoch, logs=None):
                log.append(("epoch", epoch, dict(logs)))

        train(model_of([(16, "relu")], jit), x, y, epochs=2, batch_size=32, callbacks=[Record()])
    assert seen["auto"] == seen[False] and len(seen[False]) == 2 * (2 * 4) + 2


def test_a_callback_that_stops_training_ends_the_epoch_at_that_batch_on_the_compiled_path():
    x, y = toy_digits(96)
    model = model_of([(16, "relu")])

    class StopAtSecond(tinynet.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 1:
                self.model.stop_training = True

    train(model, x, y, epochs=3, batch_size=32, callbacks=[StopAtSecond()])
    assert model.optimizer.iterations == 2


@pytest.mark.parametrize("change", ["jit_compile", "numpy backend", "sample_weight", "dropout", "sgd", "amsgrad",
                                    "categorical", "regularizer", "frozen", "no flatten", "logits", "mse"])
def test_what_trains_layer_by_layer(change):
    x, y = toy_digits(32)
    x = x.astype(np.float32) / 255
    weights = None
    model = {
        "jit_compile": lambda: model_of([(8, "relu")], jit_compile=False),
        "dropout": lambda: _with_dropout(),
        "sgd": lambda: model_of([(8, "relu")], optimizer="sgd"),
        "amsgrad": lambda: model_of([(8, "relu")], optimizer=tinynet.optimizers.Adam(amsgrad=True)),
        "categorical": lambda: model_of([(8, "relu")], loss="categorical_crossentropy"),
        "regularizer": lambda: model_of([(8, "relu")], kernel_regularizer="l2"),
        "logits": lambda: model_of([(8, "relu")], last="linear"),
        "mse": lambda: model_of([(8, "relu")], loss="mse", metrics=()),
    }.get(change, lambda: model_of([(8, "relu")]))()
    if change == "frozen":
        model.layers[1].trainable = False
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    if change == "no flatten":
        model = Sequential([Dense(8, activation="relu", input_shape=(28, 28)), Flatten(), Dense(10, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    if change == "sample_weight":
        weights = np.ones(len(x), np.float32)
    if change == "categorical":
        y = tinynet.utils.to_categorical(y, 10)
    model.build((None, 28, 28))
    model._freeze_trainable_set()
    backend = "numpy" if change == "numpy backend" else "numba"
    tinynet.set_backend(backend)
    try:
        assert compiled_step.for_fit(model, x, weights) is None
    finally:
        tinynet.set_backend("numba")
    assert uses_compiled_step(model_of([(8, "relu")]), x)  # the unchanged model does use it


def _with_dropout():
    model = Sequential([Flatten(input_shape=(28, 28)), Dense(8, activation="relu"), Dropout(0.5),
                        Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model


def test_jit_compile_must_be_auto_true_or_false():
    with pytest.raises(ValueError, match="jit_compile.*'auto', True or False.*Received: jit_compile='xla'"):
        seed_model(compile=False).compile(optimizer="adam", loss="mse", jit_compile="xla")


def test_the_numpy_twin_is_the_layer_path_of_the_numpy_backend_bit_for_bit():
    """One step at a time, shuffled, with a short last batch: the twin's weights, Adam
    state, loss and count match the layer-by-layer step on the NumPy kernels."""
    x, y = toy_digits(70)
    x = x.astype(np.float32).reshape(70, -1) / 255
    y = y.astype(np.int64)
    twin, layered = model_of([(12, "relu"), (8, "linear")]), model_of([(12, "relu"), (8, "linear")])
    for model in (twin, layered):
        model.layers.pop(0)  # take flat rows: (70, 784)
        model.build((None, 784))
        model._freeze_trainable_set()
        model.optimizer.build(model._params)
    dense = twin.layers
    order = np.random.default_rng(0).permutation(70)
    buffer = np.empty((32, 784), np.float32)
    tinynet.set_backend("numpy")
    try:
        tracker = Tracker(layered, layered.compiled_metrics(), y)
        for t, start in enumerate(range(0, 70, 32), start=1):
            stop = min(start + 32, 70)
            m, v = twin.optimizer.slots
            loss, correct, finite = step_kernels.dense_adam_step_numpy(
                x, order, start, stop, y, y, buffer, [d.params["kernel"] for d in dense], [d.params["bias"] for d in dense],
                [d.activation == "relu" for d in dense], [d.gradient_buffer("kernel") for d in dense],
                [d.gradient_buffer("bias") for d in dense], m[0::2], v[0::2], m[1::2], v[1::2],
                np.float32(1e-3), 0.9, 0.999, 1e-7, t)
            twin.optimizer.iterations += 1
            counted = tracker.metrics[0].total
            want_loss, want_finite = _layer_step(layered, x, y, None, buffer.copy(), order, start, stop, tracker)
            assert (loss, finite) == (want_loss, want_finite)
            assert correct == tracker.metrics[0].total - counted
    finally:
        tinynet.set_backend("numba")
    assert_same_bits(twin, layered)


def test_the_numba_step_agrees_with_its_numpy_twin():
    x, y = toy_digits(64)
    x = x.astype(np.float32).reshape(64, -1) / 255
    y = y.astype(np.int64)
    results = []
    for fn in (step_kernels.dense_adam_step_numba, step_kernels.dense_adam_step_numpy):
        rng = np.random.default_rng(1)
        kernels = (rng.standard_normal((784, 16), np.float32) * 0.05, rng.standard_normal((16, 10), np.float32) * 0.3)
        biases = (np.zeros(16, np.float32), np.zeros(10, np.float32))
        grads = tuple(np.empty_like(k) for k in kernels), tuple(np.empty_like(b) for b in biases)
        slots = [tuple(np.zeros_like(a) for a in group) for group in (kernels, kernels, biases, biases)]
        out = fn(x, np.arange(64)[::-1].copy(), 0, 32, y, y, np.empty((32, 784), np.float32), kernels, biases,
                 (True, False), *grads, slots[0], slots[1], slots[2], slots[3], np.float32(1e-3), 0.9, 0.999, 1e-7, 1)
        results.append((out, kernels + biases, grads[0] + grads[1], tuple(a for group in slots for a in group)))
    (got, got_w, got_g, got_s), (want, want_w, want_g, want_s) = results
    # Not bit-equal: the Numba products sum in another order (blocked, fused
    # multiply-adds) than BLAS, so values differ by float32 rounding (~1e-7
    # relative); 1e-5 leaves room for the sums over 784 inputs and 32 images.
    np.testing.assert_allclose(got[0], want[0], rtol=1e-5)
    assert got[1:] == want[1:]
    # The gradients and Adam's m and v as well as the weights: one Adam step from
    # zero slots moves every weight by about alpha * sign(g), whatever g's size.
    for a, b in zip(got_g + got_s + got_w, want_g + want_s + want_w):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7 * float(np.abs(b).max()))
