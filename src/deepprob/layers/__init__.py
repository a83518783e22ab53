"""All layers in one namespace (Keras layers and TFP's probabilistic layers), as ``dp.layers.X``."""

from deepprob.engine.input_layer import Input, InputLayer
from deepprob.engine.layer import InputSpec, Layer
from deepprob.layers.core import (
    Activation,
    Dense,
    Dropout,
    Flatten,
    Identity,
    Lambda,
    Permute,
    RepeatVector,
    Reshape,
)

__all__ = [
    "Activation", "Dense", "Dropout", "Flatten", "Identity", "Input", "InputLayer", "InputSpec",
    "Lambda", "Layer", "Permute", "RepeatVector", "Reshape",
]
