"""Exercises of lesson 0 (the pieces of a neural network), in NumPy.
Write each function; check with: python3 -m pytest lessons/exercises/test_00_neurons.py"""


def dense(x, w, b, activation):
    """Exercise 1. A Dense layer: activation(x @ w + b).

    x (n, i), w (i, o), b (o,); activation is 'linear', 'relu', 'sigmoid' or 'tanh'.
    Returns (n, o).
    """
    raise NotImplementedError("exercise 1: dense")


def softmax(z):
    """Exercise 2. Softmax of each row of z (n, c): exp(z_j) / sum_k exp(z_k).

    It must work for logits like 1000 too: subtract each row's largest value first
    (which does not change the result) so that exp never overflows.
    """
    raise NotImplementedError("exercise 2: softmax")


def cross_entropy(p, y):
    """Exercise 3. The mean over the batch of -log p[i, y[i]].

    p (n, c) probabilities, y (n,) the true classes. Returns a float.
    """
    raise NotImplementedError("exercise 3: cross_entropy")


def momentum_step(w, g, u, lr, mu):
    """Exercise 4. One step of SGD with momentum, as Keras writes it:
    u <- mu * u - lr * g;  w <- w + u.   Returns the new (w, u); do not change the inputs.
    """
    raise NotImplementedError("exercise 4: momentum_step")
