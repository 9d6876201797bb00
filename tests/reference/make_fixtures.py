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
          "model_gradients": model_gradients, "optimizers": optimizers,
          "initializers": initializers, "trajectories": trajectories, "conv_layers": conv_layers,
          "convnet": convnet}


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
    rng_groups = {"dense_softmax", "losses", "metrics", "model_gradients", "optimizers", "conv_layers"}
    # A group's generator is numbered by its place here; new groups go at the end, so
    # that adding one changes no other group's inputs (the first seven are sorted).
    numbering = ["dense_softmax", "initializers", "losses", "metrics", "model_gradients", "optimizers",
                 "trajectories", "conv_layers", "convnet"]
    for name in args.only or list(GROUPS):
        fn = GROUPS[name]
        # Every group that draws random inputs gets its own generator, so remaking one
        # group alone gives the same inputs as remaking them all.
        result = fn(np.random.default_rng([2026, numbering.index(name)])) if name in rng_groups else fn()
        if name == "trajectories":
            versions["param_counts"] = result
    versions.update({"keras": keras.__version__, "tensorflow": tf.__version__, "numpy": np.__version__,
                     "python": platform.python_version(), "backend": keras.backend.backend()})
    with open(path, "w") as f:
        json.dump(versions, f, indent=1)
    print("wrote versions.json", versions)


if __name__ == "__main__":
    main()
