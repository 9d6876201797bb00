"""Activation functions with Keras' names, each forward beside its backward.

    piecewise.py  linear, relu, leaky_relu, elu, selu, hard_sigmoid
    smooth.py     sigmoid, tanh, softplus, softsign, silu (= swish), gelu, exponential
    rowwise.py    softmax (over a whole row)
    custom.py     any other elementwise function: its backward by central differences

The functions take what Keras' take (any rank, lists, numbers; see
``_inputs.py`` for integers) and return its values; the formulas of each
forward and backward are in its module's docstring. ``get`` is how the layers
find them: ``Dense(8, activation='gelu')``, ``activation=tinynet.activations.gelu``
or ``activation=my_function`` all work.
"""
from ..utils.naming import lookup
from . import custom
from .piecewise import (elu, elu_backward, hard_sigmoid, hard_sigmoid_backward, leaky_relu, leaky_relu_backward,
                        linear, linear_backward, relu, relu_backward, selu, selu_backward)
from .rowwise import softmax, softmax_backward
from .smooth import (exponential, exponential_backward, gelu, gelu_backward, sigmoid, sigmoid_backward, silu,
                     silu_backward, softplus, softplus_backward, softsign, softsign_backward, swish, tanh,
                     tanh_backward)

# name -> (forward, backward); the string 'swish' is Keras' other name for 'silu'.
_ACTIVATIONS = {
    "linear": (linear, linear_backward), "relu": (relu, relu_backward),
    "leaky_relu": (leaky_relu, leaky_relu_backward), "elu": (elu, elu_backward), "selu": (selu, selu_backward),
    "hard_sigmoid": (hard_sigmoid, hard_sigmoid_backward), "sigmoid": (sigmoid, sigmoid_backward),
    "tanh": (tanh, tanh_backward), "softplus": (softplus, softplus_backward),
    "softsign": (softsign, softsign_backward), "silu": (silu, silu_backward), "gelu": (gelu, gelu_backward),
    "exponential": (exponential, exponential_backward), "softmax": (softmax, softmax_backward),
}
_ALIASES = {"swish": "silu"}
_NAMES = {**{name: name for name in _ACTIVATIONS}, **_ALIASES}
_BY_FUNCTION = {forward: name for name, (forward, _) in _ACTIVATIONS.items()}


def get(identifier):
    """(name, forward, backward) for an activation: a Keras name, one of the
    functions above, any other elementwise callable, or None (meaning 'linear').
    The name is Keras' canonical one ('swish' gives 'silu')."""
    if identifier is None:
        identifier = "linear"
    if callable(identifier) and not isinstance(identifier, str):
        if identifier in _BY_FUNCTION:
            name = _BY_FUNCTION[identifier]
            return (name,) + _ACTIVATIONS[name]
        name = getattr(identifier, "__name__", type(identifier).__name__)
        if name in _NAMES:  # not ours, though named like ours: keep the layers from treating it as ours
            name = f"custom_{name}"
        return (name,) + custom.elementwise(identifier, name)
    name = lookup("activation", identifier, _NAMES)
    return (name,) + _ACTIVATIONS[name]


__all__ = ["get", "linear", "relu", "leaky_relu", "elu", "selu", "hard_sigmoid", "sigmoid", "tanh", "softplus",
           "softsign", "silu", "swish", "gelu", "exponential", "softmax"]
