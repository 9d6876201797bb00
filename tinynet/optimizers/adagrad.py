"""Adagrad (Duchi, Hazan & Singer), as Keras 3. The formulas are in
``tinynet.kernels.optim_adaptive``."""
import numpy as np

from .. import backend
from ._checks import number
from .optimizer import Optimizer


class Adagrad(Optimizer):
    """Divide each step by the root of the sum of all the parameter's squared
    gradients so far: parameters that got large gradients take smaller steps.
    The sum starts at ``initial_accumulator_value``. Keras' common arguments
    (``weight_decay``, ``clipnorm``, ``name``, ...) are those of ``Optimizer``."""

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.initial_accumulator_value = number("initial_accumulator_value", initial_accumulator_value,
                                                allow_low=True)
        self.epsilon = number("epsilon", epsilon, 0.0, allow_low=True)

    def build(self, params):
        self.slots = [[np.full_like(p, self.initial_accumulator_value) for p in params]]

    def _update(self, params, grads, lr):
        for p, g, acc in zip(params, grads, self.slots[0]):
            backend.ops.adagrad_update(p, g, acc, lr, self.epsilon)

    def get_config(self):
        return {**super().get_config(), "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}
