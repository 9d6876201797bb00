"""Layers, named as in ``keras.layers``."""
from .core import Activation, Flatten, Input, InputLayer, ReLU, Softmax
from .dense import Dense
from .dropout import Dropout
from .layer import Layer

__all__ = ["Activation", "Dense", "Dropout", "Flatten", "Input", "InputLayer", "Layer", "ReLU", "Softmax"]
