"""``model_to_json`` / ``model_from_json``: the architecture alone, as a JSON string."""

from __future__ import annotations

import json

from deepprob.engine import serialization

__all__ = ["model_to_json", "model_from_json"]


def model_to_json(model, **kwargs) -> str:
    """The model's architecture (no weights) as JSON; ``model_from_json`` rebuilds it.

    Args:
        model: a Sequential, functional or registered subclassed model.
        **kwargs: passed to ``json.dumps`` (``indent=2`` ...).

    Example:
        >>> text = model.to_json()
        >>> fresh = dp.models.model_from_json(text)
    """
    import deepprob

    config = serialization.serialize_keras_object(model)
    config["deepprob_version"] = getattr(deepprob, "__version__", "unknown")
    return json.dumps(config, **kwargs)


def model_from_json(json_string: str, custom_objects: dict | None = None,
                    safe_mode: bool = True):
    """Rebuild a model (freshly initialised weights) from ``model.to_json()``.

    Args:
        json_string: the JSON text.
        custom_objects: ``{name: class or function}`` for unregistered custom objects.
        safe_mode: refuse to rebuild ``Lambda`` functions from stored bytecode.

    Example:
        >>> fresh = dp.models.model_from_json(model.to_json())
    """
    if not isinstance(json_string, (str, bytes)):
        raise TypeError(
            "Argument `json_string` of model_from_json: expected a JSON string, received "
            f"{type(json_string).__name__}."
        )
    try:
        config = json.loads(json_string)
    except json.JSONDecodeError as err:
        raise ValueError(f"Argument `json_string` of model_from_json: not valid JSON ({err}).") \
            from None
    config.pop("deepprob_version", None)
    with serialization.CustomObjectScope(custom_objects or {}):
        return serialization.deserialize_keras_object(config, custom_objects, safe_mode=safe_mode)
