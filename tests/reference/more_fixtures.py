"""Keras fixtures for the losses, activations and metrics beyond the seed
notebook's: the groups 'losses_more', 'activations' and 'metrics_more' of
make_fixtures.py (run ``make_fixtures.py --only GROUP`` with Keras' Python).

Each group seeds its own generator, so adding groups elsewhere never changes
its inputs. Which loss or metric a case uses is stored with it (a JSON spec:
class name and keyword arguments), so that the test builds tinynet's twin from
the same words.
"""
import json
import os

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import keras  # noqa: E402
import tensorflow as tf  # noqa: E402
from keras.src.losses.loss import squeeze_or_expand_to_same_rank  # noqa: E402
from keras.src.metrics import accuracy_metrics  # noqa: E402
from keras.src.trainers.compile_utils import get_metric  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")


def save(name, **arrays):
    os.makedirs(OUT, exist_ok=True)
    np.savez_compressed(os.path.join(OUT, name + ".npz"), **arrays)
    print(f"wrote {name}.npz ({len(arrays)} arrays)")


def _sigmoid(z):
    """In NumPy: Keras' own sigmoid would tag its output with the logits, and its
    losses would then take those instead of the probabilities."""
    return (1 / (1 + np.exp(-z.astype(np.float64)))).astype("float32")


def _softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return (e / e.sum(axis=-1, keepdims=True)).astype("float32")


def _loss_cases(rng):
    n, c = 8, 3
    z = (rng.standard_normal((n, c)) * 4).astype("float32")
    z[0], z[1] = [60, -60, 0], [1e4, -1e4, 5]
    t = (rng.random((n, c)) > 0.5).astype("float32")
    soft = rng.random((n, c)).astype("float32")
    p = _sigmoid(z)
    p[2], p[3] = [0.0, 1.0, 1e-9], [1 - 1e-9, 0.5, 1e-7]  # on, beyond and inside the clip
    labels = rng.integers(0, c, n)
    onehot = np.eye(c, dtype="float32")[labels]
    q = _softmax(z)
    q[4] = [1.0, 0.0, 0.0]
    reg_true, reg_pred = rng.standard_normal((n, c)).astype("float32"), (rng.standard_normal((n, c)) * 2).astype("float32")
    sw = rng.random(n).astype("float32")
    sw[1] = 0
    z3, l3 = (rng.standard_normal((4, 2, c)) * 3).astype("float32"), rng.integers(0, c, (4, 2))
    a3, b3 = rng.standard_normal((4, 3, 2)).astype("float32"), rng.standard_normal((4, 3, 2)).astype("float32")
    ints_true, ints_pred = rng.integers(-3, 4, (n, c)), rng.integers(-3, 4, (n, c))
    bce, cce = "BinaryCrossentropy", "CategoricalCrossentropy"
    # case: (class, kwargs, y_true, y_pred, sample_weight)
    return {
        "bce_logits": (bce, {"from_logits": True}, t, z, None),
        "bce_probs": (bce, {}, t, p, None),
        "bce_soft_logits": (bce, {"from_logits": True}, soft, z, None),
        "bce_soft_probs": (bce, {}, soft, p, None),
        "bce_logits_ls": (bce, {"from_logits": True, "label_smoothing": 0.2}, t, z, None),
        "bce_probs_ls": (bce, {"label_smoothing": 0.2}, t, p, None),
        "cce_logits_ls": (cce, {"from_logits": True, "label_smoothing": 0.1}, onehot, z, None),
        "cce_probs_ls": (cce, {"label_smoothing": 0.1}, onehot, q, None),
        "mae": ("MeanAbsoluteError", {}, reg_true, reg_pred, None),
        "huber": ("Huber", {}, reg_true, reg_pred, None),
        "huber_half": ("Huber", {"delta": 0.5}, reg_true, reg_pred, None),
        # sample weights and reductions
        "mse_sw": ("MeanSquaredError", {}, reg_true, reg_pred, sw),
        "mse_sw_column": ("MeanSquaredError", {}, reg_true, reg_pred, sw[:, None]),
        "mse_sw_number": ("MeanSquaredError", {}, reg_true, reg_pred, np.float32(2.5)),
        "bce_sw": (bce, {"from_logits": True}, t, z, sw),
        "scce_sw": ("SparseCategoricalCrossentropy", {}, labels, q, sw),
        "cce_sw": (cce, {"from_logits": True}, onehot, z, sw),
        "mae_sum": ("MeanAbsoluteError", {"reduction": "sum"}, reg_true, reg_pred, sw),
        "mae_mean_sw": ("MeanAbsoluteError", {"reduction": "mean_with_sample_weight"}, reg_true, reg_pred, sw),
        "huber_none": ("Huber", {"reduction": None}, reg_true, reg_pred, sw),
        # ranks and kinds of input
        "mse_n_vs_n1": ("MeanSquaredError", {}, reg_true[:, 0], reg_pred[:, :1], None),
        "mse_n1_vs_n": ("MeanSquaredError", {}, reg_true[:, :1], reg_pred[:, 0], None),
        "mae_3d": ("MeanAbsoluteError", {}, a3, b3, None),
        "huber_3d_sw": ("Huber", {}, a3, b3, sw[:4, None]),
        "scce_labels_n1": ("SparseCategoricalCrossentropy", {}, labels[:, None], q, None),
        "scce_float_labels": ("SparseCategoricalCrossentropy", {}, labels.astype("float32"), q, None),
        "scce_3d_logits": ("SparseCategoricalCrossentropy", {"from_logits": True}, l3, z3, None),
        "cce_3d_logits": (cce, {"from_logits": True}, np.eye(c, dtype="float32")[l3], z3, None),
        "bce_n_vs_n1": (bce, {}, t[:, 0], p[:, :1], None),
        "bce_1d": (bce, {}, t[:, 0], p[:, 0], None),
        "bce_float64": (bce, {}, t.astype("float64"), p.astype("float64"), None),
        "mse_ints": ("MeanSquaredError", {}, ints_true, ints_pred, None),
    }


