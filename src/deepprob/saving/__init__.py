"""Saving and loading (``dp.saving``): ``.keras`` model files, HDF5 weights, JSON configs.

* ``save_model`` / ``load_model``: one ``.keras`` zip (config JSON, safetensors weights,
  optimizer state); ``model.save(path)`` and ``dp.models.load_model(path)`` call these.
* ``save_weights`` / ``load_weights``: HDF5 ``.weights.h5`` in Keras 3's layout.
* ``model_to_json`` / ``model_from_json``, ``clone_model``.
* ``register_keras_serializable`` (custom layers, models and functions by name),
  ``serialize_keras_object`` / ``deserialize_keras_object``, ``CustomObjectScope``.

Every write is atomic (a temporary file in the same folder, fsync, rename): a crash or a kill
during a save leaves the previous file intact.

Example:
    >>> model.save("model.keras")
    >>> model = dp.models.load_model("model.keras")
"""

from deepprob.engine.serialization import (
    CustomObjectScope,
    SafeModeScope,
    deserialize_keras_object,
    enable_unsafe_deserialization,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
    serialize_keras_object,
)
from deepprob.saving.cloning import clone_model
from deepprob.saving.keras_file import load_model, save_model
from deepprob.saving.model_config import model_from_json, model_to_json
from deepprob.saving.weights_h5 import load_weights, save_weights

custom_object_scope = CustomObjectScope

__all__ = [
    "CustomObjectScope", "SafeModeScope", "clone_model", "custom_object_scope",
    "deserialize_keras_object", "enable_unsafe_deserialization", "get_registered_name",
    "get_registered_object", "load_model", "load_weights", "model_from_json", "model_to_json",
    "register_keras_serializable", "save_model", "save_weights", "serialize_keras_object",
]
