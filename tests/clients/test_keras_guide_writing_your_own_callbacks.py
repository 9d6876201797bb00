"""Keras' guide "Writing your own callbacks" (keras-io, guides/writing_your_own_callbacks.py,
the Keras 3 edition), top to bottom: a callback that reports every hook with the keys of
its logs during fit, evaluate and predict; the logs' values; ``self.model`` to stop
training and restore weights; a custom learning-rate schedule, and the built-in
``LearningRateScheduler`` the guide points to.

Changes to the text:
- imports: ``import keras`` -> ``import tinynet as keras``.
- ``np.Inf`` -> ``np.inf``: NumPy 2 removed ``np.Inf``, so the text fails there under Keras too.
- the text prints; the tests capture what it printed and compare it with what Keras 3.15.1
  printed for the same steps on the same data (the same first 1,000 MNIST images).
"""
import functools
import re

import numpy as np
import pytest

import tinynet as keras  # was: import keras


# Define the Keras model to add callbacks to
def get_model():
    model = keras.Sequential()
    model.add(keras.layers.Dense(1))
    model.compile(
        optimizer=keras.optimizers.RMSprop(learning_rate=0.1),
        loss="mean_squared_error",
        metrics=["mean_absolute_error"],
    )
    return model


@functools.lru_cache(maxsize=None)  # loaded once; no test changes these arrays in place
def mnist_data():
    # Load example MNIST data and pre-process it
    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    x_train = x_train.reshape(-1, 784).astype("float32") / 255.0
    x_test = x_test.reshape(-1, 784).astype("float32") / 255.0

    # Limit the data to 1000 samples
    x_train = x_train[:1000]
    y_train = y_train[:1000]
    x_test = x_test[:1000]
    y_test = y_test[:1000]
    return (x_train, y_train), (x_test, y_test)


