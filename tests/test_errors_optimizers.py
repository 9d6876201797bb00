"""Bad optimizer and schedule arguments: one row per mistake, each with the exact
error type and the words the message must contain (the argument, what was
expected, what came), as in test_errors.py."""
import pytest

from tinynet import optimizers
from tinynet.optimizers import schedules

SCHEDULE = schedules.ExponentialDecay(0.1, 10, 0.5)

CASES = [
    ("string learning rate", lambda: optimizers.Adam(learning_rate="0.1"), ValueError,
     ["`learning_rate`", "number >= 0", "LearningRateSchedule", "Received: learning_rate='0.1'"]),
    ("bool learning rate", lambda: optimizers.SGD(learning_rate=True), ValueError, ["learning_rate=True"]),
    ("negative learning rate", lambda: optimizers.RMSprop(learning_rate=-0.01), ValueError,
     ["`learning_rate`", "learning_rate=-0.01"]),
    ("callable learning rate", lambda: optimizers.Adam(learning_rate=lambda: 0.1), ValueError,
     ["`learning_rate`", "LearningRateSchedule"]),
    ("rho 1", lambda: optimizers.RMSprop(rho=1.0), ValueError, ["`rho`", ">= 0.0 and < 1.0", "rho=1.0"]),
    ("rmsprop momentum negative", lambda: optimizers.RMSprop(momentum=-0.1), ValueError, ["`momentum`"]),
    ("sgd momentum above 1", lambda: optimizers.SGD(momentum=1.5), ValueError,
     ["`momentum`", ">= 0.0 and <= 1.0", "momentum=1.5"]),
    ("epsilon string", lambda: optimizers.Adagrad(epsilon="tiny"), ValueError, ["`epsilon`", "epsilon='tiny'"]),
    ("accumulator negative", lambda: optimizers.Adagrad(initial_accumulator_value=-1), ValueError,
     ["`initial_accumulator_value`", "initial_accumulator_value=-1"]),
    ("adamw without decay", lambda: optimizers.AdamW(weight_decay=None), ValueError,
     ["`weight_decay`", "weight_decay=None"]),
    ("negative weight decay", lambda: optimizers.Adam(weight_decay=-0.1), ValueError,
     ["`weight_decay`", ">= 0.0", "weight_decay=-0.1"]),
    ("two clips", lambda: optimizers.SGD(clipnorm=1.0, clipvalue=0.5), ValueError,
     ["Only one of `clipnorm`, `clipvalue` and `global_clipnorm`", "clipnorm=1.0, clipvalue=0.5"]),
    ("negative clipnorm", lambda: optimizers.SGD(global_clipnorm=-1), ValueError,
     ["`global_clipnorm`", "global_clipnorm=-1"]),
    ("use_ema", lambda: optimizers.Adam(use_ema=True), ValueError,
     ["`use_ema` is not supported", "Expected use_ema=False", "Received: use_ema=True"]),
    ("loss scale", lambda: optimizers.Adam(loss_scale_factor=128.0), ValueError,
     ["`loss_scale_factor` is not supported", "loss_scale_factor=128.0"]),
    ("gradient accumulation", lambda: optimizers.SGD(gradient_accumulation_steps=4), ValueError,
     ["`gradient_accumulation_steps`", "gradient_accumulation_steps=4"]),
    ("name not a string", lambda: optimizers.Adam(name=3), ValueError, ["`name`", "name=3"]),
    ("unknown keyword", lambda: optimizers.Adam(beta1=0.9), TypeError, ["Adam", "unexpected", "beta1"]),
    ("unknown name", lambda: optimizers.get("nadam"), ValueError,
     ["Unknown optimizer: 'nadam'", "['adagrad', 'adam', 'adamw', 'rmsprop', 'sgd']", "Received: optimizer='nadam'"]),
    ("not a config", lambda: optimizers.deserialize({"config": {}}), ValueError,
     ["`config`", "'class_name' and 'config'"]),
    ("decay_steps 0", lambda: schedules.ExponentialDecay(0.1, 0, 0.5), ValueError,
     ["`decay_steps` must be > 0", "decay_steps=0"]),
    ("decay_steps negative", lambda: schedules.InverseTimeDecay(0.1, -5, 0.5), ValueError, ["decay_steps=-5"]),
    ("cosine decay_steps", lambda: schedules.CosineDecay(0.1, 0), ValueError, ["`decay_steps`"]),
    ("initial rate string", lambda: schedules.ExponentialDecay("0.1", 10, 0.5), ValueError,
     ["`initial_learning_rate`", "initial_learning_rate='0.1'"]),
    ("cosine alpha", lambda: schedules.CosineDecay(0.1, 10, alpha=2.0), ValueError, ["`alpha`", "alpha=2.0"]),
    ("piecewise lengths", lambda: schedules.PiecewiseConstantDecay([10, 20], [0.1, 0.01]), ValueError,
     ["length of boundaries should be 1 less than the length of values", "boundaries=[10, 20]"]),
    ("piecewise order", lambda: schedules.PiecewiseConstantDecay([20, 10], [0.1, 0.01, 0.001]), ValueError,
     ["`boundaries` must be strictly increasing", "boundaries=[20, 10]"]),
    ("piecewise not numbers", lambda: schedules.PiecewiseConstantDecay([10], ["a", "b"]), ValueError,
     ["`values`", "list of numbers"]),
    ("unknown schedule", lambda: schedules.deserialize({"class_name": "CyclicLR", "config": {}}), ValueError,
     ["Unknown schedule: 'CyclicLR'", "ExponentialDecay"]),
    ("schedule without __call__", lambda: schedules.LearningRateSchedule()(0), NotImplementedError,
     ["must override `__call__(self, step)`"]),
]


@pytest.mark.parametrize("case,call,error,words", CASES, ids=[c[0] for c in CASES])
def test_bad_optimizer_and_schedule_arguments(case, call, error, words):
    with pytest.raises(error) as info:
        call()
    for word in words:
        assert word in str(info.value), f"{word!r} not in: {info.value}"


@pytest.mark.parametrize("value,error", [("0.01", ValueError), (-1.0, ValueError), (0.01, TypeError)])
def test_a_rejected_learning_rate_leaves_the_optimizer_as_it_was(value, error):
    """A bad number is refused; so is any number when the rate is a schedule (as in Keras)."""
    opt = optimizers.Adam(learning_rate=SCHEDULE if error is TypeError else 0.005)
    before = opt.get_config()
    with pytest.raises(error, match="learning_rate"):
        opt.learning_rate = value
    assert opt.get_config() == before
