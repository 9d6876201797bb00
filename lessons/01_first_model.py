# %% [markdown]
# # Lesson 1: a first model of handwritten digits
#
# The seed notebook's first part: load MNIST, build Flatten -> Dense(128, relu) ->
# Dense(10, softmax), compile with Adam and sparse categorical cross-entropy, and
# fit 10 epochs of batch 32 with the test set as validation (nothing is chosen by
# it here, so the test set only watches). Lesson 0 explains each of these pieces
# with small numbers.
#
# The notebook fed raw pixels (0-255) to the network; its printout shows a loss of
# about 2.2 for its first epoch. Here the same run sits beside one on pixels
# divided by 255.

# %%
QUICK = False  # True: tiny settings, as --quick or TINYNET_QUICK=1: seconds once Numba has compiled the kernels

# %%
from lesson_kit import Lesson, confidence, plt  # first: it sets NumPy's threads before NumPy loads
import numpy as np

import tinynet
from tinynet import plotting
from tinynet.datasets import mnist
from tinynet.layers import Dense, Flatten
from tinynet.models import Sequential

lesson = Lesson("01_first_model", "A first MNIST model, raw vs normalised pixels",
                defaults={"epochs": 10, "subset": 60_000}, quick={"epochs": 2, "subset": 1_000})

# %%
(x_train, y_train), (x_test, y_test) = mnist.load_data()
x_train, y_train = x_train[: lesson.subset], y_train[: lesson.subset]
if lesson.quick:
    x_test, y_test = x_test[:2000], y_test[:2000]  # quick: a smaller test set too
print("x_train", x_train.shape, x_train.dtype, "pixel range", x_train.min(), "-", x_train.max())


def seed_model():
    model = Sequential()
    model.add(Flatten(input_shape=(28, 28)))
    model.add(Dense(128, activation="relu"))
    model.add(Dense(10, activation="softmax"))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


model = seed_model()
model.summary()

# %% [markdown]
# ## Two words first
# * **The loss of an epoch.** For each image the loss is $-\log p_{y}$, minus the
#   log of the probability the model gave the true digit $y$: 0 when it is sure and
#   right, large when it is sure and wrong. `fit` reports, for each epoch, the mean
#   of this loss over the epoch's batches, taken while the weights change; that
#   is the "loss" of the first epoch printed below.
# * **Glorot initialisation.** Before training, each Dense kernel of shape
#   $(n_{in}, n_{out})$ is drawn uniformly from $[-l, l]$ with
#   $l = \sqrt{6 / (n_{in} + n_{out})}$ (Keras' default, `glorot_uniform`). For the
#   first layer, $l = \sqrt{6/912} \approx 0.081$. The scale is chosen so that
#   the outputs of a layer spread about as much as its inputs do - when the inputs
#   are of order 1.

# %%
limit = np.sqrt(6 / (784 + 128))
kernel = model.layers[1].kernel
print(f"Glorot limit for 784 -> 128: {limit:.4f}; the drawn kernel spans {kernel.min():.4f} .. {kernel.max():.4f}")
for name, images in (("raw 0-255", x_train[:256].astype("float32")),
                     ("divided by 255", x_train[:256].astype("float32") / 255)):
    z = images.reshape(len(images), -1) @ kernel
    top = model.predict(images, verbose=0).max(axis=1).mean()  # the untrained model's surest digit, on average
    print(f"pixels {name:15}: input std {images.std():8.3f}, first-layer output std {z.std():8.3f}, "
          f"largest softmax probability (mean over the images) {top:.3f}")

# %% [markdown]
# ## Raw pixels, as the notebook trained
# tinynet, like Keras, turns the uint8 images into float32 but does not rescale
# them: the first layer sees inputs up to 255, so its outputs spread 255 times as
# widely as with pixels in [0, 1] (printed above). The softmax of the untrained
# model then puts far more of its probability on one digit than with pixels in
# [0, 1], where it is spread over the ten: compare the mean largest probabilities
# printed above.

# %%
tinynet.utils.set_random_seed(lesson.seed)
raw_model = seed_model()
raw = raw_model.fit(x_train, y_train, epochs=lesson.epochs, batch_size=32,
                    validation_data=(x_test, y_test))

# %% [markdown]
# ## Normalised pixels
# Dividing by 255 puts every input in [0, 1], the scale Glorot initialisation
# was made for.

# %%
tinynet.utils.set_random_seed(lesson.seed)
model = seed_model()
initial_kernel = model.layers[1].kernel.copy()
norm = model.fit(x_train.astype("float32") / 255.0, y_train, epochs=lesson.epochs, batch_size=32,
                 validation_data=(x_test.astype("float32") / 255.0, y_test))

# %% [markdown]
# The curves, one point per epoch (marked, so that a one-epoch run shows too); the
# loss axis is logarithmic, because the raw model's loss starts many times higher.

# %%
fig, axes = plt.subplots(1, 2, figsize=(13, 4.5))
for metric, ax in zip(("accuracy", "loss"), axes):
    plotting.plot_history(ax, raw, metric, "tab:red", label="raw 0-255")
    plotting.plot_history(ax, norm, metric, "tab:blue", label="normalised 0-1")
    for line in ax.lines:
        line.set_marker("o")
    ax.set_title(f"{metric}: raw vs normalised pixels")
