# %% [markdown]
# # Lesson 0: the pieces, each with small numbers
#
# Lesson 1 builds `Flatten -> Dense(128, relu) -> Dense(10, softmax)`, compiles
# it with Adam and cross-entropy, and fits it in batches over epochs, watching a
# validation set. This lesson takes each of those words in turn and computes a
# small example with tinynet, so that every number can be checked by hand.

# %%
QUICK = False  # True: tiny settings, as --quick or TINYNET_QUICK=1: seconds once Numba has compiled the kernels

# %%
from lesson_kit import Lesson, plt  # first: it sets NumPy's threads before NumPy loads
import numpy as np

import tinynet
from tinynet import activations, losses, optimizers
from tinynet.callbacks import Callback
from tinynet.datasets import mnist
from tinynet.layers import Dense, Flatten
from tinynet.models import Sequential

lesson = Lesson("00_neurons", "The pieces of a neural network, with small numbers",
                defaults={"epochs": 10, "subset": 1_000}, quick={"epochs": 3, "subset": 300})
np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## A neuron
# A neuron takes inputs $x_1, \dots, x_n$, multiplies each by a weight, adds a
# bias and applies an **activation** $f$:
# $$z = \sum_i w_i x_i + b, \qquad a = f(z).$$
# With $x = (0.5, -1, 2)$, $w = (0.2, 0.4, -0.1)$, $b = 0.1$:
# $z = 0.1 - 0.4 - 0.2 + 0.1 = -0.4$. A `Dense(1)` layer is one neuron; we set its
# weights and ask it.

# %%
x = np.array([[0.5, -1.0, 2.0]], np.float32)  # one sample (a batch of 1) with 3 inputs
neuron = Dense(1)
neuron.build((3,))
neuron.set_weights([np.array([[0.2], [0.4], [-0.1]], np.float32), np.array([0.1], np.float32)])
print(f"by hand: z = {0.5 * 0.2 + -1 * 0.4 + 2 * -0.1 + 0.1:.4f};  Dense(1): {neuron(x)[0, 0]:.4f}")

# %% [markdown]
# ## A Dense layer: many neurons at once
# A layer of $o$ neurons on $i$ inputs keeps their weights as the columns of a
# matrix $W$ $(i \times o)$ and their biases in $b$ $(o)$. For a batch of $n$
# samples, the rows of $X$ $(n \times i)$, all outputs come from one matrix
# product: $Y = XW + b$ $(n \times o)$. The batch axis comes first, always.

# %%
X = np.array([[0.5, -1.0, 2.0], [1.0, 0.0, -1.0]], np.float32)  # 2 samples
layer = Dense(4)
layer.build((3,))
W, b = layer.get_weights()
print("W", W.shape, "b", b.shape, "-> Y", layer(X).shape)
print("largest difference between X @ W + b and the layer:", np.abs(X @ W + b - layer(X)).max())
print(f"parameters: 3 x 4 weights + 4 biases = {layer.count_params()}; "
      f"lesson 1's first layer: 784 x 128 + 128 = {784 * 128 + 128:,}")

# %% [markdown]
# ## Activations
# Without an activation, two layers would be one: $(XW_1)W_2 = X(W_1W_2)$. A
# non-linear $f$ between them is what lets depth add anything.
# * ReLU: $\max(0, z)$ - zero for negative inputs, the identity for positive ones.
# * sigmoid: $\sigma(z) = 1 / (1 + e^{-z})$, between 0 and 1.
# * tanh: between -1 and 1, and $\tanh(z) = 2\sigma(2z) - 1$.

# %%
z = np.array([-2.0, -0.5, 0.0, 0.5, 2.0], np.float32)
for name in ("relu", "sigmoid", "tanh"):
    print(f"{name:8} {getattr(activations, name)(z)}")
print("tanh(z) - (2 sigmoid(2z) - 1):", activations.tanh(z) - (2 * activations.sigmoid(2 * z) - 1))
curve = np.linspace(-4, 4, 200, dtype=np.float32)
fig, ax = plt.subplots(figsize=(7, 4))
for name in ("relu", "sigmoid", "tanh"):
    ax.plot(curve, getattr(activations, name)(curve), label=name, linewidth=2)
ax.set(xlabel="z", ylabel="f(z)", title="Three activations", ylim=(-1.2, 2.2))
ax.grid(True, alpha=0.3)
ax.legend()
lesson.save(fig, "activations.png")

