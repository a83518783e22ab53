"""The continuous Uniform distribution."""

from __future__ import annotations

import torch

from ._params import describe
from ._torch_backed import TorchBacked
from .distribution import FULLY_REPARAMETERIZED

__all__ = ["Uniform"]


class Uniform(TorchBacked):
    """Uniform distribution on ``[low, high)``.

    Args:
        low: lower bound (default 0).
        high: upper bound (default 1), ``> low``.
        validate_args: check ``low < high`` and values.
        allow_nan_stats: TFP flag.
        name: name of the distribution.

    Example:
        >>> Uniform(low=0.0, high=4.0).variance()
        tensor(1.3333)
    """

    _param_event_ndims = {"low": 0, "high": 0}

    def __init__(self, low=0.0, high=1.0, validate_args: bool = False,
                 allow_nan_stats: bool = True, name: str = "Uniform"):
        parameters = dict(locals())
        super().__init__(parameters=parameters, reparameterization_type=FULLY_REPARAMETERIZED,
                         validate_args=validate_args, allow_nan_stats=allow_nan_stats, name=name)

    def _check_parameters_extra(self):
        low, high = self._value("low"), self._value("high")
        if not bool(torch.all(low < high)):
            raise ValueError(f"{self.name}: argument `low` must be < `high`; received "
                             f"low={describe(low)}, high={describe(high)}.")

    def _support_mask(self, value):
        return (value >= self._value("low")) & (value < self._value("high"))

    def _support_description(self):
        return "[low, high)"

    def _torch_dist(self):
        return torch.distributions.Uniform(self._value("low"), self._value("high"),
                                           validate_args=False)

    def _log_prob(self, value, **kwargs):
        low, high = self._value("low"), self._value("high")
        return -torch.log(high - low) + torch.zeros_like(value)

    def _cdf(self, value, **kwargs):
        low, high = self._value("low"), self._value("high")
        return ((value - low) / (high - low)).clamp(0, 1)

    def _quantile(self, value, **kwargs):
        low, high = self._value("low"), self._value("high")
        return low + value * (high - low)
