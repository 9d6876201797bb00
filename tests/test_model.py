"""Sequential's Keras API: building, fit/evaluate/predict, History, summary, weights."""
import io
import subprocess
import sys

import numpy as np
import pytest

import tinynet
from tinynet.callbacks import Callback, EarlyStopping
from tinynet.layers import Dense, Flatten, Input
from tinynet.models import Sequential
from tinynet.utils import Progbar

from .helpers import seed_model, toy_digits


def test_summary_counts_the_seed_models_parameters(capsys):
    model = seed_model(hidden=128)
    model.summary()
    out = capsys.readouterr().out
    assert model.count_params() == 101_770
    assert "Total params: 101,770 (397.54 KB)" in out
    assert "dense (Dense)" in out or "(Dense)" in out
    assert "(None, 128)" in out and "100,480" in out and "1,290" in out


def test_input_layer_and_build_give_the_same_model():
    a = Sequential([Input((28, 28)), Flatten(), Dense(4)])
    b = Sequential([Flatten(), Dense(4)])
    assert not b.built
    b.build((None, 28, 28))
    assert a.built and b.built and len(a.layers) == 2
    assert [w.shape for w in a.get_weights()] == [w.shape for w in b.get_weights()] == [(784, 4), (4,)]


def test_weights_in_keras_order_and_set_weights_round_trip():
    model = seed_model()
    shapes = [w.shape for w in model.get_weights()]
    assert shapes == [(784, 16), (16,), (16, 10), (10,)]
    new = [np.full(s, i, np.float32) for i, s in enumerate(shapes)]
    model.set_weights(new)
    for got, want in zip(model.get_weights(), new):
        np.testing.assert_array_equal(got, want)
    assert model.layers[1].kernel.dtype == np.float32


def test_fit_learns_and_history_has_keras_keys():
    x, y = toy_digits(256)
    model = seed_model()
    history = model.fit(x / 255.0, y, epochs=12, batch_size=32, validation_data=(x[:64] / 255.0, y[:64]),
                        verbose=0)
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert history.epoch == list(range(12))
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert history.history["accuracy"][-1] > 0.9
    assert model.history is history


def test_training_figures_are_running_means_and_validation_is_after_the_epoch():
    x, y = toy_digits(100)  # 100 = 3 batches of 32 and a short batch of 4
    x = x.astype(np.float32) / 255
    model = seed_model()
    start = model.get_weights()
    history = model.fit(x, y, epochs=1, batch_size=32, shuffle=False, validation_data=(x, y), verbose=0)
    # Replay: each batch's loss is taken before that batch's update.
    replay = seed_model()
    replay.set_weights(start)
    total, correct = 0.0, 0
    for s in range(0, 100, 32):
        xb, yb = x[s:s + 32], y[s:s + 32]
        losses, out = replay.train_step(xb, yb)
        total += float(losses.mean()) * len(xb)
        correct += int((out.argmax(1) == yb).sum())
    assert history.history["loss"][0] == pytest.approx(total / 100, rel=1e-5)
    assert history.history["accuracy"][0] == pytest.approx(correct / 100, abs=1e-7)
    val_loss, val_acc = model.evaluate(x, y, verbose=0)
    assert history.history["val_loss"][0] == pytest.approx(val_loss, rel=1e-6)
    assert history.history["val_accuracy"][0] == pytest.approx(val_acc)


def test_evaluate_without_metrics_returns_a_scalar_and_predict_gives_probabilities():
    x, y = toy_digits(40)
    model = seed_model(compile=False)
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    assert isinstance(model.evaluate(x, y, verbose=0), float)
    p = model.predict(x, batch_size=7)
    assert p.shape == (40, 10) and p.dtype == np.float32
    np.testing.assert_allclose(p.sum(axis=1), 1, rtol=1e-5)


def test_inputs_of_any_number_type_and_labels_of_any_int_type_give_the_same_result():
    x, y = toy_digits(64)
    results = []
    for xs, ys in [(x, y), (x.astype(np.int64), y.astype(np.int32)), (x.astype(np.float64), y.astype(np.int64))]:
        tinynet.utils.set_random_seed(1)
        model = seed_model()
        results.append(model.fit(xs, ys, epochs=2, verbose=0).history["loss"])
    assert results[0] == results[1] == results[2]


@pytest.mark.parametrize("jit_compile", ["auto", False])
def test_training_stays_in_float32(jit_compile):
    x, y = toy_digits(64)
    model = seed_model(jit_compile=jit_compile)
    model.fit(x.astype(np.float64), y, epochs=1, verbose=0)
    assert all(w.dtype == np.float32 for w in model.weights)
    assert all(a.dtype == np.float32 for kind in model.optimizer.slots for a in kind)
    assert all(g.dtype == np.float32 for g in model.gradients())
    if jit_compile is False:  # the layers keep their last batch's input (the compiled step keeps none)
        assert model.layers[1].x.dtype == np.float32


