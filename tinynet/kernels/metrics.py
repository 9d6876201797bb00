"""Counting correct predictions: the predicted class is the largest score of a row.

scores (n, c), labels (n,) integers -> number of rows with argmax(scores) == label.
Ties go to the first maximum, as ``np.argmax`` does.
"""
import numpy as np

from ._jit import kernel


def count_correct_numpy(scores, labels):
    return int(np.count_nonzero(scores.argmax(axis=1) == labels))


@kernel
def count_correct_numba(scores, labels):
    """Optimisations: one pass over each row, no temporary array of predictions."""
    correct = 0
    for r in range(scores.shape[0]):
        row = scores[r]
        best = 0
        for j in range(1, row.shape[0]):
            if row[j] > row[best]:
                best = j
        if best == labels[r]:
            correct += 1
    return correct
