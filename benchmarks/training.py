"""Training benchmark for tinynet: one epoch, batch 32, Adam, no validation."""
import subprocess
import sys
import time

import numpy as np

import tinynet
from tinynet.layers import Dense, Flatten
from tinynet.models import Sequential

from .common import median_time


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


def kernels_only_step(x, y):
    """Seconds per step of the seed model's kernels called directly, with no layers,
    loop or bookkeeping around them: the floor that tinynet's Python sits on."""
    ops = tinynet.kernels.NUMBA
    rng = np.random.default_rng(0)
    w1 = rng.standard_normal((784, 128), dtype=np.float32) * 0.05
    b1, w2, b2 = np.zeros(128, np.float32), rng.standard_normal((128, 10), dtype=np.float32) * 0.1, np.zeros(10, np.float32)
    params = [w1, b1, w2, b2]
    slots = [(np.zeros_like(p), np.zeros_like(p)) for p in params]
    xf = x[:32].reshape(32, -1)
    yb = y[:32].astype(np.int64)

    def step():
        h = ops.dense_forward(xf, w1, b1, True)
        z = ops.dense_forward(h, w2, b2, False)
        ops.softmax(z)
        losses, dz = ops.softmax_crossentropy(z, yb)
        dw2, db2, dh = ops.dense_backward(h, w2, z, dz, False, True)
        dw1, db1, _ = ops.dense_backward(xf, w1, h, dh, True, False)
        for p, g, (m, v) in zip(params, (dw1, db1, dw2, db2), slots):
            ops.adam_update(p, g, m, v, 1e-9, 0.9, 0.999, 1e-7)
        ops.count_correct(z, yb)

    return median_time(step, repeats=7, min_seconds=0.2)


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
