"""tinynet's random numbers: one NumPy Generator that everything draws from.

Weight initializers, shuffling in ``fit`` and Dropout all take their numbers from
``generator()``. ``set_random_seed(s)`` replaces it with a fresh generator seeded
with ``s``, so the same seed gives bit-identical weights, batches and History.
"""
import random

import numpy as np

from .checks import non_negative_int

_generator = np.random.default_rng()
_seed = None


def set_random_seed(seed):
    """Seed tinynet, Python's ``random`` and NumPy's global state, like Keras does."""
    global _generator, _seed
    seed = non_negative_int("seed", seed)
    _generator = np.random.default_rng(seed)
    _seed = seed
    random.seed(seed)
    np.random.seed(seed % 2**32)


def generator():
    """The generator that tinynet draws from now."""
    return _generator


def current_seed():
    """The last seed given to ``set_random_seed`` (None if it was never called)."""
    return _seed


def get_state():
    """The generator's position, as plain integers (JSON-able), for saving."""
    return _generator.bit_generator.state


def set_state(state):
    """Put the generator back where ``get_state`` found it."""
    _generator.bit_generator.state = state
