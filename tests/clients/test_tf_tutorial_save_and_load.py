"""TensorFlow's tutorial "Save and load models" (tensorflow/docs,
site/en/tutorials/keras/save_and_load.ipynb, the Keras 3 edition with ``.weights.h5`` and
``.keras`` files), its key steps: ModelCheckpoint saving weights only, every epoch and
every 5 epochs' worth of batches; ``load_weights`` into a fresh model; ``save_weights``
by hand; ``model.save`` and ``load_model`` of the entire model.

Changes to the text:
- imports: ``tf.keras.X`` (and ``tf.losses``, ``tf.metrics``) -> ``tinynet.X``; ``from
  tensorflow import keras`` -> ``import tinynet as keras``.
- data: the first 200 MNIST images instead of 1,000; 2 epochs instead of 10 and 5, and
  10 instead of 50 (so two checkpoints are written every 5 epochs, at 5 and 10).
- ``os.makedirs`` before the two ``save_weights`` calls into folders that do not exist
  yet: Keras 3.15.1 raises FileNotFoundError there too (only ModelCheckpoint makes its
  folder).
- the files keep Keras' names (``.weights.h5``, ``.keras``), and tinynet writes Keras'
  formats under them (tinynet.models.saving).

Every expectation that depends on Keras' meaning (which files appear, what a restored
model evaluates to) was checked by running the same steps in Keras 3.15.1.
"""
import functools
import math
import os

import numpy as np
import pytest

import tinynet  # was: import tensorflow as tf
import tinynet as keras  # was: from tensorflow import keras

from .conftest import row_of

N = 200  # the text: 1000


@functools.lru_cache(maxsize=None)  # loaded once; no test changes these arrays in place
def example_dataset():
    (train_images, train_labels), (test_images, test_labels) = tinynet.datasets.mnist.load_data()

    train_labels = train_labels[:N]
    test_labels = test_labels[:N]

    train_images = train_images[:N].reshape(-1, 28 * 28) / 255.0
    test_images = test_images[:N].reshape(-1, 28 * 28) / 255.0
    return (train_images, train_labels), (test_images, test_labels)


# Define a simple sequential model
def create_model():
  model = tinynet.models.Sequential([
    keras.layers.Dense(512, activation='relu', input_shape=(784,)),
    keras.layers.Dropout(0.2),
    keras.layers.Dense(10)
  ])

  model.compile(optimizer='adam',
                loss=tinynet.losses.SparseCategoricalCrossentropy(from_logits=True),
                metrics=[tinynet.metrics.SparseCategoricalAccuracy()])

  return model


def test_define_a_model(summary_of):
    # Create a basic model instance
    model = create_model()

    # Display the model's architecture
    lines = summary_of(model)
    dense, dropout, logits = model.layers
    assert row_of(lines, dense.name)[1:] == ["(None, 512)", "401,920"]
    assert row_of(lines, dropout.name)[1:] == ["(None, 512)", "0"]
    assert row_of(lines, logits.name)[1:] == ["(None, 10)", "5,130"]
    assert " Total params: 407,050 (1.55 MB)" in lines


def test_a_checkpoint_callback_saves_the_weights_that_a_new_model_loads(in_tmp_dir, capsys):
    (train_images, train_labels), (test_images, test_labels) = example_dataset()
    model = create_model()

    checkpoint_path = "training_1/cp.weights.h5"
    checkpoint_dir = os.path.dirname(checkpoint_path)

    # Create a callback that saves the model's weights
    cp_callback = tinynet.callbacks.ModelCheckpoint(filepath=checkpoint_path,
                                                    save_weights_only=True,
                                                    verbose=1)

    # Train the model with the new callback
    model.fit(train_images,
              train_labels,
              epochs=2,
              validation_data=(test_images, test_labels),
              callbacks=[cp_callback])  # Pass callback to training

    # "a single collection of ... files that are updated at the end of each epoch"; the
    # callback made its folder (Keras 3.15.1 does)
    assert os.listdir(checkpoint_dir) == ["cp.weights.h5"]
    printed = capsys.readouterr().out
    assert "Epoch 1: saving model to training_1/cp.weights.h5" in printed
    assert "Epoch 2: saving model to training_1/cp.weights.h5" in printed
    trained = model.evaluate(test_images, test_labels, verbose=0)

    # Create a basic model instance
    model = create_model()

    # Evaluate the model
    loss, acc = model.evaluate(test_images,  test_labels, verbose=2)
    print("Untrained model, accuracy: {:5.2f}%".format(100*acc))
    untrained_acc = acc

    # Loads the weights
    model.load_weights(checkpoint_path)

    # Re-evaluate the model
    loss, acc = model.evaluate(test_images,  test_labels, verbose=2)
    print("Restored model, accuracy: {:5.2f}%".format(100*acc))

    # The restored model is the trained one: the same loss and accuracy (Keras 3.15.1: 6.5%
    # untrained, 49.5% restored, as trained, on these 200 images).
    assert [loss, acc] == pytest.approx(trained, rel=1e-6)
    assert acc > untrained_acc


