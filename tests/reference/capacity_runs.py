"""Lesson 2's capacity experiment, run once per seed, in Keras or in tinynet.

The training code is the same for both: only the framework the names come from
changes (which is the point of tinynet's Keras-compatible API). Keras runs go in
the reference environment (tensorflow-cpu 2.21.0, keras 3.15.1), never in
tinynet's:
    python tests/reference/capacity_runs.py --framework keras   [--seeds 0 1 2] [--models under balanced over]
    python tests/reference/capacity_runs.py --framework tinynet [...]      [--append] [--out FILE]
Each run trains a notebook model exactly as the notebook does (50 epochs, batch 32,
first 10,000 normalised training images, full test set as validation) and records
its final figures; the file records the versions that made them. The default
``--out`` is ``tests/reference/<framework>_capacity.json``. ``--append`` adds the
new runs to those already in ``--out`` (made by the same versions), to widen the
sample one model at a time.

``--unseeded`` skips ``set_random_seed`` (the seeds then only number the runs), as
the notebook does. The Keras reference runs use it: once TensorFlow has a global
seed, Keras 3.15.1 on TensorFlow 2.21 feeds ``fit(shuffle=True)`` the *same*
order in every epoch (the permutation is drawn inside a tf.data map that restarts
each epoch; tensorflow/tensorflow#35682), which trains measurably differently from
the notebook and from tinynet, both of which draw a new order every epoch.
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


def framework(name):
    """The four names the experiment needs, from Keras or from tinynet, and the
    versions of what computes with them."""
    if name == "keras":
        import keras
        import tensorflow as tf
        return (keras.Sequential, keras.Input, keras.layers, keras.utils.set_random_seed,
                {"keras": keras.__version__, "tensorflow": tf.__version__})
    import numba
    import tinynet
    return (tinynet.Sequential, tinynet.layers.Input, tinynet.layers, tinynet.utils.set_random_seed,
            {"tinynet": tinynet.__version__, "numba": numba.__version__,
             "backend": tinynet.get_backend(), "threads": tinynet.get_num_threads()})


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--framework", choices=["keras", "tinynet"], required=True)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--models", nargs="+", choices=list(SHORT), default=list(SHORT))
    parser.add_argument("--append", action="store_true")
    parser.add_argument("--unseeded", action="store_true")
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--out")
    parser.add_argument("--mnist", default="tinynet/datasets/data/mnist.npz")
    args = parser.parse_args()
    args.out = args.out or f"tests/reference/{args.framework}_capacity.json"
    Sequential, Input, layers, set_random_seed, versions = framework(args.framework)
    with np.load(args.mnist) as d:
        x_train, y_train, x_test, y_test = d["x_train"], d["y_train"], d["x_test"], d["y_test"]
    x_sub, y_sub = x_train[:10000].astype("float32") / 255.0, y_train[:10000]
    x_test = x_test.astype("float32") / 255.0
    runs = []
    for seed in args.seeds:
        for name in (SHORT[m] for m in args.models):
            hidden = MODELS[name]
            if not args.unseeded:
                set_random_seed(seed)
            model = Sequential([Input((28, 28)), layers.Flatten()]
                               + [layers.Dense(h, activation="relu") for h in hidden]
                               + [layers.Dense(10, activation="softmax")])
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            start = time.perf_counter()
            history = model.fit(x_sub, y_sub, epochs=args.epochs, batch_size=32,
                                validation_data=(x_test, y_test), verbose=0)
            seconds = time.perf_counter() - start
            train_loss, train_acc = model.evaluate(x_sub, y_sub, verbose=0)
            test_loss, test_acc = model.evaluate(x_test, y_test, verbose=0)
            val_loss = np.array(history.history["val_loss"])
            runs.append({"seed": None if args.unseeded else seed, "run": seed, "model": name,
                         "train_accuracy": train_acc, "test_accuracy": test_acc, "train_loss": train_loss, "test_loss": test_loss, "gap": train_acc - test_acc,
                         "best_val_loss_epoch": int(val_loss.argmin()) + 1, "best_val_loss": float(val_loss.min()),
                         "final_val_loss": float(val_loss[-1]), "seconds": seconds})
            print(json.dumps(runs[-1]), flush=True)
    versions.update(numpy=np.__version__, python=platform.python_version())
    seeds = args.seeds
    if args.append:
        with open(args.out) as f:
            old = json.load(f)
        if (old["versions"] != versions or old["settings"]["epochs"] != args.epochs
                or old["settings"].get("unseeded", False) != args.unseeded):
            raise SystemExit(f"{args.out} was made by {old['versions']}, {old['settings']}; not appending "
                             f"runs of {versions}, {args.epochs} epochs, unseeded={args.unseeded}")
        runs = old["runs"] + runs
        seeds = sorted(set(old["settings"]["seeds"]) | set(seeds))
    result = {"versions": versions,
              "settings": {"epochs": args.epochs, "subset": 10000, "batch_size": 32, "seeds": seeds,
                           "unseeded": args.unseeded},
              "runs": runs}
    with open(args.out + ".tmp", "w") as f:  # then renamed: a failed run leaves the old file whole
        json.dump(result, f, indent=1)
    os.replace(args.out + ".tmp", args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
