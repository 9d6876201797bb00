"""Chapter 4 of François Chollet's "Deep Learning with Python" (companion notebook
chapter04_classification-and-regression.ipynb, third edition, Keras 3; and the second
edition's chapter04_getting-started-with-neural-networks.ipynb where it differs): binary
classification of movie reviews (IMDB), multiclass classification of newswires (Reuters)
and regression of house prices, with Sequential models and no input shape given.

Changes to the text:
- imports: ``import keras`` -> ``import tinynet as keras``, ``from keras import layers`` ->
  ``from tinynet import layers``, ``from keras.utils import to_categorical`` -> ``from
  tinynet.utils import to_categorical``.
- data: tinynet ships no IMDB, Reuters or housing data, so each dataset is replaced by
  random data of the same form, made small: 300 "reviews" and "newswires" of word
  indices below 1,000 (the text: 25,000 and 8,982 below 10,000), 200 "houses" of 8
  features; the word-index decoding and the plots are not drawn. Epochs are 2 where the
  text runs 4 to 200.

Every expectation that depends on Keras' meaning (History keys, evaluate's list, what
'accuracy' and top-3 accuracy count, the mean absolute error) was checked by running the
same steps on the same data in Keras 3.15.1.
"""
import numpy as np
import pytest

import tinynet as keras  # was: import keras
from tinynet import layers  # was: from keras import layers
from tinynet.utils import to_categorical  # was: from keras.utils import to_categorical

from .conftest import binary_accuracy

NUM_WORDS = 1000  # the text: 10000
EPOCHS = 2


def multi_hot_encode(sequences, num_classes):
    results = np.zeros((len(sequences), num_classes))
    for i, sequence in enumerate(sequences):
        results[i][sequence] = 1.0
    return results


def random_texts(n, seed):
    """Lists of word indices, as ``imdb.load_data(num_words=...)`` gives them."""
    rng = np.random.default_rng(seed)
    return [list(rng.integers(1, NUM_WORDS, rng.integers(5, 40))) for _ in range(n)]


# -- Classifying movie reviews: a binary classification example ----------------------------------------
def imdb_like():
    rng = np.random.default_rng(0)
    train_data, test_data = random_texts(300, 1), random_texts(100, 2)
    train_labels, test_labels = rng.integers(0, 2, 300), rng.integers(0, 2, 100)

    x_train = multi_hot_encode(train_data, num_classes=NUM_WORDS)
    x_test = multi_hot_encode(test_data, num_classes=NUM_WORDS)
    y_train = train_labels.astype("float32")
    y_test = test_labels.astype("float32")
    return (x_train, y_train), (x_test, y_test)


