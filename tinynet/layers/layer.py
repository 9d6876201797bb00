"""The base class of every layer: parameters, gradients, names and shapes.

A layer owns ``params`` (name -> array, in Keras' order: kernel, then bias) and,
after ``backward``, ``grads`` with the same names and shapes. Subclasses write
three methods:

    build(input_shape)            create the parameters for this input shape
    call(x, training)   -> y      forward pass; remember what backward needs
    backward(dy)        -> dx     store dL/dparam in self.grads, return dL/dx

Shapes leave out the batch axis: a Dense layer on (n, 784) inputs is built
with input_shape (784,).

Calling a layer on data, ``layer(x)``, is what Keras code does in a notebook: it
turns ``x`` into a float32 array, builds the layer on first use, checks that ``x``
fits (before any kernel runs) and returns ``call``'s NumPy array.

``trainable``: a frozen layer (``layer.trainable = False``) keeps its weights in
``fit``; its weights count as non-trainable. Setting the flag on a layer that
holds other layers (a nested ``Sequential``) sets it on every one of them, as in
Keras. Some weights are never trained, whatever the flag: their names are in
``non_trainable_names`` (BatchNormalization's moving mean and variance, which its
forward pass updates itself). They count as non-trainable, have no gradient, and
the optimizer never sees them.
"""
import re

import numpy as np

from ..utils.checks import as_batch

_name_counts = {}


def unique_name(prefix):
    """'dense', then 'dense_1', 'dense_2', ... as Keras names layers."""
    count = _name_counts.get(prefix, 0)
    _name_counts[prefix] = count + 1
    return prefix if count == 0 else f"{prefix}_{count}"


