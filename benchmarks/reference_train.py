"""Run in the reference environment (PyTorch and/or Keras installed): the same
models on the same MNIST arrays, batch 32, Adam, no validation, one epoch at a
time on request, so that ``benchmarks/run.py`` can interleave them with
tinynet's epochs (this machine's speed drifts over minutes: epochs timed side
by side give fair ratios, epochs timed a minute apart do not).

    REFERENCE_PYTHON benchmarks/reference_train.py DATA.npz FRAMEWORK

Builds and warms up one model per case, prints {"ready": version}, then for
each line it reads (a case name) trains that model one more epoch and prints
{"seconds": s}. Ends at end of input.
"""
import json
import sys
import time

import numpy as np

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from models import CASES  # noqa: E402


def torch_runner(x, y, hidden):
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

    def epoch(n=len(x)):
        start = time.perf_counter()
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
        return time.perf_counter() - start

    epoch(64)
    return epoch, f"torch {torch.__version__}, {torch.get_num_threads()} threads"


def keras_runner(x, y, hidden):
    import keras
    import tensorflow as tf
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten()]
                             + [keras.layers.Dense(h, activation="relu") for h in hidden]
                             + [keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    seconds = []

    class Timer(keras.callbacks.Callback):  # the epoch alone, not fit's set-up around it
        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            seconds.append(time.perf_counter() - self.start)

    def epoch():
        model.fit(x, y, epochs=1, batch_size=32, verbose=0, callbacks=[Timer()])
        return seconds[-1]

    epoch()  # the first epoch traces and compiles the step function: not timed
    return epoch, f"keras {keras.__version__}, tensorflow {tf.__version__}"


def main():
    data, framework = sys.argv[1], sys.argv[2]
    with np.load(data) as d:
        x, y = d["x"], d["y"]
    make = {"pytorch": torch_runner, "keras": keras_runner}[framework]
    epochs = {}
    for case, (hidden, n) in CASES.items():
        epochs[case], version = make(x[:n], y[:n], hidden)
    print(json.dumps({"ready": version}), flush=True)
    for line in sys.stdin:
        print(json.dumps({"seconds": epochs[line.strip()]()}), flush=True)


if __name__ == "__main__":
    main()
