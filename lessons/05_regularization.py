# %% [markdown]
# # Lesson 5: what the notebook suggested next - Dropout, other widths, early stopping
#
# The seed notebook ends with three suggestions: add Dropout, try 64 or 256 neurons,
# and stop early. Here each is tried on lesson 2's setting (the first 10,000
# training images, batch 32, Adam, 50 epochs; quick mode uses fewer, and the first
# line of the printout says which) and compared with lesson 2's two larger models.
#
# * **Dropout(rate)** zeroes each activation with probability `rate` while training
#   and scales the rest by $1 / (1 - \text{rate})$, so nothing changes at test time.
#   The hope: a unit that cannot rely on any one other unit memorises less.
# * **Width** is capacity: 64 and 256 hidden units around the notebook's 128.
# * **EarlyStopping(monitor='val_loss', patience=5, restore_best_weights=True)**
#   stops once validation loss has not improved for 5 epochs and puts back the
#   weights of its best epoch.
#
# ## Three sets of images, three jobs
# This lesson *chooses*: early stopping chooses an epoch, and the comparison
# chooses a model. Whatever chooses must not be the test set, or the test score
# of the choice is no longer a fair estimate - it was picked for being high. So:
#
# * **training**: the first 10,000 MNIST training images (what the models learn from);
# * **validation**: the last 10,000 MNIST training images, never trained on. Early
#   stopping and every comparison below use these;
# * **test**: the 10,000 test images, held out. Each model is scored on them once,
#   after training, and nothing is chosen by that score.
#
# (Lesson 2 validated on the test set, as the notebook did; it chose nothing.)

# %%
QUICK = False  # True: tiny settings, as --quick or TINYNET_QUICK=1: seconds once Numba has compiled the kernels

# %%
from lesson_kit import Lesson, plt  # first: it sets NumPy's threads before NumPy loads
import json
import os

import numpy as np

import tinynet
from tinynet import plotting
from tinynet.callbacks import EarlyStopping
from tinynet.datasets import mnist
from tinynet.layers import Dense, Dropout, Flatten
from tinynet.models import Sequential

lesson = Lesson("05_regularization", "Dropout, width and early stopping",
                defaults={"epochs": 50, "subset": 10_000}, quick={"epochs": 2, "subset": 500})

(x_train, y_train), (x_test, y_test) = mnist.load_data()
held_out = 1_000 if lesson.quick else 10_000
if lesson.subset > len(x_train) - held_out:
    raise SystemExit(f"--subset {lesson.subset} would train on the validation images: at most "
                     f"{len(x_train) - held_out}")
x_fit, y_fit = x_train[: lesson.subset] / 255.0, y_train[: lesson.subset]
x_val, y_val = x_train[-held_out:] / 255.0, y_train[-held_out:]
x_test, y_test = x_test[:held_out] / 255.0, y_test[:held_out]
print(f"training on images 0-{lesson.subset - 1}, validating on training images "
      f"{len(x_train) - held_out}-{len(x_train) - 1}, test set held out: {len(x_test)} images")


