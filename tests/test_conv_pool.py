"""A Conv2D and the MaxPooling2D after it, fused (tinynet.kernels.conv_pool,
tinynet.models.fusion): the same numbers as the two layers one after the other."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinynet
from tinynet.kernels import NUMBA, NUMPY, implicit, tiles
from tinynet.kernels.conv import conv2d_workspace
from tinynet.kernels.conv_pool import conv2d_pool_workspace
from tinynet.kernels.windows import im2col_numpy, output_size, padding_for
from tinynet.layers import AveragePooling2D, Conv2D, Dense, Flatten, Input, MaxPooling2D
from tinynet.models import Sequential, fusion

from .helpers import bounds_checked_run_only_unless
from .strategies import floats32, window_case


def pool_geometry(draw, size):
    """A max pooling that fits an image of ``size`` (rows, columns): pool, strides, pads."""
    padding = draw(st.sampled_from(["valid", "same"]))
    pool = tuple(draw(st.integers(1, 3 if padding == "same" else min(3, s))) for s in size)
    strides = tuple(draw(st.integers(1, 3)) for _ in size)
    pads = sum((padding_for(size[i], pool[i], strides[i], 1, padding) for i in range(2)), ())
    return pool, strides, pads


def draw_conv2d(data, case, filters):
    """x (about half of it zeros, as after a ReLU), w and b for the geometry
    ``case`` (``window_case``), and the (rows, columns) of the Conv2D's output."""
    shape, kernel, strides, rates, pads = case
    x = data.draw(floats32(shape)) * (data.draw(floats32(shape, 0, 1)) > 0.5)
    w = data.draw(floats32(kernel + (shape[3], filters)))
    b = data.draw(floats32((filters,)))
    conv_size = [output_size(shape[1 + i], kernel[i], strides[i], rates[i], pads[2 * i], pads[2 * i + 1])
                 for i in range(2)]
    return x, w, b, conv_size


def apart(table, x, w, b, dy_of, conv_args, relu, pool_args, need_dx):
    """The two kernels in turn: (y, argmax, dW, db, dX)."""
    work = conv2d_workspace(x.shape, w.shape, *conv_args)
    z = table.conv2d_forward(x, w, b, *conv_args, relu, work)
    y, argmax = table.max_pool_forward(z, *pool_args)
    dz = table.max_pool_backward(dy_of(y), argmax, z.shape[1:3], *pool_args)
    dw, db = np.empty_like(w), np.empty_like(b)
    dx = table.conv2d_backward(x, w, z, np.ascontiguousarray(dz), *conv_args, relu, need_dx, dw, db, work)
    return y, argmax, dw, db, dx


def fused(table, x, w, b, dy_of, conv_args, relu, pool_args, need_dx):
    work = conv2d_pool_workspace(x.shape, w.shape, *conv_args, *pool_args)
    y, argmax = table.conv2d_pool_forward(x, w, b, *conv_args, relu, *pool_args, work)
    dw, db = np.full_like(w, np.nan), np.full_like(b, np.nan)   # a gradient left unfilled shows
    dx = table.conv2d_pool_backward(x, w, y, dy_of(y), argmax, *conv_args, relu, need_dx, dw, db, work)
    return y, argmax, dw, db, dx


@pytest.mark.parametrize("table", [NUMBA, NUMPY], ids=["numba", "numpy"])
@given(data=st.data(), case=window_case(), filters=st.integers(1, 5), relu=st.booleans(), need_dx=st.booleans())
def test_fused_kernels_give_the_bits_of_the_two_kernels_in_turn(table, data, case, filters, relu, need_dx):
    x, w, b, conv_size = draw_conv2d(data, case, filters)
    strides, rates, pads = case[2:]
    pool_args = pool_geometry(data.draw, conv_size)
    dys = {}

    def dy_of(y):  # the same dY for both runs, drawn once y's shape is known
        if y.shape not in dys:
            dys[y.shape] = data.draw(floats32(y.shape))
        return dys[y.shape]

    want = apart(table, x, w, b, dy_of, (strides, rates, pads), relu, pool_args, need_dx)
    got = fused(table, x, w, b, dy_of, (strides, rates, pads), relu, pool_args, need_dx)
    for name, g, expected in zip(["y", "argmax", "dW", "db", "dX"], got, want):
        if expected is None:
            assert g is None, name
        else:
            assert g.dtype == expected.dtype and np.array_equal(g, expected), name


