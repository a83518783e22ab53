"""Optimizers with Keras's names, arguments, defaults and update rules, on ``torch.optim``.

``dp.optimizers.Adam()``, ``dp.optimizers.get("rmsprop")``, learning-rate schedules in
``dp.optimizers.schedules``. Each optimizer wraps a torch optimizer (fused kernels where torch
has them) and follows Keras's update rule; the class docstrings say where torch's formula
differs and how deepprob makes them agree.

Example:
    >>> import deepprob as dp
    >>> opt = dp.optimizers.get("adam")
    >>> type(opt).__name__, opt.learning_rate
    ('Adam', 0.001)
"""

from __future__ import annotations

from typing import Any

from deepprob._errors import unknown
from deepprob.optimizers import schedules
from deepprob.optimizers.adagrad import Adadelta, Adagrad
from deepprob.optimizers.adam import Adam, Adamax, AdamW, Nadam
from deepprob.optimizers.base import Optimizer
from deepprob.optimizers.rmsprop import RMSprop
from deepprob.optimizers.sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "Adamax", "Nadam", "RMSprop", "Adagrad",
           "Adadelta", "schedules", "get", "serialize", "deserialize"]

_BY_NAME = {"sgd": SGD, "adam": Adam, "adamw": AdamW, "adamax": Adamax, "nadam": Nadam,
            "rmsprop": RMSprop, "adagrad": Adagrad, "adadelta": Adadelta}


def serialize(optimizer: Optimizer) -> dict:
    """``{"class_name": ..., "config": ...}`` for an optimizer.

    Args:
        optimizer: A deepprob optimizer.

    Example:
        >>> serialize(SGD(0.1))["config"]["learning_rate"]
        0.1
    """
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"serialize: argument `optimizer` must be a deepprob Optimizer; "
                        f"received {optimizer!r} of type {type(optimizer).__name__}.")
    return {"class_name": type(optimizer).__name__, "config": optimizer.get_config()}


def deserialize(config: dict, custom_objects: dict | None = None) -> Optimizer:
    """Rebuild an optimizer from ``serialize``'s dict (Keras's format).

    Args:
        config: ``{"class_name": name, "config": dict}``; the name is matched case-insensitively.
        custom_objects: Extra ``{name: class}`` (optimizer or schedule classes).

    Example:
        >>> deserialize({"class_name": "Adam", "config": {"learning_rate": 0.01}}).learning_rate
        0.01
    """
    if not isinstance(config, dict) or "class_name" not in config:
        raise TypeError("deserialize: argument `config` must be a dict with keys 'class_name' "
                        f"and 'config'; received {config!r}.")
    classes = {k: v for k, v in _BY_NAME.items()}
    for name, cls in (custom_objects or {}).items():
        if isinstance(cls, type) and issubclass(cls, Optimizer):
            classes[name.lower()] = cls
    name = str(config["class_name"])
    cls = classes.get(name.lower())
    if cls is None:
        raise unknown("optimizer", name, [c.__name__ for c in classes.values()],
                      argument="config['class_name']")
    return cls.from_config(dict(config.get("config", {})), custom_objects=custom_objects)


def get(identifier: Any) -> Optimizer:
    """Resolve an optimizer identifier as Keras does.

    Args:
        identifier: An ``Optimizer`` (returned as is), a name (``"sgd"``, ``"adam"``,
            ``"rmsprop"``, ``"adagrad"``, ``"adadelta"``, ``"adamax"``, ``"nadam"``,
            ``"adamw"``; case-insensitive; Keras's defaults), an ``Optimizer`` subclass, or a
            ``serialize`` dict.

    Returns:
        An optimizer instance.

    Example:
        >>> get("RMSprop").rho
        0.9
    """
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str):
        cls = _BY_NAME.get(identifier.lower())
        if cls is None:
            raise unknown("optimizer", identifier, _BY_NAME, argument="optimizer")
        return cls()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, type) and issubclass(identifier, Optimizer):
        return identifier()
    raise TypeError(
        "Argument `optimizer` must be an optimizer name (e.g. 'adam'), a "
        "dp.optimizers.Optimizer instance or a config dict; received "
        f"{identifier!r} of type {type(identifier).__name__}."
    )
