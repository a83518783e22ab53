"""Weight regularizers with Keras's names and formulas (``L2 = l2 * sum(w**2)``, no 1/2).

A regularizer is called on a weight tensor and returns a scalar penalty that the training loop
adds to the loss (``kernel_regularizer=dp.regularizers.l2(1e-4)`` on a layer).

Example:
    >>> import torch, deepprob as dp
    >>> dp.regularizers.L1L2(l1=0.1, l2=0.5)(torch.tensor([1.0, -2.0]))
    tensor(2.8000)
"""

from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as F

from deepprob._config_objects import deserialize_object, serialize_object
from deepprob._errors import unknown

__all__ = ["Regularizer", "L1", "L2", "L1L2", "OrthogonalRegularizer", "l1", "l2", "l1_l2",
           "orthogonal_regularizer", "get", "serialize", "deserialize"]


def _factor(owner: str, name: str, value: Any) -> float:
    if isinstance(value, bool):
        raise TypeError(f"{owner}: argument `{name}` must be a number; received {value!r}.")
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{owner}: argument `{name}` must be a number; received {value!r}.") \
            from None
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{owner}: argument `{name}` must be a finite number >= 0; "
                         f"received {value!r}.")
    return value


class Regularizer:
    """Base class: ``penalty = regularizer(weight)`` (a scalar tensor), plus ``get_config``.

    Example:
        >>> class SumSquares(Regularizer):
        ...     def __call__(self, x):
        ...         return (x ** 2).sum()
        >>> SumSquares()(torch.tensor([3.0]))
        tensor(9.)
    """

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError(f"{type(self).__name__} must implement __call__.")

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict) -> Regularizer:
        """Rebuild from ``get_config()``."""
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class L1(Regularizer):
    """``l1 * sum(|w|)``.

    Args:
        l1: Non-negative factor. Defaults to 0.01.

    Example:
        >>> L1(0.5)(torch.tensor([1.0, -3.0]))
        tensor(2.)
    """

    def __init__(self, l1: float = 0.01):
        self.l1 = _factor("L1", "l1", l1)

    def __call__(self, x):
        return self.l1 * x.abs().sum()

    def get_config(self) -> dict:
        return {"l1": self.l1}


class L2(Regularizer):
    """``l2 * sum(w**2)`` (Keras's definition: no factor 1/2).

    Args:
        l2: Non-negative factor. Defaults to 0.01.

    Example:
        >>> L2(0.5)(torch.tensor([1.0, -3.0]))
        tensor(5.)
    """

    def __init__(self, l2: float = 0.01):
        self.l2 = _factor("L2", "l2", l2)

    def __call__(self, x):
        return self.l2 * x.square().sum()

    def get_config(self) -> dict:
        return {"l2": self.l2}


class L1L2(Regularizer):
    """``l1 * sum(|w|) + l2 * sum(w**2)``.

    Args:
        l1: Non-negative L1 factor. Defaults to 0 (Keras 3).
        l2: Non-negative L2 factor. Defaults to 0 (Keras 3).

    Example:
        >>> L1L2(l1=1.0, l2=1.0)(torch.tensor([2.0]))
        tensor(6.)
    """

    def __init__(self, l1: float = 0.0, l2: float = 0.0):
        self.l1 = _factor("L1L2", "l1", l1)
        self.l2 = _factor("L1L2", "l2", l2)

    def __call__(self, x):
        penalty = x.new_zeros(())
        if self.l1:
            penalty = penalty + self.l1 * x.abs().sum()
        if self.l2:
            penalty = penalty + self.l2 * x.square().sum()
        return penalty

    def get_config(self) -> dict:
        return {"l1": self.l1, "l2": self.l2}


