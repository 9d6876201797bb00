"""Every hot path of tinynet, twice: a readable NumPy function and a Numba kernel.

Each module here holds one concept, and inside it each ``*_numpy`` function sits
right above the ``*_numba`` kernel that must return the same numbers (tests in
``tests/test_kernels.py`` hold them equal). Read the NumPy twin first: it is
the definition. The Numba kernel is the same maths written as loops so that it
runs fast; its docstring lists the optimisations it uses.

    matmul.py        X @ W, X.T @ dY, dY @ W.T      (the three products of Dense)
    make_tiles.py    writes tiles.py: the register tiles of the product on
                     AVX-512 (matmul.py's ``_nn4x4`` is the same idea, readable),
                     and the tiles that read A straight from an image
    sparse.py        products that skip the zeros of dZ (a convolution under pooling)
    dense.py         Dense forward (+bias, +ReLU) and backward, fused
    windows.py       sliding windows over images: sizes, padding, im2col, col2im
    conv.py          Conv2D forward (+bias, +ReLU) and backward: im2col, then products
    pooling.py       max, average and global pooling, forward and backward
    implicit.py      a convolution's products with its im2col read from the image
                     through two lists of offsets, never copied
    conv_pool.py     a Conv2D and the MaxPooling2D after it, one image at a time
                     (its output never written out: ``tinynet/models/fusion.py``)
    batchnorm.py     batch normalization: moments, forward, backward
    crossentropy.py  softmax; softmax or sigmoid + cross-entropy, forward and backward, fused
    metrics.py       counting correct predictions, the batch mean, a finiteness check
    special.py       the complementary error function erfc (for the GELU activation)
    optim.py         SGD, Adam (and AMSGrad) updates and weight decay, in place,
                     one pass per parameter; slots and gradients too small
                     for normal float32 arithmetic treated as 0 (two floors)
    optim_adaptive.py
                     RMSprop and Adagrad updates, likewise
    step.py          a whole training step of Dense layers (softmax, sparse
                     cross-entropy, Adam) as one call of the kernels above, which
                     ``fit`` uses when it can (``tinynet/models/compiled_step.py``)

The two tables below are the backends: ``tinynet.set_backend`` picks one and the
layers call ``tinynet.backend.ops.<name>``. Set ``NUMBA_DISABLE_JIT=1`` to run
every Numba kernel as plain Python and step into it with a debugger.
"""
from types import SimpleNamespace

from . import batchnorm, conv, conv_pool, crossentropy, dense, matmul, metrics, optim, optim_adaptive, pooling, special

_NAMES = [
    ("matmul", matmul), ("matmul_tn", matmul), ("matmul_nt", matmul),
    ("dense_forward", dense), ("dense_backward", dense),
    ("conv2d_forward", conv), ("conv2d_backward", conv),
    ("conv2d_pool_forward", conv_pool), ("conv2d_pool_backward", conv_pool),
    ("max_pool_forward", pooling), ("max_pool_backward", pooling),
    ("avg_pool_forward", pooling), ("avg_pool_backward", pooling),
    ("global_avg_pool_forward", pooling), ("global_avg_pool_backward", pooling),
    ("global_max_pool_forward", pooling), ("global_max_pool_backward", pooling),
    ("batchnorm_moments", batchnorm), ("batchnorm_forward", batchnorm), ("batchnorm_backward", batchnorm),
    ("softmax", crossentropy), ("softmax_crossentropy", crossentropy), ("softmax_crossentropy_onehot", crossentropy),
    ("sigmoid_crossentropy", crossentropy),
    ("count_correct", metrics), ("mean", metrics), ("all_finite", metrics),
    ("adam_step_size", optim), ("adam_update", optim), ("adam_amsgrad_update", optim),
    ("sgd_update", optim), ("weight_decay", optim),
    ("rmsprop_update", optim_adaptive), ("adagrad_update", optim_adaptive),
    ("erfc", special),
]


def _table(suffix):
    return SimpleNamespace(**{name: getattr(module, f"{name}_{suffix}") for name, module in _NAMES})


NUMPY = _table("numpy")
NUMBA = _table("numba")
