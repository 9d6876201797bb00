"""TensorFlow's tutorial "Overfit and underfit" (tensorflow/docs,
site/en/tutorials/keras/overfit_and_underfit.ipynb), its key steps: a learning-rate
schedule (InverseTimeDecay), one compile-and-fit routine with a logits loss, a
BinaryCrossentropy metric and EarlyStopping on it, models of four sizes, then L2 weight
regularization, dropout and both combined.

Changes to the text:
- imports: ``tf.keras.X`` -> ``tinynet.X``; ``from tensorflow.keras import layers,
  regularizers`` -> ``from tinynet import layers, regularizers``; ``tf.add_n(list)`` ->
  ``sum(list)`` (TensorFlow's own function, a plain sum).
- data: the text downloads the Higgs dataset (11 million rows) and streams it through
  ``tf.data``; here 300 random rows of 28 features with a binary label in a column, as
  NumPy arrays: 100 to validate, 200 to train (the text: 1,000 and 10,000). ``fit`` takes
  ``batch_size=BATCH_SIZE`` where the text gives ``steps_per_epoch`` of a repeated
  dataset, and ``max_epochs`` is 2 (the text: 10,000, cut short by EarlyStopping).
- ``tfdocs.modeling.EpochDots`` (from the tensorflow_docs package, not Keras) and the
  TensorBoard callback are left out of ``get_callbacks``, and the plots are not drawn;
  TensorBoard is an xfail in the training-guide module.

Every expectation that depends on Keras' meaning ('accuracy' on a logit output, the
regularization in ``loss`` and ``val_loss`` but not in the metric) was checked in Keras 3.15.1.
"""
import numpy as np
import pytest

import tinynet  # was: import tensorflow as tf
from tinynet import layers  # was: from tensorflow.keras import layers
from tinynet import regularizers  # was: from tensorflow.keras import regularizers

from .conftest import binary_accuracy, row_of

FEATURES = 28
N_VALIDATION = 100  # the text: int(1e3)
N_TRAIN = 200  # the text: int(1e4)
BATCH_SIZE = 100  # the text: 500
STEPS_PER_EPOCH = N_TRAIN // BATCH_SIZE
MAX_EPOCHS = 2  # the text: 10000

HISTORY_KEYS = ["accuracy", "binary_crossentropy", "loss",
                "val_accuracy", "val_binary_crossentropy", "val_loss"]


