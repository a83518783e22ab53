"""The Cauchy and HalfCauchy distributions."""

from __future__ import annotations

import math

import torch
from torch.distributions import constraints

from ._torch_backed import TorchBacked
from .distribution import FULLY_REPARAMETERIZED, Distribution
from .kullback_leibler import RegisterKL

__all__ = ["Cauchy", "HalfCauchy"]


class Cauchy(TorchBacked):
    """Cauchy distribution with location ``loc`` and scale ``scale``.

    Mean and variance are undefined: NaN (or an error when ``allow_nan_stats=False``).

    Args:
        loc: location (median, mode).
        scale: scale (half width at half maximum), > 0.
        validate_args: check parameters.
        allow_nan_stats: when False, ``mean``/``variance`` raise.
        name: name of the distribution.

    Example:
        >>> Cauchy(0.0, 1.0).cdf(1.0)
        tensor(0.7500)
    """

    _param_event_ndims = {"loc": 0, "scale": 0}
    _param_constraints = {"scale": constraints.positive}

    def __init__(self, loc, scale, validate_args: bool = False, allow_nan_stats: bool = True,
                 name: str = "Cauchy"):
        parameters = dict(locals())
        super().__init__(parameters=parameters, reparameterization_type=FULLY_REPARAMETERIZED,
                         validate_args=validate_args, allow_nan_stats=allow_nan_stats, name=name)

    def _torch_dist(self):
        return torch.distributions.Cauchy(self._value("loc"), self._value("scale"),
                                          validate_args=False)

    def _cdf(self, value, **kwargs):
        z = (value - self._value("loc")) / self._value("scale")
        return 0.5 + torch.atan(z) / math.pi

    def _quantile(self, value, **kwargs):
        return self._torch_dist().icdf(value)

    def _mean(self, **kwargs):
        loc = self._value("loc")
        return self._nan_or_raise(loc, torch.ones_like(loc, dtype=torch.bool), "mean")

    def _variance(self, **kwargs):
        scale = self._value("scale")
        return self._nan_or_raise(scale, torch.ones_like(scale, dtype=torch.bool), "variance")

    def _stddev(self, **kwargs):
        return self._variance()

    def _mode(self, **kwargs):
        return self._value("loc")


class HalfCauchy(Distribution):
    """Cauchy distribution folded at ``loc``: support ``x >= loc``.

    Args:
        loc: the left end of the support.
        scale: scale, > 0.
        validate_args: check parameters and values.
        allow_nan_stats: when False, ``mean``/``variance`` (undefined) raise.
        name: name of the distribution.

    Example:
        >>> HalfCauchy(0.0, 1.0).cdf(1.0)
        tensor(0.5000)
    """

    _param_event_ndims = {"loc": 0, "scale": 0}
    _param_constraints = {"scale": constraints.positive}

    def __init__(self, loc, scale, validate_args: bool = False, allow_nan_stats: bool = True,
                 name: str = "HalfCauchy"):
        parameters = dict(locals())
        super().__init__(parameters=parameters, reparameterization_type=FULLY_REPARAMETERIZED,
                         validate_args=validate_args, allow_nan_stats=allow_nan_stats, name=name)

    def _support_mask(self, value):
        return value >= self._value("loc")

    def _support_description(self):
        return "x >= loc"

    def _z(self, value):
        return (value - self._value("loc")) / self._value("scale")

    def _log_prob(self, value, **kwargs):
        return (math.log(2.0 / math.pi) - torch.log(self._value("scale"))
                - torch.log1p(self._z(value) ** 2))

    def _cdf(self, value, **kwargs):
        return 2.0 / math.pi * torch.atan(self._z(value).clamp(min=0))

    def _quantile(self, value, **kwargs):
        return self._value("loc") + self._value("scale") * torch.tan(0.5 * math.pi * value)

    def _sample(self, sample_shape, **kwargs):
        loc, scale = self._value("loc"), self._value("scale")
        u = torch.rand(sample_shape + self.batch_shape, dtype=loc.dtype, device=loc.device)
        return loc + scale * torch.tan(0.5 * math.pi * u)

    def _mean(self, **kwargs):
        loc = self._value("loc")
        return self._nan_or_raise(loc, torch.ones_like(loc, dtype=torch.bool), "mean")

    def _variance(self, **kwargs):
        scale = self._value("scale")
        return self._nan_or_raise(scale, torch.ones_like(scale, dtype=torch.bool), "variance")

    def _stddev(self, **kwargs):
        return self._variance()

    def _mode(self, **kwargs):
        return self._value("loc")

    def _entropy(self, **kwargs):
        return math.log(2 * math.pi) + torch.log(self._value("scale"))


@RegisterKL(Cauchy, Cauchy)
def _kl_cauchy_cauchy(a: Cauchy, b: Cauchy, name=None):
    la, sa, lb, sb = a._value("loc"), a._value("scale"), b._value("loc"), b._value("scale")
    return torch.log((sa + sb) ** 2 + (la - lb) ** 2) - torch.log(4 * sa * sb)
