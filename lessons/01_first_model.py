# %% [markdown]
# # Lesson 1: a first model of handwritten digits
#
# The seed notebook's first part: load MNIST, build Flatten -> Dense(128, relu) ->
# Dense(10, softmax), compile with Adam and sparse categorical cross-entropy, and
# fit 10 epochs of batch 32 with the test set as validation.
#
# The notebook fed raw pixels (0-255) to the network; its first epoch ended with a
# loss of about 2.2. Here the same run sits beside one on pixels divided by 255.

# %%
QUICK = False  # True: tiny settings that run in seconds, as --quick or TINYNET_QUICK=1 do

# %%
import numpy as np
from lesson_kit import Lesson

import tinynet
from tinynet import plotting
from tinynet.datasets import mnist
from tinynet.layers import Dense, Flatten
from tinynet.models import Sequential

lesson = Lesson("01_first_model", "A first MNIST model, raw vs normalised pixels",
                defaults={"epochs": 10, "subset": 60_000}, quick={"epochs": 1, "subset": 2_000})

# %%
(x_train, y_train), (x_test, y_test) = mnist.load_data()
x_train, y_train = x_train[: lesson.subset], y_train[: lesson.subset]
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
# ## Raw pixels, as the notebook trained
# tinynet, like Keras, turns the uint8 images into float32 but does not rescale
# them: the first layer sees inputs up to 255, its outputs are huge, and the
# softmax starts out saturated.

# %%
tinynet.utils.set_random_seed(lesson.seed)
raw_model = seed_model()
raw = raw_model.fit(x_train, y_train, epochs=lesson.epochs, batch_size=32,
                    validation_data=(x_test, y_test))

# %% [markdown]
# ## Normalised pixels
# Dividing by 255 puts every input in [0, 1], the scale Glorot initialisation
# assumes.

# %%
tinynet.utils.set_random_seed(lesson.seed)
model = seed_model()
norm = model.fit(x_train.astype("float32") / 255.0, y_train, epochs=lesson.epochs, batch_size=32,
                 validation_data=(x_test.astype("float32") / 255.0, y_test))

# %%
fig, axes = plotting._pyplot().subplots(1, 2, figsize=(13, 4.5))
for metric, ax in zip(("accuracy", "loss"), axes):
    plotting.plot_history(ax, raw, metric, "tab:red", label="raw 0-255")
    plotting.plot_history(ax, norm, metric, "tab:blue", label="normalised 0-1")
    ax.set_title(f"{metric}: raw vs normalised pixels")
axes[1].set_yscale("log")
lesson.save(fig, "raw_vs_normalised.png")
for name, h in (("raw", raw), ("normalised", norm)):
    print(f"{name:>10}: first-epoch loss {h.history['loss'][0]:.4f}, "
          f"final val_accuracy {h.history['val_accuracy'][-1]:.4f}")

# %% [markdown]
# ## What does the normalised model get wrong?
# A confusion matrix counts, for every true digit, what the model predicted.

# %%
probabilities = model.predict(x_test.astype("float32") / 255.0)
predicted = probabilities.argmax(axis=1)
counts = plotting.confusion_matrix(y_test, predicted)
lesson.save(plotting.plot_confusion_matrix(counts), "confusion_matrix.png")
off_diagonal = counts - np.diag(np.diag(counts))
true_digit, wrong_digit = np.unravel_index(off_diagonal.argmax(), counts.shape)
print(f"test accuracy {np.trace(counts) / counts.sum():.4f}; most common mistake: "
      f"{true_digit} read as {wrong_digit} ({off_diagonal.max()} times)")

# %% [markdown]
# The misclassified digits the model was most sure about, titled "true -> predicted
# (confidence)". Some are genuinely ambiguous; some labels look wrong.

# %%
wrong = np.flatnonzero(predicted != y_test)
wrong = wrong[np.argsort(-probabilities[wrong].max(axis=1))][:24]
titles = [f"{y_test[i]} -> {predicted[i]} ({probabilities[i].max():.2f})" for i in wrong]
lesson.save(plotting.image_grid(x_test[wrong], titles, title="Most confident mistakes"),
            "misclassified.png")

# %% [markdown]
# ## What did the first layer learn?
# Each of the 128 hidden units has 784 weights, one per pixel: drawn as a 28 x 28
# image (red positive, blue negative) it shows the stroke pattern that unit responds to.

# %%
kernel = model.layers[1].kernel  # (784, 128)
units = kernel.T[:32].reshape(-1, 28, 28)
lesson.save(plotting.image_grid(units, [f"unit {i}" for i in range(len(units))], cmap="RdBu_r",
                                symmetric=True, title="First-layer weights of 32 hidden units"),
            "first_layer_weights.png")
lesson.finish()
