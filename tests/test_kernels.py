"""Each Numba kernel against its NumPy twin, over hypothesis-drawn shapes.

Tolerance: the two sum in different orders, so they agree to float32 rounding.
For a product the rounding of a sum of k terms is bounded by about k * 6e-8 times
the sum of |terms|, so we compare |numba - numpy| against 1e-5 * (|A| @ |B|):
"relative <= 1e-5" measured against the size of what was added up.
"""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinynet
from tinynet.kernels import NUMBA, NUMPY

from tinynet.kernels import make_tiles, tiles
from tinynet.kernels.conv import conv2d_workspace
from tinynet.kernels.matmul import _nn, _nn4x4, _nt2x4, _nt4x4

from .helpers import bounds_checked_run_only_unless
from .strategies import dim, floats32, labels, layouts, matrix, window_case, with_zero_columns

RTOL = 1e-5


def assert_close(got, want, scale):
    assert got.dtype == np.float32, f"kernel returned {got.dtype}, expected float32"
    assert got.shape == want.shape
    worst = np.max(np.abs(got - want) / (scale + 1e-30), initial=0.0)
    assert worst <= RTOL, f"largest relative deviation {worst:.3g} > {RTOL}"


@given(st.data(), dim, dim, dim)
def test_matmul_products(data, m, k, n):
    kind = data.draw(layouts)  # one layout for all (strategies.matrix says why)
    a = data.draw(matrix(m, k, kind=kind).flatmap(with_zero_columns))
    b = data.draw(matrix(k, n, kind=kind))
    assert_close(NUMBA.matmul(a, b), NUMPY.matmul(a, b), np.abs(a) @ np.abs(b))
    at = data.draw(matrix(k, m, kind=kind))  # X.T @ dY with X (k, m)
    assert_close(NUMBA.matmul_tn(at, b), NUMPY.matmul_tn(at, b), np.abs(at).T @ np.abs(b))
    bt = data.draw(matrix(n, k, kind=kind))  # dY @ W.T with W (n, k)
    assert_close(NUMBA.matmul_nt(a, bt), NUMPY.matmul_nt(a, bt), np.abs(a) @ np.abs(bt).T)


@pytest.mark.parametrize("m,k,n", [(1, 1, 1), (32, 784, 128), (32, 128, 10), (7, 5, 3)])
def test_matmul_at_fixed_shapes(m, k, n):
    rng = np.random.default_rng(1)
    a = rng.standard_normal((m, k), dtype=np.float32)
    b = rng.standard_normal((k, n), dtype=np.float32)
    assert_close(NUMBA.matmul(a, b), a @ b, np.abs(a) @ np.abs(b))


# Every version of the loop nest ``_nn``, whichever this CPU runs: the AVX-512
# tile, the AVX2 tile (compiled here for this CPU, same source) and the readable
# one. A is drawn in C or Fortran order (the layout of a transposed view), with
# zero columns (skipped steps) and zero rows (blocks that are zero in some rows
# only); C starts as something to add to.
# B and C are contiguous here: that keeps the compiled versions of the big tiles
# to a few (the public kernels' tests above pass views of B). The tiles this CPU
# does not run are left to the bounds-checked run (helpers.bounds_checked_run_only_unless).
NN_VERSIONS = {"8x32": tiles.nn_8x32, "4x16": tiles.nn_4x16, "4x4": _nn4x4}
NN_PARAMS = [pytest.param(name, marks=bounds_checked_run_only_unless(NN_VERSIONS[name] is _nn))
             for name in NN_VERSIONS]


def check_nn(nn, a, b, c0, accumulate):
    c = c0.copy()
    nn(a, b, c, accumulate)
    want = a @ b + c0 if accumulate else a @ b
    assert_close(c, want, np.abs(a) @ np.abs(b) + (np.abs(c0) if accumulate else 0))


@pytest.mark.parametrize("version", NN_PARAMS)
@given(data=st.data(), m=st.integers(1, 20), k=dim, n=st.integers(1, 70), accumulate=st.booleans())
def test_every_nn_tile(version, data, m, k, n, accumulate):
    a = data.draw(matrix(m, k).flatmap(with_zero_columns))
    rows = np.array(data.draw(st.lists(st.booleans(), min_size=m, max_size=m)), np.float32)
    a = a * rows[:, None] if data.draw(st.booleans()) else a
    b = data.draw(matrix(k, n, allow_views=False))
    c0 = data.draw(matrix(m, n, allow_views=False))
    check_nn(NN_VERSIONS[version], a, b, c0, accumulate)


