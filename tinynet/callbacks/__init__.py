"""Callbacks: code that ``fit``, ``evaluate`` and ``predict`` run at fixed moments,
as ``keras.callbacks``. One concept per module, as in Keras:

    callback.py                 Callback, the base class and the order of its hooks
    callback_list.py            CallbackList, what the loops call
    history.py                  History, what fit returns
    monitor_callback.py         what the three below share: which way a figure improves
    early_stopping.py           EarlyStopping
    model_checkpoint.py         ModelCheckpoint
    reduce_lr_on_plateau.py     ReduceLROnPlateau
    learning_rate_scheduler.py  LearningRateScheduler
    csv_logger.py               CSVLogger
    lambda_callback.py          LambdaCallback
    terminate_on_nan.py         TerminateOnNaN
"""
from .callback import Callback
from .callback_list import CallbackList
from .csv_logger import CSVLogger
from .early_stopping import EarlyStopping
from .history import History
from .lambda_callback import LambdaCallback
from .learning_rate_scheduler import LearningRateScheduler
from .model_checkpoint import ModelCheckpoint
from .reduce_lr_on_plateau import ReduceLROnPlateau
from .terminate_on_nan import TerminateOnNaN

__all__ = ["Callback", "CallbackList", "CSVLogger", "EarlyStopping", "History", "LambdaCallback",
           "LearningRateScheduler", "ModelCheckpoint", "ReduceLROnPlateau", "TerminateOnNaN"]
