"""RMSprop (Hinton), as Keras 3. The formulas are in ``tinynet.kernels.optim_adaptive``."""
import numpy as np

from .. import backend
from ._checks import number
from .optimizer import Optimizer


class RMSprop(Optimizer):
    """Divide each step by a running root-mean-square of the parameter's gradients.

    Slots: the mean square s; with ``momentum`` > 0 a velocity; with
    ``centered=True`` the mean gradient, so that the step is divided by an
    estimate of the gradient's standard deviation instead. Keras' common
    arguments (``weight_decay``, ``clipnorm``, ``name``, ...) are those of ``Optimizer``.
    """

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.rho = number("rho", rho, 0.0, 1.0, allow_low=True)
        self.momentum = number("momentum", momentum, 0.0, 1.0, allow_low=True, allow_high=True)
        self.epsilon = number("epsilon", epsilon, 0.0, allow_low=True)
        self.centered = bool(centered)

    def build(self, params):
        self.slots = [[np.zeros_like(p) for p in params]]  # mean squares s
        if self.momentum > 0:
            self.slots.append([np.zeros_like(p) for p in params])  # velocities
        if self.centered:
            self.slots.append([np.zeros_like(p) for p in params])  # mean gradients

    def _update(self, params, grads, lr):
        squares = self.slots[0]
        # A slot that is off is passed as the mean squares, which the kernel then ignores.
        velocities = self.slots[1] if self.momentum > 0 else squares
        means = self.slots[-1] if self.centered else squares
        for p, g, s, u, a in zip(params, grads, squares, velocities, means):
            backend.ops.rmsprop_update(p, g, s, u, a, lr, self.rho, self.momentum, self.epsilon, self.centered)

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum, "epsilon": self.epsilon,
                "centered": self.centered}
