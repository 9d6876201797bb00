"""Any other elementwise function as an activation: ``Dense(8, activation=my_fn)``.

Its forward is the function itself. Its backward is a central difference, in
float64, for every entry at once: because the function acts on each entry
alone, moving every z_i by its own step h_i moves each a_i by f(z_i + h_i) only,
so two calls give the whole derivative,

    f'(z)  ~  (f(z + h) - f(z - h)) / ((z + h) - (z - h)),    h = 6e-6 max(1, |z|),

accurate to about 1e-10 relative for a smooth f (h = eps^(1/3) balances the
O(h^2) error of the formula against the rounding of f). Dividing by the step
actually taken, not by 2h, removes the rounding of z + h itself. At a kink
(|x| at 0, say) the result is the mean of the two slopes.

A function that mixes entries (a softmax, say) gets a wrong backward this way;
tinynet cannot tell, so it only checks that the shape is kept.
"""
import numpy as np

_STEP = np.finfo(np.float64).eps ** (1 / 3)


def _apply(fn, name, z):
    a = np.asarray(fn(z))
    if a.shape != z.shape:
        raise ValueError(f"The activation function {name} must return an array of its input's shape "
                         f"(it is applied to each entry). Received: input shape {z.shape}, output shape {a.shape}")
    return a


def elementwise(fn, name):
    """(forward, backward) for a user's elementwise function ``fn``."""

    def forward(z):
        return _apply(fn, name, z).astype(z.dtype, copy=False)

    def backward(z, a, da):
        z64 = np.asarray(z, np.float64)
        h = _STEP * np.maximum(1.0, np.abs(z64))
        up, down = z64 + h, z64 - h
        slope = (_apply(fn, name, up).astype(np.float64) - _apply(fn, name, down)) / (up - down)
        return (da * slope).astype(da.dtype, copy=False)

    forward.__name__ = backward.__name__ = name
    return forward, backward
