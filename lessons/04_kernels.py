# %% [markdown]
# # Lesson 4: from a triple loop to a fast kernel
#
# A Dense layer's forward pass is a matrix product, $Y = XW$: for the seed model,
# $X$ is 32 x 784 (a batch of images) and $W$ is 784 x 128, about 3.2 million
# multiply-adds. This lesson times four ways to compute it:
#
# 1. the textbook triple loop in plain Python;
# 2. the same loop compiled by Numba - no longer interpreted, but still in an
#    order that reads $W$ down its columns, one value at a time;
# 3. tinynet's kernel (`tinynet.kernels.matmul`), which
#    * **blocks**: loads a 4 x 4 block of $X$ into registers and reuses every value
#      loaded from $W$ four times,
#    * **vectorises**: its innermost loop walks along contiguous rows, so the CPU
#      handles a whole vector register of floats per instruction (the cell below
#      prints how many this CPU holds),
#    * **threads**: big products are split by rows over the cores,
#    * **skips zeros**: a 4 x 4 block of $X$ that is all zero adds nothing;
# 4. NumPy's `@`, which calls OpenBLAS, decades of tuning in assembly.
#
# Then each claim that can be measured on its own is measured on its own: what
# threads change, what skipping zeros changes on real MNIST images, and what
# **fusion** - adding the bias and applying ReLU inside the product's loop
# instead of in separate passes over memory - changes, each compared like with
# like. Timings on a machine shared with other programs move from run to run,
# so each comparison times its two sides in alternating pairs and says "no
# measurable difference" unless three pairs in four agree on one side, by more
# than 5%.
#
# Last, a detour into numbers too small to be fast - subnormal floats - and how
# tinynet's optimizers keep them out of training.

# %%
QUICK = False  # True: tiny settings, as --quick or TINYNET_QUICK=1: seconds once Numba has compiled the kernels

# %%
from lesson_kit import Lesson, plt  # first: it sets NumPy's threads before NumPy loads
import time

import numba
import numpy as np
from llvmlite import binding as llvm

import tinynet
from tinynet.datasets import mnist
from tinynet.kernels import NUMBA, NUMPY
from tinynet.kernels.matmul import matmul_naive

lesson = Lesson("04_kernels", "From a triple loop to a fast kernel",
                defaults={"repeats": 5}, quick={"repeats": 1})

features = llvm.get_host_cpu_features()
width = 16 if features.get("avx512f") else 8 if features.get("avx2") else 4
print(f"this CPU: {llvm.get_host_cpu_name()}, AVX2 {'yes' if features.get('avx2') else 'no'}, "
      f"AVX-512 {'yes' if features.get('avx512f') else 'no'}: {width} float32 per vector register")

python_matmul = matmul_naive  # the textbook loop: read it in tinynet/kernels/matmul.py
numba_naive = numba.njit(cache=True)(matmul_naive)  # compiled once, then loaded from Numba's cache


def timed(fn, repeats):
    """Median seconds of ``repeats`` calls, after one call that compiles (Numba) or
    warms caches."""
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def race(fa, fb, repeats, calls=10):
    """Time ``fa`` and ``fb`` in alternation, ``calls`` calls per timing, ``repeats``
    pairs: a change in the machine's load then hits both alike. Returns the medians
    (seconds per call) and the 25th and 75th percentiles of the paired ratios b / a."""
    fa(), fb()
    ta, tb = [], []
    for _ in range(repeats):
        for fn, times in ((fa, ta), (fb, tb)):
            start = time.perf_counter()
            for _ in range(calls):
                fn()
            times.append((time.perf_counter() - start) / calls)
    ratios = np.array(tb) / np.array(ta)
    return float(np.median(ta)), float(np.median(tb)), *np.percentile(ratios, [25, 75])


def compare(what, a_name, fa, b_name, fb, repeats):
    """A sentence on which of two functions is faster, saying only what the paired
    timings allow: a difference counts when at least 3 pairs in 4 agree on it, by
    more than 5%."""
    ta, tb, low, high = race(fa, fb, repeats)
    line = f"{what}: {a_name} {ta * 1e6:.1f} us, {b_name} {tb * 1e6:.1f} us (medians)"
    if low > 1.05:
        return line + f" - faster: {a_name}; {b_name} took {low:.2f}-{high:.2f}x as long in the middle half of the pairs."
    if high < 1 / 1.05:
        return line + f" - faster: {b_name}; {a_name} took {1 / high:.2f}-{1 / low:.2f}x as long in the middle half of the pairs."
    return line + f" - no measurable difference (the middle half of the pairs: {low:.2f}-{high:.2f}x)."


