"""Training benchmark for tinynet: one epoch, batch 32, Adam, no validation."""
import subprocess
import sys
import time

import numpy as np

import tinynet
from tinynet.layers import Dense, Flatten
from tinynet.models import Sequential



def build(hidden):
    model = Sequential([Flatten(input_shape=(28, 28))] + [Dense(h, activation="relu") for h in hidden]
                       + [Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def epoch_seconds(backend, hidden, x, y, repeats):
    """Median seconds of one epoch (after a warm-up epoch on 64 images)."""
    tinynet.set_backend(backend)
    tinynet.utils.set_random_seed(0)
    model = build(hidden)
    model.fit(x[:64], y[:64], epochs=1, verbose=0)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        model.fit(x, y, epochs=1, batch_size=32, verbose=0)
        times.append(time.perf_counter() - start)
    tinynet.set_backend("numba")
    return float(np.median(times))


def kernels_only_epoch(x, y, order):
    """Seconds for one pass over (x, y) in ``order`` with the seed model's kernels
    called directly - batch gather, forward, loss and its mean, backward, the
    finiteness check, Adam, accuracy - and
    no layers, loop bookkeeping or callbacks: the floor tinynet's Python sits on."""
    ops = tinynet.kernels.NUMBA
    rng = np.random.default_rng(0)
    w1 = rng.standard_normal((784, 128), dtype=np.float32) * 0.05
    w2 = rng.standard_normal((128, 10), dtype=np.float32) * 0.1
    params = [w1, np.zeros(128, np.float32), w2, np.zeros(10, np.float32)]
    slots = [(np.zeros_like(p), np.zeros_like(p)) for p in params]
    grads = [np.empty_like(p) for p in params]
    buffer = np.empty((32,) + x.shape[1:], np.float32)
    y = y.astype(np.int64)
    start = time.perf_counter()
    for s in range(0, len(x), 32):
        idx = order[s:s + 32]
        xb = x.take(idx, axis=0, out=buffer[:len(idx)], mode="clip").reshape(len(idx), -1)
        yb = y[idx]
        h = ops.dense_forward(xb, w1, params[1], True)
        z = ops.dense_forward(h, w2, params[3], False)
        ops.softmax(z)
        losses, dz = ops.softmax_crossentropy(z, yb)
        ops.mean(losses)
        dh = ops.dense_backward(h, w2, z, dz, False, True, grads[2], grads[3])
        ops.dense_backward(xb, w1, h, dh, True, False, grads[0], grads[1])
        ops.all_finite(grads[1]), ops.all_finite(grads[3])
        for p, g, (m, v) in zip(params, grads, slots):
            ops.adam_update(p, g, m, v, 1e-3, 0.9, 0.999, 1e-7)
        ops.count_correct(z, yb)
    return time.perf_counter() - start


def step_overhead(x, y, images=19200, pairs=5):
    """(tinynet fit us/step, kernels-only us/step), each the median over ``pairs``
    runs taken alternately, so that both see the same machine load. ``fit``'s
    once-per-call work (~0.6 ms: checks, set-up, the weights' fingerprint) is
    spread over the steps; at 19,200 images (600 steps) it adds ~1 us each."""
    x, y = x[:images], y[:images]
    model = build([128])
    model.fit(x[:64], y[:64], epochs=1, verbose=0)
    order = np.random.default_rng(0).permutation(len(x))
    kernels_only_epoch(x, y, order)
    steps = -(-len(x) // 32)
    fit_times, kernel_times = [], []
    for _ in range(pairs):
        start = time.perf_counter()
        model.fit(x, y, epochs=1, batch_size=32, verbose=0)
        fit_times.append((time.perf_counter() - start) / steps * 1e6)
        kernel_times.append(kernels_only_epoch(x, y, order) / steps * 1e6)
    return float(np.median(fit_times)), float(np.median(kernel_times))


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


def first_step_in_new_process():
    """(import seconds, first training step seconds) in a fresh Python process:
    with Numba's cache in place the kernels load instead of compiling."""
    out = subprocess.run([sys.executable, "-c", FIRST_STEP], capture_output=True, text=True, check=True)
    imported, first = map(float, out.stdout.split())
    return imported, first
