"""The Beta distribution."""

from __future__ import annotations

import torch
from torch.distributions import constraints

from ._torch_backed import TorchBacked
from .distribution import FULLY_REPARAMETERIZED
from .special import betainc, betaincinv

__all__ = ["Beta"]


class Beta(TorchBacked):
    """Beta distribution on ``[0, 1]`` with density ``x^(c1-1) (1-x)^(c0-1) / B(c1, c0)``.

    Args:
        concentration1: ``alpha``, > 0.
        concentration0: ``beta``, > 0.
        validate_args: check parameters and values.
        allow_nan_stats: when False, the undefined mode raises.
        name: name of the distribution.

    Example:
        >>> Beta(2.0, 2.0).mean()
        tensor(0.5000)
    """

    _param_event_ndims = {"concentration1": 0, "concentration0": 0}
    _param_constraints = {"concentration1": constraints.positive,
                          "concentration0": constraints.positive}
    _support = constraints.unit_interval

    def __init__(self, concentration1, concentration0, validate_args: bool = False,
                 allow_nan_stats: bool = True, name: str = "Beta"):
        parameters = dict(locals())
        super().__init__(parameters=parameters, reparameterization_type=FULLY_REPARAMETERIZED,
                         validate_args=validate_args, allow_nan_stats=allow_nan_stats, name=name)

    def _torch_dist(self):
        return torch.distributions.Beta(self._value("concentration1"),
                                        self._value("concentration0"), validate_args=False)

    def _log_prob(self, value, **kwargs):
        a, b = self._value("concentration1"), self._value("concentration0")
        x = value.clamp(0, 1)
        return (torch.xlogy(a - 1, x) + torch.xlogy(b - 1, 1 - x)
                - (torch.lgamma(a) + torch.lgamma(b) - torch.lgamma(a + b)))

    def _cdf(self, value, **kwargs):
        return betainc(self._value("concentration1"), self._value("concentration0"), value)

    def _quantile(self, value, **kwargs):
        return betaincinv(self._value("concentration1"), self._value("concentration0"), value)

    def _mode(self, **kwargs):
        a, b = self._value("concentration1"), self._value("concentration0")
        return self._nan_or_raise((a - 1) / (a + b - 2), (a <= 1) | (b <= 1), "mode")
