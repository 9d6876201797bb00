# %% [markdown]
# # Lesson 5: what the notebook suggested next - Dropout, other widths, early stopping
#
# The seed notebook ends with three suggestions: add Dropout, try 64 or 256 neurons,
# and stop early. Here each is tried on lesson 2's setting (first 10,000 training
# images, test set as validation, batch 32, Adam) and compared with lesson 2's
# curves, read from its `results.json` (run lesson 2 first; otherwise its two
# baselines are trained here).
#
# * **Dropout(rate)** zeroes each activation with probability `rate` while training
#   and scales the rest by 1 / (1 - rate), so nothing changes at test time. A unit
#   cannot rely on any one other unit, which discourages memorising.
# * **Width** is capacity: 64 and 256 hidden units around the notebook's 128.
# * **EarlyStopping(monitor='val_loss', patience=5, restore_best_weights=True)**
#   stops once validation loss has not improved for 5 epochs and puts back the
#   weights of its best epoch.

# %%
QUICK = False  # True: tiny settings that run in seconds, as --quick or TINYNET_QUICK=1 do

# %%
import json
import os

import numpy as np
from lesson_kit import Lesson, plt

import tinynet
from tinynet import plotting
from tinynet.callbacks import EarlyStopping
from tinynet.datasets import mnist
from tinynet.layers import Dense, Dropout, Flatten
from tinynet.models import Sequential

lesson = Lesson("05_regularization", "Dropout, width and early stopping",
                defaults={"epochs": 50, "subset": 10_000}, quick={"epochs": 2, "subset": 500})

(x_train, y_train), (x_test, y_test) = mnist.load_data()
x_sub, y_sub = x_train[: lesson.subset] / 255.0, y_train[: lesson.subset]
x_val, y_val = x_test / 255.0, y_test
if lesson.quick:
    x_val, y_val = x_val[:1000], y_val[:1000]


def make_model(hidden, dropout=0.0):
    layers = [Flatten(input_shape=(28, 28))]
    for units in hidden:
        layers.append(Dense(units, activation="relu"))
        if dropout:
            layers.append(Dropout(dropout))
    model = Sequential(layers + [Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def train(hidden, dropout=0.0, callbacks=(), label="model"):
    tinynet.utils.set_random_seed(lesson.seed)
    model = make_model(hidden, dropout)
    history = model.fit(x_sub, y_sub, epochs=lesson.epochs, batch_size=32, validation_data=(x_val, y_val),
                        verbose=0, callbacks=[*callbacks, lesson.progress(label)])
    test_loss, test_acc = model.evaluate(x_val, y_val, verbose=0)
    return {"history": history.history, "test_accuracy": test_acc, "test_loss": test_loss}


# %% [markdown]
# ## Lesson 2's baselines

# %%
OVERFIT, BALANCED = "Over-fitting (too complex)", "Balanced (your model)"
lesson2 = os.path.join(os.path.dirname(lesson.out), "02_capacity", "results.json")
baselines = {}
if os.path.exists(lesson2):
    with open(lesson2) as f:
        saved = json.load(f)
    if saved["settings"]["epochs"] == lesson.epochs and saved["settings"]["subset"] == lesson.subset:
        baselines = {name: saved["models"][name] for name in (BALANCED, OVERFIT)}
        print(f"baselines read from {lesson2}")
if not baselines:
    print("training the baselines (lesson 2's results.json is missing or used other settings)")
    baselines = {BALANCED: train([128]), OVERFIT: train([512, 512, 256, 128])}

# %% [markdown]
# ## The experiments

# %%
experiments = {}
for rate in (0.2, 0.5):
    print(f"over-fitting model with Dropout({rate}) ...")
    experiments[f"Over-fitting + Dropout({rate})"] = train([512, 512, 256, 128], dropout=rate)
stopper = EarlyStopping(monitor="val_loss", patience=5, restore_best_weights=True)
print("over-fitting model with early stopping ...")
experiments["Over-fitting + EarlyStopping"] = train([512, 512, 256, 128], callbacks=[stopper])
for width in (64, 256):
    print(f"one hidden layer of {width} ...")
    experiments[f"Dense({width}) -> Dense(10)"] = train([width])

# %% [markdown]
# ## Curves against lesson 2's
# Validation loss is the signal lesson 2 found: where it bottoms out and how far
# it climbs after.

# %%
fig, axes = plt.subplots(1, 2, figsize=(15, 5.5))
groups = [("Over-fitting model", [OVERFIT] + [n for n in experiments if n.startswith("Over")]),
          ("Width of one hidden layer", [BALANCED] + [n for n in experiments if n.startswith("Dense")])]
everything = {**baselines, **experiments}
for ax, (title, names) in zip(axes, groups):
    for i, name in enumerate(names):
        h = everything[name]["history"]
        label = f"{name} (lesson 2)" if name in baselines else name
        ax.plot(np.arange(1, len(h["val_loss"]) + 1), h["val_loss"], color=plotting.COLORS[i],
                linewidth=3 if name in baselines else 2, linestyle="--" if name in baselines else "-",
                label=label)
    ax.set_title(f"{title}: validation loss")
    plotting.epoch_axis(ax)
    ax.set_ylabel("validation loss")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
fig.tight_layout()
lesson.save(fig, "regularization_val_loss.png")

# %% [markdown]
# ## The numbers

# %%
print(f"\n{'model':36} {'test acc':>9} {'best val loss':>14} {'at epoch':>9} {'last val loss':>14}")
for name, r in everything.items():
    val = np.array(r["history"]["val_loss"])
    print(f"{name:36} {r['test_accuracy']:9.4f} {val.min():14.4f} {int(val.argmin()) + 1:9d} {val[-1]:14.4f}")
if stopper.stopped_epoch:
    print(f"\nEarly stopping ended training after epoch {stopper.stopped_epoch + 1} and restored the "
          f"weights of epoch {stopper.best_epoch + 1}.")
    stopped, full = everything["Over-fitting + EarlyStopping"], everything[OVERFIT]
    print(f"Those weights have test loss {stopped['test_loss']:.4f} against {full['test_loss']:.4f} after "
          f"all {lesson.epochs} epochs, and test accuracy {stopped['test_accuracy']:.4f} against "
          f"{full['test_accuracy']:.4f}.")
    if (stopped["test_loss"] < full["test_loss"]) != (stopped["test_accuracy"] > full["test_accuracy"]):
        print("Lowest loss and highest accuracy are different models here: the loss also counts how "
              "confident each answer is, accuracy only whether it is right.")
with open(os.path.join(lesson.out, "results.json"), "w") as f:
    json.dump({"settings": {"epochs": lesson.epochs, "subset": lesson.subset, "seed": lesson.seed},
               "models": everything}, f, indent=1)
lesson.finish()