class OrthogonalRegularizer(Regularizer):
    """Encourage orthogonal rows (or columns) of a 2-D weight, as Keras 3.

    Rows (``mode="rows"``) or columns are L2-normalized; the penalty is
    ``factor * 0.5 * sum(|off-diagonal of the Gram matrix|) / (n (n - 1) / 2)``.

    Args:
        factor: Non-negative factor. Defaults to 0.01.
        mode: ``"rows"`` or ``"columns"`` (of the Keras-layout weight).

    Example:
        >>> OrthogonalRegularizer(1.0)(torch.eye(3))
        tensor(0.)
    """

    def __init__(self, factor: float = 0.01, mode: str = "rows"):
        self.factor = _factor("OrthogonalRegularizer", "factor", factor)
        if mode not in ("rows", "columns"):
            raise unknown("mode", mode, ("rows", "columns"), argument="mode")
        self.mode = mode

    def __call__(self, x):
        if x.dim() != 2:
            raise ValueError("OrthogonalRegularizer: the weight must be 2-D; received shape "
                             f"{tuple(x.shape)}.")
        if self.mode == "rows":
            x = F.normalize(x, dim=1, eps=1e-12)
            gram = x @ x.T
        else:
            x = F.normalize(x, dim=0, eps=1e-12)
            gram = x.T @ x
        size = gram.shape[0]
        off = gram - torch.diag_embed(torch.diagonal(gram))
        pairs = size * (size - 1) / 2.0
        return self.factor * 0.5 * off.abs().sum() / max(pairs, 1.0)

    def get_config(self) -> dict:
        return {"factor": self.factor, "mode": self.mode}


# Keras's lower-case aliases.
l1, l2, l1_l2, orthogonal_regularizer = L1, L2, L1L2, OrthogonalRegularizer

_CLASSES = {"L1": L1, "L2": L2, "L1L2": L1L2, "OrthogonalRegularizer": OrthogonalRegularizer}
_NAMES = {"l1": L1, "l2": L2, "l1_l2": L1L2, "l1l2": L1L2,
          "orthogonal_regularizer": OrthogonalRegularizer}


def serialize(regularizer: Any) -> dict | str | None:
    """Keras's ``{"class_name": ..., "config": ...}`` for a regularizer.

    Args:
        regularizer: A ``Regularizer`` (a plain callable gives its ``__name__``).

    Example:
        >>> serialize(L2(0.001))
        {'class_name': 'L2', 'config': {'l2': 0.001}}
    """
    return serialize_object(regularizer, Regularizer)


def deserialize(config: Any, custom_objects: dict | None = None) -> Any:
    """Rebuild a regularizer from ``serialize``'s dict (or a name).

    Args:
        config: ``{"class_name": name, "config": dict}`` or a name.
        custom_objects: Extra ``{name: class or function}``.

    Example:
        >>> deserialize({"class_name": "L1", "config": {"l1": 0.2}}).l1
        0.2
    """
    return deserialize_object(
        config, custom_objects, base=Regularizer, kind="regularizer", module="regularizers",
        find=lambda name: _CLASSES.get(name) or _NAMES.get(str(name).lower()),
        names=list(_CLASSES) + list(_NAMES), get=get)


def get(identifier: Any) -> Any:
    """Resolve a regularizer as Keras does.

    Strings give the tf.keras defaults: ``"l1"`` is ``L1(0.01)``, ``"l2"`` is ``L2(0.01)``, and
    ``"l1_l2"`` is ``L1L2(l1=0.01, l2=0.01)`` (Keras 3 resolves that string to a penalty of
    zero, which silently disables it; deepprob keeps the tf.keras 2 meaning).

    Args:
        identifier: A name, a ``Regularizer`` class or instance, a ``serialize`` dict, a
            callable ``f(weight) -> scalar``, or None.

    Returns:
        The regularizer (None for None).

    Example:
        >>> get("l2")
        L2(l2=0.01)
    """
    if identifier is None or isinstance(identifier, Regularizer):
        return identifier
    if isinstance(identifier, str):
        key = identifier.lower()
        if key in ("l1_l2", "l1l2"):
            return L1L2(l1=0.01, l2=0.01)
        cls = _NAMES.get(key) or _CLASSES.get(identifier)
        if cls is None:
            raise unknown("regularizer", identifier, _NAMES, argument="regularizer")
        return cls()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, type) and issubclass(identifier, Regularizer):
        return identifier()
    if callable(identifier):
        return identifier
    raise TypeError(
        "Argument `regularizer` must be a regularizer name (e.g. 'l2'), a Regularizer, a "
        f"config dict or a callable; received {identifier!r} of type "
        f"{type(identifier).__name__}."
    )
