"""Saving and loading models, in two formats chosen by the file's name.

    model.save("m.keras")              Keras 3's own format (keras_format.py): the zip of
                                       config.json, metadata.json and model.weights.h5 that
                                       ``keras.models.load_model`` opens, and that Keras writes
    model.save("m.npz") (any other)    tinynet's own format (npz_format.py): the whole training
                                       state, random generator included
    model.save_weights("w.weights.h5") Keras' weights-only HDF5 file; any other name: an .npz
    load_model / load_weights          read the same, by the same names (``load_weights``
                                       also takes the weights of a .keras file)

Both writers write through a temporary file and a rename (atomic.py). Both readers
check a file against what its config implies before reading any array, never
unpickle, and never run or import anything a file names (archive.py, plan.py).

    atomic.py           write_atomically
    archive.py          checked reading of zip archives and .npy entries; the size bounds
    plan.py             a model described by a file, before anything is allocated
    layer_table.py      each tinynet layer beside the Keras layer it is saved as
    keras_objects.py    Keras' serialized objects; refusing custom ones by name
    compile_objects.py  losses and metrics by class name
    keras_config.py     config.json <-> tinynet: the model, its layers, its compile settings
    keras_weights.py    model.weights.h5: Keras' HDF5 layout, checked before reading
    keras_format.py     the .keras and .weights.h5 files
    npz_format.py       tinynet's .npz
"""
import os

from . import keras_format, npz_format
from .atomic import write_atomically
from .npz_format import layer_config, layer_from_config

__all__ = ["save_model", "load_model", "save_weights", "load_weights", "layer_config", "layer_from_config",
           "write_atomically"]


def save_model(model, path):
    """``path`` ending in .keras: Keras' format; else tinynet's .npz (see the module docstring)."""
    if os.fspath(path).endswith(".keras"):
        keras_format.save_model(model, path)
    else:
        npz_format.save_model(model, path)


def load_model(path, compile=True):
    """The model saved at ``path`` (a .keras file, from Keras or tinynet, or tinynet's .npz).
    ``compile=False`` leaves it uncompiled, as Keras' argument does."""
    if os.fspath(path).endswith(".keras"):
        return keras_format.load_model(path, compile=compile)
    return npz_format.load_model(path, compile=compile)


def save_weights(model, path):
    if os.fspath(path).endswith(".weights.h5"):
        keras_format.save_weights(model, path)
    else:
        npz_format.save_weights(model, path)


def load_weights(model, path):
    name = os.fspath(path)
    if name.endswith(".weights.h5") or name.endswith(".keras"):
        keras_format.load_weights(model, path)
    else:
        npz_format.load_weights(model, path)
