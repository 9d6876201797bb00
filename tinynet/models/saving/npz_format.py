"""tinynet's own file: one ``.npz``, no pickle, written atomically.

The file is an ordinary NumPy ``.npz`` (a zip of ``.npy`` arrays):
    config            the architecture, compile settings and random state, as JSON
                      text stored in a uint8 array
    weight_0, ...     the weights, in ``model.get_weights()`` order
    optimizer_0, ...  the optimizer's state: step count, then its slot arrays
It holds the whole training state, so training resumed from it repeats
uninterrupted training exactly.

Reading trusts nothing (see archive.py): the entry names are checked, then the
config is read (at most a few MB) and turned into a plan of the model without
allocating anything (plan.py); every array's header (shape and dtype) is compared
with what the plan implies, and only then is any array read, no more bytes than
it takes. Arrays are read with NumPy's header parser and ``frombuffer``-style
copies: nothing is unpickled.
"""
import json
import re

import numpy as np

from ... import optimizers
from ... import metrics as metrics_lib
from ...utils import random as tinynet_random
from ...utils.naming import lookup
from . import compile_objects, layer_table
from .archive import CONFIG_LIMIT, MAX_EXPANSION, Archive
from .atomic import write_atomically
from .plan import ModelPlan, implied_bytes, materialize, slot_kinds, trainable_shapes, weight_list

FORMAT, VERSION = "tinynet.model", 1
LAYERS = {row.cls.__name__: row.cls for row in layer_table.ROWS}
KIND = "a tinynet .npz"
_ENTRY = re.compile(r"config\.npy|(weight|optimizer)_(0|[1-9][0-9]{0,8})\.npy")


def layer_config(layer):
    """{"class": ..., "config": ...}: what ``layer_from_config`` rebuilds the layer from.
    A nested model's config holds its layers' entries."""
    return {"class": type(layer).__name__, "config": layer.get_config()}


def layer_from_config(entry):
    """The layer (or nested model) that ``layer_config`` described."""
    plan = _layer_plan(entry, 0)
    return materialize(plan, input_layer=False) if isinstance(plan, ModelPlan) else plan


def _layer_plan(entry, depth):
    """An unbuilt layer, or the plan of a nested model, from a ``layer_config`` entry."""
    if not isinstance(entry, dict) or not isinstance(entry.get("config"), dict):
        raise ValueError(f"a layer entry must be {{'class': ..., 'config': {{...}}}}. Received: {entry!r}")
    cls, config = entry.get("class"), dict(entry["config"])
    if cls == "Sequential":
        if set(config) - {"name", "trainable", "layers"} or not isinstance(config.get("layers"), list):
            raise ValueError(f"a Sequential entry has the keys name, trainable and layers. Received: {sorted(config)}")
        if depth > 32:
            raise ValueError("models are nested more than 32 deep")
        return ModelPlan(config.get("name"), config.get("trainable", True), None,
                         [_layer_plan(e, depth + 1) for e in config["layers"]])
    return lookup("layer class", cls, LAYERS)(**config)


# -- writing ---------------------------------------------------------------------------------------
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
            "loss": None if loss is None else dict(zip(("class", "config"), compile_objects.loss_spec(loss))),
            "metrics": [_metric_config(spec) for spec in model._metric_specs],
            "optimizer_state": with_optimizer and model.optimizer.slots is not None,
        }
    return config


def _check_savable(model):
    """Refuse, before anything is written, what a file cannot hold: layers without a row
    in the table, Python functions as activations."""
    for layer in _all_layers(model):
        if not hasattr(layer, "layers"):
            layer_table.row_for(layer)
        name = getattr(layer, "activation", None)
        if isinstance(name, str):
            layer_table.ACTIVATION.to_keras(name, f"Layer '{layer.name}'")


def _all_layers(model):
    for layer in model.layers:
        yield layer
        yield from _all_layers(layer) if hasattr(layer, "layers") else ()


