"""Run in the reference environment (PyTorch and/or Keras installed): the same
models on the same MNIST arrays - the dense ones at batch 32, the convnet at
batch 128 - Adam, no validation, one epoch at a time on request, so that ``benchmarks/run.py`` can interleave them with
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
from models import CASES, CONVNET, CONVNET_BATCH, CONVNET_IMAGES  # noqa: E402


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


def torch_convnet(x, y):
    import torch
    torch.manual_seed(0)
    nn = torch.nn
    model = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(),
                          nn.MaxPool2d(2), nn.Flatten(), nn.Dropout(0.5), nn.Linear(1600, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-7)
    loss_fn = torch.nn.CrossEntropyLoss()  # softmax inside; class indices, the same loss as one-hot rows
    xt, yt = torch.from_numpy(x[:, None, :, :].copy()), torch.from_numpy(y.astype(np.int64))  # (n, 1, 28, 28)
    model.train()

    def epoch(n=len(x)):
        start = time.perf_counter()
        order = torch.randperm(n)
        for s in range(0, n, CONVNET_BATCH):
            idx = order[s:s + CONVNET_BATCH]
            xb, yb = xt[idx], yt[idx]
            opt.zero_grad()
            out = model(xb)
            loss = loss_fn(out, yb)
            loss.backward()
            opt.step()
            (out.argmax(1) == yb).sum()
        return time.perf_counter() - start

    epoch(256)
    return epoch


def keras_convnet(x, y):
    import keras
    keras.utils.set_random_seed(0)
    layers = keras.layers
    model = keras.Sequential([keras.Input((28, 28, 1)), layers.Conv2D(32, 3, activation="relu"), layers.MaxPooling2D(2),
                              layers.Conv2D(64, 3, activation="relu"), layers.MaxPooling2D(2), layers.Flatten(),
                              layers.Dropout(0.5), layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    x, y = x[..., None], keras.utils.to_categorical(y, 10)
    seconds = []

    class Timer(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            seconds.append(time.perf_counter() - self.start)

    def epoch():
        model.fit(x, y, epochs=1, batch_size=CONVNET_BATCH, verbose=0, callbacks=[Timer()])
        return seconds[-1]

    epoch()  # traces and compiles the step function: not timed
    return epoch


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
    make_convnet = {"pytorch": torch_convnet, "keras": keras_convnet}[framework]
    epochs[CONVNET] = make_convnet(x[:CONVNET_IMAGES], y[:CONVNET_IMAGES])
    print(json.dumps({"ready": version}), flush=True)
    for line in sys.stdin:
        print(json.dumps({"seconds": epochs[line.strip()]()}), flush=True)


if __name__ == "__main__":
    main()
