"""Keras' serialized objects: ``{"module", "class_name", "config", "registered_name"}``.

Keras writes every object of a ``.keras`` config this way (layers, initializers,
regularizers, optimizers, losses, metrics, dtype policies). Keras' own objects
have a module under ``keras`` and no registered name; anything else is a custom
object (a user's class or function), which tinynet refuses by name: it rebuilds
only objects it has, and it never imports or runs anything a file names.
"""
import re


class NotLoadable(ValueError):
    """Part of a Keras config that tinynet does not have; the message names it."""


def serialize(module, class_name, config):
    return {"module": module, "class_name": class_name, "config": config, "registered_name": None}


def unpack(value, module, what):
    """(class_name, config) of a Keras object from ``module``; a clear error for a
    custom object or for something that is not a serialized object at all."""
    if not isinstance(value, dict) or not {"class_name", "config"} <= set(value):
        raise NotLoadable(f"{what} must be a Keras object, a dict with 'class_name' and 'config'. "
                          f"Received: {_short(value)}")
    if value.get("registered_name") is not None or not str(value.get("module", module)).startswith("keras"):
        raise NotLoadable(f"{what} is a custom object ({describe(value)}), which tinynet cannot rebuild: "
                          "it loads only the Keras built-ins it has, and never runs code from a file")
    if value.get("module", module) != module:
        raise NotLoadable(f"{what} must come from Keras' module {module!r}. Received: {describe(value)}")
    if not isinstance(value["config"], dict):
        raise NotLoadable(f"the config of {what} must be a dict. Received: {_short(value['config'])}")
    return value["class_name"], value["config"]


def describe(value):
    """A custom object as the user would recognise it: a function's name, or module.class."""
    if value.get("class_name") == "function":
        return f"the Python function {value.get('config')!r}"
    if value.get("class_name") == "__lambda__":
        return "a Python lambda"
    name = value.get("registered_name") or f"{value.get('module')}.{value.get('class_name')}"
    return f"{name!r}"


def dtype_policy():
    """The float32 policy Keras writes for each layer and model."""
    return serialize("keras", "DTypePolicy", {"name": "float32"})


def check_dtype(value, what):
    """A layer's dtype: tinynet computes in float32 only."""
    name = value
    if isinstance(value, dict):
        class_name, config = unpack(value, "keras", f"the dtype policy of {what}")
        name = config.get("name") if class_name == "DTypePolicy" else class_name
    if name != "float32":
        raise NotLoadable(f"{what} computes in {name!r}; tinynet computes in float32 only")


def to_snake_case(name):
    """Keras' snake_case of a class name: 'Dense' -> 'dense', 'ReLU' -> 're_lu',
    'MaxPooling2D' -> 'max_pooling2d'. Keras names a layer's group in the weights
    file by it (not by the layer's own name)."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def check_keys(config, known, what):
    """Refuse keys that tinynet does not know, naming them."""
    unknown = [key for key in config if key not in known]
    if unknown:
        raise NotLoadable(f"{what} has the Keras setting(s) {unknown}, which tinynet does not have. "
                          f"Known: {sorted(known)}")


def _short(value):
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."