@pytest.mark.parametrize("version", NN_PARAMS)
def test_every_nn_tile_with_an_empty_sum(version):
    """k = 0 (an empty batch's dW): C = A @ B is all zeros, C += A @ B leaves C."""
    a, b = np.ones((9, 0), np.float32), np.ones((0, 33), np.float32)
    c = np.full((9, 33), 7.0, np.float32)
    NN_VERSIONS[version](a, b, c, True)
    assert np.all(c == 7)
    NN_VERSIONS[version](a, b, c, False)
    assert np.all(c == 0)
    assert np.all(NUMBA.matmul_tn(np.ones((0, 40), np.float32), np.ones((0, 64), np.float32)) == 0)


@pytest.mark.parametrize("nt", [_nt2x4, _nt4x4], ids=["2x4", "4x4"])
@given(data=st.data(), m=st.integers(1, 11), k=dim, n=st.integers(1, 11))
def test_every_nt_loop(nt, data, m, k, n):
    """Both versions of ``_nt`` (C = A @ B.T), whichever this CPU runs, with
    rows and columns left over from their 2 x 4 and 4 x 4 blocks."""
    kind = data.draw(layouts)
    a, b = data.draw(matrix(m, k, kind=kind)), data.draw(matrix(n, k, kind=kind))
    c = np.empty((m, n), np.float32)
    nt(a, b, c)
    assert_close(c, a @ b.T, np.abs(a) @ np.abs(b).T)


@pytest.mark.parametrize("version", NN_PARAMS)
def test_every_nn_tile_with_k_in_blocks(version):
    """k longer than a block (``tiles.k_block``: 96 steps for 600 columns), with
    leftovers in m, n and k, and a transposed A that looks like MNIST images."""
    rng = np.random.default_rng(4)
    m, k, n = 13, 300, 600
    assert tiles.k_block(k, n) < k
    x = rng.random((k, m), dtype=np.float32)
    x[x < 0.8] = 0
    x[:40] = 0
    b = rng.standard_normal((k, n), dtype=np.float32)
    c0 = rng.standard_normal((m, n), dtype=np.float32)
    for accumulate in (False, True):
        check_nn(NN_VERSIONS[version], x.T, b, c0, accumulate)


def test_tiles_module_is_what_make_tiles_writes():
    with open(make_tiles.PATH) as f:
        assert f.read() == make_tiles.source(), "run: python3 -m tinynet.kernels.make_tiles"


@given(st.data(), dim, dim, dim, st.booleans())
def test_dense_forward(data, n, i, o, relu):
    kind = data.draw(layouts)
    x, w = data.draw(matrix(n, i, kind=kind).flatmap(with_zero_columns)), data.draw(matrix(i, o, kind=kind))
    b = data.draw(matrix(1, o, allow_views=False))[0]
    scale = np.abs(x) @ np.abs(w) + np.abs(b)
    assert_close(NUMBA.dense_forward(x, w, b, relu), NUMPY.dense_forward(x, w, b, relu), scale)


def both_dense_backwards(x, w, y, dy, relu, need_dx):
    """[dW, db, dX] from the Numba kernel and from its NumPy twin. The Numba one
    writes into buffers full of NaN, so a gradient it fails to fill shows."""
    i, o = w.shape
    got = [np.full((i, o), np.nan, np.float32), np.full(o, np.nan, np.float32)]
    want = [np.empty((i, o), np.float32), np.empty(o, np.float32)]
    got.append(NUMBA.dense_backward(x, w, y, dy, relu, need_dx, *got))
    want.append(NUMPY.dense_backward(x, w, y, dy, relu, need_dx, *want))
    return got, want


