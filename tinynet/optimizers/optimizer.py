"""The base class of every optimizer, as Keras 3's: the step count, the
learning rate (a number or a schedule), weight decay, gradient clipping, and
the config that rebuilds it.

One step, ``apply(params, grads)``, in Keras' order:
    1. clip the gradients, if ``clipnorm``, ``global_clipnorm`` or ``clipvalue`` is set
    2. lr = the learning rate at ``iterations``, the number of steps taken so far
       (a schedule is asked for step 0 at the first update)
    3. weight decay, if ``weight_decay`` is set:  p <- p - p * weight_decay * lr
    4. the optimizer's own update of every parameter (``_update``)
    5. iterations += 1
The arithmetic of 3 and 4 lives in ``tinynet.kernels.optim`` and
``tinynet.kernels.optim_adaptive``, where the formulas are written out.

A subclass writes ``__init__`` (its hyper-parameters, checked), ``build(params)``
(its slot arrays: ``self.slots`` is a list with one list of arrays per kind of
slot), ``_update(params, grads, lr)`` and ``get_config`` (its own keys added).
"""
import re
import warnings

import numpy as np

from .. import backend
from ..layers.layer import unique_name
from . import clipping, schedules
from ._checks import check_name, number, optional_number


class Optimizer:
    """Keras' common optimizer arguments, accepted by every optimizer:

    learning_rate     a number > 0, or a ``schedules.LearningRateSchedule``
    weight_decay      None, or a number >= 0 (see step 3 above)
    clipnorm, clipvalue, global_clipnorm   None, or a number >= 0 (0 = off); at most one
    name              a string; by default 'adam', 'adam_1', ... as Keras names them
    use_ema, ema_momentum, ema_overwrite_frequency, loss_scale_factor,
    gradient_accumulation_steps   not implemented: accepted only switched off
    """

    def __init__(self, learning_rate, weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **unknown):
        if unknown.pop("decay", None) is not None:
            warnings.warn("Argument `decay` is no longer supported and will be ignored.")
        if unknown:
            raise TypeError(f"{type(self).__name__} got unexpected keyword argument(s) {sorted(unknown)}. "
                            "Expected its own hyper-parameters or Keras' common optimizer arguments.")
        # Keras arguments that tinynet does not implement are accepted only at the
        # value that turns them off, so that a Keras config (which lists them) loads.
        if use_ema:
            _unsupported("use_ema", False, use_ema)
        for key, value in [("ema_overwrite_frequency", ema_overwrite_frequency),
                           ("loss_scale_factor", loss_scale_factor),
                           ("gradient_accumulation_steps", gradient_accumulation_steps)]:
            if value is not None:
                _unsupported(key, None, value)
        self.ema_momentum = number("ema_momentum", ema_momentum, 0.0, 1.0, allow_low=True, allow_high=True)
        self.weight_decay = optional_number("weight_decay", weight_decay, allow_low=True)
        self.clipnorm, self.clipvalue, self.global_clipnorm = _clip_arguments(clipnorm, clipvalue, global_clipnorm)
        self.name = unique_name(_snake_case(type(self).__name__)) if name is None else check_name(name)
        self.learning_rate = learning_rate  # checked by the setter below
        self.iterations = 0
        self.slots = None  # built on the first step: one list of arrays per kind of slot

    # -- the learning rate: a number, or a schedule asked at every step ------------------

    @property
    def learning_rate(self):
        """The learning rate the next step will use, as a float."""
        return float(self._current_learning_rate())

    @learning_rate.setter
    def learning_rate(self, value):
        """A number (kept in float32, as Keras keeps it in a float32 variable) or a
        schedule. A number cannot replace a schedule, as in Keras."""
        if isinstance(value, schedules.LearningRateSchedule):
            self._learning_rate = value
            return
        if isinstance(getattr(self, "_learning_rate", None), schedules.LearningRateSchedule):
            raise TypeError("This optimizer's learning rate is a `LearningRateSchedule`, so it cannot be set to a "
                            "number. To set it, create the optimizer with a number as `learning_rate`. "
                            f"Received: learning_rate={value!r}")
        try:
            rate = number("learning_rate", value, allow_low=True)  # 0 freezes the weights, as in Keras
        except ValueError:
            raise ValueError("Argument `learning_rate` must be a number >= 0 or a "
                             f"`tinynet.optimizers.schedules.LearningRateSchedule`. Received: learning_rate={value!r}"
                             ) from None
        self._learning_rate = np.float32(rate)

    def _current_learning_rate(self):
        if isinstance(self._learning_rate, schedules.LearningRateSchedule):
            return np.float32(self._learning_rate(self.iterations))
        return self._learning_rate

    # -- one step ------------------------------------------------------------------------

    def build(self, params):
        raise NotImplementedError

    def apply(self, params, grads):
        """One step: update every array of ``params`` in place from ``grads``."""
        if self.slots is None:
            self.build(params)
        grads = self._clip(grads)
        lr = self._current_learning_rate()
        if self.weight_decay is not None:
            for p in params:
                backend.ops.weight_decay(p, self.weight_decay, lr)
        self._update(params, grads, lr)
        self.iterations += 1

    def _clip(self, grads):
        if self.clipnorm:
            return [clipping.clip_by_norm(g, self.clipnorm) for g in grads]
        if self.global_clipnorm:
            return clipping.clip_by_global_norm(grads, self.global_clipnorm)
        if self.clipvalue:
            return [clipping.clip_by_value(g, self.clipvalue) for g in grads]
        return grads

    def variables(self):
        """The optimizer's state as a flat list (step count first), for saving."""
        slots = [] if self.slots is None else [a for kind in self.slots for a in kind]
        return [np.array(self.iterations, dtype=np.int64)] + slots

    # -- saving --------------------------------------------------------------------------

    def get_config(self):
        """Keras' keys: the common arguments here, each subclass adds its own."""
        rate = self._learning_rate
        return {"name": self.name,
                "learning_rate": (schedules.serialize(rate) if isinstance(rate, schedules.LearningRateSchedule)
                                  else float(rate)),
                "weight_decay": self.weight_decay, "clipnorm": self.clipnorm,
                "global_clipnorm": self.global_clipnorm, "clipvalue": self.clipvalue,
                "use_ema": False, "ema_momentum": self.ema_momentum, "ema_overwrite_frequency": None,
                "loss_scale_factor": None, "gradient_accumulation_steps": None}

    @classmethod
    def from_config(cls, config):
        """The optimizer ``get_config`` described (a schedule included), without its state."""
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = schedules.deserialize(config["learning_rate"])
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name} learning_rate={self.learning_rate:g}>"


def _clip_arguments(clipnorm, clipvalue, global_clipnorm):
    """Each None or a number >= 0 (0 turns it off, as in Keras); at most one set."""
    values = {"clipnorm": clipnorm, "clipvalue": clipvalue, "global_clipnorm": global_clipnorm}
    checked = [optional_number(key, value, allow_low=True) for key, value in values.items()]
    if sum(value is not None for value in checked) > 1:
        raise ValueError("Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. Received: "
                         + ", ".join(f"{key}={value!r}" for key, value in values.items()))
    return checked


def _unsupported(key, off, value):
    raise ValueError(f"Argument `{key}` is not supported by tinynet. Expected {key}={off!r}. "
                     f"Received: {key}={value!r}")


def _snake_case(name):
    """Keras' optimizer names: 'Adam' -> 'adam', 'AdamW' -> 'adam_w', 'RMSprop' -> 'rm_sprop'."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()