def losses_more():
    rng = np.random.default_rng([2026, 101])
    out, specs = {}, {}
    for case, (cls, kwargs, y, pred, sw) in _loss_cases(rng).items():
        loss = getattr(keras.losses, cls)(**kwargs)
        specs[case] = [cls, kwargs]
        out[f"{case}__y"], out[f"{case}__pred"] = y, pred
        if sw is not None:
            out[f"{case}__sw"] = np.asarray(sw)
        if pred.dtype.kind == "f":
            pred_t = tf.Variable(pred)
            with tf.GradientTape() as tape:
                value = loss(y, pred_t, sample_weight=sw)
            out[f"{case}__loss"] = np.asarray(value)
            if sw is None:
                out[f"{case}__grad"] = np.asarray(tape.gradient(value, pred_t))
        else:
            out[f"{case}__loss"] = np.asarray(loss(y, pred))
        if sw is None:  # the function's values, after the class's rank matching
            y_m, pred_m = squeeze_or_expand_to_same_rank(keras.ops.convert_to_tensor(y),
                                                         keras.ops.convert_to_tensor(pred))
            out[f"{case}__values"] = np.asarray(loss.fn(y_m, pred_m, **loss._fn_kwargs))
    # the functions on their own: float64 stays float64, lists become float32, and the
    # function (unlike the class) does no rank matching of its own for binary cross-entropy
    y1, p1 = np.array([1.0, 0.0, 1.0]), np.array([[0.9], [0.2], [0.6]])
    functions = {
        "fn_mse_n_vs_n1": ("mean_squared_error", {}, y1, p1),
        "fn_huber_f64": ("huber", {"delta": 0.5}, np.array([[0.0, 1, 2]]), np.array([[0.5, 3, -1]])),
        "fn_bce_f64": ("binary_crossentropy", {}, y1[:, None], p1),
        "fn_bce_logits_f64": ("binary_crossentropy", {"from_logits": True}, np.array([[1.0, 0, 1, 0]]),
                              np.array([[1e4, -1e4, -1e4, 1e4]])),
        "fn_scce_n1": ("sparse_categorical_crossentropy", {}, np.array([[1], [2]]),
                       np.array([[0.05, 0.95, 0], [0.1, 0.8, 0.1]], "float32")),
        "fn_cce_lists": ("categorical_crossentropy", {}, [[0.0, 1, 0], [0, 0, 1]], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]),
        "fn_mae_ints": ("mean_absolute_error", {}, np.array([[1, 2], [3, 4]]), np.array([[2, 2], [0, 9]])),
    }
    for case, (fn, kwargs, y, pred) in functions.items():
        specs[case] = [fn, kwargs]
        out[f"{case}__y"], out[f"{case}__pred"] = np.asarray(y), np.asarray(pred)
        out[f"{case}__values"] = np.asarray(getattr(keras.losses, fn)(y, pred, **kwargs))
    classes = ["BinaryCrossentropy", "CategoricalCrossentropy", "SparseCategoricalCrossentropy",
               "MeanSquaredError", "MeanAbsoluteError", "Huber"]
    configs = {cls: getattr(keras.losses, cls)().get_config() for cls in classes}
    names = {}
    for s in ["bce", "BCE", "binary_crossentropy", "BinaryCrossentropy", "mae", "MAE", "mean_absolute_error",
              "MeanAbsoluteError", "mse", "MSE", "mean_squared_error", "MeanSquaredError", "huber", "Huber",
              "categorical_crossentropy", "CategoricalCrossentropy", "sparse_categorical_crossentropy",
              "SparseCategoricalCrossentropy"]:
        got = keras.losses.get(s)
        names[s] = type(got).__name__ if isinstance(got, keras.losses.Loss) else got.__name__
    save("losses_more", specs=np.array(json.dumps(specs)), configs=np.array(json.dumps(configs)),
         names=np.array(json.dumps(names)), **out)


