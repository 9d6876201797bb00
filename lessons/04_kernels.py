# %% [markdown]
# # Lesson 4: from a triple loop to a fast kernel
#
# A Dense layer's forward pass is a matrix product, Y = X W: for the seed model,
# X is 32 x 784 (a batch of images) and W is 784 x 128, about 3.2 million
# multiply-adds. This lesson times four ways to compute it:
#
# 1. the textbook triple loop in plain Python;
# 2. the same loop compiled by Numba - no longer interpreted, but still in an
#    order that reads W down its columns, one value at a time;
# 3. tinynet's kernel (`tinynet.kernels.matmul`), which
#    * **blocks**: loads a 4 x 4 block of X into registers and reuses every value
#      loaded from W four times,
#    * **vectorises**: its innermost loop walks along contiguous rows, so the CPU
#      handles 8 floats per instruction (AVX2), or 16 on a CPU with AVX-512,
#    * **threads**: big products are split by rows over the cores;
#    * **skips zeros**: a 4 x 4 block of X that is all zero adds nothing, and MNIST
#      images are mostly background, so about half the first layer's blocks are
#      skipped (on the random matrices below it saves nothing);
# 4. NumPy's `@`, which calls OpenBLAS, decades of tuning in assembly.
#
# Then **fusion**: the Dense forward adds the bias and applies ReLU while the
# output is still in cache, instead of three passes over memory. (During
# training it also splits its inputs, not its rows, between the cores, so that
# each core keeps to its own half of W, of its gradient and of Adam's m and v,
# and they stay in that core's cache: `tinynet/kernels/dense.py` says why.)
#
# Last, a detour into numbers too small to be fast - subnormal floats - and how
# tinynet's optimizers keep them out of training.

# %%
QUICK = False  # True: tiny settings that run in seconds, as --quick or TINYNET_QUICK=1 do

# %%
import time

import numba
import numpy as np
from lesson_kit import Lesson, plt

from tinynet.kernels import NUMBA, NUMPY
from tinynet.kernels.matmul import matmul_naive

lesson = Lesson("04_kernels", "From a triple loop to a fast kernel",
                defaults={"repeats": 5}, quick={"repeats": 1})


python_matmul = matmul_naive  # the textbook loop: read it in tinynet/kernels/matmul.py
numba_naive = numba.njit(matmul_naive)


def timed(fn, repeats):
    fn()  # the first call compiles (Numba) or warms caches
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


rng = np.random.default_rng(lesson.seed)
x = rng.standard_normal((32, 784), dtype=np.float32)
w = rng.standard_normal((784, 128), dtype=np.float32) * 0.05
b = np.zeros(128, np.float32)
flops = 2 * 32 * 784 * 128

# %% [markdown]
# Pure Python is far too slow for the full product; it gets a slice of it (8 of the
# 32 rows) and its time is scaled up to the whole.

# %%
rows = 2 if lesson.quick else 8
results = {
    "Python triple loop": timed(lambda: python_matmul(x[:rows], w), 1) * 32 / rows,
    "Numba triple loop": timed(lambda: numba_naive(x, w), lesson.repeats),
    "tinynet kernel": timed(lambda: NUMBA.matmul(x, w), lesson.repeats * 20),
    "NumPy / BLAS": timed(lambda: NUMPY.matmul(x, w), lesson.repeats * 20),
}
assert np.allclose(NUMBA.matmul(x, w), x @ w, atol=1e-3)
for name, seconds in results.items():
    print(f"{name:20} {seconds * 1e6:12.1f} us   {flops / seconds / 1e9:8.2f} GFLOP/s")

# %% [markdown]
# ## Fusion
# `x @ w + b` then `np.maximum(., 0)` writes the 32 x 128 output three times and
# allocates twice; tinynet's `dense_forward` writes it once.

# %%
fused = timed(lambda: NUMBA.dense_forward(x, w, b, True), lesson.repeats * 20)
unfused = timed(lambda: np.maximum(x @ w + b, 0), lesson.repeats * 20)
print(f"NumPy: matmul, + bias, ReLU    {unfused * 1e6:8.1f} us")
print(f"tinynet fused dense_forward    {fused * 1e6:8.1f} us")

