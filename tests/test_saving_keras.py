"""Keras' own files, both ways: tinynet opens the .keras and .weights.h5 files that Keras
3.15.1 wrote (the fixture group 'keras_files', tests/reference/keras_file_fixtures.py),
predicts what Keras predicted and takes the training step Keras took; and what tinynet
writes is, entry by entry, what Keras writes for the same model. That Keras opens
tinynet's files is checked in Keras' environment by tests/reference/keras_loads_tinynet.py.

Tolerances: predictions within 1e-5 of the largest output, one training step's
weights within 1e-5 of each array's largest weight (measured: 9e-8 and 3.4e-7): a
forward pass, or one step, of a few float32 operations, which TensorFlow and
tinynet's kernels round differently, as in test_keras_parity.py.
"""
import io
import json
import os
import shutil
import zipfile

import h5py
import numpy as np
import pytest

import tinynet
from tinynet import layers as L, losses, metrics as M, optimizers as O, regularizers as R
from tinynet.models import Sequential, load_model
from tinynet.models.saving import layer_table

from .test_keras_parity import assert_matches

FILES = os.path.join(os.path.dirname(__file__), "reference", "fixtures", "keras_files")
TRAINED = ["seed", "nested", "regularized", "adamw_cosine", "adagrad", "sgd_clipnorm", "adam_staircase", "rmsprop"]
STEPPED = [name for name in TRAINED if name != "nested"]  # nested has a Dropout: each framework draws its own mask
RTOL = 1e-5


@pytest.fixture(scope="module")
def keras_data():
    with np.load(os.path.join(FILES, "..", "keras_files.npz"), allow_pickle=False) as data:
        return {k: data[k] for k in data.files}


def path(name, suffix=".keras"):
    return os.path.join(FILES, name + suffix)


def keras_config(name):
    with zipfile.ZipFile(path(name)) as archive:
        return json.loads(archive.read("config.json"))


# -- Keras -> tinynet ------------------------------------------------------------------------------
@pytest.mark.parametrize("name", TRAINED)
def test_predicts_what_keras_predicted(name, keras_data):
    model = load_model(path(name))
    want = keras_data[f"{name}_pred"]
    assert_matches(f"{name} predictions", model.predict(keras_data[f"{name}_x"], verbose=0), want,
                   rtol=RTOL, scale=np.abs(want).max())


@pytest.mark.parametrize("name", STEPPED)
def test_trains_on_as_keras_does(name, keras_data):
    """One more step from the loaded optimizer state: wrong slots, a slot order other than
    Keras', or a lost step count or learning rate would each move the weights elsewhere."""
    model = load_model(path(name))
    before = model.optimizer.iterations
    model.fit(keras_data[f"{name}_step_x"], keras_data[f"{name}_step_y"], batch_size=12, epochs=1, shuffle=False,
              verbose=0)
    assert model.optimizer.iterations == before + 1 and before > 0
    for i, w in enumerate(model.get_weights()):
        want = keras_data[f"{name}_after_{i}"]
        assert_matches(f"{name} weight {i} after one step", w, want, rtol=RTOL, scale=np.abs(want).max())


@pytest.mark.parametrize("name", STEPPED)  # 'regularized' has a frozen layer: Keras counts only trainable penalties
def test_the_step_reports_keras_loss(name, keras_data):
    model = load_model(path(name))
    history = model.fit(keras_data[f"{name}_step_x"], keras_data[f"{name}_step_y"], batch_size=12, epochs=1,
                        shuffle=False, verbose=0)
    assert_matches(f"{name} loss", history.history["loss"], keras_data[f"{name}_step_loss"], rtol=RTOL)


def _keras_layers(entry):
    """The layer entries of a Keras model config, without its InputLayer."""
    return [e for e in entry["config"]["layers"] if e["class_name"] != "InputLayer"]


def _assert_layers_match(model, entry):
    layers = _keras_layers(entry)
    assert [layer.name for layer in model.layers] == [e["config"]["name"] for e in layers]
    assert model.name == entry["config"]["name"] and model.trainable == entry["config"]["trainable"]
    for layer, e in zip(model.layers, layers):
        config, keras = layer.get_config(), e["config"]
        assert type(layer).__name__ == e["class_name"] and layer.trainable == keras["trainable"]
        if e["class_name"] == "Sequential":
            _assert_layers_match(layer, e)
        for key in ("activation", "units", "use_bias", "rate", "seed"):
            if key in keras and e["class_name"] not in ("ReLU", "Softmax"):
                assert config[key] == keras[key], (layer.name, key)
        for key in ("kernel_initializer", "bias_initializer"):
            if key in keras:  # tinynet's names are Keras' classes in snake_case
                assert config[key].replace("_", "") == keras[key]["class_name"].lower(), (layer.name, key)
        for key in ("kernel_regularizer", "bias_regularizer"):
            if key in keras:
                want = None if keras[key] is None else {k: keras[key][k] for k in ("class_name", "config")}
                assert config[key] == want, (layer.name, key)


