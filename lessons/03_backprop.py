# %% [markdown]
# # Lesson 3: backpropagation by hand, checked by numbers
#
# tinynet has no automatic differentiation: every layer's backward pass is written
# out. This lesson derives the three that the seed model uses, then checks each on
# one small example against central differences (`tinynet.utils.gradient_check`).
#
# ## Dense:  y = x W + b
# For one sample x (1 x i), W (i x o), b (o): y_j = sum_k x_k W_kj + b_j. Given
# dL/dy (the gradient flowing back from above),
#
# * dL/dW_kj = x_k dL/dy_j, so over a batch  **dW = x^T dY**  (i x o),
# * dL/db_j = dL/dy_j, summed over the batch:  **db = sum_n dY**,
# * dL/dx_k = sum_j W_kj dL/dy_j:  **dX = dY W^T**  (n x i).
#
# ## ReLU:  a = max(z, 0)
# Its slope is 1 where z > 0 and 0 elsewhere, so  **dZ = dA * (z > 0)**. (At exactly
# 0 the slope is undefined; like every framework, tinynet uses 0.)
#
# ## Softmax + cross-entropy
# p_j = exp(z_j) / sum_k exp(z_k) and L = -log p_y for the true class y. Then
# L = -z_y + log sum_k exp(z_k), and
#
#     dL/dz_j = -[j = y] + exp(z_j) / sum_k exp(z_k) = p_j - [j = y].
#
# So the gradient of the fused pair is simply **p - onehot(y)** (divided by n for a
# batch mean). This is why tinynet, like Keras, computes the loss from the logits
# z when the last layer is a softmax: the result is exact and never overflows,
# while log(p) of a rounded probability can be log(0).
#
# ## Checking
# A central difference (L(w + h) - L(w - h)) / 2h approximates each partial
# derivative to O(h^2). We compare it with the backward pass in float64 as a
# relative error |a - b| / (|a| + |b|): below 1e-6 means right.

# %%
QUICK = False  # True: tiny settings that run in seconds, as --quick or TINYNET_QUICK=1 do

# %%
import numpy as np
from lesson_kit import Lesson

import tinynet
from tinynet import losses
from tinynet.layers import Dense, ReLU
from tinynet.models import Sequential
from tinynet.layers import Flatten
from tinynet.utils.gradient_check import check_layer, check_model, numerical_gradient, relative_error

lesson = Lesson("03_backprop", "Backpropagation checked numerically", defaults={}, quick={})
tinynet.utils.set_random_seed(lesson.seed)
rng = np.random.default_rng(lesson.seed)
x = rng.standard_normal((4, 5))

# %% [markdown]
# ### Dense, with each activation

# %%
for activation in ["linear", "relu", "sigmoid", "tanh", "softmax"]:
    layer = Dense(3, activation=activation)
    layer.build((5,))
    errors = check_layer(layer, x)
    print(f"Dense(3, activation={activation!r:10}) " + "  ".join(f"{k}: {v:.1e}" for k, v in errors.items()))

# %% [markdown]
# ### ReLU alone, and by hand
# With dL/da = r, the backward pass must return r where z > 0 and 0 elsewhere.

# %%
z = rng.standard_normal((2, 4))
relu = ReLU()
relu.call(z)
r = rng.standard_normal(z.shape)
print("z            ", np.round(z, 3).tolist())
print("dL/dz (ours) ", np.round(relu.backward(r), 3).tolist())
print("r * (z > 0)  ", np.round(r * (z > 0), 3).tolist())
print("check_layer  ", check_layer(ReLU(), z))

# %% [markdown]
# ### Softmax + cross-entropy: p - onehot(y)

# %%
logits = rng.standard_normal((1, 4))
y = np.array([2])
loss = losses.SparseCategoricalCrossentropy(from_logits=True)
tinynet.set_backend("numpy")  # float64 throughout for this check
analytic = loss.gradient(y, logits)
numeric = numerical_gradient(lambda: float(loss.per_sample(y, logits).mean()), logits)
p = np.exp(logits) / np.exp(logits).sum()
print("p - onehot(y)     ", np.round(p - np.eye(4)[y], 6).tolist())
print("backward pass     ", np.round(analytic, 6).tolist())
print("central difference", np.round(numeric, 6).tolist())
print(f"relative error     {relative_error(analytic, numeric):.1e}")
tinynet.set_backend("numba")

# %% [markdown]
# ### The whole seed model (narrower), every weight at once

# %%
model = Sequential([Flatten(input_shape=(5,)), Dense(6, activation="relu"), Dense(4, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
labels = rng.integers(0, 4, len(x))
errors = check_model(model, x, labels)
for (name, shape), err in zip([("kernel 1", (5, 6)), ("bias 1", (6,)), ("kernel 2", (6, 4)), ("bias 2", (4,))], errors):
    print(f"{name:9} {str(shape):7} relative error {err:.1e}")
assert max(errors) < 1e-6, "a backward pass disagrees with its central difference"
lesson.finish()
