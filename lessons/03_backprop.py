# %% [markdown]
# # Lesson 3: backpropagation by hand, checked by numbers
#
# tinynet has no automatic differentiation: every layer's backward pass is written
# out. This lesson derives each one it checks - Dense, ReLU, sigmoid, tanh,
# softmax, and softmax fused with cross-entropy - writes the derived formula in
# NumPy, and compares three numbers for each: the formula, tinynet's backward
# pass, and a central difference (`tinynet.utils.gradient_check`).
#
# Notation: a layer maps its input $x$ to its output $y$; the loss $L$ comes
# later. The backward pass receives $\partial L / \partial y$ (written $dY$, the
# gradient flowing back from above) and returns $\partial L / \partial x$ ($dX$),
# storing the gradients of its own weights on the way.
#
# ## Checking
# A central difference approximates each partial derivative to $O(h^2)$:
# $$\frac{\partial L}{\partial w_i} \approx \frac{L(w + h e_i) - L(w - h e_i)}{2h}.$$
# We compare in float64 by the relative error $\|a - b\| / (\|a\| + \|b\|)$:
# below $10^{-6}$ means right. For a single layer the loss is
# $L = \sum R \odot y$ for a fixed random $R$, so that $dY = R$.

# %%
QUICK = False  # True: tiny settings, as --quick or TINYNET_QUICK=1: seconds once Numba has compiled the kernels

# %%
from lesson_kit import Lesson  # first: it sets NumPy's threads before NumPy loads
import numpy as np

import tinynet
from tinynet import losses
from tinynet.layers import Activation, Dense, Flatten
from tinynet.models import Sequential
from tinynet.utils.gradient_check import check_layer, check_model, numerical_gradient, relative_error

lesson = Lesson("03_backprop", "Backpropagation checked numerically", defaults={}, quick={})
tinynet.utils.set_random_seed(lesson.seed)
rng = np.random.default_rng(lesson.seed)
previous_backend = tinynet.get_backend()
tinynet.set_backend("numpy")  # float64 stays float64 on the NumPy backend; put back at the end


def compare(name, formula, layer, x, r):
    """The derived formula against the layer's backward pass and a central difference,
    all for L = sum(r * layer(x))."""
    x = x.astype(np.float64)
    layer.call(x)
    backward = layer.backward(r)
    numeric = numerical_gradient(lambda: float((r * layer.call(x)).sum()), x)
    print(f"{name:28} formula vs backward {relative_error(formula, backward):.1e}   "
          f"formula vs central difference {relative_error(formula, numeric):.1e}")
    return relative_error(formula, numeric)


errors = {}

# %% [markdown]
# ## Dense: $y = xW + b$
# For one sample $x$ $(1 \times i)$, $W$ $(i \times o)$, $b$ $(o)$:
# $y_j = \sum_k x_k W_{kj} + b_j$. By the chain rule,
#
# * $\partial L / \partial W_{kj} = x_k \, \partial L / \partial y_j$, so over a batch $dW = x^\top dY$ $(i \times o)$;
# * $\partial L / \partial b_j = \partial L / \partial y_j$, summed over the batch: $db = \sum_n dY_n$;
# * $\partial L / \partial x_k = \sum_j W_{kj} \, \partial L / \partial y_j$: $dX = dY W^\top$ $(n \times i)$.

# %%
x = rng.standard_normal((4, 5))
dense = Dense(3)
dense.build((5,))
dense.params = {k: v.astype(np.float64) for k, v in dense.params.items()}
r = rng.standard_normal((4, 3))
errors["Dense dX"] = compare("Dense: dX = dY W^T", r @ dense.kernel.T, dense, x, r)
print(f"{'Dense: dW = x^T dY':28} formula vs backward {relative_error(x.T @ r, dense.grads['kernel']):.1e}")
print(f"{'Dense: db = sum dY':28} formula vs backward {relative_error(r.sum(axis=0), dense.grads['bias']):.1e}")
errors.update({f"Dense {k}": v for k, v in check_layer(Dense(3), x).items()})  # dW and db numerically too

# %% [markdown]
# ## Elementwise activations: $a = f(z)$
# Each output depends on its own input only, so $dZ = f'(z) \odot dA$:
#
# * **ReLU**, $f(z) = \max(z, 0)$: $f'(z) = 1$ where $z > 0$, else 0 (at exactly
#   0 the slope is undefined; like every framework, tinynet uses 0).
# * **sigmoid**, $\sigma(z) = 1 / (1 + e^{-z})$: $\sigma'(z) = e^{-z} / (1 + e^{-z})^2
#   = \sigma(z)\,(1 - \sigma(z))$, written from the output $a$ as $a(1 - a)$.
# * **tanh**, $\tanh z = (e^z - e^{-z}) / (e^z + e^{-z})$: the quotient rule gives
#   $1 - \tanh^2 z$, that is $1 - a^2$.

