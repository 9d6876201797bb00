"""Hypothesis strategies shared by the tests: shapes, arrays and views of them."""
import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

small_dim = st.integers(1, 9)
dim = st.integers(1, 40)


def floats32(shape, low=-4.0, high=4.0):
    return hnp.arrays(np.float32, shape, elements=st.floats(low, high, width=32))


# How ``matrix`` lays an array out in memory: contiguous, a transposed copy's .T
# (Fortran order), or every second column of a wider array (neither).
layouts = st.sampled_from(["c", "transposed", "strided"])


@st.composite
def matrix(draw, rows, cols, low=-4.0, high=4.0, allow_views=True, kind=None):
    """A float32 (rows, cols) array, sometimes as a non-contiguous view: in the
    layout ``kind`` (one of ``layouts``), or in one drawn here.

    Numba compiles a kernel again for each combination of its arguments' layouts
    (C, F or any): a product's three arrays drawn apart make up to 27 versions,
    each compiled again whenever the tests run on an empty cache. The
    kernel tests therefore draw one layout per example for all their arrays
    (``kind=data.draw(layouts)``): every argument still meets every layout."""
    if kind is None:
        kind = draw(layouts) if allow_views else "c"
    if kind == "transposed":
        return draw(floats32((cols, rows), low, high)).T
    if kind == "strided":
        return draw(floats32((rows, 2 * cols), low, high))[:, ::2]
    return draw(floats32((rows, cols), low, high))


@st.composite
def with_zero_columns(draw, a):
    """``a`` (a copy) with some of its columns set to 0, like the blank border
    pixels of an image: the matmul kernels skip 4x4 blocks that are all zero."""
    keep = np.array(draw(st.lists(st.booleans(), min_size=a.shape[1], max_size=a.shape[1])))
    return a * keep.astype(np.float32)


def float64_array(shape, low=-2.0, high=2.0):
    """float64 values on a grid of 1/256 steps in [low, high].

    For gradient checks: a value like 1e-100 is legal but makes the true gradient
    smaller than the rounding noise of a central difference (~1e-10), so no check
    could pass or fail on it. On the grid every value is 0 or at least 1/256.
    """
    steps = st.integers(int(np.ceil(low * 256)), int(np.floor(high * 256)))
    return hnp.arrays(np.float64, shape, elements=steps.map(lambda k: k / 256))


def labels(n, classes):
    return hnp.arrays(np.int64, (n,), elements=st.integers(0, classes - 1))


def slot_values(shape):
    """float32 arrays mixing ordinary values with ones near and below the smallest
    normal float32 (~1.2e-38), where the optimizers store subnormal slots as 0."""
    ordinary = st.floats(-4.0, 4.0, width=32)
    limit = float(np.float32(1e-37))  # a bound hypothesis accepts must be a float32 exactly
    tiny = st.floats(-limit, limit, width=32)  # subnormals, zeros, and normals just above them
    return hnp.arrays(np.float32, shape, elements=st.one_of(ordinary, tiny))


@st.composite
def window_case(draw, max_kernel=4, dilation=True):
    """One sliding-window layer's geometry: (n, h, w, c), kernel (kh, kw), strides,
    dilation and pads (top, bottom, left, right), drawn so that at least one window
    fits. Odd and even sizes, strides 1-3, 'valid' and 'same' padding, dilation up
    to 3, 1x1 kernels, batches of 1, one channel or three."""
    from tinynet.kernels.windows import output_size, padding_for

    n = draw(st.integers(1, 3))
    c = draw(st.sampled_from([1, 2, 3]))
    kernel = (draw(st.integers(1, max_kernel)), draw(st.integers(1, max_kernel)))
    strides = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    rates = (draw(st.integers(1, 3)), draw(st.integers(1, 3))) if dilation else (1, 1)
    padding = draw(st.sampled_from(["valid", "same"]))
    spans = [(k - 1) * d + 1 for k, d in zip(kernel, rates)]
    size = [draw(st.integers(spans[0] if padding == "valid" else 1, spans[0] + 8)),
            draw(st.integers(spans[1] if padding == "valid" else 1, spans[1] + 8))]
    pads = sum((padding_for(size[i], kernel[i], strides[i], rates[i], padding) for i in range(2)), ())
    assert all(output_size(size[i], kernel[i], strides[i], rates[i], pads[2 * i], pads[2 * i + 1]) >= 1
               for i in range(2))
    return (n, size[0], size[1], c), kernel, strides, rates, pads
