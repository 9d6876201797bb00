"""Callbacks against Keras 3.15.1: which hooks fit, evaluate and predict call, in
which order and with which log names (tests/reference/fixtures/training_callbacks.json,
made by make_fixtures.py's group 'training_callbacks'), and the built-in callbacks'
exact behaviour, fed the same logs Keras was fed.

Learning rates are compared to relative 1e-6: Keras keeps the rate in a float32
variable, so it reads back 0.05 as 0.05000000074505806 (1.5e-8 away), and after a
dozen reductions the float32 roundings add up to ~1.2e-7.
"""
import json
import os
import warnings

import numpy as np
import pytest

import tinynet
from tinynet import optimizers
from tinynet.callbacks import (CSVLogger, Callback, CallbackList, EarlyStopping, History, LambdaCallback,
                               LearningRateScheduler, ModelCheckpoint, ReduceLROnPlateau, TerminateOnNaN)
from tinynet.layers import Dense, Input
from tinynet.models import Sequential, training
from tinynet.models.tracker import Tracker

from .helpers import seed_model, toy_digits

with open(os.path.join(os.path.dirname(__file__), "reference", "fixtures", "training_callbacks.json")) as _f:
    KERAS = json.load(_f)
LR_RTOL = 1e-6  # see the module docstring
X = np.linspace(-1, 1, 40, dtype=np.float32).reshape(10, 4)  # as make_fixtures.py's CALLBACK_X, CALLBACK_Y
Y = np.arange(10) % 3
HOOKS = ["on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end", "on_train_batch_begin",
         "on_train_batch_end", "on_test_begin", "on_test_end", "on_test_batch_begin", "on_test_batch_end",
         "on_predict_begin", "on_predict_end", "on_predict_batch_begin", "on_predict_batch_end"]


class HookRecorder(Callback):
    """As make_fixtures.py's: every hook as [name, epoch or batch, sorted log names]."""

    def __init__(self, stop_at=None):
        super().__init__()
        self.calls, self.logs, self.stop_at = [], [], stop_at

    def record(self, name, index, logs):
        self.calls.append([name, index, sorted(logs)])
        self.logs.append(dict(logs))
        if [name, index] == self.stop_at:
            self.model.stop_training = True


def _recording_hook(name):
    def hook(self, *args, logs=None):
        index = args[0] if args and not isinstance(args[0], dict) else None
        self.record(name, index, args[-1] if args and isinstance(args[-1], dict) else logs)
    return hook


for _name in HOOKS:
    setattr(HookRecorder, _name, _recording_hook(_name))


class LegacyRecorder(Callback):
    def __init__(self):
        super().__init__()
        self.calls = []

    def on_batch_begin(self, batch, logs=None):
        self.calls.append(["on_batch_begin", batch, sorted(logs)])

    def on_batch_end(self, batch, logs=None):
        self.calls.append(["on_batch_end", batch, sorted(logs)])


class FakeModel:
    """What the pure-logic callbacks touch, as make_fixtures.py's FakeModel."""

    def __init__(self, lr=0.1):
        self.optimizer = optimizers.SGD(learning_rate=lr)
        self.stop_training, self.epoch, self.restored, self.saved = False, None, None, []
        self.metric_names = []

    def get_weights(self):
        return [np.array(self.epoch)]

    def set_weights(self, weights):
        self.restored = int(weights[0])

    def save(self, path):
        self.saved.append(path)


