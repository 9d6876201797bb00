# %% [markdown]
# # Lesson 6: a convolutional network
#
# The seed notebook imports `Conv2D` and `MaxPooling2D` and never uses them. This
# lesson does: it runs Keras' "Simple MNIST convnet" example, with only its imports
# changed, and puts it beside the notebook's dense model.
#
#     Input(28, 28, 1) -> Conv2D(32, 3, relu) -> MaxPooling2D(2) -> Conv2D(64, 3, relu)
#     -> MaxPooling2D(2) -> Flatten -> Dropout(0.5) -> Dense(10, softmax)
#
# trained as the example trains it: categorical cross-entropy on one-hot labels,
# Adam, batch 128, 15 epochs, the last 10% of the training images held out for
# validation. Run it: `python lessons/06_convolution.py` (a long run, far longer
# than the other lessons; benchmarks/README.md gives a measured time), or `--quick`
# for a smoke test.

# %%
QUICK = False  # True: tiny settings, as --quick or TINYNET_QUICK=1: seconds once Numba has compiled the kernels

# %%
from lesson_kit import REPO, Lesson, confidence, plt  # first: it sets NumPy's threads before NumPy loads
import json
import os
import time

import numpy as np

import tinynet
from tinynet import plotting
from tinynet.datasets import mnist
from tinynet.layers import Conv2D, Dense, Dropout, Flatten, Input, MaxPooling2D
from tinynet.models import Sequential
from tinynet.utils import to_categorical

lesson = Lesson("06_convolution", "A convolutional network on MNIST, beside the dense model",
                defaults={"epochs": 15, "subset": 60_000}, quick={"epochs": 1, "subset": 2_000})

# %% [markdown]
# ## Data, as the example prepares it
# Pixels divided by 255, a channel axis added - a convolution sees images as
# (height, width, channels), here (28, 28, 1) - and labels one-hot.

# %%
(x_train, y_train), (x_test, y_test) = mnist.load_data()
x_train = np.expand_dims(x_train[: lesson.subset].astype("float32") / 255, -1)
x_test = np.expand_dims(x_test.astype("float32") / 255, -1)
y_train, labels_test = to_categorical(y_train[: lesson.subset], 10), y_test
y_test = to_categorical(y_test, 10)
if lesson.quick:
    x_test, y_test, labels_test = x_test[:2000], y_test[:2000], labels_test[:2000]
print("x_train", x_train.shape, "y_train", y_train.shape, "x_test", x_test.shape)

# %% [markdown]
# ## What one convolution computes
# A Conv2D filter is a small grid of weights, here 3 x 3. It slides over the image;
# at each position the output is the sum of the 9 pixels under it, each times its
# weight, plus a bias. A filter that is -1 on its left column and +1 on its right
# responds where the image gets brighter from left to right: left edges of strokes
# light up, right edges go negative, and flat areas (background or the middle of
# a stroke) give 0. Below, a Conv2D layer with that one filter, and the same
# number worked out by hand for one position.

# %%
digit = x_test[0:1]
edge = Conv2D(1, 3, use_bias=False)
edge.build(digit.shape[1:])
vertical_edge = np.array([[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]], np.float32)
edge.set_weights([vertical_edge.reshape(3, 3, 1, 1)])
response = edge(digit)[0, :, :, 0]
row, col = np.unravel_index(np.abs(response).argmax(), response.shape)
window = digit[0, row:row + 3, col:col + 3, 0]
by_hand = float((window * vertical_edge).sum())
print(f"the strongest response is at row {row}, column {col}: {response[row, col]:.4f}; by hand, "
      f"sum(window * filter) = {by_hand:.4f}")
print(f"input {digit.shape[1:3]} -> output {response.shape}: a 3 x 3 window fits 26 times across 28 pixels")