@pytest.mark.parametrize("name", TRAINED + ["seed_fresh"])
def test_layers_and_compile_settings_are_keras(name):
    model, entry = load_model(path(name)), keras_config(name)
    _assert_layers_match(model, entry)
    compiled = entry["compile_config"]
    assert O.serialize(model.optimizer) == compiled["optimizer"]
    if isinstance(compiled["loss"], str):
        assert type(model.loss) is type(losses.get(compiled["loss"]))
    else:
        assert type(model.loss).__name__ == compiled["loss"]["class_name"]
        assert model.loss.get_config() == compiled["loss"]["config"]
    want = [m if isinstance(m, str) else m["config"]["name"] for m in compiled["metrics"] or []]
    assert model.metric_names == want
    for spec, m in zip(model._metric_specs, compiled["metrics"] or []):
        if isinstance(m, dict):
            assert type(spec).__name__ == m["class_name"] and spec.get_config() == m["config"]


def test_nested_model_trains_on():
    model = load_model(path("nested"))
    rng = np.random.default_rng(0)
    x, y = rng.random((64, 6)), np.eye(3)[rng.integers(0, 3, 64)]
    inner_before = model.layers[0].get_weights()
    losses_seen = model.fit(x, y, epochs=30, batch_size=64, verbose=0).history["loss"]
    assert losses_seen[-1] < losses_seen[0]
    assert not np.array_equal(inner_before[0], model.layers[0].get_weights()[0])


def test_compile_false_loads_an_uncompiled_model(keras_data):
    model = load_model(path("seed"), compile=False)
    assert not model.compiled
    np.testing.assert_array_equal(model.predict(keras_data["seed_x"], verbose=0),
                                  load_model(path("seed")).predict(keras_data["seed_x"], verbose=0))


def test_loading_leaves_tinynet_random_generator_alone():
    before = tinynet.utils.random.get_state()
    load_model(path("regularized"))
    assert tinynet.utils.random.get_state() == before


# -- tinynet -> the files Keras writes ----------------------------------------------------------------
def _entries(file):
    """Everything a .keras file holds: the zip's entries, its config (without Keras'
    shared_object_id, an id of a Python object), metadata keys, and every HDF5 object."""
    with zipfile.ZipFile(file) as archive:
        infos = [(i.filename, i.compress_type, i.external_attr) for i in archive.infolist()]
        config = _without_ids(json.loads(archive.read("config.json")))
        metadata = sorted(json.loads(archive.read("metadata.json")))
        weights = _h5_objects(archive.read("model.weights.h5"))
    return infos, config, metadata, weights


def _without_ids(value):
    if isinstance(value, dict):
        return {k: _without_ids(v) for k, v in value.items() if k != "shared_object_id"}
    return [_without_ids(v) for v in value] if isinstance(value, list) else value


def _h5_objects(data):
    found = {}

    def visit(name, obj):
        attrs = {k: str(v) for k, v in obj.attrs.items()}
        found[name] = (attrs, (obj.shape, str(obj.dtype), obj[()].tobytes()) if isinstance(obj, h5py.Dataset)
                       else "group")

    with h5py.File(io.BytesIO(data) if isinstance(data, bytes) else data, "r") as h5:
        h5.visititems(visit)
    return found


def _input_layer_names(config, rename):
    """Keras names its input layers by a counter it shares across a session; tinynet writes
    its own: input_layer, input_layer_1, ... (Keras never reads them back)."""
    for entry in config["config"]["layers"]:
        if entry["class_name"] == "InputLayer":
            entry["config"]["name"] = rename
        if entry["class_name"] == "Sequential":
            _input_layer_names(entry, rename)
    return config


@pytest.mark.parametrize("name", TRAINED)
def test_a_loaded_keras_file_saves_back_entry_by_entry(name, tmp_path):
    load_model(path(name)).save(tmp_path / "back.keras")
    keras_infos, keras_cfg, keras_meta, keras_h5 = _entries(path(name))
    infos, config, metadata, h5 = _entries(tmp_path / "back.keras")
    assert infos == keras_infos and metadata == keras_meta == ["date_saved", "keras_version"]
    assert _input_layer_names(config, "x") == _input_layer_names(keras_cfg, "x")
    assert sorted(h5) == sorted(keras_h5)
    for key in keras_h5:
        assert h5[key] == keras_h5[key], key