def small_model(lr=0.1):
    tinynet.utils.set_random_seed(3)
    model = Sequential([Input((4,)), Dense(3, activation="softmax")])
    model.compile(optimizer=optimizers.SGD(learning_rate=lr), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def _relations(calls, logs):
    """How the logs of different hooks relate (their values differ from tinynet's, the relations do not)."""
    seen = {}
    for (name, _, _), hook_logs in zip(calls, logs):
        seen.setdefault(name, []).append(hook_logs)
    validated = [e for e in seen["on_epoch_end"] if "val_loss" in e]
    tests = seen.get("on_test_end", [])
    return {"test_end_is_epoch_val": all(e[f"val_{k}"] == v for t, e in zip(tests, validated) for k, v in t.items()),
            "test_end_is_last_test_batch": tests[-1:] == seen.get("on_test_batch_end", [])[-1:],
            "epoch_is_last_train_batch": all(seen["on_epoch_end"][-1][k] == v
                                             for k, v in seen["on_train_batch_end"][-1].items()),
            "train_end_is_last_epoch": seen["on_train_end"] == seen["on_epoch_end"][-1:]}


def recorded_fit(stop_at=None, **kwargs):
    """As make_fixtures.py's _recorded_fit: 10 samples, batch 4, validating on 6."""
    rec, legacy = HookRecorder(stop_at), LegacyRecorder()
    history = small_model().fit(X, Y, batch_size=4, validation_data=(X[:6], Y[:6]), verbose=0,
                                callbacks=[rec, legacy], **kwargs)
    relations = _relations(rec.calls, rec.logs)
    params = {k: v for k, v in rec.params.items() if k != "metrics"}  # 'metrics' is tinynet's addition
    return {"calls": rec.calls, "legacy_calls": legacy.calls, "params": params,
            "history_keys": list(history.history), "history_epoch": history.epoch,
            "history_lengths": {k: len(v) for k, v in history.history.items()}, "relations": relations}


# -- the protocol: which hooks, in which order, with which logs ------------------------------------------
FITS = {"fit": dict(epochs=3, validation_freq=2),
        "fit_initial_epoch": dict(epochs=3, initial_epoch=1, validation_freq=2),
        "fit_stopped_mid_epoch": dict(epochs=3, stop_at=["on_train_batch_end", 1])}


@pytest.mark.parametrize("case", list(FITS))
def test_fit_calls_the_hooks_of_keras_in_its_order_with_its_logs(case):
    got, want = recorded_fit(**FITS[case]), KERAS[case]
    for key in want:
        assert got[key] == want[key], f"{case}: {key} differs from Keras"


def test_validation_freq_as_a_list_of_epoch_numbers():
    want = KERAS["validation_freq_list"]
    history = small_model().fit(X, Y, batch_size=4, epochs=3, verbose=0, validation_data=(X[:6], Y[:6]),
                                validation_freq=want["freq"])
    assert {k: len(v) for k, v in history.history.items()} == want["history_lengths"]


def test_validation_every_second_epoch_matches_evaluate_after_it():
    model = small_model()
    seen = []
    check = LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(
        (epoch, logs.get("val_loss"), model.evaluate(X[:6], Y[:6], batch_size=4, verbose=0)[0])))
    model.fit(X, Y, batch_size=4, epochs=4, verbose=0, validation_data=(X[:6], Y[:6]), validation_freq=2,
              callbacks=[check])
    assert [e for e, val, _ in seen if val is None] == [0, 2]
    for epoch, val, evaluated in seen:
        if val is not None:
            assert val == pytest.approx(evaluated, rel=1e-6), epoch


def test_evaluate_and_predict_call_their_hooks_as_keras():
    model = small_model()
    rec = HookRecorder()
    model.evaluate(X, Y, batch_size=4, verbose=0, callbacks=[rec])
    assert rec.calls == KERAS["evaluate"]["calls"] and rec.params == KERAS["evaluate"]["params"]
    rec = HookRecorder()
    result = model.predict(X, batch_size=4, verbose=0, callbacks=[rec])
    assert rec.calls == KERAS["predict"]["calls"] and rec.params == KERAS["predict"]["params"]
    outputs = [logs["outputs"] for logs in rec.logs if "outputs" in logs]
    assert [list(o.shape) for o in outputs] == KERAS["predict"]["output_shapes"]
    np.testing.assert_array_equal(np.concatenate(outputs), result)


def test_a_callback_can_stop_evaluate_and_predict():
    model = small_model()
    stop = LambdaCallback(on_predict_batch_end=lambda batch, logs: setattr(model, "stop_predicting", True),
                          on_test_batch_end=lambda batch, logs: setattr(model, "stop_evaluating", True))
    np.testing.assert_array_equal(model.predict(X, batch_size=4, callbacks=[stop]), model.predict(X[:4]))
    first_batch = model.evaluate(X[:4], Y[:4], verbose=0)
    assert model.evaluate(X, Y, batch_size=4, verbose=0, callbacks=[stop]) == first_batch


