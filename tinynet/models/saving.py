"""Saving and loading models: one ``.npz`` file, no pickle, written atomically.

The file is an ordinary NumPy ``.npz`` (a zip of ``.npy`` arrays):
    config            the architecture, compile settings and random state, as JSON
                      text stored in a uint8 array
    weight_0, ...     the weights, in ``model.get_weights()`` order
    optimizer_0, ...  the optimizer's state: step count, then its slot arrays
It is read with ``allow_pickle=False``, so a file can never run code.

Atomic: the file is written under a temporary name beside the target, flushed
to disk, then renamed over it. A crash mid-save leaves the old file whole.
"""
import json
import os
import tempfile
import zipfile

import numpy as np

from .. import layers as layer_classes
from .. import activations, losses, optimizers
from .. import metrics as metrics_lib
from ..utils import random as tinynet_random

FORMAT, VERSION = "tinynet.model", 1
LAYERS = {cls.__name__: cls for cls in (layer_classes.Dense, layer_classes.Flatten, layer_classes.Activation,
                                        layer_classes.ReLU, layer_classes.Softmax, layer_classes.Dropout,
                                        layer_classes.Conv2D, layer_classes.MaxPooling2D,
                                        layer_classes.AveragePooling2D, layer_classes.GlobalAveragePooling2D,
                                        layer_classes.GlobalMaxPooling2D, layer_classes.Reshape,
                                        layer_classes.BatchNormalization)}


def layer_config(layer):
    """{"class": ..., "config": ...}: what ``layer_from_config`` rebuilds the layer from.
    A nested model's config holds its layers' entries."""
    return {"class": type(layer).__name__, "config": layer.get_config()}


def layer_from_config(entry):
    from .sequential import Sequential

    cls, config = entry["class"], dict(entry["config"])
    if cls == "Sequential":
        layers = [layer_from_config(e) for e in config.pop("layers")]
        return Sequential(layers, **config)
    if cls not in LAYERS:
        raise ValueError(f"unknown layer class {cls!r}; expected one of {sorted(LAYERS) + ['Sequential']}")
    return LAYERS[cls](**config)