class CustomCallback(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        keys = list(logs.keys())
        print("Starting training; got log keys: {}".format(keys))

    def on_train_end(self, logs=None):
        keys = list(logs.keys())
        print("Stop training; got log keys: {}".format(keys))

    def on_epoch_begin(self, epoch, logs=None):
        keys = list(logs.keys())
        print("Start epoch {} of training; got log keys: {}".format(epoch, keys))

    def on_epoch_end(self, epoch, logs=None):
        keys = list(logs.keys())
        print("End epoch {} of training; got log keys: {}".format(epoch, keys))

    def on_test_begin(self, logs=None):
        keys = list(logs.keys())
        print("Start testing; got log keys: {}".format(keys))

    def on_test_end(self, logs=None):
        keys = list(logs.keys())
        print("Stop testing; got log keys: {}".format(keys))

    def on_predict_begin(self, logs=None):
        keys = list(logs.keys())
        print("Start predicting; got log keys: {}".format(keys))

    def on_predict_end(self, logs=None):
        keys = list(logs.keys())
        print("Stop predicting; got log keys: {}".format(keys))

    def on_train_batch_begin(self, batch, logs=None):
        keys = list(logs.keys())
        print("...Training: start of batch {}; got log keys: {}".format(batch, keys))

    def on_train_batch_end(self, batch, logs=None):
        keys = list(logs.keys())
        print("...Training: end of batch {}; got log keys: {}".format(batch, keys))

    def on_test_batch_begin(self, batch, logs=None):
        keys = list(logs.keys())
        print("...Evaluating: start of batch {}; got log keys: {}".format(batch, keys))

    def on_test_batch_end(self, batch, logs=None):
        keys = list(logs.keys())
        print("...Evaluating: end of batch {}; got log keys: {}".format(batch, keys))

    def on_predict_batch_begin(self, batch, logs=None):
        keys = list(logs.keys())
        print("...Predicting: start of batch {}; got log keys: {}".format(batch, keys))

    def on_predict_batch_end(self, batch, logs=None):
        keys = list(logs.keys())
        print("...Predicting: end of batch {}; got log keys: {}".format(batch, keys))


class LossAndErrorPrintingCallback(keras.callbacks.Callback):
    def on_train_batch_end(self, batch, logs=None):
        print(
            "Up to batch {}, the average loss is {:7.2f}.".format(batch, logs["loss"])
        )

    def on_test_batch_end(self, batch, logs=None):
        print(
            "Up to batch {}, the average loss is {:7.2f}.".format(batch, logs["loss"])
        )

    def on_epoch_end(self, epoch, logs=None):
        print(
            "The average loss for epoch {} is {:7.2f} "
            "and mean absolute error is {:7.2f}.".format(
                epoch, logs["loss"], logs["mean_absolute_error"]
            )
        )


# -- what Keras 3.15.1 printed, as a function of the number of batches ----------------------------
METRICS = "['loss', 'mean_absolute_error']"


def evaluate_lines(batches):
    lines = ["Start testing; got log keys: []"]
    for b in range(batches):
        lines += [f"...Evaluating: start of batch {b}; got log keys: []",
                  f"...Evaluating: end of batch {b}; got log keys: {METRICS}"]
    return lines + [f"Stop testing; got log keys: {METRICS}"]


def fit_lines(train_batches, val_batches):
    """One epoch with validation: the test hooks run inside the epoch, before its end."""
    every = "['loss', 'mean_absolute_error', 'val_loss', 'val_mean_absolute_error']"
    lines = ["Starting training; got log keys: []", "Start epoch 0 of training; got log keys: []"]
    for b in range(train_batches):
        lines += [f"...Training: start of batch {b}; got log keys: []",
                  f"...Training: end of batch {b}; got log keys: {METRICS}"]
    lines += evaluate_lines(val_batches)
    return lines + [f"End epoch 0 of training; got log keys: {every}", f"Stop training; got log keys: {every}"]


def predict_lines(batches):
    lines = ["Start predicting; got log keys: []"]
    for b in range(batches):
        lines += [f"...Predicting: start of batch {b}; got log keys: []",
                  f"...Predicting: end of batch {b}; got log keys: ['outputs']"]
    return lines + ["Stop predicting; got log keys: []"]


def callback_lines(printed):
    """The lines CustomCallback printed (a progress bar may share a line with one)."""
    return re.findall(r"(?:Starting|Stop|Start|End|\.\.\.)[^\n]*?got log keys: \[[^\]]*\]", printed)


# -- A basic example -------------------------------------------------------------------------------
def test_a_custom_callback_sees_every_hook_of_fit_in_order(capsys):
    (x_train, y_train), _ = mnist_data()
    model = get_model()
    model.fit(
        x_train,
        y_train,
        batch_size=128,
        epochs=1,
        verbose=0,
        validation_split=0.5,
        callbacks=[CustomCallback()],
    )
    # 500 training and 500 validation samples in batches of 128: 4 batches each
    assert callback_lines(capsys.readouterr().out) == fit_lines(4, 4)


def test_a_custom_callback_sees_every_hook_of_evaluate(capsys):
    (x_train, y_train), (x_test, y_test) = mnist_data()
    model = get_model()

    res = model.evaluate(
        x_test, y_test, batch_size=128, verbose=0, callbacks=[CustomCallback()]
    )

    assert callback_lines(capsys.readouterr().out) == evaluate_lines(8)
    assert isinstance(res, list) and len(res) == 2  # [loss, mean_absolute_error]


def test_a_custom_callback_sees_every_hook_of_predict(capsys):
    (x_train, y_train), (x_test, y_test) = mnist_data()
    model = get_model()

    res = model.predict(x_test, batch_size=128, callbacks=[CustomCallback()])

    assert callback_lines(capsys.readouterr().out) == predict_lines(8)
    assert res.shape == (1000, 1)


def test_predict_batch_logs_hold_the_outputs_of_the_batch():
    """Keras 3.15.1 passes ``{'outputs': <the batch's predictions>}`` to on_predict_batch_end."""
    (x_train, y_train), (x_test, y_test) = mnist_data()

    class Outputs(keras.callbacks.Callback):
        def on_predict_batch_end(self, batch, logs=None):
            self.seen = getattr(self, "seen", []) + [np.asarray(logs["outputs"])]

    model = get_model()
    outputs = Outputs()
    res = model.predict(x_test[:300], batch_size=128, callbacks=[outputs], verbose=0)
    assert [o.shape for o in outputs.seen] == [(128, 1), (128, 1), (44, 1)]
    np.testing.assert_array_equal(np.concatenate(outputs.seen), res)


# -- Usage of logs dict ------------------------------------------------------------------------------
def test_the_logs_dict_holds_the_running_loss_and_the_metrics(capsys):
    (x_train, y_train), (x_test, y_test) = mnist_data()
    model = get_model()
    history = model.fit(
        x_train,
        y_train,
        batch_size=128,
        epochs=2,
        verbose=0,
        callbacks=[LossAndErrorPrintingCallback()],
    )

    res = model.evaluate(
        x_test,
        y_test,
        batch_size=128,
        verbose=0,
        callbacks=[LossAndErrorPrintingCallback()],
    )

    lines = capsys.readouterr().out.splitlines()
    # 8 batches per epoch, 2 epochs, then 8 evaluation batches, as Keras 3.15.1 printed
    assert len(lines) == 8 + 1 + 8 + 1 + 8
    loss, mae = history.history["loss"], history.history["mean_absolute_error"]
    for epoch, line in [(0, lines[8]), (1, lines[17])]:
        assert line == "The average loss for epoch {} is {:7.2f} and mean absolute error is {:7.2f}.".format(
            epoch, loss[epoch], mae[epoch])
    # "Up to batch": a running mean, so the last batch of an epoch shows the epoch's loss
    assert lines[7] == "Up to batch 7, the average loss is {:7.2f}.".format(loss[0])
    assert lines[-1] == "Up to batch 7, the average loss is {:7.2f}.".format(res[0])


# -- Examples of Keras callback applications -----------------------------------------------------------
class EarlyStoppingAtMinLoss(keras.callbacks.Callback):
    """Stop training when the loss is at its min, i.e. the loss stops decreasing.

    Arguments:
        patience: Number of epochs to wait after min has been hit. After this
        number of no improvement, training stops.
    """

    def __init__(self, patience=0):
        super().__init__()
        self.patience = patience
        # best_weights to store the weights at which the minimum loss occurs.
        self.best_weights = None

    def on_train_begin(self, logs=None):
        # The number of epoch it has waited when loss is no longer minimum.
        self.wait = 0
        # The epoch the training stops at.
        self.stopped_epoch = 0
        # Initialize the best as infinity.
        self.best = np.inf

    def on_epoch_end(self, epoch, logs=None):
        current = logs.get("loss")
        if np.less(current, self.best):
            self.best = current
            self.wait = 0
            # Record the best weights if current results is better (less).
            self.best_weights = self.model.get_weights()
        else:
            self.wait += 1
            if self.wait >= self.patience:
                self.stopped_epoch = epoch
                self.model.stop_training = True
                print("Restoring model weights from the end of the best epoch.")
                self.model.set_weights(self.best_weights)

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")


def test_early_stopping_at_min_loss_stops_and_restores_the_best_weights(capsys):
    (x_train, y_train), _ = mnist_data()
    stopper = EarlyStoppingAtMinLoss()

    model = get_model()
    history = model.fit(
        x_train,
        y_train,
        batch_size=64,
        epochs=30,
        verbose=0,
        callbacks=[LossAndErrorPrintingCallback(), stopper],
    )

    losses = history.history["loss"]
    # Keras 3.15.1 stopped at epoch 6 of 30, the first whose loss did not decrease
    assert len(losses) < 30 and stopper.stopped_epoch == len(losses) - 1
    assert all(b < a for a, b in zip(losses[:-2], losses[1:-1])) and losses[-1] >= min(losses[:-1])
    for a, b in zip(stopper.best_weights, model.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert f"Epoch {len(losses)}: early stopping" in capsys.readouterr().out


class CustomLearningRateScheduler(keras.callbacks.Callback):
    """Learning rate scheduler which sets the learning rate according to schedule.

    Arguments:
        schedule: a function that takes an epoch index
            (integer, indexed from 0) and current learning rate
            as inputs and returns a new learning rate as output (float).
    """

    def __init__(self, schedule):
        super().__init__()
        self.schedule = schedule

    def on_epoch_begin(self, epoch, logs=None):
        if not hasattr(self.model.optimizer, "learning_rate"):
            raise ValueError('Optimizer must have a "learning_rate" attribute.')
        # Get the current learning rate from model's optimizer.
        lr = self.model.optimizer.learning_rate
        # Call schedule function to get the scheduled learning rate.
        scheduled_lr = self.schedule(epoch, lr)
        # Set the value back to the optimizer before this epoch starts
        self.model.optimizer.learning_rate = scheduled_lr
        print(f"\nEpoch {epoch}: Learning rate is {float(np.array(scheduled_lr))}.")


LR_SCHEDULE = [
    # (epoch to start, learning rate) tuples
    (3, 0.05),
    (6, 0.01),
    (9, 0.005),
    (12, 0.001),
]


def lr_schedule(epoch, lr):
    """Helper function to retrieve the scheduled learning rate based on epoch."""
    if epoch < LR_SCHEDULE[0][0] or epoch > LR_SCHEDULE[-1][0]:
        return lr
    for i in range(len(LR_SCHEDULE)):
        if epoch == LR_SCHEDULE[i][0]:
            return LR_SCHEDULE[i][1]
    return lr


EXPECTED_RATES = [0.1] * 3 + [0.05] * 3 + [0.01] * 3 + [0.005] * 3 + [0.001] * 3


def test_a_custom_callback_schedules_the_learning_rate(capsys):
    (x_train, y_train), _ = mnist_data()
    model = get_model()
    model.fit(
        x_train,
        y_train,
        batch_size=64,
        epochs=15,
        verbose=0,
        callbacks=[
            LossAndErrorPrintingCallback(),
            CustomLearningRateScheduler(lr_schedule),
        ],
    )

    printed = re.findall(r"Epoch (\d+): Learning rate is ([0-9.e-]+)\.", capsys.readouterr().out)
    assert [int(epoch) for epoch, _ in printed] == list(range(15))
    # Keras 3.15.1 keeps the rate in float32: 0.05000000074505806 once read back
    np.testing.assert_allclose([float(rate) for _, rate in printed], EXPECTED_RATES, rtol=1e-6)
    assert float(model.optimizer.learning_rate) == pytest.approx(0.001, rel=1e-6)


def test_the_built_in_learning_rate_scheduler_does_the_same_and_logs_the_rate():
    """"See callbacks.LearningRateScheduler for a more general implementation": the same
    schedule through it; Keras 3.15.1 adds each epoch's rate to the logs."""
    (x_train, y_train), _ = mnist_data()
    model = get_model()
    history = model.fit(x_train, y_train, batch_size=64, epochs=15, verbose=0,
                        callbacks=[keras.callbacks.LearningRateScheduler(lr_schedule)])
    assert sorted(history.history) == ["learning_rate", "loss", "mean_absolute_error"]
    np.testing.assert_allclose(history.history["learning_rate"], EXPECTED_RATES, rtol=1e-6)
    assert float(model.optimizer.learning_rate) == pytest.approx(0.001, rel=1e-6)
