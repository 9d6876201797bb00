"""The optimizer kernels against their NumPy twins: the same bits.

Both compute every float32 operation in the same order and neither uses
fast-math (``exact_kernel``), so no tolerance is needed: any difference is a
different formula. Values come from ``slot_values``: ordinary numbers, and
numbers so small that the update lands among the subnormals, where the flush to
0 must happen identically in both.
"""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tinynet.kernels import NUMBA, NUMPY
from tinynet.kernels.optim import GRAD_FLOOR, SLOT_FLOOR, TINY

from .strategies import dim, slot_values

TWINS = (NUMBA, NUMPY)


def assert_same_bits(got, want):
    for a, b in zip(got, want):
        assert a.dtype == b.dtype == np.float32
        assert np.array_equal(a, b, equal_nan=True), f"{np.count_nonzero(a != b)} entries differ"


def run_both(data, shape, n_arrays, steps, update):
    """``update(ops, g, *arrays)`` for ``steps`` drawn gradients, on the same start
    arrays (p, then the slots) for each backend; returns both final states."""
    start = [data.draw(slot_values(shape)) for _ in range(n_arrays)]
    start[1:] = [np.abs(a) for a in start[1:]]  # slots start >= 0, as v and s always are
    states = [[a.copy() for a in start] for _ in TWINS]
    for _ in range(steps):
        g = data.draw(slot_values(shape))
        for ops, arrays in zip(TWINS, states):
            update(ops, g, *arrays)
    return states


shapes = st.tuples(dim, dim)
betas = st.sampled_from([0.0, 0.5, 0.9, 0.999])


@given(st.data(), shapes, st.integers(1, 4), betas, betas)
def test_adam_update(data, shape, steps, beta_1, beta_2):
    def step(ops, g, p, m, v):
        ops.adam_update(p, g, m, v, 1e-3, beta_1, beta_2, 1e-7)
    assert_same_bits(*run_both(data, shape, 3, steps, step))


@given(st.data(), shapes, st.integers(1, 4), betas)
def test_adam_amsgrad_update(data, shape, steps, beta_1):
    def step(ops, g, p, m, v, v_hat):
        ops.adam_amsgrad_update(p, g, m, v, v_hat, 1e-3, beta_1, 0.999, 1e-7)
    assert_same_bits(*run_both(data, shape, 4, steps, step))


@given(st.data(), shapes, st.integers(1, 4), st.sampled_from([0.0, 0.5, 0.9]), st.booleans())
def test_sgd_update(data, shape, steps, momentum, nesterov):
    def step(ops, g, p, u):
        ops.sgd_update(p, g, u, 0.01, momentum, nesterov)
    assert_same_bits(*run_both(data, shape, 2, steps, step))


# Drawn s and a may give s - a*a < 0 (never in training, where s >= a*a), and
# NumPy warns about the square root of it; the twins must still agree (on NaN).
@pytest.mark.filterwarnings("ignore:invalid value encountered in sqrt")
@given(st.data(), shapes, st.integers(1, 4), betas, st.sampled_from([0.0, 0.5, 0.9]), st.booleans())
def test_rmsprop_update(data, shape, steps, rho, momentum, centered):
    def step(ops, g, p, s, u, a):
        ops.rmsprop_update(p, g, s, u, a, 0.01, rho, momentum, 1e-7, centered)
    assert_same_bits(*run_both(data, shape, 4, steps, step))


@given(st.data(), shapes, st.integers(1, 4), st.sampled_from([1e-7, 1e-3]))
def test_adagrad_update(data, shape, steps, epsilon):
    def step(ops, g, p, acc):
        ops.adagrad_update(p, g, acc, 0.01, epsilon)
    assert_same_bits(*run_both(data, shape, 2, steps, step))


@given(st.data(), shapes, st.sampled_from([0.004, 0.1]), st.sampled_from([1e-3, 0.5]))
def test_weight_decay(data, shape, weight_decay, lr):
    def step(ops, g, p):
        ops.weight_decay(p, weight_decay, lr)
    assert_same_bits(*run_both(data, shape, 1, 2, step))


# The threaded path (more than PARALLEL_MIN_SIZE elements) once per threaded kernel.
@pytest.mark.parametrize("name", ["adam_update", "adam_amsgrad_update", "rmsprop_update", "adagrad_update"])
def test_threaded_kernels_at_a_training_size(name):
    rng = np.random.default_rng(4)
    shape = (784, 128)
    p, g = rng.standard_normal(shape, dtype=np.float32), rng.standard_normal(shape, dtype=np.float32)
    slots = [np.abs(rng.standard_normal(shape, dtype=np.float32)) * 1e-3 for _ in range(3)]
    args = {"adam_update": lambda s: (s[0], s[1], 1e-3, 0.9, 0.999, 1e-7),
            "adam_amsgrad_update": lambda s: (s[0], s[1], s[2], 1e-3, 0.9, 0.999, 1e-7),
            "rmsprop_update": lambda s: (s[0], s[1], s[2], 1e-3, 0.9, 0.9, 1e-7, True),
            "adagrad_update": lambda s: (s[0], 1e-3, 1e-7)}[name]
    states = [[p.copy()] + [s.copy() for s in slots] for _ in TWINS]
    for ops, state in zip(TWINS, states):
        getattr(ops, name)(state[0], g, *args(state[1:]))
    assert_same_bits(*states)


# -- subnormal values are stored as 0 ------------------------------------------------------