def binary_model(optimizer="adam"):
    model = keras.Sequential(
        [
            layers.Dense(16, activation="relu"),
            layers.Dense(16, activation="relu"),
            layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(
        optimizer=optimizer,
        loss="binary_crossentropy",
        metrics=["accuracy"],
    )
    return model


def test_imdb_validating_your_approach():
    (x_train, y_train), _ = imdb_like()
    model = binary_model()

    x_val = x_train[:100]
    partial_x_train = x_train[100:]
    y_val = y_train[:100]
    partial_y_train = y_train[100:]

    history = model.fit(
        partial_x_train,
        partial_y_train,
        epochs=EPOCHS,
        batch_size=512,
        validation_data=(x_val, y_val),
    )
    assert sorted(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]

    history = model.fit(
        x_train,
        y_train,
        epochs=EPOCHS,
        batch_size=512,
        validation_split=0.2,
    )

    history_dict = history.history
    history_dict.keys()
    assert sorted(history_dict.keys()) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    loss_values = history_dict["loss"]
    val_loss_values = history_dict["val_loss"]
    epochs = range(1, len(loss_values) + 1)
    assert list(epochs) == [1, 2] and len(val_loss_values) == EPOCHS


def test_imdb_retraining_evaluating_and_predicting():
    (x_train, y_train), (x_test, y_test) = imdb_like()
    model = binary_model()
    model.fit(x_train, y_train, epochs=EPOCHS, batch_size=512)
    results = model.evaluate(x_test, y_test)

    results
    assert isinstance(results, list) and len(results) == 2  # [loss, accuracy]

    predictions = model.predict(x_test)
    # one probability per review; 'accuracy' counts those above 0.5 that match the label
    assert predictions.shape == (100, 1)
    assert predictions.min() >= 0 and predictions.max() <= 1
    assert results[1] == pytest.approx(binary_accuracy(y_test, predictions), abs=1e-6)
    p = np.clip(predictions[:, 0].astype(np.float64), 1e-7, 1 - 1e-7)
    assert results[0] == pytest.approx(float(np.mean(-y_test * np.log(p) - (1 - y_test) * np.log(1 - p))), rel=1e-4)


def test_imdb_second_edition_trains_with_rmsprop():
    (x_train, y_train), (x_test, y_test) = imdb_like()
    model = binary_model(optimizer="rmsprop")
    history = model.fit(x_train, y_train, epochs=EPOCHS, batch_size=512)
    assert sorted(history.history) == ["accuracy", "loss"]


# -- Classifying newswires: a multiclass classification example ------------------------------------------
def reuters_like():
    rng = np.random.default_rng(3)
    train_data, test_data = random_texts(300, 4), random_texts(100, 5)
    train_labels, test_labels = rng.integers(0, 46, 300), rng.integers(0, 46, 100)
    train_labels[0] = test_labels[0] = 45  # every topic up to 45 can occur, as in Reuters
    x_train = multi_hot_encode(train_data, num_classes=NUM_WORDS)
    x_test = multi_hot_encode(test_data, num_classes=NUM_WORDS)
    return (x_train, train_labels), (x_test, test_labels)


def news_model():
    model = keras.Sequential(
        [
            layers.Dense(64, activation="relu"),
            layers.Dense(64, activation="relu"),
            layers.Dense(46, activation="softmax"),
        ]
    )
    return model


def test_reuters_labels_are_one_hot_encoded_by_hand_or_by_to_categorical():
    (_, train_labels), (_, test_labels) = reuters_like()

    def one_hot_encode(labels, num_classes=46):
        results = np.zeros((len(labels), num_classes))
        for i, label in enumerate(labels):
            results[i, label] = 1.0
        return results

    by_hand = one_hot_encode(train_labels)

    y_train = to_categorical(train_labels)
    y_test = to_categorical(test_labels)

    assert y_train.shape == (300, 46) and y_test.shape == (100, 46)
    np.testing.assert_array_equal(y_train, by_hand)


def test_reuters_model_with_accuracy_and_top_3_accuracy():
    (x_train, train_labels), (x_test, test_labels) = reuters_like()
    y_train = to_categorical(train_labels)
    y_test = to_categorical(test_labels)
    model = news_model()

    top_3_accuracy = keras.metrics.TopKCategoricalAccuracy(
        k=3, name="top_3_accuracy"
    )
    model.compile(
        optimizer="adam",
        loss="categorical_crossentropy",
        metrics=["accuracy", top_3_accuracy],
    )

    x_val = x_train[:100]
    partial_x_train = x_train[100:]
    y_val = y_train[:100]
    partial_y_train = y_train[100:]

    history = model.fit(
        partial_x_train,
        partial_y_train,
        epochs=EPOCHS,
        batch_size=512,
        validation_data=(x_val, y_val),
    )

    assert sorted(history.history) == ["accuracy", "loss", "top_3_accuracy",
                                       "val_accuracy", "val_loss", "val_top_3_accuracy"]
    acc = history.history["top_3_accuracy"]
    val_acc = history.history["val_top_3_accuracy"]
    assert len(acc) == len(val_acc) == EPOCHS

    # evaluate: [loss, accuracy, top-3 accuracy], counted from the predicted probabilities
    results = model.evaluate(x_test, y_test)
    predictions = model.predict(x_test)
    top3 = np.argsort(predictions, axis=1)[:, -3:]
    assert results[1] == pytest.approx(np.mean(predictions.argmax(axis=1) == test_labels), abs=1e-6)
    assert results[2] == pytest.approx(np.mean([label in row for label, row in zip(test_labels, top3)]), abs=1e-6)


def test_reuters_retraining_and_generating_predictions():
    (x_train, train_labels), (x_test, test_labels) = reuters_like()
    y_train = to_categorical(train_labels)
    y_test = to_categorical(test_labels)
    model = news_model()
    model.compile(
        optimizer="adam",
        loss="categorical_crossentropy",
        metrics=["accuracy"],
    )
    model.fit(
        x_train,
        y_train,
        epochs=EPOCHS,
        batch_size=512,
    )
    results = model.evaluate(x_test, y_test)

    results
    assert isinstance(results, list) and len(results) == 2

    predictions = model.predict(x_test)

    assert predictions[0].shape == (46,)
    assert np.sum(predictions[0]) == pytest.approx(1.0, rel=1e-5)
    assert 0 <= np.argmax(predictions[0]) < 46


def test_reuters_integer_labels_with_sparse_categorical_crossentropy():
    (x_train, train_labels), (x_test, test_labels) = reuters_like()
    model = news_model()

    y_train = train_labels
    y_test = test_labels

    model.compile(
        optimizer="adam",
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    history = model.fit(x_train, y_train, epochs=EPOCHS, batch_size=512)
    assert sorted(history.history) == ["accuracy", "loss"]
    assert len(model.evaluate(x_test, y_test)) == 2


def test_reuters_a_model_with_an_information_bottleneck():
    (x_train, train_labels), _ = reuters_like()
    y_train = to_categorical(train_labels)
    x_val, partial_x_train = x_train[:100], x_train[100:]
    y_val, partial_y_train = y_train[:100], y_train[100:]

    model = keras.Sequential(
        [
            layers.Dense(64, activation="relu"),
            layers.Dense(4, activation="relu"),
            layers.Dense(46, activation="softmax"),
        ]
    )
    model.compile(
        optimizer="adam",
        loss="categorical_crossentropy",
        metrics=["accuracy"],
    )
    history = model.fit(
        partial_x_train,
        partial_y_train,
        epochs=EPOCHS,
        batch_size=128,
        validation_data=(x_val, y_val),
    )
    assert [layer.units for layer in model.layers] == [64, 4, 46]
    assert sorted(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]


# -- Predicting house prices: a regression example --------------------------------------------------------
def housing_like():
    rng = np.random.default_rng(6)
    train_data, test_data = rng.normal(3, 2, size=(200, 8)), rng.normal(3, 2, size=(50, 8))
    train_targets = 200000 + 100000 * rng.normal(size=200)
    test_targets = 200000 + 100000 * rng.normal(size=50)

    mean = train_data.mean(axis=0)
    std = train_data.std(axis=0)
    x_train = (train_data - mean) / std
    x_test = (test_data - mean) / std

    y_train = train_targets / 100000
    y_test = test_targets / 100000
    return (x_train, y_train), (x_test, y_test)


def get_model():
    model = keras.Sequential(
        [
            layers.Dense(64, activation="relu"),
            layers.Dense(64, activation="relu"),
            layers.Dense(1),
        ]
    )
    model.compile(
        optimizer="adam",
        loss="mean_squared_error",
        metrics=["mean_absolute_error"],
    )
    return model


def test_housing_k_fold_validation():
    (x_train, y_train), _ = housing_like()

    k = 4
    num_val_samples = len(x_train) // k
    num_epochs = EPOCHS  # the text: 50, then 200
    all_scores = []
    all_mae_histories = []
    for i in range(k):
        print(f"Processing fold #{i + 1}")
        fold_x_val = x_train[i * num_val_samples : (i + 1) * num_val_samples]
        fold_y_val = y_train[i * num_val_samples : (i + 1) * num_val_samples]
        fold_x_train = np.concatenate(
            [x_train[: i * num_val_samples], x_train[(i + 1) * num_val_samples :]],
            axis=0,
        )
        fold_y_train = np.concatenate(
            [y_train[: i * num_val_samples], y_train[(i + 1) * num_val_samples :]],
            axis=0,
        )
        model = get_model()
        history = model.fit(
            fold_x_train,
            fold_y_train,
            validation_data=(fold_x_val, fold_y_val),
            epochs=num_epochs,
            batch_size=16,
            verbose=0,
        )
        scores = model.evaluate(fold_x_val, fold_y_val, verbose=0)
        val_loss, val_mae = scores
        all_scores.append(val_mae)
        mae_history = history.history["val_mean_absolute_error"]
        all_mae_histories.append(mae_history)

        # the mean squared and mean absolute errors of the fold's predictions
        errors = model.predict(fold_x_val, verbose=0)[:, 0] - fold_y_val
        assert val_loss == pytest.approx(float(np.mean(errors ** 2)), rel=1e-4)
        assert val_mae == pytest.approx(float(np.mean(np.abs(errors))), rel=1e-4)
        assert mae_history[-1] == pytest.approx(val_mae, rel=1e-5)

    assert len([round(value, 3) for value in all_scores]) == k
    average_mae_history = [
        np.mean([x[i] for x in all_mae_histories]) for i in range(num_epochs)
    ]
    assert len(average_mae_history) == num_epochs


def test_housing_final_model_and_predictions():
    (x_train, y_train), (x_test, y_test) = housing_like()
    model = get_model()
    model.fit(x_train, y_train, epochs=EPOCHS, batch_size=16, verbose=0)
    test_mean_squared_error, test_mean_absolute_error = model.evaluate(
        x_test, y_test
    )

    round(test_mean_absolute_error, 3)

    predictions = model.predict(x_test)
    predictions[0]
    assert predictions.shape == (50, 1) and predictions[0].shape == (1,)


def test_housing_second_edition_mse_and_mae_names():
    (x_train, y_train), _ = housing_like()

    def build_model():
        model = keras.Sequential([
            layers.Dense(64, activation="relu"),
            layers.Dense(64, activation="relu"),
            layers.Dense(1)
        ])
        model.compile(optimizer="rmsprop", loss="mse", metrics=["mae"])
        return model

    model = build_model()
    history = model.fit(x_train[:150], y_train[:150], validation_data=(x_train[150:], y_train[150:]),
                        epochs=EPOCHS, batch_size=16, verbose=0)
    assert sorted(history.history) == ["loss", "mae", "val_loss", "val_mae"]  # the names as given
    val_mse, val_mae = model.evaluate(x_train[150:], y_train[150:], verbose=0)
    assert history.history["val_mae"][-1] == pytest.approx(val_mae, rel=1e-5)
