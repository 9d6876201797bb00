"""Inverted dropout, as Keras does it.

Training:   y = x * mask / (1 - rate),  mask_i ~ Bernoulli(1 - rate)
Inference:  y = x
Backward:   dx = dy * mask / (1 - rate)
Dividing by (1 - rate) while training keeps the expected activation the same, so
nothing needs rescaling at inference time.
"""
import numpy as np

from ..utils.checks import fraction
from ..utils.random import generator
from .layer import Layer


class Dropout(Layer):
    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = fraction("rate", rate)
        self.seed = seed
        # With a seed the layer has its own generator; otherwise it draws from tinynet's.
        self._rng = np.random.default_rng(seed) if seed is not None else None
        self.mask = None

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}

    def call(self, x, training=False):
        if not training or self.rate == 0:
            self.mask = None
            return x
        rng = self._rng if self._rng is not None else generator()
        keep = rng.random(x.shape, dtype=np.float32) >= self.rate
        self.mask = keep.astype(x.dtype) / x.dtype.type(1 - self.rate)
        return x * self.mask

    def backward(self, dy):
        return dy if self.mask is None else dy * self.mask
