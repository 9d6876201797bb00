"""tinynet's losses, activations and metrics against real Keras: the fixtures
losses_more, activations and metrics_more, made by tests/reference/more_fixtures.py
with Keras 3.15.1 / TensorFlow 2.21.0. No Keras is needed here.

Each case names its Keras class (or function) and keyword arguments; tinynet's
twin is built from the same words, so the names and arguments are checked too.

Tolerances, and why:
* values and gradients: a few float32 operations, relative 1e-5 of the value's
  size (float32's epsilon is 1.2e-7; exp, log and sums of up to 8 terms each add
  a few). Where a term of size ~1 is rounded before a small result is formed
  (Keras' e^x - 1 near x = 0, or t log p - (1 - t) log(1 - p) near 0), the error
  is absolute, ~1e-7: the scale gets a floor of 0.01 (1e-7 at rtol 1e-5).
  Backward passes that form 1 - a^2 or a (1 - a) from a rounded a carry that
  absolute error times the incoming gradient r: their floor is 0.01 + 0.03 |r|.
  The tanh form of GELU forms 1 + tanh(.) for x < 0, which cancels: absolute
  error ~ulp(1) |x| / 2, floor 0.02 |x|.
* metric results: float32 running sums in another order: relative 1e-5.
* NaN and inf must sit in the same places, with the same signs.
"""
import json
import os

import numpy as np
import pytest

import tinynet
from tinynet import activations, losses, metrics

FIXTURES = os.path.join(os.path.dirname(__file__), "reference", "fixtures")
RTOL = 1e-5


def fixture(name):
    with np.load(os.path.join(FIXTURES, name + ".npz"), allow_pickle=False) as data:
        return {k: data[k] for k in data.files}


def assert_matches(what, got, want, floor=0.0, scale=None):
    """|got - want| <= RTOL * (scale + floor), scale |want| unless given; non-finite entries equal."""
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    assert got.shape == want.shape, f"{what}: shape {got.shape}, Keras {want.shape}"
    finite = np.isfinite(want)
    assert np.array_equal(np.isfinite(got), finite), f"{what}: non-finite entries differ: {got} against Keras {want}"
    assert np.array_equal(got[~finite], want[~finite], equal_nan=True), f"{what}: {got[~finite]} vs {want[~finite]}"
    scale = np.abs(want) if scale is None else np.broadcast_to(scale, want.shape)
    with np.errstate(invalid="ignore"):  # inf - inf where both are inf: those were compared above
        excess = np.where(finite, np.abs(got - want) - RTOL * (scale + floor), 0.0)
    if (excess > 0).any():
        where = np.unravel_index(np.argmax(excess), want.shape)
        raise AssertionError(f"{what} at {tuple(map(int, where))}: tinynet {got[where]:.9g}, Keras {want[where]:.9g}, "
                             f"deviation {abs(got[where] - want[where]):.3g}")


@pytest.fixture(autouse=True, params=["numba", "numpy"])
def each_backend(request):
    tinynet.set_backend(request.param)


# -- losses ----------------------------------------------------------------------------------
LOSSES = fixture("losses_more")
LOSS_SPECS = json.loads(str(LOSSES["specs"]))
CLASS_CASES = sorted(case for case in LOSS_SPECS if not case.startswith("fn_"))
FUNCTION_CASES = sorted(case for case in LOSS_SPECS if case.startswith("fn_"))
FUNCTION_OF = {"BinaryCrossentropy": losses.binary_crossentropy, "CategoricalCrossentropy": losses.categorical_crossentropy,
               "SparseCategoricalCrossentropy": losses.sparse_categorical_crossentropy,
               "MeanSquaredError": losses.mean_squared_error, "MeanAbsoluteError": losses.mean_absolute_error,
               "Huber": losses.huber}


def _case(case):
    cls, kwargs = LOSS_SPECS[case]
    f = LOSSES
    return cls, kwargs, f[f"{case}__y"], f[f"{case}__pred"], f.get(f"{case}__sw")


@pytest.mark.parametrize("case", CLASS_CASES)
def test_loss_value_with_keras_reduction_and_sample_weights(case):
    cls, kwargs, y, pred, sw = _case(case)
    loss = getattr(losses, cls)(**kwargs)
    got = loss(y, pred, sample_weight=sw)
    assert isinstance(got, float) or kwargs.get("reduction", "") is None
    assert_matches(f"{case}: loss", got, LOSSES[f"{case}__loss"], floor=0.01)