def higgs_like_data():
    """A label that depends on three of the features, plus noise."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(N_VALIDATION + N_TRAIN, FEATURES)).astype("float32")
    y = (x[:, :3].sum(axis=1) + 0.5 * rng.normal(size=len(x)) > 0).astype("float32")[:, None]
    validate_ds = x[:N_VALIDATION], y[:N_VALIDATION]
    train_ds = x[N_VALIDATION:], y[N_VALIDATION:]
    return train_ds, validate_ds


def make_lr_schedule():
  """The text's top-level cell, in a function so that a missing name fails its tests
  rather than the import of this module."""
  lr_schedule = tinynet.optimizers.schedules.InverseTimeDecay(
    0.001,
    decay_steps=STEPS_PER_EPOCH*1000,
    decay_rate=1,
    staircase=False)
  return lr_schedule


def get_optimizer():
  return tinynet.optimizers.Adam(make_lr_schedule())


def get_callbacks(name):
  return [
    tinynet.callbacks.EarlyStopping(monitor='val_binary_crossentropy', patience=200),
  ]


def compile_and_fit(model, name, optimizer=None, max_epochs=MAX_EPOCHS):
  train_ds, validate_ds = higgs_like_data()
  if optimizer is None:
    optimizer = get_optimizer()
  model.compile(optimizer=optimizer,
                loss=tinynet.losses.BinaryCrossentropy(from_logits=True),
                metrics=[
                  tinynet.metrics.BinaryCrossentropy(
                      from_logits=True, name='binary_crossentropy'),
                  'accuracy'])

  model.summary()

  history = model.fit(
    *train_ds,
    batch_size=BATCH_SIZE,
    epochs=max_epochs,
    validation_data=validate_ds,
    callbacks=get_callbacks(name),
    verbose=0)
  return history


# -- Training procedure --------------------------------------------------------------------------
def test_inverse_time_decay_halves_the_rate_at_1000_epochs_and_thirds_it_at_2000():
    lr_schedule = make_lr_schedule()
    step = np.linspace(0,100000)
    lr = lr_schedule(step)

    # lr = 0.001 / (1 + step / decay_steps), for every step at once
    np.testing.assert_allclose(np.asarray(lr), 0.001 / (1 + step / (STEPS_PER_EPOCH * 1000)), rtol=1e-6)
    assert float(lr_schedule(STEPS_PER_EPOCH * 1000)) == pytest.approx(0.001 / 2, rel=1e-6)
    assert float(lr_schedule(STEPS_PER_EPOCH * 2000)) == pytest.approx(0.001 / 3, rel=1e-6)
    assert float(get_optimizer().learning_rate) == pytest.approx(0.001, rel=1e-6)


# -- Demonstrate overfitting ------------------------------------------------------------------------
def test_tiny_model(summary_of):
    tiny_model = tinynet.Sequential([
        layers.Dense(16, activation='elu', input_shape=(FEATURES,)),
        layers.Dense(1)
    ])
    size_histories = {}

    size_histories['Tiny'] = compile_and_fit(tiny_model, 'sizes/Tiny')

    history = size_histories['Tiny']
    assert sorted(history.history) == HISTORY_KEYS  # as Keras 3.15.1 logs them
    assert all(len(values) == MAX_EPOCHS for values in history.history.values())
    lines = summary_of(tiny_model)
    assert row_of(lines, tiny_model.layers[0].name)[1:] == ["(None, 16)", "464"]
    assert row_of(lines, tiny_model.layers[1].name)[1:] == ["(None, 1)", "17"]
    # Without regularization the loss is the metric: both the cross-entropy of the logits.
    np.testing.assert_allclose(history.history["loss"], history.history["binary_crossentropy"], rtol=1e-5)
    np.testing.assert_allclose(history.history["val_loss"], history.history["val_binary_crossentropy"], rtol=1e-5)
    # 'accuracy' of one output unit is Keras' binary accuracy, which thresholds the output
    # at 0.5 even when it is a logit (Keras 3.15.1 does exactly this here).
    _, (x_val, y_val) = higgs_like_data()
    logits = tiny_model.predict(x_val, verbose=0)
    assert history.history["val_accuracy"][-1] == pytest.approx(binary_accuracy(y_val, logits), abs=1e-6)
    bce = tinynet.losses.BinaryCrossentropy(from_logits=True)(y_val, logits)
    assert history.history["val_binary_crossentropy"][-1] == pytest.approx(float(bce), rel=1e-5)


@pytest.mark.parametrize("name, hidden, params", [
    ("Small", [16, 16], 464 + 272 + 17),
    ("Medium", [64, 64, 64], 1856 + 4160 + 4160 + 65),
    ("large", [512, 512, 512, 512], 14848 + 3 * 262656 + 513),
])
def test_larger_models(name, hidden, params):
    model = tinynet.Sequential(
        [layers.Dense(hidden[0], activation='elu', input_shape=(FEATURES,))]
        + [layers.Dense(units, activation='elu') for units in hidden[1:]]
        + [layers.Dense(1)])
    history = compile_and_fit(model, "sizes/" + name)
    assert model.count_params() == params
    assert sorted(history.history) == HISTORY_KEYS


# -- Strategies to prevent overfitting -----------------------------------------------------------------
def test_l2_regularization_adds_its_penalty_to_the_loss_but_not_to_the_metric():
    train_ds, validate_ds = higgs_like_data()
    l2_model = tinynet.Sequential([
        layers.Dense(512, activation='elu',
                     kernel_regularizer=regularizers.l2(0.001),
                     input_shape=(FEATURES,)),
        layers.Dense(512, activation='elu',
                     kernel_regularizer=regularizers.l2(0.001)),
        layers.Dense(512, activation='elu',
                     kernel_regularizer=regularizers.l2(0.001)),
        layers.Dense(512, activation='elu',
                     kernel_regularizer=regularizers.l2(0.001)),
        layers.Dense(1)
    ])

    history = compile_and_fit(l2_model, "regularizers/l2")

    features = validate_ds[0][:5]
    result = l2_model(features)
    regularization_loss = sum(l2_model.losses)  # was: tf.add_n(l2_model.losses)

    # "l2(0.001) means that every coefficient in the weight matrix of the layer will add
    # 0.001 * weight_coefficient_value**2 to the total loss of the network"
    kernels = [layer.kernel for layer in l2_model.layers[:4]]
    assert len(l2_model.losses) == 4
    assert float(regularization_loss) == pytest.approx(
        sum(0.001 * float(np.sum(np.square(k, dtype=np.float64))) for k in kernels), rel=1e-5)
    assert np.shape(result) == (5, 1)
    # "That is why we're monitoring the binary_crossentropy directly": the loss includes the
    # penalty, the metric does not; the validation figures use the final weights, so their
    # gap is exactly the penalty (Keras 3.15.1 adds it to val_loss too).
    assert all(loss > bce for loss, bce in zip(history.history["loss"], history.history["binary_crossentropy"]))
    gap = history.history["val_loss"][-1] - history.history["val_binary_crossentropy"][-1]
    assert gap == pytest.approx(float(regularization_loss), rel=1e-4)


def test_dropout_is_active_only_while_training():
    train_ds, validate_ds = higgs_like_data()
    dropout_model = tinynet.Sequential([
        layers.Dense(512, activation='elu', input_shape=(FEATURES,)),
        layers.Dropout(0.5),
        layers.Dense(512, activation='elu'),
        layers.Dropout(0.5),
        layers.Dense(512, activation='elu'),
        layers.Dropout(0.5),
        layers.Dense(512, activation='elu'),
        layers.Dropout(0.5),
        layers.Dense(1)
    ])

    history = compile_and_fit(dropout_model, "regularizers/dropout")

    assert sorted(history.history) == HISTORY_KEYS
    # "At test time, no units are dropped out"
    x_val = validate_ds[0]
    np.testing.assert_array_equal(dropout_model.predict(x_val, verbose=0), dropout_model.predict(x_val, verbose=0))
    assert not np.array_equal(np.asarray(dropout_model(x_val, training=True)), np.asarray(dropout_model(x_val)))


def test_combined_l2_and_dropout():
    combined_model = tinynet.Sequential([
        layers.Dense(512, kernel_regularizer=regularizers.l2(0.0001),
                     activation='elu', input_shape=(FEATURES,)),
        layers.Dropout(0.5),
        layers.Dense(512, kernel_regularizer=regularizers.l2(0.0001),
                     activation='elu'),
        layers.Dropout(0.5),
        layers.Dense(512, kernel_regularizer=regularizers.l2(0.0001),
                     activation='elu'),
        layers.Dropout(0.5),
        layers.Dense(512, kernel_regularizer=regularizers.l2(0.0001),
                     activation='elu'),
        layers.Dropout(0.5),
        layers.Dense(1)
    ])

    history = compile_and_fit(combined_model, "regularizers/combined")

    assert sorted(history.history) == HISTORY_KEYS
    gap = history.history["val_loss"][-1] - history.history["val_binary_crossentropy"][-1]
    assert gap == pytest.approx(float(sum(combined_model.losses)), rel=1e-4)