@bounds_checked_run_only_unless(implicit.IN_USE)
@given(data=st.data(), case=window_case(), filters=st.sampled_from([1, 5, 32, 40]))
def test_the_product_read_from_the_image_gives_the_bits_of_the_product_of_its_im2col(data, case, filters):
    """implicit.gather_product (AVX-512's tile; on other CPUs in the bounds-checked run) against the
    same tile's loop on a copied im2col (tiles.nn_8x32): Z = cols @ W2, and dW =
    cols.T @ dZ with the two lists swapped."""
    shape, kernel, strides, rates, pads = case
    x = data.draw(floats32(shape[1:])) * (data.draw(floats32(shape[1:], 0, 1)) > 0.5)
    w2 = data.draw(floats32((kernel[0] * kernel[1] * shape[3], filters)))
    cols = im2col_numpy(x[None], kernel, strides, rates, pads)[0]
    oh, ow = cols.shape[:2]
    cols = cols.reshape(oh * ow, -1)
    xf = np.pad(x, ((pads[0], pads[1]), (pads[2], pads[3]), (0, 0))).reshape(-1)
    wp = shape[2] + pads[2] + pads[3]
    grid = np.indices((oh, ow)).reshape(2, -1)
    bases = implicit.pixel_bases(grid[0], grid[1], strides, wp, shape[3])
    taps = implicit.tap_offsets(*kernel, shape[3], wp, rates, cols.shape[1])
    m = implicit.whole_tiles(oh * ow)
    rows = np.zeros(m, np.uint64)
    rows[:oh * ow] = bases
    z, want = np.empty((m, filters), np.float32), np.empty((oh * ow, filters), np.float32)
    implicit.gather_product(xf, rows, taps, w2, z, False)
    tiles.nn_8x32(cols, w2, want, False)
    assert np.array_equal(z[:oh * ow], want)
    dz = data.draw(floats32((oh * ow, filters)))
    k = implicit.whole_tiles(cols.shape[1])
    dw, want = np.ones((k, filters), np.float32), np.ones((cols.shape[1], filters), np.float32)
    implicit.gather_product(xf, implicit.tap_offsets(*kernel, shape[3], wp, rates, k), bases, dz, dw, True)
    tiles.nn_8x32(np.ascontiguousarray(cols.T), dz, want, True)
    assert np.array_equal(dw[:cols.shape[1]], want)


@pytest.mark.skipif(not implicit.IN_USE, reason="fused kernels read the image on AVX-512 only (implicit.IN_USE)")
@given(data=st.data(), case=window_case(), filters=st.sampled_from([1, 5, 16, 17, 32, 40]), relu=st.booleans(),
       need_dx=st.booleans())
def test_fused_kernels_when_the_pools_tile_z(data, case, filters, relu, need_dx):
    """Pools whose windows tile Z (strides = pool size, 'valid') take the fused
    kernels' own path (im2col read from the image); filters to fill whole tiles
    of 16 and 32 columns and to leave some over."""
    x, w, b, conv_size = draw_conv2d(data, case, filters)
    strides, rates, pads = case[2:]
    pool = tuple(data.draw(st.integers(1, min(3, s))) for s in conv_size)
    dy = {}
    args = (NUMBA, x, w, b, lambda y: dy.setdefault(y.shape, data.draw(floats32(y.shape))),
            (strides, rates, pads), relu, (pool, pool, (0, 0, 0, 0)), need_dx)
    want, got = apart(*args), fused(*args)
    for name, g, expected in zip(["y", "argmax", "dW", "db", "dX"], got, want):
        assert (g is None and expected is None) or np.array_equal(g, expected), name


def test_fused_kernels_at_the_convnet_shapes_in_several_pieces():
    """The MNIST convnet's second layer, a batch big enough to be cut into pieces (which
    threads share; hypothesis' batches are too small to be cut)."""
    rng = np.random.default_rng(3)
    x = rng.random((16, 13, 13, 32), dtype=np.float32)
    x[x < 0.5] = 0
    w = rng.standard_normal((3, 3, 32, 64), dtype=np.float32)
    b = rng.standard_normal(64, dtype=np.float32)
    dy = rng.standard_normal((16, 5, 5, 64), dtype=np.float32)
    args = (NUMBA, x, w, b, lambda y: dy, ((1, 1), (1, 1), (0, 0, 0, 0)), True, ((2, 2), (2, 2), (0, 0, 0, 0)), True)
    for g, expected in zip(fused(*args), apart(*args)):
        assert np.array_equal(g, expected)


def small_convnet(conv_activation="relu", pooling=MaxPooling2D):
    tinynet.utils.set_random_seed(2)
    return Sequential([Input((9, 9, 2)), Conv2D(4, 3, activation=conv_activation), pooling(2),
                       Conv2D(3, 2, padding="same"), MaxPooling2D(2, padding="same"), Flatten(),
                       Dense(3, activation="softmax")])


def test_fusion_pairs_a_conv2d_with_relu_or_none_and_the_max_pooling_after_it():
    model = small_convnet()
    steps = fusion.steps(model.layers)
    assert [type(s).__name__ for s in steps] == ["ConvPool", "ConvPool", "Flatten", "Dense"]
    assert [type(s).__name__ for s in fusion.steps(small_convnet("tanh").layers)] == \
        ["Conv2D", "MaxPooling2D", "ConvPool", "Flatten", "Dense"]
    assert [type(s).__name__ for s in fusion.steps(small_convnet(pooling=AveragePooling2D).layers)] == \
        ["Conv2D", "AveragePooling2D", "ConvPool", "Flatten", "Dense"]


