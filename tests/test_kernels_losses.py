"""The kernels of the losses and activations, Numba against NumPy twin: sigmoid
+ binary cross-entropy and erfc; and every cross-entropy kernel's own check of
its shapes and labels, in both backends.

Tolerances as in tests/test_kernels.py (relative 1e-5 of what was added up).
"""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tinynet.kernels import NUMBA, NUMPY

from .strategies import dim, matrix
from .test_kernels import assert_close


@given(st.data(), dim, st.integers(1, 12), st.sampled_from([1.0, 30.0, 1e4]), st.booleans())
def test_sigmoid_crossentropy(data, n, c, spread, soft):
    logits = data.draw(matrix(n, c, -spread, spread))
    targets = data.draw(matrix(n, c, 0.0, 1.0))
    if not soft:
        targets = (targets > 0.5).astype(np.float32)
    losses, grad = NUMBA.sigmoid_crossentropy(logits, targets)
    want_losses, want_grad = NUMPY.sigmoid_crossentropy(logits, targets)
    assert np.isfinite(losses).all() and np.isfinite(grad).all()
    # Both work in float64 and round once: the losses agree to float32 rounding of
    # the sum of |terms| (each term at most |z| + log 2); the gradient's entries are
    # at most 1 / (n c) each.
    term_scale = (np.abs(logits) + 1).mean(axis=1)
    assert_close(losses, want_losses, term_scale)
    assert_close(grad, want_grad, np.full(grad.shape, 1.0 / (n * c)))


def test_sigmoid_crossentropy_at_extreme_logits():
    z = np.array([[1e4, -1e4, 1e4, -1e4, 0.0]], np.float32)
    t = np.array([[1.0, 0.0, 0.0, 1.0, 1.0]], np.float32)
    for ops in (NUMBA, NUMPY):
        losses, grad = ops.sigmoid_crossentropy(z, t)
        # right answers cost 0, wrong ones |z| each, z = 0 costs log 2; mean over 5 outputs
        assert losses[0] == np.float32((2e4 + np.log(2)) / 5)
        np.testing.assert_array_equal(grad, np.float32([[0, 0, 0.2, -0.2, -0.1]]))


@given(st.data(), dim, dim, st.sampled_from([1.0, 5.0, 30.0]))
def test_erfc(data, r, c, spread):
    x = data.draw(matrix(r, c, -spread, spread))
    got, want = NUMBA.erfc(x), NUMPY.erfc(x)
    assert got.shape == x.shape
    # erfc values range over many orders of magnitude; each is rounded once.
    assert_close(got, want, np.abs(want) + 1e-30)


@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=3), elements=st.floats(-6, 6)))
def test_erfc_any_rank_in_float64(x):
    got, want = NUMBA.erfc(x), NUMPY.erfc(x)
    assert got.dtype == want.dtype == np.float64 and got.shape == x.shape
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=0)


Z = np.zeros((4, 3), np.float32)
MISFITS = [
    ("softmax_crossentropy", (Z, np.array([0, 1, 2])), "one entry per row"),
    ("softmax_crossentropy", (Z, np.array([0, 1, 2, 3])), "[0, c)"),
    ("softmax_crossentropy", (Z, np.array([0, 1, -1, 2])), "[0, c)"),
    ("softmax_crossentropy", (np.zeros((2, 0), np.float32), np.array([0, 0])), "at least one column"),
    ("softmax_crossentropy_onehot", (Z, np.zeros((4, 2), np.float32)), "shape of logits"),
    ("softmax_crossentropy_onehot", (Z, np.zeros((3, 3), np.float32)), "shape of logits"),
    ("sigmoid_crossentropy", (Z, np.zeros((4, 2), np.float32)), "shape of logits"),
    ("sigmoid_crossentropy", (Z, np.zeros((5, 3), np.float32)), "shape of logits"),
    ("softmax", (np.zeros((3, 0), np.float32),), "at least one column"),
    ("count_correct", (Z, np.array([0, 1])), "one entry per row"),
]


@pytest.mark.parametrize("kernel,args,words", MISFITS, ids=[f"{m[0]}-{i}" for i, m in enumerate(MISFITS)])
@pytest.mark.parametrize("ops", [NUMBA, NUMPY], ids=["numba", "numpy"])
def test_kernels_refuse_shapes_that_do_not_fit(ops, kernel, args, words):
    """Never a read past an array's end: a ValueError, raised by the kernel itself."""
    with pytest.raises(ValueError, match=words.replace("[", r"\[").replace(")", r"\)")):
        getattr(ops, kernel)(*args)
