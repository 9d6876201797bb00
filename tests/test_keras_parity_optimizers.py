"""RMSprop, Adagrad, AdamW, AMSGrad, weight decay, clipping and the learning-rate
schedules against real Keras: the fixture group ``optimizers_more``, made by
tests/reference/make_fixtures.py (see test_keras_parity.py for the versions).

Tolerance: relative 1e-5, as the single optimizer steps of test_keras_parity.py.
Eight steps of a few float32 operations each; tinynet does the same operations in
the same order as Keras, and on the machine that made the fixtures the weights
came out bit-equal on both backends. The margin is for the scalar maths
libraries: a schedule's float32 pow or cos may round its last bit differently
(CosineDecay's cos did, at one step: 3e-7 relative), and 8 steps carry that on.
"""
import json
import os

import numpy as np
import pytest

from tinynet import optimizers
from tinynet.optimizers import schedules as S

from .test_keras_parity import assert_matches, fixture

RTOL = 1e-5

# The same optimizers as make_fixtures.optimizer_cases, written for tinynet:
# name -> (make, learning rate assigned after step 3 or None).
CASES = {
    "rmsprop": (lambda: optimizers.RMSprop(learning_rate=0.01), None),
    "rmsprop_momentum": (lambda: optimizers.RMSprop(learning_rate=0.01, momentum=0.9), None),
    "rmsprop_centered": (lambda: optimizers.RMSprop(learning_rate=0.01, rho=0.8, centered=True), None),
    "rmsprop_centered_momentum": (lambda: optimizers.RMSprop(learning_rate=0.01, momentum=0.5, centered=True), None),
    "adagrad": (lambda: optimizers.Adagrad(learning_rate=0.1), None),
    "adagrad_zero_start": (lambda: optimizers.Adagrad(learning_rate=0.1, initial_accumulator_value=0.0,
                                                      epsilon=1e-6), None),
    "adamw": (lambda: optimizers.AdamW(learning_rate=0.01), None),
    "adamw_amsgrad": (lambda: optimizers.AdamW(learning_rate=0.01, weight_decay=0.1, amsgrad=True), None),
    "adam_amsgrad": (lambda: optimizers.Adam(learning_rate=0.01, amsgrad=True), None),
    "sgd_weight_decay": (lambda: optimizers.SGD(learning_rate=0.1, momentum=0.9, weight_decay=0.05), None),
    "rmsprop_weight_decay": (lambda: optimizers.RMSprop(learning_rate=0.01, weight_decay=0.2), None),
    "adam_clipnorm": (lambda: optimizers.Adam(learning_rate=0.01, clipnorm=0.5), None),
    "sgd_clipvalue": (lambda: optimizers.SGD(learning_rate=0.1, clipvalue=0.3), None),
    "sgd_global_clipnorm": (lambda: optimizers.SGD(learning_rate=0.1, global_clipnorm=1.0), None),
    "sgd_exponential": (lambda: optimizers.SGD(learning_rate=S.ExponentialDecay(0.1, 3, 0.5)), None),
    "sgd_exponential_staircase": (lambda: optimizers.SGD(learning_rate=S.ExponentialDecay(0.1, 3, 0.5, staircase=True),
                                                         momentum=0.9), None),
    "adam_inverse_time": (lambda: optimizers.Adam(learning_rate=S.InverseTimeDecay(0.01, 2, 0.7)), None),
    "rmsprop_piecewise": (lambda: optimizers.RMSprop(
        learning_rate=S.PiecewiseConstantDecay([2, 5], [0.01, 0.005, 0.001])), None),
    "adagrad_cosine": (lambda: optimizers.Adagrad(learning_rate=S.CosineDecay(0.1, 6, alpha=0.1)), None),
    "adamw_cosine_warmup": (lambda: optimizers.AdamW(
        learning_rate=S.CosineDecay(0.0, 5, warmup_target=0.01, warmup_steps=3), weight_decay=0.1), None),
    "adam_lr_assigned": (lambda: optimizers.Adam(learning_rate=0.01), 0.002),
}

SCHEDULES = {"exponential": lambda: S.ExponentialDecay(0.1, 3, 0.5),
             "exponential_staircase": lambda: S.ExponentialDecay(0.1, 3, 0.5, staircase=True),
             "inverse_time": lambda: S.InverseTimeDecay(0.01, 2, 0.7),
             "inverse_time_staircase": lambda: S.InverseTimeDecay(0.01, 2.5, 0.7, staircase=True),
             "piecewise": lambda: S.PiecewiseConstantDecay([2, 5], [0.01, 0.005, 0.001]),
             "cosine": lambda: S.CosineDecay(0.1, 6, alpha=0.1),
             "cosine_warmup": lambda: S.CosineDecay(0.0, 5, warmup_target=0.01, warmup_steps=3)}


def keras_json(f, key):
    return json.loads(str(f[key]))


def test_every_fixture_case_is_checked():
    f = fixture("optimizers_more")
    made = {k[:-len("_config")] for k in f if k.endswith("_config") and not k.startswith("schedule_")}
    assert made == set(CASES)
    assert {k[len("schedule_"):] for k in f if k.startswith("schedule_") and not k.endswith("_config")} \
        == set(SCHEDULES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_optimizer_steps_and_learning_rates(backend_name, name):
    f = fixture("optimizers_more")
    make, assign = CASES[name]
    opt = make()
    w, b = f["w0"].copy(), f["b0"].copy()
    for step, (gw, gb) in enumerate(zip(f["grads_w"], f["grads_b"])):
        if step == 3 and assign is not None:
            opt.learning_rate = assign
        # The rate this step uses, as optimizer.learning_rate reads it before the step.
        assert_matches(f"{name} learning rate at step {step + 1}", opt.learning_rate, f[f"{name}_rates"][step])
        opt.apply([w, b], [gw, gb])
        assert_matches(f"{name} kernel after step {step + 1}", w, f[f"{name}_w"][step],
                       scale=np.abs(f[f"{name}_w"][step]) + 1e-6)
        assert_matches(f"{name} bias after step {step + 1}", b, f[f"{name}_b"][step],
                       scale=np.abs(f[f"{name}_b"][step]) + 1e-6)
    assert opt.iterations == len(f["grads_w"])


@pytest.mark.parametrize("name", sorted(CASES))
def test_keras_config_loads_and_is_written_back_the_same(name):
    """``deserialize`` reads the dict Keras wrote for this optimizer (after its 8
    steps), and ``serialize`` writes exactly that dict again: same keys, values,
    the schedule's nested dict, and the name Keras gave it."""
    f = fixture("optimizers_more")
    written = keras_json(f, f"{name}_config")
    opt = optimizers.deserialize(written)
    assert optimizers.serialize(opt) == written
    mine = CASES[name][0]()
    if CASES[name][1] is not None:
        mine.learning_rate = CASES[name][1]
    expected = dict(written["config"], name=mine.name)  # Keras numbered its names in its own session
    assert mine.get_config() == expected


@pytest.mark.parametrize("name", sorted(SCHEDULES))
def test_schedule_values_and_config(name):
    f = fixture("optimizers_more")
    schedule = SCHEDULES[name]()
    values = np.array([schedule(step) for step in range(len(f[f"schedule_{name}"]))])
    assert values.dtype == np.float32
    assert_matches(f"{name} schedule", values, f[f"schedule_{name}"], scale=np.abs(f[f"schedule_{name}"]) + 1e-9)
    written = keras_json(f, f"schedule_{name}_config")
    assert S.serialize(schedule) == written
    assert S.serialize(S.deserialize(written)) == written
