"""Utilities, named as in ``keras.utils``: seeding, one-hot labels, the progress bar,
gradient checks; and tinynet's own ``trace_step``, which looks inside one training step."""
from . import gradient_check, trace
from .numerical import to_categorical
from .progbar import Progbar
from .random import set_random_seed
from .trace import trace_step

__all__ = ["Progbar", "gradient_check", "set_random_seed", "to_categorical", "trace", "trace_step"]
