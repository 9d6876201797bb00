"""Write the Keras reference fixtures that tinynet's tests compare against.

Run in a separate environment with real Keras, never in tinynet's:
    python3 -m venv ~/venvs/keras && ~/venvs/keras/bin/pip install tensorflow-cpu==2.21.0 keras==3.15.1
    ~/venvs/keras/bin/python tests/reference/make_fixtures.py [--only GROUP ...]
It writes tests/reference/fixtures/*.npz (float32/float64/int arrays, no pickle)
and versions.json (which Keras, TensorFlow, NumPy and Python made them).
"""
import json
import os
import platform
import zlib

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import keras  # noqa: E402
import tensorflow as tf  # noqa: E402
from more_fixtures import activations, losses_more, metrics_more  # noqa: E402  (beside this file)
from keras_file_fixtures import keras_files  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "fixtures")
MNIST = os.path.join(HERE, "..", "..", "tinynet", "datasets", "data", "mnist.npz")
ACTIVATIONS = ["linear", "relu", "sigmoid", "tanh", "softmax"]


def save(name, **arrays):
    os.makedirs(OUT, exist_ok=True)
    np.savez_compressed(os.path.join(OUT, name + ".npz"), **arrays)
    print(f"wrote {name}.npz ({len(arrays)} arrays)")


def dense_and_softmax(rng):
    x = rng.standard_normal((7, 6)).astype("float32")
    w = (rng.standard_normal((6, 5)) * 0.7).astype("float32")
    b = rng.standard_normal(5).astype("float32")
    out = {"x": x, "kernel": w, "bias": b}
    for act in ACTIVATIONS:
        layer = keras.layers.Dense(5, activation=act)
        layer.build((None, 6))
        layer.set_weights([w, b])
        out[f"y_{act}"] = np.asarray(layer(x))
    z = np.concatenate([rng.standard_normal((4, 10)) * 3, [[1e4, -1e4] + [0] * 8, [-1e4] * 10]]).astype("float32")
    out["softmax_z"] = z
    out["softmax_p"] = np.asarray(keras.activations.softmax(z))
    save("dense_softmax", **out)


def losses(rng):
    n, c = 8, 5
    labels = rng.integers(0, c, n)
    onehot = np.eye(c, dtype="float32")[labels]
    logits = (rng.standard_normal((n, c)) * 4).astype("float32")
    logits[0] = [60, -60, 0, 1, 2]      # confident, and wrong unless label 0
    logits[1] = [1e4, -1e4, 0, 0, 0]    # extreme
    p = np.asarray(keras.activations.softmax(logits))
    p_edges = p.copy()
    p_edges[2] = [1 - 4e-9, 1e-9, 1e-9, 1e-9, 1e-9]   # near 0 and near 1: inside the clip
    p_edges[3] = [0.0, 1.0, 0.0, 0.0, 0.0]
    out = {"labels": labels, "onehot": onehot, "logits": logits, "probs": p_edges,
           "mse_true": rng.standard_normal((n, c)).astype("float32")}
    cases = {"sparse_logits": (keras.losses.SparseCategoricalCrossentropy(from_logits=True), labels, logits),
             "sparse_probs": (keras.losses.SparseCategoricalCrossentropy(), labels, p_edges),
             "categorical_logits": (keras.losses.CategoricalCrossentropy(from_logits=True), onehot, logits),
             "categorical_probs": (keras.losses.CategoricalCrossentropy(), onehot, p_edges),
             "mse": (keras.losses.MeanSquaredError(), out["mse_true"], logits)}
    for name, (loss, y, pred) in cases.items():
        pred_t = tf.Variable(pred)
        with tf.GradientTape() as tape:
            value = loss(y, pred_t)
        out[f"{name}_loss"] = np.asarray(value)
        out[f"{name}_grad"] = np.asarray(tape.gradient(value, pred_t))
    save("losses", **out)


def metrics(rng):
    labels = np.array([0, 1, 2, 2, 1, 0])
    scores = rng.random((6, 3)).astype("float32")
    scores[5] = [0.4, 0.4, 0.2]  # a tie: the first maximum wins
    binary_true = np.array([[0], [1], [1], [0]], "float32")
    binary_pred = np.array([[0.2], [0.7], [0.4], [0.51]], "float32")
    save("metrics", labels=labels, scores=scores, binary_true=binary_true, binary_pred=binary_pred,
         sparse=np.asarray(keras.metrics.sparse_categorical_accuracy(labels, scores)),
         categorical=np.asarray(keras.metrics.categorical_accuracy(np.eye(3)[labels], scores)),
         binary=np.asarray(keras.metrics.binary_accuracy(binary_true, binary_pred)))


