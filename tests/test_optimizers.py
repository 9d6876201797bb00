"""Each optimizer against its formula, written out here independently in float64,
over steps; the learning rate, its schedules, the config and the state.

Tolerance: tinynet computes in float32, these in float64; a few steps of a few
operations each agree to rtol 1e-5 (float32's epsilon is 1.2e-7), with atol 1e-6
for entries that pass near 0.
"""
import re

import numpy as np
import pytest

from tinynet import optimizers
from tinynet.optimizers import schedules


def adam_by_hand(p, grads, lr=0.001, b1=0.9, b2=0.999, eps=1e-7, amsgrad=False, weight_decay=None):
    """Kingma & Ba with Keras 3's arrangement, in float64; decoupled weight decay first."""
    m = v = v_hat = np.zeros_like(p)
    for t, g in enumerate(grads, start=1):
        if weight_decay is not None:
            p = p - p * weight_decay * lr
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        v_hat = np.maximum(v_hat, v)
        p = p - lr * np.sqrt(1 - b2**t) / (1 - b1**t) * m / (np.sqrt(v_hat if amsgrad else v) + eps)
    return p


def rmsprop_by_hand(p, grads, lr, rho, momentum, eps, centered):
    s = a = u = np.zeros_like(p)
    for g in grads:
        s = rho * s + (1 - rho) * g * g
        a = rho * a + (1 - rho) * g
        step = lr * g / np.sqrt((s - a * a if centered else s) + eps)
        u = momentum * u + step
        p = p - (u if momentum > 0 else step)
    return p


def adagrad_by_hand(p, grads, lr, initial, eps):
    acc = np.full_like(p, initial)
    for g in grads:
        acc = acc + g * g
        p = p - lr * g / np.sqrt(acc + eps)
    return p


def sgd_by_hand(p, grads, lr, momentum, nesterov):
    u = np.zeros_like(p)
    for g in grads:
        u = momentum * u - lr * g
        p = p + (momentum * u - lr * g if nesterov else u)
    return p


@pytest.fixture
def problem():
    rng = np.random.default_rng(5)
    p = rng.standard_normal((7, 3)).astype(np.float32)
    grads = [rng.standard_normal((7, 3)).astype(np.float32) for _ in range(6)]
    return p, grads


def run(optimizer, p, grads):
    p = p.copy()
    for g in grads:
        optimizer.apply([p], [g])
    return p


