"""Keras' own files, for tinynet's loaders: the group 'keras_files' of make_fixtures.py
(run ``make_fixtures.py --only keras_files`` with Keras' Python).

It writes fixtures/keras_files/NAME.keras (and NAME.weights.h5 for some), each a small
Sequential model that Keras trained a few steps, and fixtures/keras_files.npz with,
per model that the tests train on: probe inputs NAME_x and Keras' predictions
NAME_pred; one more batch NAME_step_x / NAME_step_y, and the weights NAME_after_i and
the loss NAME_step_loss after Keras took one step on it. The prediction and the step
are those of the model Keras loaded back from the file (``keras.models.load_model``),
which is what tinynet loads too (a Huber loss's delta, for one, is not in Keras' file).

Between them the models use every layer, activation, initializer, regularizer, loss,
optimizer (with and without a schedule) and kind of metric tinynet has, a nested
Sequential and a frozen layer. The files tinynet must refuse are made here too: a
functional model, a layer tinynet lacks (LSTM), an activation it lacks ('mish'), a
custom activation function and a custom layer class.
"""
import os

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import keras  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "fixtures", "keras_files")
L, O, S, M = keras.layers, keras.optimizers, keras.optimizers.schedules, keras.metrics


def _seed():
    model = keras.Sequential([keras.Input((28, 28), name="input_layer"), L.Flatten(name="flatten"),
                              L.Dense(16, activation="relu", name="dense"),
                              L.Dense(10, activation="softmax", name="dense_1")], name="sequential")
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def _nested():
    inner = keras.Sequential([L.Dense(8, activation="tanh", kernel_initializer="he_uniform", name="inner_dense"),
                              L.Dropout(0.25, seed=7, name="inner_dropout")], name="inner")
    model = keras.Sequential([keras.Input((6,), name="input_layer"), inner, L.Dense(3, name="logits"),
                              L.Softmax(name="softmax")], name="outer")
    model.compile(optimizer=O.SGD(learning_rate=0.1, momentum=0.9, nesterov=True), loss="categorical_crossentropy",
                  metrics=["accuracy", "mae"])
    return model


def _regularized():
    R = keras.regularizers
    model = keras.Sequential([
        keras.Input((5,), name="input_layer"),
        L.Dense(8, activation="gelu", kernel_initializer="he_normal", kernel_regularizer=R.L2(0.01),
                bias_regularizer=R.L1(0.02), name="frozen", trainable=False),
        L.Activation("swish", name="swish"), L.ReLU(name="relu"),
        L.Dense(4, activation="elu", use_bias=False, kernel_initializer="glorot_normal",
                kernel_regularizer=R.L1L2(0.01, 0.02), name="no_bias"),
        L.Dense(1, activation="sigmoid", bias_initializer="ones", name="out")], name="regularized")
    model.compile(optimizer=O.RMSprop(learning_rate=0.01, momentum=0.5, centered=True),
                  loss=keras.losses.BinaryCrossentropy(label_smoothing=0.1),
                  metrics=[M.BinaryAccuracy(threshold=0.4), "mae", M.Precision()])
    return model


def _small(name, acts, optimizer, loss, metrics, units=3):
    model = keras.Sequential([keras.Input((4,), name="input_layer"), L.Dense(5, activation=acts[0], name="hidden"),
                              L.Dense(units, activation=acts[1], name="out")], name=name)
    model.compile(optimizer=optimizer, loss=loss, metrics=metrics)
    return model


def _optimizer_models():
    """One small model per optimizer, each with other activations, losses and metrics."""
    return {
        "adamw_cosine": _small("adamw_cosine", ("leaky_relu", "linear"),
                               O.AdamW(learning_rate=S.CosineDecay(0.01, 10, alpha=0.1), weight_decay=0.05,
                                       amsgrad=True), "mean_squared_error", [M.RootMeanSquaredError()]),
        "adagrad": _small("adagrad", ("selu", "softplus"), O.Adagrad(learning_rate=0.1), "huber", ["mae"]),
        "sgd_clipnorm": _small("sgd_clipnorm", ("softsign", "hard_sigmoid"), O.SGD(learning_rate=0.05, clipnorm=1.0),
                               "mean_absolute_error", None),
        "adam_staircase": _small("adam_staircase", ("silu", "linear"),
                                 O.Adam(learning_rate=S.ExponentialDecay(0.01, 2, 0.5, staircase=True),
                                        clipvalue=0.5),
                                 keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                                 [M.SparseTopKCategoricalAccuracy(k=2), "accuracy"]),
        "rmsprop": _small("rmsprop", ("gelu", "softmax"), O.RMSprop(), "categorical_crossentropy",
                          [M.Recall(), M.TopKCategoricalAccuracy(k=2), M.CategoricalCrossentropy()]),
    }


