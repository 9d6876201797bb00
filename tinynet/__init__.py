"""tinynet: a small neural-network framework in NumPy and Numba, with Keras' API.

Start with ``tinynet.models.Sequential``; every hot path is in ``tinynet.kernels``.
"""
from . import (activations, backend, callbacks, datasets, initializers, kernels, layers, losses,
               metrics, models, optimizers, regularizers, utils)
from .backend import get_backend, get_num_threads, set_backend, set_num_threads
from .layers import Input
from .models import Model, Sequential

__version__ = "0.1.0"
__all__ = ["Input", "Model", "Sequential", "get_backend", "get_num_threads", "set_backend", "set_num_threads", "__version__",
           # the modules, so that tinynet.layers, tinynet.losses, ... read as in Keras
           "activations", "backend", "callbacks", "datasets", "initializers", "kernels", "layers", "losses",
           "metrics", "models", "optimizers", "regularizers", "utils"]
