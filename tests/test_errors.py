"""Bad input: one row per mistake, each with the exact error type and the words
the message must contain (the argument, what was expected, what came). After
every rejected call the model must be exactly as before: weights, optimizer
state and compiled settings."""
import numpy as np
import pytest

import os
import tempfile

import tinynet
from tinynet import layers
from tinynet.callbacks import EarlyStopping, ModelCheckpoint
from tinynet.datasets import mnist
from tinynet.models import Sequential, load_model

from .helpers import seed_model, toy_digits

_TMP = tempfile.mkdtemp()
OTHER_WEIGHTS = os.path.join(_TMP, "other.npz")
seed_model(hidden=3, compile=False).save_weights(OTHER_WEIGHTS)
DAMAGED = os.path.join(_TMP, "damaged.npz")
with open(DAMAGED, "wb") as _f:
    _f.write(b"PK\x03\x04 not really a zip")

X, Y = toy_digits(40)
XF = X.astype(np.float32) / 255
NAN_X = XF.copy()
NAN_X[3, 4, 5] = np.nan
INF_X = XF.copy()
INF_X[0, 0, 0] = np.inf


def trained_model():
    tinynet.utils.set_random_seed(0)
    model = seed_model()
    model.fit(X, Y, epochs=1, verbose=0)  # so that optimizer state exists too
    return model


def snapshot(model):
    opt = getattr(model, "optimizer", None)
    return ([w.copy() for w in model.get_weights()],
            None if opt is None else [v.copy() for v in opt.variables()],
            (getattr(model, "loss", None), getattr(model, "metric_names", None), opt, model.compiled))


def assert_same(before, after):
    for a, b in zip(before[0] + (before[1] or []), after[0] + (after[1] or [])):
        np.testing.assert_array_equal(a, b)
    assert before[2] == after[2]