# Each case: the kernel's call on (p, slots) with a zero gradient, the slots'
# starting values (just above TINY, the smallest normal float32, so that one
# step takes them below it), and which slots must come out 0.
ZERO_G = np.zeros(4, np.float32)
JUST_NORMAL = TINY * np.float32(1.05)
FLUSH_CASES = {
    "adam m and v": (lambda ops, p, s: ops.adam_update(p, ZERO_G, s[0], s[1], 1e-3, 0.9, 0.999, 1e-7),
                     [JUST_NORMAL, TINY * np.float32(1.0005)]),
    "amsgrad m, v, v_hat": (lambda ops, p, s: ops.adam_amsgrad_update(p, ZERO_G, s[0], s[1], s[2], 1e-3, 0.9,
                                                                     0.999, 1e-7),
                            [JUST_NORMAL, TINY * np.float32(1.0005), np.float32(0)]),
    "sgd velocity": (lambda ops, p, s: ops.sgd_update(p, ZERO_G, s[0], 0.01, 0.9, False), [JUST_NORMAL]),
    "sgd nesterov velocity": (lambda ops, p, s: ops.sgd_update(p, ZERO_G, s[0], 0.01, 0.9, True), [JUST_NORMAL]),
    "rmsprop s, velocity, mean": (lambda ops, p, s: ops.rmsprop_update(p, ZERO_G, s[0], s[1], s[2], 0.01, 0.9, 0.9,
                                                                       1e-7, True),
                                  [JUST_NORMAL, JUST_NORMAL, JUST_NORMAL]),
}


@pytest.mark.parametrize("case", sorted(FLUSH_CASES))
def test_a_slot_that_would_become_subnormal_is_stored_as_zero(case):
    call, starts = FLUSH_CASES[case]
    for ops in TWINS:
        p = np.ones(4, np.float32)
        slots = [np.full(4, s, np.float32) for s in starts]
        call(ops, p, slots)
        for s in slots:
            assert np.array_equal(s, np.zeros(4, np.float32)), f"{case}: {s}"
        assert np.isfinite(p).all()


def test_the_flush_cases_would_be_subnormal_without_it():
    """The starting values above do land among the subnormals after one step
    (here worked out without any flush), so the zeros above are the flush's work."""
    f32 = np.float32
    assert 0 < JUST_NORMAL * f32(0.9) < TINY  # momentum-like decay by 0.9
    assert 0 < JUST_NORMAL + (0 - JUST_NORMAL) * f32(1 - 0.9) < TINY  # Adam's m
    assert 0 < TINY * f32(1.0005) + (0 - TINY * f32(1.0005)) * f32(1 - 0.999) < TINY  # Adam's v


def test_adagrad_accumulator_from_zero_never_holds_a_subnormal():
    g = np.full(4, 1e-20, np.float32)  # g*g = 1e-40: subnormal
    assert 0 < g[0] * g[0] < TINY
    for ops in TWINS:
        p, acc = np.ones(4, np.float32), np.zeros(4, np.float32)
        ops.adagrad_update(p, g, acc, 0.01, 1e-7)
        assert np.array_equal(acc, np.zeros(4, np.float32))


def test_slots_between_the_smallest_normal_and_the_slot_floor_are_stored_as_zero():
    """v = 1e-33 is a normal float32, but v * (1 - beta_2) = 1e-36 and, one decade
    on, subnormal: such a v is stored as 0, and one just above the floor is kept."""
    for ops in TWINS:
        p = np.ones(2, np.float32)
        m = np.array([1e-33, SLOT_FLOOR * 4], np.float32)
        v = np.array([1e-33, SLOT_FLOOR * 4], np.float32)
        ops.adam_update(p, np.zeros(2, np.float32), m, v, 1e-3, 0.9, 0.999, 1e-7)
        assert m[0] == 0 and v[0] == 0 and m[1] > 0 and v[1] > 0


def test_a_gradient_below_the_floor_updates_like_zero_and_is_left_unchanged():
    """g = 1e-20 would make g*g = 1e-40, a subnormal: the update uses 0 instead,
    and the gradient array itself is not written."""
    assert 0 < np.float32(1e-20) ** 2 < TINY and np.float32(1e-20) < GRAD_FLOOR
    g = np.array([1e-20, -1e-17, 1e-12, 0.5], np.float32)
    for ops in TWINS:
        for update in (lambda p, g, s: ops.adam_update(p, g, s[0], s[1], 1e-3, 0.9, 0.999, 1e-7),
                       lambda p, g, s: ops.rmsprop_update(p, g, s[0], s[1], s[2], 0.01, 0.9, 0.0, 1e-7, False),
                       lambda p, g, s: ops.adagrad_update(p, g, s[0], 0.01, 1e-7),
                       lambda p, g, s: ops.sgd_update(p, g, s[0], 0.01, 0.9, False)):
            p, slots, given = np.ones(4, np.float32), [np.zeros(4, np.float32) for _ in range(3)], g.copy()
            update(p, given, slots)
            assert np.array_equal(given, g)
            assert p[0] == 1 and p[1] == 1 and p[3] != 1  # (g[2]'s step is below p's rounding)
            assert all(s[0] == 0 and s[1] == 0 for s in slots) and slots[0][2] != 0


def test_nan_is_kept_not_flushed():
    for ops in TWINS:
        p, m, v = np.ones(3, np.float32), np.zeros(3, np.float32), np.zeros(3, np.float32)
        ops.adam_update(p, np.array([np.nan, 1, 1], np.float32), m, v, 1e-3, 0.9, 0.999, 1e-7)
        assert np.isnan(m[0]) and np.isnan(v[0]) and np.isnan(p[0]) and np.isfinite(p[1:]).all()
