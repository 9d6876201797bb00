"""Stochastic gradient descent with optional (Nesterov) momentum, as Keras 3.
The formulas are in ``tinynet.kernels.optim``."""
import numpy as np

from .. import backend
from ._checks import number
from .optimizer import Optimizer


class SGD(Optimizer):
    """p <- p - lr * g; with momentum mu a velocity u <- mu * u - lr * g carries
    past steps on (``nesterov``: look ahead along u). Keras' common arguments
    (``weight_decay``, ``clipnorm``, ``name``, ...) are those of ``Optimizer``."""

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.momentum = number("momentum", momentum, 0.0, 1.0, allow_low=True, allow_high=True)
        self.nesterov = bool(nesterov)

    def build(self, params):
        self.slots = [[np.zeros_like(p) for p in params]] if self.momentum else []

    def _update(self, params, grads, lr):
        velocities = self.slots[0] if self.momentum else params  # unused without momentum
        for p, g, u in zip(params, grads, velocities):
            backend.ops.sgd_update(p, g, u, lr, self.momentum, self.nesterov)

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}