def write_atomically(path, arrays):
    """np.savez ``arrays`` to ``path`` via a temporary file and a rename."""
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=os.path.basename(path) + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def read_arrays(path, what):
    """Every array of an npz file, or a ValueError that says what is wrong with it."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"No {what} file at {path!r}.")
    try:
        with np.load(path, allow_pickle=False) as data:
            if not isinstance(data, np.lib.npyio.NpzFile):
                raise ValueError("it holds a single array")
            return {k: data[k] for k in data.files}
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, KeyError) as err:
        raise ValueError(f"{path!r} is not a readable {what} file: expected a tinynet .npz. "
                         f"Received: a file that is truncated, damaged or of another kind ({err})") from None


def _config(model, with_optimizer):
    config = {"format": FORMAT, "version": VERSION, "name": model.name, "trainable": model.trainable,
              "input_shape": list(model._sample_shape) if model._sample_shape is not None else None,
              "layers": [layer_config(layer) for layer in model.layers],
              "random_state": tinynet_random.get_state()}
    _check_savable(model)
    if model.compiled:
        loss = model.loss
        config["compile"] = {
            "optimizer": optimizers.serialize(model.optimizer),
            "loss": None if loss is None else {"class": type(loss).__name__, "config": loss.get_config()},
            "metrics": [_metric_config(spec) for spec in model._metric_specs],
            "optimizer_state": with_optimizer and model.optimizer.slots is not None,
        }
    return config


def _check_savable(model):
    """Refuse, before anything is written, what a file cannot hold: Python functions."""
    for layer in _all_layers(model):
        name = getattr(layer, "activation", None)
        if isinstance(name, str):
            try:
                activations.get(name)
            except ValueError:
                raise ValueError(f"Layer '{layer.name}' uses the activation function '{name}', a Python function "
                                 "that a file cannot hold; only tinynet's named activations can be saved. "
                                 "Save the weights with save_weights() instead.") from None


def _all_layers(model):
    for layer in model.layers:
        yield layer
        yield from _all_layers(layer) if hasattr(layer, "layers") else ()


def _metric_config(spec):
    """A metric as compile got it: a name, or {"class", "config"} for a metric object."""
    if isinstance(spec, str):
        return spec
    if isinstance(spec, metrics_lib.Metric) and hasattr(metrics_lib, type(spec).__name__):
        return {"class": type(spec).__name__, "config": spec.get_config()}
    raise ValueError(f"The metric {spec!r} is a Python function or a custom class, which a file cannot hold. "
                     "Save the weights with save_weights() instead, or compile with a metric name.")


def _metric_from_config(entry):
    if isinstance(entry, str):
        return entry
    return getattr(metrics_lib, entry["class"])(**entry["config"])


def _weight_arrays(model, method):
    """{'weight_0': ..., ...} in ``get_weights`` order, or a clear error if there are none yet."""
    if not model.built:
        raise ValueError(f"Model '{model.name}' has no weights yet: build it, or fit it, before `{method}()`.")
    return {f"weight_{i}": w for i, w in enumerate(model.get_weights())}


def save_model(model, path):
    arrays = _weight_arrays(model, "save")
    arrays["config"] = np.frombuffer(json.dumps(_config(model, True)).encode(), dtype=np.uint8)
    if model.compiled and model.optimizer.slots is not None:
        arrays.update({f"optimizer_{i}": v for i, v in enumerate(model.optimizer.variables())})
    write_atomically(path, arrays)


def _decode_config(path, arrays):
    try:
        config = json.loads(arrays["config"].tobytes().decode())
    except (KeyError, UnicodeDecodeError, json.JSONDecodeError):
        raise ValueError(f"{path!r} is not a tinynet model file: its 'config' entry is missing or damaged. "
                         f"Received: entries {sorted(arrays)[:8]}") from None
    if not isinstance(config, dict) or config.get("format") != FORMAT:
        raise ValueError(f"{path!r} is not a tinynet model file. Expected format {FORMAT!r}. "
                         f"Received: {config.get('format') if isinstance(config, dict) else type(config).__name__!r}")
    if config.get("version") != VERSION:
        raise ValueError(f"{path!r} was written by another version of tinynet's format. "
                         f"Expected version {VERSION}. Received: version {config.get('version')!r}")
    return config


def _numbered(arrays, prefix):
    count = sum(1 for k in arrays if k.startswith(prefix))
    try:
        return [arrays[f"{prefix}{i}"] for i in range(count)]
    except KeyError:
        raise ValueError(f"the {prefix[:-1]} arrays are not numbered 0..{count - 1}") from None


def load_model(path):
    """The model saved at ``path``: architecture, weights, compile settings and
    optimizer state. The random generator is put back where it was at save time,
    so resumed training shuffles exactly as uninterrupted training would."""
    from .sequential import Sequential

    arrays = read_arrays(path, "tinynet model")
    config = _decode_config(path, arrays)
    try:
        model = Sequential(name=config["name"], trainable=config.get("trainable", True))
        for entry in config["layers"]:
            model.add(layer_from_config(entry))
        if config["input_shape"] is not None and not model.built:
            model.build((None,) + tuple(config["input_shape"]))
        model.set_weights(_numbered(arrays, "weight_"))
        if "compile" in config:
            c = config["compile"]
            opt = c["optimizer"]  # files of the first format say "class" where Keras says "class_name"
            optimizer = optimizers.deserialize({"class_name": opt["class"], "config": opt["config"]}
                                               if "class" in opt else opt)
            loss = None if c["loss"] is None else getattr(losses, c["loss"]["class"])(**c["loss"]["config"])
            model.compile(optimizer=optimizer, loss=loss, metrics=[_metric_from_config(m) for m in c["metrics"]])
            if c["optimizer_state"]:
                _restore_optimizer(model, _numbered(arrays, "optimizer_"))
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        raise ValueError(f"{path!r} does not describe a model tinynet can rebuild: {err}") from None
    tinynet_random.set_state(config["random_state"])
    return model


def _restore_optimizer(model, variables):
    optimizer = model.optimizer
    model._freeze_trainable_set()
    optimizer.build(model._params)
    slots = [a for kind in optimizer.slots for a in kind]
    if len(variables) != len(slots) + 1 or any(v.shape != s.shape for v, s in zip(variables[1:], slots)):
        raise ValueError(f"the optimizer state has {len(variables)} arrays, expected {len(slots) + 1} "
                         "matching the weights")
    optimizer.iterations = int(variables[0])
    for slot, value in zip(slots, variables[1:]):
        slot[...] = value


def save_weights(model, path):
    """Only the weights, in ``get_weights`` order."""
    write_atomically(path, _weight_arrays(model, "save_weights"))


def load_weights(model, path):
    """Weights saved by ``save_weights`` (or ``save``); shapes are checked before any is set."""
    arrays = read_arrays(path, "tinynet weights")
    try:
        weights = _numbered(arrays, "weight_")
    except ValueError as err:
        raise ValueError(f"{path!r} is not a tinynet weights file: {err}") from None
    model.set_weights(weights)
