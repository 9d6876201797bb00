"""Kernel benchmark: each product of a Dense layer in Numba vs its NumPy twin (BLAS)
vs a naive triple loop, plus the fused Dense, cross-entropy and Adam kernels."""
import time

import numpy as np
from numba import njit

from tinynet.datasets import mnist
from tinynet.kernels import NUMBA, NUMPY
from tinynet.kernels.matmul import matmul_naive

from .common import median_time

SEED_LAYERS = [(784, 128), (128, 10)]
OVERFIT_LAYERS = [(784, 512), (512, 512), (512, 256), (256, 128), (128, 10)]


# Seconds to wait after BLAS before timing Numba (OpenBLAS's idle threads spin
# for ~0.1 s by default before they sleep).
BLAS_SPIN_PAUSE = 0.3

naive_matmul = njit(cache=True)(matmul_naive)  # the textbook triple loop, compiled


def sgemm_peak(size=2048, repeats=3):
    """This machine's sgemm rate in GFLOP/s: a large NumPy (BLAS) matmul."""
    a = np.random.default_rng(0).standard_normal((size, size), dtype=np.float32)
    return 2 * size**3 / median_time(lambda: a @ a, repeats=repeats, min_seconds=0.2) / 1e9


def compare(numba_fn, numpy_fn, repeats, rounds):
    """Seconds per call of both, in ``rounds`` rounds that each pause, then time
    each function in a block of repeats (median): {"numba", "numpy"} as the
    median over the rounds, "ratio" (NumPy's time over Numba's: the speed-up) as
    the median of the rounds' ratios, and "rounds", each round's ratio.

    Not call by call, and not without the pause: OpenBLAS's threads spin on for a
    while after each call - the NumPy block, or any NumPy product made before -
    and Numba's threads then fight them for the two cores (2026-11-25: the fused
    Dense forward measured 6.4 ms instead of ~37 us; 2026-11-26, timed right
    after a NumPy block, 6.5 ms instead of ~50 us)."""
    pairs = []
    for _ in range(rounds):
        time.sleep(BLAS_SPIN_PAUSE)
        pairs.append((median_time(numba_fn, repeats), median_time(numpy_fn, repeats)))
    ratios = [t_numpy / t_numba for t_numba, t_numpy in pairs]
    t_numba, t_numpy = np.median(pairs, axis=0)
    return {"numba": float(t_numba), "numpy": float(t_numpy), "ratio": float(np.median(ratios)), "rounds": ratios}


def products(batch, fan_in, fan_out, repeats, rounds=3, naive=True):
    """Rows for the three products of one Dense layer (fan_in -> fan_out). The
    machine's speed drifts, so Numba and BLAS are timed in rounds (``compare``).
    ``naive=False`` leaves out the slow textbook loop."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, fan_in), dtype=np.float32)
    w = rng.standard_normal((fan_in, fan_out), dtype=np.float32)
    dy = rng.standard_normal((batch, fan_out), dtype=np.float32)
    cases = [
        ("X @ W", (batch, fan_in, fan_out), lambda: NUMBA.matmul(x, w), lambda: NUMPY.matmul(x, w),
         lambda: naive_matmul(x, w)),
        ("X.T @ dY", (fan_in, batch, fan_out), lambda: NUMBA.matmul_tn(x, dy),
         lambda: NUMPY.matmul_tn(x, dy), lambda: naive_matmul(np.ascontiguousarray(x.T), dy)),
        ("dY @ W.T", (batch, fan_out, fan_in), lambda: NUMBA.matmul_nt(dy, w),
         lambda: NUMPY.matmul_nt(dy, w), lambda: naive_matmul(dy, np.ascontiguousarray(w.T))),
    ]
    rows = []
    for name, (m, k, n), fast, blas, slow in cases:
        flops = 2 * m * k * n
        t = compare(fast, blas, repeats, rounds)
        t_naive = median_time(slow, max(1, repeats // 2)) if naive else float("nan")
        rows.append({"product": name, "shape": f"{m}x{k}x{n}", "numba_us": t["numba"] * 1e6,
                     "numpy_us": t["numpy"] * 1e6, "naive_us": t_naive * 1e6,
                     "numba_gflops": flops / t["numba"] / 1e9, "numpy_gflops": flops / t["numpy"] / 1e9,
                     "numba_vs_numpy": t["ratio"], "rounds": t["rounds"]})
    return rows


def fused(repeats, rounds=3):
    """The fused kernels against the NumPy they replace, at the seed model's sizes,
    on random data (and the Dense forward also on MNIST images)."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((32, 784), dtype=np.float32)
    w = rng.standard_normal((784, 128), dtype=np.float32) * 0.05
    b = np.zeros(128, np.float32)
    # 32 shuffled MNIST images as the first layer sees them: 81% of the pixels are
    # background, and the blocked kernels skip 4x4 blocks of zeros (BLAS does not).
    (images, _), _ = mnist.load_data()
    x_mnist = images[rng.permutation(len(images))[:32]].reshape(32, 784).astype(np.float32) / 255
    y = NUMPY.dense_forward(x, w, b, True)
    dw, db = np.empty_like(w), np.empty_like(b)
    dy = rng.standard_normal((32, 128), dtype=np.float32)
    logits = rng.standard_normal((32, 10), dtype=np.float32)
    labels = rng.integers(0, 10, 32)
    n_params = 101_770
    p, g = (rng.standard_normal(n_params, dtype=np.float32) for _ in range(2))
    m, v = np.zeros(n_params, np.float32), np.full(n_params, 1e-4, np.float32)
    cases = [
        ("Dense forward + bias + ReLU (32x784 -> 128)", lambda: NUMBA.dense_forward(x, w, b, True),
         lambda: np.maximum(x @ w + b, 0)),
        ("the same on a batch of MNIST images", lambda: NUMBA.dense_forward(x_mnist, w, b, True),
         lambda: np.maximum(x_mnist @ w + b, 0)),
        ("Dense backward, ReLU, no dX (32x784 -> 128)",
         lambda: NUMBA.dense_backward(x, w, y, dy, True, False, dw, db),
         lambda: NUMPY.dense_backward(x, w, y, dy, True, False, dw, db)),
        ("softmax + cross-entropy, fwd+bwd (32x10)", lambda: NUMBA.softmax_crossentropy(logits, labels),
         lambda: NUMPY.softmax_crossentropy(logits, labels)),
        ("count correct (32x10)", lambda: NUMBA.count_correct(logits, labels),
         lambda: NUMPY.count_correct(logits, labels)),
        ("Adam update, 101,770 parameters", lambda: NUMBA.adam_update(p, g, m, v, 1e-9, 0.9, 0.999, 1e-7),
         lambda: NUMPY.adam_update(p, g, m, v, 1e-9, 0.9, 0.999, 1e-7)),
    ]
    rows = []
    for name, fast, slow in cases:
        t = compare(fast, slow, repeats, rounds)
        rows.append({"kernel": name, "numba_us": t["numba"] * 1e6, "numpy_us": t["numpy"] * 1e6,
                     "numba_vs_numpy": t["ratio"], "rounds": t["rounds"]})
    return rows
