"""Does Keras open what tinynet writes? Two steps, two environments:

    python3 tests/reference/keras_loads_tinynet.py write DIR              (tinynet's Python)
    ~/venvs/keras/bin/python tests/reference/keras_loads_tinynet.py check DIR   (Keras')

``write`` trains small models in tinynet (every layer, activation, initializer,
regularizer, loss, optimizer, schedule and kind of metric tinynet has, a nested
Sequential, a frozen layer) and saves each as NAME.keras and NAME.weights.h5, with
NAME.npz (probe inputs, tinynet's predictions, one more batch and tinynet's weights
after one step on it) and NAME.json (what Keras should find: layers, activations,
initializers, regularizers, trainable flags, optimizer, loss, metrics).
``check`` opens each file with ``keras.models.load_model`` and with ``load_weights``
into a fresh copy, compares all of that, takes the same step in Keras, prints the
largest deviations and exits non-zero if anything differs. Not part of the test
suite: it needs Keras, which tinynet's tests never import.
"""
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
PRED_RTOL, STEP_RTOL = 1e-5, 1e-5  # as tests/test_keras_parity.py: float32 rounding of a few operations


# -- write (tinynet) --------------------------------------------------------------------------------
def tinynet_models():
    from tinynet import layers as L, losses, metrics as M, optimizers as O, regularizers as R
    from tinynet.models import Sequential
    S = O.schedules

    def small(name, acts, optimizer, loss, metrics, units=3):
        model = Sequential([L.Input((4,)), L.Dense(5, activation=acts[0], kernel_initializer="he_uniform",
                                                   name="hidden"), L.Dense(units, activation=acts[1], name="out")],
                           name=name)
        model.compile(optimizer=optimizer, loss=loss, metrics=metrics)
        return model

    seed = Sequential([L.Input((28, 28)), L.Flatten(), L.Dense(16, activation="relu"),
                       L.Dense(10, activation="softmax")], name="seed")
    seed.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    inner = Sequential([L.Dense(8, activation="tanh", name="inner_dense"), L.Dropout(0.25, name="inner_dropout")],
                       name="inner")
    nested = Sequential([L.Input((6,)), inner, L.Dense(3, name="logits"), L.Softmax(name="softmax")], name="nested")
    nested.compile(optimizer=O.SGD(learning_rate=0.1, momentum=0.9, nesterov=True), loss="categorical_crossentropy",
                   metrics=["accuracy", "mae"])
    regularized = Sequential([
        L.Dense(8, activation="gelu", kernel_initializer="he_normal", kernel_regularizer=R.L2(0.01),
                bias_regularizer=R.L1(0.02), input_shape=(5,), name="frozen", trainable=False),
        L.Activation("swish"), L.ReLU(name="relu"),
        L.Dense(4, activation="elu", use_bias=False, kernel_initializer="glorot_normal",
                kernel_regularizer=R.L1L2(0.01, 0.02), name="no_bias"),
        L.Dense(1, activation="sigmoid", bias_initializer="ones", name="out")], name="regularized")
    regularized.compile(optimizer=O.RMSprop(learning_rate=0.01, momentum=0.5, centered=True),
                        loss=losses.BinaryCrossentropy(label_smoothing=0.1),
                        metrics=[M.BinaryAccuracy(threshold=0.4), "mae", M.Precision()])
    return {
        "seed": seed, "nested": nested, "regularized": regularized,
        "adamw_cosine": small("adamw_cosine", ("leaky_relu", "linear"),
                              O.AdamW(learning_rate=S.CosineDecay(0.01, 10, alpha=0.1), weight_decay=0.05,
                                      amsgrad=True), "mse", [M.RootMeanSquaredError()]),
        "adagrad_huber": small("adagrad_huber", ("selu", "softplus"), O.Adagrad(learning_rate=0.1),
                               losses.Huber(delta=2.0), ["mae"]),
        "sgd_clipnorm": small("sgd_clipnorm", ("softsign", "hard_sigmoid"), O.SGD(learning_rate=0.05, clipnorm=1.0),
                              "mean_absolute_error", None),
        "adam_staircase": small("adam_staircase", ("silu", "linear"),
                                O.Adam(learning_rate=S.ExponentialDecay(0.01, 2, 0.5, staircase=True), clipvalue=0.5),
                                losses.SparseCategoricalCrossentropy(from_logits=True),
                                [M.SparseTopKCategoricalAccuracy(k=2), "accuracy"]),
        "rmsprop_exponential": small("rmsprop_exponential", ("exponential", "softmax"), O.RMSprop(),
                                     "categorical_crossentropy",
                                     [M.Recall(), M.TopKCategoricalAccuracy(k=2), M.CategoricalCrossentropy()]),
        "sgd_untrained": small("sgd_untrained", ("tanh", "sigmoid"), "sgd", "binary_crossentropy",
                               ["accuracy"], units=1),
    }