def test_logs_are_a_fresh_sorted_dict_for_each_hook():
    seen = []
    cb = LambdaCallback(on_train_begin=lambda logs: seen.append(logs),
                        on_epoch_end=lambda epoch, logs: seen.append(logs))
    small_model().fit(X, Y, epochs=1, verbose=0, validation_data=(X, Y), callbacks=[cb])
    assert seen[0] == {} and list(seen[1]) == sorted(seen[1])
    assert all(type(v) is float for v in seen[1].values())


def test_no_batch_logs_are_built_when_no_callback_listens(monkeypatch):
    """fit's per-batch cost without batch listeners: no running-mean dict per batch."""
    built = []
    original = Tracker.logs

    def counted(self):
        built.append(1)
        return original(self)

    monkeypatch.setattr(Tracker, "logs", counted)
    x, y = toy_digits(64)
    seed_model().fit(x, y, epochs=2, batch_size=8, verbose=0, callbacks=[EarlyStopping(monitor="loss")])
    assert len(built) == 2  # one per epoch, none per batch (16 batches)
    built.clear()
    listener = LambdaCallback(on_train_batch_end=lambda batch, logs: None)
    seed_model().fit(x, y, epochs=2, batch_size=8, verbose=0, callbacks=[listener])
    assert len(built) == 2 + 16


@pytest.mark.parametrize("callback,flags", [
    (Callback(), set()),
    (EarlyStopping(), set()),
    (TerminateOnNaN(), {"wants_train_batch_end"}),  # through the legacy on_batch_end, as in Keras
    (LegacyRecorder(), {"wants_train_batch_begin", "wants_train_batch_end"}),
    (LambdaCallback(on_test_batch_begin=print), {"wants_test_batch_begin"}),
    (LambdaCallback(on_predict_batch_end=print), {"wants_predict_batch_end"}),
    (ModelCheckpoint("m.npz", save_freq=3), {"wants_train_batch_end"}),
])
def test_callback_list_knows_who_listens_to_batches(callback, flags):
    names = ["wants_train_batch_begin", "wants_train_batch_end", "wants_test_batch_begin", "wants_test_batch_end",
             "wants_predict_batch_begin", "wants_predict_batch_end"]
    callbacks = CallbackList([callback])
    assert {name for name in names if getattr(callbacks, name)} == flags


def test_a_history_given_in_the_callbacks_is_the_one_fit_returns():
    mine = History()
    model = small_model()
    assert model.fit(X, Y, epochs=2, verbose=0, callbacks=[mine]) is mine
    assert model.history is mine and mine.epoch == [0, 1] and len(mine.history["loss"]) == 2


# -- LearningRateScheduler and ReduceLROnPlateau ---------------------------------------------------------
def test_learning_rate_scheduler_sets_the_rate_and_logs_it_as_keras():
    want = KERAS["learning_rate_scheduler"]
    before, after = HookRecorder(), HookRecorder()
    model = small_model(lr=0.1)
    history = model.fit(X, Y, batch_size=4, epochs=3, verbose=0, validation_freq=2, validation_data=(X[:6], Y[:6]),
                        callbacks=[before, LearningRateScheduler(lambda e, lr: lr * 0.5), after])
    assert list(history.history) == want["history_keys"]
    np.testing.assert_allclose(history.history["learning_rate"], want["learning_rate"], rtol=LR_RTOL)
    assert float(model.optimizer.learning_rate) == history.history["learning_rate"][-1]
    epoch_keys = lambda rec: [keys for name, _, keys in rec.calls if name == "on_epoch_end"]  # noqa: E731
    assert epoch_keys(before) == want["epoch_keys_before"] and epoch_keys(after) == want["epoch_keys_after"]
    assert [keys for name, _, keys in after.calls if name == "on_train_end"][0] == want["train_end_keys_after"]


def test_learning_rate_scheduler_changes_the_steps_taken():
    """SGD without momentum: a step is -lr * gradient, so halving lr for epoch 2
    makes its step half the size it would have been."""
    x, y = toy_digits(32)
    runs = {}
    for name, schedule in {"same": lambda e, lr: lr, "halved": lambda e: 0.05 if e == 1 else 0.1}.items():
        tinynet.utils.set_random_seed(0)
        model = seed_model(compile=False)
        model.compile(optimizer=optimizers.SGD(learning_rate=0.1), loss="sparse_categorical_crossentropy")
        keep = LambdaCallback(on_epoch_end=lambda e, logs, m=model: runs.setdefault(name, []).append(m.get_weights()))
        model.fit(x / 255, y, epochs=2, batch_size=32, shuffle=False, verbose=0,
                  callbacks=[LearningRateScheduler(schedule), keep])
    step = lambda r: runs[r][1][-1] - runs[r][0][-1]  # noqa: E731  (the output bias's change in epoch 2)
    np.testing.assert_allclose(step("halved"), 0.5 * step("same"), rtol=1e-5, atol=1e-9)


