"""model.weights.h5: weights and optimizer state in Keras 3's HDF5 layout.

    vars                          the model's own variables (none); attribute name = the model's
    layers/dense/vars/0, 1        a layer's weights, numbered in Keras' order (layer_table.py)
    layers/sequential/vars, layers/sequential/layers/dense/vars/0, ...    a nested model
    optimizer/vars/0, 1, 2, ...   iterations (int64), learning_rate (float32; not with a
                                  schedule), then the slot arrays in Keras' order
A layer's group is named after its Keras class in snake_case, made unique within its
model in order ('dense', 'dense_1', ...), not after the layer: so weights load into
any model of the same architecture. A ``.weights.h5`` file is the same HDF5 file.

Keras lists an optimizer's slots per kind (RMSprop: every velocity, then every
momentum, then every average gradient), except Adam's m and v, which it lists
parameter by parameter (m_0, v_0, m_1, v_1, ...), AMSGrad's v_hat after them.

Reading walks the file link by link without following any link but a hard one
(a soft or external link could lead anywhere on disk) and refuses, by path, any
object the model does not expect, a dataset whose shape or dtype is not the one
expected, and one stored outside the file (external or virtual); only then is any
dataset read, each into an array of the size the model implies.
"""
import io
import warnings

import h5py
import numpy as np

from ...optimizers import Adam, schedules
from . import layer_table
from .archive import bytes_of
from .keras_objects import to_snake_case
from .plan import ModelPlan, layer_inputs, slot_kinds

GROUP, DATASET = "group", "dataset"
OBJECT_OVERHEAD = 4096  # bytes an HDF5 group or dataset header may take beyond its data (Keras': under 1 KB)
MAX_SLOT_KINDS = 3      # the most arrays a Keras optimizer keeps per weight (AMSGrad's m, v and v_hat)


def layout(plan, prefix="", shape=None):
    """[(path, GROUP, {attribute: value}) or (path, DATASET, (layer, parameter, shape))] of a
    model's weights, in the order Keras creates them."""
    entries, used = [(prefix + "vars", GROUP, {"name": plan.name})], {}
    for layer, layer_shape in layer_inputs(plan, shape)[0]:
        keras_name = "Sequential" if isinstance(layer, ModelPlan) else layer_table.row_for(layer).keras
        snake = to_snake_case(keras_name)
        used[snake] = used.get(snake, -1) + 1
        path = f"{prefix}layers/{snake}" + (f"_{used[snake]}" if used[snake] else "")
        entries.append((path, GROUP, {}))
        if isinstance(layer, ModelPlan):
            entries += layout(layer, path + "/", layer_shape)
            continue
        entries.append((path + "/vars", GROUP, {"name": layer.name}))
        if layer_shape is not None:
            entries += [(f"{path}/vars/{i}", DATASET, (layer, name, w_shape))
                        for i, (name, w_shape) in enumerate(layer_table.layer_weights(layer, layer_shape))]
    return entries


# -- the optimizer ------------------------------------------------------------------------------------
def _interleaved(optimizer):
    return 2 if isinstance(optimizer, Adam) else 0


def keras_order(slots, interleaved):
    """The slot arrays (one list per kind) in the order Keras lists them."""
    if not slots:
        return []
    paired = [kind[i] for i in range(len(slots[0])) for kind in slots[:interleaved]]
    return paired + [array for kind in slots[interleaved:] for array in kind]


def scalar_specs(optimizer):
    """(shape, dtype) of iterations, and of the learning rate unless it is a schedule."""
    with_rate = not isinstance(optimizer._learning_rate, schedules.LearningRateSchedule)
    return [((), np.dtype(np.int64))] + [((), np.dtype(np.float32))] * with_rate


