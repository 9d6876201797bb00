"""Lesson 6's convnet - Keras' "Simple MNIST convnet" example - trained as the
example trains it, in Keras or in tinynet, with the same code (only where the
names come from differs):
    python tests/reference/convnet_runs.py --framework keras   [--runs 2] [--epochs 15] [--out FILE]
    python tests/reference/convnet_runs.py --framework tinynet [...]
Keras runs go in the reference environment (tensorflow-cpu 2.21.0, keras 3.15.1),
never in tinynet's. Every run: Input(28, 28, 1) -> Conv2D(32, 3, relu) ->
MaxPooling2D(2) -> Conv2D(64, 3, relu) -> MaxPooling2D(2) -> Flatten ->
Dropout(0.5) -> Dense(10, softmax); categorical cross-entropy, Adam, batch 128,
``validation_split=0.1``, then ``evaluate`` on the 10,000 test images. Unseeded,
as the example is (with a TensorFlow seed, Keras 3.15.1 feeds every epoch the same
order: see capacity_runs.py). The default ``--out`` is
``tests/reference/<framework>_convnet.json``; it records the versions that made it.
"""
import argparse
import json
import os
import platform
import time

import numpy as np


def framework(name):
    """The names the example needs, from Keras or from tinynet, and the versions."""
    if name == "keras":
        import keras
        import tensorflow as tf
        return (keras.Sequential, keras.Input, keras.layers, keras.utils.to_categorical,
                {"keras": keras.__version__, "tensorflow": tf.__version__})
    import numba
    import tinynet
    return (tinynet.Sequential, tinynet.Input, tinynet.layers, tinynet.utils.to_categorical,
            {"tinynet": tinynet.__version__, "numba": numba.__version__,
             "backend": tinynet.get_backend(), "threads": tinynet.get_num_threads()})


def convnet(Sequential, Input, layers):
    return Sequential([
        Input(shape=(28, 28, 1)),
        layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Flatten(),
        layers.Dropout(0.5),
        layers.Dense(10, activation="softmax"),
    ])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--framework", choices=["keras", "tinynet"], required=True)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--out")
    parser.add_argument("--mnist", default="tinynet/datasets/data/mnist.npz")
    args = parser.parse_args()
    args.out = args.out or f"tests/reference/{args.framework}_convnet.json"
    Sequential, Input, layers, to_categorical, versions = framework(args.framework)
    with np.load(args.mnist) as d:
        x_train, y_train, x_test, y_test = d["x_train"], d["y_train"], d["x_test"], d["y_test"]
    x_train = np.expand_dims(x_train.astype("float32") / 255, -1)
    x_test = np.expand_dims(x_test.astype("float32") / 255, -1)
    runs = []
    for run in range(args.runs):
        model = convnet(Sequential, Input, layers)
        model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
        start = time.perf_counter()
        history = model.fit(x_train, to_categorical(y_train, 10), batch_size=128, epochs=args.epochs,
                            validation_split=0.1, verbose=2)
        seconds = time.perf_counter() - start
        test_loss, test_acc = model.evaluate(x_test, to_categorical(y_test, 10), verbose=0)
        predicted = model.predict(x_test, batch_size=128, verbose=0).argmax(axis=1)
        runs.append({"run": run, "parameters": int(model.count_params()), "test_accuracy": float(test_acc),
                     "test_loss": float(test_loss), "mistakes": int((predicted != y_test).sum()),
                     "seconds": seconds, "history": {k: [float(v) for v in vs] for k, vs in history.history.items()}})
        print(json.dumps({k: v for k, v in runs[-1].items() if k != "history"}), flush=True)
    versions.update(numpy=np.__version__, python=platform.python_version())
    result = {"versions": versions,
              "settings": {"epochs": args.epochs, "batch_size": 128, "validation_split": 0.1, "unseeded": True},
              "runs": runs}
    with open(args.out + ".tmp", "w") as f:  # then renamed: a failed run leaves the old file whole
        json.dump(result, f, indent=1)
    os.replace(args.out + ".tmp", args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