@pytest.mark.parametrize("case", range(len(KERAS["reduce_lr_on_plateau"])))
def test_reduce_lr_on_plateau_lowers_the_rate_as_keras(case):
    want = KERAS["reduce_lr_on_plateau"][case]
    callback, model = ReduceLROnPlateau(**want["kwargs"]), FakeModel(0.1)
    callback.set_model(model)
    callback.on_train_begin({})
    logged, after = [], []
    for epoch, value in enumerate(want["values"]):
        logs = {want["kwargs"].get("monitor", "val_loss"): value}
        callback.on_epoch_end(epoch, logs)
        logged.append(logs["learning_rate"])
        after.append(float(model.optimizer.learning_rate))
    np.testing.assert_allclose(logged, want["logged_learning_rate"], rtol=LR_RTOL)
    np.testing.assert_allclose(after, want["learning_rate_after"], rtol=LR_RTOL)


def test_reduce_lr_on_plateau_in_fit_logs_the_rate_and_knows_accuracy_improves_upwards():
    model = small_model(lr=0.1)
    cb = ReduceLROnPlateau(monitor="val_accuracy", patience=0, factor=0.5)
    history = model.fit(X, Y, epochs=3, verbose=0, validation_data=(X, Y), callbacks=[cb])
    assert cb.monitor_op is np.greater and len(history.history["learning_rate"]) == 3


# -- EarlyStopping and ModelCheckpoint -------------------------------------------------------------------
@pytest.mark.parametrize("case", range(len(KERAS["early_stopping"])))
def test_early_stopping_stops_and_restores_as_keras(case):
    want = KERAS["early_stopping"][case]
    callback, model = EarlyStopping(**want["kwargs"]), FakeModel()
    callback.set_model(model)
    callback.on_train_begin({})
    for epoch, value in enumerate(want["values"]):
        model.epoch = epoch
        callback.on_epoch_end(epoch, {"val_loss": value})
        if model.stop_training:
            break
    callback.on_train_end({})
    got = {"last_epoch": epoch, "stopped_epoch": callback.stopped_epoch, "best_epoch": callback.best_epoch,
           "best": callback.best, "wait": callback.wait, "restored": model.restored}
    assert got == {k: want[k] for k in got}


def test_early_stopping_skips_epochs_that_did_not_validate():
    x, y = toy_digits(32)
    stop = EarlyStopping(patience=0)
    with pytest.warns(UserWarning, match="`val_loss` which is not available"):
        history = seed_model().fit(x, y, epochs=4, verbose=0, validation_data=(x, y), validation_freq=2,
                                   callbacks=[stop])
    assert stop.stopped_epoch == 0 and history.epoch == [0, 1, 2, 3]  # one validated epoch: nothing to compare


@pytest.mark.parametrize("save_freq", ["1", "2", "4"])
def test_model_checkpoint_every_n_batches_saves_where_keras_does(tmp_path, save_freq):
    pattern = str(tmp_path / "sub" / "m-{epoch:02d}-{batch:03d}-{loss:.2f}.keras")  # "sub" does not exist yet
    small_model().fit(X, Y, batch_size=4, epochs=3, verbose=0,
                      callbacks=[ModelCheckpoint(pattern, save_freq=int(save_freq))])
    names = sorted(os.listdir(tmp_path / "sub"))
    assert [n[:9] for n in names] == KERAS["checkpoint_save_freq"][save_freq]
    assert all(float(n[9:13]) > 0 for n in names)  # the batch's running loss, formatted .2f