def optimizer_specs(optimizer, slot_shapes, kinds):
    """(shape, dtype) of every optimizer variable Keras stores, for ``kinds`` slot arrays
    per parameter of the given shapes."""
    slots = [[(shape, np.dtype(np.float32)) for shape in slot_shapes] for _ in range(kinds)]
    return scalar_specs(optimizer) + keras_order(slots, _interleaved(optimizer))


def optimizer_arrays(optimizer):
    arrays = [np.array(optimizer.iterations, np.int64)]
    if len(scalar_specs(optimizer)) == 2:
        arrays.append(np.array(optimizer.learning_rate, np.float32))
    return arrays + keras_order(optimizer.slots, _interleaved(optimizer))


def restore_optimizer(model, arrays):
    """Put Keras-ordered optimizer variables back (checked by ``read``). With slot arrays,
    the optimizer is built for the model's trainable weights first; if those are not the
    weights the file's slots were made for (a layer frozen since), the state is skipped
    with Keras' warning, before anything changes."""
    optimizer, scalars = model.optimizer, len(scalar_specs(model.optimizer))
    if len(arrays) > scalars:
        model._freeze_trainable_set()
        shapes = [p.shape for p in model._params]
        wanted = optimizer_specs(optimizer, shapes, slot_kinds(optimizer))[scalars:]
        if [a.shape for a in arrays[scalars:]] != [shape for shape, _ in wanted]:
            warnings.warn(f"Skipping variable loading for optimizer '{optimizer.name}': the saved state was made "
                          "for other trainable weights.", stacklevel=3)
            return
        optimizer.build(model._params)
        for target, value in zip(keras_order(optimizer.slots, _interleaved(optimizer)), arrays[scalars:]):
            target[...] = value
    optimizer.iterations = int(arrays[0])
    if scalars == 2:
        optimizer.learning_rate = float(arrays[1])


# -- writing -------------------------------------------------------------------------------------------
def write(model):
    """The bytes of the HDF5 file Keras writes for ``model`` (weights, and optimizer state
    when it is compiled)."""
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as h5:
        for path, kind, payload in layout(ModelPlan.of(model)):
            if kind == GROUP:
                group = h5.require_group(path)
                for key, value in payload.items():
                    group.attrs[key] = value
            else:
                layer, name, _ = payload
                h5[path] = layer.params[name]
        if model.compiled:
            group = h5.create_group("optimizer").create_group("vars")
            group.attrs["name"] = model.optimizer.name
            for i, array in enumerate(optimizer_arrays(model.optimizer)):
                group[str(i)] = array
    return buffer.getvalue()


def size_limit(plan):
    """The most bytes the HDF5 file of such a model can take: its weights, an optimizer's
    slots (at most MAX_SLOT_KINDS arrays per weight, whatever optimizer the file holds), and
    an allowance per HDF5 object."""
    datasets = [p[2] for _, kind, p in layout(plan) if kind == DATASET]
    data = sum(bytes_of(shape, np.float32) for shape in datasets)
    objects = len(layout(plan)) + (1 + MAX_SLOT_KINDS) * len(datasets) + 4
    return (1 + MAX_SLOT_KINDS) * data + 16 + OBJECT_OVERHEAD * objects + 64 * 1024


