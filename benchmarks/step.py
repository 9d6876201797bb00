"""Where a seed-model training step goes, and its floor.

    python3 -m benchmarks.step          # Numba's threads: NUMBA_NUM_THREADS, or all cores

Prints, for the seed model (784 -> 128 relu -> 10 softmax, Adam, batch 32) on
19,200 MNIST images, medians of repeats in microseconds per step:

* every kernel timed in place, inside a loop that trains like ``fit``;
* the paths, timed back to back in rounds: ``fit`` layer by layer
  (``jit_compile=False``), ``fit`` with its compiled step, the compiled step
  called alone, the same kernels called one by one from Python
  (``training.kernels_only_epoch``), and ``fit`` with the step replaced by a stub
  (the loop, the running means, the callbacks' checks);
* the floor: the step's multiply-adds at the sgemm rate of NumPy's BLAS
  (2048^3, on as many threads, in a process of its own: OpenBLAS's threads spin
  after a call and would slow the Numba kernels), plus Adam's memory traffic
  (read p, g, m, v; write p, m, v) at the rate a loop that does only that traffic
  reaches on arrays of Adam's size; and, apart, the time of Adam's square root
  and division alone.
"""
import os
import subprocess
import sys
import time

import numba
import numpy as np

import tinynet
from tinynet.kernels import NUMBA as ops
from tinynet.models import compiled_step

from . import training

FLOPS = 2 * 32 * (784 * 128 * 2 + 128 * 10 * 3)  # forward and dW of both layers, dX of the second
PARAMS = 784 * 128 + 128 + 128 * 10 + 10

SGEMM = "import numpy as np, time; a = np.ones((2048, 2048), np.float32); a @ a; t = []\n" \
        "for _ in range(5):\n    s = time.perf_counter(); a @ a; t.append(time.perf_counter() - s)\n" \
        "print(2 * 2048 ** 3 / sorted(t)[2] / 1e9)"


def sgemm_gflops(threads):
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads))
    out = subprocess.run([sys.executable, "-c", SGEMM], capture_output=True, text=True, check=True, env=env)
    return float(out.stdout)


@numba.njit(error_model="numpy")
def _traffic(p, g, m, v):
    for i in range(p.shape[0]):
        gi = g[i]
        m[i] = m[i] * np.float32(0.5) + gi
        v[i] = v[i] * np.float32(0.5) + gi
        p[i] = p[i] * np.float32(0.5) + gi


@numba.njit(error_model="numpy")
def _root_and_division(p, m, v):
    for i in range(p.shape[0]):
        p[i] = m[i] / (np.sqrt(v[i]) + np.float32(1e-7))


@numba.njit(parallel=True)
def _in_pieces(kernel_id, p, g, m, v):
    """The loops above on 8 pieces shared among the threads, as Adam's kernel does."""
    for t in numba.prange(8):
        lo, hi = t * p.shape[0] // 8, (t + 1) * p.shape[0] // 8
        if kernel_id == 0:
            _traffic(p[lo:hi], g[lo:hi], m[lo:hi], v[lo:hi])
        else:
            _root_and_division(p[lo:hi], m[lo:hi], v[lo:hi])


def adam_bounds(repeats=200):
    """(us for Adam's memory traffic, us for its square roots and divisions), arrays hot in cache."""
    p, g, m, v = (np.random.default_rng(i).random(PARAMS, dtype=np.float32) for i in range(4))
    result = []
    for kernel_id in (0, 1):
        _in_pieces(kernel_id, p, g, m, v)
        times = []
        for _ in range(7):
            start = time.perf_counter()
            for _ in range(repeats):
                _in_pieces(kernel_id, p, g, m, v)
            times.append((time.perf_counter() - start) / repeats * 1e6)
        result.append(float(np.median(times)))
    return tuple(result)


NAMES = ["batch gather", "784->128 forward", "128->10 forward", "softmax", "loss and dz", "batch mean",
         "128->10 backward", "784->128 backward", "finiteness checks", "Adam step size", "Adam 784x128",
         "Adam bias 128", "Adam 128x10", "Adam bias 10", "count correct"]


