"""The layer table: each tinynet layer beside the Keras layer it is saved as.

One row per layer class:
    cls           the tinynet class
    keras         Keras' class_name (module 'keras.layers')
    fields        the Keras config keys after the ones every layer has (name,
                  trainable, dtype), in the order Keras writes them, each a
                  Field(keras key, tinynet key, codec). A tinynet key of None marks a
                  Keras setting tinynet lacks: ``off`` is the one value it accepts,
                  and the value it writes.
    weights       weights(layer, input_shape) -> [(tinynet parameter, shape)] in Keras'
                  order, which numbers them in the weights file: 'vars/0', 'vars/1', ...
                  (Keras lists a layer's trainable variables, then its others). It is
                  computed from the config alone, so a loader can check a file before
                  allocating anything.
    build_config  whether Keras writes {"input_shape": ...} for the layer (it does
                  for the classes that have a ``build`` method)
A Sequential inside a model is not a row: it is a model (see keras_config.py).
To add a layer (Conv2D, BatchNormalization, ...): one row, its fields copied from
Keras' ``get_config`` in keras/src/layers/..., its weights from Keras' ``build``.
"""
from collections import namedtuple

from ... import activations, initializers, layers
from .keras_objects import NotLoadable, check_dtype, check_keys, dtype_policy, serialize, unpack

Row = namedtuple("Row", "cls keras fields weights build_config")
Field = namedtuple("Field", "keras tinynet codec off", defaults=(None, None))
Codec = namedtuple("Codec", "to_keras from_keras")  # each f(value, what) -> value
PLAIN = Codec(lambda value, what: value, lambda value, what: value)


def same(key, codec=PLAIN):
    return Field(key, key, codec)


def off(key, value=None):
    return Field(key, None, None, value)


# -- codecs ------------------------------------------------------------------------------------
def _activation_to_keras(name, what):
    try:
        activations.get(name)
    except ValueError:
        raise ValueError(f"{what} uses the activation function '{name}', a Python function that a file cannot "
                         "hold; only tinynet's named activations can be saved. Save the weights with "
                         "save_weights() instead.") from None
    return name


def _activation_from_keras(value, what):
    if isinstance(value, dict):
        unpack(value, "keras.activations", what)  # a function is a custom object: this refuses it by name
        raise NotLoadable(f"{what} must be an activation's name. Received: {value!r}")
    try:
        return activations.get(value)[0]
    except ValueError as err:
        raise NotLoadable(f"{what}: {err}") from None


# tinynet's initializer names and Keras' classes; the seeded ones write Keras' (off) seed and axes.
_INITIALIZERS = {"glorot_uniform": "GlorotUniform", "glorot_normal": "GlorotNormal", "he_uniform": "HeUniform",
                 "he_normal": "HeNormal", "zeros": "Zeros", "ones": "Ones"}
_INITIALIZER_OFF = {"seed": None, "input_axes": None, "output_axes": None}


def _initializer_to_keras(name, what):
    class_name = _INITIALIZERS[name]
    return serialize("keras.initializers", class_name,
                     {} if class_name in ("Zeros", "Ones") else dict(_INITIALIZER_OFF))


def _initializer_from_keras(value, what):
    if isinstance(value, str):
        return initializers.get(value, what).__name__
    class_name, config = unpack(value, "keras.initializers", what)
    by_keras = {keras_name: name for name, keras_name in _INITIALIZERS.items()}
    if class_name not in by_keras:
        raise NotLoadable(f"{what} is Keras' {class_name}, which tinynet does not have. Expected one of "
                          f"{sorted(by_keras)}")
    for key, setting in config.items():
        if key not in _INITIALIZER_OFF or setting is not None:
            raise NotLoadable(f"{what} is {class_name} with {key}={setting!r}; tinynet's initializers take "
                              "no seed or axes")
    return by_keras[class_name]


def _regularizer_to_keras(config, what):
    return None if config is None else serialize("keras.regularizers", config["class_name"], config["config"])


