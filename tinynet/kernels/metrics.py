"""What the training loop reports after each batch.

count_correct   scores (n, c), labels (n,) integers -> number of rows whose largest
                score is at the label (ties go to the first maximum, as np.argmax).
                Shapes that do not fit raise ValueError (before any row is read).
mean            values (n,) -> their mean, summed in float32 as Keras does (so a
                sum that overflows is inf, and training stops on it); a NaN or
                inf among the values passes through, silently.
all_finite      any array -> True when it holds no NaN and no inf.
"""
import numpy as np

from ._jit import kernel


def count_correct_numpy(scores, labels):
    if labels.shape[0] != scores.shape[0]:
        raise ValueError("count_correct: labels (n,) must have one entry per row of scores (n, c)")
    if scores.shape[1] == 0 and scores.shape[0] > 0:
        raise ValueError("count_correct: scores must have at least one column")
    return int(np.count_nonzero(scores.argmax(axis=1) == labels))


@kernel
def count_correct_numba(scores, labels):
    """Optimisations: one pass over each row, no temporary array of predictions."""
    if labels.shape[0] != scores.shape[0]:
        raise ValueError("count_correct: labels (n,) must have one entry per row of scores (n, c)")
    if scores.shape[1] == 0 and scores.shape[0] > 0:
        raise ValueError("count_correct: scores must have at least one column")
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


def mean_numpy(values):
    with np.errstate(over="ignore", invalid="ignore"):  # an inf is the answer, not an accident
        return np.mean(values, dtype=np.float32)


@kernel
def mean_numba(values):
    """Optimisations: one pass, and no warnings machinery (NumPy's ``errstate``,
    needed around ``mean`` for a loss that overflows, costs more than the sum
    itself at a batch's size)."""
    total = np.float32(0.0)
    for i in range(values.shape[0]):
        total += values[i]
    return total / np.float32(values.shape[0])


def all_finite_numpy(a):
    """A sum is NaN or inf whenever an entry is, so one float64 sum (no temporary
    as big as ``a``) decides; only a sum that overflows on finite entries needs
    the entry-by-entry check."""
    with np.errstate(over="ignore"):  # the overflow is the case handled next
        if np.isfinite(np.sum(a, dtype=np.float64)):
            return True
    return bool(np.isfinite(a).all())


@kernel
def all_finite_numba(a):
    """0 * v is 0 for a finite v and NaN for NaN or +-inf, so the sum of 0 * v
    over ``a`` is 0 exactly when every entry is finite.

    Optimisations: one pass that vectorises (no early exit, which would keep
    the loop scalar); none of the flags in ``_jit`` lets LLVM fold 0 * v to 0.
    A non-contiguous view is copied flat first."""
    flat = a.ravel()
    acc = 0.0
    for i in range(flat.shape[0]):
        acc += flat[i] * 0
    return acc == 0
