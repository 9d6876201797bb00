"""``Sequential``: a stack of layers, each feeding the next, with Keras' API.

    model = Sequential([Flatten(input_shape=(28, 28)), Dense(128, activation="relu"),
                        Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=5)
    probabilities = model(x[:1])

A Sequential is itself a layer, so a model can sit inside another model:
``Sequential([model, Softmax()])`` runs ``model`` and then a softmax, and training
the outer model trains the inner model's weights.

This file holds the model itself: building, the forward and backward pass, one
gradient step, weights. The loops over data (fit, evaluate, predict) are in
``training.py``; the summary table is in ``summary.py``.
"""
import warnings

import numpy as np

from .. import backend, losses, optimizers
from .. import metrics as metrics_lib
from ..layers import InputLayer, Layer
from ..layers.layer import unique_name
from ..utils.checks import as_batch
from . import fusion, saving
from . import summary as _summary
from . import training


class Sequential(Layer):
    def __init__(self, layers=None, trainable=True, name=None):
        self.layers = []  # before Layer.__init__, which sets needs_input_grad (see its setter)
        self._sample_shape = None  # the shape of one input sample, without the batch axis
        self._needs_input_grad = False
        super().__init__(name=name or unique_name("sequential"), trainable=trainable)
        self._needs_input_grad = False  # at the top, the input is data; a model around this one may say otherwise
        self._params = []  # the arrays fit updates, in Keras' order (see _link_parameters)
        self._train_slots = None
        self.compiled = False
        self.optimizer = self.loss = None
        self.jit_compile = "auto"
        self._metric_specs, self._metrics = [], None
        self.stop_training = False
        self.history = None
        for layer in layers or []:
            self.add(layer)

    # -- building ------------------------------------------------------------------------
    def add(self, layer):
        if not isinstance(layer, Layer):
            raise TypeError(f"Sequential.add expects a tinynet layer. Received: layer={layer!r}")
        if layer is self:
            raise ValueError(f"A model cannot contain itself. Received: layer={layer!r}")
        if isinstance(layer, InputLayer):
            if self.layers or self._sample_shape is not None:
                raise ValueError("An Input can only be the first layer of a Sequential model. "
                                 f"Received: {layer!r} after {len(self.layers)} layer(s)")
            self._sample_shape = layer.input_shape
        else:
            declared = layer.declared_input_shape()
            if not self.layers and self._sample_shape is None and declared is not None:
                self._sample_shape = declared
            if any(other.name == layer.name for other in self.layers):
                raise ValueError("All layers added to a Sequential model should have unique names. "
                                 f"Name '{layer.name}' is already the name of a layer in model '{self.name}'. "
                                 "Received: a second layer of that name; pass another `name`.")
            if self._sample_shape is not None:
                self.output_shape_for(self._sample_shape, self.layers + [layer])  # raises before adding
            self.layers.append(layer)
        if self._sample_shape is not None:
            self.build((None,) + self._sample_shape)
        self._link_parameters()

    def pop(self):
        """Remove the last layer (not the Input) and return it."""
        if not self.layers:
            raise IndexError(f"There are no layers in model '{self.name}' to pop.")
        layer = self.layers.pop()
        self.built = bool(self.layers) and self._sample_shape is not None
        self._link_parameters()
        return layer

    def build(self, input_shape):
        """Create every layer's weights for inputs of shape (batch, *sample_shape)."""
        shape = tuple(input_shape)[1:]
        self.output_shape_for(shape)  # raises, before anything changes, if the layers do not fit
        for layer in self.layers:
            if not layer.built:  # a layer's build takes one sample's shape; a model's, Keras' (batch, ...)
                layer.build((None,) + shape if isinstance(layer, Sequential) else shape)
            shape = layer.compute_output_shape(shape)
        self._sample_shape = tuple(input_shape)[1:]
        self.built = bool(self.layers)
        self._link_parameters()

    def declared_input_shape(self):
        return self._sample_shape

    def compute_output_shape(self, input_shape):
        return self.output_shape_for(input_shape)

    def output_shape_for(self, sample_shape, layers=None):
        """The output shape of one sample, computed without building anything; each
        layer raises here if it cannot take what the layer before it gives."""
        shape = tuple(sample_shape)
        for layer in self.layers if layers is None else layers:
            shape = layer.compute_output_shape(shape)
        return shape

    @property
    def sublayers(self):
        return self.layers

    @property
    def needs_input_grad(self):
        return self._needs_input_grad

    @needs_input_grad.setter
    def needs_input_grad(self, value):
        self._needs_input_grad = bool(value)
        self._link_parameters()

    def _link_parameters(self):
        """Tell each layer whether anything needs its dL/dx: nothing does before the first
        layer with weights, whose input is data (unless this model sits inside another
        one that needs it). Forget which weights fit trains: the next fit decides."""
        self._first_with_weights = next((i for i, layer in enumerate(self.layers) if layer.weights),
                                        len(self.layers))
        for i, layer in enumerate(self.layers):
            layer.needs_input_grad = self._needs_input_grad or i > self._first_with_weights
        self._train_slots = None
        self._params = [layer.params[name] for layer, name in self.weight_slots(True)]

    def _freeze_trainable_set(self):
        """Fix which weights fit updates: the trainable ones now. Like Keras, which reads
        ``trainable`` when it builds its training step after ``compile``, a later change of
        ``trainable`` takes effect at the next ``compile``."""
        if self._train_slots is None:
            self._train_slots = list(self.weight_slots(True))
            if not self._train_slots and self.weights:
                warnings.warn(f"Model '{self.name}' does not have any trainable weights.", stacklevel=3)
            self._params = [layer.params[name] for layer, name in self._train_slots]
            self._regularized = [(layer, name) for layer, name in self._train_slots if name in layer.regularizers]
            if self.optimizer is not None and self.optimizer.slots is not None and \
                    [a.shape for a in self.optimizer.slots[0]] != [p.shape for p in self._params]:
                self.optimizer.slots = None  # built for other weights: start it afresh

    # -- compile -------------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, metrics=None, run_eagerly=False, jit_compile="auto"):
        """Choose optimizer, loss and metrics. Everything is checked before anything is set.

        As in Keras, the default optimizer is 'rmsprop', and a model may be compiled
        without a loss (``fit`` and ``evaluate`` then ask for one). ``run_eagerly`` is
        accepted for Keras code and changes nothing: tinynet runs layer by layer, with
        its kernels compiled by Numba.

        ``jit_compile`` ('auto', True or False): with 'auto' or True, ``fit`` trains a
        model that ``tinynet.models.compiled_step`` covers (Dense layers ending in a
        softmax, sparse categorical cross-entropy, Adam) with one compiled call per
        batch - the same kernels in the same order, so the same numbers. And in every
        pass of the model (fit, evaluate, predict, model(x)) a Conv2D and the
        MaxPooling2D after it run as one step (``tinynet.models.fusion``). False keeps
        ``fit`` on the readable layer-by-layer step (``compute_gradients``, then
        ``optimizer.apply``), the one ``tinynet.utils.trace_step`` steps through, with
        each layer's own ``call`` and ``backward`` - in the models nested in this one
        too, which take this setting.
        """
        if jit_compile not in ("auto", True, False):
            raise ValueError("Argument `jit_compile` must be 'auto', True or False. "
                             f"Received: jit_compile={jit_compile!r}")
        optimizer = optimizers.get(optimizer)
        loss = None if loss is None else losses.get(loss)
        if metrics is None:
            metrics = []
        if not isinstance(metrics, (list, tuple)):
            raise TypeError("Argument `metrics` must be a list of metric names or objects. "
                            f"Received: metrics={metrics!r}")
        for spec in metrics:
            metrics_lib.check(spec)
        self.optimizer, self.loss, self._metric_specs = optimizer, loss, list(metrics)
        self.jit_compile = jit_compile
        for layer in all_layers(self):
            if isinstance(layer, Sequential):
                layer.jit_compile = jit_compile   # a nested model runs its own passes
        self._metrics = None  # made from the specs once the output shape is known
        self.compiled = True
        self._link_parameters()

    def compiled_metrics(self):
        """The metric objects of ``compile(metrics=...)``: a name like 'accuracy' means the
        accuracy that fits the loss and the output shape, decided on first use as Keras does."""
        if self._metrics is None:
            shape = self.output_shape_for(self._sample_shape)
            self._metrics = [metrics_lib.get(spec, self.loss, shape) for spec in self._metric_specs]
        return self._metrics

    @property
    def metric_names(self):
        """The History keys of the metrics, in compile order."""
        if self._metrics is None and not self.built:
            return [metrics_lib.name_of(spec) for spec in self._metric_specs]
        return [m.name for m in self.compiled_metrics()]

    @property
    def metrics_names(self):
        """The names of what ``evaluate`` returns, in order: 'loss', then each metric.
        (Keras 3 answers ['loss', 'compile_metrics'] here; tinynet names each metric.)"""
        return ["loss"] + self.metric_names if self.compiled else []

    @property
    def has_regularizers(self):
        return bool(self._regularized_slots())

    @property
    def uses_logits(self):
        """True when the loss is taken from the logits of the output layer's softmax or
        sigmoid (Keras does this too): stable, and never clipped."""
        wanted = getattr(self.loss, "logits_activation", None)
        return wanted is not None and not self.loss.from_logits and self.output_activation == wanted

    # -- the passes --------------------------------------------------------------------------
    def __call__(self, x, training=False):
        """``model(x)``: the outputs for a batch x (n, *input_shape), as a float32 array."""
        x = as_batch("x", x)
        if not self.built:
            self.build((None,) + x.shape[1:])
        elif x.shape[1:] != self._sample_shape:
            raise ValueError(f"Model '{self.name}' expects inputs of shape (n, "
                             f"{', '.join(map(str, self._sample_shape))}). Received: x.shape={x.shape}")
        return self.call(x, training=training)

    def call(self, x, training=False):
        for step in self._steps(self.layers):
            x = step.call(x, training=training)
        return x

    forward = call

    def backward(self, dy):
        """dy = dL/d(output) -> dL/d(input), or None when nothing needs it; leaves every
        layer's parameter gradients in its ``grads``."""
        return self._backward_from(len(self.layers) - 1, dy)

    def _backward_from(self, last, dy):
        start = 0 if self._needs_input_grad else self._first_with_weights
        for step in reversed(self._steps(self.layers[start:last + 1])):
            dy = step.backward(dy)
        return dy

    def _steps(self, layers):
        """The layers as the passes run them: each alone, except a Conv2D and the
        MaxPooling2D after it, run as one step (``tinynet.models.fusion``) unless the
        model is compiled with jit_compile=False."""
        return list(layers) if self.jit_compile is False else fusion.steps(layers)

    @property
    def output_activation(self):
        return self.layers[-1].output_activation if self.layers else None

    @property
    def logits(self):
        return self.layers[-1].logits

    def backward_from_logits(self, dz):
        dy = self.layers[-1].backward_from_logits(dz)
        return self._backward_from(len(self.layers) - 2, dy)

    def compute_gradients(self, x, y, sample_weight=None):
        """Forward, loss and backward for one batch: x (n, ...), y targets, optional
        sample weights w (n,), which make the loss sum_i w_i l_i / n.

        Returns (per-sample losses (n,), unweighted; output (n, ...)); the gradients are
        left in each layer's ``grads``, regularization penalties' gradients included.
        """
        out = self.forward(x, training=True)
        if self.uses_logits:
            sample_losses, dz = self.loss.from_logits_and_grad(y, self.logits)
            self.backward_from_logits(_weigh_rows(dz, sample_weight))
        else:
            sample_losses = self.loss.per_sample(y, out)
            self.backward(_weigh_rows(self.loss.gradient(y, out), sample_weight))
        for layer, name in self._regularized_slots():
            layer.grads[name] += layer.regularizers[name].gradient(layer.params[name])
        return sample_losses, out

    def _regularized_slots(self):
        """The trained weights with a penalty, found once with the list of trained weights
        (fit asks for them after every batch)."""
        self._freeze_trainable_set()
        return self._regularized

    def sample_losses(self, out, y):
        """Per-sample losses of a forward pass's output, as ``compute_gradients`` takes them."""
        if self.uses_logits:
            return self.loss.from_logits_and_grad(y, self.logits)[0]
        return self.loss.per_sample(y, out)

    def gradients(self):
        """The gradient of every weight that fit updates, in the order of ``_params``."""
        self._freeze_trainable_set()
        return [layer.grads[name] for layer, name in self._train_slots]

    def gradients_finite(self):
        """True when the last backward pass produced no NaN or inf.

        Checks each layer's bias gradient: db is the sum of dz over the batch, so
        a NaN or inf anywhere in a layer's dz reaches it, and the 100k-entry kernel
        gradients need no scan. A layer without a bias has every gradient checked.
        (An overflow inside X.T @ dz alone, with every dz finite, would not be
        seen; the loss check in ``fit`` catches what follows from it.)
        """
        self._freeze_trainable_set()
        for layer, name in self._train_slots:
            if (name == "bias" or "bias" not in layer.grads) and not backend.ops.all_finite(layer.grads[name]):
                return False
        return True

    def train_step(self, x, y):
        """One step of gradient descent on a batch. Returns (per-sample losses, output)."""
        sample_losses, out = self.compute_gradients(x, y)
        self.optimizer.apply(self._params, self.gradients())
        return sample_losses, out

    # -- Keras' public API ---------------------------------------------------------------------
    def fit(self, x, y, batch_size=None, epochs=1, verbose="auto", callbacks=None, validation_split=0.0,
            validation_data=None, shuffle=True, class_weight=None, sample_weight=None, initial_epoch=0,
            validation_freq=1):
        """Train; returns a History. See ``tinynet.models.training.fit``."""
        return training.fit(self, x, y, epochs=epochs, batch_size=batch_size,
                            validation_data=validation_data, validation_split=validation_split,
                            shuffle=shuffle, verbose=verbose, callbacks=callbacks,
                            initial_epoch=initial_epoch, validation_freq=validation_freq,
                            class_weight=class_weight, sample_weight=sample_weight)

    def evaluate(self, x, y, batch_size=None, verbose="auto", sample_weight=None, callbacks=None,
                 return_dict=False):
        """[loss, metric, ...] on (x, y); the loss alone when compiled without metrics;
        with ``return_dict``, {name: value}."""
        return training.evaluate(self, x, y, batch_size=batch_size, verbose=verbose, callbacks=callbacks,
                                 sample_weight=sample_weight, return_dict=return_dict)

    def predict(self, x, batch_size=None, verbose="auto", callbacks=None):
        """The model's outputs for x, batch by batch, as float32 (n, *output_shape)."""
        return training.predict(self, x, batch_size=batch_size, verbose=verbose, callbacks=callbacks)

    def save(self, path):
        """Write architecture, weights, optimizer state and compile settings to one
        file, atomically. See ``tinynet.models.saving``."""
        saving.save_model(self, path)

    def save_weights(self, path):
        saving.save_weights(self, path)

    def load_weights(self, path):
        saving.load_weights(self, path)

    def summary(self, print_fn=print):
        print_fn(_summary.table(self))

    def get_layer(self, name=None, index=None):
        """A layer by its name or by its position in ``model.layers``."""
        if (name is None) == (index is None):
            raise ValueError("Provide exactly one of `name` or `index` to get_layer(). "
                             f"Received: name={name!r}, index={index!r}")
        if index is not None:
            if not -len(self.layers) <= index < len(self.layers):
                raise ValueError(f"Was asked to retrieve layer at index {index} but model '{self.name}' "
                                 f"only has {len(self.layers)} layers.")
            return self.layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(f"No such layer: {name}. Existing layers are: {[layer.name for layer in self.layers]}.")

    @property
    def input_shape(self):
        """(None, *shape of one sample), as Keras shows it."""
        if self._sample_shape is None:
            raise AttributeError(f"Model '{self.name}' has no defined input shape yet: give it an Input, "
                                 "or call, fit or build it.")
        return (None,) + tuple(self._sample_shape)

    @input_shape.setter
    def input_shape(self, value):  # Layer.__init__ stores the declared shape here
        if value is not None:
            self._sample_shape = tuple(value)

    @property
    def output_shape(self):
        return (None,) + self.output_shape_for(self.input_shape[1:])

    def get_weights(self):
        return [w.copy() for w in self.weights]

    def set_weights(self, weights):
        """Set all weights, in ``get_weights`` order; shapes are all checked first."""
        weights = list(weights)
        current = self.weights
        expected = [p.shape for p in current]
        got = [np.shape(w) for w in weights]
        if got != expected:
            raise ValueError(f"Model '{self.name}' expects weights of shapes {expected}. "
                             f"Received: shapes {got}")
        for p, w in zip(current, weights):
            p[...] = w

    def get_config(self):
        return {"name": self.name, "trainable": self.trainable,
                "layers": [saving.layer_config(layer) for layer in self.layers]}

    def __repr__(self):
        return f"<Sequential name={self.name} layers={[layer.name for layer in self.layers]}>"


def _weigh_rows(grad, weights):
    """dL/d(output) of sum_i w_i l_i / n: row i of the unweighted gradient times w_i."""
    if weights is None:
        return grad
    return grad * weights.reshape((-1,) + (1,) * (grad.ndim - 1))


def all_layers(model):
    """Every layer inside ``model``, those of nested models included."""
    for layer in model.layers:
        yield layer
        yield from all_layers(layer) if isinstance(layer, Sequential) else []
