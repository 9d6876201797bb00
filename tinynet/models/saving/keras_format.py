"""The ``.keras`` file (Keras 3's own format) and the ``.weights.h5`` file.

A ``.keras`` file is a zip archive of three entries, laid out as Keras 3.15 writes
them (uncompressed, in this order):
    metadata.json      {"keras_version": ..., "date_saved": ...}; ``keras_version`` is
                       the Keras release whose format tinynet writes (Keras does not read it)
    config.json        the model and its compile settings (keras_config.py)
    model.weights.h5   the weights and the optimizer's state (keras_weights.py)
``keras.models.load_model`` opens what tinynet writes, and tinynet opens what Keras
writes, for every layer, activation, loss, optimizer and metric tinynet has.

What a ``.keras`` file keeps of the training state: the optimizer's step count,
learning rate and slot arrays, in Keras' order, so that training resumes in Keras
or in tinynet where it stopped. What it does not keep: tinynet's random generator
(Keras has no place for it), so resumed training shuffles differently from
uninterrupted training; tinynet's ``.npz`` keeps that too.

Loading checks everything before it allocates a weight (see archive.py, plan.py,
keras_weights.py) and returns a model only when all of it loaded.
"""
import datetime
import io
import json
import os
import zipfile

import h5py

from . import keras_config, keras_weights
from .archive import CONFIG_LIMIT, MAX_EXPANSION, Archive, FileError
from .atomic import write_atomically
from .keras_objects import NotLoadable
from .npz_format import weight_arrays
from .plan import ModelPlan, implied_bytes, materialize, slot_kinds, trainable_shapes

KERAS_VERSION = "3.15.1"
ENTRIES = ("metadata.json", "config.json", "model.weights.h5")
KIND = "a .keras archive (Keras 3's format)"
METADATA_LIMIT = 64 * 1024


def save_model(model, path):
    weight_arrays(model, "save")  # the same error as for an .npz, if there are no weights yet
    config = json.dumps(keras_config.model_to_keras(model))  # raises, before anything is written
    weights = keras_weights.write(model)
    metadata = json.dumps({"keras_version": KERAS_VERSION,
                           "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")})

    def write(f):
        with zipfile.ZipFile(f, "w") as archive:
            with archive.open("metadata.json", "w") as entry:
                entry.write(metadata.encode())
            with archive.open("config.json", "w") as entry:
                entry.write(config.encode())
            archive.writestr("model.weights.h5", weights)

    write_atomically(path, write)


def save_weights(model, path):
    """The ``.weights.h5`` file Keras' ``save_weights`` writes: the same HDF5 file as the
    archive's model.weights.h5."""
    weight_arrays(model, "save_weights")
    weights = keras_weights.write(model)
    write_atomically(path, lambda f: f.write(weights))


def _open(path, what):
    archive = Archive(path, what, KIND)
    try:
        archive.check_names(lambda name: name in ENTRIES, "config.json, metadata.json and model.weights.h5")
        for name in ("config.json", "model.weights.h5"):
            if name not in archive.infos:
                raise archive.error(f"it has no {name}. Received: entries {archive.names}")
    except BaseException:
        archive.zip.close()
        raise
    return archive


def _json(archive, name, limit):
    try:
        value = json.loads(archive.read(name, limit).decode())
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as err:
        raise archive.error(f"its {name} is not JSON ({err})") from None
    if not isinstance(value, dict):
        raise archive.error(f"its {name} must hold a JSON object. Received: {type(value).__name__}")
    return value


def _optimizer_specs(plan, optimizer):
    """The two optimizer states a loaded model can take from a file: built, or not yet built."""
    full = keras_weights.optimizer_specs(optimizer, trainable_shapes(plan), slot_kinds(optimizer))
    return [full, keras_weights.scalar_specs(optimizer)]


def load_model(path, compile=True):
    """The model of a ``.keras`` file (Keras' or tinynet's), compiled as it was saved."""
    with _open(path, "Keras model") as archive:
        if "metadata.json" in archive.infos:
            _json(archive, "metadata.json", METADATA_LIMIT)
        config = _json(archive, "config.json", CONFIG_LIMIT)
        try:
            plan = keras_config.plan_from_keras(config)
            compiled = keras_config.compile_from_keras(config.get("compile_config")) if compile else None
            optimizer = compiled["optimizer"] if compiled else None
            specs = _optimizer_specs(plan, optimizer) if optimizer else []
            implied = implied_bytes(plan, optimizer)
        except (NotLoadable, TypeError, ValueError) as err:
            raise ValueError(f"{archive.path!r} holds a model that tinynet cannot load: {err}") from None
        if implied > MAX_EXPANSION * archive.file_size:
            raise archive.error(f"its config implies {implied:,} bytes of weights, more than {MAX_EXPANSION} "
                                f"times the file's own {archive.file_size:,} bytes")
        data = archive.read("model.weights.h5", keras_weights.size_limit(plan))
        weights, optimizer_arrays = _read_h5(io.BytesIO(data), plan, specs, archive.error)
    model = materialize(plan, input_layer=True)
    _assign(weights)
    if compiled:
        model.compile(**compiled)
        if optimizer_arrays is not None:
            keras_weights.restore_optimizer(model, optimizer_arrays)
    return model


def _read_h5(source, plan, specs, error):
    try:
        with h5py.File(source, "r") as h5:
            return keras_weights.read(h5, plan, specs, error)
    except OSError as err:
        raise error(f"its weights are not a readable HDF5 file ({err})") from None


def _assign(weights):
    for layer, name, array in weights:
        layer.params[name][...] = array


def load_weights(model, path):
    """Weights (and, as Keras does, the optimizer's state when the model's optimizer has
    the same variables) from a ``.weights.h5`` or ``.keras`` file. Everything is checked
    and read before any weight is set."""
    if not model.built:
        raise ValueError(f"Model '{model.name}' has no weights yet: build it, or fit it, before `load_weights()`.")
    plan = ModelPlan.of(model)
    specs = []
    if model.compiled:
        current = keras_weights.optimizer_arrays(model.optimizer)
        specs = [[(a.shape, a.dtype) for a in current]]
    if os.fspath(path).endswith(".keras"):
        with _open(path, "Keras weights") as archive:
            data = archive.read("model.weights.h5", keras_weights.size_limit(plan))
        source, error = io.BytesIO(data), archive.error
    else:
        source = os.fspath(path)
        error = lambda problem: FileError(path, "Keras weights", problem)  # noqa: E731
        if not os.path.exists(source):
            raise FileNotFoundError(f"No Keras weights file at {source!r}.")
    weights, optimizer_arrays = _read_h5(source, plan, specs, error)
    _assign(weights)
    if optimizer_arrays is not None:
        keras_weights.restore_optimizer(model, optimizer_arrays)
