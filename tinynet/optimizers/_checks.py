"""Argument checks of the optimizers and schedules: each error names the
argument, says what was expected and shows what came."""
import numbers

import numpy as np


def number(name, value, low=0.0, high=None, allow_low=False, allow_high=False):
    """``value`` as a float, if it is a finite real number within the bounds
    (``low < value < high``; ``allow_low``/``allow_high`` make them inclusive)."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and np.isfinite(value)
    ok = ok and (value >= low if allow_low else value > low)
    ok = ok and (high is None or (value <= high if allow_high else value < high))
    if not ok:
        bound = f"{'>=' if allow_low else '>'} {low}"
        if high is not None:
            bound += f" and {'<=' if allow_high else '<'} {high}"
        raise ValueError(f"Argument `{name}` must be a number {bound}. Received: {name}={value!r}")
    return float(value)


def optional_number(name, value, **bounds):
    """None, or a number as ``number`` checks it."""
    return None if value is None else number(name, value, **bounds)


def check_name(value):
    """A name: a string, or None."""
    if value is not None and not isinstance(value, str):
        raise ValueError(f"Argument `name` must be a string. Received: name={value!r}")
    return value
