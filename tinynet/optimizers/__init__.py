"""Optimizers with Keras 3's update rules, names, defaults and configs.

    optimizer.py   the base class: step count, learning rate (number or schedule),
                   weight decay, gradient clipping, get_config / from_config
    sgd.py, adam.py, adamw.py, rmsprop.py, adagrad.py   one optimizer each
    schedules.py   learning-rate schedules (ExponentialDecay, ...)
    clipping.py    clipnorm, global_clipnorm, clipvalue

The arithmetic lives in the kernels (``tinynet.kernels.optim`` and
``optim_adaptive``, where the formulas are written out); an optimizer keeps the
state - step count, and its slot arrays per parameter - and calls them.
"""
from ..utils.naming import lookup
from . import schedules
from .adagrad import Adagrad
from .adam import Adam
from .adamw import AdamW
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "schedules", "get", "serialize",
           "deserialize"]

# Keras' names: the class name in lower case.
_NAMES = {cls.__name__.lower(): cls for cls in (Adam, AdamW, SGD, RMSprop, Adagrad)}


def _by_name(name):
    """The class called ``name``, in any case ('adam', 'Adam'), as Keras finds it."""
    if isinstance(name, str) and name.lower() in _NAMES:
        name = name.lower()
    return lookup("optimizer", name, _NAMES)


def get(identifier):
    """An Optimizer from an instance, a Keras name ('adam', 'sgd', 'rmsprop',
    'adagrad', 'adamw') or a dict written by ``serialize``."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    return _by_name(identifier)()


def serialize(optimizer):
    """The dict Keras writes for an optimizer: its class name and ``get_config()``."""
    return {"module": "keras.optimizers", "class_name": type(optimizer).__name__,
            "config": optimizer.get_config(), "registered_name": None}


def deserialize(config):
    """The optimizer ``serialize`` described (Keras' dicts work too), without its state."""
    if not isinstance(config, dict) or not {"class_name", "config"} <= set(config):
        raise ValueError("Argument `config` must be a dict with keys 'class_name' and 'config', as "
                         f"`serialize` writes. Received: config={config!r}")
    return _by_name(config["class_name"]).from_config(config["config"])
