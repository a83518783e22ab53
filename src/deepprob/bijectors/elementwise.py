"""Elementwise bijectors: ``Exp``, ``Softplus``, ``Sigmoid``, ``Tanh``, ``Square``, ``Power``,
``Reciprocal`` (``Log`` is ``Invert(Exp())``, in ``composition``)."""

from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as F

from deepprob.bijectors import _params
from deepprob.bijectors.bijector import Bijector

__all__ = ["Exp", "Softplus", "Sigmoid", "Tanh", "Square", "Power", "Reciprocal"]

_LOG2 = math.log(2.0)


class Exp(Bijector):
    """``y = exp(x)``.

    Args:
        validate_args: unused.
        name: the bijector's name.

    Example:
        >>> dp.bijectors.Exp()(dp.distributions.Normal(0.0, 1.0))  # a log-normal
    """

    def __init__(self, validate_args: bool = False, name: str = "exp"):
        super().__init__(forward_min_event_ndims=0, validate_args=validate_args, name=name)

    def _forward(self, x, **kwargs):
        return torch.exp(x)

    def _inverse(self, y, **kwargs):
        return torch.log(y)

    def _forward_log_det_jacobian(self, x, **kwargs):
        return x

    def _inverse_log_det_jacobian(self, y, **kwargs):
        return -torch.log(y)

    def _is_increasing(self, **kwargs):
        return True


class Softplus(Bijector):
    """``y = c * log(1 + exp(x / c)) + low``, with ``c = hinge_softness`` (default 1).

    Args:
        hinge_softness: the softness ``c`` (non-zero); number, tensor, ``nn.Parameter``.
        low: lower bound of the output (default 0).
        validate_args: check that ``hinge_softness`` is non-zero.
        name: the bijector's name.

    Example:
        >>> dp.bijectors.Softplus().inverse(torch.tensor([0.6931]))
        tensor([-0.0001])
    """

    _param_event_ndims = {"hinge_softness": 0, "low": 0}

    def __init__(self, hinge_softness: Any = None, low: Any = None, validate_args: bool = False,
                 name: str = "softplus"):
        super().__init__(forward_min_event_ndims=0, validate_args=validate_args, name=name)
        self._has_c = hinge_softness is not None
        self._has_low = low is not None
        if self._has_c:
            _params.register(self, "hinge_softness", hinge_softness)
            if validate_args and torch.any(_params.read(self, "hinge_softness") == 0):
                raise ValueError("Argument `hinge_softness`: must be non-zero, received "
                                 f"{_params.read(self, 'hinge_softness')}.")
        if self._has_low:
            _params.register(self, "low", low)

    def _forward(self, x, **kwargs):
        if self._has_c:
            c = _params.read(self, "hinge_softness")
            y = c * F.softplus(x / c)
        else:
            y = F.softplus(x)
        return y + _params.read(self, "low") if self._has_low else y

    def _inverse(self, y, **kwargs):
        if self._has_low:
            y = y - _params.read(self, "low")
        if self._has_c:
            c = _params.read(self, "hinge_softness")
            y = y / c
            return c * (y + torch.log(-torch.expm1(-y)))
        return y + torch.log(-torch.expm1(-y))

    def _forward_log_det_jacobian(self, x, **kwargs):
        if self._has_c:
            x = x / _params.read(self, "hinge_softness")
        return F.logsigmoid(x)

    def _inverse_log_det_jacobian(self, y, **kwargs):
        if self._has_low:
            y = y - _params.read(self, "low")
        if self._has_c:
            y = y / _params.read(self, "hinge_softness")
        return -torch.log(-torch.expm1(-y))

    def _is_increasing(self, **kwargs):
        return _params.read(self, "hinge_softness") > 0 if self._has_c else True


class Sigmoid(Bijector):
    """``y = low + (high - low) * sigmoid(x)`` (``low=0``, ``high=1`` by default).

    Args:
        low: lower bound of the output; give both ``low`` and ``high`` or neither.
        high: upper bound of the output.
        validate_args: check ``low < high``.
        name: the bijector's name.

    Example:
        >>> dp.bijectors.Sigmoid().forward(torch.tensor([0.0]))
        tensor([0.5000])
    """

    _param_event_ndims = {"low": 0, "high": 0}

    def __init__(self, low: Any = None, high: Any = None, validate_args: bool = False,
                 name: str = "sigmoid"):
        super().__init__(forward_min_event_ndims=0, validate_args=validate_args, name=name)
        if (low is None) != (high is None):
            raise ValueError("Sigmoid: give both `low` and `high` or neither; received "
                             f"low={low!r}, high={high!r}.")
        self._bounded = low is not None
        if self._bounded:
            _params.register(self, "low", low)
            _params.register(self, "high", high)
            if validate_args and torch.any(_params.read(self, "low")
                                           >= _params.read(self, "high")):
                raise ValueError("Arguments `low` and `high`: expected low < high, received "
                                 f"low={_params.read(self, 'low')}, "
                                 f"high={_params.read(self, 'high')}.")

    def _forward(self, x, **kwargs):
        if self._bounded:
            low, high = _params.read(self, "low"), _params.read(self, "high")
            return high * torch.sigmoid(x) + low * torch.sigmoid(-x)
        return torch.sigmoid(x)

    def _inverse(self, y, **kwargs):
        if self._bounded:
            low, high = _params.read(self, "low"), _params.read(self, "high")
            return torch.log(y - low) - torch.log(high - y)
        return torch.log(y) - torch.log1p(-y)

    def _forward_log_det_jacobian(self, x, **kwargs):
        ldj = -F.softplus(-x) - F.softplus(x)
        if self._bounded:
            ldj = ldj + torch.log(_params.read(self, "high") - _params.read(self, "low"))
        return ldj

    def _is_increasing(self, **kwargs):
        if self._bounded:
            return _params.read(self, "high") > _params.read(self, "low")
        return True


