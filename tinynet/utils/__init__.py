"""Utilities, named as in ``keras.utils``: seeding, one-hot labels, the progress bar,
gradient checks."""
from . import gradient_check
from .numerical import to_categorical
from .progbar import Progbar
from .random import set_random_seed

__all__ = ["Progbar", "gradient_check", "set_random_seed", "to_categorical"]