fig, axes = plt.subplots(1, 4, figsize=(15, 4))
axes[0].imshow(digit[0, :, :, 0], cmap="gray")
axes[0].add_patch(plt.Rectangle((col - 0.5, row - 0.5), 3, 3, fill=False, edgecolor="red", linewidth=2))
axes[0].set_title(f"test digit 0 (a {labels_test[0]}), the window in red")
axes[1].imshow(window, cmap="gray", vmin=0, vmax=1)
axes[1].set_title("the window's 9 pixels")
axes[2].imshow(vertical_edge, cmap="RdBu_r", vmin=-1, vmax=1)
for (i, j), value in np.ndenumerate(vertical_edge):
    axes[2].text(j, i, f"{value:+.0f}", ha="center", va="center")
axes[2].set_title("the filter's 9 weights")
limit = np.abs(response).max()
axes[3].imshow(response, cmap="RdBu_r", vmin=-limit, vmax=limit)
axes[3].add_patch(plt.Rectangle((col - 0.5, row - 0.5), 1, 1, fill=False, edgecolor="black", linewidth=2))
axes[3].set_title(f"output (26 x 26); at the square: {response[row, col]:.2f}")
for ax in axes:
    ax.axis("off")
fig.tight_layout()
lesson.save(fig, "convolution_one_digit.png")

# %% [markdown]
# ## The two models
# The convnet learns 32 such filters in its first layer and 64 in its second (each
# of those looks at all 32 maps of the first: 3 x 3 x 32 weights). Max pooling keeps
# the largest value of each 2 x 2 block, halving the maps' size. The dense model is
# the notebook's: every pixel connected to each of 128 units.

# %%
def convnet():
    return Sequential([
        Input(shape=(28, 28, 1)),
        Conv2D(32, kernel_size=(3, 3), activation="relu"),
        MaxPooling2D(pool_size=(2, 2)),
        Conv2D(64, kernel_size=(3, 3), activation="relu"),
        MaxPooling2D(pool_size=(2, 2)),
        Flatten(),
        Dropout(0.5),
        Dense(10, activation="softmax"),
    ])


def dense_model():
    return Sequential([Input(shape=(28, 28, 1)), Flatten(), Dense(128, activation="relu"),
                       Dense(10, activation="softmax")])


def train(model):
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    start = time.perf_counter()
    history = model.fit(x_train, y_train, batch_size=128, epochs=lesson.epochs, validation_split=0.1,
                        verbose=2)
    seconds = time.perf_counter() - start
    test_loss, test_accuracy = model.evaluate(x_test, y_test, verbose=0)
    return {"history": history.history, "parameters": model.count_params(), "test_accuracy": test_accuracy,
            "test_loss": test_loss, "seconds": seconds}


tinynet.utils.set_random_seed(lesson.seed)
model = convnet()
model.summary()

# %% [markdown]
# ## Training

# %%
print("\nthe convnet:")
results = {"convnet": train(model)}
tinynet.utils.set_random_seed(lesson.seed)
print("\nthe dense model, trained the same way:")
results["dense"] = train(dense_model())

# %% [markdown]
# ## Side by side, and against Keras
# `tests/reference/keras_convnet.json` holds the example run in Keras 3 (TensorFlow
# 2.21) by `tests/reference/convnet_runs.py`, the same code with Keras' imports.

# %%
print(f"\n{'model':8} {'parameters':>11} {'test accuracy':>14} {'test loss':>10} {'mistakes':>9} {'seconds':>8}")
for name, r in results.items():
    r["mistakes"] = int(round((1 - r["test_accuracy"]) * len(x_test)))
    print(f"{name:8} {r['parameters']:>11,} {r['test_accuracy']:>14.4f} {r['test_loss']:>10.4f} "
          f"{r['mistakes']:>9} {r['seconds']:>8.1f}")
conv, dense = results["convnet"], results["dense"]
print(f"The convnet has {conv['parameters'] / dense['parameters']:.2f} times the dense model's parameters and "
      f"makes {conv['mistakes']} mistakes on the {len(x_test):,} test images against the dense model's "
      f"{dense['mistakes']}.")

