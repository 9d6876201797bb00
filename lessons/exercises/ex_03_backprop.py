"""Exercises of lesson 3 (backpropagation), in NumPy.
Write each function; check with: python3 -m pytest lessons/exercises/test_03_backprop.py"""


def dense_backward(x, w, dy):
    """Exercise 1. The backward pass of y = x @ w + b.

    x (n, i), w (i, o), dy = dL/dy (n, o). Return (dx, dw, db): dL/dx (n, i),
    dL/dw (i, o) and dL/db (o,).
    """
    raise NotImplementedError("exercise 1: dense_backward")


def sigmoid_backward(z, dy):
    """Exercise 2. dL/dz for a = sigmoid(z), given dy = dL/da (same shape as z).
    sigmoid'(z) = sigmoid(z) * (1 - sigmoid(z))."""
    raise NotImplementedError("exercise 2: sigmoid_backward")


def softmax_cross_entropy_gradient(logits, y):
    """Exercise 3. dL/dz of L = mean over the batch of -log softmax(z)[y].

    logits (n, c), y (n,) classes. Each row's gradient is p - onehot(y), and the
    mean divides it by n. Returns (n, c).
    """
    raise NotImplementedError("exercise 3: softmax_cross_entropy_gradient")
