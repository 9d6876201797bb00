"""``Callback``: the base class of code that ``fit``, ``evaluate`` and ``predict``
run at fixed moments, as ``keras.callbacks.Callback``.

Subclass it and override the hooks you need; the others do nothing. The loops
call them in this order (``CallbackList`` passes them on):

    fit       on_train_begin
              per epoch:  on_epoch_begin
                          per batch: on_train_batch_begin, on_train_batch_end
                          if it validates this epoch: on_test_begin,
                              per batch on_test_batch_begin, on_test_batch_end,
                              on_test_end
                          on_epoch_end
              on_train_end
    evaluate  on_test_begin, per batch on_test_batch_begin/end, on_test_end
    predict   on_predict_begin, per batch on_predict_batch_begin/end, on_predict_end

``epoch`` and ``batch`` count from 0. ``logs`` is always a dict (empty when
there is nothing to report):
    on_train_batch_end, on_test_batch_end   running means of the epoch so far,
                                            e.g. {'accuracy': 0.9, 'loss': 0.3}
    on_test_end                             the whole evaluation's figures
    on_epoch_end                            the epoch's figures, plus 'val_...'
                                            ones when it validated
    on_train_end                            the last epoch's figures
    on_predict_batch_end                    {'outputs': the batch's outputs (n, ...)}

A callback stops training by setting ``self.model.stop_training = True`` (read
after every batch and every epoch); ``model.stop_evaluating`` and
``model.stop_predicting`` stop ``evaluate`` and ``predict`` the same way.
"""


class Callback:
    """Base class: every hook does nothing, except the two legacy aliases below.

    Attributes: ``model`` (the model being trained), ``params`` (dict: 'verbose',
    'epochs', 'steps' per epoch; in ``fit`` also 'metrics', the names fit will
    log, which tinynet's monitoring callbacks check before training starts).
    """

    # Class-level defaults, so a subclass whose __init__ forgets super().__init__() still works.
    params = None
    _model = None

    def __init__(self):
        self.params = None
        self._model = None

    def set_params(self, params):
        self.params = params

    def set_model(self, model):
        self._model = model

    @property
    def model(self):
        return self._model

    # -- legacy aliases: Keras 1 and 2 named the training-batch hooks so ------------------
    def on_batch_begin(self, batch, logs=None):
        """Called by the default ``on_train_batch_begin`` (training batches only)."""

    def on_batch_end(self, batch, logs=None):
        """Called by the default ``on_train_batch_end`` (training batches only)."""

    # -- fit ---------------------------------------------------------------------------------
    def on_train_begin(self, logs=None):
        """Start of ``fit``, before any epoch. logs: {}."""

    def on_train_end(self, logs=None):
        """End of ``fit``. logs: the last epoch's logs, as fit made them ({} if no epoch ran)."""

    def on_epoch_begin(self, epoch, logs=None):
        """Start of an epoch. logs: {}."""

    def on_epoch_end(self, epoch, logs=None):
        """End of an epoch. logs: the epoch's figures; 'val_...' ones too when it validated.
        Callbacks later in the list see what earlier ones add to this dict."""

    def on_train_batch_begin(self, batch, logs=None):
        """Start of a training batch. logs: {}."""
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        """End of a training batch, after the update. logs: the epoch's running means so far."""
        self.on_batch_end(batch, logs=logs)

    # -- evaluate, and fit's validation -------------------------------------------------------
    def on_test_begin(self, logs=None):
        """Start of ``evaluate``, or of fit's validation. logs: {}."""

    def on_test_end(self, logs=None):
        """End of ``evaluate`` or of a validation. logs: its figures, without 'val_'."""

    def on_test_batch_begin(self, batch, logs=None):
        """Start of an evaluation batch. logs: {}."""

    def on_test_batch_end(self, batch, logs=None):
        """End of an evaluation batch. logs: the running means so far."""

    # -- predict ------------------------------------------------------------------------------
    def on_predict_begin(self, logs=None):
        """Start of ``predict``. logs: {}."""

    def on_predict_end(self, logs=None):
        """End of ``predict``. logs: {}."""

    def on_predict_batch_begin(self, batch, logs=None):
        """Start of a prediction batch. logs: {}."""

    def on_predict_batch_end(self, batch, logs=None):
        """End of a prediction batch. logs: {'outputs': the batch's outputs (n, ...)}."""


def overrides(callback, hook):
    """True when ``callback`` has its own ``hook`` (a subclass method, or a function
    stored on the instance, as LambdaCallback does), not Callback's default."""
    method = getattr(callback, hook)
    return getattr(method, "__func__", method) is not getattr(Callback, hook)
