"""Checks of lesson 0's exercises (ex_00_neurons.py), against tinynet."""
import numpy as np
import pytest

from tinynet import activations, losses, optimizers
from tinynet.layers import Dense

rng = np.random.default_rng(0)


@pytest.mark.parametrize("activation", ["linear", "relu", "sigmoid", "tanh"])
def test_dense(ex, activation):
    x = rng.standard_normal((5, 4)).astype(np.float32)
    layer = Dense(3, activation=activation)
    layer.build((4,))
    w, b = layer.get_weights()
    b += rng.standard_normal(3).astype(np.float32)
    layer.set_weights([w, b])
    np.testing.assert_allclose(ex.dense(x, w, b, activation), layer(x), rtol=1e-5, atol=1e-6)


def test_softmax(ex):
    z = rng.standard_normal((6, 10)).astype(np.float32) * 3
    np.testing.assert_allclose(ex.softmax(z), activations.softmax(z), rtol=1e-5, atol=1e-7)
    big = np.array([[1000.0, 999.0, 0.0], [-1000.0, -1000.0, -1001.0]])
    with np.errstate(over="raise", invalid="raise"):  # an overflow fails the check
        np.testing.assert_allclose(ex.softmax(big), activations.softmax(big), rtol=1e-6)


def test_cross_entropy(ex):
    p = activations.softmax(rng.standard_normal((8, 5)))
    y = rng.integers(0, 5, 8)
    expected = losses.SparseCategoricalCrossentropy()(y, p)
    assert ex.cross_entropy(p, y) == pytest.approx(float(expected), rel=1e-5)


def test_momentum_step(ex):
    w = rng.standard_normal(6).astype(np.float32)
    mine, u = w.copy(), np.zeros_like(w)
    theirs = w.copy()
    sgd = optimizers.SGD(0.05, momentum=0.8)
    for _ in range(5):
        g = rng.standard_normal(6).astype(np.float32)
        given, snapshot = mine, mine.copy()
        mine, u = ex.momentum_step(mine, g, u, 0.05, 0.8)
        sgd.apply([theirs], [g])
        np.testing.assert_array_equal(given, snapshot)  # the caller's w is left as it was
    np.testing.assert_allclose(mine, theirs, rtol=1e-5, atol=1e-6)