def test_a_model_made_in_tinynet_writes_what_keras_writes(tmp_path):
    """The seed model written by each from scratch: Keras' file of it compiled, untrained.
    (Names are given: both name objects by counters that other tests move.)"""
    model = Sequential([L.Input((28, 28)), L.Flatten(name="flatten"), L.Dense(16, activation="relu", name="dense"),
                        L.Dense(10, activation="softmax", name="dense_1")], name="sequential")
    model.compile(optimizer=O.Adam(name="adam"), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.load_weights(path("seed_fresh"))
    model.save(tmp_path / "mine.keras")
    assert _entries(tmp_path / "mine.keras")[:3] == _entries(path("seed_fresh"))[:3]
    mine, keras = _entries(tmp_path / "mine.keras")[3], _entries(path("seed_fresh"))[3]
    assert mine.keys() == keras.keys() and all(mine[k] == keras[k] for k in keras)


def test_weights_files_both_ways(tmp_path, keras_data):
    """Keras' .weights.h5 loads into a tinynet model of the same architecture whose layers
    have other names (Keras finds a layer's weights by its class and position); tinynet's
    .weights.h5 of the same state is Keras' file, object by object."""
    inner = Sequential([L.Dense(8, activation="tanh", name="a"), L.Dropout(0.25, name="b")], name="c")
    model = Sequential([L.Input((6,)), inner, L.Dense(3, name="d"), L.Softmax(name="e")], name="f")
    model.load_weights(path("nested", ".weights.h5"))
    want = keras_data["nested_pred"]
    assert_matches("nested via .weights.h5", model.predict(keras_data["nested_x"], verbose=0), want, rtol=RTOL,
                   scale=np.abs(want).max())
    trained = load_model(path("seed"))
    trained.save_weights(tmp_path / "w.weights.h5")
    assert _h5_objects(str(tmp_path / "w.weights.h5")) == _h5_objects(path("seed", ".weights.h5"))


def test_load_weights_restores_the_optimizer_when_its_variables_match_as_keras_does(tmp_path):
    trained = load_model(path("seed"))
    fresh = Sequential([L.Input((28, 28)), L.Flatten(), L.Dense(16, activation="relu"),
                        L.Dense(10, activation="softmax")])
    fresh.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    with pytest.warns(UserWarning, match="Skipping variable loading for the optimizer"):
        fresh.load_weights(path("seed", ".weights.h5"))  # its optimizer has no slots yet: Keras skips it too
    assert fresh.optimizer.iterations == 0
    fresh.fit(np.zeros((2, 28, 28)), np.zeros(2), verbose=0)  # now it has them
    fresh.load_weights(path("seed", ".weights.h5"))
    assert fresh.optimizer.iterations == trained.optimizer.iterations
    for a, b in zip(fresh.optimizer.variables(), trained.optimizer.variables()):
        np.testing.assert_array_equal(a, b)


# -- tinynet -> tinynet ------------------------------------------------------------------------------
def made_in_tinynet():
    inner = Sequential([L.Dense(8, activation="gelu", kernel_initializer="he_normal", kernel_regularizer=R.L2(0.01),
                                name="inner_dense"),
                        L.Activation("swish"), L.Dropout(0.1)], name="inner")  # seeded, it would keep its own generator
    model = Sequential([L.Input((5,)), inner, L.ReLU(), L.Dense(4, activation="elu", use_bias=False,
                                                                bias_regularizer=R.L1L2(0.1, 0.2)),
                        L.Dense(3), L.Softmax()])
    model.layers[2].trainable = False
    schedule = O.schedules.PiecewiseConstantDecay([3, 6], [0.01, 0.005, 0.001])
    model.compile(optimizer=O.AdamW(learning_rate=schedule, amsgrad=True, clipnorm=1.0),
                  loss=losses.CategoricalCrossentropy(label_smoothing=0.05),
                  metrics=["accuracy", M.Recall(thresholds=0.3), M.TopKCategoricalAccuracy(k=2)])
    return model


def test_round_trip_through_a_keras_file_is_exact(tmp_path):
    rng = np.random.default_rng(1)
    x, y = rng.random((40, 5)), np.eye(3)[rng.integers(0, 3, 40)]
    model = made_in_tinynet()
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    model.save(tmp_path / "m.keras")
    loaded = load_model(tmp_path / "m.keras")
    np.testing.assert_array_equal(model.predict(x, verbose=0), loaded.predict(x, verbose=0))
    assert [l.get_config() for l in loaded.layers] == [l.get_config() for l in model.layers]
    assert O.serialize(loaded.optimizer) == O.serialize(model.optimizer)
    assert loaded.loss.get_config() == model.loss.get_config() and loaded.metric_names == model.metric_names
    for a, b in zip(model.optimizer.variables(), loaded.optimizer.variables()):
        np.testing.assert_array_equal(a, b)
    for m in (model, loaded):  # the generator is not in a .keras file: give both the same
        tinynet.utils.set_random_seed(9)
        m.fit(x, y, epochs=2, batch_size=8, verbose=0)
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_names_decide_the_format(tmp_path):
    model = made_in_tinynet()
    model.build((None, 5))
    for name, kind in [("m.keras", "keras"), ("m.npz", "npz"), ("m.h5", "npz"), ("w.weights.h5", "hdf5")]:
        (model.save_weights if name.startswith("w") else model.save)(tmp_path / name)
        with open(tmp_path / name, "rb") as f:
            head = f.read(8)
        assert head.startswith(b"\x89HDF") if kind == "hdf5" else head.startswith(b"PK"), name
        if kind == "keras":
            assert zipfile.ZipFile(tmp_path / name).namelist() == ["metadata.json", "config.json",
                                                                   "model.weights.h5"]


def test_save_refuses_what_keras_format_cannot_hold_before_writing(tmp_path):
    class Doubler(L.Layer):
        def call(self, x, training=False):
            return 2 * x

    model = Sequential([L.Input((3,)), L.Dense(2), Doubler()])
    target = tmp_path / "m.keras"
    shutil.copy(path("seed"), target)
    before = target.read_bytes()
    with pytest.raises(ValueError, match="Layer 'doubler' is a Doubler, which tinynet cannot save"):
        model.save(target)
    assert target.read_bytes() == before and os.listdir(tmp_path) == ["m.keras"]


def test_each_table_row_computes_the_shapes_its_layer_builds():
    """A loader checks files against the row's shapes before building: they must agree."""
    samples = {L.Dense: lambda: L.Dense(7, use_bias=False), L.Flatten: L.Flatten, L.Dropout: lambda: L.Dropout(0.5),
               L.Activation: lambda: L.Activation("tanh"), L.ReLU: L.ReLU, L.Softmax: L.Softmax,
               L.Conv2D: lambda: L.Conv2D(4, (2, 3), padding="same"), L.MaxPooling2D: L.MaxPooling2D,
               L.AveragePooling2D: lambda: L.AveragePooling2D(2), L.GlobalAveragePooling2D: L.GlobalAveragePooling2D,
               L.GlobalMaxPooling2D: L.GlobalMaxPooling2D, L.Reshape: lambda: L.Reshape((-1,)),
               L.BatchNormalization: lambda: L.BatchNormalization(center=False)}
    image_layers = {L.Conv2D, L.MaxPooling2D, L.AveragePooling2D, L.GlobalAveragePooling2D, L.GlobalMaxPooling2D}
    for row in layer_table.ROWS:
        for shape in [(4, 6, 3), (5, 5, 1)] if row.cls in image_layers else [(3,), (2, 5)]:
            layer = samples[row.cls]()
            expected = layer_table.layer_weights(layer, shape)
            layer.build(shape)
            assert expected == [(k, v.shape) for k, v in layer.params.items()], row.keras


# -- files tinynet refuses -----------------------------------------------------------------------------
REFUSED = [
    ("functional", ["is a Keras functional model", "tinynet has only Sequential models"]),
    ("lstm", ["the layer 'lstm' is a Keras LSTM, which tinynet does not have", "'Dense'"]),
    ("mish", ["activation", "Unknown activation: 'mish'", "'gelu'"]),
    ("custom_activation", ["is a custom object", "my_package>scaled_tanh", "never runs code from a file"]),
    ("custom_layer", ["is a custom object", "my_package>Doubler"]),
]


@pytest.mark.parametrize("name,words", REFUSED, ids=[r[0] for r in REFUSED])
def test_what_tinynet_lacks_is_named(name, words):
    with pytest.raises(ValueError) as info:
        load_model(path(name))
    for word in words + [path(name), "tinynet cannot load"]:
        assert word in str(info.value), f"{word!r} not in: {info.value}"


def test_optimizer_state_for_other_trainable_weights_is_skipped_with_keras_warning():
    model = load_model(path("seed"))
    model.compile(optimizer=model.optimizer, loss="sparse_categorical_crossentropy")  # the same, built optimizer
    model.layers[1].trainable = False  # its slots no longer fit the trainable weights
    with pytest.warns(UserWarning, match="Skipping variable loading for optimizer 'adam'"):
        model.load_weights(path("seed", ".weights.h5"))
    for a, b in zip(model.get_weights(), load_model(path("seed")).get_weights()):
        np.testing.assert_array_equal(a, b)
