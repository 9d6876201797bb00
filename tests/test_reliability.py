"""Non-finite training stopped cleanly, the History receipt, determinism across
processes, kernels under bounds checking, and random input never crashing inside
NumPy or Numba."""
import os
import re
import subprocess
import sys
import traceback

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinynet
from tinynet.callbacks import TerminateOnNaN
from tinynet.models import Sequential
from tinynet.layers import Dense, Flatten

from .helpers import ROOT, seed_model, toy_digits


# Both paths of fit: the compiled step (jit_compile='auto') and the layer-by-layer one.
BOTH_PATHS = pytest.mark.parametrize("jit_compile", ["auto", False])


@BOTH_PATHS
def test_a_nan_loss_stops_training_before_the_bad_update(capsys, jit_compile):
    x, y = toy_digits(96)
    model = seed_model(jit_compile=jit_compile)
    model.fit(x, y, epochs=1, verbose=0)
    huge = x.astype(np.float32) * np.float32(1e36)  # finite (<= 2.6e38), but x @ W overflows to inf
    assert np.isfinite(huge).all()
    before = model.get_weights()
    history = model.fit(huge, y, epochs=3, verbose=0)
    assert history.stop_reason["epoch"] == 0 and history.stop_reason["batch"] == 0
    assert "non-finite" in history.stop_reason["reason"]
    out = capsys.readouterr().out
    assert "Epoch 1, batch 1:" in out and "learning rate" in out and "normalised" in out
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert history.epoch == []