# %% [markdown]
# ## Softmax: scores into probabilities
# The last layer of a classifier gives one score (a **logit**) $z_j$ per class;
# softmax turns them into probabilities that are positive and sum to 1:
# $$p_j = \frac{e^{z_j}}{\sum_k e^{z_k}}.$$
# For $z = (2, 1, 0.1)$: $e^z = (7.389, 2.718, 1.105)$, sum $11.212$, so
# $p = (0.659, 0.242, 0.099)$. Adding the same number to every score changes
# nothing, which is how it is computed safely: subtract the largest first.

# %%
logits = np.array([[2.0, 1.0, 0.1]], np.float32)
p = activations.softmax(logits)
print("softmax(2, 1, 0.1)          =", p[0], f" sum {p.sum():.6f}")
print("softmax(1002, 1001, 1000.1) =", activations.softmax(logits + 1000)[0])

# %% [markdown]
# ## A loss: how wrong, as one number
# For classification the loss of one sample is the **cross-entropy**
# $L = -\log p_y$, where $y$ is the true class: 0 when the model gives the true
# class probability 1, and larger the less it gives it. Over a batch, the mean.
# A model that knows nothing gives each of 10 classes $1/10$ and scores
# $-\log(0.1) = \ln 10 \approx 2.303$ - the loss to expect before training.

# %%
loss = losses.SparseCategoricalCrossentropy()
for true in (0, 2):
    print(f"true class {true}: -log p = {-np.log(p[0, true]):.4f}; tinynet's loss: "
          f"{loss(np.array([true]), p):.4f}")
print(f"uniform over 10 classes: {loss(np.array([3]), np.full((1, 10), 0.1, np.float32)):.4f} (ln 10 = {np.log(10):.4f})")

# %% [markdown]
# ## Gradient descent
# Training changes each weight against its gradient, the direction in which the
# loss grows fastest: $w \leftarrow w - \eta\, \partial L / \partial w$, with a small
# **learning rate** $\eta$. For one weight and $L(w) = (w - 3)^2$, the gradient is
# $2(w - 3)$; from $w = 0$ with $\eta = 0.1$ the first step is
# $0 - 0.1 \cdot 2(0 - 3) = 0.6$, and each step closes 20% of the remaining
# distance to 3. tinynet's `SGD` does the update; we give it the gradient.
#
# **Momentum** $\mu$ adds a velocity: $u \leftarrow \mu u - \eta g$,
# $w \leftarrow w + u$, so steps in a steady direction grow. **Adam** divides a
# running mean of the gradient by the root of a running mean of its square
# (both corrected for starting at 0):
# $m \leftarrow \beta_1 m + (1 - \beta_1) g$, $v \leftarrow \beta_2 v + (1 - \beta_2) g^2$,
# $w \leftarrow w - \eta \frac{\sqrt{1 - \beta_2^t}}{1 - \beta_1^t} \frac{m}{\sqrt v + \epsilon}$.
# Its first step is $\eta$ times the sign of $g$, whatever the size of $g$ (as
# long as $|g|$ is much larger than $\epsilon$). Its steps do not shrink as the
# gradient does near the minimum (the two running means shrink together), so with
# $\eta = 0.5$ it runs past 3 before it turns; the figure shows where it is after 25 steps.
# Lesson 8 compares these (and two more) on a real model.

# %%
def descend(optimizer, steps=25):
    w = np.array([0.0], np.float32)
    path = [float(w[0])]
    for _ in range(steps):
        optimizer.apply([w], [np.float32(2) * (w - np.float32(3))])
        path.append(float(w[0]))
    return path


runs = {"SGD, lr 0.1": descend(optimizers.SGD(0.1)), "momentum 0.5, lr 0.1": descend(optimizers.SGD(0.1, momentum=0.5)),
        "Adam, lr 0.5": descend(optimizers.Adam(0.5))}
for name, path in runs.items():
    print(f"{name:22} w: " + ", ".join(f"{w:.3f}" for w in path[:5]) + f", ... after 25 steps {path[-1]:.4f}")
fig, ax = plt.subplots(figsize=(7, 4))
for name, path in runs.items():
    ax.plot(path, "o-", markersize=3, label=name)
ax.axhline(3, color="gray", linestyle=":")
ax.set(xlabel="step", ylabel="w", title="Minimising (w - 3)^2 from w = 0")
ax.grid(True, alpha=0.3)
ax.legend()
lesson.save(fig, "gradient_descent.png")

# %% [markdown]
# ## Batches and epochs
# A step uses the gradient of the mean loss over a **batch** of samples, not
# over all of them: cheaper, and noisy in a useful way. An **epoch** is one pass
# over the training data, so with $n$ samples and batch size $B$ it has
# $\lceil n / B \rceil$ steps (the last batch may be smaller). Lesson 1's epoch is
# $\lceil 60000 / 32 \rceil = 1875$ steps: the "1875/1875" of its progress bar.
# Here: 10 samples, batches of 4, 2 epochs.

