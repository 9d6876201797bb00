"""Saving and loading: exact round trips, resumed training, atomic writes, and
clear errors for files that are truncated, damaged, foreign or mismatched."""
import os
import signal
import subprocess
import sys
import time
import zipfile

import numpy as np
import pytest

import tinynet
from tinynet.callbacks import ModelCheckpoint
from tinynet.models import load_model

from .helpers import seed_model, toy_digits

X, Y = toy_digits(96)


def test_round_trip_is_exact(tmp_path):
    model = seed_model()
    model.fit(X, Y, epochs=2, verbose=0)
    model.save(tmp_path / "m.npz")
    loaded = load_model(tmp_path / "m.npz")
    np.testing.assert_array_equal(model.predict(X), loaded.predict(X))
    assert [l.get_config() for l in loaded.layers] == [l.get_config() for l in model.layers]
    assert loaded.optimizer.iterations == model.optimizer.iterations
    for a, b in zip(model.optimizer.variables(), loaded.optimizer.variables()):
        np.testing.assert_array_equal(a, b)
    assert loaded.metric_names == ["accuracy"] and type(loaded.loss) is type(model.loss)


def test_resumed_training_matches_uninterrupted_training(tmp_path):
    tinynet.utils.set_random_seed(5)
    straight = seed_model()
    full = straight.fit(X, Y, epochs=4, verbose=0).history
    tinynet.utils.set_random_seed(5)
    first = seed_model()
    first.fit(X, Y, epochs=2, verbose=0)
    first.save(tmp_path / "half.npz")
    tinynet.utils.set_random_seed(99)  # the file, not the current state, decides what follows
    resumed = load_model(tmp_path / "half.npz")
    rest = resumed.fit(X, Y, epochs=4, initial_epoch=2, verbose=0).history
    for key in full:
        assert full[key][2:] == rest[key], key
    for a, b in zip(straight.get_weights(), resumed.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_weights_alone_round_trip_and_a_mismatch_changes_nothing(tmp_path):
    model = seed_model()
    model.save_weights(tmp_path / "w.npz")
    other = seed_model()
    other.load_weights(tmp_path / "w.npz")
    for a, b in zip(model.get_weights(), other.get_weights()):
        np.testing.assert_array_equal(a, b)
    wider = seed_model(hidden=17)
    before = wider.get_weights()
    with pytest.raises(ValueError, match="expects weights of shapes"):
        wider.load_weights(tmp_path / "w.npz")
    for a, b in zip(before, wider.get_weights()):
        np.testing.assert_array_equal(a, b)


def damaged(path, kind):
    data = path.read_bytes()
    if kind == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif kind == "corrupted":
        middle = len(data) // 2
        path.write_bytes(data[:middle] + bytes(b ^ 0xFF for b in data[middle:middle + 64]) + data[middle + 64:])
    elif kind == "foreign":
        np.savez(path, images=np.zeros(3))
    elif kind == "text":
        path.write_text("hello")
    elif kind == "pickled":
        np.save(open(path, "wb"), np.array([{"a": 1}], dtype=object), allow_pickle=True)


@pytest.mark.parametrize("kind", ["truncated", "corrupted", "foreign", "text", "pickled"])
def test_bad_files_get_a_clear_error(tmp_path, kind):
    path = tmp_path / "m.npz"
    seed_model().save(path)
    damaged(path, kind)
    with pytest.raises(ValueError) as info:
        load_model(path)
    assert str(path) in str(info.value) and "tinynet" in str(info.value)


def test_missing_file():
    with pytest.raises(FileNotFoundError, match="No tinynet model file at"):
        load_model("/nonexistent/model.npz")


def test_files_are_plain_npz_without_pickle(tmp_path):
    seed_model().save(tmp_path / "m.npz")
    with zipfile.ZipFile(tmp_path / "m.npz") as z:
        assert all(name.endswith(".npy") for name in z.namelist())
    with np.load(tmp_path / "m.npz", allow_pickle=False) as data:
        assert all(data[k].dtype != object for k in data.files)


SAVER = """
import sys, numpy as np
from tinynet.layers import Dense, Flatten
from tinynet.models import Sequential
m = Sequential([Flatten(input_shape=(28, 28)), Dense(2048, activation="relu"), Dense(10, activation="softmax")])
m.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
print("ready", flush=True)
i = 0
while True:
    i += 1
    m.layers[2].params["bias"][:] = i
    m.save(sys.argv[1])
"""


def test_a_process_killed_mid_save_leaves_a_whole_file(tmp_path):
    path = tmp_path / "m.npz"
    proc = subprocess.Popen([sys.executable, "-c", SAVER, str(path)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    deadline = time.time() + 60
    while not path.exists() and time.time() < deadline:
        time.sleep(0.01)
    time.sleep(0.3)  # a few saves in, and (most likely) in the middle of one
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    model = load_model(path)  # the last complete save, never a torn one
    bias = model.layers[2].bias  # every save wrote one number i into the whole output bias
    assert (bias == bias[0]).all() and bias[0] >= 1
    assert model.count_params() == 784 * 2048 + 2048 + 20490


def test_model_checkpoint_saves_the_best_epochs(tmp_path):
    model = seed_model()
    values = iter([0.5, 0.7, 0.4])

    class FakeVal(tinynet.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs["val_loss"] = next(values)

    check = ModelCheckpoint(str(tmp_path / "best-{epoch}.npz"), save_best_only=True)
    model.fit(X, Y, epochs=3, verbose=0, callbacks=[FakeVal(), check], validation_data=(X, Y))
    assert sorted(os.listdir(tmp_path)) == ["best-1.npz", "best-3.npz"]
    np.testing.assert_array_equal(load_model(tmp_path / "best-3.npz").predict(X), model.predict(X))
