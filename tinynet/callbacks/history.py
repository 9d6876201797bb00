"""``History``: what ``fit`` returns, as ``keras.callbacks.History``.

``fit`` adds one to its callbacks (last, unless the list holds one already).
"""
from .callback import Callback


class History(Callback):
    """``history`` maps each log name to one value per epoch that logged it;
    ``epoch`` lists the epochs seen. With ``validation_freq`` > 1 the 'val_...'
    lists are shorter: only the epochs that validated add to them.

    tinynet adds ``stop_reason``: None, or a dict (reason, epoch, batch,
    message) when training stopped on a NaN or infinite loss or gradient; and
    ``receipt``: seed, backend, thread count, versions and a hash of the final
    weights.
    """

    def __init__(self):
        super().__init__()
        self.epoch = []
        self.history = {}
        self.stop_reason = None
        self.receipt = None

    def on_train_begin(self, logs=None):
        self.epoch = []  # as Keras: a History given to a second fit keeps its history dict

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for name, value in (logs or {}).items():
            self.history.setdefault(name, []).append(value)
        self.model.history = self
