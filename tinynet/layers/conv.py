"""The 2D convolution layer:  y = activation(conv(x, W) + b).

x (n, h, w, c_in) images, channels last as in Keras; W "kernel" (kh, kw, c_in,
filters), b "bias" (filters,) -> y (n, oh, ow, filters). Each output pixel and
filter is a dot product of one window of x (kh x kw pixels, every channel) with
that filter's weights:

    y[i, r, q, f] = b[f] + sum over a, b2, c of x[i, r * sh + a * dh, q * sw + b2 * dw, c] * W[a, b2, c, f]

(rows and columns counted in the padded image). ``padding='valid'`` keeps only
the windows that fit inside the image; ``'same'`` pads with zeros so that
oh = ceil(h / sh). How a convolution becomes a matrix product, and its backward
pass, are in ``tinynet.kernels.conv``; ReLU and linear run fused inside those
kernels, other activations after them. In a Sequential, a Conv2D with ReLU or
no activation and the MaxPooling2D after it run as one step
(``tinynet.models.fusion``).
"""
import numpy as np

from .. import activations, backend, initializers, regularizers
from ..kernels.conv import conv2d_workspace
from ..kernels.windows import output_size, padding_for
from ..utils.checks import int_pair, positive_int
from ..utils.naming import lookup
from .layer import Layer

_FUSED = {"linear": False, "relu": True}  # activation -> the kernel's `relu` flag


def padding_mode(padding):
    """'valid' or 'same' (any case, as Keras accepts them)."""
    return lookup("padding", padding.lower() if isinstance(padding, str) else padding,
                  {"valid": "valid", "same": "same"})


def channels_last(data_format):
    """tinynet's images are channels-last, Keras' default; 'channels_first' is refused."""
    if data_format not in (None, "channels_last"):
        raise ValueError("tinynet supports only data_format='channels_last' (images of shape (n, height, "
                         f"width, channels)), Keras' default. Received: data_format={data_format!r}")
    return "channels_last"


def image_shape(layer, input_shape):
    """``input_shape`` must be one image, (height, width, channels)."""
    if len(input_shape) != 3:
        shown = ", ".join(map(str, input_shape))
        raise ValueError(f"{type(layer).__name__} layer '{layer.name}' expects inputs of shape (n, height, width, "
                         f"channels). Received: inputs of shape (n, {shown}), rank {len(input_shape) + 1}")
    return tuple(input_shape)


