"""Checks of lesson 3's exercises (ex_03_backprop.py), against central differences."""
import numpy as np

from tinynet.utils.gradient_check import numerical_gradient, relative_error

rng = np.random.default_rng(3)


def test_dense_backward(ex):
    x, w, b = rng.standard_normal((4, 5)), rng.standard_normal((5, 3)), rng.standard_normal(3)
    r = rng.standard_normal((4, 3))  # L = sum(r * y), so dL/dy = r

    def loss():
        return float((r * (x @ w + b)).sum())

    dx, dw, db = ex.dense_backward(x, w, r)
    for mine, array in ((dx, x), (dw, w), (db, b)):
        assert relative_error(mine, numerical_gradient(loss, array)) < 1e-6


def test_sigmoid_backward(ex):
    z, r = rng.standard_normal((3, 4)) * 3, rng.standard_normal((3, 4))
    numeric = numerical_gradient(lambda: float((r / (1 + np.exp(-z))).sum()), z)
    assert relative_error(ex.sigmoid_backward(z, r), numeric) < 1e-6


def test_softmax_cross_entropy_gradient(ex):
    logits, y = rng.standard_normal((5, 4)) * 2, rng.integers(0, 4, 5)

    def loss():  # in float64: -z_y + log sum_k exp(z_k), averaged
        return float((np.log(np.exp(logits).sum(axis=1)) - logits[np.arange(5), y]).mean())

    numeric = numerical_gradient(loss, logits)
    assert relative_error(ex.softmax_cross_entropy_gradient(logits.copy(), y), numeric) < 1e-6