def test_adam_follows_its_formula(backend_name, problem):
    p, grads = problem
    got = run(optimizers.Adam(learning_rate=0.01), p, grads)
    np.testing.assert_allclose(got, adam_by_hand(p.astype(np.float64), grads, lr=0.01), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("momentum,nesterov", [(0.0, False), (0.9, False), (0.9, True)])
def test_sgd_follows_its_formula(backend_name, problem, momentum, nesterov):
    p, grads = problem
    got = run(optimizers.SGD(0.1, momentum=momentum, nesterov=nesterov), p, grads)
    want = sgd_by_hand(p.astype(np.float64), grads, 0.1, momentum, nesterov)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("amsgrad", [False, True])
def test_adam_and_adamw_follow_their_formula(backend_name, problem, amsgrad):
    p, grads = problem
    p64 = p.astype(np.float64)
    got = run(optimizers.Adam(learning_rate=0.01, amsgrad=amsgrad), p, grads)
    np.testing.assert_allclose(got, adam_by_hand(p64, grads, lr=0.01, amsgrad=amsgrad), rtol=1e-5, atol=1e-6)
    got = run(optimizers.AdamW(learning_rate=0.01, weight_decay=0.1, amsgrad=amsgrad), p, grads)
    want = adam_by_hand(p64, grads, lr=0.01, amsgrad=amsgrad, weight_decay=0.1)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("rho,momentum,centered", [(0.9, 0.0, False), (0.9, 0.9, False), (0.8, 0.0, True),
                                                   (0.9, 0.5, True)])
def test_rmsprop_follows_its_formula(backend_name, problem, rho, momentum, centered):
    p, grads = problem
    got = run(optimizers.RMSprop(0.01, rho=rho, momentum=momentum, centered=centered), p, grads)
    want = rmsprop_by_hand(p.astype(np.float64), grads, 0.01, rho, momentum, 1e-7, centered)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("initial", [0.1, 0.0])
def test_adagrad_follows_its_formula(backend_name, problem, initial):
    p, grads = problem
    got = run(optimizers.Adagrad(0.1, initial_accumulator_value=initial), p, grads)
    want = adagrad_by_hand(p.astype(np.float64), grads, 0.1, initial, 1e-7)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_weight_decay_is_the_same_for_every_optimizer(backend_name, problem):
    """As in Keras' base optimizer: p <- p - p * wd * lr, then the optimizer's own step."""
    p, grads = problem
    got = run(optimizers.SGD(0.1, momentum=0.9, weight_decay=0.05), p, grads)
    want, u = p.astype(np.float64), 0.0
    for g in grads:
        want = want - want * 0.05 * 0.1
        u = 0.9 * u - 0.1 * g
        want = want + u
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_a_schedule_is_asked_at_the_step_count_before_the_step(backend_name, problem):
    """The first update uses lr(0), the k-th lr(k - 1), as Keras; ``learning_rate``
    reads the rate the next step will use."""
    p, grads = problem
    schedule = schedules.PiecewiseConstantDecay([0, 2], [0.1, 0.01, 0.001])
    opt = optimizers.SGD(learning_rate=schedule)
    rates = []
    for g in grads:
        rates.append(opt.learning_rate)
        opt.apply([p.copy()], [g])
    assert rates == [float(np.float32(r)) for r in [0.1, 0.01, 0.01, 0.001, 0.001, 0.001]]
    assert opt.learning_rate == float(np.float32(0.001)) and opt.iterations == len(grads)
    got = run(optimizers.SGD(learning_rate=schedule), p, grads)
    want = p.astype(np.float64) - sum(r * g for r, g in zip(rates, grads))
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_learning_rate_reads_and_assigns_like_a_keras_variable():
    opt = optimizers.Adam()
    assert opt.learning_rate == float(np.float32(0.001))  # kept in float32, as Keras does
    opt.learning_rate = 0.01  # as LearningRateScheduler and ReduceLROnPlateau do
    assert opt.learning_rate == float(np.float32(0.01))
    assert opt.get_config()["learning_rate"] == opt.learning_rate
    schedule = schedules.ExponentialDecay(0.1, 10, 0.5)
    opt.learning_rate = schedule  # a schedule may replace a number ...
    assert opt.get_config()["learning_rate"] == schedules.serialize(schedule)
    with pytest.raises(TypeError, match="LearningRateSchedule"):  # ... but not the other way, as in Keras
        opt.learning_rate = 0.01
    assert opt.learning_rate == float(np.float32(0.1))


@pytest.mark.parametrize("clip", [{"clipnorm": 0.5}, {"global_clipnorm": 0.5}, {"clipvalue": 0.05}])
def test_clipping_limits_the_gradient_and_leaves_the_layers_own_alone(backend_name, problem, clip):
    p, grads = problem
    w, b = p.copy(), p[0].copy()
    gw, gb = grads[0].copy(), grads[1][0].copy()
    optimizers.SGD(1.0, **clip).apply([w, b], [gw, gb])
    np.testing.assert_array_equal(gw, grads[0])  # the gradients passed in are not changed
    step_w, step_b = p - w, p[0] - b  # with lr 1 and no momentum, the step is the clipped gradient
    if "clipnorm" in clip:
        for step, g in ((step_w, gw), (step_b, gb)):
            np.testing.assert_allclose(step, g * 0.5 / np.linalg.norm(g), rtol=1e-5)
    elif "global_clipnorm" in clip:
        norm = np.sqrt(np.sum(gw.astype(np.float64) ** 2) + np.sum(gb.astype(np.float64) ** 2))
        np.testing.assert_allclose(step_w, gw * 0.5 / norm, rtol=1e-5)
        np.testing.assert_allclose(step_b, gb * 0.5 / norm, rtol=1e-5)
    else:
        np.testing.assert_allclose(step_w, np.clip(gw, -0.05, 0.05), rtol=1e-5)
        np.testing.assert_allclose(step_b, np.clip(gb, -0.05, 0.05), rtol=1e-5)


ALL = [lambda: optimizers.SGD(0.05, momentum=0.9, nesterov=True, weight_decay=0.01),
       lambda: optimizers.Adam(0.002, beta_1=0.8, amsgrad=True, clipnorm=1.0),
       lambda: optimizers.AdamW(schedules.CosineDecay(0.0, 100, warmup_target=0.01, warmup_steps=10)),
       lambda: optimizers.RMSprop(schedules.PiecewiseConstantDecay([10, 20], [0.01, 0.005, 0.001]), rho=0.8,
                                  momentum=0.5, centered=True, global_clipnorm=2.0),
       lambda: optimizers.Adagrad(schedules.InverseTimeDecay(0.1, 5, 0.5, staircase=True),
                                  initial_accumulator_value=0.2, clipvalue=0.5, name="my_adagrad"),
       lambda: optimizers.SGD(schedules.ExponentialDecay(0.1, 3, 0.5, staircase=True))]


@pytest.mark.parametrize("make", ALL)
def test_config_rebuilds_the_same_optimizer(make, problem):
    opt = make()
    config = opt.get_config()
    again = type(opt).from_config(config)
    assert again.get_config() == config and again is not opt
    via_dict = optimizers.deserialize(optimizers.serialize(opt))
    assert type(via_dict) is type(opt) and via_dict.get_config() == config
    assert type(optimizers.get(optimizers.serialize(opt))) is type(opt)
    assert type(getattr(optimizers, type(opt).__name__)(**{**config, "learning_rate": 0.01})) is type(opt)
    p, grads = problem  # and the rebuilt one steps exactly as the original
    np.testing.assert_array_equal(run(opt, p, grads), run(again, p, grads))


def test_configs_have_keras_keys():
    common = ["name", "learning_rate", "weight_decay", "clipnorm", "global_clipnorm", "clipvalue", "use_ema",
              "ema_momentum", "ema_overwrite_frequency", "loss_scale_factor", "gradient_accumulation_steps"]
    own = {"SGD": ["momentum", "nesterov"], "Adam": ["beta_1", "beta_2", "epsilon", "amsgrad"],
           "AdamW": ["beta_1", "beta_2", "epsilon", "amsgrad"], "RMSprop": ["rho", "momentum", "epsilon", "centered"],
           "Adagrad": ["initial_accumulator_value", "epsilon"]}
    for name, keys in own.items():
        assert list(getattr(optimizers, name)().get_config()) == common + keys


def test_default_names_follow_keras():
    # 'rm_sprop', then 'rm_sprop_1', ...: the suffix depends on how many came before.
    assert re.fullmatch(r"rm_sprop(_\d+)?", optimizers.RMSprop().name)
    assert re.fullmatch(r"adam_w(_\d+)?", optimizers.AdamW().name)
    assert re.fullmatch(r"adagrad(_\d+)?", optimizers.Adagrad().name)
    assert optimizers.Adam(name="first").name == "first"


@pytest.mark.parametrize("make,slots_per_param", [
    (lambda: optimizers.SGD(), 0), (lambda: optimizers.SGD(momentum=0.9), 1), (lambda: optimizers.Adam(), 2),
    (lambda: optimizers.Adam(amsgrad=True), 3), (lambda: optimizers.AdamW(), 2), (lambda: optimizers.Adagrad(), 1),
    (lambda: optimizers.RMSprop(), 1), (lambda: optimizers.RMSprop(momentum=0.9, centered=True), 3)])
def test_variables_are_the_step_count_then_the_slots(make, slots_per_param, problem):
    p, grads = problem
    params = [p.copy(), p[0].copy()]
    opt = make()
    for g in grads[:3]:
        opt.apply(params, [g, g[0]])
    variables = opt.variables()
    assert int(variables[0]) == 3 and len(variables) == 1 + slots_per_param * len(params)
    assert [v.shape for v in variables[1:]] == [a.shape for a in params] * slots_per_param


def test_adam_counts_steps_and_keeps_state(problem):
    p, grads = problem
    opt = optimizers.Adam()
    run(opt, p, grads)
    assert opt.iterations == len(grads)
    assert len(opt.variables()) == 3  # step count, m, v


@pytest.mark.parametrize("name,cls", [("adam", "Adam"), ("sgd", "SGD"), ("rmsprop", "RMSprop"),
                                      ("adagrad", "Adagrad"), ("adamw", "AdamW"), ("RMSprop", "RMSprop")])
def test_names_resolve_as_in_keras(name, cls):
    assert type(optimizers.get(name)) is getattr(optimizers, cls)


def test_unknown_names_list_the_choices():
    with pytest.raises(ValueError, match=r"Expected one of \['adagrad', 'adam', 'adamw', 'rmsprop', 'sgd'\]. "
                                         r"Received: optimizer='nadam'"):
        optimizers.get("nadam")


@pytest.mark.parametrize("kwargs", [{"learning_rate": -1e-9}, {"learning_rate": -1.0}, {"beta_1": 1.0},
                                    {"epsilon": float("nan")}, {"learning_rate": "fast"}])
def test_bad_hyperparameters_are_named(kwargs):
    name = next(iter(kwargs))
    with pytest.raises(ValueError, match=f"`{name}`"):
        optimizers.Adam(**kwargs)


def test_keras_2_decay_argument_is_ignored_with_a_warning_as_in_keras_3():
    with pytest.warns(UserWarning, match="`decay` is no longer supported"):
        opt = optimizers.SGD(0.1, decay=1e-4)
    assert "decay" not in opt.get_config()