# -- reading ---------------------------------------------------------------------------------------------
def read(h5, plan, optimizer_spec_lists, error):
    """([(layer, parameter, array)], optimizer arrays or None) from an open HDF5 file, every
    object checked first. ``optimizer_spec_lists``: the layouts of the optimizer state the
    model can take (none if it is not compiled; each begins with ``scalar_specs``); a file with
    another one gets Keras' warning and its optimizer state is not read.
    ``error(problem)`` makes the exception to raise."""
    entries = {path: (kind, payload) for path, kind, payload in layout(plan)}
    for path in list(entries):  # and the groups on the way to them ('layers', ...)
        parts = path.split("/")
        for i in range(1, len(parts)):
            entries.setdefault("/".join(parts[:i]), (GROUP, {}))
    datasets = {}
    optimizer = {"specs": None}

    def visit(path, obj):
        if path in ("optimizer", "optimizer/vars") and isinstance(obj, h5py.Group):
            if path == "optimizer/vars":
                optimizer["specs"] = _pick(optimizer_spec_lists, len(obj), plan.name)
                return optimizer["specs"] is not None
            return True
        if path.startswith("optimizer/vars/") and optimizer["specs"] is not None:
            index = path.rsplit("/", 1)[1]
            if index.isdigit() and int(index) < len(optimizer["specs"]):
                _check_dataset(obj, path, *optimizer["specs"][int(index)], error)
                datasets[path] = obj
                return False
        kind, payload = entries.get(path, (None, None))
        if kind == GROUP and isinstance(obj, h5py.Group):
            return True
        if kind == DATASET:
            _check_dataset(obj, path, payload[2], np.dtype(np.float32), error)
            datasets[path] = obj
            return False
        raise error(f"its weights file holds {type(obj).__name__.lower()} '{path}', which the model does not have")

    _walk(h5, "", visit, error)
    missing = [p for p, (kind, _) in entries.items() if kind == DATASET and p not in datasets]
    if missing:
        raise error(f"its weights file lacks {missing[:4]}; the model has {len(missing)} more weight(s) than it holds")
    try:
        weights = [(p[0], p[1], datasets[path][()]) for path, (kind, p) in entries.items() if kind == DATASET]
        opt = None
        if optimizer["specs"] is not None:
            opt = [np.asarray(datasets[f"optimizer/vars/{i}"][()]) for i in range(len(optimizer["specs"]))]
    except (OSError, ValueError, KeyError) as err:
        raise error(f"its weights file is damaged ({err})") from None
    if opt is not None:
        _check_scalars(opt, optimizer["specs"], error)
    return weights, opt


def _check_scalars(arrays, specs, error):
    """iterations >= 0, and a learning rate (the float32 scalar after it, if any) finite and >= 0."""
    rate = arrays[1] if len(specs) > 1 and specs[1][0] == () else np.float32(0)
    if int(arrays[0]) < 0 or not np.isfinite(rate) or rate < 0:
        raise error(f"its optimizer state holds iterations={int(arrays[0])} and learning_rate={float(rate)}; "
                    "expected a count >= 0 and a finite rate >= 0")


def _pick(spec_lists, count, model_name):
    for specs in spec_lists:
        if len(specs) == count:
            return specs
    if spec_lists:  # Keras' own behaviour: warn, and leave the optimizer as it is
        warnings.warn(f"Skipping variable loading for the optimizer of model '{model_name}', because it has "
                      f"{max(len(s) for s in spec_lists)} variables whereas the saved optimizer has {count} "
                      "variables.", stacklevel=4)
    return None


def _walk(group, prefix, visit, error):
    """Visit every object under ``group`` through hard links only; ``visit`` returns whether
    to go into a group, and raises for an object it does not expect."""
    for name in group:
        path = prefix + name
        link = group.get(name, getlink=True)
        if not isinstance(link, h5py.HardLink):
            raise error(f"its weights file holds a link of kind {type(link).__name__} at '{path}'; only groups "
                        "and datasets (hard links) are expected")
        obj = group.get(name)
        if visit(path, obj) and isinstance(obj, h5py.Group):
            _walk(obj, path + "/", visit, error)


def _check_dataset(obj, path, shape, dtype, error):
    if not isinstance(obj, h5py.Dataset):
        raise error(f"its weights file holds a {type(obj).__name__.lower()} at '{path}'; expected a dataset")
    if obj.is_virtual or obj.external:
        raise error(f"its dataset '{path}' keeps its data outside the file; tinynet reads only data inside it")
    if obj.shape != tuple(shape) or obj.dtype != dtype:
        raise error(f"its dataset '{path}' has shape {obj.shape} and dtype {obj.dtype}; expected shape "
                    f"{tuple(shape)} and dtype {dtype}")

