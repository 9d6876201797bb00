"""Batch normalization, as Keras' ``BatchNormalization`` (over the last axis).

Each channel (the last axis: a Dense layer's units, an image's channels) is
normalised to mean 0 and variance 1, then scaled and shifted by two trained
weights:  y = gamma * (x - mean) / sqrt(variance + epsilon) + beta.

Training (``fit``): mean and variance are the batch's own (over every sample and
pixel), and the layer keeps moving averages of them, updated after each batch:
    moving_mean     = moving_mean * momentum + mean * (1 - momentum)
    moving_variance = moving_variance * momentum + variance * (1 - momentum)
(the variance divides by the number of values, not one less, as in Keras).
Inference (``predict``, ``evaluate``, ``layer(x)``): the moving averages are used.
A frozen layer (``trainable=False``) always runs as in inference, as in Keras 3.

Weights, in Keras' order: gamma (with ``scale``), beta (with ``center``), then
moving_mean and moving_variance, which are not trained (they have no gradient;
the optimizer never sees them) but are saved, loaded and counted like the others.
The maths, forward and backward, is in ``tinynet.kernels.batchnorm``.
"""
import numbers

import numpy as np

from .. import backend, initializers
from ..utils.checks import fraction
from .layer import Layer


class BatchNormalization(Layer):
    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", moving_mean_initializer="zeros",
                 moving_variance_initializer="ones", **kwargs):
        if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
            raise ValueError(f"Argument `axis` must be an integer. Received: axis={axis!r}")
        momentum = fraction("momentum", momentum)
        if isinstance(epsilon, bool) or not isinstance(epsilon, numbers.Real) or not epsilon > 0:
            raise ValueError(f"Argument `epsilon` must be a number > 0. Received: epsilon={epsilon!r}")
        self.initializers = {name: initializers.get(init, f"{name}_initializer") for name, init in
                             [("gamma", gamma_initializer), ("beta", beta_initializer),
                              ("moving_mean", moving_mean_initializer),
                              ("moving_variance", moving_variance_initializer)]}
        super().__init__(**kwargs)
        self.axis, self.momentum, self.epsilon = int(axis), momentum, float(epsilon)
        self.center, self.scale = bool(center), bool(scale)
        self.non_trainable_names = {"moving_mean", "moving_variance"}

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "momentum": self.momentum, "epsilon": self.epsilon,
                "center": self.center, "scale": self.scale,
                **{f"{name}_initializer": init.__name__ for name, init in self.initializers.items()}}

    def compute_output_shape(self, input_shape):
        rank = len(input_shape) + 1  # with the batch axis, as Keras counts `axis`
        if not -rank <= self.axis < rank or self.axis % rank != rank - 1:
            raise ValueError(f"BatchNormalization layer '{self.name}' normalises only the last axis (channels "
                             f"last). Received: axis={self.axis} for inputs of shape "
                             f"(n, {', '.join(map(str, input_shape))})")
        if self.built and input_shape[-1] != self.params["moving_mean"].shape[0]:
            raise ValueError(f"Layer '{self.name}' was built for inputs with {self.params['moving_mean'].shape[0]} "
                             f"channels on the last axis. Received: inputs of shape "
                             f"(n, {', '.join(map(str, input_shape))})")
        return tuple(input_shape)

    def build(self, input_shape):
        self.compute_output_shape(input_shape)
        shape = (input_shape[-1],)
        names = (["gamma"] if self.scale else []) + (["beta"] if self.center else [])
        for name in names + ["moving_mean", "moving_variance"]:
            self.params[name] = self.initializers[name](shape)
        self.built = True

    def _gamma_beta(self):
        """gamma and beta, or 1 and 0 for the ones the layer does not have."""
        like = self.params["moving_mean"]
        return self.params.get("gamma", np.ones_like(like)), self.params.get("beta", np.zeros_like(like))

    def call(self, x, training=False):
        self.x_shape = x.shape
        self.x = np.ascontiguousarray(x).reshape(-1, x.shape[-1])   # (m, c): every other axis folded in
        gamma, beta = self._gamma_beta()
        self.batch_stats = bool(training) and self.trainable
        if self.batch_stats:
            self.mean, self.variance = backend.ops.batchnorm_moments(self.x)
            self._update_moving(self.params["moving_mean"], self.mean)
            self._update_moving(self.params["moving_variance"], self.variance)
        else:  # copies: backward must see the statistics this output was made with
            self.mean, self.variance = self.params["moving_mean"].copy(), self.params["moving_variance"].copy()
        y = backend.ops.batchnorm_forward(self.x, self.mean, self.variance, gamma, beta, self.epsilon)
        return y.reshape(x.shape)

    def _update_moving(self, moving, batch_value):
        """moving = moving * momentum + batch_value * (1 - momentum), in place, in the weights' dtype."""
        t = moving.dtype.type
        moving[...] = moving * t(self.momentum) + batch_value * t(1.0 - self.momentum)

    def backward(self, dy):
        like = self.params["moving_mean"]
        dgamma = self.gradient_buffer("gamma") if self.scale else np.empty_like(like)
        dbeta = self.gradient_buffer("beta") if self.center else np.empty_like(like)
        dy = np.ascontiguousarray(dy).reshape(self.x.shape)
        dx = backend.ops.batchnorm_backward(self.x, self.mean, self.variance, self._gamma_beta()[0], dy,
                                            self.epsilon, self.batch_stats, dgamma, dbeta)
        return dx.reshape(self.x_shape) if self.needs_input_grad else None