def _regularizer_from_keras(value, what):
    if value is None or isinstance(value, str):
        return value
    class_name, config = unpack(value, "keras.regularizers", what)
    if class_name not in ("L1", "L2", "L1L2"):
        raise NotLoadable(f"{what} is Keras' {class_name}, which tinynet does not have. Expected one of "
                          "['L1', 'L1L2', 'L2']")
    return {"class_name": class_name, "config": config}


ACTIVATION = Codec(_activation_to_keras, _activation_from_keras)
INITIALIZER = Codec(_initializer_to_keras, _initializer_from_keras)
REGULARIZER = Codec(_regularizer_to_keras, _regularizer_from_keras)


# -- weights ------------------------------------------------------------------------------------
def no_weights(layer, input_shape):
    return []


def dense_weights(layer, input_shape):
    """kernel (features in, units), then bias (units,) if the layer has one."""
    kernel = [("kernel", (input_shape[-1], layer.units))]
    return kernel + [("bias", (layer.units,))] if layer.use_bias else kernel


def conv2d_weights(layer, input_shape):
    """kernel (kh, kw, channels in, filters), then bias (filters,) if the layer has one."""
    kernel = [("kernel", (*layer.kernel_size, input_shape[-1], layer.filters))]
    return kernel + [("bias", (layer.filters,))] if layer.use_bias else kernel


def batchnorm_weights(layer, input_shape):
    """gamma (if scale), beta (if center), then moving_mean and moving_variance, each (channels,)."""
    channels = (input_shape[-1],)
    names = (["gamma"] if layer.scale else []) + (["beta"] if layer.center else []) + ["moving_mean",
                                                                                       "moving_variance"]
    return [(name, channels) for name in names]


_POOLING = [same("pool_size"), same("padding"), same("strides"), same("data_format")]
_GLOBAL_POOLING = [same("data_format"), same("keepdims")]

# -- the table --------------------------------------------------------------------------------------
ROWS = [
    Row(layers.Dense, "Dense",
        [same("units"), same("activation", ACTIVATION), same("use_bias"),
         same("kernel_initializer", INITIALIZER), same("bias_initializer", INITIALIZER),
         same("kernel_regularizer", REGULARIZER), same("bias_regularizer", REGULARIZER),
         off("kernel_constraint"), off("bias_constraint"), off("quantization_config")],
        dense_weights, True),
    Row(layers.Flatten, "Flatten", [off("data_format", "channels_last")], no_weights, True),
    Row(layers.Activation, "Activation", [same("activation", ACTIVATION)], no_weights, False),
    Row(layers.ReLU, "ReLU", [off("max_value"), off("negative_slope", 0.0), off("threshold", 0.0)],
        no_weights, False),
    Row(layers.Softmax, "Softmax", [off("axis", -1)], no_weights, False),
    Row(layers.Dropout, "Dropout", [same("rate"), same("seed"), off("noise_shape")], no_weights, False),
    Row(layers.Conv2D, "Conv2D",
        [same("filters"), same("kernel_size"), same("strides"), same("padding"), same("data_format"),
         same("dilation_rate"), same("groups"), same("activation", ACTIVATION), same("use_bias"),
         same("kernel_initializer", INITIALIZER), same("bias_initializer", INITIALIZER),
         same("kernel_regularizer", REGULARIZER), same("bias_regularizer", REGULARIZER),
         off("activity_regularizer"), off("kernel_constraint"), off("bias_constraint")],
        conv2d_weights, True),
    Row(layers.MaxPooling2D, "MaxPooling2D", _POOLING, no_weights, False),
    Row(layers.AveragePooling2D, "AveragePooling2D", _POOLING, no_weights, False),
    Row(layers.GlobalAveragePooling2D, "GlobalAveragePooling2D", _GLOBAL_POOLING, no_weights, False),
    Row(layers.GlobalMaxPooling2D, "GlobalMaxPooling2D", _GLOBAL_POOLING, no_weights, False),
    Row(layers.Reshape, "Reshape", [same("target_shape")], no_weights, False),
    Row(layers.BatchNormalization, "BatchNormalization",
        [same("axis"), same("momentum"), same("epsilon"), same("center"), same("scale"),
         same("beta_initializer", INITIALIZER), same("gamma_initializer", INITIALIZER),
         same("moving_mean_initializer", INITIALIZER), same("moving_variance_initializer", INITIALIZER),
         off("beta_regularizer"), off("gamma_regularizer"), off("beta_constraint"), off("gamma_constraint"),
         off("synchronized", False), off("renorm", False), off("renorm_clipping"), off("renorm_momentum", 0.99)],
        batchnorm_weights, True),
]
BY_CLASS = {row.cls: row for row in ROWS}
BY_KERAS = {row.keras: row for row in ROWS}
COMMON = ("name", "trainable", "dtype")