def test_checkpoints_every_five_epochs_are_named_by_epoch(in_tmp_dir):
    (train_images, train_labels), (test_images, test_labels) = example_dataset()

    # Include the epoch in the file name (uses `str.format`)
    checkpoint_path = "training_2/cp-{epoch:04d}.weights.h5"
    checkpoint_dir = os.path.dirname(checkpoint_path)

    batch_size = 32

    # Calculate the number of batches per epoch
    n_batches = len(train_images) / batch_size
    n_batches = math.ceil(n_batches)    # round up the number of batches to the nearest whole integer

    # Create a callback that saves the model's weights every 5 epochs
    cp_callback = tinynet.callbacks.ModelCheckpoint(
        filepath=checkpoint_path,
        verbose=1,
        save_weights_only=True,
        save_freq=5*n_batches)

    # Create a new model instance
    model = create_model()

    # Save the weights using the `checkpoint_path` format
    os.makedirs(checkpoint_dir)  # not in the text, which fails here in Keras 3.15.1 too
    model.save_weights(checkpoint_path.format(epoch=0))

    # Train the model with the new callback
    model.fit(train_images,
              train_labels,
              epochs=10,
              batch_size=batch_size,
              callbacks=[cp_callback],
              validation_data=(test_images, test_labels),
              verbose=0)

    # Keras 3.15.1: the manual save, then one file every 5 epochs' worth of batches
    assert sorted(os.listdir(checkpoint_dir)) == [
        "cp-0000.weights.h5", "cp-0005.weights.h5", "cp-0010.weights.h5"]
    final_weights = model.get_weights()

    def load_latest_checkpoint(checkpoint_dir):
        latest = max(os.listdir(checkpoint_dir), key=lambda f: int(f.split('-')[1].split('.')[0]))
        return os.path.join(checkpoint_dir, latest)

    latest = load_latest_checkpoint(checkpoint_dir)
    assert latest == os.path.join("training_2", "cp-0010.weights.h5")

    # Create a new model instance
    model = create_model()

    # Load the previously saved weights
    model.load_weights(latest)

    # Re-evaluate the model
    loss, acc = model.evaluate(test_images,  test_labels, verbose=2)
    print("Restored model, accuracy: {:5.2f}%".format(100*acc))
    for saved, restored in zip(final_weights, model.get_weights()):
        np.testing.assert_array_equal(saved, restored)


def test_manually_saved_weights_load_into_a_new_model(in_tmp_dir):
    (train_images, train_labels), (test_images, test_labels) = example_dataset()
    model = create_model()
    model.fit(train_images, train_labels, epochs=1, verbose=0)
    trained = model.evaluate(test_images, test_labels, verbose=0)

    # Save the weights
    os.makedirs("checkpoints")  # not in the text, which fails here in Keras 3.15.1 too
    model.save_weights('./checkpoints/my_checkpoint.weights.h5')

    # Create a new model instance
    model = create_model()

    # Restore the weights
    model.load_weights('./checkpoints/my_checkpoint.weights.h5')

    # Evaluate the model
    loss, acc = model.evaluate(test_images,  test_labels, verbose=2)
    print("Restored model, accuracy: {:5.2f}%".format(100*acc))
    assert [loss, acc] == pytest.approx(trained, rel=1e-6)


def test_save_the_entire_model_and_load_it_back(in_tmp_dir, summary_of):
    (train_images, train_labels), (test_images, test_labels) = example_dataset()

    # Create and train a new model instance.
    model = create_model()
    model.fit(train_images, train_labels, epochs=2)

    # Save the entire model as a `.keras` zip archive.
    model.save('my_model.keras')

    new_model = tinynet.models.load_model('my_model.keras')

    # Check its architecture
    assert summary_of(new_model)[1:] == summary_of(model)[1:]  # all but the name line

    # Evaluate the restored model
    loss, acc = new_model.evaluate(test_images, test_labels, verbose=2)
    print('Restored model, accuracy: {:5.2f}%'.format(100 * acc))

    print(new_model.predict(test_images).shape)

    assert new_model.predict(test_images).shape == (N, 10)
    np.testing.assert_array_equal(new_model.predict(test_images), model.predict(test_images))
    assert [loss, acc] == pytest.approx(model.evaluate(test_images, test_labels, verbose=0), rel=1e-6)
    # "Since the optimizer-state is recovered, you can resume training from exactly where
    # you left off" (Keras 3.15.1: 14 steps in both)
    assert int(new_model.optimizer.iterations) == int(model.optimizer.iterations) == 14
    assert isinstance(new_model.loss, tinynet.losses.SparseCategoricalCrossentropy)