def in_place(x, y, model, order, epochs=3):
    """Median us of each kernel of a step, timed inside a loop that trains like fit."""
    params = [w.copy() for w in model.get_weights()]
    ms, vs = ([a.copy() for a in kind] for kind in model.optimizer.slots)
    grads = [np.empty_like(p) for p in params]
    buffer = np.empty((32,) + x.shape[1:], np.float32)
    w1, b1, w2, b2 = params
    clock, rows = time.perf_counter_ns, []
    for _ in range(epochs):
        for step, s in enumerate(range(0, len(x) - 31, 32)):
            t = [clock()]
            idx = order[s:s + 32]
            xb = x.take(idx, axis=0, out=buffer, mode="clip").reshape(32, -1)
            yb = y[idx]
            t.append(clock())
            h = ops.dense_forward(xb, w1, b1, True); t.append(clock())
            z = ops.dense_forward(h, w2, b2, False); t.append(clock())
            p = ops.softmax(z); t.append(clock())
            losses, dz = ops.softmax_crossentropy(z, yb); t.append(clock())
            ops.mean(losses); t.append(clock())
            dh = ops.dense_backward(h, w2, p, dz, False, True, grads[2], grads[3]); t.append(clock())
            ops.dense_backward(xb, w1, h, dh, True, False, grads[0], grads[1]); t.append(clock())
            ops.all_finite(grads[1]), ops.all_finite(grads[3]); t.append(clock())
            alpha = float(ops.adam_step_size(np.float32(1e-3), 0.9, 0.999, step + 1)); t.append(clock())
            for a, g, m, v in zip(params, grads, ms, vs):
                ops.adam_update(a, g, m, v, alpha, 0.9, 0.999, 1e-7); t.append(clock())
            ops.count_correct(p, yb); t.append(clock())
            rows.append(np.diff(t) / 1000)
    return dict(zip(NAMES, np.median(rows, axis=0)))


def paths(x, y, rounds=5):
    """Median us per step of each way through an epoch (see the module docstring)."""
    steps = len(x) // 32
    models = {}
    for jit in (False, "auto"):
        tinynet.utils.set_random_seed(0)
        models[jit] = training.build([128], jit_compile=jit)
        models[jit].fit(x[:64], y[:64], epochs=1, verbose=0)
    order = np.random.default_rng(0).permutation(len(x))
    labels = y.astype(np.int64)

    def fit(model):
        start = time.perf_counter()
        model.fit(x, y, epochs=1, batch_size=32, verbose=0)
        return (time.perf_counter() - start) / steps * 1e6

    def step_alone():
        step = compiled_step.for_fit(models["auto"], x, None)
        start = time.perf_counter()
        for s in range(0, len(x), 32):
            step(order, s, s + 32, labels, labels)
        return (time.perf_counter() - start) / steps * 1e6

    def stubbed():
        real = compiled_step.CompiledStep.__call__
        compiled_step.CompiledStep.__call__ = lambda self, *args: (np.float32(0.5), 20, True)
        try:
            return fit(models["auto"])
        finally:
            compiled_step.CompiledStep.__call__ = real

    runs = {"fit, layer by layer": lambda: fit(models[False]), "fit, compiled step": lambda: fit(models["auto"]),
            "the compiled step alone": step_alone,
            "its kernels called from Python": lambda: training.kernels_only_epoch(x, labels, order, models["auto"])
            / steps * 1e6,
            "fit around a stub step": stubbed}
    times = {name: [] for name in runs}
    for _ in range(rounds):
        for name, run in runs.items():
            times[name].append(run())
    return {name: float(np.median(t)) for name, t in times.items()}, models["auto"], order


def main():
    (x, y), _ = tinynet.datasets.mnist.load_data()
    x, y = x[:19200].astype(np.float32) / 255, y[:19200]
    threads = numba.get_num_threads()
    gflops = sgemm_gflops(threads)
    traffic, divider = adam_bounds()
    floor = FLOPS / gflops / 1e3 + traffic
    times, model, order = paths(x, y)
    kernels = in_place(x, y.astype(np.int64), model, order)
    print(f"{threads} thread(s); sgemm {gflops:.0f} GFLOP/s; {FLOPS / 1e6:.2f} MFLOP per step -> "
          f"{FLOPS / gflops / 1e3:.1f} us; Adam's traffic {traffic:.1f} us "
          f"({7 * 4 * PARAMS / traffic / 1e3:.0f} GB/s); floor {floor:.1f} us; "
          f"Adam's roots and divisions alone {divider:.1f} us")
    for name, us in times.items():
        print(f"  {name:32s} {us:7.1f} us  ({us / floor:.2f}x the floor)")
    for name, us in kernels.items():
        print(f"    {name:30s} {us:7.1f} us")
    print(f"    {'sum of the kernels in place':30s} {sum(kernels.values()):7.1f} us")


if __name__ == "__main__":
    main()