class Tanh(Bijector):
    """``y = tanh(x)``.

    Args:
        validate_args: unused.
        name: the bijector's name.

    Example:
        >>> dp.bijectors.Tanh().inverse(torch.tensor([0.5]))
        tensor([0.5493])
    """

    def __init__(self, validate_args: bool = False, name: str = "tanh"):
        super().__init__(forward_min_event_ndims=0, validate_args=validate_args, name=name)

    def _forward(self, x, **kwargs):
        return torch.tanh(x)

    def _inverse(self, y, **kwargs):
        return torch.atanh(y)

    def _forward_log_det_jacobian(self, x, **kwargs):
        return 2.0 * (_LOG2 - x - F.softplus(-2.0 * x))

    def _inverse_log_det_jacobian(self, y, **kwargs):
        return -torch.log1p(-torch.square(y))

    def _is_increasing(self, **kwargs):
        return True


class Square(Bijector):
    """``y = x ** 2`` on ``x >= 0``.

    Args:
        validate_args: check that inputs are non-negative.
        name: the bijector's name.

    Example:
        >>> dp.bijectors.Square().inverse(torch.tensor([4.0]))
        tensor([2.])
    """

    def __init__(self, validate_args: bool = False, name: str = "square"):
        super().__init__(forward_min_event_ndims=0, validate_args=validate_args, name=name)

    def _check(self, value, arg):
        if self.validate_args and torch.any(value < 0):
            raise ValueError(f"Argument `{arg}`: Square expects non-negative values, "
                             f"received {value}.")

    def _forward(self, x, **kwargs):
        self._check(x, "x")
        return torch.square(x)

    def _inverse(self, y, **kwargs):
        self._check(y, "y")
        return torch.sqrt(y)

    def _forward_log_det_jacobian(self, x, **kwargs):
        return _LOG2 + torch.log(torch.abs(x))

    def _inverse_log_det_jacobian(self, y, **kwargs):
        return -_LOG2 - 0.5 * torch.log(y)

    def _is_increasing(self, **kwargs):
        return True  # on its domain x >= 0


class Power(Bijector):
    """``y = x ** power`` on ``x > 0`` (on all reals when ``power`` is an odd integer).

    Args:
        power: the exponent (non-zero); a number or tensor.
        validate_args: check the inputs' domain.
        name: the bijector's name.

    Example:
        >>> dp.bijectors.Power(3.0).inverse(torch.tensor([-8.0]))
        tensor([-2.])
    """

    _param_event_ndims = {"power": 0}

    def __init__(self, power: Any, validate_args: bool = False, name: str = "power"):
        super().__init__(forward_min_event_ndims=0, validate_args=validate_args, name=name)
        _params.register(self, "power", power)
        p = _params.read(self, "power")
        if torch.any(p == 0):
            raise ValueError(f"Argument `power`: must be non-zero (x ** 0 is not invertible), "
                             f"received {p}.")

    @staticmethod
    def _odd(p):
        # odd integer powers extend the map to all reals
        return torch.remainder(p.detach(), 2.0) == 1.0

    def _forward(self, x, **kwargs):
        p = _params.read(self, "power")
        if self.validate_args and torch.any((x < 0) & ~self._odd(p)):
            raise ValueError(f"Argument `x`: Power({p}) expects non-negative values, "
                             f"received {x}.")
        return x ** p  # for odd integer p this is already sign(x) * |x| ** p

    def _inverse(self, y, **kwargs):
        p = _params.read(self, "power")
        odd = self._odd(p)
        if bool(odd.all()):
            return torch.sign(y) * torch.abs(y) ** (1.0 / p)
        if not bool(odd.any()):
            return y ** (1.0 / p)
        safe = torch.where(odd, torch.ones_like(y), y)  # keeps nan out of the unused branch
        return torch.where(odd, torch.sign(y) * torch.abs(y) ** (1.0 / p), safe ** (1.0 / p))

    def _forward_log_det_jacobian(self, x, **kwargs):
        p = _params.read(self, "power")
        return torch.log(torch.abs(p)) + (p - 1.0) * torch.log(torch.abs(x))

    def _is_increasing(self, **kwargs):
        return _params.read(self, "power") > 0  # on x > 0


class Reciprocal(Bijector):
    """``y = 1 / x``.

    Args:
        validate_args: unused.
        name: the bijector's name.

    Example:
        >>> dp.bijectors.Reciprocal().forward(torch.tensor([2.0]))
        tensor([0.5000])
    """

    def __init__(self, validate_args: bool = False, name: str = "reciprocal"):
        super().__init__(forward_min_event_ndims=0, validate_args=validate_args, name=name)

    def _forward(self, x, **kwargs):
        return torch.reciprocal(x)

    def _inverse(self, y, **kwargs):
        return torch.reciprocal(y)

    def _forward_log_det_jacobian(self, x, **kwargs):
        return -2.0 * torch.log(torch.abs(x))

    def _is_increasing(self, **kwargs):
        return False  # on each half-line
