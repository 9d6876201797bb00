# %% [markdown]
# # Lesson 8: five optimizers, one model
#
# Every optimizer takes the gradient $g = \partial L / \partial w$ of each weight
# and moves the weight; they differ in what they remember from earlier steps.
# Here are five that Keras offers, exactly as tinynet (and Keras 3)
# computes them, with learning rate $\eta$, for one weight array $w$ at step
# $t = 1, 2, \dots$ (all operations are elementwise):
#
# **SGD** - a step down the gradient:
# $$w \leftarrow w - \eta\, g$$
#
# **SGD with momentum** $\mu$ - a velocity $u$ (starting at 0) that accumulates
# past steps, so that directions the gradient keeps pointing to speed up and
# directions where it flips sign partly cancel (partly: the valley below shows
# momentum still swinging across):
# $$u \leftarrow \mu u - \eta g, \qquad w \leftarrow w + u$$
#
# **Nesterov momentum** - the same velocity, but the step looks ahead along it:
# $$u \leftarrow \mu u - \eta g, \qquad w \leftarrow w + \mu u - \eta g$$
#
# **RMSprop** ($\rho$, $\epsilon$) - divides each weight's step by a running
# root-mean-square of its own gradients, so that every weight moves at a similar
# pace whatever the scale of its gradient:
# $$s \leftarrow \rho s + (1 - \rho) g^2, \qquad w \leftarrow w - \eta\, \frac{g}{\sqrt{s + \epsilon}}$$
#
# **Adam** ($\beta_1$, $\beta_2$, $\epsilon$) - momentum and RMSprop together, with
# both running means corrected for starting at 0:
# $$m \leftarrow \beta_1 m + (1 - \beta_1) g, \qquad v \leftarrow \beta_2 v + (1 - \beta_2) g^2,$$
# $$w \leftarrow w - \alpha_t \frac{m}{\sqrt{v} + \epsilon}, \qquad \alpha_t = \eta\, \frac{\sqrt{1 - \beta_2^t}}{1 - \beta_1^t}.$$
#
# (Keras writes $m \leftarrow m + (g - m)(1 - \beta_1)$, the same value; the
# defaults are $\beta_1 = 0.9$, $\beta_2 = 0.999$, $\epsilon = 10^{-7}$, $\rho = 0.9$.)
#
# First on a landscape we can draw, then on lesson 2's balanced model.

# %%
QUICK = False  # True: tiny settings, as --quick or TINYNET_QUICK=1: seconds once Numba has compiled the kernels

# %%
from lesson_kit import Lesson, plt  # first: it sets NumPy's threads before NumPy loads
import numpy as np

import tinynet
from tinynet import optimizers, plotting
from tinynet.datasets import mnist
from tinynet.layers import Dense, Flatten
from tinynet.models import Sequential

lesson = Lesson("08_optimizers", "SGD, momentum, Nesterov, RMSprop and Adam on the same model",
                defaults={"epochs": 10, "subset": 10_000}, quick={"epochs": 2, "subset": 500})

# %% [markdown]
# ## A narrow valley
# $L(w) = \tfrac12 (w_1^2 + 25\, w_2^2)$ is 25 times steeper across ($w_2$) than
# along ($w_1$), like many real losses. Its gradient is $g = (w_1, 25 w_2)$. Each
# optimizer starts at $(-4, 1)$ and takes 60 steps; tinynet's optimizer objects
# do the updates (`optimizer.apply([w], [g])`). SGD's learning rate must stay
# below $2/25$ or it diverges across the valley. RMSprop and Adam divide by the
# gradient's own size, so their steps per coordinate are set by $\eta$, whatever
# the curvature: Adam's first step is $\eta$, RMSprop's $\eta / \sqrt{1 - \rho}
# \approx 3.2\,\eta$ (its $s$ starts at 0 and holds only $(1 - \rho) g^2$). With
# steps of that size they need a larger $\eta$ than SGD to cross the valley's length in 60 steps.

