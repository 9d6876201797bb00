"""Dropout: inverted scaling while training, identity at inference, seeded masks."""
import numpy as np
import pytest

import tinynet
from tinynet.layers import Dense, Dropout, Flatten
from tinynet.models import Sequential

from .helpers import toy_digits


def test_training_zeroes_about_rate_and_scales_the_rest():
    x = np.ones((200, 50), np.float32)
    y = Dropout(0.3, seed=1).call(x, training=True)
    np.testing.assert_allclose(np.unique(y), [0.0, 1 / 0.7], rtol=1e-6)
    assert (y == 0).mean() == pytest.approx(0.3, abs=0.02)
    assert y.mean() == pytest.approx(1.0, abs=0.03)  # expectation kept
    assert y.dtype == np.float32


def test_inference_is_the_identity():
    x = np.random.default_rng(0).standard_normal((4, 6)).astype(np.float32)
    assert Dropout(0.5).call(x, training=False) is x


def test_a_seed_fixes_the_masks_and_the_global_seed_fixes_unseeded_ones():
    x = np.ones((10, 10), np.float32)
    a, b = Dropout(0.5, seed=7), Dropout(0.5, seed=7)
    np.testing.assert_array_equal(a.call(x, True), b.call(x, True))
    outs = []
    for _ in range(2):
        tinynet.utils.set_random_seed(3)
        outs.append(Dropout(0.5).call(x, True))
    np.testing.assert_array_equal(*outs)


def test_predict_and_evaluate_do_not_drop_but_fit_does():
    x, y = toy_digits(64)
    model = Sequential([Flatten(input_shape=(28, 28)), Dense(32, activation="relu"), Dropout(0.5),
                        Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    np.testing.assert_array_equal(model.predict(x), model.predict(x))
    model.fit(x, y, epochs=1, verbose=0)
    assert model.layers[2].mask is not None  # fit's forward passes dropped units
    model.predict(x)
    assert model.layers[2].mask is None  # predict's did not