rng = np.random.default_rng(lesson.seed)
x = rng.standard_normal((32, 784), dtype=np.float32)
w = rng.standard_normal((784, 128), dtype=np.float32) * 0.05
b = rng.standard_normal(128, dtype=np.float32) * 0.1
flops = 2 * 32 * 784 * 128
many = lesson.repeats * 40
pairs = lesson.repeats * 8

# %% [markdown]
# ## Four ways to multiply, one thread each
# Like with like: every way runs on one thread here, as does everything else in
# this lesson except the next section, which measures what tinynet's threads add
# (BLAS gets one thread in every lesson; see `lesson_kit.py`). Pure Python is far too slow for the full product; it gets a slice
# of it (8 of the 32 rows, 2 in quick mode) and its time is scaled up to the whole.

# %%
threads = numba.config.NUMBA_NUM_THREADS  # how many this process may use
tinynet.set_num_threads(1)  # until the end of the lesson, but for the threads section
rows = 2 if lesson.quick else 8
results = {
    "Python triple loop": timed(lambda: python_matmul(x[:rows], w), 1) * 32 / rows,
    "Numba triple loop": timed(lambda: numba_naive(x, w), lesson.repeats),
    "tinynet kernel": timed(lambda: NUMBA.matmul(x, w), many),
    "NumPy / BLAS": timed(lambda: NUMPY.matmul(x, w), many),
}
assert np.allclose(NUMBA.matmul(x, w), x @ w, atol=1e-3)
for name, seconds in results.items():
    print(f"{name:20} {seconds * 1e6:12.1f} us   {flops / seconds / 1e9:8.2f} GFLOP/s")
print(f"\nCompiling the same loop made it {results['Python triple loop'] / results['Numba triple loop']:.0f}x "
      f"as fast; blocking and vectorising {results['Numba triple loop'] / results['tinynet kernel']:.1f}x "
      f"more. tinynet's kernel took {results['tinynet kernel'] / results['NumPy / BLAS']:.2f}x as long as BLAS "
      "(single timings: the sections below compare more carefully).")

# %%
fig, ax = plt.subplots(figsize=(9, 4))
values = [v * 1e6 for v in results.values()]
bars = ax.barh(list(results), values, color=["tab:gray", "tab:orange", "tab:green", "tab:blue"])
ax.set_xscale("log")
ax.set_xlabel("microseconds for 32 x 784 x 128 (log scale, lower is better)")
ax.set_title("One Dense forward product, four ways, one thread each")
for bar, value in zip(bars, values):
    ax.text(value * 1.1, bar.get_y() + bar.get_height() / 2, f"{value:,.0f} us", va="center", fontsize=9)
ax.set_xlim(right=max(values) * 8)
fig.tight_layout()
lesson.save(fig, "kernels.png")

# %% [markdown]
# ## Threads
# The product above is big enough for tinynet to cut it into row pieces. Here the
# same call runs once with one thread and once with every thread this process may
# use (`NUMBA_NUM_THREADS`; the results are the same bits either way). On a
# machine busy with other programs, threads that wait for a core can make the
# product slower instead of faster: the measurement says which happened here.

# %%
if threads > 1:
    def with_threads(count):
        def run():
            tinynet.set_num_threads(count)
            return NUMBA.matmul(x, w)
        return run

    print(compare("tinynet kernel", f"{threads} threads", with_threads(threads), "1 thread", with_threads(1), pairs))
    tinynet.set_num_threads(1)
else:
    print("This process may use only one thread (NUMBA_NUM_THREADS=1), so there is nothing to compare.")

# %% [markdown]
# ## Skipping zero blocks, on real images
# MNIST images are mostly background. The first layer's product on a batch of 32
# normalised images is timed twice: as it is, and with every 0 pixel replaced by
# 0.001 - the same amount of arithmetic, but no block left to skip.

# %%
(images, _), _ = mnist.load_data()
real = (images[:32].reshape(32, -1) / np.float32(255)).astype(np.float32)
no_zeros = np.where(real == 0, np.float32(1e-3), real)
blocks = real.reshape(8, 4, 196, 4).transpose(0, 2, 1, 3).reshape(8, 196, 16)
print(f"pixels that are 0: {np.mean(real == 0):.0%}; 4 x 4 blocks of X that are all 0: "
      f"{np.mean(~blocks.any(axis=2)):.0%}")
print(compare("tinynet kernel on MNIST", "with zeros", lambda: NUMBA.matmul(real, w),
              "zeros replaced", lambda: NUMBA.matmul(no_zeros, w), pairs))