# %%
CURVATURE = np.array([1.0, 25.0], np.float32)


def descend(optimizer, steps=60):
    w = np.array([-4.0, 1.0], np.float32)
    path = [w.copy()]
    for _ in range(steps):
        optimizer.apply([w], [CURVATURE * w])
        path.append(w.copy())
    return np.array(path)


VALLEY = {
    "SGD (lr 0.03)": optimizers.SGD(0.03),
    "momentum 0.9 (lr 0.03)": optimizers.SGD(0.03, momentum=0.9),
    "Nesterov 0.9 (lr 0.03)": optimizers.SGD(0.03, momentum=0.9, nesterov=True),
    "RMSprop (lr 0.1)": optimizers.RMSprop(0.1),
    "Adam (lr 0.3)": optimizers.Adam(0.3),
}
paths = {name: descend(opt) for name, opt in VALLEY.items()}
grid = np.meshgrid(np.linspace(-4.5, 1.5, 200), np.linspace(-1.5, 1.5, 200))
fig, axes = plt.subplots(1, 2, figsize=(15, 5))
axes[0].contour(grid[0], grid[1], 0.5 * (grid[0] ** 2 + 25 * grid[1] ** 2), levels=np.geomspace(0.01, 30, 12),
                colors="lightgray")
for i, (name, path) in enumerate(paths.items()):
    loss = 0.5 * (CURVATURE * path ** 2).sum(axis=1)
    axes[0].plot(path[:, 0], path[:, 1], "o-", markersize=2, linewidth=1, color=plotting.COLORS[i], label=name)
    axes[1].plot(loss, color=plotting.COLORS[i], label=name)
axes[0].set(title="Paths from (-4, 1); the minimum is at (0, 0)", xlabel="$w_1$", ylabel="$w_2$")
axes[1].set(title="Loss per step", xlabel="step", ylabel="loss (log scale)", yscale="log")
for ax in axes:
    ax.legend(fontsize=8)
    ax.grid(True, alpha=0.3)
fig.tight_layout()
lesson.save(fig, "valley.png")
for name, path in paths.items():
    loss = 0.5 * (CURVATURE * path ** 2).sum(axis=1)
    crossings = int(np.sum(np.diff(np.sign(path[:, 1])) != 0))
    print(f"{name:24} loss after 10 steps {loss[10]:.3g}, after 60 {loss[-1]:.3g}; "
          f"crossed the valley floor (w2 = 0) {crossings} times")

# %% [markdown]
# ## The same model and data for each
# Lesson 2's balanced model, Dense(128, relu) -> Dense(10, softmax), from the
# same initial weights (same seed), trained on the first training images with
# batch 32. Each optimizer runs at its Keras default learning rate (SGD 0.01,
# RMSprop and Adam 0.001), the rate a notebook gets when it names the optimizer
# by a string. Choosing "the best optimizer" is a choice, so the validation loss
# comes from the last 10,000 training images (1,000 in quick mode), which the
# models never train on; the test set is not used here at all.

# %%
(x_train, y_train), _ = mnist.load_data()
held_out = 1_000 if lesson.quick else 10_000
x_fit, y_fit = x_train[: lesson.subset] / 255.0, y_train[: lesson.subset]
x_val, y_val = x_train[-held_out:] / 255.0, y_train[-held_out:]