# %%
class BatchCounter(Callback):
    """Notes (epoch, batch) at the start of every training batch."""

    def __init__(self):
        super().__init__()
        self.seen, self.epoch = [], None

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_begin(self, batch, logs=None):
        self.seen.append((self.epoch, batch))


tiny = Sequential([Dense(2, activation="softmax", input_shape=(3,))])
tiny.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
counter = BatchCounter()
tiny.fit(np.random.default_rng(0).random((10, 3)), np.arange(10) % 2, batch_size=4, epochs=2, verbose=0,
         callbacks=[counter])
print(f"(epoch, batch) seen: {counter.seen}; optimizer steps taken: {tiny.optimizer.iterations} "
      f"(= 2 epochs x ceil(10 / 4) = {2 * int(np.ceil(10 / 4))}); each epoch's last batch holds 10 - 8 = 2 samples")

# %% [markdown]
# ## Training, validation and test data
# A model is judged on data it never trained on. Three sets, three jobs:
# * **training** data: what the weights are fitted to;
# * **validation** data: held out from training, to *choose* with - when to stop,
#   which model or learning rate to keep;
# * **test** data: held out from everything, looked at once at the end. A test
#   score used to choose is no longer an honest estimate: it was picked for
#   being high.
#
# Below, a small model trains on the first MNIST training images (1,000 at full
# settings, 300 in quick mode; the printout says how many); the validation set is
# the last 1,000 of MNIST's training images, which it never trains on; the test
# set is the first 1,000 of MNIST's own test images.

# %%
(x_all, y_all), (x_test, y_test) = mnist.load_data()
n = lesson.subset
if n > len(x_all) - 1000:
    raise SystemExit(f"--subset {n} would train on the validation images: at most {len(x_all) - 1000}")
x_fit, y_fit = x_all[:n] / 255.0, y_all[:n]
x_val, y_val = x_all[-1000:] / 255.0, y_all[-1000:]
tinynet.utils.set_random_seed(lesson.seed)
model = Sequential([Flatten(input_shape=(28, 28)), Dense(32, activation="relu"), Dense(10, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
history = model.fit(x_fit, y_fit, epochs=lesson.epochs, batch_size=32, validation_data=(x_val, y_val), verbose=0)
best = int(np.argmin(history.history["val_loss"]))
train_loss, train_acc = model.evaluate(x_fit, y_fit, verbose=0)
test_loss, test_acc = model.evaluate(x_test[:1000] / 255.0, y_test[:1000], verbose=0)
print(f"training ({n} images):   accuracy {train_acc:.4f}, loss {train_loss:.4g}")
print(f"validation (1000 images): accuracy {history.history['val_accuracy'][-1]:.4f}, "
      f"loss {history.history['val_loss'][-1]:.4f}; its lowest loss was at epoch {best + 1} of {lesson.epochs}")
print(f"test (1000 images, looked at once): accuracy {test_acc:.4f}, loss {test_loss:.4f}")
print(f"the model does {'better' if train_acc > test_acc else 'no better'} on the images it trained on "
      f"({train_acc:.4f}) than on new ones ({test_acc:.4f})"
      + (": the gap lesson 2 studies" if train_acc > test_acc else ""))

# %% [markdown]
# ## Exercises
# Write them in `lessons/exercises/ex_00_neurons.py` and check them with
# `python3 -m pytest lessons/exercises/test_00_neurons.py`: each check fails until its
# exercise is solved. Worked solutions: `lessons/exercises/solutions/ex_00_neurons.py`.
#
# 1. **A Dense layer in NumPy.** `dense(x, w, b, activation)` returns
#    $f(xW + b)$ for ReLU, sigmoid, tanh or none; the check compares it with tinynet's `Dense`.
# 2. **A softmax that does not overflow.** `softmax(z)`, row by row, using
#    $\mathrm{softmax}(z) = \mathrm{softmax}(z - \max_k z_k)$, so that logits of 1000 work.
# 3. **Cross-entropy.** `cross_entropy(p, y)` $= \frac1n \sum_i -\log p_{i, y_i}$.
# 4. **One momentum step.** `momentum_step(w, g, u, lr, mu)` with
#    $u \leftarrow \mu u - \eta g$, $w \leftarrow w + u$; five steps must match tinynet's `SGD`.

# %%
lesson.finish()
