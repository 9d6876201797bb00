"""Worked solutions of lesson 0's exercises."""
import numpy as np

ACTIVATIONS = {
    "linear": lambda z: z,
    "relu": lambda z: np.maximum(z, 0),
    "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
    "tanh": np.tanh,
}


def dense(x, w, b, activation):
    return ACTIVATIONS[activation](x @ w + b)


def softmax(z):
    shifted = z - z.max(axis=1, keepdims=True)  # the largest becomes 0: exp() is at most 1
    e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)


def cross_entropy(p, y):
    return float(-np.log(p[np.arange(len(y)), y]).mean())


def momentum_step(w, g, u, lr, mu):
    u = mu * u - lr * g  # new arrays: the caller's stay as they were
    return w + u, u