ACTIVATIONS = ["linear", "relu", "leaky_relu", "elu", "selu", "hard_sigmoid", "sigmoid", "tanh", "softplus",
               "softsign", "silu", "swish", "gelu", "exponential", "softmax"]


def _input_kinds():
    return {"int_list": [1, -2, 3], "int64": np.array([[1, -2, 3]]), "uint8": np.array([1, 2], np.uint8),
            "bool": np.array([True, False]), "float_list": [1.0, -2.0, 3.0], "float_number": 2.0,
            "float64": np.array([[1.0, -2.0, 3.0]]), "float32_1d": np.array([1.0, -2.0, 3.0], np.float32)}


def activations():
    rng = np.random.default_rng([2026, 102])
    edges = [-1e4, -50, -10, -3, -1, -0.5, -1e-3, 0, 1e-3, 0.5, 1, 3, 10, 50, 1e4]
    x = np.concatenate([edges, rng.standard_normal(17) * 3]).astype("float32").reshape(4, 8)
    r = rng.standard_normal(x.shape).astype("float32")
    x3 = (rng.standard_normal((2, 3, 4)) * 2).astype("float32")
    r3 = rng.standard_normal(x3.shape).astype("float32")
    out = {"x": x, "r": r, "x3": x3, "r3": r3}
    for name in ACTIVATIONS:
        f = keras.activations.get(name)
        for key, inputs, weights in (("", x, r), ("3d_", x3, r3)):
            xv = tf.Variable(inputs)
            with tf.GradientTape() as tape:
                y = f(xv)
                s = tf.reduce_sum(weights * y)
            out[f"{name}__{key}y"], out[f"{name}__{key}grad"] = np.asarray(y), np.asarray(tape.gradient(s, xv))
    out["softmax__axis1"] = np.asarray(keras.activations.softmax(x3, axis=1))
    out["softmax__1d"] = np.asarray(keras.activations.softmax(x[0].astype("float64")))
    out["gelu__approximate"] = np.asarray(keras.activations.gelu(x, approximate=True))
    out["elu__alpha"] = np.asarray(keras.activations.elu(x, alpha=0.5))
    out["leaky_relu__slope"] = np.asarray(keras.activations.leaky_relu(x, negative_slope=0.1))
    kinds = {}
    for name in ACTIVATIONS:
        for kind, value in _input_kinds().items():
            try:
                y = keras.activations.get(name)(value)
                kinds[f"{name}/{kind}"] = str(np.asarray(y).dtype) if name != "linear" else type(y).__name__
            except Exception:
                kinds[f"{name}/{kind}"] = "error"
    save("activations", kinds=np.array(json.dumps(kinds)), **out)


def _metric_batches(rng, kind):
    n, c = 5, 3
    batches = []
    for _ in range(3):
        scores = rng.random((n, c)).astype("float32")
        labels = rng.integers(0, c, n)
        t = (rng.random((n, 1)) > 0.5).astype("float32")
        t[0] = 0.7  # a soft target, never matched by binary accuracy
        p = rng.random((n, 1)).astype("float32")
        p[1] = 0.5  # on the threshold: not above it
        multi_t, multi_p = (rng.random((n, c)) > 0.5).astype("float32"), rng.random((n, c)).astype("float32")
        y = {"labels": labels, "labels_column": labels[:, None], "onehot": np.eye(c, dtype="float32")[labels],
             "binary": t, "multi": multi_t, "values": rng.standard_normal(n).astype("float32"),
             "values_2d": rng.standard_normal((n, 2)).astype("float32"), "regression": rng.standard_normal((n, c)),
             "ints": rng.integers(0, 3, n), "logits": multi_t}[kind]
        pred = {"labels": scores, "labels_column": scores, "onehot": scores, "binary": p, "multi": multi_p,
                "values": None, "values_2d": None, "regression": rng.standard_normal((n, c)),
                "ints": rng.integers(0, 3, n), "logits": (rng.standard_normal((n, c)) * 3).astype("float32")}[kind]
        batches.append((y, pred, rng.random(n).astype("float32")))
    return batches