CHOICES = {
    "SGD": lambda: optimizers.SGD(),
    "SGD + momentum 0.9": lambda: optimizers.SGD(momentum=0.9),
    "SGD + Nesterov 0.9": lambda: optimizers.SGD(momentum=0.9, nesterov=True),
    "RMSprop": lambda: optimizers.RMSprop(),
    "Adam": lambda: optimizers.Adam(),
}
histories = {}
for name, make in CHOICES.items():
    tinynet.utils.set_random_seed(lesson.seed)
    model = Sequential([Flatten(input_shape=(28, 28)), Dense(128, activation="relu"), Dense(10, activation="softmax")])
    model.compile(optimizer=make(), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    histories[name] = model.fit(x_fit, y_fit, epochs=lesson.epochs, batch_size=32, validation_data=(x_val, y_val),
                                verbose=0, callbacks=[lesson.progress(name)]).history

# %%
fig, axes = plt.subplots(1, 3, figsize=(18, 5))
for i, (name, h) in enumerate(histories.items()):
    epochs = np.arange(1, len(h["loss"]) + 1)
    for ax, key in zip(axes, ("loss", "val_loss", "val_accuracy")):
        ax.plot(epochs, h[key], "o-", markersize=3, color=plotting.COLORS[i], label=name)
for ax, title in zip(axes, ("training loss (running mean over each epoch)", "validation loss",
                            "validation accuracy")):
    ax.set_title(title)
    plotting.epoch_axis(ax)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
axes[0].set_yscale("log")
fig.suptitle("Same model, same data, same initial weights: five optimizers", fontweight="bold")
fig.tight_layout()
lesson.save(fig, "optimizers.png")

# %% [markdown]
# ## What this run says
# Computed from the curves above.

# %%
best = {name: int(np.argmin(h["val_loss"])) for name, h in histories.items()}
ranked = sorted(histories, key=lambda n: histories[n]["val_loss"][best[n]])
print(f"{'optimizer':20} {'loss, epoch 1':>14} {'loss, last':>11} {'lowest val loss':>16} {'at epoch':>9} "
      f"{'val acc there':>14}")
for name in ranked:
    h = histories[name]
    print(f"{name:20} {h['loss'][0]:14.4g} {h['loss'][-1]:11.4g} {h['val_loss'][best[name]]:16.4f} "
          f"{best[name] + 1:9d} {h['val_accuracy'][best[name]]:14.4f}")
plain, first = histories["SGD"], ranked[0]
print(f"\nLowest validation loss: {first} ({histories[first]['val_loss'][best[first]]:.4f} at epoch "
      f"{best[first] + 1}); highest of these lowest: {ranked[-1]} ({histories[ranked[-1]]['val_loss'][best[ranked[-1]]]:.4f}).")
for name in ("SGD + momentum 0.9", "SGD + Nesterov 0.9"):
    faster = histories[name]["loss"][-1] < plain["loss"][-1]
    print(f"{name} ended with training loss {histories[name]['loss'][-1]:.4g}, "
          f"{'below' if faster else 'not below'} plain SGD's {plain['loss'][-1]:.4g} at the same learning rate.")
climbing = [n for n in histories if histories[n]["val_loss"][-1] > 1.2 * histories[n]["val_loss"][best[n]]]
print(f"Validation loss ended more than 20% above its lowest, after {lesson.epochs} epochs, for: "
      + (", ".join(climbing) + " - lesson 2's over-fitting, reached within these epochs." if climbing else "none."))

# %% [markdown]
# ## Exercises
# Write them in `lessons/exercises/ex_08_optimizers.py` and check them with
# `python3 -m pytest lessons/exercises/test_08_optimizers.py`: each check fails until its
# exercise is solved. Worked solutions: `lessons/exercises/solutions/ex_08_optimizers.py`.
#
# 1. **Nesterov.** `nesterov_step(w, g, u, lr, mu)`: $u \leftarrow \mu u - \eta g$,
#    $w \leftarrow w + \mu u - \eta g$.
# 2. **RMSprop.** `rmsprop_step(w, g, s, lr)`: $s \leftarrow \rho s + (1 - \rho) g^2$,
#    $w \leftarrow w - \eta g / \sqrt{s + \epsilon}$.
# 3. **Adam.** `adam_step(w, g, m, v, t, lr)` with the bias-corrected step size
#    $\alpha_t = \eta \sqrt{1 - \beta_2^t} / (1 - \beta_1^t)$.
# 4. **Tune the momentum.** `valley_momentum()`: a momentum with which SGD at
#    learning rate 0.03 ends the valley run below a loss of $10^{-4}$ (0.9 swings).

# %%
lesson.finish()
