"""Exercises of lesson 8 (five optimizers), in NumPy, with Keras 3's formulas.
Write each function; check with: python3 -m pytest lessons/exercises/test_08_optimizers.py"""


def nesterov_step(w, g, u, lr, mu):
    """Exercise 1. SGD with Nesterov momentum:  u <- mu u - lr g;  w <- w + mu u - lr g.
    Returns the new (w, u)."""
    raise NotImplementedError("exercise 1: nesterov_step")


def rmsprop_step(w, g, s, lr, rho=0.9, epsilon=1e-7):
    """Exercise 2. RMSprop:  s <- rho s + (1 - rho) g^2;  w <- w - lr g / sqrt(s + epsilon).
    Returns the new (w, s)."""
    raise NotImplementedError("exercise 2: rmsprop_step")


def adam_step(w, g, m, v, t, lr, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    """Exercise 3. Adam's step number t (1, 2, ...):
        m <- beta_1 m + (1 - beta_1) g;   v <- beta_2 v + (1 - beta_2) g^2
        alpha = lr sqrt(1 - beta_2^t) / (1 - beta_1^t);   w <- w - alpha m / (sqrt(v) + epsilon)
    Returns the new (w, m, v)."""
    raise NotImplementedError("exercise 3: adam_step")


def valley_momentum():
    """Exercise 4. In the lesson's valley, L(w) = (w1^2 + 25 w2^2) / 2 from (-4, 1),
    SGD with learning rate 0.03 and momentum 0.9 still has a loss of about 0.02
    after 60 steps: it swings across the valley. Return a momentum (a float in
    [0, 1)) with which the same SGD ends below 1e-4 after 60 steps. Try some in
    the lesson first."""
    raise NotImplementedError("exercise 4: valley_momentum")