class Conv2D(Layer):
    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, **kwargs):
        filters = positive_int("filters", filters)
        kernel_size = int_pair("kernel_size", kernel_size)
        strides = int_pair("strides", strides)
        dilation_rate = int_pair("dilation_rate", dilation_rate)
        if max(strides) > 1 and max(dilation_rate) > 1:
            raise ValueError("`strides > 1` not supported in conjunction with `dilation_rate > 1` (as in "
                             f"Keras). Received: strides={strides} and dilation_rate={dilation_rate}")
        if groups != 1:
            raise ValueError(f"tinynet's Conv2D supports only groups=1. Received: groups={groups!r}")
        padding = padding_mode(padding)
        data_format = channels_last(data_format)
        self.activation, self._forward, self._backward = activations.get(activation)
        self.kernel_initializer = initializers.get(kernel_initializer, "kernel_initializer")
        self.bias_initializer = initializers.get(bias_initializer, "bias_initializer")
        kernel_regularizer = regularizers.get(kernel_regularizer, "kernel_regularizer")
        bias_regularizer = regularizers.get(bias_regularizer, "bias_regularizer")
        super().__init__(**kwargs)
        self.filters, self.kernel_size, self.strides = filters, kernel_size, strides
        self.padding, self.data_format, self.dilation_rate = padding, data_format, dilation_rate
        self.use_bias = bool(use_bias)
        self.regularizers = {name: reg for name, reg in [("kernel", kernel_regularizer),
                                                          ("bias", bias_regularizer)] if reg is not None}
        self._work = None  # the Numba kernels' scratch arrays, made once per input shape
        self._pool_work = None  # the same when run with a MaxPooling2D (tinynet.models.fusion)
        self.a = None      # the output of the last call

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "kernel_size": list(self.kernel_size),
                "strides": list(self.strides), "padding": self.padding, "data_format": self.data_format,
                "dilation_rate": list(self.dilation_rate), "groups": 1, "activation": self.activation,
                "use_bias": self.use_bias, "kernel_initializer": self.kernel_initializer.__name__,
                "bias_initializer": self.bias_initializer.__name__,
                "kernel_regularizer": regularizers.serialize(self.regularizers.get("kernel")),
                "bias_regularizer": regularizers.serialize(self.regularizers.get("bias"))}

    # -- shapes --------------------------------------------------------------------------
    def _pads(self, input_shape):
        """(top, bottom, left, right) rows and columns of zero padding."""
        return (padding_for(input_shape[0], self.kernel_size[0], self.strides[0], self.dilation_rate[0], self.padding)
                + padding_for(input_shape[1], self.kernel_size[1], self.strides[1], self.dilation_rate[1],
                              self.padding))

    def compute_output_shape(self, input_shape):
        h, w, c = image_shape(self, input_shape)
        if self.built and c != self.kernel.shape[2]:
            raise ValueError(f"Layer '{self.name}' was built for images with {self.kernel.shape[2]} channel(s). "
                             f"Received: inputs of shape (n, {h}, {w}, {c})")
        pads = self._pads((h, w))
        oh = output_size(h, self.kernel_size[0], self.strides[0], self.dilation_rate[0], pads[0], pads[1])
        ow = output_size(w, self.kernel_size[1], self.strides[1], self.dilation_rate[1], pads[2], pads[3])
        if oh < 1 or ow < 1:
            kh, kw = self.kernel_size
            raise ValueError(f"Conv2D layer '{self.name}': its {kh}x{kw} kernel (dilation_rate="
                             f"{self.dilation_rate}) is larger than its input with padding='{self.padding}'. "
                             f"Received: inputs of shape (n, {h}, {w}, {c}); use smaller kernels, "
                             "padding='same', or larger images")
        return oh, ow, self.filters

    def build(self, input_shape):
        _, _, c = image_shape(self, input_shape)
        self.compute_output_shape(input_shape)
        self.params["kernel"] = self.kernel_initializer(self.kernel_size + (c, self.filters))
        if self.use_bias:
            self.params["bias"] = self.bias_initializer((self.filters,))
        self.built = True

    @property
    def kernel(self):
        return self.params["kernel"]

    @property
    def bias(self):
        return self.params.get("bias")

    # -- the passes ----------------------------------------------------------------------
    def _workspace(self, x_shape, pads):
        shape = (tuple(x_shape[1:]), self.kernel.shape)
        if self._work is None or self._work[0] != shape:
            self._work = shape, conv2d_workspace(x_shape, self.kernel.shape, self.strides, self.dilation_rate, pads)
        return self._work[1]

    def _bias_or_zeros(self):
        return self.params["bias"] if self.use_bias else np.zeros(self.filters, self.kernel.dtype)

    def _start_pass(self, x):
        """Keep x and its padding for the backward pass; returns the kernels' workspace.
        (Also for the pass fused with a MaxPooling2D, ``tinynet.models.fusion``.)"""
        self.x, self.pads = x, self._pads(x.shape[1:3])
        return self._workspace(x.shape, self.pads)

    def _gradient_buffers(self):
        """dW and db for the backward kernels to fill. Without a bias the kernel still
        sums dz (one cheap pass) into a throw-away array."""
        dw = self.gradient_buffer("kernel")
        return dw, self.gradient_buffer("bias") if self.use_bias else np.empty(self.filters, dw.dtype)

    def call(self, x, training=False):
        work = self._start_pass(x)
        z = backend.ops.conv2d_forward(x, self.kernel, self._bias_or_zeros(), self.strides, self.dilation_rate,
                                       self.pads, self.activation == "relu", work)
        self.z = z
        self.a = z if self.activation in _FUSED else self._forward(z)
        return self.a

    def backward(self, dy):
        if self.a is None:
            raise RuntimeError(f"Conv2D layer '{self.name}' has no output of its own to go back through: it was "
                               "never called, or last ran fused with the MaxPooling2D after it (a Sequential does "
                               "that; see tinynet/models/fusion.py). Take the model's backward pass, or call this "
                               "layer alone first")
        dy = np.ascontiguousarray(dy.reshape(self.a.shape))
        if self.activation in _FUSED:
            return self._conv_backward(self.a, dy, relu=self.activation == "relu")
        return self._conv_backward(self.z, np.ascontiguousarray(self._backward(self.z, self.a, dy)), relu=False)

    def _conv_backward(self, y, dz, relu):
        dw, db = self._gradient_buffers()
        return backend.ops.conv2d_backward(self.x, self.kernel, y, dz, self.strides, self.dilation_rate, self.pads,
                                           relu, self.needs_input_grad, dw, db,
                                           self._workspace(self.x.shape, self.pads))
