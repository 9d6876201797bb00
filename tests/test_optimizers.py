"""Adam and SGD against their formulas, written out here independently, over steps."""
import numpy as np
import pytest

from tinynet import optimizers


def adam_by_hand(p, grads, lr=0.001, b1=0.9, b2=0.999, eps=1e-7):
    """Kingma & Ba with Keras 3's arrangement, in float64."""
    m = v = np.zeros_like(p)
    for t, g in enumerate(grads, start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        p = p - lr * np.sqrt(1 - b2**t) / (1 - b1**t) * m / (np.sqrt(v) + eps)
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


def test_adam_counts_steps_and_keeps_state(problem):
    p, grads = problem
    opt = optimizers.Adam()
    run(opt, p, grads)
    assert opt.iterations == len(grads)
    assert len(opt.variables()) == 3  # step count, m, v


def test_names_resolve_and_unknown_names_list_the_choices():
    assert isinstance(optimizers.get("adam"), optimizers.Adam)
    assert isinstance(optimizers.get("sgd"), optimizers.SGD)
    with pytest.raises(ValueError, match=r"Expected one of \['adam', 'sgd'\]. Received: optimizer='rmsprop'"):
        optimizers.get("rmsprop")


@pytest.mark.parametrize("kwargs", [{"learning_rate": 0}, {"learning_rate": -1.0}, {"beta_1": 1.0},
                                    {"epsilon": float("nan")}, {"learning_rate": "fast"}])
def test_bad_hyperparameters_are_named(kwargs):
    name = next(iter(kwargs))
    with pytest.raises(ValueError, match=f"`{name}`"):
        optimizers.Adam(**kwargs)
