"""Exercises of lesson 1 (a first model).
Write each function; check with: python3 -m pytest lessons/exercises/test_01_first_model.py"""


def normalise(images):
    """Exercise 1. uint8 pixels 0-255 -> float32 in [0, 1] (divide by 255), same shape."""
    raise NotImplementedError("exercise 1: normalise")


def confusion_matrix(y_true, y_pred, classes=10):
    """Exercise 2. counts[i, j] = how many samples of true class i were predicted as j.
    Returns an integer array (classes, classes)."""
    raise NotImplementedError("exercise 2: confusion_matrix")


def dead_units(model, x):
    """Exercise 3. The hidden units of ``model.layers[1]`` (a Dense layer with ReLU,
    after a Flatten) that output 0 for every sample of x: a sorted list of their
    indices. Hint: ``model.layers[1](x.reshape(len(x), -1))`` gives the layer's outputs."""
    raise NotImplementedError("exercise 3: dead_units")