@given(st.data(), dim, dim, dim, st.booleans(), st.booleans())
def test_dense_backward(data, n, i, o, relu, need_dx):
    kind = data.draw(layouts)
    x, w = data.draw(matrix(n, i, kind=kind).flatmap(with_zero_columns)), data.draw(matrix(i, o, kind=kind))
    y, dy = data.draw(matrix(n, o, kind=kind)), data.draw(matrix(n, o, kind=kind))
    got, want = both_dense_backwards(x, w, y, dy, relu, need_dx)
    dz = np.abs(dy)
    assert_close(got[0], want[0], np.abs(x).T @ dz)
    assert_close(got[1], want[1], dz.sum(axis=0))
    if need_dx:
        assert_close(got[2], want[2], dz @ np.abs(w).T)
    else:
        assert got[2] is None and want[2] is None


# Hypothesis' shapes stay under the size at which kernels use threads; these take
# each threaded path once: the forward's inputs split in halves (batch 32; batch
# 200 with 4 row pieces per half), its rows split (200 rows of 256 inputs: the
# partials would outgrow W), and the narrow output layer. x looks like MNIST: ~80%
# zeros and a blank border, so whole blocks are skipped, the very first one included.
@pytest.mark.parametrize("n,i,o", [(32, 784, 128), (200, 784, 128), (200, 256, 128), (32, 128, 10)])
def test_dense_kernels_at_training_shapes(n, i, o):
    rng = np.random.default_rng(2)
    x = rng.random((n, i), dtype=np.float32)
    x[x < 0.8] = 0
    x[:, :28] = 0
    w = rng.standard_normal((i, o), dtype=np.float32)
    b, dy = rng.standard_normal(o, dtype=np.float32), rng.standard_normal((n, o), dtype=np.float32)
    want_y = NUMPY.dense_forward(x, w, b, True)
    assert_close(NUMBA.dense_forward(x, w, b, True), want_y, np.abs(x) @ np.abs(w) + np.abs(b))
    got, want = both_dense_backwards(x, w, want_y, dy, True, True)
    dz = np.abs(dy) * (want_y > 0)
    assert_close(got[0], want[0], np.abs(x).T @ dz)
    assert_close(got[1], want[1], dz.sum(axis=0) + 1e-30)
    assert_close(got[2], want[2], dz @ np.abs(w).T + 1e-30)


def test_threaded_kernels_give_the_same_bits_on_one_thread_or_two(two_threads):
    if not two_threads:
        return  # compared in a process with two threads (see the fixture)
    rng = np.random.default_rng(3)
    x = rng.random((32, 784), dtype=np.float32)
    x[x < 0.8] = 0
    w = rng.standard_normal((784, 128), dtype=np.float32)
    b, dy = rng.standard_normal(128, dtype=np.float32), rng.standard_normal((32, 128), dtype=np.float32)
    m, v = np.zeros_like(w), np.zeros_like(w)

    def run():
        y = NUMBA.dense_forward(x, w, b, True)
        dw, db = np.empty_like(w), np.empty_like(b)
        dx = NUMBA.dense_backward(x, w, y, dy, True, True, dw, db)
        p = w.copy()
        NUMBA.adam_update(p, dw, m.copy(), v.copy(), 1e-3, 0.9, 0.999, 1e-7)
        return y, dw, db, dx, p

    before = tinynet.get_num_threads()
    try:
        tinynet.set_num_threads(1)
        one = run()
        tinynet.set_num_threads(2)
        two = run()
    finally:
        tinynet.set_num_threads(before)
    for a, b_ in zip(one, two):
        assert np.array_equal(a, b_)


@given(st.data(), dim, st.integers(1, 12), st.sampled_from([1.0, 30.0, 1e4]))
def test_softmax_crossentropy(data, n, c, spread):
    logits = data.draw(matrix(n, c, -spread, spread))
    y = data.draw(labels(n, c))
    losses, grad = NUMBA.softmax_crossentropy(logits, y)
    want_losses, want_grad = NUMPY.softmax_crossentropy(logits, y)
    assert np.isfinite(losses).all() and np.isfinite(grad).all()
    # The loss is log(s) - (z_y - max) with s >= 1 rounded to float32: its error is
    # absolute, about 1e-7 however small the loss, hence the + 0.01 in the scale.
    loss_scale = np.abs(want_losses) + 0.01
    assert_close(losses, want_losses.astype(np.float32), loss_scale)
    assert_close(grad, want_grad.astype(np.float32), np.full(grad.shape, 1.0 / n))
    onehot = np.eye(c, dtype=np.float32)[y]
    got2 = NUMBA.softmax_crossentropy_onehot(logits, onehot)
    assert_close(got2[0], losses, loss_scale)
    assert_close(got2[1], grad, np.full(grad.shape, 1.0 / n))


