"""fit's and evaluate's options beyond the seed notebook, with Keras 3.15's semantics
(checked in the reference environment):

* sample_weight w: each batch's loss is sum_i w_i l_i / n (not / sum w), and the
  gradient is that of this loss; class_weight={c: w} gives the sample weights of
  the targets' classes (1.0 for a class not in the dict); both at once is an error.
* metrics from compile(metrics=...) are not weighted.
* regularization penalties are added once to every batch's loss, in fit and evaluate.
* evaluate returns [loss, metric, ...] in compile order, or {name: value} sorted by name.
"""
import numpy as np
import pytest

import tinynet
from tinynet import layers, metrics, regularizers
from tinynet.models import Sequential

from .helpers import toy_digits

X, Y = toy_digits(48)
XF = X.astype(np.float32) / 255


def binary_model(lr=0.0, **compile_args):
    model = Sequential([tinynet.Input((2,)), layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=tinynet.optimizers.SGD(learning_rate=lr), loss="binary_crossentropy", **compile_args)
    return model


def binary_data():
    rng = np.random.default_rng(1)
    return rng.normal(size=(6, 2)).astype(np.float32), np.array([0, 1, 1, 0, 1, 0], np.float32)


def per_sample_bce(model, x, y):
    p = model.predict(x, verbose=0)[:, 0].astype(np.float64)
    return -(y * np.log(p) + (1 - y) * np.log(1 - p)), p


def test_sample_weights_scale_each_loss_and_divide_by_the_batch_size():
    x, y = binary_data()
    model = binary_model(metrics=["accuracy"])
    losses, p = per_sample_bce(model, x, y)
    w = np.array([1.0, 2.0, 2.0, 1.0, 2.0, 1.0])
    history = model.fit(x, y, sample_weight=w, batch_size=6, verbose=0)
    assert history.history["loss"][0] == pytest.approx((w * losses).sum() / 6, rel=1e-5)
    unweighted = np.mean((p > 0.5) == (y == 1))
    assert history.history["accuracy"][0] == pytest.approx(unweighted, rel=1e-6)  # metrics are unweighted
    assert model.evaluate(x, y, sample_weight=w, verbose=0)[0] == pytest.approx((w * losses).sum() / 6, rel=1e-5)


def test_class_weight_trains_exactly_like_the_same_sample_weights():
    x, y = binary_data()
    a, b = binary_model(lr=0.1), binary_model(lr=0.1)
    b.set_weights(a.get_weights())
    ha = a.fit(x, y, class_weight={0: 1.0, 1: 2.0}, batch_size=4, epochs=3, shuffle=False, verbose=0)
    hb = b.fit(x, y, sample_weight=np.where(y == 1, 2.0, 1.0), batch_size=4, epochs=3, shuffle=False, verbose=0)
    assert ha.history == hb.history
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)


