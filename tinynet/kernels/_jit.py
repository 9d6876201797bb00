"""The one place where tinynet configures Numba.

``cache=True``        compiled machine code is saved beside the source, so a second
                      process loads it instead of compiling again.
``fastmath=FLAGS``    lets LLVM reorder sums (``reassoc``) and fuse multiply-adds
                      (``contract``), which is what vectorises a dot product. We do
                      *not* pass ``fastmath=True``: that also promises "no NaN, no
                      inf", and tinynet must still see a NaN to stop training on it.
``error_model="numpy"`` makes division return inf/NaN instead of raising like
                      Python; the check that raising needs stops the loop from
                      vectorising (Adam ran 10x slower with the default).
"""
import numba

FASTMATH = {"reassoc", "contract", "nsz", "arcp"}


def kernel(fn):
    """Compile ``fn`` as a tinynet kernel (see the module docstring for the flags)."""
    return numba.njit(cache=True, fastmath=FASTMATH, error_model="numpy")(fn)


def exact_kernel(fn):
    """Like ``kernel`` but with IEEE arithmetic kept in the written order.

    For the cross-entropy kernels, where the order of operations *is* the
    numerical stability: with ``reassoc`` LLVM may rewrite (z - max) - log(s)
    as z - (max + log(s)), which cancels catastrophically for large logits.
    """
    return numba.njit(cache=True, error_model="numpy")(fn)
