"""Checking backpropagation against central differences, in float64.

For a scalar function L of an array w, the central difference
    dL/dw_i  ~  (L(w + h e_i) - L(w - h e_i)) / 2h
is accurate to O(h^2). ``relative_error`` compares it with the gradient that
``backward`` computed:  |a - b| / (|a| + |b|), with norms over the whole array,
so entries near zero do not blow it up. Below 1e-6 the backward pass is right.

Layers are checked with L = sum(R * layer(x)) for a fixed random R, so that
dL/dy = R; whole models with their compiled loss.
"""
import contextlib

import numpy as np

from .. import backend


def numerical_gradient(f, w, h=1e-6):
    """dL/dw by central differences. ``f()`` returns L; ``w`` is changed and restored."""
    grad = np.zeros_like(w, dtype=np.float64)
    flat, gflat = w.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + h
        up = f()
        flat[i] = old - h
        down = f()
        flat[i] = old
        gflat[i] = (up - down) / (2 * h)
    return grad


def relative_error(analytic, numeric, floor=1e-8):
    """|a - b| / max(|a| + |b|, floor), with norms over the whole array.

    The floor is the noise of a central difference: its rounding error is about
    1e-16 * |L| / h = 1e-10 |L| at h = 1e-6, so a gradient whose norm is below
    ~1e-8 cannot be told from zero, and is compared as an absolute difference.
    """
    analytic, numeric = np.asarray(analytic, np.float64), np.asarray(numeric, np.float64)
    scale = max(np.linalg.norm(analytic) + np.linalg.norm(numeric), floor)
    return float(np.linalg.norm(analytic - numeric) / scale)


@contextlib.contextmanager
def float64_numpy(layers):
    """Run ``layers`` in float64 on the NumPy backend; restore everything after."""
    saved = [dict(layer.params) for layer in layers]
    previous = backend.get_backend()
    try:
        for layer in layers:
            layer.params = {k: v.astype(np.float64) for k, v in layer.params.items()}
        backend.set_backend("numpy")
        yield
    finally:
        backend.set_backend(previous)
        for layer, params in zip(layers, saved):
            layer.params = params


def check_layer(layer, x, seed=0, training=False):
    """Relative errors of dL/dx and of dL/dparam for every parameter of ``layer``.

    x (n, ...) inputs; returns {'input': err, 'kernel': err, ...}, for every parameter
    that has a gradient (not those in ``layer.non_trainable_names``).
    """
    x = np.array(x, dtype=np.float64)
    if not layer.built:
        layer.build(tuple(x.shape[1:]))
    with float64_numpy([layer]):
        r = np.random.default_rng(seed).standard_normal(layer.call(x, training).shape)

        def loss():
            return float((r * layer.call(x, training)).sum())

        loss()
        errors = {"input": relative_error(layer.backward(r), numerical_gradient(loss, x))}
        analytic = dict(layer.grads)
        for name, w in layer.params.items():
            if name in layer.non_trainable_names:
                continue
            errors[name] = relative_error(analytic[name], numerical_gradient(loss, w))
    return errors


def check_model(model, x, y):
    """Relative error of every trained weight's gradient under the model's compiled loss,
    regularization penalties included (L = mean loss + sum of ``model.losses``).

    Returns a list with one error per array that ``fit`` updates, in Keras' order.
    """
    x = np.array(x, dtype=np.float64)
    model._freeze_trainable_set()  # fix the list of trained weights before they become float64 copies
    leaves = list({id(layer): layer for layer, _ in model.weight_slots()}.values())
    with float64_numpy(leaves):
        params = [layer.params[name] for layer, name in model._train_slots]

        def loss():
            out = model.forward(x, training=False)
            return float(model.sample_losses(out, y).mean()) + sum(model.losses)

        model.compute_gradients(x, y)
        analytic = [g.copy() for g in model.gradients()]
        return [relative_error(a, numerical_gradient(loss, p)) for a, p in zip(analytic, params)]
