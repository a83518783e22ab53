"""The Gumbel (type I extreme value) distribution."""

from __future__ import annotations

import math

import torch
from torch.distributions import constraints

from .distribution import FULLY_REPARAMETERIZED, Distribution
from .kullback_leibler import RegisterKL

__all__ = ["Gumbel"]

_EULER = 0.57721566490153286061


class Gumbel(Distribution):
    """Gumbel distribution: cdf ``exp(-exp(-(x - loc) / scale))``.

    Args:
        loc: location (mode).
        scale: scale, > 0.
        validate_args: check parameters.
        allow_nan_stats: TFP flag.
        name: name of the distribution.

    Example:
        >>> Gumbel(0.0, 1.0).mean()
        tensor(0.5772)
    """

    _param_event_ndims = {"loc": 0, "scale": 0}
    _param_constraints = {"scale": constraints.positive}

    def __init__(self, loc, scale, validate_args: bool = False, allow_nan_stats: bool = True,
                 name: str = "Gumbel"):
        parameters = dict(locals())
        super().__init__(parameters=parameters, reparameterization_type=FULLY_REPARAMETERIZED,
                         validate_args=validate_args, allow_nan_stats=allow_nan_stats, name=name)

    def _z(self, value):
        return (value - self._value("loc")) / self._value("scale")

    def _log_prob(self, value, **kwargs):
        z = self._z(value)
        return -(z + torch.exp(-z)) - torch.log(self._value("scale"))

    def _cdf(self, value, **kwargs):
        return torch.exp(-torch.exp(-self._z(value)))

    def _log_cdf(self, value, **kwargs):
        return -torch.exp(-self._z(value))

    def _quantile(self, value, **kwargs):
        return self._value("loc") - self._value("scale") * torch.log(-torch.log(value))

    def _sample(self, sample_shape, **kwargs):
        loc, scale = self._value("loc"), self._value("scale")
        e = torch.empty(sample_shape + self.batch_shape, dtype=loc.dtype,
                        device=loc.device).exponential_()
        return loc - scale * torch.log(e)

    def _mean(self, **kwargs):
        return self._value("loc") + _EULER * self._value("scale")

    def _mode(self, **kwargs):
        return self._value("loc")

    def _variance(self, **kwargs):
        return (math.pi**2 / 6.0) * self._value("scale") ** 2

    def _entropy(self, **kwargs):
        return torch.log(self._value("scale")) + _EULER + 1.0


@RegisterKL(Gumbel, Gumbel)
def _kl_gumbel_gumbel(a: Gumbel, b: Gumbel, name=None):
    la, sa, lb, sb = a._value("loc"), a._value("scale"), b._value("loc"), b._value("scale")
    ratio = sa / sb
    return (torch.log(sb) - torch.log(sa) + _EULER * (ratio - 1.0) + (la - lb) / sb
            + torch.exp((lb - la) / sb + torch.lgamma(ratio + 1.0)) - 1.0)