def model_gradients(rng):
    """dLoss/dweights and dLoss/dx of the loss Keras trains with (GradientTape)."""
    x = rng.standard_normal((6, 2, 3)).astype("float32")
    y = np.array([0, 1, 2, 3, 1, 2])
    model = keras.Sequential([keras.Input((2, 3)), keras.layers.Flatten(), keras.layers.Dense(5, activation="relu"),
                              keras.layers.Dense(4, activation="softmax")])
    weights = [(rng.standard_normal(w.shape) * 0.8).astype("float32") for w in model.get_weights()]
    weights[3][:] = [9.0, -9.0, 0.0, 3.0]  # confident logits, some wrong: clipped p would differ
    model.set_weights(weights)
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    xt = tf.Variable(x)
    with tf.GradientTape() as tape:
        y_pred = model(xt, training=True)
        loss = model.compute_loss(x=xt, y=y, y_pred=y_pred)
    grads = tape.gradient(loss, model.trainable_weights + [xt])
    save("model_gradients", x=x, y=y, loss=np.asarray(loss), y_pred=np.asarray(y_pred),
         **{f"w{i}": w for i, w in enumerate(weights)}, **{f"g{i}": np.asarray(g) for i, g in enumerate(grads[:-1])},
         dx=np.asarray(grads[-1]))


def optimizers(rng):
    w0 = rng.standard_normal((5, 3)).astype("float32")
    grads = (rng.standard_normal((6, 5, 3)) * [[[1.0]], [[0.1]], [[3.0]], [[0.01]], [[1.0]], [[0.5]]]).astype("float32")
    out = {"w0": w0, "grads": grads}
    cases = {"adam": keras.optimizers.Adam(learning_rate=0.01),
             "sgd": keras.optimizers.SGD(learning_rate=0.1),
             "sgd_momentum": keras.optimizers.SGD(learning_rate=0.1, momentum=0.9),
             "sgd_nesterov": keras.optimizers.SGD(learning_rate=0.1, momentum=0.9, nesterov=True)}
    for name, opt in cases.items():
        var = keras.Variable(w0)
        steps = []
        for g in grads:
            opt.apply_gradients([(keras.ops.convert_to_tensor(g), var)])
            steps.append(np.asarray(var))
        out[name] = np.stack(steps)
    save("optimizers", **out)


def optimizer_cases():
    """The optimizers of ``optimizers_more``: name -> (make, learning rate to assign after step 3 or None)."""
    O, S = keras.optimizers, keras.optimizers.schedules
    return {
        "rmsprop": (lambda: O.RMSprop(learning_rate=0.01), None),
        "rmsprop_momentum": (lambda: O.RMSprop(learning_rate=0.01, momentum=0.9), None),
        "rmsprop_centered": (lambda: O.RMSprop(learning_rate=0.01, rho=0.8, centered=True), None),
        "rmsprop_centered_momentum": (lambda: O.RMSprop(learning_rate=0.01, momentum=0.5, centered=True), None),
        "adagrad": (lambda: O.Adagrad(learning_rate=0.1), None),
        "adagrad_zero_start": (lambda: O.Adagrad(learning_rate=0.1, initial_accumulator_value=0.0, epsilon=1e-6),
                               None),
        "adamw": (lambda: O.AdamW(learning_rate=0.01), None),
        "adamw_amsgrad": (lambda: O.AdamW(learning_rate=0.01, weight_decay=0.1, amsgrad=True), None),
        "adam_amsgrad": (lambda: O.Adam(learning_rate=0.01, amsgrad=True), None),
        "sgd_weight_decay": (lambda: O.SGD(learning_rate=0.1, momentum=0.9, weight_decay=0.05), None),
        "rmsprop_weight_decay": (lambda: O.RMSprop(learning_rate=0.01, weight_decay=0.2), None),
        "adam_clipnorm": (lambda: O.Adam(learning_rate=0.01, clipnorm=0.5), None),
        "sgd_clipvalue": (lambda: O.SGD(learning_rate=0.1, clipvalue=0.3), None),
        "sgd_global_clipnorm": (lambda: O.SGD(learning_rate=0.1, global_clipnorm=1.0), None),
        "sgd_exponential": (lambda: O.SGD(learning_rate=S.ExponentialDecay(0.1, 3, 0.5)), None),
        "sgd_exponential_staircase": (
            lambda: O.SGD(learning_rate=S.ExponentialDecay(0.1, 3, 0.5, staircase=True), momentum=0.9), None),
        "adam_inverse_time": (lambda: O.Adam(learning_rate=S.InverseTimeDecay(0.01, 2, 0.7)), None),
        "rmsprop_piecewise": (lambda: O.RMSprop(learning_rate=S.PiecewiseConstantDecay([2, 5], [0.01, 0.005, 0.001])),
                              None),
        "adagrad_cosine": (lambda: O.Adagrad(learning_rate=S.CosineDecay(0.1, 6, alpha=0.1)), None),
        "adamw_cosine_warmup": (lambda: O.AdamW(learning_rate=S.CosineDecay(0.0, 5, warmup_target=0.01, warmup_steps=3),
                                                weight_decay=0.1), None),
        "adam_lr_assigned": (lambda: O.Adam(learning_rate=0.01), 0.002),
    }


