"""Adam (Kingma & Ba), and its AMSGrad variant, as Keras 3. The formulas are in
``tinynet.kernels.optim``."""
import numpy as np

from .. import backend
from ._checks import number
from .optimizer import Optimizer


class Adam(Optimizer):
    """Adam exactly as Keras 3: bias correction folded into the step size (in
    float32), epsilon outside the square root. Slots: m and v per parameter (and
    v_hat, the largest v so far, with ``amsgrad=True``). Keras' common arguments
    (``weight_decay``, ``clipnorm``, ``name``, ...) are those of ``Optimizer``."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.beta_1 = number("beta_1", beta_1, 0.0, 1.0, allow_low=True)
        self.beta_2 = number("beta_2", beta_2, 0.0, 1.0, allow_low=True)
        self.epsilon = number("epsilon", epsilon, 0.0, allow_low=True)
        self.amsgrad = bool(amsgrad)

    def build(self, params):
        kinds = 3 if self.amsgrad else 2  # m, v (, v_hat)
        self.slots = [[np.zeros_like(p) for p in params] for _ in range(kinds)]

    def step_size(self, lr):
        """alpha_t = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t) for the coming step
        t = iterations + 1, in float32 as Keras computes it."""
        return np.float32(backend.ops.adam_step_size(lr, self.beta_1, self.beta_2, self.iterations + 1))

    def _update(self, params, grads, lr):
        alpha = float(self.step_size(lr))
        if self.amsgrad:
            for p, g, m, v, v_hat in zip(params, grads, *self.slots):
                backend.ops.adam_amsgrad_update(p, g, m, v, v_hat, alpha, self.beta_1, self.beta_2, self.epsilon)
            return
        for p, g, m, v in zip(params, grads, *self.slots):
            backend.ops.adam_update(p, g, m, v, alpha, self.beta_1, self.beta_2, self.epsilon)

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon,
                "amsgrad": self.amsgrad}
