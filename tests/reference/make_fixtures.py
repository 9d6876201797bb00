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

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

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


# Each group writes its own fixture files; ``--only NAME ...`` remakes just those,
# leaving the others (and versions.json's parameter counts) as they are.
GROUPS = {"dense_softmax": dense_and_softmax, "losses": losses, "metrics": metrics,
          "model_gradients": model_gradients, "optimizers": optimizers, "optimizers_more": optimizers_more,
          "initializers": initializers, "trajectories": trajectories}


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
    rng_groups = {"dense_softmax", "losses", "metrics", "model_gradients", "optimizers", "optimizers_more"}
    for name in args.only or list(GROUPS):
        fn = GROUPS[name]
        # Every group that draws random inputs gets its own generator, so remaking one
        # group alone gives the same inputs as remaking them all.
        result = fn(np.random.default_rng([2026, sorted(GROUPS).index(name)])) if name in rng_groups else fn()
        if name == "trajectories":
            versions["param_counts"] = result
    versions.update({"keras": keras.__version__, "tensorflow": tf.__version__, "numpy": np.__version__,
                     "python": platform.python_version(), "backend": keras.backend.backend()})
    with open(path, "w") as f:
        json.dump(versions, f, indent=1)
    print("wrote versions.json", versions)


if __name__ == "__main__":
    main()
