"""Smooth activations, each forward beside its backward.

For z of any shape and a = f(z), ``backward(z, a, da)`` returns dL/dz given
da = dL/da (elementwise); s(z) = 1 / (1 + e^-z) is the sigmoid:

    sigmoid      a = s(z)                                  dz = da * a (1 - a)
    tanh         a = tanh(z)                               dz = da * (1 - a^2)
    softplus     a = log(1 + e^z) = max(z, 0) + log(1 + e^-|z|)
                                                           dz = da * s(z)
    softsign     a = z / (1 + |z|)                         dz = da / (1 + |z|)^2
    silu, swish  a = z s(z)                                dz = da * (s + a (1 - s))
    gelu         a = z Phi(z) = z erfc(-z / sqrt 2) / 2
                                                           dz = da * (Phi(z) + z e^(-z^2/2) / sqrt(2 pi))
    exponential  a = e^z                                   dz = da * a

Every exp() here gets a non-positive argument (or is exponential itself), so
nothing overflows at z = +-1e4. GELU is Keras' exact form (approximate=False
is its default); ``gelu(x, approximate=True)`` gives the tanh approximation
0.5 z (1 + tanh(sqrt(2/pi) (z + 0.044715 z^3))), whose backward tinynet does
not have (used as an activation it is differentiated numerically).
"""
import math

import numpy as np

from .. import backend
from ._inputs import as_input, at_least_float32


def _sigmoid(z):
    # exp of a large positive number overflows; the two branches never do.
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e)).astype(z.dtype, copy=False)


def sigmoid(x):
    return _sigmoid(as_input(x, "sigmoid"))


def sigmoid_backward(z, a, da):
    return da * a * (1 - a)


def tanh(x):
    return np.tanh(as_input(x, "tanh", to_float="biu"))


def tanh_backward(z, a, da):
    return da * (1 - a * a)


def softplus(x):
    x = as_input(x, "softplus")
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


def softplus_backward(z, a, da):
    return da * _sigmoid(z)


def softsign(x):
    x = as_input(x, "softsign")
    return x / (1 + np.abs(x))


def softsign_backward(z, a, da):
    d = 1 + np.abs(z)
    return da / (d * d)


def silu(x):
    x = as_input(x, "silu")
    return x * _sigmoid(x)


swish = silu  # Keras' other name for it


def silu_backward(z, a, da):
    s = _sigmoid(z)
    return da * (s + a * (1 - s))


def _normal_cdf(z):
    """Phi(z) = erfc(-z / sqrt 2) / 2, as TensorFlow computes it (see tinynet.kernels.special)."""
    scaled = np.asarray(at_least_float32(z) * (-1 / math.sqrt(2)))  # an array even for one number
    return (0.5 * backend.ops.erfc(scaled)).astype(z.dtype, copy=False)


def gelu(x, approximate=False):
    x = as_input(x, "gelu")
    if approximate:
        inner = math.sqrt(2 / math.pi) * (x + 0.044715 * x * x * x)
        return 0.5 * x * (1 + np.tanh(inner))
    return x * _normal_cdf(x)


def gelu_backward(z, a, da):
    density = np.exp(-0.5 * z * z) * (1 / math.sqrt(2 * math.pi))
    return da * (_normal_cdf(z) + z * density)


def exponential(x):
    return np.exp(as_input(x, "exponential", to_float="biu"))


def exponential_backward(z, a, da):
    return da * a