@BOTH_PATHS
def test_a_nan_later_in_training_keeps_the_weights_of_the_batch_before(jit_compile):
    x, y = toy_digits(96)
    x = x.astype(np.float32) / 255
    x[70] = np.float32(3e38)  # batch 3 of epoch 1 (batch_size 32, no shuffle)
    model = seed_model(jit_compile=jit_compile)
    snapshots = []

    class Snap(tinynet.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            snapshots.append(model.get_weights())

    history = model.fit(x, y, epochs=2, batch_size=32, shuffle=False, verbose=0, callbacks=[Snap()])
    assert (history.stop_reason["epoch"], history.stop_reason["batch"]) == (0, 2)
    assert model.optimizer.iterations == 2  # the bad batch moved neither the weights nor Adam
    for a, b in zip(snapshots[-1], model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_terminate_on_nan_stops_on_an_invalid_loss():
    model = seed_model()
    cb = TerminateOnNaN()
    cb.set_model(model)
    model.stop_training = False
    cb.on_train_batch_end(0, {"loss": 0.3})
    assert not model.stop_training
    cb.on_train_batch_end(1, {"loss": float("nan")})
    assert model.stop_training


def test_history_carries_a_receipt():
    x, y = toy_digits(32)
    tinynet.utils.set_random_seed(11)
    history = seed_model().fit(x, y, epochs=1, verbose=0)
    r = history.receipt
    assert r["seed"] == 11 and r["backend"] == "numba" and r["threads"] >= 1
    assert r["numpy"] == np.__version__ and len(r["weights_sha256"]) == 16


RUN = """
import json, tinynet
from tests.helpers import seed_model, toy_digits
tinynet.set_backend({backend!r}); tinynet.set_num_threads(1)
tinynet.utils.set_random_seed(21)
x, y = toy_digits(128)
h = seed_model().fit(x, y, epochs=2, batch_size=16, validation_split=0.25, verbose=0)
print(json.dumps({{"history": h.history, "receipt": h.receipt}}))
"""


@pytest.mark.parametrize("backend", ["numba", "numpy"])
def test_same_seed_is_bit_identical_across_processes(backend):
    runs = [subprocess.run([sys.executable, "-c", RUN.format(backend=backend)], capture_output=True, text=True,
                           cwd=ROOT, check=True).stdout for _ in range(2)]
    assert runs[0] == runs[1]
    assert '"weights_sha256"' in runs[0]


def test_kernel_tests_pass_with_numba_bounds_checking(bounds_checked_kernel_run):
    """The kernel tests, run again with NUMBA_BOUNDSCHECK=1 and an empty cache
    (started at collection, in the background: see ``tests/helpers.py``)."""
    probe = "import numba, numpy as np\n@numba.njit\ndef f(a): return a[5]\ntry:\n f(np.zeros(3)); print('unchecked')\nexcept IndexError: print('checked')"
    env = dict(os.environ, NUMBA_BOUNDSCHECK="1", NUMBA_CACHE_DIR=bounds_checked_kernel_run.folder)
    assert subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True).stdout.strip() == "checked"
    code, output = bounds_checked_kernel_run.result()
    assert code == 0, output
    assert not re.search(r"\d+ skipped", output), output  # it runs the tiles that the default run leaves to it


def _raised_by_tinynet(err):
    """The error was raised by tinynet's own checks, not from inside NumPy or Numba."""
    frames = traceback.extract_tb(err.__traceback__)
    return isinstance(err, (ValueError, TypeError, RuntimeError)) and "tinynet" in frames[-1].filename \
        and "Received" in str(err) or "compile()" in str(err)


def _model():
    model = Sequential([Flatten(input_shape=(4, 3)), Dense(5, activation="relu"), Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


DTYPES = st.sampled_from([np.float32, np.float64, np.int64, np.uint8, np.bool_, np.float16, np.int8])
ELEMENTS = st.floats(allow_nan=True, allow_infinity=True, width=16) | st.integers(-300, 300)


@st.composite
def arrays(draw):
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=6))
    dtype = draw(DTYPES)
    values = draw(hnp.arrays(np.float64, shape, elements=ELEMENTS))
    with np.errstate(all="ignore"):
        return values.astype(dtype)


@settings(max_examples=int(os.environ.get("TINYNET_EXAMPLES", "40")) * 3)
@given(arrays(), arrays(), st.sampled_from(["fit", "evaluate", "predict"]), st.integers(-1, 40))
def test_random_input_works_or_gets_a_tinynet_error(x, y, method, batch_size):
    model = _model()
    before = [w.copy() for w in model.get_weights()]
    try:
        if method == "predict":
            model.predict(x, batch_size=batch_size)
        else:
            getattr(model, method)(x, y, batch_size=batch_size, verbose=0)
    except Exception as err:  # noqa: BLE001 - the point is to see every kind
        assert _raised_by_tinynet(err), f"{type(err).__name__} from {traceback.extract_tb(err.__traceback__)[-1].filename}: {err}"
        for a, b in zip(before, model.get_weights()):
            np.testing.assert_array_equal(a, b)


def _function_calls():
    """What a learner calls directly in a notebook, each on fuzzed (x, y)."""
    from tinynet import activations, losses, metrics
    from tinynet.layers import Dense as _Dense

    dense = _Dense(3)
    dense.build((5,))  # built for width 5: a wider x must be refused before the kernel reads past W
    return {
        "model(x)": lambda x, y: _model()(x),
        "built dense(x)": lambda x, y: dense(x),
        "softmax": lambda x, y: activations.softmax(x),
        "relu": lambda x, y: activations.relu(x),
        "sparse cross-entropy": lambda x, y: losses.SparseCategoricalCrossentropy()(y, x),
        "categorical cross-entropy": lambda x, y: losses.categorical_crossentropy(y, x),
        "binary cross-entropy": lambda x, y: losses.BinaryCrossentropy(from_logits=True)(y, x),
        "mse": lambda x, y: losses.MeanSquaredError()(y, x),
        "accuracy metric": lambda x, y: metrics.SparseCategoricalAccuracy().update_state(y, x),
    }


@settings(max_examples=int(os.environ.get("TINYNET_EXAMPLES", "40")) * 3)
@given(arrays(), arrays(), st.sampled_from(sorted(_function_calls())))
def test_functions_a_learner_calls_work_or_get_a_tinynet_error(x, y, name):
    """Never a Numba TypingError, an IndexError from inside NumPy, or a read past an array."""
    try:
        _function_calls()[name](x, y)
    except Exception as err:  # noqa: BLE001 - the point is to see every kind
        frames = traceback.extract_tb(err.__traceback__)
        assert isinstance(err, (ValueError, TypeError)) and "tinynet" in frames[-1].filename, \
            f"{name}: {type(err).__name__} from {frames[-1].filename}: {err}"
