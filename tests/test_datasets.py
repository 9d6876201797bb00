"""MNIST from the shipped copy, exactly as Keras returns it, and bad files named."""
import numpy as np
import pytest

from tinynet.datasets import mnist


def test_load_data_is_keras_shaped_and_checked():
    (x, y), (xt, yt) = mnist.load_data()
    assert x.shape == (60000, 28, 28) and xt.shape == (10000, 28, 28)
    assert x.dtype == y.dtype == np.uint8 and y.shape == (60000,) and yt.shape == (10000,)
    assert list(y[:10]) == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert list(np.bincount(yt)) == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert (x / 255.0).mean() == pytest.approx(0.1307, abs=1e-4)


def test_another_npz_of_the_same_form_loads(tmp_path):
    path = tmp_path / "tiny.npz"
    arrays = {"x_train": np.zeros((3, 2, 2), np.uint8), "y_train": np.arange(3, dtype=np.uint8),
              "x_test": np.ones((1, 2, 2), np.uint8), "y_test": np.zeros(1, np.uint8)}
    np.savez(path, **arrays)
    (x, y), (xt, yt) = mnist.load_data(path=path)
    assert x.shape == (3, 2, 2) and list(y) == [0, 1, 2] and xt.shape == (1, 2, 2)


def test_a_file_without_the_keys_is_named(tmp_path):
    path = tmp_path / "other.npz"
    np.savez(path, images=np.zeros(3))
    with pytest.raises(ValueError, match="keys .*'x_train'.* are missing"):
        mnist.load_data(path=path)


def test_a_file_that_is_not_npz_is_named(tmp_path):
    path = tmp_path / "broken.npz"
    path.write_bytes(b"not a zip file at all")
    with pytest.raises(ValueError, match="Could not read MNIST from"):
        mnist.load_data(path=path)


def test_a_damaged_shipped_copy_is_caught(tmp_path, monkeypatch):
    (x, y), (xt, yt) = mnist.load_data()
    x = x.copy()
    x[0, 0, 0] ^= 1
    path = tmp_path / "damaged.npz"
    np.savez(path, x_train=x, y_train=y, x_test=xt, y_test=yt)
    monkeypatch.setattr(mnist, "SHIPPED", str(path))
    with pytest.raises(ValueError, match="damaged: x_train does not match its SHA-256"):
        mnist.load_data()
