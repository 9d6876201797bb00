"""Utilities, named as in ``keras.utils``: seeding, the progress bar, gradient checks."""
from . import gradient_check
from .progbar import Progbar
from .random import set_random_seed

__all__ = ["Progbar", "gradient_check", "set_random_seed"]