METRICS = {  # case: (class, kwargs, kind of data)
    "mean": ("Mean", {}, "values"), "mean_2d": ("Mean", {}, "values_2d"),
    "sparse_acc": ("SparseCategoricalAccuracy", {}, "labels"),
    "sparse_acc_column": ("SparseCategoricalAccuracy", {}, "labels_column"),
    "cat_acc": ("CategoricalAccuracy", {}, "onehot"), "bin_acc": ("BinaryAccuracy", {}, "binary"),
    "bin_acc_07": ("BinaryAccuracy", {"threshold": 0.7}, "binary"), "bin_acc_multi": ("BinaryAccuracy", {}, "multi"),
    "acc": ("Accuracy", {}, "ints"), "mae": ("MeanAbsoluteError", {}, "regression"),
    "mse": ("MeanSquaredError", {}, "regression"), "rmse": ("RootMeanSquaredError", {}, "regression"),
    "scce": ("SparseCategoricalCrossentropy", {}, "labels"),
    "cce": ("CategoricalCrossentropy", {"label_smoothing": 0.1}, "onehot"),
    "bce_logits": ("BinaryCrossentropy", {"from_logits": True}, "logits"), "bce": ("BinaryCrossentropy", {}, "multi"),
    "precision": ("Precision", {}, "binary"), "recall": ("Recall", {}, "multi"),
    "precision_03": ("Precision", {"thresholds": 0.3}, "multi"), "recall_class_1": ("Recall", {"class_id": 1}, "multi"),
}


def metrics_more():
    rng = np.random.default_rng([2026, 103])
    out, specs = {}, {}
    for case, (cls, kwargs, kind) in METRICS.items():
        specs[case] = [cls, kwargs]
        batches = _metric_batches(rng, kind)
        for weighted in (False, True):
            metric = getattr(keras.metrics, cls)(**kwargs)
            results = []
            for i, (y, pred, w) in enumerate(batches):
                out[f"{case}__y{i}"], out[f"{case}__w{i}"] = y, w
                sw = w if weighted else None
                if pred is None:
                    metric.update_state(y, sample_weight=sw)
                else:
                    out[f"{case}__p{i}"] = pred
                    metric.update_state(y, pred, sample_weight=sw)
                results.append(float(metric.result()))
            metric.reset_state()
            results.append(float(metric.result()))
            out[f"{case}__results{'_weighted' if weighted else ''}"] = np.array(results)
    labels, scores = np.array([0, 1, 2, 2, 1]), rng.random((5, 3)).astype("float32")
    out.update(fn_labels=labels, fn_scores=scores,
               fn_sparse=np.asarray(keras.metrics.sparse_categorical_accuracy(labels[:, None], scores)),
               fn_categorical=np.asarray(keras.metrics.categorical_accuracy(np.eye(3)[labels], scores)),
               fn_binary=np.asarray(keras.metrics.binary_accuracy(np.array([[1.0], [0.0], [0.7]]),
                                                                  np.array([[0.9], [0.2], [0.8]]))),
               fn_accuracy=np.asarray(accuracy_metrics.accuracy([1, 2, 3], [1, 2, 4])))
    # compile's resolution of names: for a binary, sparse and categorical setting
    settings = {"binary": (np.zeros((4, 1)), np.zeros((4, 1))), "sparse": (np.zeros(4), np.zeros((4, 3))),
                "categorical": (np.zeros((4, 3)), np.zeros((4, 3)))}
    resolved = {}
    for setting, (y_true, y_pred) in settings.items():
        for identifier in ["accuracy", "acc", "Accuracy", "ACC", "mae", "MAE", "mse", "mean_absolute_error",
                           "MeanSquaredError", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
                           "binary_crossentropy", "bce", "root_mean_squared_error", "RootMeanSquaredError",
                           "precision", "Recall", "categorical_crossentropy", "sparse_categorical_crossentropy"]:
            metric = get_metric(identifier, y_true, y_pred)
            resolved[f"{setting}/{identifier}"] = [type(metric).__name__, metric.name]
    configs = {case: getattr(keras.metrics, cls)(**kwargs).get_config() for case, (cls, kwargs, _) in METRICS.items()}
    for config in configs.values():
        config.pop("name")  # Precision's and Recall's default names count up (precision_1, ...)
    save("metrics_more", specs=np.array(json.dumps(specs)), resolved=np.array(json.dumps(resolved)),
         configs=np.array(json.dumps(configs)), **out)