def row_for(layer):
    """The row of a tinynet layer (its exact class: a subclass may compute something else)."""
    row = BY_CLASS.get(type(layer))
    if row is None:
        raise ValueError(f"Layer '{layer.name}' is a {type(layer).__name__}, which tinynet cannot save: the layers "
                         f"it saves are {sorted(r.cls.__name__ for r in ROWS)} and Sequential")
    return row


def layer_weights(layer, input_shape):
    """[(parameter, shape)] of a layer on inputs of one sample's ``input_shape``, in Keras' order."""
    return [(name, tuple(int(d) for d in shape)) for name, shape in row_for(layer).weights(layer, input_shape)]


def to_keras(layer, input_shape):
    """The Keras config entry of a (built) tinynet layer; ``input_shape`` is one sample's."""
    row, config = row_for(layer), layer.get_config()
    what = f"Layer '{layer.name}'"
    mapped = set(COMMON) | {"input_shape"} | {f.tinynet for f in row.fields if f.tinynet}
    missed = [key for key in config if key not in mapped]
    if missed:  # a new tinynet option the table does not know yet: refuse rather than drop it
        raise ValueError(f"{what} has the setting(s) {missed}, which tinynet cannot write in Keras' format yet")
    keras_config = {"name": config["name"], "trainable": config["trainable"], "dtype": dtype_policy()}
    for field in row.fields:
        keras_config[field.keras] = (field.off if field.tinynet is None
                                     else field.codec.to_keras(config[field.tinynet], what))
    entry = serialize("keras.layers", row.keras, keras_config)
    if row.build_config and input_shape is not None:
        entry["build_config"] = {"input_shape": [None, *input_shape]}
    return entry


def from_keras(class_name, config):
    """An unbuilt tinynet layer from a Keras layer's class_name and config."""
    if class_name not in BY_KERAS:
        raise NotLoadable(f"the layer {config.get('name')!r} is a Keras {class_name}, which tinynet does not have. "
                          f"Layers tinynet loads: {sorted(BY_KERAS)} and Sequential")
    row = BY_KERAS[class_name]
    what = f"layer {config.get('name')!r} ({class_name})"
    check_keys(config, set(COMMON) | {f.keras for f in row.fields}, what)
    check_dtype(config.get("dtype", "float32"), what)
    kwargs = {"name": config.get("name"), "trainable": config.get("trainable", True)}
    if not isinstance(kwargs["name"], (str, type(None))) or not isinstance(kwargs["trainable"], bool):
        raise NotLoadable(f"{what} must have a string name and a bool trainable. Received: "
                          f"name={kwargs['name']!r}, trainable={kwargs['trainable']!r}")
    for field in row.fields:
        if field.keras not in config:
            continue  # Keras' default, which is tinynet's too
        value = config[field.keras]
        if field.tinynet is None:
            if value != field.off:
                raise NotLoadable(f"{what} sets {field.keras}={value!r}; tinynet has only {field.keras}={field.off!r}")
        else:
            kwargs[field.tinynet] = field.codec.from_keras(value, f"{what}, {field.keras}")
    try:
        return row.cls(**kwargs)
    except (TypeError, ValueError) as err:
        raise NotLoadable(f"{what}: {err}") from None
