"""Worked solutions of lesson 8's exercises."""
import numpy as np


def nesterov_step(w, g, u, lr, mu):
    u = mu * u - lr * g
    return w + mu * u - lr * g, u


def rmsprop_step(w, g, s, lr, rho=0.9, epsilon=1e-7):
    s = rho * s + (1 - rho) * g * g
    return w - lr * g / np.sqrt(s + epsilon), s


def adam_step(w, g, m, v, t, lr, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    m = beta_1 * m + (1 - beta_1) * g
    v = beta_2 * v + (1 - beta_2) * g * g
    alpha = lr * np.sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t)
    return w - alpha * m / (np.sqrt(v) + epsilon), m, v


def valley_momentum():
    # With less momentum the velocity across the valley dies out instead of swinging,
    # while along the valley it still builds up: 0.65 to 0.8 all end below 1e-4.
    return 0.7
