"""``fit``'s fast path: a whole training step as one compiled call, for the models
that ``tinynet.kernels.step`` covers.

The reference is the layer-by-layer step (``Sequential.compute_gradients``, the
finiteness check and ``Optimizer.apply``, driven by ``fit``): it is what a
learner reads, and what ``tinynet.utils.trace_step`` and a debugger step
through. For the common small model - Dense layers ending in a softmax, sparse
categorical cross-entropy, Adam - ``fit`` instead calls
``kernels.step.dense_adam_step_numba`` once per batch. It runs the same kernels
in the same order, so the loss, the metrics, the History and the weights are
the same bits (``tests/test_compiled_step.py``); only the Python between the
kernels is gone.

Which models qualify is decided once per ``fit`` (``for_fit``): all of

    the 'numba' backend, and ``compile(jit_compile=...)`` not False
    layers: an optional Flatten, then Dense layers with a bias and no regularizer,
            relu or linear inside, softmax at the end; every weight trainable
    loss:   sparse_categorical_crossentropy on the softmax's probabilities
    optimizer: Adam without amsgrad, weight decay or clipping
    metrics:   none, or one accuracy that counts labels (e.g. 'accuracy')
    no sample_weight or class_weight; float32 inputs in one contiguous block

Anything else trains layer by layer, as does ``compile(jit_compile=False)`` or
the 'numpy' backend.
"""
import numba
import numpy as np

from .. import backend
from ..kernels.step import dense_adam_step_numba
from ..layers import Dense, Flatten
from ..losses import SparseCategoricalCrossentropy
from ..metrics.accuracy import SparseCategoricalAccuracy
from ..optimizers import Adam


def for_fit(model, x, weights):
    """A ``CompiledStep`` for this fit, or None when the model trains layer by layer.
    Called after the model is built (fit fixes its trained weights first, as here)."""
    model._freeze_trainable_set()
    if not _eligible(model, x, weights):
        return None
    return CompiledStep(model, x)


def _eligible(model, x, weights):
    flattened = bool(model.layers) and isinstance(model.layers[0], Flatten)
    layers = model.layers[1:] if flattened else model.layers
    optimizer, metrics = model.optimizer, model.compiled_metrics()
    backend_and_data = (backend.get_backend() == "numba" and model.jit_compile is not False
                        and weights is None and x.dtype == np.float32 and x.flags.c_contiguous)
    dense_stack = (len(layers) > 0 and (flattened or len(model._sample_shape) == 1)
                   and all(type(layer) is Dense and _plain(layer) for layer in layers)
                   and all(layer.activation in ("relu", "linear") for layer in layers[:-1])
                   and layers[-1].activation == "softmax"
                   and len(model._train_slots) == 2 * len(layers) and not model._needs_input_grad)
    loss_and_metrics = (type(model.loss) is SparseCategoricalCrossentropy and model.uses_logits
                        and len(metrics) <= 1 and all(type(m) is SparseCategoricalAccuracy for m in metrics))
    plain_adam = (type(optimizer) is Adam and not optimizer.amsgrad and optimizer.weight_decay is None
                  and not (optimizer.clipnorm or optimizer.clipvalue or optimizer.global_clipnorm))
    return backend_and_data and dense_stack and loss_and_metrics and plain_adam


def _plain(layer):
    return (layer.use_bias and not layer.regularizers and layer.trainable
            and all(p.dtype == np.float32 for p in layer.params.values()))


class CompiledStep:
    """The arrays of one model, gathered once, and ``__call__`` for one batch."""

    def __init__(self, model, x):
        self.model = model
        self.x = x.reshape(len(x), -1)  # a view: x is one contiguous block
        dense = [layer for layer in model.layers if isinstance(layer, Dense)]
        self.kernels = tuple(layer.params["kernel"] for layer in dense)
        self.biases = tuple(layer.params["bias"] for layer in dense)
        self.relu = tuple(layer.activation == "relu" for layer in dense)
        self.dkernels = tuple(layer.gradient_buffer("kernel") for layer in dense)
        self.dbiases = tuple(layer.gradient_buffer("bias") for layer in dense)
        optimizer = model.optimizer
        if optimizer.slots is None:
            optimizer.build(model._params)
        m, v = optimizer.slots  # one array per weight, in the order kernel, bias, kernel, bias, ...
        self.m_k, self.m_b, self.v_k, self.v_b = tuple(m[0::2]), tuple(m[1::2]), tuple(v[0::2]), tuple(v[1::2])
        self.buffer = None
        numba.get_num_threads()  # starts Numba's threads (see dense_adam_step_numba)

    def __call__(self, order, start, stop, targets, labels):
        """Train on rows order[start:stop] (or start:stop without ``order``) of x.
        ``labels``: the accuracy's integer labels (the targets when no metric counts).
        Returns (batch loss, number of correct predictions, finite); when not finite
        the weights and the optimizer are unchanged."""
        if self.buffer is None or len(self.buffer) < stop - start:
            self.buffer = np.empty((stop - start, self.x.shape[1]), np.float32)
        optimizer = self.model.optimizer
        loss, correct, finite = dense_adam_step_numba(
            self.x, order, start, stop, targets, labels, self.buffer, self.kernels, self.biases, self.relu,
            self.dkernels, self.dbiases, self.m_k, self.v_k, self.m_b, self.v_b,
            optimizer._current_learning_rate(), optimizer.beta_1, optimizer.beta_2, optimizer.epsilon,
            optimizer.iterations + 1)
        if finite:
            optimizer.iterations += 1
        return loss, correct, finite