@pytest.mark.parametrize("case", [c for c in CLASS_CASES if f"{c}__grad" in LOSSES])
def test_loss_gradient(case):
    cls, kwargs, y, pred, _ = _case(case)
    want = LOSSES[f"{case}__grad"]
    got = getattr(losses, cls)(**kwargs).gradient(y, pred)
    assert got.shape == pred.shape
    assert_matches(f"{case}: gradient", got, want, scale=np.abs(want).max())


@pytest.mark.parametrize("case", [c for c in CLASS_CASES if f"{c}__values" in LOSSES])
def test_loss_function_values_and_per_sample(case):
    cls, kwargs, y, pred, _ = _case(case)
    want = LOSSES[f"{case}__values"]
    fn_kwargs = {k: v for k, v in kwargs.items() if k != "reduction"}
    y_m, pred_m = losses.squeeze_or_expand_to_same_rank(np.asarray(y), np.asarray(pred))
    assert_matches(f"{case}: values", FUNCTION_OF[cls](y_m, pred_m, **fn_kwargs), want, floor=0.01)
    if want.ndim:  # per_sample: the mean over every axis but the first
        per_sample = getattr(losses, cls)(**kwargs).per_sample(y, pred)
        assert_matches(f"{case}: per_sample", per_sample, want.reshape(len(want), -1).mean(axis=1), floor=0.01)


@pytest.mark.parametrize("case", FUNCTION_CASES)
def test_loss_functions_called_directly_keep_keras_dtype(case):
    fn, kwargs = LOSS_SPECS[case]
    y, pred, want = LOSSES[f"{case}__y"], LOSSES[f"{case}__pred"], LOSSES[f"{case}__values"]
    if case.endswith("_lists"):
        y, pred = y.tolist(), pred.tolist()
    got = getattr(losses, fn)(y, pred, **kwargs)
    assert got.dtype == want.dtype, f"{case}: dtype {got.dtype}, Keras {want.dtype}"
    assert_matches(case, got, want, floor=0.01)


def test_loss_configs_have_keras_keys_and_defaults():
    for cls, want in json.loads(str(LOSSES["configs"])).items():
        got = getattr(losses, cls)().get_config()
        extra = {"delta"} if cls == "Huber" else set()  # Keras' Huber forgets delta; tinynet's reload needs it
        assert set(got) == set(want) | extra, cls
        assert {k: got[k] for k in want} == want, cls


def test_every_keras_loss_name_resolves_to_the_same_loss():
    by_function = {fn.__name__: cls for cls, fn in FUNCTION_OF.items()}
    for name, keras_kind in json.loads(str(LOSSES["names"])).items():
        assert type(losses.get(name)).__name__ == by_function.get(keras_kind, keras_kind), name


# -- activations ----------------------------------------------------------------------------------
ACT = fixture("activations")
NAMES = sorted({key.split("__")[0] for key in ACT if key.endswith("__y")})


@pytest.mark.parametrize("name", NAMES)
def test_activation_values_and_backward(name):
    canonical, forward, backward = activations.get(name)
    for key, x, r in (("", ACT["x"], ACT["r"]), ("3d_", ACT["x3"], ACT["r3"])):
        want_y, want_grad = ACT[f"{name}__{key}y"], ACT[f"{name}__{key}grad"]
        with np.errstate(over="ignore", invalid="ignore"):  # exponential(1e4) is inf, in Keras too
            y = forward(x)
            grad = backward(x, y, r)
        assert y.dtype == np.float32 and grad.dtype == np.float32
        assert_matches(f"{name}({key}x)", y, want_y, floor=0.01)
        assert_matches(f"{name}'({key}x)", grad, want_grad, floor=0.01 + 0.03 * np.abs(r))
    assert canonical == ("silu" if name == "swish" else name)


def test_activation_keyword_arguments():
    x = ACT["x"]
    assert_matches("softmax(axis=1)", activations.softmax(ACT["x3"], axis=1), ACT["softmax__axis1"], floor=1e-3)
    one_d = activations.softmax(x[0].astype(np.float64))
    assert one_d.dtype == np.float64
    assert_matches("softmax of a vector", one_d, ACT["softmax__1d"], floor=1e-3)
    assert_matches("gelu(approximate=True)", activations.gelu(x, approximate=True), ACT["gelu__approximate"],
                   floor=0.01 + 0.02 * np.abs(x))
    assert_matches("elu(alpha=0.5)", activations.elu(x, alpha=0.5), ACT["elu__alpha"], floor=0.01)
    assert_matches("leaky_relu(negative_slope=0.1)", activations.leaky_relu(x, negative_slope=0.1),
                   ACT["leaky_relu__slope"], floor=0.01)