def schedule_cases():
    S = keras.optimizers.schedules
    return {"exponential": S.ExponentialDecay(0.1, 3, 0.5),
            "exponential_staircase": S.ExponentialDecay(0.1, 3, 0.5, staircase=True),
            "inverse_time": S.InverseTimeDecay(0.01, 2, 0.7),
            "inverse_time_staircase": S.InverseTimeDecay(0.01, 2.5, 0.7, staircase=True),
            "piecewise": S.PiecewiseConstantDecay([2, 5], [0.01, 0.005, 0.001]),
            "cosine": S.CosineDecay(0.1, 6, alpha=0.1),
            "cosine_warmup": S.CosineDecay(0.0, 5, warmup_target=0.01, warmup_steps=3)}


def optimizers_more(rng):
    """8 steps of each optimizer of ``optimizer_cases`` on two weights (a 5x3 kernel,
    a bias of 3), from given gradients; each schedule's value at steps 0..11; and
    the JSON of ``keras.optimizers.serialize`` of every optimizer."""
    w0 = rng.standard_normal((5, 3)).astype("float32")
    b0 = rng.standard_normal(3).astype("float32")
    scale = np.array([1.0, 0.1, 3.0, 0.01, 1.0, 0.5, 2.0, 0.05])
    grads_w = (rng.standard_normal((8, 5, 3)) * scale[:, None, None]).astype("float32")
    grads_b = (rng.standard_normal((8, 3)) * scale[:, None]).astype("float32")
    out = {"w0": w0, "b0": b0, "grads_w": grads_w, "grads_b": grads_b}
    for name, (make, assign) in optimizer_cases().items():
        opt = make()
        w, b = keras.Variable(w0), keras.Variable(b0)
        steps_w, steps_b, rates = [], [], []
        for step, (gw, gb) in enumerate(zip(grads_w, grads_b)):
            if step == 3 and assign is not None:
                opt.learning_rate = assign
            rates.append(float(opt.learning_rate))  # the rate this step uses
            opt.apply_gradients([(keras.ops.convert_to_tensor(gw), w), (keras.ops.convert_to_tensor(gb), b)])
            steps_w.append(np.asarray(w))
            steps_b.append(np.asarray(b))
        out[f"{name}_w"], out[f"{name}_b"] = np.stack(steps_w), np.stack(steps_b)
        out[f"{name}_rates"] = np.array(rates, "float32")
        out[f"{name}_config"] = np.array(json.dumps(keras.optimizers.serialize(opt)))
    for name, schedule in schedule_cases().items():
        out[f"schedule_{name}"] = np.array([float(schedule(step)) for step in range(12)], "float32")
        out[f"schedule_{name}_config"] = np.array(json.dumps(keras.optimizers.schedules.serialize(schedule)))
    save("optimizers_more", **out)


CAPACITY = {"seed": [128], "under": [], "balanced": [128], "over": [512, 512, 256, 128]}