def test_a_class_missing_from_class_weight_weighs_one():
    model = Sequential([layers.Flatten(input_shape=(28, 28)), layers.Dense(10, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    tinynet.utils.set_random_seed(3)
    start = model.get_weights()
    weights = np.where(Y == 3, 5.0, 1.0)
    with_dict = model.fit(XF, Y, class_weight={3: 5.0}, shuffle=False, epochs=1, verbose=0).history
    model.set_weights(start)
    with_weights = model.fit(XF, Y, sample_weight=weights, shuffle=False, epochs=1, verbose=0).history
    assert with_dict == with_weights


def test_weighted_gradients_match_central_differences():
    """The gradient of sum_i w_i l_i / n, from the softmax-logits path and the plain one."""
    from tinynet.utils.gradient_check import numerical_gradient, relative_error

    for out_activation, loss in [("softmax", "sparse_categorical_crossentropy"), ("tanh", "mse")]:
        model = Sequential([layers.Flatten(input_shape=(2, 3)), layers.Dense(3, activation=out_activation)])
        model.compile(optimizer="sgd", loss=loss)
        tinynet.set_backend("numpy")
        rng = np.random.default_rng(4)
        x = rng.uniform(-1, 1, (5, 2, 3))
        y = np.array([0, 2, 1, 1, 0]) if loss.startswith("sparse") else rng.uniform(-1, 1, (5, 3))
        w = np.array([0.5, 2.0, 0.0, 1.0, 3.0])
        layer = model.layers[1]
        layer.params = {k: v.astype(np.float64) for k, v in layer.params.items()}

        def weighted_loss():
            out = model.forward(x)
            return float((model.sample_losses(out, y) * w).mean())

        model.compute_gradients(x, y, w)
        analytic = layer.grads["kernel"].copy()
        assert relative_error(analytic, numerical_gradient(weighted_loss, layer.params["kernel"])) < 1e-6


def test_the_reported_loss_includes_the_penalty_once_per_batch():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(8, 3)).astype(np.float32), rng.normal(size=(8, 4)).astype(np.float32)
    model = Sequential([tinynet.Input((3,)), layers.Dense(4, kernel_regularizer=regularizers.l2(0.01),
                                                          bias_regularizer="l1", bias_initializer="ones")])
    model.compile(optimizer=tinynet.optimizers.SGD(learning_rate=0.0), loss="mse", metrics=["mse"])
    plain = float(((model.predict(x, verbose=0) - y) ** 2).mean())
    penalty = sum(model.losses)
    for batch_size in (8, 2, 3):
        loss, mse = model.evaluate(x, y, batch_size=batch_size, verbose=0)
        assert loss == pytest.approx(plain + penalty, rel=1e-5) and mse == pytest.approx(plain, rel=1e-5)
    history = model.fit(x, y, batch_size=2, verbose=0, validation_data=(x, y))
    assert history.history["loss"][0] == pytest.approx(plain + penalty, rel=1e-5)
    assert history.history["val_loss"][0] == pytest.approx(plain + penalty, rel=1e-5)


@pytest.mark.parametrize("spec,key", [("accuracy", "accuracy"), ("acc", "acc"),
                                      ("sparse_categorical_accuracy", "sparse_categorical_accuracy"),
                                      (lambda: metrics.SparseCategoricalAccuracy(name="my_acc"), "my_acc")])
def test_history_keys_and_evaluate_are_named_as_in_keras(spec, key):
    spec = spec() if callable(spec) else spec
    model = Sequential([layers.Flatten(input_shape=(28, 28)), layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=[spec])
    history = model.fit(XF, Y, validation_split=0.25, verbose=0)
    assert list(history.history) == sorted(["loss", key, "val_loss", f"val_{key}"])
    assert model.metrics_names == ["loss", key]
    loss, value = model.evaluate(XF, Y, verbose=0)
    assert model.evaluate(XF, Y, verbose=0, return_dict=True) == {key: value, "loss": loss}


def test_several_metrics_of_several_kinds():
    model = Sequential([layers.Flatten(input_shape=(28, 28)), layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy",
                  metrics=["mae", "accuracy", metrics.BinaryCrossentropy(name="bce"), metrics.Precision()])
    y = (Y > 4).astype(np.float32)
    history = model.fit(XF, y, verbose=0)
    assert sorted(history.history) == sorted(["loss", "mae", "accuracy", "bce", model.metric_names[-1]])
    values = model.evaluate(XF, y, verbose=0)
    out = model.predict(XF, verbose=0)[:, 0]
    assert values[1] == pytest.approx(np.abs(out - y).mean(), rel=1e-5)
    assert values[2] == pytest.approx(np.mean((out > 0.5) == y), rel=1e-6)
    assert values[3] == pytest.approx(values[0], rel=1e-5)  # the BCE metric is the loss here


def test_evaluate_without_metrics_returns_a_float():
    model = Sequential([layers.Flatten(input_shape=(28, 28)), layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    assert isinstance(model.evaluate(XF, Y, verbose=0), float)
    assert model.metrics_names == ["loss"]


def test_top_k_accuracies_match_keras_including_ties():
    from .test_keras_parity import fixture

    f = fixture("metrics_top_k")
    for k in (1, 2, 3):
        sparse = metrics.SparseTopKCategoricalAccuracy(k=k)
        sparse.update_state(f["labels"], f["y_pred"])
        onehot = metrics.TopKCategoricalAccuracy(k=k)
        onehot.update_state(np.eye(4)[f["labels"]], f["y_pred"])
        assert sparse.result() == f[f"sparse_{k}"] and onehot.result() == f[f"onehot_{k}"]
        np.testing.assert_array_equal(metrics.sparse_top_k_categorical_accuracy(f["labels"], f["y_pred"], k=k),
                                      f[f"per_sample_{k}"])
