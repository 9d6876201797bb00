"""Activations defined piece by piece, each forward beside its backward.

For z of any shape and a = f(z), ``backward(z, a, da)`` returns dL/dz given
da = dL/da (elementwise), using whichever of z and a is cheaper:

    linear        a = z                                       dz = da
    relu          a = max(z, 0)                               dz = da * (z > 0)
    leaky_relu    a = z if z > 0 else s z     (s = 0.2)       dz = da * (1 if z > 0 else s)
    elu           a = z if z > 0 else alpha (e^z - 1)         dz = da * (1 if z >= 0 else a + alpha)
                  (alpha = 1 when named as a string, as in Keras)
    selu          a = scale * elu(z) with alpha = 1.6732632...,  scale = 1.0507009...
                                                              dz = da * (scale if z >= 0 else a + scale alpha)
    hard_sigmoid  a = clip((z + 3) / 6, 0, 1)                 dz = da / 6 where -3 < z < 3, else 0

At z = 0 each slope is the one TensorFlow uses: relu's is 0, leaky_relu's is
s, elu's and selu's those of their right piece (1 and scale). SELU's constants
make a layer keep inputs of mean 0 and variance 1 at mean 0 and variance 1
(for weights drawn with variance 1/fan_in).
"""
import numpy as np

from ._inputs import as_input

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def linear(x):
    return x


def linear_backward(z, a, da):
    return da


def relu(x):
    x = as_input(x, "relu", keep="iu")
    return np.maximum(x, 0)


def relu_backward(z, a, da):
    return da * (z > 0)


def leaky_relu(x, negative_slope=0.2):
    x = as_input(x, "leaky_relu", to_float="iu")
    return np.where(x > 0, x, x * negative_slope).astype(x.dtype, copy=False)


def leaky_relu_backward(z, a, da):
    return da * np.where(z > 0, 1.0, 0.2).astype(da.dtype, copy=False)


def elu(x, alpha=1.0):
    x = as_input(x, "elu")
    # expm1(z) = e^z - 1 without losing digits near z = 0; min(z, 0) keeps exp from overflowing.
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0))).astype(x.dtype, copy=False)


def elu_backward(z, a, da):
    return da * np.where(z < 0, a + 1.0, 1.0).astype(da.dtype, copy=False)


def selu(x):
    x = as_input(x, "selu")
    negative = SELU_SCALE * SELU_ALPHA * np.expm1(np.minimum(x, 0))
    return np.where(x > 0, SELU_SCALE * x, negative).astype(x.dtype, copy=False)


def selu_backward(z, a, da):
    return da * np.where(z < 0, a + SELU_SCALE * SELU_ALPHA, SELU_SCALE).astype(da.dtype, copy=False)


def hard_sigmoid(x):
    x = as_input(x, "hard_sigmoid")
    return np.clip((x + 3) / 6, 0, 1).astype(x.dtype, copy=False)


def hard_sigmoid_backward(z, a, da):
    return da * (((z > -3) & (z < 3)) / 6).astype(da.dtype, copy=False)