@given(st.data(), dim, st.integers(1, 12), st.sampled_from([1.0, 30.0, 1e4]))
def test_softmax(data, n, c, spread):
    z = data.draw(matrix(n, c, -spread, spread))
    got, want = NUMBA.softmax(z), NUMPY.softmax(z)
    assert np.isfinite(got).all()
    # Each probability carries the relative rounding of its own exp and of the sum.
    assert_close(got, want, np.abs(want) + 1e-30)


@given(st.data(), dim, st.integers(1, 12))
def test_count_correct(data, n, c):
    scores = data.draw(matrix(n, c))
    y = data.draw(labels(n, c))
    assert NUMBA.count_correct(scores, y) == NUMPY.count_correct(scores, y)


@given(st.data(), dim)
def test_mean(data, n):
    values = data.draw(matrix(1, n))[0]
    got, want = NUMBA.mean(values), NUMPY.mean(values)
    assert float(np.float32(got)) == float(got), "the mean must be a float32 value"  # Numba hands it back as a float
    # Both sum in float32, in different orders: rounding of at most n * 6e-8 of the sum of |values|.
    assert abs(got - want) <= RTOL * (np.abs(values).mean() + 1e-30)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_mean_passes_nonfinite_through(bad):
    values = np.array([1.0, bad, 2.0], np.float32)
    assert np.isnan(NUMBA.mean(values)) == np.isnan(bad)
    assert np.isnan(NUMPY.mean(values)) == np.isnan(bad)
    assert NUMBA.mean(values) == NUMPY.mean(values) or np.isnan(bad)


def test_mean_of_values_whose_float32_sum_overflows_is_inf():
    values = np.full(32, 4e37, np.float32)  # as Keras: the float32 sum overflows
    assert NUMBA.mean(values) == NUMPY.mean(values) == np.inf


@given(st.data(), dim, dim, st.sampled_from([None, np.nan, np.inf, -np.inf]))
def test_all_finite(data, r, c, bad):
    a = data.draw(matrix(r, c, low=-2.0**127, high=2.0**127))  # huge finite values, too
    if bad is not None:
        a = a.copy()
        a[data.draw(st.integers(0, r - 1)), data.draw(st.integers(0, c - 1))] = bad
    assert NUMBA.all_finite(a) == NUMPY.all_finite(a) == (bad is None)


def test_all_finite_when_the_sum_overflows():
    a = np.array([1e308, 1e308, -1.0])  # finite entries whose float64 sum is inf
    assert NUMBA.all_finite(a) and NUMPY.all_finite(a)


@given(st.data(), dim, dim, st.integers(1, 5))
def test_adam_update(data, r, c, steps):
    p = data.draw(matrix(r, c, allow_views=False))
    state = {name: [p.copy(), np.zeros_like(p), np.zeros_like(p)] for name in ("numba", "numpy")}
    g_max = 0.0
    for t in range(1, steps + 1):
        g = data.draw(matrix(r, c, allow_views=False))
        g_max = max(g_max, float(np.abs(g).max()))
        alpha = 0.001 * np.sqrt(1 - 0.999**t) / (1 - 0.9**t)
        for name, ops in (("numba", NUMBA), ("numpy", NUMPY)):
            w, m, v = state[name]
            ops.adam_update(w, g, m, v, alpha, 0.9, 0.999, 1e-7)
    # Rounding scales with the sum of |terms| added: p gains at most
    # lr * (1 - beta_1) / sqrt(1 - beta_2) ~ 3.2 lr per step; m is a weighted
    # mean of gradients (<= max |g|), v of squared gradients (<= max g^2).
    scales = [np.abs(p) + 3.2e-3 * steps, np.full(p.shape, g_max), np.full(p.shape, g_max**2)]
    for got, want, scale in zip(state["numba"], state["numpy"], scales):
        assert_close(got, want, scale + 1e-12)


