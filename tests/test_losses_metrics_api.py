"""How the rest of tinynet uses the losses, activations and metrics: names,
configs that load_model rebuilds from, the model-facing methods and the
training loop's fast paths."""
import os
import tempfile

import numpy as np
import pytest

import tinynet
from tinynet import activations, losses, metrics
from tinynet.layers import Dense, Flatten
from tinynet.models import Sequential, load_model


@pytest.mark.parametrize("loss", [losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.1),
                                  losses.Huber(delta=2.5), losses.MeanAbsoluteError(reduction="sum"),
                                  losses.CategoricalCrossentropy(label_smoothing=0.2)], ids=repr)
def test_a_saved_model_comes_back_with_the_same_loss(loss):
    model = Sequential([Flatten(input_shape=(2, 2)), Dense(3, activation="gelu"), Dense(2, activation="sigmoid")])
    model.compile(optimizer="adam", loss=loss)
    path = os.path.join(tempfile.mkdtemp(), "m.npz")
    model.save(path)
    again = load_model(path)
    assert type(again.loss) is type(loss) and again.loss.get_config() == loss.get_config()
    assert again.layers[1].activation == "gelu"


def test_loss_classes_and_instances_are_taken_as_they_are():
    loss = losses.Huber(delta=3.0)
    assert losses.get(loss) is loss
    assert isinstance(losses.get(losses.MeanAbsoluteError), losses.MeanAbsoluteError)
    assert repr(losses.get("bce")) == "BinaryCrossentropy(from_logits=False, label_smoothing=0.0, axis=-1)"


@pytest.mark.parametrize("loss,activation", [(losses.SparseCategoricalCrossentropy(), "softmax"),
                                             (losses.CategoricalCrossentropy(), "softmax"),
                                             (losses.BinaryCrossentropy(), "sigmoid"),
                                             (losses.MeanSquaredError(), None), (losses.Huber(), None)], ids=repr)
def test_logits_activation_replaces_the_crossentropy_flag(loss, activation):
    assert loss.logits_activation == activation


@pytest.mark.parametrize("backend_name", ["numba", "numpy"])
def test_from_logits_and_grad_of_outputs_of_rank_3(backend_name):
    """(n, t, c) outputs: per-sample losses are the means over t, the gradient that of their mean."""
    tinynet.set_backend(backend_name)
    rng = np.random.default_rng(0)
    z = rng.standard_normal((4, 2, 3)).astype(np.float32)
    labels = rng.integers(0, 3, (4, 2))
    for loss, y in ((losses.SparseCategoricalCrossentropy(), labels),
                    (losses.CategoricalCrossentropy(label_smoothing=0.1), np.eye(3, dtype=np.float32)[labels]),
                    (losses.BinaryCrossentropy(), (z > 0).astype(np.float32))):
        per_sample, dz = loss.from_logits_and_grad(y, z)
        from_logits = type(loss)(**{**loss.get_config(), "from_logits": True})
        np.testing.assert_allclose(per_sample, from_logits.per_sample(y, z), rtol=1e-5)
        np.testing.assert_allclose(dz, from_logits.gradient(y, z), rtol=1e-5, atol=1e-8)


def test_tinynet_functions_as_activations_are_known_by_name():
    assert activations.get(activations.relu)[0] == "relu"  # so Dense still fuses it into its kernel
    assert activations.get(activations.swish)[0] == "silu"
    assert Dense(3, activation=activations.softmax).output_activation == "softmax"


def test_a_users_function_named_like_ours_is_not_taken_for_ours():
    def relu(x):
        return np.maximum(x, 0.5)

    name, forward, _ = activations.get(relu)
    assert name == "custom_relu"
    np.testing.assert_array_equal(forward(np.zeros((1, 2))), [[0.5, 0.5]])


def test_compile_names_become_history_keys():
    sparse = losses.SparseCategoricalCrossentropy()
    assert [metrics.get(m, sparse, (10,)).name for m in ["acc", "accuracy", "mae", "MeanSquaredError"]] == \
        ["acc", "accuracy", "mae", "MeanSquaredError"]
    mine = metrics.Precision(name="p")
    assert metrics.get(mine, sparse, (10,)) is mine


def test_unnamed_metrics_count_up_as_in_keras():
    first, second = metrics.Recall(), metrics.Recall()
    assert second.name.startswith("recall_") and first.name != second.name


def test_sparse_labels_are_used_as_they_are():
    """fit gathers int64 labels once per batch; the accuracy must not copy them."""
    y = np.arange(5, dtype=np.int64) % 3
    assert metrics.SparseCategoricalAccuracy().labels(y) is y


def test_metric_call_is_update_then_result():
    m = metrics.MeanAbsoluteError()
    assert m([[1.0, 2.0]], [[2.0, 2.0]]) == 0.5
    assert m([[0.0, 0.0]], [[1.5, 1.5]]) == 1.0  # the running mean of 0.5 and 1.5


def test_crossentropy_metric_from_logits_equals_from_probabilities():
    rng = np.random.default_rng(1)
    z, labels = rng.standard_normal((6, 4)).astype(np.float32), rng.integers(0, 4, 6)
    a, b = metrics.SparseCategoricalCrossentropy(), metrics.SparseCategoricalCrossentropy()
    a.update_state(labels, activations.softmax(z))
    b.update_state_from_logits(labels, z)
    assert a.result() == pytest.approx(b.result(), rel=1e-6)