print(compare("BLAS on MNIST (never skips)", "with zeros", lambda: NUMPY.matmul(real, w),
              "zeros replaced", lambda: NUMPY.matmul(no_zeros, w), pairs))

# %% [markdown]
# ## Fusion, like with like
# A Dense layer computes $\mathrm{relu}(XW + b)$. Unfused, that is the product,
# then a pass that adds $b$ and another that takes the maximum with 0. Fused,
# the bias is where each output row starts and ReLU is applied while the row is
# still in cache. What fusion removes is the cost of the two extra passes, so
# each engine is compared with itself: tinynet's product + NumPy's two passes
# against tinynet's fused `dense_forward`, and BLAS's product alone against
# BLAS's product + the two passes.

# %%
def unfused_tinynet():
    y = NUMBA.matmul(x, w)
    y += b
    return np.maximum(y, 0, out=y)


def unfused_blas():
    y = x @ w
    y += b
    return np.maximum(y, 0, out=y)


assert np.allclose(NUMBA.dense_forward(x, w, b, True), unfused_blas(), atol=1e-3)
print(compare("tinynet", "fused dense_forward", lambda: NUMBA.dense_forward(x, w, b, True),
              "product, + b, ReLU", unfused_tinynet, pairs))
print(compare("tinynet", "product alone", lambda: NUMBA.matmul(x, w),
              "fused dense_forward", lambda: NUMBA.dense_forward(x, w, b, True), pairs))
print(compare("BLAS", "product alone", lambda: x @ w, "product, + b, ReLU", unfused_blas, pairs))

# %% [markdown]
# ## Numbers too small to be fast: subnormal floats
#
# A float32 is a sign, an 8-bit exponent and a 23-bit fraction with an implicit
# leading 1. Its smallest *normal* value is $2^{-126}$, about $1.2 \times 10^{-38}$
# (`np.finfo(np.float32).tiny`). Below it, down to $1.4 \times 10^{-45}$, the
# format has *subnormal* numbers: the exponent stays at its minimum and the
# leading 1 is dropped, so values fade out to 0 gradually instead of jumping
# there. Many CPUs handle them outside their fast floating-point circuits (a
# "microcode assist"), and how much that costs depends on the CPU and on the
# operation. The cell below times the same NumPy operations on an array of
# ordinary numbers and on an array of subnormal ones, and prints what this CPU does.

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
for name, operation in operations.items():
    print(compare(name, "ordinary", lambda: operation(ordinary), "subnormal", lambda: operation(subnormal), pairs))

# %% [markdown]
# ### Where training makes them, and what tinynet does about it
#
# Adam keeps a running mean $m$ of each weight's gradient. Once a gradient is
# exactly 0 for good - a ReLU unit that never fires again, a pixel that is blank
# in every image - $m$ shrinks by $\beta_1 = 0.9$ at every step, and after several
# hundred steps (the cell works out how many) it is subnormal; from then on every
# step computes with it. Storing such values as 0 is not quite enough: Adam's $v$
# shrinks by only $\beta_2 = 0.999$ a step, so for thousands of steps it is a
# normal number while $(g^2 - v)(1 - \beta_2)$, computed on the way, is not. So
# tinynet's optimizer kernels keep every intermediate normal with two floors:
# a slot value below $2^{-100}$ is stored as exactly 0 (`flush`), and a gradient
# entry below $2^{-50}$ is used as 0 (`small_to_zero`, both in
# `tinynet/kernels/optim.py`). The weight does not notice: the step it loses is
# far below the rounding of the weight itself. And the result is the same on
# every CPU, unlike the CPU's own flush-to-zero switch, which some CPUs lack and
# which would change the results of all other code in the program.

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

# %% [markdown]
# ## Exercises
# Write them in `lessons/exercises/ex_04_kernels.py` and check them with
# `python3 -m pytest lessons/exercises/test_04_kernels.py`: each check fails until its
# exercise is solved. Worked solutions: `lessons/exercises/solutions/ex_04_kernels.py`.
#
# 1. **The row order.** `matmul_rows(a, b)`: $C_{i,:} \mathrel{+}= a_{ik} B_{k,:}$ for every
#    $i$ and $k$, a whole row at a time - the order tinynet's kernel vectorises.
# 2. **Count what can be skipped.** `zero_block_share(x)`: the share of 4 x 4 tiles
#    of `x` that are all zero.
# 3. **Flush.** `flush_subnormal(a)`: subnormal entries ($0 < |a| < 2^{-126}$) become 0.

# %%
tinynet.set_num_threads(threads)
lesson.finish()
