# %% [markdown]
# # Lesson 7: one training step, from the inside
#
# `fit` repeats one step thousands of times: a batch goes **forward** through
# the layers, the **loss** says how wrong the outputs are, the **backward** pass
# sends $\partial L / \partial(\cdot)$ back through the layers, leaving each
# weight's gradient, and the **optimizer** moves every weight. This lesson stops
# at one step and looks at everything it computed, with
# `tinynet.utils.trace_step`:
#
# ```python
# t = trace_step(model, x_batch, y_batch)   # records one step, then puts the weights back
# print(t.table()); t.plot()
# ```
#
# For each layer it records the input and output (shapes, first values,
# statistics) and the gradient that arrived in the backward pass; for each
# weight its gradient, a numerical check of that gradient (lesson 3's central
# differences, on a few sampled entries) and the size of the update against the
# size of the weight, $\|\Delta w\| / \|w\|$.
#
# It is used here on lesson 2's three models, on one batch of 32 images.

# %%
QUICK = False  # True: tiny settings, as --quick or TINYNET_QUICK=1: seconds once Numba has compiled the kernels

# %%
from lesson_kit import Lesson  # first: it sets NumPy's threads before NumPy loads
import numpy as np

import tinynet
from tinynet.datasets import mnist
from tinynet.layers import Dense, Flatten
from tinynet.models import Sequential
from tinynet.utils import trace_step

lesson = Lesson("07_step_through", "One training step, from the inside",
                defaults={"epochs": 1, "subset": 10_000}, quick={"epochs": 1, "subset": 500})

CHECKED = 3 if lesson.quick else 8  # entries of each weight checked numerically

(x_train, y_train), _ = mnist.load_data()
x_train = x_train[: lesson.subset].astype("float32") / 255.0
y_train = y_train[: lesson.subset]
x, y = x_train[:32], y_train[:32]  # one batch

ARCHITECTURES = {"Under-fitting (too simple)": [], "Balanced (your model)": [128],
                 "Over-fitting (too complex)": [512, 512, 256, 128]}