INPUT_KINDS = {"int_list": [1, -2, 3], "int64": np.array([[1, -2, 3]]), "uint8": np.array([1, 2], np.uint8),
               "bool": np.array([True, False]), "float_list": [1.0, -2.0, 3.0], "float_number": 2.0,
               "float64": np.array([[1.0, -2.0, 3.0]]), "float32_1d": np.array([1.0, -2.0, 3.0], np.float32)}
# Where tinynet answers and Keras raises, on purpose: Keras' softmax reads x.shape
# before converting x, so a list fails there; tinynet takes the list.
DELIBERATE = {"softmax/float_list": "float32"}


@pytest.mark.parametrize("key", sorted(json.loads(str(ACT["kinds"]))))
def test_activation_input_kinds_give_keras_dtype_or_a_clear_error(key):
    want = DELIBERATE.get(key, json.loads(str(ACT["kinds"]))[key])
    name, kind = key.split("/")
    fn = getattr(activations, name)
    if want == "error":
        with pytest.raises((TypeError, ValueError), match="Argument `x`"):
            fn(INPUT_KINDS[kind])
        return
    y = fn(INPUT_KINDS[kind])
    assert (type(y).__name__ if name == "linear" else str(np.asarray(y).dtype)) == want


# -- metrics -----------------------------------------------------------------------------------------
MET = fixture("metrics_more")
MET_SPECS = json.loads(str(MET["specs"]))


def _run(metric, case, weighted):
    results = []
    for i in range(3):
        y, w, p = MET[f"{case}__y{i}"], MET[f"{case}__w{i}"], MET.get(f"{case}__p{i}")
        sw = w if weighted else None
        if p is None:
            metric.update_state(y, sample_weight=sw)
        else:
            metric.update_state(y, p, sample_weight=sw)
        results.append(metric.result())
    metric.reset_state()
    return results + [metric.result()]


@pytest.mark.parametrize("case", sorted(MET_SPECS))
def test_metric_results_after_several_batches(case):
    cls, kwargs = MET_SPECS[case]
    for weighted in (False, True):
        got = _run(getattr(metrics, cls)(**kwargs), case, weighted)
        assert all(isinstance(r, float) for r in got)
        want = MET[f"{case}__results{'_weighted' if weighted else ''}"]
        assert_matches(f"{case} ({'weighted' if weighted else 'unweighted'}) results", got, want, floor=1e-6)


@pytest.mark.parametrize("case", [c for c, (cls, _) in MET_SPECS.items() if cls in
                                  ("SparseCategoricalAccuracy", "CategoricalAccuracy", "BinaryAccuracy")])
def test_accuracy_fast_path_adds_the_same(case):
    """fit's path: labels once, then one count per batch; equal to Keras' figures."""
    cls, kwargs = MET_SPECS[case]
    metric = getattr(metrics, cls)(**kwargs)
    for i in range(3):
        metric.update_state_from_labels(metric.labels(MET[f"{case}__y{i}"]), MET[f"{case}__p{i}"])
        assert_matches(f"{case} after batch {i + 1}", metric.result(), MET[f"{case}__results"][i], floor=1e-6)


def test_metric_functions():
    labels, scores = MET["fn_labels"], MET["fn_scores"]
    assert_matches("sparse_categorical_accuracy", metrics.sparse_categorical_accuracy(labels[:, None], scores),
                   MET["fn_sparse"])
    assert_matches("categorical_accuracy", metrics.categorical_accuracy(np.eye(3)[labels], scores),
                   MET["fn_categorical"])
    got = metrics.binary_accuracy(np.array([[1.0], [0.0], [0.7]]), np.array([[0.9], [0.2], [0.8]]))
    assert got.dtype == np.float32
    assert_matches("binary_accuracy", got, MET["fn_binary"])
    assert_matches("accuracy", metrics.accuracy([1, 2, 3], [1, 2, 4]), MET["fn_accuracy"])


SETTINGS = {"binary": (losses.BinaryCrossentropy(), (1,)),
            "sparse": (losses.SparseCategoricalCrossentropy(), (3,)),
            "categorical": (losses.CategoricalCrossentropy(), (3,))}


@pytest.mark.parametrize("key", sorted(json.loads(str(MET["resolved"]))))
def test_compile_metric_names_resolve_as_in_keras(key):
    setting, identifier = key.split("/")
    cls, name = json.loads(str(MET["resolved"]))[key]
    metric = metrics.get(identifier, *SETTINGS[setting])
    assert (type(metric).__name__, metric.name) == (cls, name)


def test_metric_configs_match_keras():
    for case, want in json.loads(str(MET["configs"])).items():
        cls, kwargs = MET_SPECS[case]
        got = getattr(metrics, cls)(**kwargs).get_config()
        got.pop("name")
        assert got == want, case
