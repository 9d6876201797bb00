"""What the public activation functions take, as Keras (TensorFlow) takes it.

Float arrays keep their dtype; Python floats and lists of them become float32,
Keras' default float. Integers and bools are another matter, and Keras treats
them per function: ``relu`` keeps integers (Python ints become int32),
``tanh``, ``exponential`` and ``leaky_relu`` turn them into float32, and the
others (sigmoid, softmax, elu, ...) reject them; tinynet does the same, with an
error that says so instead of TensorFlow's.
"""
import numpy as np


def as_input(x, fn, keep="", to_float=""):
    """``x`` as an array for activation ``fn``. Integer kinds in ``keep`` ('i', 'u')
    stay integers, kinds in ``to_float`` ('b', 'i', 'u') become float32, and any
    other non-float kind is a TypeError."""
    if type(x) is np.ndarray and x.dtype.kind == "f":
        return x  # the layers' case: nothing to do
    from_python = not isinstance(x, (np.ndarray, np.generic))
    try:
        arr = np.asarray(x)
    except Exception as err:  # e.g. ragged nested lists
        raise TypeError(f"Argument `x` of activation '{fn}' must be an array of numbers. Received: {err}") from None
    kind = arr.dtype.kind
    if kind == "f":
        return arr.astype(np.float32) if from_python else arr
    if kind in keep:
        fits = from_python and kind == "i" and (arr.size == 0 or np.abs(arr).max() < 2**31)
        return arr.astype(np.int32) if fits else arr
    if kind in to_float:
        return arr.astype(np.float32)
    if kind in "biu":
        raise TypeError(f"Argument `x` of activation '{fn}' must hold floats: Keras rejects "
                        f"{'bool' if kind == 'b' else 'integer'} inputs here. Received: x with dtype={arr.dtype}. "
                        f"Convert it first, e.g. x.astype('float32').")
    raise TypeError(f"Argument `x` of activation '{fn}' must hold numbers. Received: x with dtype={arr.dtype}")


def at_least_float32(x):
    """x itself, or float16 as float32 (for the compiled kernels, which have no float16)."""
    return x if x.dtype.itemsize >= 4 else x.astype(np.float32)
