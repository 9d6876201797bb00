"""Checks of lesson 4's exercises (ex_04_kernels.py)."""
import numpy as np
import pytest

rng = np.random.default_rng(4)


@pytest.mark.parametrize("shape", [(4, 8, 16), (5, 7, 3), (1, 1, 1)])
def test_matmul_rows(ex, shape):
    m, k, n = shape
    a, b = rng.standard_normal((m, k), dtype=np.float32), rng.standard_normal((k, n), dtype=np.float32)
    c = ex.matmul_rows(a, b)
    assert c.shape == (m, n) and c.dtype == np.float32
    np.testing.assert_allclose(c, a @ b, rtol=1e-5, atol=1e-5)


def brute_force_share(x, block):
    tiles = [not x[i:i + block, j:j + block].any()
             for i in range(0, x.shape[0] - block + 1, block) for j in range(0, x.shape[1] - block + 1, block)]
    return sum(tiles) / len(tiles)


@pytest.mark.parametrize("shape, block", [((32, 784), 4), ((9, 13), 4), ((6, 6), 2)])
def test_zero_block_share(ex, shape, block):
    x = rng.random(shape) * (rng.random(shape) < 0.1)  # mostly zeros, like an MNIST batch
    x[:block, :block] = 0  # at least one empty tile
    assert ex.zero_block_share(x, block) == pytest.approx(brute_force_share(x, block))


def test_flush_subnormal(ex):
    tiny = np.finfo(np.float32).tiny
    a = np.array([1.0, -2e-3, tiny, -tiny, 1e-39, -1e-40, 1e-45, 0.0, np.nan], np.float32)
    out = ex.flush_subnormal(a)
    np.testing.assert_array_equal(out[:4], a[:4])
    np.testing.assert_array_equal(out[4:8], 0)
    assert np.isnan(out[8]) and a[4] != 0  # NaN kept; the input not changed