class BatchLogs(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.loss, self.accuracy = [], []

    def on_train_batch_end(self, batch, logs=None):
        self.loss.append(logs["loss"])
        self.accuracy.append(logs["accuracy"])


def trajectories():
    """Each model trained 2 epochs of batch 32 on the first 1,024 MNIST images,
    shuffle=False, validating on the first 512 test images. The seed model gets
    raw 0-255 pixels as the notebook's first run did; the capacity models /255."""
    with np.load(MNIST) as d:
        x_train, y_train, x_test, y_test = d["x_train"][:1024], d["y_train"][:1024], d["x_test"][:512], d["y_test"][:512]
    counts = {}
    for name, hidden in CAPACITY.items():
        scale = 1.0 if name == "seed" else 255.0
        x, xv = x_train.astype("float32") / scale, x_test.astype("float32") / scale
        keras.utils.set_random_seed(1)
        model = keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten()]
                                 + [keras.layers.Dense(h, activation="relu") for h in hidden]
                                 + [keras.layers.Dense(10, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        initial = model.get_weights()
        logs = BatchLogs()
        history = model.fit(x, y_train, epochs=2, batch_size=32, shuffle=False, validation_data=(xv, y_test),
                            verbose=0, callbacks=[logs])
        evaluated = model.evaluate(xv, y_test, batch_size=32, verbose=0)
        predicted = model.predict(xv[:64], batch_size=32, verbose=0)
        counts[name] = [layer.count_params() for layer in model.layers]
        save(f"trajectory_{name}", batch_loss=np.array(logs.loss), batch_accuracy=np.array(logs.accuracy),
             **{f"history_{k}": np.array(v) for k, v in history.history.items()},
             **{f"initial_{i}": w for i, w in enumerate(initial)},
             **{f"final_{i}": w for i, w in enumerate(model.get_weights())},
             evaluate=np.array(evaluated), predict=predicted)
    return counts


def initializers():
    stats = {}
    for fan_in, fan_out in [(784, 10), (784, 128), (128, 10), (784, 512), (512, 512), (512, 256), (256, 128)]:
        w = np.asarray(keras.initializers.GlorotUniform(seed=0)((fan_in, fan_out)))
        stats[f"{fan_in}x{fan_out}"] = np.array([w.mean(), w.std(), w.min(), w.max()])
    save("initializers", **stats)


HOOKS = ["on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end", "on_train_batch_begin",
         "on_train_batch_end", "on_test_begin", "on_test_end", "on_test_batch_begin", "on_test_batch_end",
         "on_predict_begin", "on_predict_end", "on_predict_batch_begin", "on_predict_batch_end"]


class HookRecorder(keras.callbacks.Callback):
    """Records every hook as [name, epoch or batch (None for begin/end hooks), sorted log names]."""

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


class LegacyRecorder(keras.callbacks.Callback):
    """Overrides only the legacy aliases on_batch_begin/end."""

    def __init__(self):
        super().__init__()
        self.calls = []

    def on_batch_begin(self, batch, logs=None):
        self.calls.append(["on_batch_begin", batch, sorted(logs)])

    def on_batch_end(self, batch, logs=None):
        self.calls.append(["on_batch_end", batch, sorted(logs)])


class FakeModel:
    """What the pure-logic callbacks touch: an optimizer, stop_training, weights, save."""

    def __init__(self, lr=0.1):
        self.optimizer = keras.optimizers.SGD(lr)
        self.stop_training, self.epoch, self.restored, self.saved = False, None, None, []

    def get_weights(self):
        return [np.array(self.epoch)]

    def set_weights(self, weights):
        self.restored = int(weights[0])

    def save(self, path, overwrite=True):
        self.saved.append(path)


CALLBACK_X = np.linspace(-1, 1, 40, dtype="float32").reshape(10, 4)
CALLBACK_Y = np.arange(10) % 3
PLATEAU = [1.0, 0.9, 0.95, 0.97, 0.96, 0.9, 0.91, 0.92, 0.93, 0.94, 0.8999, 0.95, 0.95]


def _callback_model(lr=0.1):
    keras.utils.set_random_seed(3)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    model.compile(keras.optimizers.SGD(lr), "sparse_categorical_crossentropy", metrics=["accuracy"])
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


def _recorded_fit(stop_at=None, **kwargs):
    """fit on 10 samples, batch 4 (3 batches), validating on 6 (2 batches)."""
    model, rec, legacy = _callback_model(), HookRecorder(stop_at), LegacyRecorder()
    history = model.fit(CALLBACK_X, CALLBACK_Y, batch_size=4, validation_data=(CALLBACK_X[:6], CALLBACK_Y[:6]),
                        verbose=0, callbacks=[rec, legacy], **kwargs)
    relations = _relations(rec.calls, rec.logs)
    return {"calls": rec.calls, "legacy_calls": legacy.calls, "params": rec.params,
            "history_keys": list(history.history), "history_epoch": history.epoch,
            "history_lengths": {k: len(v) for k, v in history.history.items()}, "relations": relations}


def _csv_text(cases_logs, **kwargs):
    import tempfile
    path = os.path.join(tempfile.mkdtemp(), "log.csv")
    for run in cases_logs:  # each run: one fit (on_train_begin .. on_train_end) of several epochs
        logger = keras.callbacks.CSVLogger(path, **kwargs)
        logger.on_train_begin({})
        for epoch, logs in enumerate(run):
            logger.on_epoch_end(epoch, dict(logs))
        logger.on_train_end({})
    with open(path, newline="") as f:
        return f.read()


def training_callbacks():
    """The callback protocol of Keras' fit, evaluate and predict (which hooks, in
    which order, with which log names), and the exact behaviour of the built-in
    callbacks, some fed logs directly. Written as JSON (lists of names, few numbers)."""
    out = {"fit": _recorded_fit(epochs=3, validation_freq=2),
           "fit_initial_epoch": _recorded_fit(epochs=3, initial_epoch=1, validation_freq=2),
           "fit_stopped_mid_epoch": _recorded_fit(epochs=3, stop_at=["on_train_batch_end", 1])}
    model = _callback_model()
    history = model.fit(CALLBACK_X, CALLBACK_Y, batch_size=4, epochs=3, verbose=0,
                        validation_data=(CALLBACK_X[:6], CALLBACK_Y[:6]), validation_freq=[1, 3])
    out["validation_freq_list"] = {"freq": [1, 3],
                                   "history_lengths": {k: len(v) for k, v in history.history.items()}}
    rec = HookRecorder()
    model.evaluate(CALLBACK_X, CALLBACK_Y, batch_size=4, verbose=0, callbacks=[rec])
    out["evaluate"] = {"calls": rec.calls, "params": rec.params}
    rec = HookRecorder()
    model.predict(CALLBACK_X, batch_size=4, verbose=0, callbacks=[rec])
    out["predict"] = {"calls": rec.calls, "params": rec.params,
                      "output_shapes": [list(np.shape(logs["outputs"])) for logs in rec.logs if "outputs" in logs]}

    # LearningRateScheduler: what the callbacks before and after it see, and History.
    before, after = HookRecorder(), HookRecorder()
    model = _callback_model(lr=0.1)
    history = model.fit(CALLBACK_X, CALLBACK_Y, batch_size=4, epochs=3, verbose=0, validation_freq=2,
                        validation_data=(CALLBACK_X[:6], CALLBACK_Y[:6]),
                        callbacks=[before, keras.callbacks.LearningRateScheduler(lambda e, lr: lr * 0.5), after])
    epoch_keys = lambda rec: [keys for name, _, keys in rec.calls if name == "on_epoch_end"]  # noqa: E731
    out["learning_rate_scheduler"] = {
        "history_keys": list(history.history), "learning_rate": history.history["learning_rate"],
        "epoch_keys_before": epoch_keys(before), "epoch_keys_after": epoch_keys(after),
        "train_end_keys_after": [keys for name, _, keys in after.calls if name == "on_train_end"][0]}

    # ReduceLROnPlateau fed val_loss values: the rate logged each epoch, and the rate after it.
    out["reduce_lr_on_plateau"] = []
    for kwargs in [dict(patience=2), dict(patience=2, cooldown=2), dict(patience=1, min_lr=0.004, factor=0.5),
                   dict(patience=1, min_delta=0.05), dict(patience=0, factor=0.5),
                   dict(monitor="val_accuracy", mode="max", patience=1, factor=0.5)]:
        callback, fake = keras.callbacks.ReduceLROnPlateau(**kwargs), FakeModel(0.1)
        callback.set_model(fake)
        callback.on_train_begin({})
        values = [1 - v for v in PLATEAU] if kwargs.get("mode") == "max" else PLATEAU
        logged, after_epoch = [], []
        for epoch, value in enumerate(values):
            logs = {kwargs.get("monitor", "val_loss"): value}
            callback.on_epoch_end(epoch, logs)
            logged.append(logs["learning_rate"])
            after_epoch.append(float(np.asarray(fake.optimizer.learning_rate)))
        out["reduce_lr_on_plateau"].append({"kwargs": kwargs, "values": values, "logged_learning_rate": logged,
                                            "learning_rate_after": after_epoch})

    # EarlyStopping fed val_loss values ("weights" are the epoch number, to see which are restored).
    out["early_stopping"] = []
    ties = [0.5, 0.5 - 1e-9, 0.5 - 2e-9, 0.4]  # better in float64, equal in float32, where Keras compares
    for kwargs, values in [(dict(patience=2), PLATEAU), (dict(patience=2, baseline=0.92), PLATEAU),
                           (dict(patience=2, baseline=0.85), PLATEAU),
                           (dict(patience=0, restore_best_weights=True), PLATEAU),
                           (dict(patience=3, min_delta=0.05, restore_best_weights=True), PLATEAU),
                           (dict(patience=1, start_from_epoch=4, restore_best_weights=True), PLATEAU),
                           (dict(patience=20, restore_best_weights=True), PLATEAU), (dict(patience=1), ties)]:
        callback, fake = keras.callbacks.EarlyStopping(**kwargs), FakeModel()
        callback.set_model(fake)
        callback.on_train_begin({})
        for epoch, value in enumerate(values):
            fake.epoch = epoch
            callback.on_epoch_end(epoch, {"val_loss": value})
            if fake.stop_training:
                break
        callback.on_train_end({})
        out["early_stopping"].append({"kwargs": kwargs, "values": values, "last_epoch": epoch,
                                      "stopped_epoch": callback.stopped_epoch, "best_epoch": callback.best_epoch,
                                      "best": callback.best, "wait": callback.wait, "restored": fake.restored})

    # ModelCheckpoint: which files a real fit writes with save_freq=N (3 batches per epoch) ...
    import tempfile
    out["checkpoint_save_freq"] = {}
    for save_freq in (1, 2, 4):
        folder = tempfile.mkdtemp()
        pattern = os.path.join(folder, "sub", "m-{epoch:02d}-{batch:03d}-{loss:.2f}.keras")
        _callback_model().fit(CALLBACK_X, CALLBACK_Y, batch_size=4, epochs=3, verbose=0,
                              callbacks=[keras.callbacks.ModelCheckpoint(pattern, save_freq=save_freq)])
        out["checkpoint_save_freq"][str(save_freq)] = sorted(n[:9] for n in os.listdir(os.path.join(folder, "sub")))
    # ... and which epochs save_best_only saves, fed logs directly (None: the epoch did not validate).
    out["checkpoint_best"] = []
    for kwargs, values in [(dict(), [0.5, 0.7, 0.4, 0.4, 0.3]),
                           (dict(initial_value_threshold=0.45), [0.5, 0.7, 0.4, 0.4, 0.3]),
                           (dict(monitor="val_accuracy", mode="max"), [0.5, 0.7, 0.4, 0.7, 0.8]),
                           (dict(), [None, 0.6, None, 0.7, 0.5])]:
        callback = keras.callbacks.ModelCheckpoint("m-{epoch}.keras", save_best_only=True, **kwargs)
        fake = FakeModel()
        callback.set_model(fake)
        callback.on_train_begin({})
        for epoch, value in enumerate(values):
            callback.on_epoch_begin(epoch, {})
            callback.on_epoch_end(epoch, {} if value is None else {kwargs.get("monitor", "val_loss"): value})
        out["checkpoint_best"].append({"kwargs": kwargs, "values": values, "saved": fake.saved})

    # CSVLogger fed logs directly: the file's exact text.
    out["csv_logger"] = []
    for kwargs, runs in [
            (dict(), [[{"loss": 0.5, "accuracy": 0.25, "learning_rate": 0.1},
                       {"loss": 0.25, "accuracy": 0.5, "learning_rate": 0.05, "val_loss": 0.75,
                        "val_accuracy": 1.0}]]),
            (dict(), [[{"val_loss": 0.75, "loss": 1 / 3, "accuracy": 2 / 3}, {"val_loss": 0.5, "loss": 0.1}]]),
            (dict(separator=";", append=True), [[{"loss": 0.5}, {"loss": 0.25}], [{"loss": 0.125}]]),
            (dict(), [[{"loss": float("nan"), "note": "a, b", "sizes": [1, 2], "count": 3, "flag": True,
                        "big": 1e20, "small": 1.5e-7}]])]:
        out["csv_logger"].append({"kwargs": kwargs, "runs": runs, "text": _csv_text(runs, **kwargs)})

    with open(os.path.join(OUT, "training_callbacks.json"), "w") as f:
        json.dump(out, f, indent=1)
    print("wrote training_callbacks.json")


def metrics_top_k():
    """Top-k accuracies with ties at the boundary (TensorFlow's in_top_k counts them in)."""
    y_pred = np.array([[0.1, 0.5, 0.2, 0.2], [0.4, 0.3, 0.2, 0.1], [0.25, 0.25, 0.25, 0.25],
                       [0.1, 0.2, 0.3, 0.4], [0.3, 0.3, 0.1, 0.3]], "float32")
    labels = np.array([2, 3, 1, 0, 2])
    out = {"y_pred": y_pred, "labels": labels}
    for k in (1, 2, 3):
        sparse = keras.metrics.SparseTopKCategoricalAccuracy(k=k)
        sparse.update_state(labels, y_pred)
        onehot = keras.metrics.TopKCategoricalAccuracy(k=k)
        onehot.update_state(np.eye(4)[labels], y_pred)
        out[f"sparse_{k}"], out[f"onehot_{k}"] = np.asarray(sparse.result()), np.asarray(onehot.result())
        out[f"per_sample_{k}"] = np.asarray(keras.metrics.sparse_top_k_categorical_accuracy(labels, y_pred, k=k))
    save("metrics_top_k", **out)


CONV_CASES = {  # name: (input shape, Conv2D arguments)
    "relu_valid": ((2, 7, 6, 3), dict(filters=4, kernel_size=3, activation="relu")),
    "strided_same": ((2, 8, 7, 1), dict(filters=3, kernel_size=(2, 3), strides=(2, 3), padding="same")),
    "dilated_same": ((1, 9, 9, 2), dict(filters=2, kernel_size=3, dilation_rate=2, padding="same")),
    "one_by_one_tanh": ((2, 5, 5, 3), dict(filters=5, kernel_size=1, strides=2, activation="tanh")),
}
POOL_CASES = {  # name: (input shape, pooling arguments)
    "2x2": ((2, 7, 7, 3), dict(pool_size=2)),
    "3x3_stride2_same": ((2, 8, 7, 2), dict(pool_size=3, strides=2, padding="same")),
    "overlapping_2x3": ((1, 6, 7, 1), dict(pool_size=(2, 3), strides=1)),
}


def _output_and_gradients(layer, x, rng, training=False):
    """layer(x), and dL/dx and dL/dweights (trainable, in order) for L = sum(r * layer(x))."""
    xt = tf.Variable(x)
    with tf.GradientTape() as tape:
        y = layer(xt, training=training)
        r = tf.constant(rng.standard_normal(y.shape).astype("float32"))
        loss = tf.reduce_sum(r * y)
    grads = tape.gradient(loss, [xt] + list(layer.trainable_weights))
    return {"y": np.asarray(y), "r": np.asarray(r), "dx": np.asarray(grads[0]),
            **{f"d{w.name}": np.asarray(g) for w, g in zip(layer.trainable_weights, grads[1:])}}


def conv_layers(rng):
    """Conv2D, the pooling layers, Reshape and BatchNormalization: outputs and gradients
    (GradientTape) of L = sum(r * y) for a fixed random r, on given weights."""
    out = {}
    for name, (shape, args) in CONV_CASES.items():
        x = rng.standard_normal(shape).astype("float32")
        layer = keras.layers.Conv2D(**args)
        layer.build(shape)
        weights = [(rng.standard_normal(w.shape) * 0.5).astype("float32") for w in layer.get_weights()]
        layer.set_weights(weights)
        result = _output_and_gradients(layer, x, rng)
        out.update({f"conv_{name}_{k}": v for k, v in {"x": x, "kernel": weights[0], "bias": weights[1],
                                                        **result}.items()})
    for name, (shape, args) in POOL_CASES.items():
        x = rng.standard_normal(shape).astype("float32")
        x[0, :2, :2] = 0.5  # a tie in the first window
        out[f"pool_{name}_x"] = x
        for kind in ("MaxPooling2D", "AveragePooling2D"):
            result = _output_and_gradients(getattr(keras.layers, kind)(**args), x, rng)
            out.update({f"pool_{name}_{kind}_{k}": v for k, v in result.items()})
    x = rng.standard_normal((2, 4, 5, 3)).astype("float32")
    x[1, :2, :2, 0] = x[1].max() + 1  # four pixels tie for the maximum of a channel
    out["global_x"] = x
    for kind in ("GlobalMaxPooling2D", "GlobalAveragePooling2D"):
        result = _output_and_gradients(getattr(keras.layers, kind)(), x, rng)
        out.update({f"global_{kind}_{k}": v for k, v in result.items()})
    for name, shape in {"images": (3, 4, 5, 3), "features": (6, 4)}.items():
        x = (rng.standard_normal(shape) * 2 + 1).astype("float32")
        layer = keras.layers.BatchNormalization()
        layer.build(shape)
        weights = [(rng.standard_normal(w.shape) * 0.5 + [1, 0, 0, 1][i] + (i == 3) * 0.5).astype("float32")
                   for i, w in enumerate(layer.get_weights())]
        layer.set_weights(weights)
        out[f"bn_{name}_x"] = x
        out.update({f"bn_{name}_weight{i}": w for i, w in enumerate(weights)})
        for training in (True, False):
            mode = "training" if training else "inference"
            result = _output_and_gradients(layer, x, rng, training=training)
            out.update({f"bn_{name}_{mode}_{k}": v for k, v in result.items()})
            out.update({f"bn_{name}_{mode}_after{i}": w for i, w in enumerate(layer.get_weights())})
    save("conv_layers", **out)


def convnet_model(dropout):
    """Keras' "Simple MNIST convnet" example."""
    return keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        keras.layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
        keras.layers.MaxPooling2D(pool_size=(2, 2)),
        keras.layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
        keras.layers.MaxPooling2D(pool_size=(2, 2)),
        keras.layers.Flatten(),
        keras.layers.Dropout(dropout),
        keras.layers.Dense(10, activation="softmax"),
    ])


