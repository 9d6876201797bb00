"""Training benchmark for tinynet: one epoch, Adam, no validation - the dense
models at batch 32, the convnet at batch 128."""
import os
import subprocess
import sys
import tempfile
import time
import types

import numpy as np

import tinynet
from tinynet.layers import Conv2D, Dense, Dropout, Flatten, Input, MaxPooling2D
from tinynet.models import Sequential

from .models import CONVNET_BATCH


def build(hidden, jit_compile="auto"):
    model = Sequential([Flatten(input_shape=(28, 28))] + [Dense(h, activation="relu") for h in hidden]
                       + [Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                  jit_compile=jit_compile)
    return model


class EpochTimer(tinynet.callbacks.Callback):
    """Seconds from ``on_epoch_begin`` to ``on_epoch_end``: the epoch itself, timed
    as the Keras reference times its epochs. What ``fit`` does once per call -
    tinynet's check of the data for NaN (~5 ms for 60,000 images), Keras' dataset
    adapter - stays outside, in both."""

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds = time.perf_counter() - self.start


def epoch_timer(backend, hidden, x, y, jit_compile="auto"):
    """A function that trains one more epoch of a model on (x, y) with ``backend``
    and returns its seconds (the model is built and warmed up on 64 images here).
    ``jit_compile=False``: the layer-by-layer step even where fit could compile it."""
    tinynet.set_backend(backend)
    tinynet.utils.set_random_seed(0)
    model = build(hidden, jit_compile=jit_compile)
    model.fit(x[:64], y[:64], epochs=1, verbose=0)
    tinynet.set_backend("numba")
    timer = EpochTimer()

    def epoch():
        tinynet.set_backend(backend)
        model.fit(x, y, epochs=1, batch_size=32, verbose=0, callbacks=[timer])
        tinynet.set_backend("numba")
        return timer.seconds
    return epoch


def convnet():
    """Keras' Simple MNIST convnet, compiled as the example compiles it."""
    model = Sequential([Input((28, 28, 1)), Conv2D(32, 3, activation="relu"), MaxPooling2D(2),
                        Conv2D(64, 3, activation="relu"), MaxPooling2D(2), Flatten(), Dropout(0.5),
                        Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def convnet_epoch_timer(x, y):
    """A function that trains the convnet one more epoch on images x (n, 28, 28) and
    labels y (one-hot, as the example) and returns its seconds ('numba' backend;
    the NumPy twins take minutes per epoch here)."""
    tinynet.utils.set_random_seed(0)
    model = convnet()
    x, y = x[..., None], tinynet.utils.to_categorical(y, 10)
    model.fit(x[:256], y[:256], epochs=1, batch_size=CONVNET_BATCH, verbose=0)
    timer = EpochTimer()

    def epoch():
        model.fit(x, y, epochs=1, batch_size=CONVNET_BATCH, verbose=0, callbacks=[timer])
        return timer.seconds
    return epoch


def kernels_only_epoch(x, y, order, model):
    """Seconds for one pass over (x, y) in ``order`` with the seed model's kernels
    called directly - batch gather, forward, loss and its mean, backward, the
    finiteness check, Adam, accuracy - and no layers, loop bookkeeping or
    callbacks: the floor tinynet's Python sits on. It starts from copies of
    ``model``'s weights and Adam state, so both see the same numbers (Adam's m
    fills with denormals as training goes on, and those are slower)."""
    ops = tinynet.kernels.NUMBA
    params = [w.copy() for w in model.get_weights()]
    ms, vs = ([a.copy() for a in kind] for kind in model.optimizer.slots)
    grads = [np.empty_like(p) for p in params]
    buffer = np.empty((32,) + x.shape[1:], np.float32)
    y = y.astype(np.int64)
    w1, b1, w2, b2 = params
    start = time.perf_counter()
    for s in range(0, len(x), 32):
        idx = order[s:s + 32]
        xb = x.take(idx, axis=0, out=buffer[:len(idx)], mode="clip").reshape(len(idx), -1)
        yb = y[idx]
        h = ops.dense_forward(xb, w1, b1, True)
        z = ops.dense_forward(h, w2, b2, False)
        probabilities = ops.softmax(z)
        losses, dz = ops.softmax_crossentropy(z, yb)
        ops.mean(losses)
        dh = ops.dense_backward(h, w2, z, dz, False, True, grads[2], grads[3])
        ops.dense_backward(xb, w1, h, dh, True, False, grads[0], grads[1])
        ops.all_finite(grads[1]), ops.all_finite(grads[3])
        alpha = ops.adam_step_size(1e-3, 0.9, 0.999, s // 32 + 1)
        for p, g, m, v in zip(params, grads, ms, vs):
            ops.adam_update(p, g, m, v, alpha, 0.9, 0.999, 1e-7)
        ops.count_correct(probabilities, yb)
    return time.perf_counter() - start


def step_overhead(x, y, images=19200, pairs=7, jit_compile="auto"):
    """(tinynet fit us/step, kernels-only us/step, median of their differences).

    Each pair runs one epoch of ``fit`` and one kernels-only epoch from the same
    weights, back to back, so that both see the same machine load; the medians
    are over ``pairs``. ``fit``'s once-per-call work (~0.6 ms: checks, set-up, the
    weights' fingerprint) is spread over the steps: at 19,200 images (600 steps)
    it adds ~1 us to each."""
    x, y = x[:images], y[:images]
    model = build([128], jit_compile=jit_compile)
    model.fit(x[:64], y[:64], epochs=1, verbose=0)
    order = np.random.default_rng(0).permutation(len(x))
    kernels_only_epoch(x, y, order, model)
    steps = -(-len(x) // 32)
    fit_times, kernel_times = [], []
    for _ in range(pairs):
        kernel_times.append(kernels_only_epoch(x, y, order, model) / steps * 1e6)
        start = time.perf_counter()
        model.fit(x, y, epochs=1, batch_size=32, verbose=0)
        fit_times.append((time.perf_counter() - start) / steps * 1e6)
    differences = np.subtract(fit_times, kernel_times)
    return float(np.median(fit_times)), float(np.median(kernel_times)), float(np.median(differences))


def compiled_step_gain(x, y, hidden=(128,), images=19200, rounds=7):
    """(us per step of ``fit`` layer by layer, us per step with the compiled step),
    medians over ``rounds``; each round times one epoch of each, back to back, from
    the same starting weights (both paths train to the same bits)."""
    x, y = x[:images], y[:images]
    steps = -(-len(x) // 32)
    models = {}
    for jit in (False, "auto"):
        tinynet.utils.set_random_seed(0)
        models[jit] = build(list(hidden), jit_compile=jit)
        models[jit].fit(x[:64], y[:64], epochs=1, verbose=0)
    times = {False: [], "auto": []}
    for _ in range(rounds):
        for jit, model in models.items():
            start = time.perf_counter()
            model.fit(x, y, epochs=1, batch_size=32, verbose=0)
            times[jit].append((time.perf_counter() - start) / steps * 1e6)
    return float(np.median(times[False])), float(np.median(times["auto"]))


def outside_kernels_step(x, y, images=19200, repeats=5):
    """(us per step that ``fit`` spends outside the kernels, us of it for the batch
    gather alone), measured directly: every
    kernel of the backend is swapped for a Python function that returns arrays of
    the right shape at once, so what remains is the batch gather, the layers, the
    loop's bookkeeping and the checks. (``step_overhead``'s difference also holds
    what that Python costs the kernels: caches it evicts between them.)"""
    x, y = x[:images], y[:images]
    model = build([128], jit_compile=False)  # the stubs replace the layers' kernels
    model.fit(x[:64], y[:64], epochs=1, verbose=0)
    h, z, losses = np.zeros((32, 128), np.float32), np.zeros((32, 10), np.float32), np.zeros(32, np.float32)
    instant = types.SimpleNamespace(
        dense_forward=lambda x, w, b, relu: h if w.shape[1] == 128 else z,
        dense_backward=lambda x, w, y, dy, relu, need_dx, dw, db: h if need_dx else None,
        softmax=lambda z: z, softmax_crossentropy=lambda z, y: (losses, z), mean=lambda v: np.float32(1),
        all_finite=lambda a: True, adam_step_size=lambda *args: 1e-3, adam_update=lambda *args: None,
        count_correct=lambda s, l: 0)
    real, tinynet.backend.ops = tinynet.backend.ops, instant
    try:
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            model.fit(x, y, epochs=1, batch_size=32, verbose=0)
            times.append((time.perf_counter() - start) / -(-len(x) // 32) * 1e6)
    finally:
        tinynet.backend.ops = real
    return float(np.median(times)), gather_step(x)


def gather_step(x, repeats=5):
    """us per step to gather a shuffled batch of 32 images into a reused buffer, as ``fit`` does."""
    buffer = np.empty((32,) + x.shape[1:], np.float32)
    order = np.random.default_rng(1).permutation(len(x))
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for s in range(0, len(x), 32):
            idx = order[s:s + 32]
            x.take(idx, axis=0, out=buffer[:len(idx)], mode="clip")
        times.append((time.perf_counter() - start) / -(-len(x) // 32) * 1e6)
    return float(np.median(times))


FIRST_STEP = """
import time
t0 = time.perf_counter()
import numpy as np, tinynet
from tinynet.layers import Dense, Flatten
from tinynet.models import Sequential
t1 = time.perf_counter()
m = Sequential([Flatten(input_shape=(28, 28)), Dense(128, activation="relu"), Dense(10, activation="softmax")])
m.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
x = np.random.rand(32, 28, 28).astype(np.float32); y = np.arange(32) % 10
t2 = time.perf_counter(); m.train_step(x, y); t3 = time.perf_counter()
print(t1 - t0, t3 - t2)
"""


def first_step_in_new_process(cold=False):
    """(import seconds, first training step seconds) in a fresh Python process:
    with Numba's cache in place the kernels load instead of compiling. ``cold``
    points Numba at an empty cache folder, so the step compiles every kernel it
    needs, as the first run on a new machine or in a fresh clone does."""
    env = dict(os.environ)
    with tempfile.TemporaryDirectory() as empty:
        if cold:
            env["NUMBA_CACHE_DIR"] = empty
        out = subprocess.run([sys.executable, "-c", FIRST_STEP], capture_output=True, text=True,
                             check=True, env=env)
    imported, first = map(float, out.stdout.split())
    return imported, first


class EpochTimes(tinynet.callbacks.Callback):
    """The seconds of every epoch of one fit."""

    def on_train_begin(self, logs=None):
        self.seconds = []

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self.start)


def late_training(x, y, hidden, epochs=22, early=(1, 3)):
    """Epoch times of one long run: the median of epochs early[0]..early[1] and of the
    last three. As training converges, Adam's m and v fill with subnormal floats;
    if they slowed the arithmetic, the late epochs would take longer."""
    tinynet.utils.set_random_seed(0)
    model = build(hidden)
    model.fit(x[:64], y[:64], epochs=1, verbose=0)  # compile the kernels outside the timing
    tinynet.utils.set_random_seed(0)
    model = build(hidden)
    timer = EpochTimes()
    model.fit(x, y, epochs=epochs, batch_size=32, verbose=0, callbacks=[timer])
    first = float(np.median(timer.seconds[early[0] - 1:early[1]]))
    last = float(np.median(timer.seconds[-3:]))
    return {"epochs": epochs, "seconds": timer.seconds, "early_s": first, "late_s": last, "late_over_early": last / first}


def lesson_wall_time(quick):
    """Seconds for ``python3 lessons/02_capacity.py`` (the capacity lesson, the README's
    main job) in a new process, kernels loaded from Numba's cache."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    args = [sys.executable, os.path.join(root, "lessons", "02_capacity.py")] + (["--quick"] if quick else [])
    with tempfile.TemporaryDirectory() as out:
        env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
        start = time.perf_counter()
        subprocess.run(args + ["--out", out], check=True, capture_output=True, env=env)
        return time.perf_counter() - start
