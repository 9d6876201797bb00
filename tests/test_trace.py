"""tinynet.utils.trace_step: one training step recorded layer by layer. The records
must be what the step really computed, tracing must change nothing unless asked,
and the numerical check must catch a wrong backward pass."""
import matplotlib
import numpy as np
import pytest

import tinynet
from tinynet.layers import Dense, Dropout, Flatten
from tinynet.models import Sequential
from tinynet.utils import trace_step

from .helpers import toy_digits

matplotlib.use("Agg")


def model_of(hidden, optimizer="adam", extra=()):
    tinynet.utils.set_random_seed(0)
    model = Sequential([Flatten(input_shape=(28, 28))] + [Dense(u, activation="relu") for u in hidden]
                       + list(extra) + [Dense(10, activation="softmax")])
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy")
    return model


@pytest.fixture
def batch():
    x, y = toy_digits(16)
    return x.astype(np.float32) / 255, y


def test_tracing_changes_nothing_and_the_next_steps_are_the_same(batch):
    x, y = batch
    traced, plain = model_of([12, 8]), model_of([12, 8])
    traced.fit(x, y, epochs=1, batch_size=8, verbose=0, shuffle=False)  # the optimizer has state now
    plain.fit(x, y, epochs=1, batch_size=8, verbose=0, shuffle=False)
    trace_step(traced, x, y)
    for a, b in zip(traced.get_weights(), plain.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert traced.optimizer.iterations == plain.optimizer.iterations == 2
    traced.fit(x, y, epochs=1, batch_size=8, verbose=0, shuffle=False)
    plain.fit(x, y, epochs=1, batch_size=8, verbose=0, shuffle=False)
    for a, b in zip(traced.get_weights(), plain.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_a_trace_from_a_callback_during_fit_changes_nothing(batch):
    """fit's compiled step holds the optimizer's slot arrays from the start of fit:
    a trace taken between batches must put the state back into those arrays."""
    x, y = batch
    traced, plain = model_of([12]), model_of([12])
    tracer = tinynet.callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: trace_step(traced, x, y))
    traced.fit(x, y, epochs=2, batch_size=8, verbose=0, shuffle=False, callbacks=[tracer])
    plain.fit(x, y, epochs=2, batch_size=8, verbose=0, shuffle=False)
    for a, b in zip(traced.get_weights() + [s for kind in traced.optimizer.slots for s in kind],
                    plain.get_weights() + [s for kind in plain.optimizer.slots for s in kind]):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("optimizer", ["adam", "sgd", "rmsprop"])
def test_apply_takes_exactly_the_step_train_step_takes(batch, optimizer):
    x, y = batch
    traced, stepped = model_of([12], optimizer), model_of([12], optimizer)
    before = traced.get_weights()
    t = trace_step(traced, x, y, apply=True)
    stepped.train_step(x, y)
    for a, b, w0, p in zip(traced.get_weights(), stepped.get_weights(), before, t.params):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(p.value, w0)
        np.testing.assert_array_equal(p.update, a - w0)
    assert t.applied and traced.optimizer.iterations == 1


def test_the_records_chain_and_hold_the_step_s_own_arrays(batch):
    x, y = batch
    model = model_of([12, 8])
    t = trace_step(model, x, y)
    assert [r.name for r in t.layers] == [layer.name for layer in model.layers]
    np.testing.assert_array_equal(t.layers[0].x, x)
    for before, after in zip(t.layers, t.layers[1:]):
        np.testing.assert_array_equal(before.y, after.x)  # each layer's output is the next one's input
    for before, after in zip(t.layers[1:], t.layers[2:]):
        np.testing.assert_array_equal(before.dy, after.dx)  # and its gradient flows back the same way
    np.testing.assert_allclose(t.layers[-1].y, model(x), rtol=1e-6)  # no Dropout: training mode = inference
    last = t.layers[-1]
    assert last.at_logits  # softmax + cross-entropy: the loss hands dL/dz to the output layer
    np.testing.assert_allclose(last.dy, (last.y - np.eye(10)[y]) / len(y), atol=1e-7)  # p - onehot(y), over n
    assert t.layers[1].dx is None and t.layers[0].dy is None  # the first weights' input is data
    model.compute_gradients(x, y)
    for p, g in zip(t.params, model.gradients()):
        np.testing.assert_array_equal(p.grad, g)
    assert t.loss == pytest.approx(model.evaluate(x, y, verbose=0), rel=1e-5)


def test_the_check_passes_right_gradients_and_catches_a_wrong_one(batch):
    x, y = batch

    class WrongDense(Dense):
        def backward(self, dy):
            dx = super().backward(dy)
            self.grads["kernel"] *= 1.5  # a bug: the kernel's gradient is off by half
            return dx

    model = model_of([12], extra=[WrongDense(8, activation="relu")])
    t = trace_step(model, x, y, check_entries=6)
    checks = {f"{p.layer}.{p.name}": p.check for p in t.params}
    wrong = f"{model.layers[2].name}.kernel"
    assert checks[wrong] > 0.1
    assert all(err < 1e-6 for name, err in checks.items() if name != wrong)
    assert "above 1e-6" in t.table()


def test_a_model_with_dropout_is_traced_without_a_check(batch):
    x, y = batch
    t = trace_step(model_of([12], extra=[Dropout(0.5)]), x, y)
    assert all(p.check is None for p in t.params) and "not run" in t.table()
    assert t.layers[2].kind == "Dropout" and (t.layers[2].y == 0).mean() > 0.3


def test_a_nested_model_is_one_row_holding_its_weights(batch):
    x, y = batch
    inner = Sequential([Dense(12, activation="relu"), Dense(8, activation="relu")])
    model = Sequential([Flatten(input_shape=(28, 28)), inner, Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    t = trace_step(model, x, y)
    assert [r.kind for r in t.layers] == ["Flatten", "Sequential", "Dense"]
    assert [p.name for p in t.layers[1].params] == ["kernel", "bias", "kernel", "bias"]
    assert all(p.check < 1e-6 for p in t.params)


def test_table_and_plot(batch):
    x, y = batch
    t = trace_step(model_of([12]), x, y)
    table = t.table()
    for r in t.layers:
        assert r.name in table
    assert "check" in table and "‖Δw‖/‖w‖" in table and str(t) == table
    fig = t.plot()
    assert len(fig.axes) == 3
    arriving = [r.dy for r in t.layers if r.dy is not None]  # each backward point carries its value
    assert [text.get_text() for text in fig.axes[1].texts] == [f"{np.linalg.norm(dy):.3g}" for dy in arriving]


def test_an_uncompiled_model_is_refused(batch):
    x, y = batch
    model = Sequential([Flatten(input_shape=(28, 28)), Dense(10, activation="softmax")])
    with pytest.raises(RuntimeError, match="compile"):
        trace_step(model, x, y)