@given(st.floats(1e-6, 1.0), st.floats(0.0, 0.9999), st.floats(0.0, 0.99999), st.integers(1, 10**7))
def test_adam_step_size_is_the_same_float32(lr, beta_1, beta_2, t):
    # Same float32 operations in the same order: the bits must agree, since a
    # different rounding here would move every weight of the Keras-parity tests.
    # (That the value is Adam's is checked by tests/test_optimizers.py.)
    got = np.float32(NUMBA.adam_step_size(lr, beta_1, beta_2, t))
    want = NUMPY.adam_step_size(lr, beta_1, beta_2, t)
    assert want.dtype == np.float32 and got == want


@given(st.data(), dim, dim, st.sampled_from([0.0, 0.9]), st.booleans())
def test_sgd_update(data, r, c, momentum, nesterov):
    p = data.draw(matrix(r, c, allow_views=False))
    g = data.draw(matrix(r, c, allow_views=False))
    a, b = [p.copy(), np.zeros_like(p)], [p.copy(), np.zeros_like(p)]
    for _ in range(3):
        NUMBA.sgd_update(a[0], g, a[1], 0.01, momentum, nesterov)
        NUMPY.sgd_update(b[0], g, b[1], 0.01, momentum, nesterov)
    assert_close(a[0], b[0], np.abs(b[0]) + 1e-3)
    assert_close(a[1], b[1], np.abs(b[1]) + 1e-3)


# -- convolution, pooling, batch normalization ---------------------------------------------
# Scales: each twin run again on absolute values adds up |every term|, the size
# that float32 rounding is relative to (as |A| @ |B| for the products above).

def both_conv_backwards(x, w, y, dz, strides, rates, pads, relu, need_dx):
    """[dW, db, dX] from the Numba kernel (into NaN-filled buffers, so that a
    gradient it fails to fill shows) and from its NumPy twin."""
    work = conv2d_workspace(x.shape, w.shape, strides, rates, pads)
    got = [np.full(w.shape, np.nan, np.float32), np.full(w.shape[3], np.nan, np.float32)]
    want = [np.empty(w.shape, np.float32), np.empty(w.shape[3], np.float32)]
    got.append(NUMBA.conv2d_backward(x, w, y, dz, strides, rates, pads, relu, need_dx, *got, work))
    want.append(NUMPY.conv2d_backward(x, w, y, dz, strides, rates, pads, relu, need_dx, *want, None))
    return got, want


def check_conv(x, w, b, dy, strides, rates, pads, relu, need_dx):
    work = conv2d_workspace(x.shape, w.shape, strides, rates, pads)
    want_y = NUMPY.conv2d_forward(x, w, b, strides, rates, pads, relu, None)
    scale = NUMPY.conv2d_forward(np.abs(x), np.abs(w), np.abs(b), strides, rates, pads, False, None)
    assert_close(NUMBA.conv2d_forward(x, w, b, strides, rates, pads, relu, work), want_y, scale + 1e-30)
    got, want = both_conv_backwards(x, w, want_y, dy, strides, rates, pads, relu, need_dx)
    dz = np.abs(dy) * (want_y > 0) if relu else np.abs(dy)
    scales = [np.empty(w.shape, np.float32), np.empty(w.shape[3], np.float32)]
    scales.append(NUMPY.conv2d_backward(np.abs(x), np.abs(w), want_y, dz, strides, rates, pads, False, need_dx,
                                        *scales, None))
    for name, g, expected, sc in zip(["dW", "db", "dX"], got, want, scales):
        if name == "dX" and not need_dx:
            assert g is None and expected is None
        else:
            assert_close(g, expected, sc + 1e-30)


@given(st.data(), window_case(), st.integers(1, 5), st.booleans(), st.booleans(), st.sampled_from([1.0, 0.25, 0.05]))
def test_conv2d_kernels(data, case, filters, relu, need_dx, density):
    """``density``: the share of dY that is not zero - 0.25 as under a 2x2 max pooling,
    which sends the Numba backward to the products that skip zeros."""
    shape, kernel, strides, rates, pads = case
    x = data.draw(floats32(shape)) * (data.draw(floats32(shape, 0, 1)) > 0.5)  # zeros, as in images
    w = data.draw(floats32(kernel + (shape[3], filters)))
    b = data.draw(floats32((filters,)))
    y_shape = NUMPY.conv2d_forward(x, w, b, strides, rates, pads, False, None).shape
    dy = data.draw(floats32(y_shape)) * (data.draw(floats32(y_shape, 0, 1)) < density)
    check_conv(x, w, b, dy, strides, rates, pads, relu, need_dx)


