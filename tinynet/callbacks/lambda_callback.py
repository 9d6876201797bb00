"""``LambdaCallback``: a callback made of plain functions, as
``keras.callbacks.LambdaCallback``."""
from .callback import Callback

HOOKS = ("on_batch_begin", "on_batch_end", "on_epoch_begin", "on_epoch_end", "on_predict_batch_begin",
         "on_predict_batch_end", "on_predict_begin", "on_predict_end", "on_test_batch_begin",
         "on_test_batch_end", "on_test_begin", "on_test_end", "on_train_batch_begin", "on_train_batch_end",
         "on_train_begin", "on_train_end")


class LambdaCallback(Callback):
    """Each argument given becomes that hook. The loops call them as Keras does:

        on_epoch_begin(epoch, logs), on_epoch_end(epoch, logs)
        on_train_begin(logs), on_train_end(logs)
        on_train_batch_begin(batch, logs=logs), on_train_batch_end(batch, logs=logs)

    so a batch function's second parameter must be named ``logs``. Any other hook
    (e.g. ``on_test_end=...``) may be given by name in ``kwargs``.

        LambdaCallback(on_epoch_end=lambda epoch, logs: print(epoch, logs["loss"]))
    """

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_train_begin=None, on_train_end=None,
                 on_train_batch_begin=None, on_train_batch_end=None, **kwargs):
        super().__init__()
        given = dict(kwargs, on_epoch_begin=on_epoch_begin, on_epoch_end=on_epoch_end,
                     on_train_begin=on_train_begin, on_train_end=on_train_end,
                     on_train_batch_begin=on_train_batch_begin, on_train_batch_end=on_train_batch_end)
        # Keras stores any keyword as an attribute; tinynet refuses a misspelled hook,
        # which would otherwise never be called.
        for name, function in given.items():
            if name not in HOOKS:
                raise TypeError(f"LambdaCallback got an unexpected hook '{name}'. Expected one of "
                                f"{list(HOOKS)}. Received: {name}={function!r}")
            if function is not None and not callable(function):
                raise TypeError(f"Argument `{name}` must be a function. Received: {name}={function!r}")
        for name, function in given.items():
            if function is not None:
                setattr(self, name, function)  # an instance attribute hides the class's method
