"""Run in the reference environment (PyTorch and/or Keras installed): one epoch of
the same models on the same MNIST arrays, batch 32, Adam, no validation.

Called by ``benchmarks/run.py`` as
    REFERENCE_PYTHON benchmarks/reference_train.py DATA.npz FRAMEWORK REPEATS
and prints one JSON line: {case: median seconds per epoch}.
"""
import json
import sys
import time

import numpy as np

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from models import CASES  # noqa: E402


def torch_epochs(x, y, hidden, repeats):
    import torch
    torch.manual_seed(0)
    sizes = [784] + hidden
    layers = [torch.nn.Flatten()]
    for a, b in zip(sizes[:-1], sizes[1:]):
        layers += [torch.nn.Linear(a, b), torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers, torch.nn.Linear(sizes[-1], 10))  # softmax is inside the loss
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-7)
    loss_fn = torch.nn.CrossEntropyLoss()
    xt, yt = torch.from_numpy(x), torch.from_numpy(y.astype(np.int64))

    def epoch(n):
        order = torch.randperm(n)
        for s in range(0, n, 32):
            idx = order[s:s + 32]
            xb, yb = xt[idx], yt[idx]
            opt.zero_grad()
            out = model(xb)
            loss = loss_fn(out, yb)
            loss.backward()
            opt.step()
            (out.argmax(1) == yb).sum()  # the accuracy count tinynet and Keras keep

    epoch(64)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        epoch(len(x))
        times.append(time.perf_counter() - start)
    return float(np.median(times)), f"torch {torch.__version__}, {torch.get_num_threads()} threads"


def keras_epochs(x, y, hidden, repeats):
    import keras
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten()]
                             + [keras.layers.Dense(h, activation="relu") for h in hidden]
                             + [keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    times = []

    class Timer(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            times.append(time.perf_counter() - self.start)

    # The first epoch traces and compiles the step function: left out of the median.
    model.fit(x, y, epochs=repeats + 1, batch_size=32, verbose=0, callbacks=[Timer()])
    import tensorflow as tf
    return float(np.median(times[1:])), f"keras {keras.__version__}, tensorflow {tf.__version__}"


def main():
    data, framework, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with np.load(data) as d:
        x, y = d["x"], d["y"]
    run = {"pytorch": torch_epochs, "keras": keras_epochs}[framework]
    result = {}
    for case, (hidden, n) in CASES.items():
        seconds, version = run(x[:n], y[:n], hidden, repeats)
        result[case] = seconds
        result["version"] = version
    print(json.dumps(result))


if __name__ == "__main__":
    main()