def convnet():
    """The convnet trained 2 epochs of batch 128 on the first 1,024 MNIST images
    (/255, a channel axis, one-hot labels, categorical cross-entropy, Adam),
    shuffle=False, validating on the first 512 test images. Dropout's rate is 0
    here: its random masks cannot be made the same in both frameworks, and with
    rate 0 the layer is the identity in both. Also: the summary as Keras prints it
    (with the example's Dropout(0.5), which prints the same), and the weights after
    the first epoch."""
    with np.load(MNIST) as d:
        x, y = d["x_train"][:1024], d["y_train"][:1024]
        xv, yv = d["x_test"][:512], d["y_test"][:512]
    x, xv = (x.astype("float32") / 255)[..., None], (xv.astype("float32") / 255)[..., None]
    y, yv = keras.utils.to_categorical(y, 10), keras.utils.to_categorical(yv, 10)
    keras.utils.set_random_seed(1)
    model = convnet_model(0.0)
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    initial = model.get_weights()
    logs = BatchLogs()
    after_epoch = []
    keep = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: after_epoch.append(model.get_weights()))
    history = model.fit(x, y, batch_size=128, epochs=2, shuffle=False, validation_data=(xv, yv), verbose=0,
                        callbacks=[logs, keep])
    evaluated = model.evaluate(xv, yv, batch_size=128, verbose=0)
    predicted = model.predict(xv[:64], batch_size=128, verbose=0)
    lines = []
    convnet_model(0.5).summary(print_fn=lambda line, **kwargs: lines.extend(line.splitlines()))
    save("convnet", batch_loss=np.array(logs.loss), batch_accuracy=np.array(logs.accuracy),
         **{f"history_{k}": np.array(v) for k, v in history.history.items()},
         **{f"initial_{i}": w for i, w in enumerate(initial)},
         **{f"epoch1_{i}": w for i, w in enumerate(after_epoch[0])},
         **{f"final_{i}": w for i, w in enumerate(model.get_weights())},
         evaluate=np.array(evaluated), predict=predicted, summary=np.array(lines))


