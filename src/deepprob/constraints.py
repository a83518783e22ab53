"""Weight constraints with Keras's names and formulas, applied after each optimizer step.

A constraint maps a weight tensor to its projected value (``w_new = constraint(w)``); the
``axis`` arguments refer to the weight's *Keras* layout (a Dense kernel is ``(in, out)``, so
``MaxNorm(axis=0)`` bounds the norm of each unit's incoming weights).

Example:
    >>> import torch, deepprob as dp
    >>> dp.constraints.NonNeg()(torch.tensor([-1.0, 2.0]))
    tensor([0., 2.])
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import torch

from deepprob._config_objects import deserialize_object, serialize_object
from deepprob._errors import unknown

__all__ = ["Constraint", "MaxNorm", "MinMaxNorm", "NonNeg", "UnitNorm", "max_norm",
           "min_max_norm", "non_neg", "unit_norm", "get", "serialize", "deserialize"]

_EPSILON = 1e-7  # Keras's backend.epsilon()


def _number(owner: str, name: str, value: Any, low: float = 0.0) -> float:
    if isinstance(value, bool):
        raise TypeError(f"{owner}: argument `{name}` must be a number; received {value!r}.")
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{owner}: argument `{name}` must be a number; received {value!r}.") \
            from None
    if not math.isfinite(value) or value < low:
        raise ValueError(f"{owner}: argument `{name}` must be a finite number >= {low:g}; "
                         f"received {value!r}.")
    return value


def _axis(owner: str, axis: Any) -> int | tuple[int, ...]:
    if isinstance(axis, Sequence) and not isinstance(axis, str):
        return tuple(int(a) for a in axis)
    if isinstance(axis, bool) or not isinstance(axis, int):
        raise TypeError(f"{owner}: argument `axis` must be an int or a sequence of ints; "
                        f"received {axis!r}.")
    return axis


def _norms(w: torch.Tensor, axis) -> torch.Tensor:
    return torch.sqrt(torch.sum(w * w, dim=axis, keepdim=True))


class Constraint:
    """Base class: ``w_new = constraint(w)``, plus ``get_config``.

    Example:
        >>> class Clip(Constraint):
        ...     def __call__(self, w):
        ...         return w.clamp(-1, 1)
        >>> Clip()(torch.tensor([3.0]))
        tensor([1.])
    """

    def __call__(self, w: torch.Tensor) -> torch.Tensor:
        return w

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict) -> Constraint:
        """Rebuild from ``get_config()``."""
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class MaxNorm(Constraint):
    """Rescale slices whose L2 norm along ``axis`` exceeds ``max_value``.

    ``w * clip(norm, 0, max_value) / (epsilon + norm)``.

    Args:
        max_value: Largest allowed norm. Defaults to 2.
        axis: Axis (or axes) along which norms are computed. Defaults to 0.

    Example:
        >>> MaxNorm(1.0)(torch.tensor([[3.0], [4.0]]))
        tensor([[0.6000],
                [0.8000]])
    """

    def __init__(self, max_value: float = 2.0, axis: int | Sequence[int] = 0):
        self.max_value = _number("MaxNorm", "max_value", max_value)
        self.axis = _axis("MaxNorm", axis)

    def __call__(self, w):
        norms = _norms(w, self.axis)
        desired = norms.clamp(0.0, self.max_value)
        return w * (desired / (_EPSILON + norms))

    def get_config(self) -> dict:
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    """Zero the negative entries.

    Example:
        >>> NonNeg()(torch.tensor([-0.5, 0.5]))
        tensor([0.0000, 0.5000])
    """

    def __call__(self, w):
        return w.clamp(min=0)


class UnitNorm(Constraint):
    """Scale slices to unit L2 norm along ``axis``: ``w / (epsilon + norm)``.

    Args:
        axis: Axis (or axes) along which norms are computed. Defaults to 0.

    Example:
        >>> UnitNorm()(torch.tensor([[3.0], [4.0]]))
        tensor([[0.6000],
                [0.8000]])
    """

    def __init__(self, axis: int | Sequence[int] = 0):
        self.axis = _axis("UnitNorm", axis)

    def __call__(self, w):
        return w / (_EPSILON + _norms(w, self.axis))

    def get_config(self) -> dict:
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """Keep slice norms in ``[min_value, max_value]``, moving a fraction ``rate`` of the way.

    ``w * (rate * clip(norm, min_value, max_value) + (1 - rate) * norm) / (epsilon + norm)``.

    Args:
        min_value: Smallest allowed norm. Defaults to 0.
        max_value: Largest allowed norm. Defaults to 1.
        rate: Fraction of the rescaling applied per call (1 is strict). Defaults to 1.
        axis: Axis (or axes) along which norms are computed. Defaults to 0.

    Example:
        >>> MinMaxNorm(2.0, 3.0)(torch.tensor([[0.6], [0.8]]))
        tensor([[1.2000],
                [1.6000]])
    """

    def __init__(self, min_value: float = 0.0, max_value: float = 1.0, rate: float = 1.0,
                 axis: int | Sequence[int] = 0):
        self.min_value = _number("MinMaxNorm", "min_value", min_value)
        self.max_value = _number("MinMaxNorm", "max_value", max_value)
        if self.max_value < self.min_value:
            raise ValueError(f"MinMaxNorm: argument `max_value` ({max_value!r}) must be >= "
                             f"`min_value` ({min_value!r}).")
        self.rate = _number("MinMaxNorm", "rate", rate)
        if self.rate > 1:
            raise ValueError(f"MinMaxNorm: argument `rate` must be in [0, 1]; received {rate!r}.")
        self.axis = _axis("MinMaxNorm", axis)

    def __call__(self, w):
        norms = _norms(w, self.axis)
        desired = self.rate * norms.clamp(self.min_value, self.max_value) + \
            (1.0 - self.rate) * norms
        return w * (desired / (_EPSILON + norms))

    def get_config(self) -> dict:
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate,
                "axis": self.axis}


max_norm, min_max_norm, non_neg, unit_norm = MaxNorm, MinMaxNorm, NonNeg, UnitNorm

_CLASSES = {"MaxNorm": MaxNorm, "MinMaxNorm": MinMaxNorm, "NonNeg": NonNeg,
            "UnitNorm": UnitNorm}
_NAMES = {"max_norm": MaxNorm, "min_max_norm": MinMaxNorm, "non_neg": NonNeg,
          "unit_norm": UnitNorm, "maxnorm": MaxNorm, "minmaxnorm": MinMaxNorm,
          "nonneg": NonNeg, "unitnorm": UnitNorm}


def serialize(constraint: Any) -> dict | str | None:
    """Keras's ``{"class_name": ..., "config": ...}`` for a constraint.

    Args:
        constraint: A ``Constraint`` (a plain callable gives its ``__name__``).

    Example:
        >>> serialize(MaxNorm(3.0))
        {'class_name': 'MaxNorm', 'config': {'max_value': 3.0, 'axis': 0}}
    """
    return serialize_object(constraint, Constraint)


def deserialize(config: Any, custom_objects: dict | None = None) -> Any:
    """Rebuild a constraint from ``serialize``'s dict (or a name).

    Args:
        config: ``{"class_name": name, "config": dict}`` or a name.
        custom_objects: Extra ``{name: class or function}``.

    Example:
        >>> deserialize({"class_name": "UnitNorm", "config": {"axis": 1}}).axis
        1
    """
    return deserialize_object(
        config, custom_objects, base=Constraint, kind="constraint", module="constraints",
        find=lambda name: _CLASSES.get(name) or _NAMES.get(str(name).lower()),
        names=list(_CLASSES) + list(_NAMES), get=get)


def get(identifier: Any) -> Any:
    """Resolve a constraint: a name, a class or instance, a config dict, a callable, or None.

    Args:
        identifier: ``"max_norm"``, ``"non_neg"``, ``"unit_norm"``, ``"min_max_norm"`` (or the
            class names), a ``Constraint``, a ``serialize`` dict, a callable ``f(w) -> w``, or
            None.

    Returns:
        The constraint (None for None).

    Example:
        >>> get("non_neg")
        NonNeg()
    """
    if identifier is None or isinstance(identifier, Constraint):
        return identifier
    if isinstance(identifier, str):
        cls = _CLASSES.get(identifier) or _NAMES.get(identifier.lower())
        if cls is None:
            raise unknown("constraint", identifier,
                          ["max_norm", "min_max_norm", "non_neg", "unit_norm"],
                          argument="constraint")
        return cls()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, type) and issubclass(identifier, Constraint):
        return identifier()
    if callable(identifier):
        return identifier
    raise TypeError(
        "Argument `constraint` must be a constraint name (e.g. 'non_neg'), a Constraint, a "
        f"config dict or a callable; received {identifier!r} of type "
        f"{type(identifier).__name__}."
    )
