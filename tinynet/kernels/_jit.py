"""The one place where tinynet configures Numba.

``cache=True``        compiled machine code is saved beside the source, so a second
                      process loads it instead of compiling again.
``fastmath=FASTMATH`` lets LLVM reorder sums (``reassoc``) and fuse multiply-adds
                      (``contract``), which is what vectorises a dot product. We do
                      *not* pass ``fastmath=True``: that also promises "no NaN, no
                      inf", and tinynet must still see a NaN to stop training on it.
``error_model="numpy"`` makes division return inf/NaN instead of raising like
                      Python; the check that raising needs stops the loop from
                      vectorising (Adam ran 10x slower with the default).

Threads: kernels marked ``parallel_kernel`` split big products over Numba's
threads (``prange``); small ones stay on one thread, where a parallel region's
start-up would cost more than it saves. Numba owns the threads of the
'numba' backend and never calls BLAS; set their number with
``tinynet.set_num_threads(n)`` or ``NUMBA_NUM_THREADS``. We ask for the OpenMP
threading layer: on this machine Numba's fallback ("workqueue") started every
parallel region ~4x slower than the whole product takes.

Vector code (AVX2 and AVX-512 machines; others keep Numba's defaults):
``SLP_VECTORIZE``     LLVM's straight-line ("superword") vectoriser, off in Numba by
                      default since Numba 0.57 because of miscompilations in older
                      LLVMs. The matrix-product tiles (``tiles.py``) are written as
                      scalar accumulators that only it packs into vector registers:
                      without it they run one float at a time. On AVX2 it also sped
                      up the convolution's other loops (benchmarks/README.md, Zen 3).
                      tinynet's twins tests hold every kernel to its NumPy twin.
``-prefer-256-bit``   (AVX-512 only) LLVM tunes some AVX-512 CPUs (Ice Lake, Rocket
                      Lake, Sapphire Rapids) to use 256-bit vectors, half a 512-bit
                      register, to avoid clock slow-downs on older chips. We ask
                      for the full width.
Both are set (as NUMBA_* environment variables) before anything compiles and
only if the environment has not chosen (``NUMBA_SLP_VECTORIZE``,
``NUMBA_CPU_NAME``/``NUMBA_CPU_FEATURES``). They
are fixed per machine, so results stay deterministic; the CPU features are part
of the key of Numba's cache, so a changed string compiles again, once. The SLP
switch is not part of that key: a cache made before a change to it keeps the old
code of unchanged modules until ``tinynet/kernels/__pycache__`` is deleted.
``VECTOR_FLOATS``     floats per vector register for which Numba compiles (16 with
                      AVX-512, 8 with AVX2, else 4): ``matmul.py`` picks its loop by it.
"""
import os
import platform

import llvmlite.binding as llvm
import numba

FASTMATH = {"reassoc", "contract", "nsz", "arcp"}


def _vector_setup():
    """Configures Numba's vector code (see the module docstring); returns the
    floats per vector register of the CPU that Numba compiles for."""
    if platform.machine().lower() not in ("x86_64", "amd64"):
        return 4
    features = numba.config.CPU_FEATURES
    if features is None:
        features = llvm.get_host_cpu_features().flatten()
    flags = features.split(",")
    if "+avx2" not in flags or "+fma" not in flags:
        return 4
    os.environ.setdefault("NUMBA_SLP_VECTORIZE", "1")
    if "+avx512f" not in flags:
        return 8
    if "NUMBA_CPU_FEATURES" not in os.environ and "NUMBA_CPU_NAME" not in os.environ:
        os.environ["NUMBA_CPU_FEATURES"] = features + ",-prefer-256-bit"
    return 16


VECTOR_FLOATS = _vector_setup()

# Below this many multiply-adds a product runs on one thread: at 1M (32x256x128)
# two threads clearly beat one, at half that the gain went either way from run to
# run (benchmarks/README.md, "Two threads from 1M multiply-adds").
# Numba's cache does not notice a change here in the kernels of other modules
# that use it: delete tinynet/kernels/__pycache__ after editing this file.
PARALLEL_MIN_WORK = 1_000_000