MODEL_CASES = [
    ("x/y length mismatch", lambda m: m.fit(X, Y[:-1], verbose=0), ValueError,
     ["`x`", "`y`", "same number of samples", "len(x)=40, len(y)=39"]),
    ("feature shape", lambda m: m.fit(X[:, :27], Y, verbose=0), ValueError,
     ["`x`", "expected shape (n, 28, 28)", "(40, 27, 28)"]),
    ("label too large", lambda m: m.fit(X, Y + 5, verbose=0), ValueError,
     ["`y`", "[0, 10)", "labels from 5 to 14"]),
    ("negative label", lambda m: m.fit(X, Y.astype(int) - 1, verbose=0), ValueError, ["`y`", "[0, 10)"]),
    ("one-hot to sparse loss", lambda m: m.fit(X, np.eye(10)[Y], verbose=0), ValueError,
     ["`y`", "one-hot", "categorical_crossentropy", "(40, 10)"]),
    ("fractional labels", lambda m: m.fit(X, Y + 0.5, verbose=0), ValueError, ["`y`", "whole-number"]),
    ("NaN in x", lambda m: m.fit(NAN_X, Y, verbose=0), ValueError, ["`x`", "NaN or infinite", "1 "]),
    ("inf in x", lambda m: m.predict(INF_X), ValueError, ["`x`", "NaN or infinite"]),
    ("string x", lambda m: m.fit(np.array([["a"] * 3] * 40), Y, verbose=0), TypeError, ["`x`", "dtype"]),
    ("1-D x", lambda m: m.predict(np.zeros(5)), ValueError, ["`x`", "(n, ...)", "(5,)"]),
    ("batch_size 0", lambda m: m.fit(X, Y, batch_size=0, verbose=0), ValueError,
     ["`batch_size`", "positive integer", "batch_size=0"]),
    ("batch_size float", lambda m: m.fit(X, Y, batch_size=32.0, verbose=0), ValueError,
     ["`batch_size`", "batch_size=32.0"]),
    ("epochs negative", lambda m: m.fit(X, Y, epochs=-1, verbose=0), ValueError, ["`epochs`", "epochs=-1"]),
    ("epochs bool", lambda m: m.fit(X, Y, epochs=True, verbose=0), ValueError, ["`epochs`", "epochs=True"]),
    ("evaluate batch_size", lambda m: m.evaluate(X, Y, batch_size=-3, verbose=0), ValueError, ["`batch_size`"]),
    ("predict batch_size", lambda m: m.predict(X, batch_size="32"), ValueError, ["`batch_size`"]),
    ("validation_data not a pair", lambda m: m.fit(X, Y, validation_data=X, verbose=0), ValueError,
     ["`validation_data`", "tuple (x_val, y_val)", "ndarray"]),
    ("validation_data of 4", lambda m: m.fit(X, Y, validation_data=(X, Y, Y, Y), verbose=0), ValueError,
     ["`validation_data`", "length 4"]),
    ("validation weights bad", lambda m: m.fit(X, Y, validation_data=(X, Y, Y[:3]), verbose=0), ValueError,
     ["`validation_data[2]`", "shape (40,)", "shape (3,)"]),
    ("sample_weight short", lambda m: m.fit(X, Y, sample_weight=np.ones(39), verbose=0), ValueError,
     ["`sample_weight`", "shape (40,)", "(39,)"]),
    ("sample_weight NaN", lambda m: m.fit(X, Y, sample_weight=np.full(40, np.nan), verbose=0), ValueError,
     ["`sample_weight`", "NaN"]),
    ("both weights", lambda m: m.fit(X, Y, sample_weight=np.ones(40), class_weight={0: 2.0}, verbose=0),
     ValueError, ["`class_weight` and `sample_weight`"]),
    ("class_weight not a dict", lambda m: m.fit(X, Y, class_weight=[1.0, 2.0], verbose=0), ValueError,
     ["`class_weight`", "dict"]),
    ("unknown metric", lambda m: m.compile(loss="mse", metrics=["acuracy"]), ValueError,
     ["Unknown metric: 'acuracy'", "'mae'"]),
    ("validation labels bad", lambda m: m.fit(X, Y, validation_data=(X, Y + 10), verbose=0), ValueError,
     ["`validation_data[1]`", "[0, 10)"]),
    ("validation_split 1", lambda m: m.fit(X, Y, validation_split=1.0, verbose=0), ValueError,
     ["`validation_split`", "[0.0, 1.0)"]),
    ("verbose 3", lambda m: m.fit(X, Y, verbose=3), ValueError, ["`verbose`", "verbose=3"]),
    ("callbacks not callbacks", lambda m: m.fit(X, Y, callbacks=[print], verbose=0), TypeError, ["`callbacks`"]),
    ("unknown optimizer", lambda m: m.compile(optimizer="nadam", loss="mse"), ValueError,
     ["Unknown optimizer: 'nadam'", "Expected one of ['adagrad', 'adam', 'adamw', 'rmsprop', 'sgd']",
      "Received: optimizer='nadam'"]),
    ("unknown loss", lambda m: m.compile(optimizer="adam", loss="hinge"), ValueError,
     ["Unknown loss: 'hinge'", "sparse_categorical_crossentropy", "Received: loss='hinge'"]),
    ("unknown metric", lambda m: m.compile(optimizer="adam", loss="mse", metrics=["f1"]), ValueError,
     ["Unknown metric: 'f1'", "accuracy", "Received: metric='f1'"]),
    ("metrics not a list", lambda m: m.compile(loss="mse", metrics="accuracy"), TypeError, ["`metrics`"]),
    ("wrong set_weights", lambda m: m.set_weights(m.get_weights()[:-1]), ValueError, ["expects weights of shapes"]),
    ("misspelled monitor", lambda m: m.fit(X, Y, verbose=0, callbacks=[EarlyStopping(monitor="val_los")]),
     ValueError, ["monitors 'val_los'", "Expected one of ['loss', 'accuracy']", "Received: monitor='val_los'"]),
    ("checkpoint monitor without validation", lambda m: m.fit(
        X, Y, verbose=0, callbacks=[ModelCheckpoint("/tmp/never.npz", save_best_only=True)]),
     ValueError, ["ModelCheckpoint monitors 'val_loss'", "Expected one of"]),
    ("load_weights of another model", lambda m: m.load_weights(OTHER_WEIGHTS), ValueError,
     ["expects weights of shapes"]),
    ("load_weights of a damaged file", lambda m: m.load_weights(DAMAGED), ValueError,
     ["not a readable tinynet weights file", "truncated, damaged or of another kind"]),
]


@pytest.mark.parametrize("case,call,error,words", MODEL_CASES, ids=[c[0] for c in MODEL_CASES])
def test_bad_input_is_named_and_leaves_the_model_unchanged(case, call, error, words):
    model = trained_model()
    before = snapshot(model)
    with pytest.raises(error) as info:
        call(model)
    for word in words:
        assert word in str(info.value), f"{word!r} not in: {info.value}"
    assert_same(before, snapshot(model))


