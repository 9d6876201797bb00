"""Worked solutions of lesson 1's exercises."""
import numpy as np


def normalise(images):
    return images.astype(np.float32) / np.float32(255)


def confusion_matrix(y_true, y_pred, classes=10):
    counts = np.zeros((classes, classes), dtype=np.int64)
    for t, p in zip(y_true, y_pred):  # one count per sample (np.add.at does the same without a loop)
        counts[t, p] += 1
    return counts


def dead_units(model, x):
    outputs = model.layers[1](x.reshape(len(x), -1))  # (n, units), after the ReLU
    return np.flatnonzero((outputs == 0).all(axis=0)).tolist()
