"""Checks of lesson 5's exercises (ex_05_regularization.py), against tinynet."""
import numpy as np
import pytest

from tinynet.callbacks import Callback, EarlyStopping
from tinynet.layers import Dense
from tinynet.models import Sequential


@pytest.mark.parametrize("rate", [0.2, 0.5])
def test_inverted_dropout(ex, rate):
    x = np.random.default_rng(0).random((200, 500)).astype(np.float32) + 0.5  # no zeros of its own
    y, mask = ex.inverted_dropout(x, rate, np.random.default_rng(1))
    dropped = y == 0
    # 100,000 entries: the share dropped is within 0.01 of the rate unless the draws are not independent
    assert abs(dropped.mean() - rate) < 0.01
    np.testing.assert_allclose(y[~dropped], x[~dropped] / (1 - rate), rtol=1e-6)
    np.testing.assert_allclose(y, x * mask, rtol=1e-6)


def tinynet_early_stopping(val_loss, patience):
    """(stopped, best), counted from 1, from tinynet's EarlyStopping fed these losses."""
    class FakeValLoss(Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs["val_loss"] = val_loss[epoch]

    model = Sequential([Dense(2, activation="softmax", input_shape=(3,))])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    x, y = np.ones((4, 3), np.float32), np.array([0, 1, 0, 1])
    stopper = EarlyStopping(patience=patience)
    model.fit(x, y, epochs=len(val_loss), verbose=0, validation_data=(x, y), callbacks=[FakeValLoss(), stopper])
    return (stopper.stopped_epoch + 1 if stopper.stopped_epoch else None), stopper.best_epoch + 1


@pytest.mark.parametrize("losses, patience", [
    ([1.0, 0.8, 0.7, 0.75, 0.72, 0.9, 0.6], 3),
    ([1.0, 0.8, 0.7, 0.75, 0.72, 0.9, 0.6], 4),
    ([1.0, 0.9, 0.8, 0.7], 2),
    ([0.5, 0.5, 0.5, 0.4, 0.5], 2),  # equal is not better
    ([0.3, 0.4], 1),
])
def test_early_stopping(ex, losses, patience):
    assert ex.early_stopping(losses, patience) == tinynet_early_stopping(losses, patience)


def test_held_out_split(ex):
    x, y = np.arange(20).reshape(10, 2), np.arange(10)
    x_fit, y_fit, x_val, y_val = ex.held_out_split(x, y, 3)
    np.testing.assert_array_equal(x_fit, x[:7])
    np.testing.assert_array_equal(y_val, [7, 8, 9])
    assert len(x_val) == len(y_val) == 3 and len(x_fit) == len(y_fit) == 7
    for bad in (0, 10, 11):
        with pytest.raises(ValueError):
            ex.held_out_split(x, y, bad)
