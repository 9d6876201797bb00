"""Learning-rate schedules, as Keras 3's ``keras.optimizers.schedules``.

A schedule is a small object: ``schedule(step)`` gives the learning rate at
optimizer step ``step`` (0 for the first update), and ``get_config()`` the
arguments that rebuild it. Pass one as any optimizer's ``learning_rate``:

    lr = schedules.ExponentialDecay(0.1, decay_steps=1000, decay_rate=0.5)
    model.compile(optimizer=optimizers.SGD(learning_rate=lr), ...)

Every formula is computed in float32, operation by operation, as Keras does.
To write your own, subclass ``LearningRateSchedule`` and write ``__call__``
(and ``get_config`` if it is to be saved).
"""
import numbers

import numpy as np

from ..utils.naming import lookup
from ._checks import check_name, number

f32 = np.float32


class LearningRateSchedule:
    """The base class: a subclass writes ``__call__(step)`` and ``get_config()``."""

    def __call__(self, step):
        raise NotImplementedError(f"Learning rate schedule '{type(self).__name__}' must override "
                                  "`__call__(self, step)`.")

    def get_config(self):
        raise NotImplementedError(f"Learning rate schedule '{type(self).__name__}' must override "
                                  "`get_config()` in order to be serializable.")

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class ExponentialDecay(LearningRateSchedule):
    """lr(step) = initial_learning_rate * decay_rate ** (step / decay_steps)

    With ``staircase=True`` the exponent is floor(step / decay_steps): the rate
    drops by a factor ``decay_rate`` every ``decay_steps`` steps.
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name="ExponentialDecay"):
        self.initial_learning_rate = number("initial_learning_rate", initial_learning_rate, allow_low=True)
        self.decay_steps = _decay_steps(decay_steps)
        self.decay_rate = number("decay_rate", decay_rate, allow_low=True)
        self.staircase = bool(staircase)
        self.name = check_name(name)

    def __call__(self, step):
        p = f32(step) / f32(self.decay_steps)
        if self.staircase:
            p = np.floor(p)
        return f32(self.initial_learning_rate) * f32(self.decay_rate) ** p

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase, "name": self.name}


class InverseTimeDecay(LearningRateSchedule):
    """lr(step) = initial_learning_rate / (1 + decay_rate * step / decay_steps)

    With ``staircase=True``, step / decay_steps is rounded down first.
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name="InverseTimeDecay"):
        self.initial_learning_rate = number("initial_learning_rate", initial_learning_rate, allow_low=True)
        self.decay_steps = _decay_steps(decay_steps)
        self.decay_rate = number("decay_rate", decay_rate, allow_low=True)
        self.staircase = bool(staircase)
        self.name = check_name(name)

    def __call__(self, step):
        p = f32(step) / f32(self.decay_steps)
        if self.staircase:
            p = np.floor(p)
        return f32(self.initial_learning_rate) / (f32(1) + f32(self.decay_rate) * p)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase, "name": self.name}


class PiecewiseConstantDecay(LearningRateSchedule):
    """lr(step) = values[0]   while step <= boundaries[0],
                  values[i]   while boundaries[i-1] < step <= boundaries[i],
                  values[-1]  once step > boundaries[-1].

    ``boundaries`` are strictly increasing step counts; ``values`` has one more entry.
    """

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        boundaries, values = _number_list("boundaries", boundaries), _number_list("values", values)
        if len(boundaries) != len(values) - 1:
            raise ValueError("The length of boundaries should be 1 less than the length of values. Received: "
                             f"boundaries={boundaries} of length {len(boundaries)}, and values={values} "
                             f"of length {len(values)}.")
        if any(b >= c for b, c in zip(boundaries, boundaries[1:])):
            raise ValueError(f"Argument `boundaries` must be strictly increasing. Received: boundaries={boundaries}")
        self.boundaries, self.values = boundaries, values
        self.name = check_name(name)

    def __call__(self, step):
        for boundary, value in zip(self.boundaries, self.values):
            if step <= boundary:
                return f32(value)
        return f32(self.values[-1])

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class CosineDecay(LearningRateSchedule):
    """A cosine from the start rate down to ``alpha`` times it, over ``decay_steps``:

        s = min(step, decay_steps)
        lr(step) = start * ((1 - alpha) * 0.5 * (1 + cos(pi * s / decay_steps)) + alpha)

    where start = initial_learning_rate. With a ``warmup_target``, the rate first
    climbs in a straight line from initial_learning_rate to warmup_target over
    ``warmup_steps`` steps, then decays as above from start = warmup_target
    (counting s from the end of the warm-up).
    """

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name="CosineDecay", warmup_target=None,
                 warmup_steps=0):
        self.initial_learning_rate = number("initial_learning_rate", initial_learning_rate, allow_low=True)
        self.decay_steps = _decay_steps(decay_steps)
        self.alpha = number("alpha", alpha, 0.0, 1.0, allow_low=True, allow_high=True)
        self.name = check_name(name)
        self.warmup_target = (None if warmup_target is None
                              else number("warmup_target", warmup_target, allow_low=True))
        number("warmup_steps", warmup_steps, allow_low=True)
        self.warmup_steps = warmup_steps

    def __call__(self, step):
        start, decay_steps, step = f32(self.initial_learning_rate), f32(self.decay_steps), f32(step)
        if self.warmup_target is None:
            return self._decay(min(step, decay_steps), decay_steps, start)
        target, warmup_steps = f32(self.warmup_target), f32(self.warmup_steps)
        step = min(step, decay_steps + warmup_steps)
        if step < warmup_steps:
            return (target - start) * (step / warmup_steps) + start
        return self._decay(step - warmup_steps, decay_steps, target)

    def _decay(self, step, decay_steps, start):
        cosine = f32(0.5) * (f32(1) + np.cos(f32(np.pi) * (step / decay_steps)))
        return start * (f32(1 - self.alpha) * cosine + f32(self.alpha))

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "alpha": self.alpha, "name": self.name, "warmup_target": self.warmup_target,
                "warmup_steps": self.warmup_steps}


def _decay_steps(value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value > 0:
        raise ValueError(f"Argument `decay_steps` must be > 0. Received: decay_steps={value!r}")
    return value


def _number_list(name, values):
    """``values`` as a list, if it is a non-empty list (or tuple) of finite numbers."""
    good = isinstance(values, (list, tuple)) and len(values) > 0
    good = good and all(isinstance(v, numbers.Real) and not isinstance(v, bool) and np.isfinite(v) for v in values)
    if not good:
        raise ValueError(f"Argument `{name}` must be a non-empty list of numbers. Received: {name}={values!r}")
    return list(values)


_SCHEDULES = {cls.__name__: cls for cls in (ExponentialDecay, InverseTimeDecay, PiecewiseConstantDecay, CosineDecay)}


def serialize(schedule):
    """The dict Keras writes for a schedule, so that either library reads the other's."""
    return {"module": "keras.optimizers.schedules", "class_name": type(schedule).__name__,
            "config": schedule.get_config(), "registered_name": None}


def deserialize(config):
    """The schedule that ``serialize`` described."""
    if not isinstance(config, dict) or not {"class_name", "config"} <= set(config):
        raise ValueError("Argument `config` must be a dict with keys 'class_name' and 'config', as "
                         f"`serialize` writes. Received: config={config!r}")
    return lookup("schedule", config["class_name"], _SCHEDULES).from_config(config["config"])
