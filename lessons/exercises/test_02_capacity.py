"""Checks of lesson 2's exercises (ex_02_capacity.py)."""
import pytest

from tinynet.layers import Dense, Flatten
from tinynet.models import Sequential


@pytest.mark.parametrize("hidden", [[], [128], [512, 512, 256, 128], [7, 3]])
def test_count_dense_parameters(ex, hidden):
    model = Sequential([Flatten(input_shape=(28, 28))] + [Dense(u) for u in hidden] + [Dense(10)])
    assert ex.count_dense_parameters([784, *hidden, 10]) == model.count_params()


@pytest.mark.parametrize("gap, word", [(0.0, "EXCELLENT"), (0.0408, "EXCELLENT"), (0.05, "GOOD"), (0.0999, "GOOD"),
                                       (0.1, "MODERATE"), (0.19, "MODERATE"), (0.2, "HIGH"), (0.5, "HIGH"),
                                       (-0.01, "EXCELLENT")])
def test_verdict(ex, gap, word):
    assert ex.verdict(gap) == word


@pytest.mark.parametrize("losses, epoch", [
    ([0.5, 0.3, 0.2, 0.21, 0.23, 0.25, 0.3], 6),   # lowest 0.2 at epoch 3; 0.25 > 0.24 at epoch 6
    ([0.5, 0.4, 0.3, 0.2], None),                   # still falling
    ([0.3, 0.2, 0.5, 0.1, 0.11], None),             # the rise before the lowest point does not count
    ([0.2, 0.25, 0.2, 0.3], 2),                     # ties: the first lowest epoch (1) counts, and 0.25 > 0.24
    ([1.0, 0.5, 0.55, 0.7], 4),
])
def test_overfitting_epoch(ex, losses, epoch):
    assert ex.overfitting_epoch(losses) == epoch


def test_overfitting_epoch_takes_the_factor(ex):
    assert ex.overfitting_epoch([0.5, 0.3, 0.2, 0.21, 0.23, 0.25], factor=1.1) == 5
