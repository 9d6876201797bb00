"""Optimizers with Keras 3's update rules. The arithmetic lives in the kernels
(``tinynet.kernels.optim``, where the formulas are written out); an optimizer
keeps the state - step count, and one slot array per parameter - and calls them.
"""
import numbers

import numpy as np

from . import backend
from .utils.naming import lookup


def _number(name, value, low=0.0, high=None, allow_low=False):
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and np.isfinite(value)
    ok = ok and (value >= low if allow_low else value > low) and (high is None or value < high)
    if not ok:
        bound = f"{'>=' if allow_low else '>'} {low}" + (f" and < {high}" if high is not None else "")
        raise ValueError(f"Argument `{name}` must be a number {bound}. Received: {name}={value!r}")
    return float(value)


class Optimizer:
    name = None

    def __init__(self, learning_rate):
        self.learning_rate = _number("learning_rate", learning_rate)
        self.iterations = 0
        self.slots = None  # built on the first step: one list of arrays per kind of slot

    def build(self, params):
        raise NotImplementedError

    def apply(self, params, grads):
        """One step: update every array of ``params`` in place from ``grads``."""
        if self.slots is None:
            self.build(params)
        self.iterations += 1
        self._update(params, grads)

    def variables(self):
        """The optimizer's state as a flat list (step count first), for saving."""
        slots = [] if self.slots is None else [a for kind in self.slots for a in kind]
        return [np.array(self.iterations, dtype=np.int64)] + slots


class Adam(Optimizer):
    """Adam (Kingma & Ba), exactly as Keras 3: bias correction folded into the step
    size, epsilon outside the square root. See ``tinynet.kernels.optim``."""

    name = "adam"

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
        super().__init__(learning_rate)
        self.beta_1 = _number("beta_1", beta_1, 0.0, 1.0, allow_low=True)
        self.beta_2 = _number("beta_2", beta_2, 0.0, 1.0, allow_low=True)
        self.epsilon = _number("epsilon", epsilon, 0.0, allow_low=True)

    def build(self, params):
        self.slots = [[np.zeros_like(p) for p in params], [np.zeros_like(p) for p in params]]

    def step_size(self):
        """alpha_t = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t), in float32 as Keras computes it."""
        return np.float32(backend.ops.adam_step_size(self.learning_rate, self.beta_1, self.beta_2,
                                                     self.iterations))

    def _update(self, params, grads):
        alpha = float(self.step_size())
        update = backend.ops.adam_update
        for p, g, m, v in zip(params, grads, self.slots[0], self.slots[1]):
            update(p, g, m, v, alpha, self.beta_1, self.beta_2, self.epsilon)

    def get_config(self):
        return {"learning_rate": self.learning_rate, "beta_1": self.beta_1,
                "beta_2": self.beta_2, "epsilon": self.epsilon}


class SGD(Optimizer):
    """Stochastic gradient descent with optional (Nesterov) momentum, as Keras 3."""

    name = "sgd"

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False):
        super().__init__(learning_rate)
        self.momentum = _number("momentum", momentum, 0.0, allow_low=True)
        self.nesterov = bool(nesterov)

    def build(self, params):
        self.slots = [[np.zeros_like(p) for p in params]] if self.momentum else []

    def _update(self, params, grads):
        velocities = self.slots[0] if self.momentum else params  # unused without momentum
        for p, g, u in zip(params, grads, velocities):
            backend.ops.sgd_update(p, g, u, self.learning_rate, self.momentum, self.nesterov)

    def get_config(self):
        return {"learning_rate": self.learning_rate, "momentum": self.momentum,
                "nesterov": self.nesterov}


_NAMES = {"adam": Adam, "sgd": SGD}


def get(identifier):
    """An Optimizer from an instance or a Keras string name ('adam', 'sgd')."""
    if isinstance(identifier, Optimizer):
        return identifier
    return lookup("optimizer", identifier, _NAMES)()
