"""The HalfNormal distribution."""

from __future__ import annotations

import math

import torch
from torch.distributions import constraints

from ._torch_backed import TorchBacked
from .distribution import FULLY_REPARAMETERIZED

__all__ = ["HalfNormal"]


class HalfNormal(TorchBacked):
    """Distribution of ``|X|`` for ``X ~ Normal(0, scale)``.

    Args:
        scale: scale of the underlying Normal, > 0.
        validate_args: check parameters and values.
        allow_nan_stats: TFP flag.
        name: name of the distribution.

    Example:
        >>> HalfNormal(1.0).cdf(1.0)
        tensor(0.6827)
    """

    _param_event_ndims = {"scale": 0}
    _param_constraints = {"scale": constraints.positive}
    _support = constraints.nonnegative

    def __init__(self, scale, validate_args: bool = False, allow_nan_stats: bool = True,
                 name: str = "HalfNormal"):
        parameters = dict(locals())
        super().__init__(parameters=parameters, reparameterization_type=FULLY_REPARAMETERIZED,
                         validate_args=validate_args, allow_nan_stats=allow_nan_stats, name=name)

    def _torch_dist(self):
        return torch.distributions.HalfNormal(self._value("scale"), validate_args=False)

    def _log_prob(self, value, **kwargs):
        scale = self._value("scale")
        z = value / scale
        return 0.5 * math.log(2.0 / math.pi) - torch.log(scale) - 0.5 * z * z

    def _cdf(self, value, **kwargs):
        return torch.erf(value.clamp(min=0) / (self._value("scale") * math.sqrt(2.0)))

    def _quantile(self, value, **kwargs):
        return self._value("scale") * math.sqrt(2.0) * torch.erfinv(value)

    def _mode(self, **kwargs):
        return torch.zeros_like(self._value("scale"))