@pytest.mark.parametrize("case", range(len(KERAS["checkpoint_best"])))
def test_model_checkpoint_save_best_only_as_keras(case):
    want = KERAS["checkpoint_best"][case]
    callback, model = ModelCheckpoint("m-{epoch}.keras", save_best_only=True, **want["kwargs"]), FakeModel()
    callback.set_model(model)
    callback.on_train_begin({})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for epoch, value in enumerate(want["values"]):
            callback.on_epoch_begin(epoch, {})
            callback.on_epoch_end(epoch, {} if value is None else {want["kwargs"].get("monitor", "val_loss"): value})
    assert model.saved == want["saved"]
    assert len(caught) == want["values"].count(None)  # "Can save best model only with val_loss available."


def test_model_checkpoint_formats_log_names_and_creates_folders(tmp_path):
    model = small_model()
    pattern = tmp_path / "a" / "b" / "w-{epoch:02d}-{val_loss:.2f}.weights.h5"
    history = model.fit(X, Y, epochs=2, verbose=0, validation_data=(X, Y),
                        callbacks=[ModelCheckpoint(pattern, save_weights_only=True)])
    names = [f"w-{e + 1:02d}-{v:.2f}.weights.h5" for e, v in enumerate(history.history["val_loss"])]
    assert sorted(os.listdir(tmp_path / "a" / "b")) == names
    fresh = small_model()
    fresh.load_weights(tmp_path / "a" / "b" / names[-1])
    for a, b in zip(fresh.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_model_checkpoint_names_a_missing_log_key(tmp_path):
    with pytest.raises(KeyError, match=r"Failed to format this callback filepath.*Reason: .*val_loss"):
        small_model().fit(X, Y, epochs=1, verbose=0, callbacks=[ModelCheckpoint(str(tmp_path / "{val_loss}.npz"))])


# -- CSVLogger, LambdaCallback, TerminateOnNaN -----------------------------------------------------------
@pytest.mark.parametrize("case", range(len(KERAS["csv_logger"])))
def test_csv_logger_writes_keras_file_exactly(tmp_path, case):
    want = KERAS["csv_logger"][case]
    path = tmp_path / "log.csv"
    for run in want["runs"]:
        logger = CSVLogger(path, **want["kwargs"])
        logger.on_train_begin({})
        for epoch, logs in enumerate(run):
            logger.on_epoch_end(epoch, dict(logs))
        logger.on_train_end({})
    assert path.read_bytes().decode() == want["text"]


def test_csv_logger_in_fit_matches_history(tmp_path):
    path = tmp_path / "log.csv"
    history = small_model().fit(X, Y, epochs=2, verbose=0, validation_data=(X, Y), callbacks=[CSVLogger(path)])
    lines = path.read_bytes().decode().split("\r\n")
    assert lines[0] == "epoch,accuracy,loss,val_accuracy,val_loss"
    assert lines[2] == ",".join(["1"] + [str(history.history[k][1]) for k in lines[0].split(",")[1:]])


def test_lambda_callback_calls_its_functions_as_keras_does():
    calls = []
    cb = LambdaCallback(on_train_begin=lambda logs: calls.append("train_begin"),
                        on_epoch_end=lambda epoch, logs: calls.append(("epoch_end", epoch, sorted(logs))),
                        on_train_batch_end=lambda batch, logs: calls.append(("batch", batch)),
                        on_test_end=lambda logs: calls.append("test_end"))
    small_model().fit(X, Y, batch_size=5, epochs=1, verbose=0, validation_data=(X, Y), callbacks=[cb])
    assert calls == ["train_begin", ("batch", 0), ("batch", 1), "test_end",
                     ("epoch_end", 0, ["accuracy", "loss", "val_accuracy", "val_loss"])]


def test_terminate_on_nan_can_raise():
    cb = TerminateOnNaN(raise_error=True)
    cb.set_model(FakeModel())
    cb.on_train_batch_end(0, {"loss": 0.5})
    with pytest.raises(RuntimeError, match="NaN or Inf loss encountered at batch 3"):
        cb.on_train_batch_end(3, {"loss": float("inf")})


# -- bad arguments, in tests/test_errors.py's style ------------------------------------------------------
ARGUMENT_CASES = [
    (lambda: ReduceLROnPlateau(mode="lowest"), ValueError, ["`mode`", "['auto', 'max', 'min']", "mode='lowest'"]),
    (lambda: ReduceLROnPlateau(factor=1.0), ValueError, ["`factor`", "factor >= 1.0", "factor=1.0"]),
    (lambda: ReduceLROnPlateau(factor="0.5"), ValueError, ["`factor`", "number", "factor='0.5'"]),
    (lambda: ReduceLROnPlateau(patience=-1), ValueError, ["`patience`", "patience=-1"]),
    (lambda: ReduceLROnPlateau(cooldown=1.5), ValueError, ["`cooldown`", "cooldown=1.5"]),
    (lambda: EarlyStopping(min_delta="0.1"), ValueError, ["`min_delta`", "min_delta='0.1'"]),
    (lambda: EarlyStopping(baseline="low"), ValueError, ["`baseline`", "baseline='low'"]),
    (lambda: ModelCheckpoint("m.npz", save_freq="never"), ValueError,
     ["`save_freq`", "'epoch' or a positive integer", "save_freq='never'"]),
    (lambda: ModelCheckpoint("m.npz", save_freq=0), ValueError, ["`save_freq`", "save_freq=0"]),
    (lambda: ModelCheckpoint("m.npz", save_freq=True), ValueError, ["`save_freq`", "save_freq=True"]),
    (lambda: ModelCheckpoint("m.npz", save_freq=2.0), ValueError, ["`save_freq`", "save_freq=2.0"]),
    (lambda: LearningRateScheduler(0.1), TypeError, ["`schedule`", "function (epoch, lr)", "schedule=0.1"]),
    (lambda: LambdaCallback(on_epoch_ends=print), TypeError,
     ["unexpected hook 'on_epoch_ends'", "on_epoch_end", "on_epoch_ends=<built-in function print>"]),
    (lambda: LambdaCallback(on_epoch_end=5), TypeError, ["`on_epoch_end`", "function", "on_epoch_end=5"]),
    (lambda: CallbackList([print]), TypeError, ["`callbacks`", "tinynet Callbacks", "print"]),
]


@pytest.mark.parametrize("call,error,words", ARGUMENT_CASES)
def test_bad_callback_arguments(call, error, words):
    with pytest.raises(error) as info:
        call()
    for word in words:
        assert word in str(info.value), f"{word!r} not in: {info.value}"


XD, YD = toy_digits(40)
MODEL_CASES = [
    ("validation_freq 0", lambda m: m.fit(XD, YD, validation_data=(XD, YD), validation_freq=0, verbose=0),
     ValueError, ["`validation_freq`", "positive integer", "validation_freq=0"]),
    ("validation_freq float", lambda m: m.fit(XD, YD, validation_freq=2.0, verbose=0), ValueError,
     ["`validation_freq`", "validation_freq=2.0"]),
    ("validation_freq list with 0", lambda m: m.fit(XD, YD, validation_freq=[0, 2], verbose=0), ValueError,
     ["`validation_freq`", "list of epoch numbers counted from 1", "validation_freq=[0, 2]"]),
    ("callbacks a string", lambda m: m.fit(XD, YD, callbacks="early_stopping", verbose=0), TypeError,
     ["`callbacks`", "callbacks='early_stopping'"]),
    ("evaluate callbacks", lambda m: m.evaluate(XD, YD, callbacks=[print], verbose=0), TypeError, ["`callbacks`"]),
    ("predict callbacks", lambda m: m.predict(XD, callbacks=[len]), TypeError, ["`callbacks`"]),
    ("schedule returns an int", lambda m: m.fit(
        XD, YD, verbose=0, callbacks=[LearningRateScheduler(lambda e, lr: 1)]), ValueError, ["`schedule` function should be a float", "Got: 1"]),
    ("plateau monitor never logged", lambda m: m.fit(XD, YD, verbose=0, callbacks=[ReduceLROnPlateau()]),
     ValueError, ["ReduceLROnPlateau monitors 'val_loss'", "Expected one of ['loss', 'accuracy']"]),
]


@pytest.mark.parametrize("case,call,error,words", MODEL_CASES, ids=[c[0] for c in MODEL_CASES])
def test_bad_fit_arguments_are_named_and_leave_the_model_unchanged(case, call, error, words):
    from .test_errors import assert_same, snapshot, trained_model

    model = trained_model()
    before = snapshot(model)
    with pytest.raises(error) as info:
        call(model)
    for word in words:
        assert word in str(info.value), f"{word!r} not in: {info.value}"
    assert_same(before, snapshot(model))