def make_model(hidden, dropout=0.0):
    layers = [Flatten(input_shape=(28, 28))]
    for units in hidden:
        layers.append(Dense(units, activation="relu"))
        if dropout:
            layers.append(Dropout(dropout))
    model = Sequential(layers + [Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def train(label, hidden, dropout=0.0, callbacks=()):
    """Train on the training images, validate on the validation images; then score the
    final weights once on the held-out test set."""
    tinynet.utils.set_random_seed(lesson.seed)
    model = make_model(hidden, dropout)
    history = model.fit(x_fit, y_fit, epochs=lesson.epochs, batch_size=32, validation_data=(x_val, y_val),
                        verbose=0, callbacks=[*callbacks, lesson.progress(label)])
    test_loss, test_acc = model.evaluate(x_test, y_test, verbose=0)
    return {"history": history.history, "test_accuracy": test_acc, "test_loss": test_loss}


# %% [markdown]
# ## Lesson 2's two models, again
# Trained the same way as in lesson 2 - same images, seed, batch size and
# epochs - but validated on the validation images. Validation data is only
# looked at, never trained on, so the weights must come out exactly as in
# lesson 2. If lesson 2's `results.json` was made with the same settings, the
# cell checks that on the test accuracy.

# %%
OVERFIT, BALANCED = "Over-fitting (too complex)", "Balanced (your model)"
baselines = {BALANCED: train(BALANCED, [128]), OVERFIT: train(OVERFIT, [512, 512, 256, 128])}
settings = {"epochs": lesson.epochs, "subset": lesson.subset, "seed": lesson.seed, "batch_size": 32,
            "backend": tinynet.get_backend(), "test_images": len(x_test)}
lesson2 = os.path.join(os.path.dirname(lesson.out), "02_capacity", "results.json")
if not os.path.exists(lesson2):
    print(f"\n(no {lesson2}: run lesson 2 to compare with it)")
else:
    with open(lesson2) as f:
        saved = json.load(f)
    differs = {k: (saved["settings"].get(k), v) for k, v in settings.items() if saved["settings"].get(k) != v}
    if differs:
        print("\nLesson 2's results.json used other settings, so it is not compared: "
              + ", ".join(f"{k} {theirs} there, {ours} here" for k, (theirs, ours) in differs.items()))
    else:
        for name, r in baselines.items():
            theirs = saved["models"][name]["test_accuracy"]
            print(f"{name}: test accuracy {r['test_accuracy']:.4f} here, {theirs:.4f} in lesson 2 - "
                  + ("the same, as it must be." if r["test_accuracy"] == theirs else
                     "different: something besides the validation data changed (versions? CPU?)."))

# %% [markdown]
# ## The experiments

# %%
experiments = {}
for rate in (0.2, 0.5):
    name = f"Over-fitting + Dropout({rate})"
    experiments[name] = train(name, [512, 512, 256, 128], dropout=rate)
stopper = EarlyStopping(monitor="val_loss", patience=5, restore_best_weights=True)
experiments["Over-fitting + EarlyStopping"] = train("Over-fitting + EarlyStopping", [512, 512, 256, 128],
                                                    callbacks=[stopper])
for width in (64, 256):
    name = f"Dense({width}) -> Dense(10)"
    experiments[name] = train(name, [width])

# %% [markdown]
# ## Curves against lesson 2's models
# Validation loss is the signal lesson 2 found: where it bottoms out and how far
# it climbs after. Early stopping trains exactly as the plain over-fitting model
# does (same seed, same batches), so its curve lies on that model's until it stops.

# %%
fig, axes = plt.subplots(1, 2, figsize=(15, 5.5))
groups = [("Over-fitting model", [OVERFIT] + [n for n in experiments if n.startswith("Over")]),
          ("Width of one hidden layer", [BALANCED] + [n for n in experiments if n.startswith("Dense")])]
everything = {**baselines, **experiments}
for ax, (title, names) in zip(axes, groups):
    for i, name in enumerate(names):
        h = everything[name]["history"]
        ax.plot(np.arange(1, len(h["val_loss"]) + 1), h["val_loss"], color=plotting.COLORS[i],
                linewidth=3 if name in baselines else 2, linestyle="--" if name in baselines else "-",
                marker="o", markersize=3, label=f"lesson 2: {name}" if name in baselines else name)
    ax.set_title(f"{title}: validation loss (held-out training images)")
    plotting.epoch_axis(ax)
    ax.set_ylabel("validation loss")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
fig.tight_layout()
lesson.save(fig, "regularization_val_loss.png")

# %% [markdown]
# ## The numbers
# Validation columns come from the validation images; the test columns are each
# model's one score on the held-out test set, with its final weights (for early
# stopping: the weights it restored).

# %%
print(f"\n{'model':36} {'best val loss':>14} {'at epoch':>9} {'last val loss':>14} {'test loss':>10} {'test acc':>9}")
for name, r in everything.items():
    val = np.array(r["history"]["val_loss"])
    r["best_val_loss"], r["best_val_loss_epoch"] = float(val.min()), int(val.argmin()) + 1
    print(f"{name:36} {val.min():14.4f} {int(val.argmin()) + 1:9d} {val[-1]:14.4f} "
          f"{r['test_loss']:10.4f} {r['test_accuracy']:9.4f}")
stopped = everything["Over-fitting + EarlyStopping"]["history"]["val_loss"]
print(f"(EarlyStopping's last validation loss, {stopped[-1]:.4f}, is that of epoch {len(stopped)}, its last; the "
      f"weights it restored, and scored on the test set, are epoch {stopper.best_epoch + 1}'s, "
      f"with {stopper.best:.4f}.)")

# %% [markdown]
# ## What this run says
# Each sentence is computed from the table above; every choice is made on the
# validation images, and the test set only reports.

# %%
def than(ours, theirs):
    return "below" if ours < theirs else "above" if ours > theirs else "equal to"


def change(name, base=OVERFIT):
    a, b = everything[base], everything[name]
    lowest, last = b["best_val_loss"], b["history"]["val_loss"][-1]
    return (f"{name}: lowest validation loss {lowest:.4f}, {than(lowest, a['best_val_loss'])} the plain model's "
            f"{a['best_val_loss']:.4f}; last {last:.4f}, {than(last, a['history']['val_loss'][-1])} the plain "
            f"model's {a['history']['val_loss'][-1]:.4f}, and {last / lowest:.2f} times its own lowest "
            f"(the plain model: {a['history']['val_loss'][-1] / a['best_val_loss']:.2f} times).")


conclusion = [change(n) for n in experiments if n.startswith("Over-fitting + Dropout")]
if stopper.stopped_epoch:
    conclusion.append(f"Early stopping ended training after epoch {stopper.stopped_epoch + 1} and restored the "
                      f"weights of epoch {stopper.best_epoch + 1}, by the validation loss.")
else:
    conclusion.append(f"Early stopping never stopped: in {lesson.epochs} epochs the validation loss never went "
                      f"{stopper.patience} epochs without improving. It still restored the weights of its best "
                      f"epoch, {stopper.best_epoch + 1}.")
widths = [n for n in everything if n.startswith("Dense")] + [BALANCED]
best_width = min(widths, key=lambda n: everything[n]["best_val_loss"])
conclusion.append("One hidden layer, lowest validation loss: " + ", ".join(
    f"{n.split(' (')[0]} {everything[n]['best_val_loss']:.4f}" for n in widths) + f"; lowest: {best_width}.")
final = {n: r["history"]["val_loss"][-1] for n, r in everything.items()}
final["Over-fitting + EarlyStopping"] = stopper.best  # the weights it restored, not its last epoch's
chosen = min(final, key=final.get)
by_test = sorted(everything, key=lambda n: everything[n]["test_loss"])
by_accuracy = sorted(everything, key=lambda n: -everything[n]["test_accuracy"])
conclusion.append(
    f"Chosen by the validation images (lowest validation loss of the weights each model ended with): {chosen}, "
    f"{final[chosen]:.4f}. Its score on the held-out test set: loss {everything[chosen]['test_loss']:.4f}, "
    f"accuracy {everything[chosen]['test_accuracy']:.4f} - rank {by_test.index(chosen) + 1} of {len(by_test)} "
    f"by test loss, rank {by_accuracy.index(chosen) + 1} of {len(by_accuracy)} by test accuracy; the plain "
    f"over-fitting model after all {lesson.epochs} epochs: loss {everything[OVERFIT]['test_loss']:.4f}, "
    f"accuracy {everything[OVERFIT]['test_accuracy']:.4f}.")
if by_test.index(chosen) != by_accuracy.index(chosen):
    conclusion.append("The loss and the accuracy rank the models differently: a choice by the validation loss "
                      "picks the model with the lowest mean -log p of the true digit, which need not be the one "
                      f"with the most right answers (on the test set: {by_accuracy[0]}, {everything[by_accuracy[0]]['test_accuracy']:.4f}).")
print("\n".join(conclusion))

with open(os.path.join(lesson.out, "results.json"), "w") as f:
    json.dump({"settings": {**settings, "validation": f"training images {len(x_train) - held_out}-{len(x_train) - 1}"},
               "models": everything, "conclusion": conclusion}, f, indent=1)

# %% [markdown]
# ## Exercises
# Write them in `lessons/exercises/ex_05_regularization.py` and check them with
# `python3 -m pytest lessons/exercises/test_05_regularization.py`: each check fails until its
# exercise is solved. Worked solutions: `lessons/exercises/solutions/ex_05_regularization.py`.
#
# 1. **Inverted dropout.** `inverted_dropout(x, rate, rng)`: keep each entry with
#    probability $1 - r$ and divide it by $1 - r$, so that $\mathbb{E}[y] = x$.
# 2. **Patience.** `early_stopping(val_loss, patience)`: after which epoch
#    EarlyStopping stops, and which epoch it calls best; the check feeds the same
#    losses to tinynet's `EarlyStopping`.
# 3. **A held-out split.** `held_out_split(x, y, n_val)`: the last `n_val` samples
#    for validation, the rest for training.

# %%
lesson.finish()