def _targets(model, rng, n):
    loss = model.loss if isinstance(model.loss, str) else type(model.loss).__name__
    units = model.output_shape[-1]
    if "sparse" in loss.lower():
        return rng.integers(0, units, n)
    if "categorical" in loss.lower():
        return np.eye(units, dtype="float32")[rng.integers(0, units, n)]
    if "binary" in loss.lower():
        return rng.integers(0, 2, (n, 1)).astype("float32")
    return rng.standard_normal((n, units)).astype("float32")


def _trained(name, model, rng, out, weights_file=False, step=True):
    shape = model.input_shape[1:]
    x = rng.random((32,) + shape).astype("float32")
    model.fit(x, _targets(model, rng, 32), epochs=2, batch_size=16, shuffle=False, verbose=0)
    path = os.path.join(OUT, name + ".keras")
    model.save(path)
    if weights_file:
        model.save_weights(os.path.join(OUT, name + ".weights.h5"))
    loaded = keras.models.load_model(path)
    out[f"{name}_x"] = rng.random((8,) + shape).astype("float32")
    out[f"{name}_pred"] = loaded.predict(out[f"{name}_x"], verbose=0)
    if step:  # dropout draws its own random numbers in each framework: no step for such a model
        out[f"{name}_step_x"] = rng.random((12,) + shape).astype("float32")
        out[f"{name}_step_y"] = _targets(model, rng, 12)
        history = loaded.fit(out[f"{name}_step_x"], out[f"{name}_step_y"], batch_size=12, epochs=1,
                             shuffle=False, verbose=0)
        out[f"{name}_step_loss"] = np.array(history.history["loss"])
        for i, w in enumerate(loaded.get_weights()):
            out[f"{name}_after_{i}"] = w
    print(f"wrote keras_files/{name}.keras")


@keras.saving.register_keras_serializable(package="my_package")
def scaled_tanh(x):
    return 2 * keras.ops.tanh(x)


@keras.saving.register_keras_serializable(package="my_package")
class Doubler(keras.layers.Layer):
    def call(self, x):
        return 2 * x


def _refused():
    """Models tinynet must refuse, each saved untrained."""
    inputs = keras.Input((4,))
    return {
        "functional": keras.Model(inputs, L.Dense(2)(inputs)),
        "lstm": keras.Sequential([keras.Input((3, 4)), L.LSTM(2)]),
        "mish": keras.Sequential([keras.Input((4,)), L.Dense(2, activation="mish")]),
        "custom_activation": keras.Sequential([keras.Input((4,)), L.Dense(2, activation=scaled_tanh)]),
        "custom_layer": keras.Sequential([keras.Input((4,)), L.Dense(2), Doubler()]),
    }


def keras_files(rng):
    os.makedirs(OUT, exist_ok=True)
    out = {}
    keras.utils.set_random_seed(3)
    _trained("seed", _seed(), rng, out, weights_file=True)
    _trained("nested", _nested(), rng, out, weights_file=True, step=False)
    _trained("regularized", _regularized(), rng, out)
    for name, model in _optimizer_models().items():
        _trained(name, model, rng, out)
    keras.backend.clear_session()  # so that its optimizer is named 'adam', not 'adam_2'
    fresh = _seed()  # compiled, never trained: its optimizer not built yet
    fresh.save(os.path.join(OUT, "seed_fresh.keras"))
    for name, model in _refused().items():
        model.save(os.path.join(OUT, name + ".keras"))
    np.savez_compressed(os.path.join(HERE, "fixtures", "keras_files.npz"), **out)
    print(f"wrote keras_files.npz ({len(out)} arrays)")
