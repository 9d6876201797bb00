"""A model as a file describes it, before anything is allocated.

A loader first turns a file's config into a ``ModelPlan``: the model's name,
trainable flag, input shape and layers, as unbuilt tinynet layers (which hold no
arrays yet) or nested plans. From the plan alone it works out every weight's
shape, in Python integers (the layer table's ``weights`` functions), so it can
check the file's arrays, and how many bytes they take, before reading any.
Only then does ``materialize`` build the model, allocating exactly those weights.
"""
import math

import numpy as np

from ...layers import Input
from ...utils import random as tinynet_random
from . import layer_table
from .archive import bytes_of
from .keras_objects import NotLoadable

MAX_ELEMENTS = 2**48  # per shape: beyond any real input, and far from int64 overflow in NumPy's products
MAX_DEPTH = 32        # models inside models inside ...


class ModelPlan:
    def __init__(self, name, trainable, sample_shape, layers):
        self.name, self.trainable, self.layers = name, trainable, layers
        self.sample_shape = None if sample_shape is None else check_shape(sample_shape, f"the input of '{name}'")

    @classmethod
    def of(cls, model):
        """The plan of an existing (built) model: what the writers walk."""
        return cls(model.name, model.trainable, model._sample_shape,
                   [cls.of(layer) if hasattr(layer, "layers") else layer for layer in model.layers])


def check_shape(shape, what):
    """A shape must be a tuple of positive integers with at most MAX_ELEMENTS elements."""
    if not isinstance(shape, (list, tuple)) or not all(isinstance(d, int) and not isinstance(d, bool) and d > 0
                                                       for d in shape):
        raise NotLoadable(f"{what} must be a shape of positive integers. Received: {shape!r}")
    if math.prod(shape) > MAX_ELEMENTS:
        raise NotLoadable(f"{what} has shape {tuple(shape)}, of more than {MAX_ELEMENTS:,} elements")
    return tuple(shape)


def layer_inputs(plan, shape):
    """[(layer, shape of one sample it takes)] for the plan's layers on inputs ``shape``
    (None: not known, the model is not built), and the plan's output shape."""
    if plan.sample_shape is not None and shape is not None and plan.sample_shape != tuple(shape):
        raise NotLoadable(f"model '{plan.name}' takes inputs of shape {plan.sample_shape}, but the layer "
                          f"before it gives {tuple(shape)}")
    shape = plan.sample_shape if shape is None else shape
    pairs = []
    for layer in plan.layers:
        pairs.append((layer, shape))
        if shape is not None:
            shape = output_shape(layer, shape)
    return pairs, shape


def output_shape(layer, shape):
    if isinstance(layer, ModelPlan):
        return layer_inputs(layer, shape)[1]
    try:
        out = layer.compute_output_shape(shape)
    except ValueError as err:
        raise NotLoadable(f"layer '{layer.name}' cannot take inputs of shape {shape}: {err}") from None
    return check_shape(list(out), f"the output of layer '{layer.name}'")


def weight_list(plan, shape=None, trainable=True, depth=0):
    """[(layer, parameter, shape, trainable)] of every weight, in ``get_weights`` order:
    layer by layer, a nested model's in place. A weight is trainable when its layer and
    every model around it are (what fit updates, and what an optimizer keeps state for)."""
    if depth > MAX_DEPTH:
        raise NotLoadable(f"models are nested more than {MAX_DEPTH} deep")
    trainable = trainable and plan.trainable
    found = []
    for layer, layer_shape in layer_inputs(plan, shape)[0]:
        if isinstance(layer, ModelPlan):
            found += weight_list(layer, layer_shape, trainable, depth + 1)
        elif layer_shape is not None:
            found += [(layer, name, w_shape, trainable and layer.trainable and name not in layer.non_trainable_names)
                      for name, w_shape in layer_table.layer_weights(layer, layer_shape)]
    return found


def trainable_shapes(plan):
    return [shape for _, _, shape, trainable in weight_list(plan) if trainable]


def slot_kinds(optimizer):
    """How many slot arrays the optimizer keeps per parameter (Adam: m and v, so 2),
    found by building a copy of it for one empty parameter."""
    probe = type(optimizer).from_config(optimizer.get_config())
    probe.build([np.zeros(0, np.float32)])
    return len(probe.slots)


def implied_bytes(plan, optimizer=None):
    """The bytes of every weight, and of the optimizer's slots, that the plan implies."""
    weights = weight_list(plan)
    total = sum(bytes_of(shape, np.float32) for _, _, shape, _ in weights)
    if optimizer is not None:
        total += slot_kinds(optimizer) * sum(bytes_of(shape, np.float32) for shape in trainable_shapes(plan)) + 16
    return total


def materialize(plan, input_layer):
    """Build the model the plan describes, allocating its weights. ``input_layer``: start
    each model with an Input (as a Keras config does), else give the top model its input
    shape by ``build`` (as tinynet's own file does). Initializers draw no numbers from
    tinynet's generator here: the weights are about to be overwritten from the file."""
    from ..sequential import Sequential

    state = tinynet_random.get_state()
    try:
        model = _assemble(plan, input_layer, Sequential)
        if plan.sample_shape is not None and not model.built:
            model.build((None,) + plan.sample_shape)
    finally:
        tinynet_random.set_state(state)
    expected = [shape for _, _, shape, _ in weight_list(plan)]
    if [p.shape for p in model.weights] != expected:  # a row's `weights` disagrees with its layer's build
        raise RuntimeError(f"tinynet's layer table expected weights of shapes {expected}; the model built "
                           f"{[p.shape for p in model.weights]}")
    return model


def _assemble(plan, input_layer, Sequential):
    model = Sequential(name=plan.name, trainable=plan.trainable)
    if input_layer and plan.sample_shape is not None:
        model.add(Input(shape=plan.sample_shape, name="input_layer"))  # named: no name counter moves
    for layer in plan.layers:
        model.add(_assemble(layer, input_layer, Sequential) if isinstance(layer, ModelPlan) else layer)
    return model