axes[1].set_yscale("log")
lesson.save(fig, "raw_vs_normalised.png")
for name, h in (("raw", raw), ("normalised", norm)):
    print(f"{name:>10}: loss of the first epoch {h.history['loss'][0]:.4f}, "
          f"final val_accuracy {h.history['val_accuracy'][-1]:.4f}")

# %% [markdown]
# ## What does the normalised model get wrong?
# A confusion matrix counts, for every true digit, what the model predicted.

# %%
probabilities = model.predict(x_test.astype("float32") / 255.0, verbose=0)
predicted = probabilities.argmax(axis=1)
counts = plotting.confusion_matrix(y_test, predicted)
lesson.save(plotting.plot_confusion_matrix(counts), "confusion_matrix.png")
off_diagonal = counts - np.diag(np.diag(counts))
true_digit, wrong_digit = np.unravel_index(off_diagonal.argmax(), counts.shape)
print(f"test accuracy {np.trace(counts) / counts.sum():.4f}; most common mistake: "
      f"{true_digit} read as {wrong_digit} ({off_diagonal.max()} times)")

# %% [markdown]
# The misclassified digits the model was most sure about, titled "true -> predicted
# (confidence)". A confidence is printed with as many digits as it takes to tell it
# from 1 (`confidence` in `lesson_kit.py`); "1" means it is 1.0 in float32, the
# model's own precision. Would you
# have read them as the label says, or as the model did?

# %%
wrong = np.flatnonzero(predicted != y_test)
wrong = wrong[np.argsort(-probabilities[wrong].max(axis=1))][:24]
titles = [f"{y_test[i]} -> {predicted[i]} ({confidence(probabilities[i].max())})" for i in wrong]
lesson.save(plotting.image_grid(x_test[wrong], titles, title="Most confident mistakes"), "misclassified.png")
sure = probabilities[wrong].max(axis=1)
print(f"confidence of these {len(wrong)} mistakes: {confidence(sure.min())} to {confidence(sure.max())}")

# %% [markdown]
# ## What did the first layer learn?
# Each of the 128 hidden units has 784 weights, one per pixel. Drawn as a 28 x 28
# image (red positive, blue negative) they show what the unit adds up. All units
# are drawn on **one colour scale**, so a faint unit really has small weights.
#
# A ReLU unit is **dead** when $\max(0, z)$ is 0 for every training image: then
# its gradient is 0 for every image too, so training stops changing its weights
# (once Adam's running mean of its past gradients has faded: some tens of steps).
# A unit found dead at the end may have fired earlier in training. The cell below
# counts, for every unit, the training images on which it fires with the final
# weights, and how far its weights moved from their Glorot start.

# %%
kernel = model.layers[1].kernel  # (784, 128)
hidden = model.layers[1](x_train.reshape(len(x_train), -1) / 255.0)  # (n, 128), after the ReLU
fires = (hidden > 0).mean(axis=0)  # the share of training images each unit fires on
moved = np.linalg.norm(kernel - initial_kernel, axis=0) / np.linalg.norm(initial_kernel, axis=0)
dead = np.flatnonzero(fires == 0)
print(f"{len(dead)} of 128 units never fire on the {len(x_train)} training images"
      + (f" (units {dead.tolist()[:10]}{' ...' if len(dead) > 10 else ''}); their weights moved "
         f"{moved[dead].mean():.2f} of their initial size on average, the live units' {moved[fires > 0].mean():.2f}"
         if len(dead) else ""))
shown = 32
scale = np.abs(kernel[:, :shown]).max()
fig, axes = plt.subplots(4, 8, figsize=(12.8, 7.6))
for unit, ax in enumerate(axes.ravel()):
    image = ax.imshow(kernel[:, unit].reshape(28, 28), cmap="RdBu_r", vmin=-scale, vmax=scale)
    share = "dead" if fires[unit] == 0 else "<1%" if fires[unit] < 0.01 else f"{fires[unit]:.0%}"
    ax.set_title(f"unit {unit}: {share}", fontsize=8)
    ax.axis("off")
fig.colorbar(image, ax=axes, shrink=0.6, label="weight")
fig.suptitle("First-layer weights of 32 hidden units, one colour scale "
             "(title: share of training images the unit fires on)", fontweight="bold")
lesson.save(fig, "first_layer_weights.png")

# %% [markdown]
# ## Exercises
# Write them in `lessons/exercises/ex_01_first_model.py` and check them with
# `python3 -m pytest lessons/exercises/test_01_first_model.py`: each check fails until its
# exercise is solved. Worked solutions: `lessons/exercises/solutions/ex_01_first_model.py`.
#
# 1. **Normalise.** `normalise(images)`: uint8 pixels to float32 in $[0, 1]$.
# 2. **A confusion matrix.** `confusion_matrix(y_true, y_pred)`: entry $(i, j)$ counts
#    the images of digit $i$ read as $j$.
# 3. **Find the dead units.** `dead_units(model, x)`: the first-layer units whose
#    $\max(0, z)$ is 0 on every image of `x`.

# %%
lesson.finish()
