"""Keras' own spread on the capacity experiment (lesson 2), over several seeds.

Run in the reference environment (tensorflow-cpu 2.21.0, keras 3.15.1), never
in tinynet's:
    python tests/reference/keras_capacity.py [--seeds 0 1 2] [--models under balanced over]
                                             [--append] [--out tests/reference/keras_capacity.json]
It trains the notebook's three models exactly as the notebook does (50 epochs,
batch 32, first 10,000 normalised training images, full test set as
validation) once per seed, and writes each run's final figures and the
versions that made them. ``--append`` adds the new runs to those already in
``--out`` (made by the same versions), to widen the sample one model at a time.
"""
import argparse
import json
import os
import platform
import time

import numpy as np

MODELS = {"Under-fitting (too simple)": [], "Balanced (your model)": [128],
          "Over-fitting (too complex)": [512, 512, 256, 128]}
SHORT = dict(zip(["under", "balanced", "over"], MODELS))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--models", nargs="+", choices=list(SHORT), default=list(SHORT))
    parser.add_argument("--append", action="store_true")
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--out", default="tests/reference/keras_capacity.json")
    parser.add_argument("--mnist", default="tinynet/datasets/data/mnist.npz")
    args = parser.parse_args()
    import keras
    import tensorflow as tf
    with np.load(args.mnist) as d:
        x_train, y_train, x_test, y_test = d["x_train"], d["y_train"], d["x_test"], d["y_test"]
    x_sub, y_sub = x_train[:10000].astype("float32") / 255.0, y_train[:10000]
    x_test = x_test.astype("float32") / 255.0
    runs = []
    for seed in args.seeds:
        for name in (SHORT[m] for m in args.models):
            hidden = MODELS[name]
            keras.utils.set_random_seed(seed)
            model = keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten()]
                                     + [keras.layers.Dense(h, activation="relu") for h in hidden]
                                     + [keras.layers.Dense(10, activation="softmax")])
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            start = time.perf_counter()
            history = model.fit(x_sub, y_sub, epochs=args.epochs, batch_size=32,
                                validation_data=(x_test, y_test), verbose=0)
            seconds = time.perf_counter() - start
            train_loss, train_acc = model.evaluate(x_sub, y_sub, verbose=0)
            test_loss, test_acc = model.evaluate(x_test, y_test, verbose=0)
            val_loss = np.array(history.history["val_loss"])
            runs.append({"seed": seed, "model": name, "train_accuracy": train_acc, "test_accuracy": test_acc,
                         "train_loss": train_loss, "test_loss": test_loss, "gap": train_acc - test_acc,
                         "best_val_loss_epoch": int(val_loss.argmin()) + 1, "best_val_loss": float(val_loss.min()),
                         "final_val_loss": float(val_loss[-1]), "seconds": seconds})
            print(json.dumps(runs[-1]), flush=True)
    versions = {"keras": keras.__version__, "tensorflow": tf.__version__,
                "numpy": np.__version__, "python": platform.python_version()}
    seeds = args.seeds
    if args.append:
        with open(args.out) as f:
            old = json.load(f)
        if old["versions"] != versions or old["settings"]["epochs"] != args.epochs:
            raise SystemExit(f"{args.out} was made by {old['versions']}, {old['settings']['epochs']} epochs; "
                             f"not appending runs of {versions}, {args.epochs} epochs")
        runs = old["runs"] + runs
        seeds = sorted(set(old["settings"]["seeds"]) | set(seeds))
    result = {"versions": versions,
              "settings": {"epochs": args.epochs, "subset": 10000, "batch_size": 32, "seeds": seeds},
              "runs": runs}
    with open(args.out + ".tmp", "w") as f:  # then renamed: a failed run leaves the old file whole
        json.dump(result, f, indent=1)
    os.replace(args.out + ".tmp", args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
