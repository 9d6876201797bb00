"""The fully connected layer:  y = activation(x @ W + b).

x (n, units_in), W "kernel" (units_in, units), b "bias" (units,) -> y (n, units).
On inputs of higher rank, x (n, ..., units_in), the same is applied along the last
axis, as in Keras: every other axis is folded into the batch, y (n, ..., units).

Backward, for dy = dL/dy:
    dz = activation'(z) * dy          (for softmax: the full Jacobian product)
    dW = x.T @ dz,   db = sum_n dz,   dx = dz @ W.T
ReLU and linear run fused inside the Dense kernels (``tinynet.kernels.dense``);
other activations run after the kernel, from ``tinynet.activations``.
"""
import numpy as np

from .. import activations, backend, initializers, regularizers
from ..utils.checks import positive_int
from .layer import Layer

_FUSED = {"linear": False, "relu": True}  # activation -> the kernel's `relu` flag


class Dense(Layer):
    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, **kwargs):
        units = positive_int("units", units)
        self.activation, self._forward, self._backward = activations.get(activation)
        self.kernel_initializer = initializers.get(kernel_initializer, "kernel_initializer")
        self.bias_initializer = initializers.get(bias_initializer, "bias_initializer")
        kernel_regularizer = regularizers.get(kernel_regularizer, "kernel_regularizer")
        bias_regularizer = regularizers.get(bias_regularizer, "bias_regularizer")
        super().__init__(**kwargs)
        self.units = units
        self.use_bias = bool(use_bias)
        self.regularizers = {name: reg for name, reg in [("kernel", kernel_regularizer),
                                                          ("bias", bias_regularizer)] if reg is not None}

    def get_config(self):
        return {**super().get_config(), "units": self.units, "activation": self.activation,
                "use_bias": self.use_bias, "kernel_initializer": self.kernel_initializer.__name__,
                "bias_initializer": self.bias_initializer.__name__,
                "kernel_regularizer": regularizers.serialize(self.regularizers.get("kernel")),
                "bias_regularizer": regularizers.serialize(self.regularizers.get("bias"))}

    def _check_input_shape(self, input_shape):
        """Dense takes (n, ..., features), and once built only its own number of features."""
        shown = ", ".join(map(str, input_shape))
        if len(input_shape) < 1:
            raise ValueError(f"Dense layer '{self.name}' expects inputs of shape (n, ..., features). "
                             f"Received: input_shape=(n,)")
        if self.built and input_shape[-1] != self.kernel.shape[0]:
            raise ValueError(f"Layer '{self.name}' was built for inputs of shape (n, ..., {self.kernel.shape[0]}). "
                             f"Received: inputs of shape (n, {shown})")

    def build(self, input_shape):
        self._check_input_shape(input_shape)
        self.params["kernel"] = self.kernel_initializer((input_shape[-1], self.units))
        if self.use_bias:
            self.params["bias"] = self.bias_initializer((self.units,))
        self.built = True

    @property
    def kernel(self):
        return self.params["kernel"]

    @property
    def bias(self):
        return self.params.get("bias")

    def compute_output_shape(self, input_shape):
        self._check_input_shape(input_shape)
        return tuple(input_shape[:-1]) + (self.units,)

    def _bias_or_zeros(self):
        return self.params["bias"] if self.use_bias else np.zeros(self.units, self.kernel.dtype)

    def call(self, x, training=False):
        self.x_shape = x.shape
        x = x.reshape(-1, x.shape[-1]) if x.ndim > 2 else x  # fold extra axes into the batch
        self.x = x
        fused = self.activation in _FUSED
        z = backend.ops.dense_forward(x, self.kernel, self._bias_or_zeros(), self.activation == "relu")
        self.z = z
        self.a = z if fused else self._forward(z)
        return self._unfold(self.a)

    def _unfold(self, y):
        return y.reshape(self.x_shape[:-1] + (self.units,)) if len(self.x_shape) > 2 else y

    def backward(self, dy):
        dy = dy.reshape(self.a.shape)
        if self.activation in _FUSED:
            return self._dense_backward(dy, relu=self.activation == "relu")
        return self._dense_backward(self._backward(self.z, self.a, dy), relu=False)

    def _dense_backward(self, dz, relu):
        dw = self.gradient_buffer("kernel")
        # Without a bias the kernel still sums dz (one cheap pass) into a throw-away array.
        db = self.gradient_buffer("bias") if self.use_bias else np.empty(self.units, dw.dtype)
        dx = backend.ops.dense_backward(self.x, self.kernel, self.a, dz, relu, self.needs_input_grad, dw, db)
        return None if dx is None else dx.reshape(self.x_shape)

    # A softmax or sigmoid output hands its logits to the loss (see Sequential.compute_gradients).
    @property
    def output_activation(self):
        return self.activation

    @property
    def logits(self):
        return self._unfold(self.z)

    def backward_from_logits(self, dz):
        return self._dense_backward(dz.reshape(self.z.shape), relu=False)