# Each group writes its own fixture files; ``--only NAME ...`` remakes just those,
# leaving the others (and versions.json's parameter counts) as they are.
GROUPS = {"dense_softmax": dense_and_softmax, "losses": losses, "metrics": metrics,
          "model_gradients": model_gradients, "optimizers": optimizers, "optimizers_more": optimizers_more,
          "initializers": initializers, "trajectories": trajectories,
          "training_callbacks": training_callbacks,
          # in more_fixtures.py; each seeds its own generator
          "losses_more": losses_more, "activations": activations, "metrics_more": metrics_more,
          "metrics_top_k": metrics_top_k, "conv_layers": conv_layers, "convnet": convnet,
          # in keras_file_fixtures.py: Keras' own .keras and .weights.h5 files
          "keras_files": keras_files}


def main(argv=None):
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=sorted(GROUPS), help="remake only these groups")
    args = parser.parse_args(argv)
    path = os.path.join(OUT, "versions.json")
    versions = {}
    if os.path.exists(path):
        with open(path) as f:
            versions = json.load(f)
    rng_groups = {"dense_softmax", "losses", "metrics", "model_gradients", "optimizers", "optimizers_more",
                  "conv_layers", "keras_files"}
    for name in args.only or list(GROUPS):
        fn = GROUPS[name]
        # Every group that draws random inputs gets its own generator, seeded by its name, so
        # remaking one group alone gives the same inputs as remaking them all, whatever other
        # groups exist. (Each fixture stores its inputs beside Keras' outputs.)
        rng = np.random.default_rng([2026, zlib.crc32(name.encode())])
        result = fn(rng) if name in rng_groups else fn()
        if name == "trajectories":
            versions["param_counts"] = result
    versions.update({"keras": keras.__version__, "tensorflow": tf.__version__, "numpy": np.__version__,
                     "python": platform.python_version(), "backend": keras.backend.backend()})
    with open(path, "w") as f:
        json.dump(versions, f, indent=1)
    print("wrote versions.json", versions)


if __name__ == "__main__":
    main()
