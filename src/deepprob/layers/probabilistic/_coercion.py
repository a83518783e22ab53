"""How a distribution output becomes a tensor: ``convert_to_tensor_fn`` and its cached value.

A probabilistic layer returns the distribution itself. The engine converts it when it feeds the
next layer or ``predict`` by calling its ``_convert_to_tensor()`` method; this module attaches that
method to the distribution instance (no subclass, no wrapper: ``type(dist)`` stays the class the
user built, so KL lookups and ``isinstance`` checks are unchanged).

As in TFP, the converted value is computed once per distribution and reused: a VAE's decoder
and the KL regularizer's test points see the same latent sample.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

import torch

from deepprob._errors import unknown

_NAMED = ("sample", "mean", "mode", "stddev", "variance")


def _named_method(name: str) -> Callable:
    def convert(dist):
        return getattr(dist, name)()

    convert.__name__ = name
    return convert


_NAMED_FNS = {name: _named_method(name) for name in _NAMED}


def get_convert_to_tensor_fn(identifier: Any) -> Callable:
    """Resolve ``convert_to_tensor_fn`` as TFP does.

    Args:
        identifier: ``"sample"``, ``"mean"``, ``"mode"``, ``"stddev"``, ``"variance"``, a
            callable ``fn(distribution) -> tensor`` (``dp.distributions.Distribution.mean``
            and other unbound methods work), or a property object (its getter is used).

    Returns:
        A callable taking the distribution.

    Example:
        >>> get_convert_to_tensor_fn("mean")(dp.distributions.Normal(1.0, 2.0))
        tensor(1.)
    """
    if isinstance(identifier, str):
        if identifier not in _NAMED_FNS:
            raise unknown("convert_to_tensor_fn", identifier, list(_NAMED),
                          argument="convert_to_tensor_fn")
        return _NAMED_FNS[identifier]
    if isinstance(identifier, property):
        return identifier.fget
    if callable(identifier):
        return identifier
    raise TypeError(
        "Argument `convert_to_tensor_fn`: expected one of "
        f"{list(_NAMED)} or a callable taking the distribution, received {identifier!r}."
    )


def serialize_convert_to_tensor_fn(fn: Callable) -> str | Callable:
    """The name of a standard conversion (``"sample"``, ``"mean"`` ...), else ``fn`` itself."""
    name = getattr(fn, "__name__", None)
    if name in _NAMED and (fn is _NAMED_FNS[name] or getattr(fn, "__qualname__", "").endswith(
            "Distribution." + name)):
        return name
    return fn


class _Coercion:
    """``dist._convert_to_tensor()``: ``fn(dist)`` computed once (a weak reference, no cycle)."""

    __slots__ = ("_dist", "_fn", "_value")

    def __init__(self, dist, fn: Callable):
        self._dist = weakref.ref(dist)
        self._fn = fn
        self._value = None

    def __call__(self) -> torch.Tensor:
        if self._value is None:
            value = self._fn(self._dist())
            if not isinstance(value, torch.Tensor):
                value = torch.as_tensor(value)
            self._value = value
        return self._value


def attach(dist, fn: Callable):
    """Give ``dist`` a ``_convert_to_tensor()`` method calling ``fn(dist)`` once; returns ``dist``.

    Args:
        dist: a distribution (deepprob or torch).
        fn: the resolved ``convert_to_tensor_fn``.

    Example:
        >>> d = attach(dp.distributions.Normal(3.0, 1.0), get_convert_to_tensor_fn("mean"))
        >>> d._convert_to_tensor()
        tensor(3.)
    """
    object.__setattr__(dist, "_convert_to_tensor", _Coercion(dist, fn))
    return dist


def as_tensor(value) -> torch.Tensor:
    """A layer output as a tensor: the cached conversion of a distribution, or a sample."""
    if isinstance(value, torch.Tensor):
        return value
    convert = getattr(value, "_convert_to_tensor", None)
    if convert is not None:
        return convert()
    return value.sample()
