"""Which layers of a Sequential run together as one step.

A model runs its layers one after the other, each reading what the one before
wrote. One pair is worth running as a single step: a Conv2D (activation 'relu'
or none) and the MaxPooling2D right after it. Apart, the convolution writes
its whole output to memory and the pooling reads it back (and the backward
pass does the same with its gradient); together, one image's output is pooled
while it is still in cache (``tinynet.kernels.conv_pool`` says why and how).
The numbers are those of the two layers apart - the tests hold them equal -
so a learner can ignore this module; calling a layer alone never fuses, and
neither does a model compiled with ``jit_compile=False`` (to step through each
layer's own ``backward`` with a debugger).

``steps(layers)`` gives the model its list of steps: each is a layer, or a
``ConvPool`` standing for two; either has ``call(x, training)`` and
``backward(dy)``.
"""
import numpy as np

from .. import backend
from ..kernels.conv_pool import conv2d_pool_workspace
from ..layers import Conv2D, MaxPooling2D


class ConvPool:
    """A Conv2D and the MaxPooling2D after it, as one step. Leaves each layer
    what its own pass would (the conv's input, the pooling's argmax), except the
    conv's output before pooling, which is never made."""

    def __init__(self, conv, pool):
        self.conv, self.pool = conv, pool

    def call(self, x, training=False):
        conv, pool = self.conv, self.pool
        work = conv._start_pass(x)
        conv.z = conv.a = None   # not made: conv.backward alone cannot follow this pass
        pool.size = conv.compute_output_shape(x.shape[1:])[:2]
        pool.y, pool.argmax = backend.ops.conv2d_pool_forward(
            x, conv.kernel, conv._bias_or_zeros(), conv.strides, conv.dilation_rate, conv.pads,
            conv.activation == "relu", *self._pool_args(), self._workspace(x.shape, work))
        return pool.y

    def backward(self, dy):
        conv, pool = self.conv, self.pool
        dw, db = conv._gradient_buffers()
        return backend.ops.conv2d_pool_backward(
            conv.x, conv.kernel, pool.y, dy.reshape(pool.y.shape), pool.argmax,
            conv.strides, conv.dilation_rate, conv.pads, conv.activation == "relu", conv.needs_input_grad,
            dw, db, self._workspace(conv.x.shape, conv._workspace(conv.x.shape, conv.pads)))

    def _pool_args(self):
        return self.pool.pool_size, self.pool.strides, self.pool._pads(self.pool.size)

    def _workspace(self, x_shape, conv_work):
        """The fused kernels' scratch arrays: the Conv2D's own ``conv_work`` and those
        of ``conv2d_pool_workspace``, kept on the Conv2D (a model makes its steps
        anew for each pass) and made again only for a new input shape."""
        conv = self.conv
        key = (tuple(x_shape[1:]), conv.kernel.shape, self._pool_args())
        if conv._pool_work is None or conv._pool_work[0] != key:
            conv._pool_work = key, conv2d_pool_workspace(x_shape, conv.kernel.shape, conv.strides,
                                                         conv.dilation_rate, conv.pads, *self._pool_args(),
                                                         conv_work)
        return conv._pool_work[1]


def fusable(layer, after):
    """True for a Conv2D whose activation its kernel applies itself, then a MaxPooling2D,
    neither with its ``call`` or ``backward`` replaced on the instance (as
    ``tinynet.utils.trace_step`` does to record them, or a learner's own hook):
    fused, the replacement would never run."""
    return (type(layer) is Conv2D and layer.activation in ("relu", "linear") and type(after) is MaxPooling2D
            and not any(name in vars(x) for x in (layer, after) for name in ("call", "backward")))


def steps(layers):
    """The layers as steps: each fusable pair as one ConvPool, every other layer alone."""
    out, i = [], 0
    while i < len(layers):
        if i + 1 < len(layers) and fusable(layers[i], layers[i + 1]):
            out.append(ConvPool(layers[i], layers[i + 1]))
            i += 2
        else:
            out.append(layers[i])
            i += 1
    return out
