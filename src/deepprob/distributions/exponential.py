"""The Exponential distribution."""

from __future__ import annotations

import torch
from torch.distributions import constraints

from ._torch_backed import TorchBacked
from .distribution import FULLY_REPARAMETERIZED

__all__ = ["Exponential"]


class Exponential(TorchBacked):
    """Exponential distribution with density ``rate * exp(-rate * x)`` on ``x >= 0``.

    Args:
        rate: inverse scale, > 0.
        force_probs_to_zero_outside_support: accepted for TFP compatibility; values outside the
            support always get probability zero here.
        validate_args: check ``rate > 0`` and values.
        allow_nan_stats: TFP flag.
        name: name of the distribution.

    Example:
        >>> Exponential(rate=2.0).mean()
        tensor(0.5000)
    """

    _param_event_ndims = {"rate": 0}
    _param_constraints = {"rate": constraints.positive}
    _support = constraints.nonnegative

    def __init__(self, rate, force_probs_to_zero_outside_support: bool = False,
                 validate_args: bool = False, allow_nan_stats: bool = True,
                 name: str = "Exponential"):
        parameters = dict(locals())
        super().__init__(parameters=parameters, reparameterization_type=FULLY_REPARAMETERIZED,
                         validate_args=validate_args, allow_nan_stats=allow_nan_stats, name=name)

    def _torch_dist(self):
        return torch.distributions.Exponential(self._value("rate"), validate_args=False)

    def _log_prob(self, value, **kwargs):
        rate = self._value("rate")
        return torch.log(rate) - rate * value

    def _cdf(self, value, **kwargs):
        return -torch.expm1(-self._value("rate") * value.clamp(min=0))

    def _survival_function(self, value, **kwargs):
        return torch.exp(-self._value("rate") * value.clamp(min=0))

    def _log_survival_function(self, value, **kwargs):
        return -self._value("rate") * value.clamp(min=0)

    def _quantile(self, value, **kwargs):
        return -torch.log1p(-value) / self._value("rate")

    def _mode(self, **kwargs):
        return torch.zeros_like(self._value("rate"))
