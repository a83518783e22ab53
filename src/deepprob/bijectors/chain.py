"""``Chain``: the composition of bijectors, in TFP's order (the last one is applied first)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import torch

from deepprob._errors import unknown
from deepprob.bijectors.bijector import Bijector

__all__ = ["Chain"]


def check_bijectors(bijectors: Any, argument: str = "bijectors") -> list[Bijector]:
    """Return ``bijectors`` as a list, raising a clear error for non-bijector entries."""
    if isinstance(bijectors, Bijector):
        raise TypeError(f"Argument `{argument}`: expected a list of bijectors, received a single "
                        f"bijector {bijectors.name!r}; wrap it in a list.")
    try:
        bijectors = list(bijectors)
    except TypeError as err:
        raise TypeError(f"Argument `{argument}`: expected a list of bijectors, received "
                        f"{type(bijectors).__name__}.") from err
    for i, b in enumerate(bijectors):
        if not isinstance(b, Bijector):
            raise TypeError(f"Argument `{argument}`: entry {i} is a {type(b).__name__}, expected "
                            f"a dp.bijectors.Bijector.")
    return bijectors


def route_kwargs(owner: Bijector, bijectors: Iterable[Bijector], kwargs: dict) -> dict:
    """Check TFP-style per-bijector keyword arguments ``{bijector_name: {kwarg: value}}``."""
    if not kwargs:
        return kwargs
    names = {b.name for b in bijectors}
    for key, value in kwargs.items():
        if key not in names:
            err = unknown("bijector name", key, names, argument=key)
            raise ValueError(
                f"{owner.name!r} routes keyword arguments to its bijectors by name, as TFP: "
                f"pass e.g. {owner.name}.forward(x, <bijector name>={{{key!r}: value}}). "
                f"{err}")
        if not isinstance(value, dict):
            raise TypeError(f"Argument `{key}`: the keyword arguments for bijector {key!r} must "
                            f"be a dict, received {type(value).__name__}.")
    return kwargs


def _add(total: torch.Tensor | None, ldj: torch.Tensor) -> torch.Tensor:
    return ldj if total is None else total + ldj


class Chain(Bijector):
    """Composition of bijectors: ``Chain([b1, b2]).forward(x) == b1.forward(b2.forward(x))``.

    Keyword arguments are routed by bijector name, as in TFP:
    ``chain.forward(x, maf={"conditional_input": c})`` passes ``conditional_input=c`` to the
    bijector named ``"maf"`` only.

    Args:
        bijectors: the bijectors, outermost first (an empty list is the identity).
        validate_args: unused.
        validate_event_size: unused (TFP compatibility).
        parameters: ignored.
        name: the name; defaults to ``"chain_of_" + "_of_".join(names)``.

    Example:
        >>> b = dp.bijectors.Chain([dp.bijectors.Shift(1.0), dp.bijectors.Scale(2.0)])
        >>> b.forward(torch.tensor([1.0]))   # 2 * 1 + 1
        tensor([3.])
    """

    def __init__(self, bijectors: Iterable[Bijector] | None = None, validate_args: bool = False,
                 validate_event_size: bool = True, parameters: Any = None,
                 name: str | None = None):
        bijectors = check_bijectors(bijectors if bijectors is not None else [])
        if name is None:
            name = ("chain_of_" + "_of_".join(b.name for b in bijectors)) if bijectors \
                else "identity"
        fmin, shift = 0, 0
        for b in reversed(bijectors):  # application order
            fmin = max(fmin, b.forward_min_event_ndims - shift)
            shift += b.inverse_min_event_ndims - b.forward_min_event_ndims
        super().__init__(forward_min_event_ndims=fmin, inverse_min_event_ndims=fmin + shift,
                         is_constant_jacobian=all(b.is_constant_jacobian for b in bijectors),
                         validate_args=validate_args, name=name)
        self.bijectors = torch.nn.ModuleList(bijectors)

    def _order(self):
        return list(self.bijectors)[::-1]

    def _forward(self, x, **kwargs):
        route_kwargs(self, self.bijectors, kwargs)
        for b in self._order():
            x = b.forward(x, **kwargs.get(b.name, {}))
        return x

    def _inverse(self, y, **kwargs):
        route_kwargs(self, self.bijectors, kwargs)
        for b in self.bijectors:
            y = b.inverse(y, **kwargs.get(b.name, {}))
        return y

    def _call_fldj(self, x, event_ndims, kwargs):
        route_kwargs(self, self.bijectors, kwargs)
        total = None
        order = self._order()
        for i, b in enumerate(order):
            kw = kwargs.get(b.name, {})
            total = _add(total, b._call_fldj(x, event_ndims, kw))
            if i + 1 < len(order):
                x = b.forward(x, **kw)
                event_ndims = b.forward_event_ndims(event_ndims)
        return total if total is not None else x.new_zeros(())

    def _call_ildj(self, y, event_ndims, kwargs):
        route_kwargs(self, self.bijectors, kwargs)
        total = None
        n = len(self.bijectors)
        for i, b in enumerate(self.bijectors):
            kw = kwargs.get(b.name, {})
            total = _add(total, b._call_ildj(y, event_ndims, kw))
            if i + 1 < n:
                y = b.inverse(y, **kw)
                event_ndims = b.inverse_event_ndims(event_ndims)
        return total if total is not None else y.new_zeros(())

    def _call_forward_and_fldj(self, x, event_ndims, kwargs):
        route_kwargs(self, self.bijectors, kwargs)
        total = None
        for b in self._order():
            x, ldj = b._call_forward_and_fldj(x, event_ndims, kwargs.get(b.name, {}))
            total = _add(total, ldj)
            event_ndims = b.forward_event_ndims(event_ndims)
        return x, (total if total is not None else x.new_zeros(()))

    def _call_inverse_and_ildj(self, y, event_ndims, kwargs):
        route_kwargs(self, self.bijectors, kwargs)
        total = None
        for b in self.bijectors:
            y, ldj = b._call_inverse_and_ildj(y, event_ndims, kwargs.get(b.name, {}))
            total = _add(total, ldj)
            event_ndims = b.inverse_event_ndims(event_ndims)
        return y, (total if total is not None else y.new_zeros(()))

    def _forward_event_shape(self, input_shape):
        for b in self._order():
            input_shape = b.forward_event_shape(input_shape)
        return input_shape

    def _inverse_event_shape(self, output_shape):
        for b in self.bijectors:
            output_shape = b.inverse_event_shape(output_shape)
        return output_shape

    def _batch_shape_at(self, extra):
        n = extra + self.forward_min_event_ndims
        shape = torch.Size()
        for b in self._order():
            shape = torch.broadcast_shapes(shape, b._batch_shape_at(n - b.forward_min_event_ndims))
            n = b.forward_event_ndims(n)
        return shape

    def _is_increasing(self, **kwargs):
        increasing = True
        for b in self.bijectors:
            inc = b._is_increasing(**kwargs.get(b.name, {}))
            increasing = increasing == inc  # two decreasing maps compose to an increasing one
        return increasing
