"""Checks of lesson 7's exercises (ex_07_step_through.py), against trace_step."""
import numpy as np
import pytest

import tinynet
from tinynet.layers import Dense, Flatten
from tinynet.models import Sequential
from tinynet.utils import trace_step


@pytest.fixture(scope="module")
def traced():
    """A step of a small model on 16 random images; units 2 and 5 of its hidden layer
    can never fire."""
    tinynet.utils.set_random_seed(0)
    model = Sequential([Flatten(input_shape=(6, 6)), Dense(8, activation="relu"), Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    kernel, bias = model.layers[1].get_weights()
    bias[[2, 5]] = -50.0
    model.layers[1].set_weights([kernel, bias])
    rng = np.random.default_rng(7)
    return trace_step(model, rng.random((16, 6, 6)), rng.integers(0, 3, 16), check_entries=0)


def test_update_ratio(ex, traced):
    kernel = traced.params[0]
    assert ex.update_ratio(kernel.value, kernel.value + kernel.update) == pytest.approx(kernel.ratio, rel=1e-5)


def test_adam_first_update(ex, traced):
    from tinynet.optimizers import Adam

    for p in traced.params:
        # The trace's update is w_after - w_before, which float32 rounds at the scale of w; a
        # weight that starts at 0 receives the update itself.
        step = np.zeros_like(p.grad)
        Adam(0.001).apply([step], [p.grad])
        np.testing.assert_allclose(p.update, step, atol=1e-7)  # the same step, up to w's rounding
        # float32 arithmetic in another order: equal to about 1e-6 relative
        np.testing.assert_allclose(ex.adam_first_update(p.grad, 0.001), step, rtol=1e-5, atol=1e-12)


def test_silent_units(ex, traced):
    assert ex.silent_units(traced.layers[1].y) == [2, 5]
    assert ex.silent_units(np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 2.0]])) == [0]
