"""Every kernel refuses arrays that do not fit together before its loops run: a
compiled loop trusts the shapes it is given and would read or write past an
array's end. Both twins raise ValueError (NumPy's own broadcasting error for the
NumPy twins, a check at the top of each Numba kernel)."""
import numpy as np
import pytest

from tinynet.kernels import NUMBA, NUMPY

F = np.float32


def ones(*shape):
    return np.ones(shape, F)


CASES = {
    "matmul": lambda k: k.matmul(ones(2, 5), ones(4, 3)),
    "matmul_tn": lambda k: k.matmul_tn(ones(2, 5), ones(3, 3)),
    "matmul_nt": lambda k: k.matmul_nt(ones(2, 5), ones(4, 3)),
    "dense_forward (x too wide)": lambda k: k.dense_forward(ones(2, 5), ones(4, 3), ones(3), True),
    "dense_forward (bias)": lambda k: k.dense_forward(ones(2, 4), ones(4, 3), ones(5), False),
    "dense_backward": lambda k: k.dense_backward(ones(2, 5), ones(4, 3), ones(2, 3), ones(2, 3), True, True,
                                                 ones(4, 3), ones(3)),
    "adam_update": lambda k: k.adam_update(ones(5), ones(3), ones(5), ones(5), 0.1, 0.9, 0.999, 1e-7),
    "adam_amsgrad_update": lambda k: k.adam_amsgrad_update(ones(5), ones(5), ones(5), ones(5), ones(4),
                                                           0.1, 0.9, 0.999, 1e-7),
    "sgd_update": lambda k: k.sgd_update(ones(5), ones(3), ones(5), 0.1, 0.9, False),
    "adagrad_update": lambda k: k.adagrad_update(ones(5), ones(3), ones(5), 0.1, 1e-7),
    "rmsprop_update": lambda k: k.rmsprop_update(ones(5), ones(5), ones(4), ones(5), ones(5), 0.1, 0.9, 0.0,
                                                 1e-7, False),
}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("table", [NUMBA, NUMPY], ids=["numba", "numpy"])
def test_kernels_refuse_arrays_that_do_not_fit(case, table):
    with pytest.raises(ValueError):
        CASES[case](table)
