"""Small models and data that many tests share."""
import numpy as np

from tinynet.layers import Dense, Flatten
from tinynet.models import Sequential


def seed_model(hidden=16, compile=True):
    """The seed notebook's architecture, narrower: Flatten -> Dense(relu) -> Dense(10, softmax)."""
    model = Sequential([Flatten(input_shape=(28, 28)), Dense(hidden, activation="relu"),
                        Dense(10, activation="softmax")])
    if compile:
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def toy_digits(n=96, seed=0):
    """Images (n, 28, 28) uint8 whose label is written in their brightest row."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 10, n)
    x = rng.integers(0, 40, (n, 28, 28)).astype(np.uint8)
    x[np.arange(n), y * 2 + 3, :] = 255
    return x, y.astype(np.uint8)
