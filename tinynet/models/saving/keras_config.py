"""config.json: a tinynet model as Keras 3 describes a Sequential model, and back.

    {"module": "keras", "class_name": "Sequential",
     "config": {"name", "trainable", "dtype", "layers": [InputLayer, layer, ...],
                "build_input_shape": [null, ...]},
     "registered_name": null, "build_config": {"input_shape": [null, ...]},
     "compile_config": {"optimizer", "loss", "loss_weights", "metrics", "weighted_metrics",
                        "run_eagerly", "steps_per_execution", "jit_compile"}}

A nested model is the same entry among the layers (with an empty compile_config).
Each layer's entry comes from the layer table (layer_table.py). Keras also writes a
"shared_object_id" beside a dtype policy that several layers share; tinynet gives
each layer its own float32 policy, which Keras reads the same.
A loss compiled from a name is written as that name (Keras writes the string it
was given; tinynet keeps the object, so a loss whose config is its class's default
is written by its name), any other as the loss object.
"""
from ... import losses, optimizers
from ... import metrics as metrics_lib
from ...optimizers import schedules
from . import compile_objects, layer_table
from .keras_objects import NotLoadable, check_dtype, check_keys, dtype_policy, serialize, to_snake_case, unpack
from .plan import ModelPlan, check_shape

MODEL_KEYS = {"name", "trainable", "dtype", "layers", "build_input_shape"}
ENTRY_KEYS = {"module", "class_name", "config", "registered_name", "build_config", "compile_config"}
INPUT_KEYS = {"batch_shape", "dtype", "sparse", "ragged", "name", "optional"}
COMPILE_KEYS = {"optimizer", "loss", "loss_weights", "metrics", "weighted_metrics", "run_eagerly",
                "steps_per_execution", "jit_compile"}


# -- writing --------------------------------------------------------------------------------------
def model_to_keras(model):
    """The config.json of a built tinynet Sequential, compile settings included."""
    taken = {layer.name for layer in _all_layers(model)}
    entry = _sequential(model, _input_names(taken))
    entry["compile_config"] = compile_to_keras(model)
    return entry


def _all_layers(model):
    for layer in model.layers:
        yield layer
        yield from _all_layers(layer) if hasattr(layer, "layers") else ()


def _input_names(taken):
    """Keras' names for the input layers: input_layer, input_layer_1, ... (none a layer's)."""
    count = 0
    while True:
        name = "input_layer" if count == 0 else f"input_layer_{count}"
        count += 1
        if name not in taken:
            yield name


def _sequential(model, input_names):
    shape, layers = model._sample_shape, []
    if shape is not None:
        layers.append(serialize("keras.layers", "InputLayer", {
            "batch_shape": [None, *shape], "dtype": "float32", "sparse": False, "ragged": False,
            "name": next(input_names), "optional": False}))
    for layer in model.layers:
        layers.append(_sequential(layer, input_names) if hasattr(layer, "layers")
                      else layer_table.to_keras(layer, shape))
        shape = None if shape is None else tuple(layer.compute_output_shape(shape))
    config = {"name": model.name, "trainable": model.trainable, "dtype": dtype_policy(), "layers": layers}
    if model._sample_shape is not None:
        config["build_input_shape"] = [None, *model._sample_shape]
    entry = serialize("keras", "Sequential", config)
    if model._sample_shape is not None:
        entry["build_config"] = {"input_shape": [None, *model._sample_shape]}
    entry["compile_config"] = {}
    return entry


def compile_to_keras(model):
    if not model.compiled:
        return {}
    metrics = [_metric_to_keras(spec) for spec in model._metric_specs]
    return {"optimizer": optimizers.serialize(model.optimizer), "loss": _loss_to_keras(model.loss),
            "loss_weights": None, "metrics": metrics or None, "weighted_metrics": None, "run_eagerly": False,
            "steps_per_execution": 1, "jit_compile": False}


def _loss_to_keras(loss):
    if loss is None:
        return None
    class_name, config = compile_objects.loss_spec(loss)
    name = to_snake_case(class_name)
    try:
        named = losses.get(name)
    except ValueError:
        named = None
    if type(named) is type(loss) and config == named.get_config():
        return name
    return serialize("keras.losses", class_name, config)


def _metric_to_keras(spec):
    spec = compile_objects.metric_spec(spec)
    return spec if isinstance(spec, str) else serialize("keras.metrics", *spec)


