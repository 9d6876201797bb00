"""``to_categorical``: class labels to one-hot rows, as ``keras.utils.to_categorical``."""
import numpy as np


def to_categorical(x, num_classes=None):
    """Labels y (...) integers in [0, num_classes) -> one-hot (..., num_classes).

    Labels of shape (n, 1) give (n, num_classes), as in Keras; ``num_classes``
    defaults to max(x) + 1. The result is float64, as Keras returns for NumPy
    input (``fit`` converts targets to float32 itself).
    """
    x = np.asarray(x)
    if x.dtype.kind not in "biuf" or (x.dtype.kind == "f" and not np.array_equal(x, np.round(x))):
        raise ValueError(f"Argument `x` must hold integer class labels. Received: x with dtype={x.dtype}")
    x = x.astype(np.int64)
    if x.ndim > 1 and x.shape[-1] == 1:
        x = x[..., 0]
    if num_classes is None:
        num_classes = int(x.max()) + 1 if x.size else 0
    elif isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) or num_classes < 1:
        raise ValueError(f"Argument `num_classes` must be a positive integer. Received: num_classes={num_classes!r}")
    if x.size and (x.min() < 0 or x.max() >= num_classes):
        raise ValueError(f"Argument `x` must hold labels in [0, {num_classes}). "
                         f"Received: labels from {x.min()} to {x.max()}")
    return np.eye(num_classes)[x]