with open(os.path.join(REPO, "tests", "reference", "keras_convnet.json")) as f:
    keras_runs = json.load(f)
keras_accuracies = None
if (lesson.epochs, lesson.subset) == (keras_runs["settings"]["epochs"], 60_000):
    accuracies = keras_accuracies = [run["test_accuracy"] for run in keras_runs["runs"]]
    print(f"Keras {keras_runs['versions']['keras']}, the same example, {len(accuracies)} run(s): test accuracy "
          + ", ".join(f"{a:.4f}" for a in accuracies) + f"; tinynet here: {conv['test_accuracy']:.4f}.")
else:
    print("(Keras' figure is for the full settings: 15 epochs on all 60,000 training images.)")

# %% [markdown]
# ## What the first layer learned
# Its 32 filters, 3 x 3 each (red positive, blue negative), and what each makes of
# one digit: 32 feature maps of 26 x 26, after the ReLU.

# %%
kernel = model.layers[0].kernel  # (3, 3, 1, 32)
lesson.save(plotting.image_grid(kernel[:, :, 0, :].transpose(2, 0, 1), [f"filter {i}" for i in range(32)],
                                cmap="RdBu_r", symmetric=True, title="The 32 first-layer filters"),
            "first_layer_filters.png")
maps = model.layers[0](digit)[0].transpose(2, 0, 1)  # (32, 26, 26)
silent = int((maps.max(axis=(1, 2)) == 0).sum())
lesson.save(plotting.image_grid(maps, [f"map {i}" for i in range(32)], cmap="magma",
                                title=f"First-layer feature maps of test digit 0 (a {labels_test[0]})"),
            "feature_maps.png")
print(f"{silent} of the 32 maps are zero everywhere on this digit.")

# %% [markdown]
# ## Its mistakes
# The misclassified test digits it was most sure about, titled "true -> predicted
# (confidence)", the confidence with as many digits as it takes to tell it from 1
# (as in lesson 1), and the confusions it makes most often.

# %%
probabilities = model.predict(x_test, batch_size=128, verbose=0)
predicted = probabilities.argmax(axis=1)
wrong = np.flatnonzero(predicted != labels_test)
shown = wrong[np.argsort(-probabilities[wrong].max(axis=1))][:24]
titles = [f"{labels_test[i]} -> {predicted[i]} ({confidence(probabilities[i].max())})" for i in shown]
if len(shown):
    lesson.save(plotting.image_grid(x_test[shown, :, :, 0], titles, title="The convnet's most confident mistakes"),
                "mistakes.png")
counts = plotting.confusion_matrix(labels_test, predicted)
off_diagonal = counts - np.diag(np.diag(counts))
pairs = sorted(((int(off_diagonal[i, j]), i, j) for i in range(10) for j in range(10) if off_diagonal[i, j]),
               reverse=True)[:3]
print(f"{len(wrong)} mistakes; most frequent: " + ", ".join(f"{i} read as {j} ({k} times)" for k, i, j in pairs))

# %% [markdown]
# ## Results file
# `results.json`: the settings, both models' History, parameters, test figures and
# times, Keras' test accuracies (at the full settings), and the numbers printed above.

# %%
with open(os.path.join(lesson.out, "results.json"), "w") as f:
    json.dump({"settings": {"epochs": lesson.epochs, "subset": lesson.subset, "seed": lesson.seed,
                            "backend": tinynet.get_backend(), "threads": tinynet.get_num_threads()},
               "models": results, "keras_test_accuracies": keras_accuracies,
               "convolution_demo": {"row": int(row), "column": int(col), "response": float(response[row, col]),
                                    "by_hand": by_hand},
               "silent_first_layer_maps": silent, "mistakes": len(wrong),
               "frequent_confusions": [{"true": i, "predicted": j, "count": k} for k, i, j in pairs]}, f, indent=1)
print(f"saved {os.path.join(lesson.out, 'results.json')}")
lesson.finish()
