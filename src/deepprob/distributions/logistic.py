"""The Logistic distribution."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch.distributions import constraints

from .distribution import FULLY_REPARAMETERIZED, Distribution

__all__ = ["Logistic"]


class Logistic(Distribution):
    """Logistic distribution: cdf ``sigmoid((x - loc) / scale)``.

    Args:
        loc: location (mean, median, mode).
        scale: scale, > 0.
        validate_args: check parameters.
        allow_nan_stats: TFP flag.
        name: name of the distribution.

    Example:
        >>> Logistic(0.0, 1.0).cdf(0.0)
        tensor(0.5000)
    """

    _param_event_ndims = {"loc": 0, "scale": 0}
    _param_constraints = {"scale": constraints.positive}

    def __init__(self, loc, scale, validate_args: bool = False, allow_nan_stats: bool = True,
                 name: str = "Logistic"):
        parameters = dict(locals())
        super().__init__(parameters=parameters, reparameterization_type=FULLY_REPARAMETERIZED,
                         validate_args=validate_args, allow_nan_stats=allow_nan_stats, name=name)

    def _z(self, value):
        return (value - self._value("loc")) / self._value("scale")

    def _log_prob(self, value, **kwargs):
        z = self._z(value)
        return -z - 2.0 * F.softplus(-z) - torch.log(self._value("scale"))

    def _cdf(self, value, **kwargs):
        return torch.sigmoid(self._z(value))

    def _log_cdf(self, value, **kwargs):
        return -F.softplus(-self._z(value))

    def _survival_function(self, value, **kwargs):
        return torch.sigmoid(-self._z(value))

    def _log_survival_function(self, value, **kwargs):
        return -F.softplus(self._z(value))

    def _quantile(self, value, **kwargs):
        return self._value("loc") + self._value("scale") * torch.logit(value)

    def _sample(self, sample_shape, **kwargs):
        loc, scale = self._value("loc"), self._value("scale")
        u = torch.rand(sample_shape + self.batch_shape, dtype=loc.dtype, device=loc.device)
        u = u.clamp(torch.finfo(loc.dtype).tiny, 1.0 - torch.finfo(loc.dtype).eps)
        return loc + scale * torch.logit(u)

    def _mean(self, **kwargs):
        return self._value("loc")

    def _mode(self, **kwargs):
        return self._value("loc")

    def _variance(self, **kwargs):
        return (math.pi**2 / 3.0) * self._value("scale") ** 2

    def _entropy(self, **kwargs):
        return torch.log(self._value("scale")) + 2.0
