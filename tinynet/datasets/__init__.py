"""Datasets, named as in ``keras.datasets``. MNIST ships inside the package."""
from . import mnist

__all__ = ["mnist"]
