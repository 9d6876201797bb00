"""Checks of lesson 1's exercises (ex_01_first_model.py)."""
import numpy as np

import tinynet
from tinynet import plotting
from tinynet.layers import Dense, Flatten
from tinynet.models import Sequential

rng = np.random.default_rng(1)


def test_normalise(ex):
    images = rng.integers(0, 256, (3, 28, 28)).astype(np.uint8)
    images[0, 0, 0], images[0, 0, 1] = 0, 255
    out = ex.normalise(images)
    assert out.dtype == np.float32 and out.shape == images.shape
    assert out[0, 0, 0] == 0 and out[0, 0, 1] == 1
    np.testing.assert_allclose(out, images / 255.0, rtol=1e-6)


def test_confusion_matrix(ex):
    y_true, y_pred = rng.integers(0, 10, 500), rng.integers(0, 10, 500)
    counts = ex.confusion_matrix(y_true, y_pred)
    np.testing.assert_array_equal(counts, plotting.confusion_matrix(y_true, y_pred))
    assert counts.sum() == 500


def test_dead_units(ex):
    tinynet.utils.set_random_seed(0)
    model = Sequential([Flatten(input_shape=(4, 4)), Dense(6, activation="relu"), Dense(3, activation="softmax")])
    kernel, bias = model.layers[1].get_weights()
    bias[[1, 4]] = -100.0  # these two can never fire on inputs in [0, 1]
    model.layers[1].set_weights([kernel, bias])
    x = rng.random((20, 4, 4)).astype(np.float32)
    assert ex.dead_units(model, x) == [1, 4]