def _metric_config(spec):
    """A metric as compile got it: a name, or {"class", "config"} for a metric object."""
    spec = compile_objects.metric_spec(spec)
    return spec if isinstance(spec, str) else dict(zip(("class", "config"), spec))


def weight_arrays(model, method):
    """{'weight_0': ..., ...} in ``get_weights`` order, or a clear error if there are none yet."""
    if not model.built:
        raise ValueError(f"Model '{model.name}' has no weights yet: build it, or fit it, before `{method}()`.")
    return {f"weight_{i}": w for i, w in enumerate(model.get_weights())}


def save_model(model, path):
    arrays = weight_arrays(model, "save")
    arrays["config"] = np.frombuffer(json.dumps(_config(model, True)).encode(), dtype=np.uint8)
    if model.compiled and model.optimizer.slots is not None:
        arrays.update({f"optimizer_{i}": v for i, v in enumerate(model.optimizer.variables())})
    write_atomically(path, lambda f: np.savez(f, **arrays))


def save_weights(model, path):
    """Only the weights, in ``get_weights`` order."""
    arrays = weight_arrays(model, "save_weights")
    write_atomically(path, lambda f: np.savez(f, **arrays))


# -- reading ----------------------------------------------------------------------------------------
def _open(path, what):
    archive = Archive(path, what, KIND)
    try:
        archive.check_names(lambda name: _ENTRY.fullmatch(name) is not None,
                            "config.npy, weight_N.npy and optimizer_N.npy")
        for prefix in ("weight_", "optimizer_"):
            count = sum(name.startswith(prefix) for name in archive.names)
            if not all(f"{prefix}{i}.npy" in archive.infos for i in range(count)):
                raise archive.error(f"its {prefix[:-1]} arrays are not numbered 0..{count - 1}")
    except BaseException:
        archive.zip.close()
        raise
    return archive


def _read_config(archive):
    if "config.npy" not in archive.infos:
        raise ValueError(f"{archive.path!r} is not a tinynet model file: its 'config' entry is missing or damaged. "
                         f"Received: entries {sorted(archive.names)[:8]}")
    shape, dtype, _, _ = archive.npy_header("config.npy")
    if dtype != np.uint8 or len(shape) != 1 or shape[0] > CONFIG_LIMIT:
        raise archive.error(f"its 'config' entry must be JSON text of at most {CONFIG_LIMIT:,} bytes (uint8). "
                            f"Received: shape {shape}, dtype {dtype}")
    text = archive.read_npy("config.npy", shape, np.uint8).tobytes()
    try:
        config = json.loads(text.decode())
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise ValueError(f"{archive.path!r} is not a tinynet model file: its 'config' entry is damaged.") from None
    if not isinstance(config, dict) or config.get("format") != FORMAT:
        raise ValueError(f"{archive.path!r} is not a tinynet model file. Expected format {FORMAT!r}. "
                         f"Received: {config.get('format') if isinstance(config, dict) else type(config).__name__!r}")
    if config.get("version") != VERSION:
        raise ValueError(f"{archive.path!r} was written by another version of tinynet's format. "
                         f"Expected version {VERSION}. Received: version {config.get('version')!r}")
    return config


def _plan(config):
    """The model's plan, its compile settings (made, not yet attached) and the random state."""
    layers = config["layers"]
    if not isinstance(layers, list):
        raise ValueError(f"'layers' must be a list. Received: {type(layers).__name__}")
    plan = ModelPlan(config["name"], config.get("trainable", True), config["input_shape"],
                     [_layer_plan(entry, 0) for entry in layers])
    compiled = None
    if "compile" in config:
        c = config["compile"]
        opt = c["optimizer"]  # files of the first format say "class" where Keras says "class_name"
        compiled = {"optimizer": optimizers.deserialize({"class_name": opt["class"], "config": opt["config"]}
                                                        if "class" in opt else opt),
                    "loss": None if c["loss"] is None else compile_objects.loss_from(c["loss"]["class"],
                                                                                    c["loss"]["config"]),
                    "metrics": [m if isinstance(m, str) else compile_objects.metric_from(m["class"], m["config"])
                                for m in c["metrics"]],
                    "optimizer_state": c["optimizer_state"] is True}
        for spec in compiled["metrics"]:
            metrics_lib.check(spec)
    np.random.PCG64().state = config["random_state"]  # raises here if it is not a generator's state
    return plan, compiled