# The threaded paths (hypothesis' shapes stay under the size at which the kernels
# cut a batch into pieces), at shapes like the MNIST convnet's but small enough for
# NUMBA_DISABLE_JIT=1: MNIST-like input with ~80% zeros.
# dY as a 2x2 max pooling sends it back (one value per window and channel) takes
# the products that skip zeros; a dense dY the blocked ones.
@pytest.mark.parametrize("shape,filters,pads", [((6, 28, 28, 1), 32, (0, 0, 0, 0)),
                                                ((3, 11, 11, 16), 32, (0, 0, 0, 0)),
                                                ((3, 11, 11, 16), 24, (1, 1, 1, 1))])
@pytest.mark.parametrize("pooled", [False, True])
def test_conv2d_kernels_at_training_shapes(shape, filters, pads, pooled):
    x, w, b, dy = conv_at_training_shape(shape, filters, pads, pooled)
    check_conv(x, w, b, dy, (1, 1), (1, 1), pads, True, True)


def conv_at_training_shape(shape, filters, pads, pooled):
    rng = np.random.default_rng(4)
    x = rng.random(shape, dtype=np.float32)
    x[x < 0.8] = 0
    w = rng.standard_normal((3, 3, shape[3], filters), dtype=np.float32)
    b = rng.standard_normal(filters, dtype=np.float32)
    y_shape = NUMPY.conv2d_forward(x, w, b, (1, 1), (1, 1), pads, False, None).shape
    dy = rng.standard_normal(y_shape, dtype=np.float32)
    if pooled:
        dy *= rng.integers(0, 4, y_shape) == 0
    return x, w, b, dy


def test_conv2d_kernels_give_the_same_bits_on_one_thread_or_two(two_threads):
    if not two_threads:
        return  # compared in a process with two threads (see the fixture)
    results = []
    before = tinynet.get_num_threads()
    try:
        for threads in (1, 2):
            tinynet.set_num_threads(threads)
            for pooled in (False, True):
                x, w, b, dy = conv_at_training_shape((8, 11, 11, 16), 32, (0, 0, 0, 0), pooled)
                work = conv2d_workspace(x.shape, w.shape, (1, 1), (1, 1), (0, 0, 0, 0))
                y = NUMBA.conv2d_forward(x, w, b, (1, 1), (1, 1), (0, 0, 0, 0), True, work)
                dw, db = np.empty_like(w), np.empty_like(b)
                dx = NUMBA.conv2d_backward(x, w, y, dy, (1, 1), (1, 1), (0, 0, 0, 0), True, True, dw, db, work)
                results.append([y, dw, db, dx])
    finally:
        tinynet.set_num_threads(before)
    for one, two in zip(results[:2], results[2:]):
        for a, b_ in zip(one, two):
            assert np.array_equal(a, b_)


@given(st.data(), window_case(dilation=False))
def test_max_pool_kernels(data, case):
    shape, pool, strides, _, pads = case
    x = data.draw(floats32(shape, -2, 2)).round(1)  # ties, which both must break alike
    y, argmax = NUMBA.max_pool_forward(x, pool, strides, pads)
    want_y, want_argmax = NUMPY.max_pool_forward(x, pool, strides, pads)
    assert y.dtype == np.float32 and argmax.dtype == want_argmax.dtype == np.int32
    np.testing.assert_array_equal(y, want_y)
    np.testing.assert_array_equal(argmax, want_argmax)
    dy = data.draw(floats32(y.shape))
    args = (shape[1:3], pool, strides, pads)
    assert_close(NUMBA.max_pool_backward(dy, argmax, *args), NUMPY.max_pool_backward(dy, argmax, *args),
                 NUMPY.max_pool_backward(np.abs(dy), argmax, *args) + 1e-30)


