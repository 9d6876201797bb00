"""Pooling layers: each window of an image, channel by channel, becomes one value.

    MaxPooling2D            its largest value        x (n, h, w, c) -> (n, oh, ow, c)
    AveragePooling2D        its mean                 x (n, h, w, c) -> (n, oh, ow, c)
    GlobalMaxPooling2D      the whole image's max    x (n, h, w, c) -> (n, c)
    GlobalAveragePooling2D  the whole image's mean   x (n, h, w, c) -> (n, c)

Windows of ``pool_size`` move by ``strides`` (by default the pool size: windows
side by side, not overlapping). With ``padding='valid'`` a row or column left over
at the edge is dropped (11 rows pooled by 2 give 5); with ``'same'`` the edge
windows are cut short instead, so that oh = ceil(h / strides). No weights. The
maths of each, forward and backward, is in ``tinynet.kernels.pooling``.
"""
from .. import backend
from ..kernels.windows import output_size, padding_for
from ..utils.checks import int_pair
from .conv import channels_last, image_shape, padding_mode
from .layer import Layer


class _Pooling2D(Layer):
    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None, **kwargs):
        pool_size = int_pair("pool_size", pool_size)
        strides = pool_size if strides is None else int_pair("strides", strides)
        padding = padding_mode(padding)
        data_format = channels_last(data_format)
        super().__init__(**kwargs)
        self.pool_size, self.strides, self.padding, self.data_format = pool_size, strides, padding, data_format

    def get_config(self):
        return {**super().get_config(), "pool_size": list(self.pool_size), "padding": self.padding,
                "strides": list(self.strides), "data_format": self.data_format}

    def _pads(self, input_shape):
        return (padding_for(input_shape[0], self.pool_size[0], self.strides[0], 1, self.padding)
                + padding_for(input_shape[1], self.pool_size[1], self.strides[1], 1, self.padding))

    def compute_output_shape(self, input_shape):
        h, w, c = image_shape(self, input_shape)
        pads = self._pads((h, w))
        oh = output_size(h, self.pool_size[0], self.strides[0], 1, pads[0], pads[1])
        ow = output_size(w, self.pool_size[1], self.strides[1], 1, pads[2], pads[3])
        if oh < 1 or ow < 1:
            raise ValueError(f"{type(self).__name__} layer '{self.name}': its pool_size={self.pool_size} is larger "
                             f"than its input with padding='{self.padding}'. Received: inputs of shape "
                             f"(n, {h}, {w}, {c})")
        return oh, ow, c


class MaxPooling2D(_Pooling2D):
    def call(self, x, training=False):
        self.size = x.shape[1:3]
        self.y, self.argmax = backend.ops.max_pool_forward(x, self.pool_size, self.strides, self._pads(self.size))
        return self.y   # y too: a fused backward pass (models/fusion.py) reads ReLU's mask off it

    def backward(self, dy):
        if not self.needs_input_grad:
            return None
        return backend.ops.max_pool_backward(dy.reshape(self.argmax.shape), self.argmax, self.size, self.pool_size,
                                             self.strides, self._pads(self.size))


class AveragePooling2D(_Pooling2D):
    # As in Keras 3: MaxPooling2D pools 2x2 by default, AveragePooling2D has no default.
    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)

    def call(self, x, training=False):
        self.size = x.shape[1:3]
        return backend.ops.avg_pool_forward(x, self.pool_size, self.strides, self._pads(self.size))

    def backward(self, dy):
        if not self.needs_input_grad:
            return None
        return backend.ops.avg_pool_backward(dy, self.size, self.pool_size, self.strides, self._pads(self.size))


class _GlobalPooling2D(Layer):
    def __init__(self, data_format=None, keepdims=False, **kwargs):
        data_format = channels_last(data_format)
        super().__init__(**kwargs)
        self.data_format, self.keepdims = data_format, bool(keepdims)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format, "keepdims": self.keepdims}

    def compute_output_shape(self, input_shape):
        _, _, c = image_shape(self, input_shape)
        return (1, 1, c) if self.keepdims else (c,)

    def _shaped(self, y):
        """(n, c) as the layer returns it: (n, 1, 1, c) with ``keepdims``."""
        return y.reshape(y.shape[0], 1, 1, y.shape[1]) if self.keepdims else y


class GlobalAveragePooling2D(_GlobalPooling2D):
    def call(self, x, training=False):
        self.size = x.shape[1:3]
        return self._shaped(backend.ops.global_avg_pool_forward(x))

    def backward(self, dy):
        if not self.needs_input_grad:
            return None
        return backend.ops.global_avg_pool_backward(dy.reshape(dy.shape[0], -1), self.size)


class GlobalMaxPooling2D(_GlobalPooling2D):
    def call(self, x, training=False):
        self.x = x
        self.y = backend.ops.global_max_pool_forward(x)
        return self._shaped(self.y)

    def backward(self, dy):
        if not self.needs_input_grad:
            return None
        return backend.ops.global_max_pool_backward(self.x, self.y, dy.reshape(self.y.shape))
