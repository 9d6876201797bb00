"""Shared by the client tests: each module under ``tests/clients/`` transcribes one public
Keras or TensorFlow text, top to bottom, with only its imports changed (see each module's
docstring for the text and for every other change, all of them listed there).

The helpers here only observe (a summary's rows, an accuracy) or give a text an empty
folder to write its files in; none changes what a text's code does.
"""
import numpy as np
import pytest


@pytest.fixture
def summary_of():
    """``summary_of(model)``: the lines ``model.summary()`` prints, as a list of strings."""
    def summary(model):
        lines = []
        model.summary(print_fn=lambda text, *args, **kwargs: lines.extend(str(text).split("\n")))
        return lines
    return summary


@pytest.fixture
def in_tmp_dir(tmp_path, monkeypatch):
    """Run the test in an empty folder: the texts write files to relative paths."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def row_of(lines, layer_name):
    """The summary row of the layer named ``layer_name``: its cells, stripped.
    ``['dense (Dense)', '(None, 128)', '100,480']``."""
    for line in lines:
        cells = [cell.strip() for cell in line.strip("│").split("│")]
        if cells and cells[0].startswith(layer_name + " ("):
            return cells
    raise AssertionError(f"no summary row for layer {layer_name!r} in:\n" + "\n".join(lines))


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """Keras' 'accuracy' for one output unit: how often (y_pred > threshold) equals y_true."""
    return float(np.mean((np.ravel(y_pred) > threshold) == (np.ravel(y_true) > 0.5)))