@given(st.data(), window_case(dilation=False))
def test_average_pool_kernels(data, case):
    shape, pool, strides, _, pads = case
    x = data.draw(floats32(shape))
    want = NUMPY.avg_pool_forward(x, pool, strides, pads)
    assert_close(NUMBA.avg_pool_forward(x, pool, strides, pads), want,
                 NUMPY.avg_pool_forward(np.abs(x), pool, strides, pads) + 1e-30)
    dy = data.draw(floats32(want.shape))
    assert_close(NUMBA.avg_pool_backward(dy, shape[1:3], pool, strides, pads),
                 NUMPY.avg_pool_backward(dy, shape[1:3], pool, strides, pads),
                 NUMPY.avg_pool_backward(np.abs(dy), shape[1:3], pool, strides, pads) + 1e-30)


@given(st.data(), window_case(max_kernel=1))
def test_global_pool_kernels(data, case):
    shape = case[0]
    x = data.draw(floats32(shape, -2, 2)).round(1)  # ties: the max's gradient is shared among them
    dy = data.draw(floats32((shape[0], shape[3])))
    assert_close(NUMBA.global_avg_pool_forward(x), NUMPY.global_avg_pool_forward(x),
                 NUMPY.global_avg_pool_forward(np.abs(x)) + 1e-30)
    assert_close(NUMBA.global_avg_pool_backward(dy, shape[1:3]), NUMPY.global_avg_pool_backward(dy, shape[1:3]),
                 np.abs(NUMPY.global_avg_pool_backward(dy, shape[1:3])) + 1e-30)
    y = NUMBA.global_max_pool_forward(x)
    np.testing.assert_array_equal(y, NUMPY.global_max_pool_forward(x))
    want = NUMPY.global_max_pool_backward(x, y, dy)
    assert_close(NUMBA.global_max_pool_backward(x, y, dy), want, np.abs(want) + 1e-30)


@given(st.data(), dim, st.integers(1, 9), st.booleans())
def test_batchnorm_kernels(data, m, c, batch_stats):
    x = data.draw(matrix(m, c, allow_views=False)) + data.draw(st.sampled_from([0.0, 100.0]))
    gamma, beta = data.draw(floats32((c,))), data.draw(floats32((c,)))
    mean, variance = NUMBA.batchnorm_moments(x)
    want_mean, want_variance = NUMPY.batchnorm_moments(x)
    assert_close(mean, want_mean, np.abs(x).mean(axis=0) + 1e-30)
    # The variance is a mean of squares of (x - mean): rounding relative to x's spread and mean.
    assert_close(variance, want_variance, ((np.abs(x) + np.abs(want_mean)) ** 2).mean(axis=0) * 10 + 1e-30)
    if batch_stats:
        mean, variance = want_mean.astype(np.float32), want_variance.astype(np.float32)
    else:  # fixed statistics, as at inference: any mean, any positive variance
        mean, variance = data.draw(floats32((c,))), data.draw(floats32((c,), 0.125, 4))
    s = np.abs(gamma) / np.sqrt(variance + 1e-3)
    y = NUMBA.batchnorm_forward(x, mean, variance, gamma, beta, 1e-3)
    assert_close(y, NUMPY.batchnorm_forward(x, mean, variance, gamma, beta, 1e-3),
                 np.abs(x) * s + np.abs(beta) + np.abs(mean) * s + 1e-30)
    dy = data.draw(matrix(m, c, allow_views=False))
    got = [np.full(c, np.nan, np.float32), np.full(c, np.nan, np.float32)]
    want = [np.empty(c, np.float32), np.empty(c, np.float32)]
    dx = NUMBA.batchnorm_backward(x, mean, variance, gamma, dy, 1e-3, batch_stats, *got)
    want_dx = NUMPY.batchnorm_backward(x, mean, variance, gamma, dy, 1e-3, batch_stats, *want)
    x_hat = np.abs(x - mean) / np.sqrt(variance + 1e-3)
    sum_dy, sum_dy_xhat = np.abs(dy).sum(axis=0), (np.abs(dy) * x_hat).sum(axis=0)
    assert_close(got[0], want[0], sum_dy_xhat + 1e-30)
    assert_close(got[1], want[1], sum_dy + 1e-30)
    assert_close(dx, want_dx, s * (np.abs(dy) + (sum_dy + x_hat * sum_dy_xhat) / m) * 10 + 1e-30)


def test_every_numba_kernel_has_a_numpy_twin():
    assert sorted(vars(NUMBA)) == sorted(vars(NUMPY))
    for name in vars(NUMBA):
        assert getattr(NUMBA, name) is not getattr(NUMPY, name)
