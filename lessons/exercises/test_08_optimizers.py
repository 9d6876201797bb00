"""Checks of lesson 8's exercises (ex_08_optimizers.py), against tinynet's optimizers."""
import numpy as np

from tinynet import optimizers

rng = np.random.default_rng(8)
STEPS = 6


def gradients():
    return [rng.standard_normal(5).astype(np.float32) for _ in range(STEPS)]


def test_nesterov_step(ex):
    w = rng.standard_normal(5).astype(np.float32)
    theirs, mine, u = w.copy(), w.copy(), np.zeros(5, np.float32)
    sgd = optimizers.SGD(0.05, momentum=0.9, nesterov=True)
    for g in gradients():
        mine, u = ex.nesterov_step(mine, g, u, 0.05, 0.9)
        sgd.apply([theirs], [g])
    np.testing.assert_allclose(mine, theirs, rtol=1e-5, atol=1e-6)  # float32 vs your float64: rounding


def test_rmsprop_step(ex):
    w = rng.standard_normal(5).astype(np.float32)
    theirs, mine, s = w.copy(), w.copy(), np.zeros(5, np.float32)
    rmsprop = optimizers.RMSprop(0.01)
    for g in gradients():
        mine, s = ex.rmsprop_step(mine, g, s, 0.01)
        rmsprop.apply([theirs], [g])
    np.testing.assert_allclose(mine, theirs, rtol=1e-5, atol=1e-6)


def test_adam_step(ex):
    w = rng.standard_normal(5).astype(np.float32)
    theirs, mine, m, v = w.copy(), w.copy(), np.zeros(5, np.float32), np.zeros(5, np.float32)
    adam = optimizers.Adam(0.01)
    for t, g in enumerate(gradients(), start=1):
        mine, m, v = ex.adam_step(mine, g, m, v, t, 0.01)
        adam.apply([theirs], [g])
    np.testing.assert_allclose(mine, theirs, rtol=1e-5, atol=1e-6)


def test_valley_momentum(ex):
    mu = ex.valley_momentum()
    assert 0 <= mu < 1
    w, curvature = np.array([-4.0, 1.0], np.float32), np.array([1.0, 25.0], np.float32)
    sgd = optimizers.SGD(0.03, momentum=mu)
    for _ in range(60):
        sgd.apply([w], [curvature * w])
    assert 0.5 * float((curvature * w * w).sum()) < 1e-4
