"""``Sequential``: a stack of layers, each feeding the next, with Keras' API.

    model = Sequential([Flatten(input_shape=(28, 28)), Dense(128, activation="relu"),
                        Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=5)

This file holds the model itself: building, the forward and backward pass, one
gradient step, weights. The loops over data (fit, evaluate, predict) are in
``training.py``; the summary table is in ``summary.py``.
"""
import numpy as np

from .. import backend, losses, optimizers
from .. import metrics as metrics_lib
from ..layers import InputLayer, Layer
from . import saving
from . import summary as _summary
from . import training


class Sequential:
    def __init__(self, layers=None, name=None):
        self.name = name or "sequential"
        self.layers = []
        self.input_shape = None  # of one sample, without the batch axis
        self.built = False
        self._params = []  # every parameter array, in Keras' order (see _link_parameters)
        self._first_trainable = 0
        self.compiled = False
        self.stop_training = False
        self.history = None
        for layer in layers or []:
            self.add(layer)

    # -- building ------------------------------------------------------------------------
    def add(self, layer):
        if not isinstance(layer, Layer):
            raise TypeError(f"Sequential.add expects a tinynet layer. Received: layer={layer!r}")
        if isinstance(layer, InputLayer):
            if self.layers or self.input_shape is not None:
                raise ValueError("An Input can only be the first layer of a Sequential model. "
                                 f"Received: {layer!r} after {len(self.layers)} layer(s)")
            self.input_shape = layer.input_shape
        else:
            if not self.layers and self.input_shape is None and layer.input_shape is not None:
                self.input_shape = layer.input_shape
            self.layers.append(layer)
        if self.input_shape is not None:
            self.build((None,) + self.input_shape)

    def build(self, input_shape):
        """Create every layer's weights for inputs of shape (batch, *sample_shape)."""
        shape = tuple(input_shape)[1:]
        self.output_shape_for(shape)  # raises, before anything changes, if the layers do not fit
        for layer in self.layers:
            if not layer.built:
                layer.build(shape)
            shape = layer.compute_output_shape(shape)
        self.input_shape = tuple(input_shape)[1:]
        self.built = bool(self.layers)
        self._link_parameters()

    def output_shape_for(self, sample_shape):
        """The output shape of one sample, computed without building anything; each
        layer raises here if it cannot take what the layer before it gives."""
        shape = tuple(sample_shape)
        for layer in self.layers:
            shape = layer.compute_output_shape(shape)
        return shape

    def _link_parameters(self):
        """Collect every parameter in Keras' order, and mark the first layer with
        parameters: its input is data, so its backward pass can skip dL/dx."""
        self._params = [p for layer in self.layers for p in layer.params.values()]
        first = next((i for i, layer in enumerate(self.layers) if layer.params), len(self.layers))
        self._first_trainable = first
        for i, layer in enumerate(self.layers):
            layer.needs_input_grad = i > first

    # -- compile -------------------------------------------------------------------------
    def compile(self, optimizer="adam", loss=None, metrics=None):
        """Choose optimizer, loss and metrics. Everything is checked before anything is set.

        Unlike Keras (whose default is 'rmsprop', which tinynet does not have) the
        default optimizer is 'adam'.
        """
        optimizer = optimizers.get(optimizer)
        if loss is None:
            raise ValueError("Argument `loss` is required: expected a loss name or a tinynet Loss. "
                             "Received: loss=None")
        loss = losses.get(loss)
        if metrics is not None and not isinstance(metrics, (list, tuple)):
            raise TypeError(f"Argument `metrics` must be a list of metric names. Received: metrics={metrics!r}")
        names = [metrics_lib.check(m) for m in (metrics or [])]
        self.optimizer, self.loss, self.metric_names = optimizer, loss, names
        self.compiled = True

    @property
    def uses_softmax_logits(self):
        """True when the loss is taken from the logits of a softmax output layer
        (Keras does this too): stable, and never clipped."""
        last = self.layers[-1] if self.layers else None
        return (self.loss.crossentropy and not self.loss.from_logits
                and getattr(last, "ends_in_softmax", False))

    # -- the passes --------------------------------------------------------------------------
    def forward(self, x, training=False):
        for layer in self.layers:
            x = layer.call(x, training=training)
        return x

    def compute_gradients(self, x, y):
        """Forward, loss and backward for one batch: x (n, ...), y targets.

        Returns (per-sample losses (n,), output (n, c)); the gradients are left in
        each layer's ``grads``.
        """
        out = self.forward(x, training=True)
        last = self.layers[-1]
        if self.uses_softmax_logits:
            sample_losses, dz = self.loss.from_logits_and_grad(y, last.logits)
            grad = last.backward_from_logits(dz)
        else:
            sample_losses = self.loss.per_sample(y, out)
            grad = last.backward(self.loss.gradient(y, out))
        for layer in reversed(self.layers[self._first_trainable:-1]):
            grad = layer.backward(grad)
        return sample_losses, out

    def sample_losses(self, out, y):
        """Per-sample losses of a forward pass's output, as ``compute_gradients`` takes them."""
        if self.uses_softmax_logits:
            return self.loss.from_logits_and_grad(y, self.layers[-1].logits)[0]
        return self.loss.per_sample(y, out)

    def gradients(self):
        """Every parameter's gradient, in the order of ``get_weights``."""
        return [layer.grads[name] for layer in self.layers for name in layer.params]

    def gradients_finite(self):
        """True when the last backward pass produced no NaN or inf.

        Checks each layer's bias gradient: db is the sum of dz over the batch, so
        a NaN or inf anywhere in a layer's dz reaches it, and the 100k-entry kernel
        gradients need no scan. A layer without a bias has every gradient checked.
        (An overflow inside X.T @ dz alone, with every dz finite, would not be
        seen; the loss check in ``fit`` catches what follows from it.)
        """
        for layer in self.layers:
            grads = layer.grads
            for g in ([grads["bias"]] if "bias" in grads else grads.values()):
                if not backend.ops.all_finite(g):
                    return False
        return True

    def train_step(self, x, y):
        """One step of gradient descent on a batch. Returns (per-sample losses, output)."""
        sample_losses, out = self.compute_gradients(x, y)
        self.optimizer.apply(self._params, self.gradients())
        return sample_losses, out

    # -- Keras' public API ---------------------------------------------------------------------
    def fit(self, x, y, epochs=1, batch_size=32, validation_data=None, validation_split=0.0,
            shuffle=True, verbose=1, callbacks=None, initial_epoch=0, validation_freq=1):
        """Train; returns a History. See ``tinynet.models.training.fit``."""
        return training.fit(self, x, y, epochs=epochs, batch_size=batch_size,
                            validation_data=validation_data, validation_split=validation_split,
                            shuffle=shuffle, verbose=verbose, callbacks=callbacks,
                            initial_epoch=initial_epoch, validation_freq=validation_freq)

    def evaluate(self, x, y, batch_size=32, verbose=1, callbacks=None):
        """[loss, accuracy, ...] on (x, y); the loss alone when compiled without metrics."""
        return training.evaluate(self, x, y, batch_size=batch_size, verbose=verbose, callbacks=callbacks)

    def predict(self, x, batch_size=32, verbose=0, callbacks=None):
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

    def get_weights(self):
        return [w for layer in self.layers for w in layer.get_weights()]

    def set_weights(self, weights):
        """Set all weights, in ``get_weights`` order; shapes are all checked first."""
        weights = list(weights)
        expected = [p.shape for p in self._params]
        got = [np.shape(w) for w in weights]
        if got != expected:
            raise ValueError(f"Model '{self.name}' expects weights of shapes {expected}. "
                             f"Received: shapes {got}")
        for p, w in zip(self._params, weights):
            p[...] = w

    @property
    def weights(self):
        return list(self._params)

    def count_params(self):
        return int(sum(layer.count_params() for layer in self.layers))

    def __repr__(self):
        return f"<Sequential name={self.name} layers={[layer.name for layer in self.layers]}>"
