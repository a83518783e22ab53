"""``Invert`` (swap a bijector's forward and inverse) and ``Log`` (``Invert(Exp())``)."""

from __future__ import annotations

from typing import Any

from deepprob.bijectors.bijector import Bijector
from deepprob.bijectors.elementwise import Exp

__all__ = ["Invert", "Log"]


class Invert(Bijector):
    """The inverse of a bijector: ``Invert(b).forward == b.inverse``.

    Keyword arguments pass straight through to the wrapped bijector (as in TFP), so
    ``Invert(maf).forward(x, conditional_input=c)`` reaches ``maf.inverse``.

    Args:
        bijector: the bijector to invert (its parameters stay trainable).
        validate_args: unused.
        parameters: ignored.
        name: defaults to ``"invert_" + bijector.name``.

    Example:
        >>> dp.bijectors.Invert(dp.bijectors.Exp()).forward(torch.tensor([1.0]))
        tensor([0.])
    """

    def __init__(self, bijector: Bijector, validate_args: bool = False, parameters: Any = None,
                 name: str | None = None):
        if not isinstance(bijector, Bijector):
            raise TypeError(f"Argument `bijector`: expected a dp.bijectors.Bijector, received "
                            f"{type(bijector).__name__}.")
        super().__init__(forward_min_event_ndims=bijector.inverse_min_event_ndims,
                         inverse_min_event_ndims=bijector.forward_min_event_ndims,
                         is_constant_jacobian=bijector.is_constant_jacobian,
                         validate_args=validate_args, name=name or "invert_" + bijector.name)
        self.bijector = bijector

    def _forward(self, x, **kwargs):
        return self.bijector.inverse(x, **kwargs)

    def _inverse(self, y, **kwargs):
        return self.bijector.forward(y, **kwargs)

    def _call_fldj(self, x, event_ndims, kwargs):
        return self.bijector._call_ildj(x, event_ndims, kwargs)

    def _call_ildj(self, y, event_ndims, kwargs):
        return self.bijector._call_fldj(y, event_ndims, kwargs)

    def _call_forward_and_fldj(self, x, event_ndims, kwargs):
        return self.bijector._call_inverse_and_ildj(x, event_ndims, kwargs)

    def _call_inverse_and_ildj(self, y, event_ndims, kwargs):
        return self.bijector._call_forward_and_fldj(y, event_ndims, kwargs)

    def _batch_shape_at(self, extra):
        return self.bijector._batch_shape_at(extra)

    def _is_increasing(self, **kwargs):
        return self.bijector._is_increasing(**kwargs)

    def _forward_event_shape(self, input_shape):
        return self.bijector.inverse_event_shape(input_shape)

    def _inverse_event_shape(self, output_shape):
        return self.bijector.forward_event_shape(output_shape)


class Log(Invert):
    """``y = log(x)``, the inverse of :class:`Exp`.

    Args:
        validate_args: unused.
        name: the bijector's name.

    Example:
        >>> dp.bijectors.Log().forward(torch.tensor([1.0]))
        tensor([0.])
    """

    def __init__(self, validate_args: bool = False, name: str = "log"):
        super().__init__(Exp(validate_args=validate_args), validate_args=validate_args,
                         name=name)