try:  # OpenMP needs libgomp; without it Numba picks its own (slower) layer.
    import numba.np.ufunc.omppool  # noqa: F401

    os.environ.setdefault("NUMBA_THREADING_LAYER", "omp")
except ImportError:
    pass

# The thread count, from inside a kernel (``pieces_for``). Numba's public
# ``numba.get_num_threads`` there keeps a kernel out of the on-disk cache (it
# calls through a ctypes pointer); its intrinsic calls the threading layer's
# function by name, which the cache keeps - once the threads are started, which
# registers that name: hence the call below, before any cached kernel loads.
# With NUMBA_DISABLE_JIT the kernels are plain Python and use the public one.
# Started at import, OpenMP's threads make ``fork`` unsafe from then on (as any
# parallel kernel did before): a process that forks children which run kernels
# should use multiprocessing's "spawn" start method (README, "Threads").
try:
    from numba.np.ufunc.parallel import _iget_num_threads
except ImportError:  # a Numba without it: "unknown", so the pieces stay as parts_for cuts them
    @numba.njit(cache=True)
    def _iget_num_threads():
        return 0
threads_in_use = numba.get_num_threads if numba.config.DISABLE_JIT else _iget_num_threads

# Through the environment, not by setting ``numba.config`` directly: Numba reads
# its configuration again whenever a NUMBA_* variable changes (it checks before
# compiling), which would silently undo values set on ``numba.config``. The
# processes tinynet's tests and benchmarks start inherit the same settings.
numba.config.reload_config()
numba.get_num_threads()  # starts the threads now (see threads_in_use)


def kernel(fn):
    """Compile ``fn`` as a tinynet kernel (see the module docstring for the flags)."""
    return numba.njit(cache=True, fastmath=FASTMATH, error_model="numpy")(fn)


def parallel_kernel(fn):
    """Like ``kernel``, and its ``prange`` loops run on several threads."""
    return numba.njit(cache=True, fastmath=FASTMATH, error_model="numpy", parallel=True)(fn)


def tile_kernel(fn):
    """Like ``kernel`` but fusing multiply-adds only (``contract``), no reordering:
    for the register tiles of ``tiles.py`` (``make_tiles.py`` says why)."""
    return numba.njit(cache=True, fastmath={"contract"}, error_model="numpy")(fn)


def exact_kernel(fn):
    """Like ``kernel`` but with IEEE arithmetic kept in the written order.

    For the cross-entropy kernels, where the order of operations *is* the
    numerical stability: with ``reassoc`` LLVM may rewrite (z - max) - log(s)
    as z - (max + log(s)), which cancels catastrophically for large logits;
    and for the optimizer updates, whose twins must give the same bits.
    ``fastmath=False`` is spelled out because a kernel that does not set it
    inherits its caller's: called from a fast-math kernel (a threaded wrapper,
    say), it would silently compile with fused multiply-adds.
    """
    return numba.njit(cache=True, fastmath=False, error_model="numpy")(fn)


@kernel
def split(part, parts, n, align):
    """Rows [lo, hi) of part ``part`` when n rows are cut into ``parts`` pieces
    whose boundaries fall on multiples of ``align`` (the kernels' block height)."""
    blocks = n // align
    lo = blocks * part // parts * align
    hi = n if part == parts - 1 else blocks * (part + 1) // parts * align
    return lo, hi


@kernel
def parts_for(rows, work, align):
    """How many pieces to cut ``rows`` into: 1 for small work, else up to 8
    pieces of at least 2 blocks, which Numba then shares among its threads."""
    if work < PARALLEL_MIN_WORK:
        return 1
    return max(1, min(8, rows // (2 * align)))


@kernel
def pieces_for(rows, work, align):
    """``parts_for``, but 1 piece on a single thread, where more pieces would
    only repeat the packing and the reads of B. For the products alone: each of
    their rows (or columns) of C is summed the same way however they are cut,
    so the thread count still changes no result. (The Dense kernels and the
    convolutions cut their sums themselves and keep pieces fixed.)"""
    if threads_in_use() == 1:
        return 1
    return parts_for(rows, work, align)