def targets(model, rng, n):
    loss, units = type(model.loss).__name__, model.output_shape[-1]
    if loss.startswith("Sparse"):
        return rng.integers(0, units, n)
    if loss.startswith("Categorical"):
        return np.eye(units, dtype="float32")[rng.integers(0, units, n)]
    if loss.startswith("Binary"):
        return rng.integers(0, 2, (n, units)).astype("float32")
    return rng.standard_normal((n, units)).astype("float32")


def expected(model):
    from tinynet import optimizers
    from tinynet.models.saving.compile_objects import loss_spec

    def layers(m):
        out = []
        for layer in m.layers:
            entry = {"class": type(layer).__name__, "name": layer.name, "trainable": layer.trainable}
            if hasattr(layer, "layers"):
                entry["layers"] = layers(layer)
            for key in ("activation", "kernel_initializer", "bias_initializer", "use_bias", "units", "rate"):
                value = layer.get_config().get(key)
                if value is not None:
                    entry[key] = value
            for key in ("kernel", "bias"):
                if key in getattr(layer, "regularizers", {}):
                    entry[f"{key}_regularizer"] = layer.regularizers[key].get_config()
            out.append(entry)
        return out

    return {"layers": layers(model), "optimizer": optimizers.serialize(model.optimizer)["config"],
            "optimizer_class": type(model.optimizer).__name__, "loss": list(loss_spec(model.loss)),
            "metrics": model.metric_names, "iterations": model.optimizer.iterations}


def write(folder):
    sys.path.insert(0, os.path.dirname(os.path.dirname(HERE)))
    import tinynet

    os.makedirs(folder, exist_ok=True)
    tinynet.utils.set_random_seed(11)
    rng = np.random.default_rng(11)
    for name, model in tinynet_models().items():
        shape = model.input_shape[1:]
        if name != "sgd_untrained":
            model.fit(rng.random((32,) + shape).astype("float32"), targets(model, rng, 32), epochs=2, batch_size=16,
                      shuffle=False, verbose=0)
        else:
            model.build((None,) + shape)
        model.save(os.path.join(folder, name + ".keras"))
        model.save_weights(os.path.join(folder, name + ".weights.h5"))
        with open(os.path.join(folder, name + ".json"), "w") as f:
            json.dump(expected(model), f, indent=1)
        x = rng.random((8,) + shape).astype("float32")
        arrays = {"x": x, "pred": model.predict(x, verbose=0)}
        if name != "nested":  # its Dropout draws other random numbers in Keras
            arrays["step_x"] = rng.random((12,) + shape).astype("float32")
            arrays["step_y"] = targets(model, rng, 12)
            model.fit(arrays["step_x"], arrays["step_y"], batch_size=12, epochs=1, shuffle=False, verbose=0)
            arrays.update({f"after_{i}": w for i, w in enumerate(model.get_weights())})
        np.savez(os.path.join(folder, name + ".npz"), **arrays)
        print(f"wrote {name}.keras, {name}.weights.h5")


# -- check (Keras) ----------------------------------------------------------------------------------
def keras_description(layer_list):
    import keras

    out = []
    for layer in layer_list:
        entry = {"class": type(layer).__name__, "name": layer.name, "trainable": layer.trainable}
        if isinstance(layer, keras.Sequential):
            entry["layers"] = keras_description(layer.layers)
        if hasattr(layer, "activation"):
            entry["activation"] = keras.activations.serialize(layer.activation)
        for key in ("kernel_initializer", "bias_initializer"):
            if hasattr(layer, key):
                entry[key] = type(getattr(layer, key)).__name__
        for key in ("use_bias", "units", "rate"):
            if hasattr(layer, key):
                entry[key] = getattr(layer, key)
        for key in ("kernel_regularizer", "bias_regularizer"):
            if getattr(layer, key, None) is not None:
                entry[key] = getattr(layer, key).get_config()
        out.append(entry)
    return out


INITIALIZER_NAMES = {"glorot_uniform": "GlorotUniform", "glorot_normal": "GlorotNormal", "he_uniform": "HeUniform",
                     "he_normal": "HeNormal", "zeros": "Zeros", "ones": "Ones"}


