"""``TerminateOnNaN``: stop training on a NaN or infinite loss, as
``keras.callbacks.TerminateOnNaN``."""
import numpy as np

from .callback import Callback


class TerminateOnNaN(Callback):
    """Stop when a training batch's loss is NaN or infinite.

    raise_error: False sets ``model.stop_training`` (fit finishes the epoch's
    bookkeeping and calls on_train_end); True raises a RuntimeError at once.

    tinynet's ``fit`` already checks every batch before applying its update (see
    ``History.stop_reason``), so with tinynet this rarely fires; it is here so
    Keras code runs unchanged, and acts on any loss that reaches it. Like Keras',
    it listens on the legacy ``on_batch_end``, which ``on_train_batch_end`` calls.
    """

    def __init__(self, raise_error=False):
        super().__init__()
        self.raise_error = raise_error

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is None or np.isfinite(loss):
            return
        if self.raise_error:
            raise RuntimeError(f"NaN or Inf loss encountered at batch {batch}. "
                               f"Loss value: {loss}. Terminating training immediately.")
        print(f"Batch {batch}: Invalid loss, terminating training")
        self.model.stop_training = True
