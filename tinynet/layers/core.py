"""Layers without parameters: Input, Flatten, Reshape and the activation layers.

Shapes: x (n, *input_shape) -> y (n, *output_shape).
"""
import numpy as np

from .. import activations
from .layer import Layer, _as_shape, unique_name


class InputLayer(Layer):
    """Declares the shape of one sample; ``Input(shape=(28, 28))`` makes one.

    ``batch_shape=(None, 28, 28)`` says the same with the batch axis; a fixed
    ``batch_size`` is accepted and not enforced (tinynet takes any batch size).
    """

    def __init__(self, shape=None, batch_size=None, dtype=None, batch_shape=None, name=None):
        if (shape is None) == (batch_shape is None):
            raise ValueError("Input needs exactly one of `shape` or `batch_shape`. "
                             f"Received: shape={shape!r}, batch_shape={batch_shape!r}")
        if shape is None:
            shape = tuple(batch_shape)[1:]
        if dtype not in (None, "float32"):
            raise ValueError(f"tinynet computes in float32 only. Received: dtype={dtype!r}")
        super().__init__(name=name or unique_name("input_layer"), input_shape=_as_shape("shape", shape))

    def call(self, x, training=False):
        return x

    def backward(self, dy):
        return dy


def Input(shape=None, batch_size=None, dtype=None, batch_shape=None, name=None):
    """Keras' ``keras.Input(shape)``: a placeholder that gives a Sequential its input shape."""
    return InputLayer(shape, batch_size=batch_size, dtype=dtype, batch_shape=batch_shape, name=name)


class Flatten(Layer):
    """(n, d1, d2, ...) -> (n, d1 * d2 * ...). The backward pass reshapes back."""

    def compute_output_shape(self, input_shape):
        return (int(np.prod(input_shape)),)

    def call(self, x, training=False):
        self.x_shape = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, dy):
        return dy.reshape(self.x_shape)


class Reshape(Layer):
    """(n, *input_shape) -> (n, *target_shape), the values in the same order; one entry
    of ``target_shape`` may be -1, meaning "whatever size makes the total fit"."""

    def __init__(self, target_shape, **kwargs):
        try:
            shape = tuple(int(s) for s in target_shape)
        except (TypeError, ValueError):
            shape = None
        if shape is None or shape.count(-1) > 1 or any(s < 1 and s != -1 for s in shape):
            raise ValueError("Argument `target_shape` must be a tuple of positive integers, one of which may be "
                             f"-1. Received: target_shape={target_shape!r}")
        super().__init__(**kwargs)
        self.target_shape = shape

    def get_config(self):
        return {**super().get_config(), "target_shape": list(self.target_shape)}

    def compute_output_shape(self, input_shape):
        size, known = int(np.prod(input_shape)), int(np.prod([s for s in self.target_shape if s != -1]))
        fits = size % known == 0 if -1 in self.target_shape else size == known
        if not fits:
            raise ValueError(f"Reshape layer '{self.name}': the total size must be unchanged. Received: "
                             f"input_shape={tuple(input_shape)} ({size} values), target_shape={self.target_shape}")
        return tuple(size // known if s == -1 else s for s in self.target_shape)

    def call(self, x, training=False):
        self.x_shape = x.shape
        return x.reshape((x.shape[0],) + self.compute_output_shape(x.shape[1:]))

    def backward(self, dy):
        return dy.reshape(self.x_shape)


class Activation(Layer):
    """Applies an activation by name: ``Activation('relu')``. See ``tinynet.activations``."""

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation, self._forward, self._backward = activations.get(activation)

    def get_config(self):
        return {**super().get_config(), "activation": self.activation}

    def call(self, x, training=False):
        self.z = x
        self.a = self._forward(x)
        return self.a

    def backward(self, dy):
        return self._backward(self.z, self.a, dy)

    # A softmax or sigmoid output hands its logits to the loss (see Sequential.compute_gradients).
    @property
    def output_activation(self):
        return self.activation

    @property
    def logits(self):
        return self.z

    def backward_from_logits(self, dz):
        return dz


class ReLU(Activation):
    """max(x, 0) as a layer. Keras' extra options (max_value, ...) are not supported."""

    def __init__(self, **kwargs):
        super().__init__("relu", **kwargs)

    def get_config(self):
        return Layer.get_config(self)


class Softmax(Activation):
    """Softmax over the last axis as a layer."""

    def __init__(self, axis=-1, **kwargs):
        if axis != -1:
            raise ValueError(f"Softmax supports only the last axis. Received: axis={axis!r}")
        super().__init__("softmax", **kwargs)

    def get_config(self):
        return Layer.get_config(self)
