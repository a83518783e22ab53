"""``dp.models``: model classes, saving and loading."""

from deepprob.engine.model import Model
from deepprob.engine.sequential import Sequential


def load_model(filepath, custom_objects=None, compile: bool = True, safe_mode: bool = True):
    """Load a model saved with ``model.save`` (see ``deepprob.saving.load_model``)."""
    from deepprob import saving

    return saving.load_model(filepath, custom_objects=custom_objects, compile=compile,
                             safe_mode=safe_mode)


def model_from_json(json_string: str, custom_objects=None):
    """Rebuild an (untrained) model from ``model.to_json()``."""
    from deepprob import saving

    return saving.model_from_json(json_string, custom_objects=custom_objects)


def clone_model(model, input_tensors=None, clone_function=None):
    """A new model with the same architecture and freshly initialised weights."""
    from deepprob import saving

    return saving.clone_model(model, input_tensors=input_tensors, clone_function=clone_function)


__all__ = ["Model", "Sequential", "clone_model", "load_model", "model_from_json"]
