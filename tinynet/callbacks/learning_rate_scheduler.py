"""``LearningRateScheduler``: set the learning rate before each epoch from a
function, as ``keras.callbacks.LearningRateScheduler``."""
import numpy as np

from .callback import Callback


class LearningRateScheduler(Callback):
    """schedule(epoch, lr) -> new lr, called before every epoch (epoch counts from
    0, lr is the optimizer's current rate); the result is set as
    ``model.optimizer.learning_rate``. A schedule of one argument, schedule(epoch),
    is accepted too (Keras' older form). It must return a float (Python, or NumPy
    float32/float64): an int is refused, as Keras refuses it.

    Every epoch's logs get 'learning_rate', the rate used in that epoch, so
    History and the callbacks after this one in the list see it.
    verbose: 1 prints each change.
    """

    def __init__(self, schedule, verbose=0):
        super().__init__()
        if not callable(schedule):
            raise TypeError("Argument `schedule` must be a function (epoch, lr) -> new learning rate. "
                            f"Received: schedule={schedule!r}")
        self.schedule = schedule
        self.verbose = verbose

    def on_epoch_begin(self, epoch, logs=None):
        optimizer = self.model.optimizer
        lr = float(optimizer.learning_rate)
        try:
            new_lr = self.schedule(epoch, lr)
        except TypeError:  # as Keras: a schedule(epoch) of the older form
            new_lr = self.schedule(epoch)
        if not isinstance(new_lr, (float, np.float32, np.float64)):
            raise ValueError(f"The output of the `schedule` function should be a float. Got: {new_lr}")
        optimizer.learning_rate = float(new_lr)
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {new_lr}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = float(self.model.optimizer.learning_rate)
