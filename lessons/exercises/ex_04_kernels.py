"""Exercises of lesson 4 (from a triple loop to a fast kernel).
Write each function; check with: python3 -m pytest lessons/exercises/test_04_kernels.py"""


def matmul_rows(a, b):
    """Exercise 1. C = A @ B in the loop order i, k: for each row i of A and each k,
    add a[i, k] times row k of B to row i of C (one NumPy operation on a whole row).
    This order reads B along its rows - the order tinynet's kernel vectorises.

    a (m, k), b (k, n) -> float32 (m, n). Do not use @, np.dot or np.matmul.
    """
    raise NotImplementedError("exercise 1: matmul_rows")


def zero_block_share(x, block=4):
    """Exercise 2. The share of the block x block tiles of x (m, n) that are all 0:
    the tiles tinynet's kernel skips. Count only whole tiles (rows and columns past
    the last multiple of ``block`` are left out). Returns a float in [0, 1]."""
    raise NotImplementedError("exercise 2: zero_block_share")


def flush_subnormal(a):
    """Exercise 3. A copy of the float32 array ``a`` with every subnormal entry -
    not 0, and smaller in magnitude than np.finfo(np.float32).tiny - replaced by 0."""
    raise NotImplementedError("exercise 3: flush_subnormal")