def _snake_case(name):
    """Keras' rule: 'MaxPooling2D' -> 'max_pooling2d', 'Conv2D' -> 'conv2d', 'ReLU' -> 're_lu'."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


class Layer:
    def __init__(self, name=None, input_shape=None, input_dim=None, trainable=True, **unknown):
        if unknown:
            raise TypeError(
                f"{type(self).__name__} got unexpected keyword argument(s) {sorted(unknown)}. "
                f"Expected the layer's own arguments, `name`, `trainable` or `input_shape`."
            )
        if input_dim is not None:
            input_shape = (input_dim,)
        self.name = name or unique_name(_snake_case(type(self).__name__))
        self.input_shape = _as_shape("input_shape", input_shape) if input_shape is not None else None
        self.built = False
        self.params = {}
        self.grads = {}
        self.regularizers = {}  # parameter name -> penalty (see tinynet.regularizers)
        self.non_trainable_names = set()  # parameters that fit never updates, and that have no gradient
        self._trainable = bool(trainable)
        # False for the first layer with parameters: its input is data and
        # nothing needs dL/dx, so backward may skip computing it.
        self.needs_input_grad = True

    # -- the three methods a layer writes -------------------------------------------
    def build(self, input_shape):
        self.built = True

    def call(self, x, training=False):
        raise NotImplementedError

    def backward(self, dy):
        raise NotImplementedError

    def compute_output_shape(self, input_shape):
        """The shape of one output sample; raises if this layer cannot take ``input_shape``."""
        return tuple(input_shape)

    def declared_input_shape(self):
        """The shape of one sample given as ``input_shape=`` when the layer was made, or None."""
        return self.input_shape

    # -- shared by all layers ----------------------------------------------------------
    def gradient_buffer(self, name):
        """The array that backward writes dL/d``name`` into, allocated once (and again
        only if the parameter's dtype changes, as in the float64 gradient checks)."""
        param = self.params[name]
        grad = self.grads.get(name)
        if grad is None or grad.dtype != param.dtype or grad.shape != param.shape:
            grad = self.grads[name] = np.empty_like(param)
        return grad

    def __call__(self, x, training=False):
        """y = layer(x): x (n, *input_shape) -> y (n, *output_shape), float32."""
        if isinstance(x, Layer):  # Keras' functional API: Dense(3)(Input((4,)))
            from ..models.model import FUNCTIONAL_API

            raise NotImplementedError(f"{FUNCTIONAL_API} Received: layer '{self.name}' called on {x!r}")
        x = as_batch("x", x)
        if self.built:
            self.compute_output_shape(x.shape[1:])  # raises if x does not fit, before any kernel runs
        else:
            self.build(tuple(x.shape[1:]))
        return self.call(x, training=training)

    @property
    def sublayers(self):
        """The layers this layer holds (a nested model's layers); none for most layers."""
        return []

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        self._trainable = bool(value)
        for layer in self.sublayers:
            layer.trainable = value

    def weight_slots(self, trainable=None):
        """(layer, parameter name) of every weight, in Keras' order: this layer's own,
        then its sublayers'. ``trainable=True`` or ``False`` keeps only those kinds."""
        for name in self.params:
            kind = self.trainable and name not in self.non_trainable_names
            if trainable is None or trainable == kind:
                yield self, name
        for layer in self.sublayers:
            if trainable is True and not self.trainable:
                continue  # a frozen model freezes everything inside it
            if trainable is False and not self.trainable:
                yield from layer.weight_slots()
            else:
                yield from layer.weight_slots(trainable)

    @property
    def weights(self):
        return [layer.params[name] for layer, name in self.weight_slots()]

    @property
    def trainable_weights(self):
        return [layer.params[name] for layer, name in self.weight_slots(True)]

    @property
    def non_trainable_weights(self):
        return [layer.params[name] for layer, name in self.weight_slots(False)]

    @property
    def losses(self):
        """The regularization penalties of this layer's trainable weights (one float each),
        as Keras' ``layer.losses``; ``fit`` adds their sum to the loss it minimises. A
        frozen weight's penalty is left out, as in Keras: it could not change anyway."""
        return [float(reg(layer.params[name])) for layer, name in self.weight_slots(True)
                for reg in [layer.regularizers.get(name)] if reg is not None]

    # The activation of the layer's output, when the loss may be taken from the
    # logits before it (softmax or sigmoid; see Sequential.compute_gradients).
    output_activation = None

    def get_weights(self):
        return [p.copy() for p in self.params.values()]

    def set_weights(self, weights):
        """Replace the parameters in place, after checking every shape first."""
        weights = list(weights)
        if len(weights) != len(self.params):
            raise ValueError(
                f"Layer '{self.name}' expects {len(self.params)} weight arrays. "
                f"Received: {len(weights)} arrays"
            )
        checked = []
        for (pname, current), new in zip(self.params.items(), weights):
            new = np.asarray(new)
            if new.shape != current.shape:
                raise ValueError(
                    f"Weight '{pname}' of layer '{self.name}' must have shape {current.shape}. "
                    f"Received: shape {new.shape}"
                )
            checked.append(new)
        for current, new in zip(self.params.values(), checked):
            current[...] = new  # in place: the optimizer's references stay valid

    def get_config(self):
        """The arguments that rebuild this layer (``type(layer)(**config)``)."""
        config = {"name": self.name, "trainable": self.trainable}
        if self.input_shape is not None:
            config["input_shape"] = list(self.input_shape)
        return config

    def count_params(self):
        return int(sum(p.size for p in self.weights))

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"


def _as_shape(name, shape):
    if isinstance(shape, (int, np.integer)):
        shape = (shape,)
    try:
        shape = tuple(int(s) for s in shape)
    except (TypeError, ValueError):
        raise ValueError(f"Argument `{name}` must be a tuple of positive integers. "
                         f"Received: {name}={shape!r}") from None
    if not shape or any(s < 1 for s in shape):
        raise ValueError(f"Argument `{name}` must be a tuple of positive integers. "
                         f"Received: {name}={shape!r}")
    return shape