def test_a_model_step_fused_gives_the_layers_own_numbers(backend_name):
    """compute_gradients (fused) against each layer's own call and backward."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((5, 9, 9, 2)).astype(np.float32)
    y = tinynet.utils.to_categorical(rng.integers(0, 3, 5), 3)
    model = small_convnet()
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    model.needs_input_grad = True
    _, out = model.compute_gradients(x, y)
    fused_grads = [g.copy() for g in model.gradients()]
    fused_dx = model.backward_from_logits(model.loss.from_logits_and_grad(y, model.logits)[1])
    h = x
    for layer in model.layers:
        h = layer.call(h, training=True)
    assert np.array_equal(h, out)
    d = model.layers[-1].backward_from_logits(model.loss.from_logits_and_grad(y, model.logits)[1])
    for layer in reversed(model.layers[:-1]):
        d = layer.backward(d)
    for g, expected in zip(fused_grads, model.gradients()):
        assert np.array_equal(g, expected)
    assert fused_dx.shape == x.shape and np.array_equal(fused_dx, d)


def test_a_fused_step_takes_a_view_of_its_images(backend_name):
    """Images that are a view (flipped left to right, not contiguous) give the
    numbers of their contiguous copy: forward, gradients and dX."""
    rng = np.random.default_rng(1)
    x = rng.standard_normal((5, 9, 9, 2)).astype(np.float32)[:, :, ::-1]
    y = tinynet.utils.to_categorical(rng.integers(0, 3, 5), 3)
    results = []
    for images in (x, np.ascontiguousarray(x)):
        model = small_convnet()
        model.compile(optimizer="adam", loss="categorical_crossentropy")
        model.needs_input_grad = True
        _, out = model.compute_gradients(images, y)
        dx = model.backward_from_logits(model.loss.from_logits_and_grad(y, model.logits)[1])
        results.append([out, dx] + [g.copy() for g in model.gradients()])
    for got, want in zip(*results):
        assert np.array_equal(got, want)


def test_a_conv2d_that_ran_fused_says_so_when_asked_for_its_own_backward_pass():
    model = small_convnet()
    model(np.zeros((2, 9, 9, 2), np.float32))
    with pytest.raises(RuntimeError, match="conv2d.*fused with the MaxPooling2D"):
        model.layers[0].backward(np.zeros((2, 7, 7, 4), np.float32))


def test_no_fusion_when_compiled_with_jit_compile_false_or_a_layer_is_wrapped():
    model = small_convnet()
    model.compile(optimizer="adam", loss="categorical_crossentropy", jit_compile=False)
    assert model._steps(model.layers) == model.layers      # each layer's own call and backward
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    assert type(model._steps(model.layers)[0]).__name__ == "ConvPool"
    model.layers[1].call = lambda x, training=False: x      # a hook on one instance
    assert model._steps(model.layers)[:2] == model.layers[:2]


def test_trace_step_records_both_layers_of_a_pair_that_fit_would_fuse():
    model = small_convnet()
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    rng = np.random.default_rng(1)
    x = rng.standard_normal((4, 9, 9, 2)).astype(np.float32)
    y = tinynet.utils.to_categorical([0, 1, 2, 0], 3)
    trace = tinynet.utils.trace_step(model, x, y, check_entries=2)
    conv, pool = trace.layers[0], trace.layers[1]
    assert conv.y.shape == (4, 7, 7, 4) and pool.x.shape == (4, 7, 7, 4) and pool.dy.shape == (4, 3, 3, 4)
    assert conv.dy.shape == conv.y.shape and np.array_equal(conv.dy, pool.dx)
    assert all(p.check < 1e-6 for p in trace.params)
    assert f"{model.layers[0].name} (Conv2D)" in trace.table()


def test_a_fused_backward_after_the_layers_own_calls_goes_back_through_that_pass():
    """The layers called one by one after a fused pass (as trace_step's check does):
    the model's backward must use that last pass's y, not the fused pass's."""
    rng = np.random.default_rng(5)
    x1, x2 = (rng.standard_normal((3, 9, 9, 2)).astype(np.float32) for _ in range(2))
    model = small_convnet()
    model.needs_input_grad = True
    model(x1)                                   # fused
    h = x2
    for layer in model.layers:                  # each layer on its own, on other images
        h = layer.call(h, training=True)
    dy = rng.standard_normal(h.shape).astype(np.float32)
    fused_dx = model.backward(dy)
    d = dy
    for layer in reversed(model.layers):
        d = layer.backward(d)
    assert np.array_equal(fused_dx, d)


def test_jit_compile_false_reaches_the_models_nested_in_the_compiled_one():
    inner = small_convnet()
    outer = Sequential([Input((9, 9, 2)), inner])
    outer.compile(optimizer="adam", loss="categorical_crossentropy", jit_compile=False)
    outer(np.ones((2, 9, 9, 2), np.float32))
    assert inner.layers[0].a is not None        # the Conv2D ran its own call