def make_model(hidden):
    tinynet.utils.set_random_seed(lesson.seed)
    model = Sequential([Flatten(input_shape=(28, 28))]
                       + [Dense(units, activation="relu") for units in hidden]
                       + [Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


# %% [markdown]
# ## The first step of each model
# Read the tables from top to bottom: the forward table follows the batch
# through the layers; the backward table follows the gradient back up; the
# parameter table says what the step did to each weight.

# %%
traces = {}
for name, hidden in ARCHITECTURES.items():
    model = make_model(hidden)
    traces[name] = trace_step(model, x, y, check_entries=CHECKED)
    print(f"\n### {name}\n{traces[name].table()}")
    lesson.save(traces[name].plot(), f"trace_{name.split()[0].lower()}.png")

# %% [markdown]
# ## Reading them
# **The loss before any training.** Ten classes and small random weights give
# every digit a probability near $1/10$, so the first loss is near
# $-\log(1/10) = \ln 10 \approx 2.303$.
#
# **The backward pass stops early.** The first Dense layer's input is the data:
# nothing needs $\partial L/\partial x$ there, so it is not computed, and the
# Flatten before it is never called backward at all.
#
# **Adam's first step has a fixed size.** After one step Adam's running means are
# $m = (1 - \beta_1) g$ and $v = (1 - \beta_2) g^2$; with their bias corrections,
# $\hat m / (\sqrt{\hat v} + \epsilon) = g / (|g| + \epsilon) \approx \pm 1$. So every
# weight whose gradient is not 0 moves by about the learning rate, $0.001$,
# whatever its gradient (a little less where $|g|$ is not much larger than
# $\epsilon = 10^{-7}$), and $\|\Delta w\| \approx 0.001 \sqrt{k}$ for $k$ such
# weights. Weights whose gradient is exactly 0 do not move - in the first layer, the rows of pixels that are blank
# in all 32 images, and in every layer, units that no image switched on.

# %%
balanced = traces["Balanced (your model)"]
for p in balanced.params:
    moving = int(np.count_nonzero(p.grad))
    predicted = 0.001 * np.sqrt(moving)
    print(f"{p.layer}.{p.name:7} {moving:6d} of {p.grad.size:6d} entries have a gradient; "
          f"0.001 * sqrt({moving}) = {predicted:.5f}, measured ||dw|| = {np.linalg.norm(p.update):.5f}")
for name, t in traces.items():
    print(f"{name}: loss before the first step {t.loss:.4f} (ln 10 = {np.log(10):.4f})")

# %% [markdown]
# ## One layer by hand
# The first Dense layer of the balanced model computes $y = \mathrm{relu}(xW + b)$;
# its backward pass, given $dY$, computes $dZ = dY \odot [y > 0]$ and
# $dW = x^\top dZ$ (lesson 3). The cell recomputes both from the recorded input
# and the recorded incoming gradient, and compares them with what the step
# computed.

# %%
layer = balanced.layers[1]
kernel = next(p for p in balanced.params if p.layer == layer.name and p.name == "kernel")
bias = next(p for p in balanced.params if p.layer == layer.name and p.name == "bias")
y_by_hand = np.maximum(layer.x @ kernel.value + bias.value, 0)
dz = layer.dy * (layer.y > 0)
print(f"forward:  largest difference from relu(x W + b) {np.abs(y_by_hand - layer.y).max():.2e} "
      f"(float32 sums in another order)")
print(f"backward: largest difference from x^T (dY * [y > 0]) {np.abs(layer.x.T @ dz - kernel.grad).max():.2e}")
print(f"{np.mean(layer.y == 0):.0%} of this layer's outputs are 0, so at least that share of dZ is 0 "
      f"(here {np.mean(dz == 0):.0%}): a unit that did not fire passes no gradient back")

# %% [markdown]
# ## The same batch after training
# Now the balanced model trains for an epoch (or `--epochs`) on the first
# training images and the same batch is traced again. The printout compares the
# two steps weight by weight.

# %%
model = make_model(ARCHITECTURES["Balanced (your model)"])
model.fit(x_train, y_train, epochs=lesson.epochs, batch_size=32, verbose=0)
after = trace_step(model, x, y, check_entries=CHECKED)
print(after.table())
lesson.save(after.plot(), "trace_balanced_trained.png")
print(f"\nloss on the batch: {balanced.loss:.4f} before training, {after.loss:.4g} after "
      f"{model.optimizer.iterations} steps")
for first, later in zip(balanced.params, after.params):
    print(f"{first.layer}.{first.name:7} ||grad|| {np.linalg.norm(first.grad):.3g} -> {np.linalg.norm(later.grad):.3g};"
          f"  ||dw||/||w|| {'-' if first.ratio is None else f'{first.ratio:.3g}'} -> {later.ratio:.3g}")
dead_then, dead_now = (np.mean((t.layers[1].y == 0).all(axis=0)) for t in (balanced, after))
print(f"hidden units silent on all 32 images: {dead_then:.0%} at the start, {dead_now:.0%} after training")

# %% [markdown]
# ## Exercises
# Write them in `lessons/exercises/ex_07_step_through.py` and check them with
# `python3 -m pytest lessons/exercises/test_07_step_through.py`: each check fails until its
# exercise is solved. Worked solutions: `lessons/exercises/solutions/ex_07_step_through.py`.
#
# 1. **Step size.** `update_ratio(before, after)` $= \|w' - w\| / \|w\|$.
# 2. **Adam's first step.** `adam_first_update(g, lr)`: with $m = (1 - \beta_1) g$,
#    $v = (1 - \beta_2) g^2$ and $\alpha = \eta \sqrt{1 - \beta_2} / (1 - \beta_1)$,
#    $\Delta w = -\alpha\, m / (\sqrt v + \epsilon)$.
# 3. **Silent units.** `silent_units(outputs)`: the units that are 0 for every
#    sample of a traced batch.

# %%
lesson.finish()