# %%
z = rng.standard_normal((4, 6))
r = rng.standard_normal(z.shape)
sig = 1 / (1 + np.exp(-z))
for name, slope in [("relu", (z > 0).astype(float)), ("sigmoid", sig * (1 - sig)), ("tanh", 1 - np.tanh(z) ** 2)]:
    errors[name] = compare(f"{name}: dZ = f'(z) * dA", slope * r, Activation(name), z, r)

# %% [markdown]
# ## Softmax: a whole row at once
# $p_j = e^{z_j} / \sum_k e^{z_k}$ depends on every $z_k$ of its row, so the
# derivative is a matrix, the Jacobian: with $S = \sum_k e^{z_k}$,
# $$\frac{\partial p_j}{\partial z_k} = \frac{[j = k]\, e^{z_j}}{S} - \frac{e^{z_j} e^{z_k}}{S^2} = p_j([j = k] - p_k).$$
# Multiplying it by $dP$ never needs the matrix:
# $$dZ_k = \sum_j dP_j\, p_j([j = k] - p_k) = p_k \Big(dP_k - \sum_j dP_j\, p_j\Big).$$

# %%
z = rng.standard_normal((4, 5))
r = rng.standard_normal(z.shape)
p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
errors["softmax"] = compare("softmax: p * (dP - sum dP p)", p * (r - (r * p).sum(axis=1, keepdims=True)),
                            Activation("softmax"), z, r)

# %% [markdown]
# ## Softmax + cross-entropy: $p - \text{onehot}(y)$
# With the loss $L = -\log p_y$ for the true class $y$,
# $L = -z_y + \log \sum_k e^{z_k}$, and
# $$\frac{\partial L}{\partial z_j} = -[j = y] + \frac{e^{z_j}}{\sum_k e^{z_k}} = p_j - [j = y].$$
# So the gradient of the fused pair is simply $p - \text{onehot}(y)$ (divided by
# $n$ for a batch mean). This is why tinynet, like Keras, computes the loss from
# the logits $z$ when the last layer is a softmax: the result is exact and never
# overflows, while $\log p$ of a rounded probability can be $\log 0$.

# %%
logits = rng.standard_normal((1, 4))
y = np.array([2])
loss = losses.SparseCategoricalCrossentropy(from_logits=True)
analytic = loss.gradient(y, logits)
numeric = numerical_gradient(lambda: float(loss.per_sample(y, logits).mean()), logits)
p = np.exp(logits) / np.exp(logits).sum()
print("p - onehot(y)     ", np.round(p - np.eye(4)[y], 6).tolist())
print("backward pass     ", np.round(analytic, 6).tolist())
print("central difference", np.round(numeric, 6).tolist())
errors["softmax + cross-entropy"] = relative_error(p - np.eye(4)[y], numeric)
print(f"relative error, formula vs central difference {errors['softmax + cross-entropy']:.1e}")

# %% [markdown]
# ## The whole seed model (narrower), every weight at once
# Chaining the layers' backward passes gives every weight's gradient; the check
# perturbs each weight of the model in turn.

# %%
model = Sequential([Flatten(input_shape=(5,)), Dense(6, activation="relu"), Dense(4, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
x = rng.standard_normal((4, 5))
labels = rng.integers(0, 4, len(x))
for (name, shape), err in zip([("kernel 1", (5, 6)), ("bias 1", (6,)), ("kernel 2", (6, 4)), ("bias 2", (4,))],
                              check_model(model, x, labels)):
    errors[f"model {name}"] = err
    print(f"{name:9} {str(shape):7} relative error {err:.1e}")

# %%
tinynet.set_backend(previous_backend)
worst = max(errors, key=errors.get)
print(f"\n{len(errors)} gradients checked; the largest relative error is {errors[worst]:.1e} ({worst}): "
      + ("every derivation above agrees with its central difference." if errors[worst] < 1e-6 else
         "above 1e-6, so a derivation or a backward pass is wrong."))
print(f"backend restored to {tinynet.get_backend()!r}")
assert errors[worst] < 1e-6, "a backward pass disagrees with its central difference"

# %% [markdown]
# ## Exercises
# Write them in `lessons/exercises/ex_03_backprop.py` and check them with
# `python3 -m pytest lessons/exercises/test_03_backprop.py`: each check fails until its
# exercise is solved. Worked solutions: `lessons/exercises/solutions/ex_03_backprop.py`.
#
# 1. **Dense backward.** `dense_backward(x, w, dy)` returns $dX = dY W^\top$,
#    $dW = X^\top dY$ and $db = \sum_n dY_n$.
# 2. **Sigmoid backward.** `sigmoid_backward(z, dy)` $= dY \odot \sigma(z)(1 - \sigma(z))$.
# 3. **Softmax + cross-entropy.** `softmax_cross_entropy_gradient(logits, y)`
#    $= (p - \mathrm{onehot}(y)) / n$. Each check compares with central differences.

# %%
lesson.finish()
