"""``CallbackList``: the one object the loops talk to; it passes each hook on to
every callback, as ``keras.callbacks.CallbackList``.

    callbacks = CallbackList(user_callbacks, add_history=True, model=model,
                             verbose=0, epochs=5, steps=1875)
    callbacks.on_train_begin()
    for epoch in range(5):
        callbacks.on_epoch_begin(epoch)
        for step in range(1875):
            if callbacks.wants_train_batch_begin:
                callbacks.on_train_batch_begin(step)
            ...  # one step of training
            if callbacks.wants_train_batch_end:
                callbacks.on_train_batch_end(step, running_logs)
        callbacks.on_epoch_end(epoch, epoch_logs)
    callbacks.on_train_end(last_epoch_logs)

Each hook gets a fresh dict made from the loop's logs (never None): keys in
sorted order, values turned into Python floats where they can be (Keras does
the same), so a callback that adds a key (say, 'learning_rate') is seen by
the callbacks after it in the list but does not change the loop's own dict.

The ``wants_...`` flags say whether any callback overrides a batch hook: the
loops skip building batch logs when nobody listens, so a callback-free batch
costs a few attribute reads.
"""
import numpy as np

from .callback import Callback, overrides
from .history import History


def pythonify_logs(logs):
    """A new dict: ``logs`` (None means {}) with sorted keys, nested dicts flattened,
    and values as Python floats where ``float()`` takes them (arrays of one or more
    axes are kept as they are)."""
    result = {}
    for key, value in sorted((logs or {}).items()):
        if isinstance(value, dict):
            result.update(pythonify_logs(value))
            continue
        if not (isinstance(value, np.ndarray) and value.ndim > 0):
            try:
                value = float(value)
            except (TypeError, ValueError):
                pass
        result[key] = value
    return result


def as_callback_list(callbacks):
    """``callbacks`` (None, one Callback, or a list or tuple of them) as a list, checked."""
    if callbacks is None:
        return []
    if isinstance(callbacks, Callback):
        return [callbacks]
    if not isinstance(callbacks, (list, tuple)):
        raise TypeError("Argument `callbacks` must be a list of tinynet Callbacks. "
                        f"Received: callbacks={callbacks!r}")
    for cb in callbacks:
        if not isinstance(cb, Callback):
            raise TypeError(f"Argument `callbacks` must be a list of tinynet Callbacks. Received: {cb!r}")
    return list(callbacks)


class CallbackList(Callback):
    """A list of callbacks called as one.

    callbacks: None, a Callback, or a list of them. add_history: append a
    ``History`` unless the list holds one already (``fit`` does). model: set on
    every callback (and ``model.history`` becomes the list's History). params:
    given to every callback's ``set_params`` (verbose, epochs, steps, ...).
    """

    def __init__(self, callbacks=None, add_history=False, model=None, **params):
        super().__init__()
        self.callbacks = as_callback_list(callbacks)
        self.history = next((cb for cb in self.callbacks if isinstance(cb, History)), None)
        if self.history is None and add_history:
            self.history = History()
            self.callbacks.append(self.history)
        self.set_model(model)
        self.set_params(params)
        self.wants_train_batch_begin = self._any_overrides("on_train_batch_begin", "on_batch_begin")
        self.wants_train_batch_end = self._any_overrides("on_train_batch_end", "on_batch_end")
        self.wants_test_batch_begin = self._any_overrides("on_test_batch_begin")
        self.wants_test_batch_end = self._any_overrides("on_test_batch_end")
        self.wants_predict_batch_begin = self._any_overrides("on_predict_batch_begin")
        self.wants_predict_batch_end = self._any_overrides("on_predict_batch_end")

    def _any_overrides(self, *hooks):
        return any(overrides(cb, hook) for cb in self.callbacks for hook in hooks)

    def set_params(self, params):
        self.params = params
        if params:
            for cb in self.callbacks:
                cb.set_params(params)

    def set_model(self, model):
        if model is None:
            return
        super().set_model(model)
        if self.history is not None:
            model.history = self.history
        for cb in self.callbacks:
            cb.set_model(model)

    # Epoch and begin/end hooks take ``logs`` by position, batch hooks by keyword,
    # as Keras calls them (a LambdaCallback's functions rely on it).
    def on_train_begin(self, logs=None):
        logs = pythonify_logs(logs)
        for cb in self.callbacks:
            cb.on_train_begin(logs)

    def on_train_end(self, logs=None):
        logs = pythonify_logs(logs)
        for cb in self.callbacks:
            cb.on_train_end(logs)

    def on_epoch_begin(self, epoch, logs=None):
        logs = pythonify_logs(logs)
        for cb in self.callbacks:
            cb.on_epoch_begin(epoch, logs)

    def on_epoch_end(self, epoch, logs=None):
        """Returns the dict the callbacks saw, with what they added (tinynet's progress
        bar prints it, as Keras' progress bar, the last callback, does)."""
        logs = pythonify_logs(logs)
        for cb in self.callbacks:
            cb.on_epoch_end(epoch, logs)
        return logs

    def on_batch_begin(self, batch, logs=None):
        logs = pythonify_logs(logs)
        for cb in self.callbacks:
            cb.on_batch_begin(batch, logs=logs)

    def on_batch_end(self, batch, logs=None):
        logs = pythonify_logs(logs)
        for cb in self.callbacks:
            cb.on_batch_end(batch, logs=logs)

    def on_train_batch_begin(self, batch, logs=None):
        logs = pythonify_logs(logs)
        for cb in self.callbacks:
            cb.on_train_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        logs = pythonify_logs(logs)
        for cb in self.callbacks:
            cb.on_train_batch_end(batch, logs=logs)

    def on_test_begin(self, logs=None):
        logs = pythonify_logs(logs)
        for cb in self.callbacks:
            cb.on_test_begin(logs)

    def on_test_end(self, logs=None):
        logs = pythonify_logs(logs)
        for cb in self.callbacks:
            cb.on_test_end(logs)

    def on_test_batch_begin(self, batch, logs=None):
        logs = pythonify_logs(logs)
        for cb in self.callbacks:
            cb.on_test_batch_begin(batch, logs=logs)

    def on_test_batch_end(self, batch, logs=None):
        logs = pythonify_logs(logs)
        for cb in self.callbacks:
            cb.on_test_batch_end(batch, logs=logs)

    def on_predict_begin(self, logs=None):
        logs = pythonify_logs(logs)
        for cb in self.callbacks:
            cb.on_predict_begin(logs)

    def on_predict_end(self, logs=None):
        logs = pythonify_logs(logs)
        for cb in self.callbacks:
            cb.on_predict_end(logs)

    def on_predict_batch_begin(self, batch, logs=None):
        logs = pythonify_logs(logs)
        for cb in self.callbacks:
            cb.on_predict_batch_begin(batch, logs=logs)

    def on_predict_batch_end(self, batch, logs=None):
        logs = pythonify_logs(logs)
        for cb in self.callbacks:
            cb.on_predict_batch_end(batch, logs=logs)