# -- reading --------------------------------------------------------------------------------------
def plan_from_keras(config, depth=0):
    """The ModelPlan of a Keras model entry: Sequential models only, nested ones included."""
    if not isinstance(config, dict):
        raise NotLoadable(f"the model must be a Keras object. Received: {type(config).__name__}")
    name = config.get("config", {}).get("name") if isinstance(config.get("config"), dict) else None
    if config.get("class_name") in ("Functional", "Model"):
        raise NotLoadable(f"the model {name!r} is a Keras functional model; tinynet has only Sequential models")
    class_name, cfg = unpack(config, "keras", "the model")
    if class_name != "Sequential":
        raise NotLoadable(f"the model {name!r} is a Keras {class_name}; tinynet has only Sequential models")
    if depth > 32:
        raise NotLoadable("models are nested more than 32 deep")
    check_keys(config, ENTRY_KEYS, f"the entry of model {name!r}")
    check_keys(cfg, MODEL_KEYS, f"model {name!r}")
    check_dtype(cfg.get("dtype", "float32"), f"model {name!r}")
    entries = cfg.get("layers")
    if not isinstance(entries, list) or not isinstance(cfg.get("name"), str) \
            or not isinstance(cfg.get("trainable", True), bool):
        raise NotLoadable(f"model {name!r} must have a string name, a bool trainable and a list of layers")
    shape = None
    if entries and isinstance(entries[0], dict) and entries[0].get("class_name") == "InputLayer":
        shape, entries = _input_shape(entries[0]), entries[1:]
    elif isinstance(cfg.get("build_input_shape"), list):
        shape = cfg["build_input_shape"][1:]
    layers = [plan_from_keras(e, depth + 1) if isinstance(e, dict) and e.get("class_name") in
              ("Sequential", "Functional", "Model") else _layer(e) for e in entries]
    return ModelPlan(cfg["name"], cfg.get("trainable", True), shape, layers)


def _layer(entry):
    if isinstance(entry, dict) and entry.get("class_name") == "InputLayer":
        raise NotLoadable("an InputLayer can only be the first layer of a Sequential model")
    class_name, config = unpack(entry, "keras.layers", f"the layer entry {_entry_name(entry)!r}")
    check_keys(entry, ENTRY_KEYS - {"compile_config"}, f"the entry of layer {config.get('name')!r}")
    return layer_table.from_keras(class_name, config)


def _entry_name(entry):
    return entry.get("config", {}).get("name") if isinstance(entry, dict) and isinstance(entry.get("config"), dict) \
        else entry


def _input_shape(entry):
    _, config = unpack(entry, "keras.layers", "the input layer")
    check_keys(config, INPUT_KEYS, "the input layer")
    check_dtype(config.get("dtype", "float32"), "the input layer")
    for key in ("sparse", "ragged", "optional"):
        if config.get(key, False) is not False:
            raise NotLoadable(f"the input layer sets {key}={config[key]!r}; tinynet's inputs are dense arrays")
    batch_shape = config.get("batch_shape")
    if not isinstance(batch_shape, list) or len(batch_shape) < 2:
        raise NotLoadable(f"the input layer's batch_shape must be [batch, ...]. Received: {batch_shape!r}")
    return check_shape(batch_shape[1:], "the input layer's shape")


def compile_from_keras(config):
    """{"optimizer", "loss", "metrics"} for ``model.compile`` from a compile_config, or
    None when the model was not compiled. Everything is made, and so checked, here."""
    if not config:
        return None
    if not isinstance(config, dict):
        raise NotLoadable(f"the compile settings must be a dict. Received: {type(config).__name__}")
    check_keys(config, COMPILE_KEYS, "the compile settings")
    for key, allowed in [("loss_weights", (None,)), ("weighted_metrics", (None, [])), ("steps_per_execution", (1,))]:
        if config.get(key) not in allowed:
            raise NotLoadable(f"the compile settings set {key}={config[key]!r}; tinynet supports only "
                              f"{key}={allowed[0]!r}")
    return {"optimizer": _optimizer(config.get("optimizer", "rmsprop")), "loss": _loss(config.get("loss")),
            "metrics": [_metric(spec) for spec in _metric_list(config.get("metrics"))]}


def _optimizer(value):
    try:
        if isinstance(value, str):
            return optimizers.get(value)
        class_name, config = unpack(value, "keras.optimizers", "the optimizer")
        if isinstance(config.get("learning_rate"), dict):
            schedule, schedule_config = unpack(config["learning_rate"], "keras.optimizers.schedules",
                                               "the learning-rate schedule")
            config = {**config, "learning_rate": schedules.deserialize({"class_name": schedule,
                                                                         "config": schedule_config})}
        return optimizers.deserialize({"class_name": class_name, "config": config})
    except (TypeError, ValueError) as err:
        raise NotLoadable(f"the optimizer: {err}") from None


def _loss(value):
    try:
        if value is None or isinstance(value, str):
            return None if value is None else losses.get(value)
        if not isinstance(value, dict):
            raise NotLoadable(f"tinynet models have one output and one loss. Received: loss={value!r}")
        return compile_objects.loss_from(*unpack(value, "keras.losses", "the loss"))
    except (TypeError, ValueError) as err:
        raise NotLoadable(f"the loss: {err}") from None


def _metric_list(value):
    if value is None:
        return []
    if not isinstance(value, list) or any(isinstance(spec, (list, dict)) and "class_name" not in spec
                                          for spec in value):
        raise NotLoadable(f"tinynet models have one output: metrics must be one list. Received: {value!r}")
    return value


def _metric(spec):
    try:
        if isinstance(spec, str):
            return metrics_lib.check(spec)
        return compile_objects.metric_from(*unpack(spec, "keras.metrics", "a metric"))
    except (TypeError, ValueError) as err:
        raise NotLoadable(f"the metric {spec if isinstance(spec, str) else spec.get('class_name')!r}: {err}") from None