def _expected_arrays(plan, compiled):
    """{entry name: (shape, dtype)} of every array the file must hold."""
    expected = {f"weight_{i}.npy": (shape, np.float32) for i, (_, _, shape, _) in enumerate(weight_list(plan))}
    if compiled is not None and compiled["optimizer_state"]:
        kinds = slot_kinds(compiled["optimizer"])
        slots = [shape for _ in range(kinds) for shape in trainable_shapes(plan)]
        expected["optimizer_0.npy"] = ((), np.int64)
        expected.update({f"optimizer_{i + 1}.npy": (shape, np.float32) for i, shape in enumerate(slots)})
    return expected


def load_model(path, compile=True):
    """The model saved at ``path``: architecture, weights, compile settings and optimizer
    state. The random generator is put back where it was at save time, so resumed
    training shuffles exactly as uninterrupted training would."""
    with _open(path, "tinynet model") as archive:
        config = _read_config(archive)
        try:
            plan, compiled = _plan(config)
            expected = _expected_arrays(plan, compiled)
            optimizer = compiled["optimizer"] if compiled and compiled["optimizer_state"] else None
            implied = implied_bytes(plan, optimizer)
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            raise ValueError(f"{archive.path!r} does not describe a model tinynet can rebuild: {err}") from None
        if implied > MAX_EXPANSION * archive.file_size:
            raise archive.error(f"its config implies {implied:,} bytes of weights, more than {MAX_EXPANSION} times "
                                f"the file's own {archive.file_size:,} bytes")
        if sorted(archive.names) != sorted(["config.npy", *expected]):
            raise archive.error(f"it holds the arrays {sorted(archive.names)}; its config implies "
                                f"{sorted(['config.npy', *expected])}")
        for name, (shape, dtype) in expected.items():  # every header, before any data
            archive.check_npy(name, shape, dtype)
        arrays = {name: archive.read_npy(name, shape, dtype) for name, (shape, dtype) in expected.items()}
    model = materialize(plan, input_layer=False)
    model.set_weights([arrays[f"weight_{i}.npy"] for i in range(len(model.weights))])
    if compile and compiled is not None:
        model.compile(optimizer=compiled["optimizer"], loss=compiled["loss"], metrics=compiled["metrics"])
        if compiled["optimizer_state"]:
            count = sum(name.startswith("optimizer_") for name in expected)
            _restore_optimizer(model, [arrays[f"optimizer_{i}.npy"] for i in range(count)])
    tinynet_random.set_state(config["random_state"])
    return model


def _restore_optimizer(model, variables):
    optimizer = model.optimizer
    model._freeze_trainable_set()
    optimizer.build(model._params)
    slots = [a for kind in optimizer.slots for a in kind]
    optimizer.iterations = int(variables[0])
    for slot, value in zip(slots, variables[1:]):
        slot[...] = value


def load_weights(model, path):
    """Weights saved by ``save_weights`` (or ``save``): every header is checked against the
    model's weights before any array is read, and none is set unless all fit."""
    with _open(path, "tinynet weights") as archive:
        count = sum(name.startswith("weight_") for name in archive.names)
        headers = [archive.npy_header(f"weight_{i}.npy") for i in range(count)]
        expected = [p.shape for p in model.weights]
        if [tuple(h[0]) for h in headers] != expected:
            raise ValueError(f"Model '{model.name}' expects weights of shapes {expected}. "
                             f"Received: shapes {[tuple(h[0]) for h in headers]}")
        weights = [archive.read_npy(f"weight_{i}.npy", shape, np.float32) for i, shape in enumerate(expected)]
    model.set_weights(weights)
