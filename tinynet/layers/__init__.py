"""Layers, named as in ``keras.layers``."""
from .conv import Conv2D
from .core import Activation, Flatten, Input, InputLayer, ReLU, Reshape, Softmax
from .dense import Dense
from .dropout import Dropout
from .layer import Layer
from .normalization import BatchNormalization
from .pooling import AveragePooling2D, GlobalAveragePooling2D, GlobalMaxPooling2D, MaxPooling2D

__all__ = ["Activation", "AveragePooling2D", "BatchNormalization", "Conv2D", "Dense", "Dropout", "Flatten",
           "GlobalAveragePooling2D", "GlobalMaxPooling2D", "Input", "InputLayer", "Layer", "MaxPooling2D", "ReLU",
           "Reshape", "Softmax"]