# %%
fig, ax = plt.subplots(figsize=(9, 4.5))
names = list(results) + ["tinynet fused Dense"]
values = [v * 1e6 for v in results.values()] + [fused * 1e6]
bars = ax.barh(names, values, color=["tab:gray", "tab:orange", "tab:green", "tab:blue", "tab:olive"])
ax.set_xscale("log")
ax.set_xlabel("microseconds for 32 x 784 x 128 (log scale, lower is better)")
ax.set_title("One Dense forward pass, four ways")
for bar, value in zip(bars, values):
    ax.text(value * 1.1, bar.get_y() + bar.get_height() / 2, f"{value:,.0f} us", va="center", fontsize=9)
ax.set_xlim(right=max(values) * 8)
fig.tight_layout()
lesson.save(fig, "kernels.png")

# %% [markdown]
# ## Numbers too small to be fast: subnormal floats
#
# A float32 is a sign, an 8-bit exponent and a 23-bit fraction with an implicit
# leading 1. Its smallest *normal* value is 2^-126, about 1.2e-38
# (`np.finfo(np.float32).tiny`). Below it, down to 1.4e-45, the format has
# *subnormal* numbers: the exponent stays at its minimum and the leading 1 is
# dropped, so values fade out to 0 gradually instead of jumping there. Many CPUs
# handle them outside their fast floating-point circuits (a "microcode assist"),
# and how much that costs depends on the CPU and on the operation. The cell
# below times the same NumPy operations on an array of ordinary numbers and on an
# array of subnormal ones, and prints the ratio this CPU gives.

# %%
tiny = np.finfo(np.float32).tiny
n = 250_000 if lesson.quick else 1_000_000
ordinary = np.full(n, 1e-3, np.float32)
subnormal = np.full(n, 1e-39, np.float32)
out = np.empty(n, np.float32)
print(f"smallest normal float32: {tiny:.4g}; 1e-39 is {'below' if subnormal[0] < tiny else 'above'} it\n")
operations = {
    "multiply by 0.9": lambda a: np.multiply(a, np.float32(0.9), out=out),
    "divide by 0.9": lambda a: np.divide(a, np.float32(0.9), out=out),
    "square root": lambda a: np.sqrt(a, out=out),
}
ratios = {}
for name, operation in operations.items():
    fast = timed(lambda: operation(ordinary), lesson.repeats * 4)
    slow = timed(lambda: operation(subnormal), lesson.repeats * 4)
    ratios[name] = slow / fast
    print(f"{name:16} ordinary {fast * 1e6:8.1f} us   subnormal {slow * 1e6:8.1f} us   {slow / fast:5.2f}x")
worst = max(ratios, key=ratios.get)
print(f"\nOn this CPU, '{worst}' took {ratios[worst]:.2f}x as long on subnormal numbers as on ordinary ones.")

# %% [markdown]
# ### Where training makes them, and what tinynet does about it
#
# Adam keeps a running mean m of each weight's gradient. Once a gradient is
# exactly 0 for good - a ReLU unit that never fires again, a pixel that is blank
# in every image - m shrinks by beta_1 = 0.9 at every step, and after several
# hundred steps (the cell works out how many) it is subnormal; from then on every
# step computes with it. So
# tinynet's optimizer kernels store any slot value smaller than `tiny` as exactly
# 0 (`flush` in `tinynet/kernels/optim.py`). The weight does not notice: the step
# it loses is far below the rounding of the weight itself. And the result is the
# same on every CPU, unlike the CPU's own flush-to-zero switch, which some CPUs
# lack and which would change the results of all other code in the program.

# %%
steps = np.log(1e-3 / tiny) / np.log(1 / 0.9)
print(f"m = 1e-3 times 0.9 per step passes below {tiny:.3g} after {steps:.0f} steps")
p, g = np.ones(3, np.float32), np.zeros(3, np.float32)
m, v = np.full(3, 1.05 * tiny, np.float32), np.full(3, 1e-6, np.float32)
print(f"m before one Adam step with a zero gradient: {m[0]:.4g}")
unflushed = m[0] + (g[0] - m[0]) * np.float32(1 - 0.9)  # Adam's update of m, without the flush
print(f"m + (g - m) * (1 - beta_1) = {unflushed:.4g}: {'subnormal' if unflushed < tiny else 'normal'}")
NUMBA.adam_update(p, g, m, v, 1e-3, 0.9, 0.999, 1e-7)
print(f"m after the step, as tinynet's kernel stores it: {m[0]}")
lesson.finish()