def test_same_seed_gives_bit_identical_weights_and_history(backend_name):
    x, y = toy_digits(96)
    runs = []
    for _ in range(2):
        tinynet.utils.set_random_seed(42)
        model = seed_model()
        h = model.fit(x, y, epochs=2, batch_size=16, validation_split=0.25, verbose=0)
        runs.append((h.history, model.get_weights()))
    assert runs[0][0] == runs[1][0]
    for a, b in zip(runs[0][1], runs[1][1]):
        np.testing.assert_array_equal(a, b)
    tinynet.utils.set_random_seed(43)
    other = seed_model().get_weights()
    assert not np.array_equal(other[0], runs[0][1][0])


def test_backends_agree_on_a_training_run():
    x, y = toy_digits(96)
    histories = {}
    for name in ("numba", "numpy"):
        tinynet.set_backend(name)
        tinynet.utils.set_random_seed(3)
        histories[name] = seed_model().fit(x / 255, y, epochs=2, verbose=0).history
    for key in histories["numba"]:
        np.testing.assert_allclose(histories["numba"][key], histories["numpy"][key], rtol=1e-4)


def test_validation_split_takes_the_last_samples():
    x, y = toy_digits(100)
    model = seed_model()
    h = model.fit(x, y, epochs=1, validation_split=0.2, shuffle=False, verbose=0)
    loss, acc = model.evaluate(x[80:], y[80:], verbose=0)
    assert h.history["val_loss"][0] == pytest.approx(loss, rel=1e-6)


def test_one_hot_targets_with_categorical_loss_and_accuracy():
    x, y = toy_digits(256)
    model = seed_model(compile=False)
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    h = model.fit(x / 255, np.eye(10)[y], epochs=12, verbose=0)
    assert h.history["accuracy"][-1] > 0.9


def test_initial_epoch_and_callbacks_see_every_epoch():
    seen = []

    class Recorder(Callback):
        def on_epoch_end(self, epoch, logs=None):
            seen.append((epoch, sorted(logs)))

    x, y = toy_digits(32)
    h = seed_model().fit(x, y, epochs=4, initial_epoch=2, callbacks=[Recorder()], verbose=0)
    assert h.epoch == [2, 3] and [e for e, _ in seen] == [2, 3]
    assert seen[0][1] == ["accuracy", "loss"]


def test_early_stopping_stops_and_restores_the_best_weights():
    x, y = toy_digits(64)
    model = seed_model()
    losses = iter([1.0, 0.5, 0.7, 0.8, 0.9, 1.0])
    snapshots = []

    class FakeValLoss(Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs["val_loss"] = next(losses)
            snapshots.append(model.get_weights())

    stop = EarlyStopping(patience=2, restore_best_weights=True)
    h = model.fit(x, y, epochs=6, callbacks=[FakeValLoss(), stop], validation_data=(x, y), verbose=0)
    assert h.epoch == [0, 1, 2, 3] and stop.stopped_epoch == 3 and stop.best_epoch == 1
    for got, want in zip(model.get_weights(), snapshots[1]):
        np.testing.assert_array_equal(got, want)


def test_progress_bar_prints_only_the_final_line_off_a_terminal():
    stream = io.StringIO()
    bar = Progbar(1875, verbose=1, stream=stream)
    for step in range(1, 1876):
        bar.update(step, {"loss": 0.5})
    bar.finish({"loss": 0.36821, "accuracy": 0.91012, "val_loss": 0.00012})
    line = stream.getvalue()
    assert line.count("\n") == 1 and "\r" not in line
    assert line.startswith("1875/1875 ━━━━━━━━━━━━━━━━━━━━ ")
    assert line.rstrip().endswith("/step - accuracy: 0.9101 - loss: 0.3682 - val_loss: 1.2000e-04")


def test_verbose_levels_of_fit():
    x, y = toy_digits(32)
    script = ("import tinynet, numpy as np\nfrom tests.helpers import seed_model, toy_digits\n"
              "x, y = toy_digits(32)\nm = seed_model()\nm.fit(x, y, epochs=2, verbose={v})\n")
    outputs = [subprocess.run([sys.executable, "-c", script.format(v=v)], capture_output=True, text=True,
                              check=True).stdout for v in (0, 1, 2)]
    assert outputs[0] == ""
    assert outputs[1].count("Epoch ") == 2 and outputs[1].count("━━━━━━━━━━━━━━━━━━━━") == 2
    assert outputs[2].count("Epoch ") == 2 and "━" not in outputs[2] and "1/1 - " in outputs[2]


def test_the_seed_model_reaches_97_percent_in_5_epochs():
    """The foundation's bar: Flatten -> Dense(128, relu) -> Dense(10, softmax), Adam,
    5 epochs of batch 32 on normalised MNIST, >= 0.97 test accuracy (~3 s)."""
    (x, y), (xt, yt) = tinynet.datasets.mnist.load_data()
    model = seed_model(hidden=128)
    model.fit(x.astype(np.float32) / 255, y, epochs=5, batch_size=32, verbose=0)
    loss, accuracy = model.evaluate(xt.astype(np.float32) / 255, yt, verbose=0)
    print(f"seed model, 5 epochs: test accuracy {accuracy:.4f}, loss {loss:.4f}")
    assert accuracy >= 0.97
