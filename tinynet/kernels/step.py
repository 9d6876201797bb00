"""One whole training step of a stack of Dense layers, as a single call.

The readable way to train - and the one to step through - is layer by layer:
``Sequential.compute_gradients`` calls each layer's forward, the loss, each
layer's backward, then ``fit`` checks the result and ``Optimizer.apply``
updates the weights. Each of those calls is a kernel of this package, and
between them Python runs the layers' bookkeeping. For a small model at batch 32
that Python is a noticeable share of a step (benchmarks/README.md has the figures).

``dense_adam_step`` runs the same kernels, on the same data, in the same order,
from one compiled function: gather the batch, then

    h_0 = x_batch
    h_l = dense_forward(h_{l-1}, W_l, b_l, relu_l)          l = 1 .. L
    p   = softmax(h_L)                        (the model's output, for the accuracy)
    losses, dz = softmax_crossentropy(h_L, y_batch)   (the logits h_L: see crossentropy.py)
    loss = mean(losses)
    dz  = dense_backward(h_{l-1}, W_l, ..., dz)            l = L .. 1 (dX skipped at l = 1)
    finite = loss is finite and every db_l is (as Sequential.gradients_finite)
    if finite:   alpha = adam_step_size(lr, beta_1, beta_2, t)
                 adam_update(p, g, m, v, alpha, ...) for W_1, b_1, ..., W_L, b_L
    correct = count_correct(p, labels_batch)

and returns (loss, correct, finite). The same kernels on the same inputs give the
same bits, so this step is the layer-by-layer step without the Python between
(``tests/test_compiled_step.py`` holds the two equal, bit for bit).
``dense_adam_step_numpy`` is its twin over the NumPy kernels.

Shapes: x (N, features) the whole training set (a flat view), order (N,) row
indices or None, targets (N,) class labels, labels (N,) the accuracy's integer
labels; buffer (batch, features); kernels, biases, grads, Adam's m and v: tuples
with one array per layer, W (i, o) and b (o,). Which models qualify is decided
in ``tinynet.models.compiled_step``.
"""
import numpy as np

from .crossentropy import softmax_crossentropy_numba, softmax_crossentropy_numpy, softmax_numba, softmax_numpy
from .dense import dense_backward_numba, dense_backward_numpy, dense_forward_numba, dense_forward_numpy
from .metrics import (all_finite_numba, all_finite_numpy, count_correct_numba, count_correct_numpy,
                      mean_numba, mean_numpy)
from .optim import adam_step_size_numba, adam_step_size_numpy, adam_update_numba, adam_update_numpy
from ._jit import kernel


def dense_adam_step_numpy(x, order, start, stop, targets, labels, buffer, kernels, biases, relu,
                          dkernels, dbiases, m_k, v_k, m_b, v_b, lr, beta_1, beta_2, epsilon, t):
    """The step with the NumPy kernels, in the order of the module docstring."""
    if order is None:
        xb, rows = x[start:stop], slice(start, stop)
    else:
        rows = order[start:stop]
        xb = x.take(rows, axis=0, out=buffer[: stop - start], mode="clip")
    h = [xb]
    for layer in range(len(kernels)):
        h.append(dense_forward_numpy(h[layer], kernels[layer], biases[layer], relu[layer]))
    p = softmax_numpy(h[-1])
    losses, dy = softmax_crossentropy_numpy(h[-1], targets[rows])
    loss = mean_numpy(losses)
    for layer in range(len(kernels) - 1, -1, -1):
        out = p if layer == len(kernels) - 1 else h[layer + 1]
        dy = dense_backward_numpy(h[layer], kernels[layer], out, dy, relu[layer], layer > 0,
                                  dkernels[layer], dbiases[layer])
    finite = bool(np.isfinite(loss)) and all(all_finite_numpy(db) for db in dbiases)
    if finite:
        alpha = float(adam_step_size_numpy(lr, beta_1, beta_2, t))
        for layer in range(len(kernels)):
            adam_update_numpy(kernels[layer], dkernels[layer], m_k[layer], v_k[layer], alpha, beta_1, beta_2, epsilon)
            adam_update_numpy(biases[layer], dbiases[layer], m_b[layer], v_b[layer], alpha, beta_1, beta_2, epsilon)
    return loss, count_correct_numpy(p, labels[rows]), finite


@kernel
def dense_adam_step_numba(x, order, start, stop, targets, labels, buffer, kernels, biases, relu,
                          dkernels, dbiases, m_k, v_k, m_b, v_b, lr, beta_1, beta_2, epsilon, t):
    """The step as one compiled call. Optimisations: none of its own - every
    line calls the kernel the layers call; what it saves is the layers' Python
    between them.

    Call ``numba.get_num_threads()`` once before the first call in a process
    (``CompiledStep`` does): loaded from Numba's cache, a function that is not
    itself parallel does not start the threads that the parallel kernels it calls
    need, and the first parallel region then crashes (Numba issues 8578, 9938).
    Called from Python, the layers' parallel kernels start them on loading."""
    n = stop - start
    if order is None:
        xb = x[start:stop]
        rows = np.arange(start, stop)
    else:
        rows = order[start:stop]
        xb = buffer[:n]
        for r in range(n):  # the batch gather: NumPy's take copies the same values
            src = rows[r]
            for j in range(x.shape[1]):
                xb[r, j] = x[src, j]
    h = [xb]
    for layer in range(len(kernels)):
        h.append(dense_forward_numba(h[layer], kernels[layer], biases[layer], relu[layer]))
    p = softmax_numba(h[-1])
    losses, dz = softmax_crossentropy_numba(h[-1], targets[rows])
    loss = mean_numba(losses)
    dy = dz
    for layer in range(len(kernels) - 1, -1, -1):  # dX is not needed below the first layer
        out = p if layer == len(kernels) - 1 else h[layer + 1]
        dy = dense_backward_numba(h[layer], kernels[layer], out, dy, relu[layer], layer > 0,
                                  dkernels[layer], dbiases[layer])
    finite = np.isfinite(loss)
    for layer in range(len(kernels)):
        finite = finite and all_finite_numba(dbiases[layer])
    if finite:
        alpha = np.float64(adam_step_size_numba(lr, beta_1, beta_2, t))  # a float, as Adam._update passes it
        for layer in range(len(kernels)):
            adam_update_numba(kernels[layer], dkernels[layer], m_k[layer], v_k[layer], alpha, beta_1, beta_2, epsilon)
            adam_update_numba(biases[layer], dbiases[layer], m_b[layer], v_b[layer], alpha, beta_1, beta_2, epsilon)
    return loss, count_correct_numba(p, labels[rows]), finite