def test_one_hot_rows_expected_but_labels_given():
    model = seed_model(compile=False)
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    with pytest.raises(ValueError, match=r"`y` holds class labels .*loss='sparse_categorical_crossentropy'"):
        model.fit(X, Y, verbose=0)


@pytest.mark.parametrize("method", ["fit", "evaluate"])
def test_fit_and_evaluate_before_compile(method):
    model = seed_model(compile=False)
    before = snapshot(model)
    with pytest.raises(RuntimeError, match=f"You must call `compile\\(\\)` before `{method}\\(\\)`"):
        getattr(model, method)(X, Y)
    assert_same(before, snapshot(model))


LAYER_CASES = [
    (lambda: layers.Dense(0), ValueError, ["`units`", "units=0"]),
    (lambda: layers.Dense(10, activation="mish"), ValueError,
     ["Unknown activation: 'mish'", "'relu'", "Received: activation='mish'"]),
    (lambda: layers.Dense(10, kernel_initializer="orthogonal"), ValueError,
     ["Unknown kernel_initializer: 'orthogonal'", "glorot_uniform"]),
    (lambda: layers.Dense(10, units_in=3), TypeError, ["unexpected keyword", "units_in"]),
    (lambda: layers.Flatten(input_shape=(28, -1)), ValueError, ["`input_shape`"]),
    (lambda: layers.Dropout(1.0), ValueError, ["`rate`", "[0.0, 1.0)", "rate=1.0"]),
    (lambda: Sequential([layers.Dense(3), layers.Input((4,))]), ValueError, ["Input can only be the first"]),
    (lambda: Sequential([layers.Dense(3, input_shape=(5,))]).build((None, 6)), ValueError, ["(n, ..., 5)", "(n, 6)"]),
    (lambda: Sequential(["dense"]), TypeError, ["tinynet layer"]),
    (lambda: tinynet.set_backend("cuda"), ValueError, ["Unknown backend: 'cuda'", "['numba', 'numpy']"]),
    (lambda: tinynet.utils.set_random_seed(-1), ValueError, ["`seed`", "seed=-1"]),
    (lambda: tinynet.set_num_threads(0), ValueError, ["`n`", "positive integer", "n=0"]),
    (lambda: tinynet.set_num_threads(10_000), ValueError, ["`n`", "at most", "n=10000"]),
    (lambda: mnist.load_data(path=DAMAGED), ValueError, ["Could not read MNIST from", "x_train"]),
    (lambda: mnist.load_data(path=OTHER_WEIGHTS), ValueError, ["not an MNIST npz", "missing"]),
    (lambda: load_model(DAMAGED), ValueError, ["not a readable tinynet model file"]),
    (lambda: load_model(OTHER_WEIGHTS), ValueError, ["not a tinynet model file", "'config'"]),
    (lambda: load_model(os.path.join(_TMP, "absent.npz")), FileNotFoundError, ["No tinynet model file at"]),
    (lambda: Sequential([layers.Dense(3)]).save(os.path.join(_TMP, "x.npz")), ValueError, ["no weights yet"]),
    (lambda: EarlyStopping(mode="up"), ValueError, ["`mode`", "['auto', 'max', 'min']", "mode='up'"]),
    (lambda: EarlyStopping(patience=-2), ValueError, ["`patience`", "patience=-2"]),
    (lambda: ModelCheckpoint("m.npz", mode="best"), ValueError, ["`mode`", "mode='best'"]),
    (lambda: tinynet.optimizers.SGD(momentum=-0.5), ValueError, ["`momentum`", "momentum=-0.5"]),
]


def test_fit_and_evaluate_without_a_loss_say_so():
    """Keras lets compile() go without a loss (predict needs none); fit and evaluate
    then refuse, naming the missing argument."""
    model = seed_model(compile=False)
    model.compile(optimizer="adam")
    assert model.predict(XF[:2], verbose=0).shape == (2, 10)
    for method in ("fit", "evaluate"):
        with pytest.raises(ValueError, match="compiled without a loss"):
            getattr(model, method)(X, Y, verbose=0)


@pytest.mark.parametrize("call,error,words", LAYER_CASES)
def test_bad_layer_and_library_arguments(call, error, words):
    with pytest.raises(error) as info:
        call()
    for word in words:
        assert word in str(info.value), f"{word!r} not in: {info.value}"


def test_a_rejected_set_backend_keeps_the_current_one():
    tinynet.set_backend("numpy")
    with pytest.raises(ValueError):
        tinynet.set_backend("jax")
    assert tinynet.get_backend() == "numpy"
