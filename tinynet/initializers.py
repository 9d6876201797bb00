"""Weight initializers, drawing from tinynet's seeded generator.

For a kernel of shape (fan_in, fan_out) - or, for a convolution's (kh, kw, c_in, f),
fan_in = kh * kw * c_in and fan_out = kh * kw * f, as Keras counts them:
    glorot_uniform  U(-l, l),  l = sqrt(6 / (fan_in + fan_out))    (Keras' default)
    glorot_normal   N(0, s) truncated at 2s,  s = sqrt(2 / (fan_in + fan_out))
    he_uniform      U(-l, l),  l = sqrt(6 / fan_in)
    he_normal       N(0, s) truncated at 2s,  s = sqrt(2 / fan_in)
    zeros, ones
Keras divides the truncated normal's s by 0.8796, the std of a standard normal
cut at +-2, so that the cut draws still have std s; so do we.
"""
import numpy as np

from .utils.naming import lookup
from .utils.random import generator

_TRUNCATED_STD = 0.87962566103423978


def _fans(shape):
    if len(shape) < 2:
        return (shape[0], shape[0]) if shape else (1, 1)
    receptive_field = int(np.prod(shape[:-2]))  # 1 for a Dense kernel; kh * kw for a Conv2D kernel
    return shape[-2] * receptive_field, shape[-1] * receptive_field


def _uniform(limit, shape):
    return generator().uniform(-limit, limit, size=shape).astype(np.float32)


def _truncated_normal(std, shape):
    draws = generator().standard_normal(size=shape)
    outside = np.abs(draws) > 2
    while outside.any():  # redraw the values past 2 std, as a truncated normal does
        draws[outside] = generator().standard_normal(size=int(outside.sum()))
        outside = np.abs(draws) > 2
    return (draws * std / _TRUNCATED_STD).astype(np.float32)


def glorot_uniform(shape):
    fan_in, fan_out = _fans(shape)
    return _uniform(np.sqrt(6.0 / (fan_in + fan_out)), shape)


def glorot_normal(shape):
    fan_in, fan_out = _fans(shape)
    return _truncated_normal(np.sqrt(2.0 / (fan_in + fan_out)), shape)


def he_uniform(shape):
    return _uniform(np.sqrt(6.0 / _fans(shape)[0]), shape)


def he_normal(shape):
    return _truncated_normal(np.sqrt(2.0 / _fans(shape)[0]), shape)


def zeros(shape):
    return np.zeros(shape, dtype=np.float32)


def ones(shape):
    return np.ones(shape, dtype=np.float32)


_ALL = {f.__name__: f for f in (glorot_uniform, glorot_normal, he_uniform, he_normal, zeros, ones)}


def get(name, argument="initializer"):
    return lookup(argument, name, _ALL)
