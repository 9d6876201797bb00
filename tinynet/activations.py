"""Activation functions, each forward beside its backward.

For z (n, c) and a = f(z), every ``backward(z, a, da)`` returns dL/dz given
da = dL/da, using whichever of z and a is cheaper:

    linear   a = z                         dz = da
    relu     a = max(z, 0)                 dz = da * (z > 0)
    sigmoid  a = 1 / (1 + exp(-z))         dz = da * a * (1 - a)
    tanh     a = tanh(z)                   dz = da * (1 - a^2)
    softmax  a_j = exp(z_j) / sum_k exp(z_k), per row
                                           dz = a * (da - sum_k da_k a_k)
"""
import numpy as np

from . import backend
from .utils.naming import lookup


def linear(z):
    return z


def linear_backward(z, a, da):
    return da


def relu(z):
    return np.maximum(z, 0)


def relu_backward(z, a, da):
    return da * (z > 0)


def sigmoid(z):
    # exp of a large positive number overflows; the two branches never do.
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_backward(z, a, da):
    return da * a * (1 - a)


def tanh(z):
    return np.tanh(z)


def tanh_backward(z, a, da):
    return da * (1 - a * a)


def softmax(z):
    # exp(z - max(z)) never overflows. The loop lives in tinynet.kernels.crossentropy.
    return backend.ops.softmax(z)


def softmax_backward(z, a, da):
    return a * (da - (da * a).sum(axis=-1, keepdims=True))


_FORWARD = {"linear": linear, "relu": relu, "sigmoid": sigmoid, "tanh": tanh, "softmax": softmax}
_BACKWARD = {"linear": linear_backward, "relu": relu_backward, "sigmoid": sigmoid_backward,
             "tanh": tanh_backward, "softmax": softmax_backward}


def get(name):
    """The activation's name and its (forward, backward) pair; None means 'linear'."""
    name = "linear" if name is None else name
    forward = lookup("activation", name, _FORWARD)
    return name, forward, _BACKWARD[name]