def as_keras(entries):
    """tinynet's description in Keras' terms (initializer class names, activation names)."""
    out = []
    for entry in entries:
        entry = dict(entry)
        for key in ("kernel_initializer", "bias_initializer"):
            if key in entry:
                entry[key] = INITIALIZER_NAMES[entry[key]]
        if entry["class"] in ("ReLU", "Softmax"):
            entry.pop("activation", None)
        if "layers" in entry:
            entry["layers"] = as_keras(entry["layers"])
        out.append(entry)
    return out


def close(a, b, rel=1e-6):
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(close(a[k], b[k], rel) for k in a)
    if isinstance(a, float) or isinstance(b, float):
        return abs(float(a) - float(b)) <= rel * max(abs(float(a)), abs(float(b)), 1e-30)
    return a == b


def loss_problems(keras, loss, class_name, config):
    """A loss compiled from a name must be that class's function; an object, that class with
    that config (and, for Huber, whose delta Keras' config leaves out, that delta)."""
    if isinstance(loss, str):
        ok = getattr(keras.losses, class_name)().fn is keras.losses.get(loss)
        return [] if ok else [f"loss {loss!r} is not tinynet's {class_name}"]
    got = loss.get_config()
    if type(loss).__name__ != class_name or not close(got, {k: config[k] for k in got if k in config}):
        return [f"loss {type(loss).__name__} {got} vs {class_name} {config}"]
    if "delta" in config and loss._fn_kwargs.get("delta") != config["delta"]:
        return [f"Huber's delta {loss._fn_kwargs.get('delta')} vs {config['delta']}"]
    return []


def check(folder):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras

    failures = 0
    names = sorted(n[:-6] for n in os.listdir(folder) if n.endswith(".keras"))
    for name in names:
        path = os.path.join(folder, name)
        with open(path + ".json") as f:
            want = json.load(f)
        data = dict(np.load(path + ".npz"))
        model = keras.models.load_model(path + ".keras")
        problems = []
        got_layers = keras_description(model.layers)
        for g, w in zip(got_layers, as_keras(want["layers"])):
            if {k: g.get(k) for k in w} != w and not close({k: g.get(k) for k in w}, w):
                problems.append(f"layer {w['name']}: Keras {g}, tinynet {w}")
        if len(got_layers) != len(want["layers"]):
            problems.append(f"{len(got_layers)} layers, tinynet {len(want['layers'])}")
        if type(model.optimizer).__name__ != want["optimizer_class"] or \
                not close(keras.optimizers.serialize(model.optimizer)["config"], want["optimizer"]):
            problems.append(f"optimizer {keras.optimizers.serialize(model.optimizer)} vs {want['optimizer']}")
        problems += loss_problems(keras, model.loss, *want["loss"])
        if int(model.optimizer.iterations) != want["iterations"]:
            problems.append(f"iterations {int(model.optimizer.iterations)} vs {want['iterations']}")
        pred = model.predict(data["x"], verbose=0)
        pred_dev = float(np.abs(pred - data["pred"]).max() / max(np.abs(data["pred"]).max(), 1e-30))
        if pred_dev > PRED_RTOL:
            problems.append(f"predictions deviate by {pred_dev:.2e}")
        fresh = keras.models.clone_model(model)
        fresh.load_weights(path + ".weights.h5")
        weights_dev = float(np.abs(fresh.predict(data["x"], verbose=0) - pred).max())
        if weights_dev != 0:
            problems.append(f"load_weights gives predictions {weights_dev:.2e} away")
        step_dev = float("nan")
        if "step_x" in data:
            model.fit(data["step_x"], data["step_y"], batch_size=12, epochs=1, shuffle=False, verbose=0)
            step_dev = max(float(np.abs(w - data[f"after_{i}"]).max() / max(np.abs(data[f"after_{i}"]).max(), 1e-30))
                           for i, w in enumerate(model.get_weights()))
            if step_dev > STEP_RTOL:
                problems.append(f"one step deviates by {step_dev:.2e}")
        metrics = [m if isinstance(m, str) else m["config"]["name"]
                   for m in model.get_compile_config()["metrics"] or []]
        if metrics != want["metrics"]:
            problems.append(f"metrics {metrics} vs {want['metrics']}")
        failures += bool(problems)
        print(f"{'FAIL' if problems else 'ok  '} {name:22s} predictions {pred_dev:.1e}  step {step_dev:.1e}  "
              f"optimizer {type(model.optimizer).__name__}, iterations {int(model.optimizer.iterations)}, "
              f"metrics {metrics}")
        for problem in problems:
            print("     ", problem)
    print(f"{len(names) - failures} of {len(names)} files load in Keras {keras.__version__} as tinynet wrote them")
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("write", "check"):
        sys.exit(__doc__)
    sys.exit(write(sys.argv[2]) if sys.argv[1] == "write" else check(sys.argv[2]))
