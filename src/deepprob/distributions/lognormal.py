"""The LogNormal distribution."""

from __future__ import annotations

import math

import torch
from torch.distributions import constraints

from ._torch_backed import TorchBacked
from .distribution import FULLY_REPARAMETERIZED
from .kullback_leibler import RegisterKL

__all__ = ["LogNormal"]


class LogNormal(TorchBacked):
    """Distribution of ``exp(X)`` for ``X ~ Normal(loc, scale)``.

    Args:
        loc: mean of the underlying Normal.
        scale: standard deviation of the underlying Normal, > 0.
        validate_args: check parameters and values.
        allow_nan_stats: TFP flag.
        name: name of the distribution.

    Example:
        >>> LogNormal(0.0, 1.0).mode()
        tensor(0.3679)
    """

    _param_event_ndims = {"loc": 0, "scale": 0}
    _param_constraints = {"scale": constraints.positive}
    _support = constraints.positive

    def __init__(self, loc, scale, validate_args: bool = False, allow_nan_stats: bool = True,
                 name: str = "LogNormal"):
        parameters = dict(locals())
        super().__init__(parameters=parameters, reparameterization_type=FULLY_REPARAMETERIZED,
                         validate_args=validate_args, allow_nan_stats=allow_nan_stats, name=name)

    def _torch_dist(self):
        return torch.distributions.LogNormal(self._value("loc"), self._value("scale"),
                                             validate_args=False)

    def _log_prob(self, value, **kwargs):
        loc, scale = self._value("loc"), self._value("scale")
        logx = torch.log(value.clamp(min=torch.finfo(value.dtype).tiny))
        z = (logx - loc) / scale
        return -0.5 * z * z - torch.log(scale) - logx - 0.5 * math.log(2 * math.pi)

    def _sample(self, sample_shape, **kwargs):
        loc, scale = self._value("loc"), self._value("scale")
        eps = torch.randn(sample_shape + self.batch_shape, dtype=loc.dtype, device=loc.device)
        return torch.exp(loc + scale * eps)

    def _z(self, value):
        logx = torch.log(value.clamp(min=0))
        return (logx - self._value("loc")) / self._value("scale")

    def _cdf(self, value, **kwargs):
        return torch.special.ndtr(self._z(value))

    def _log_cdf(self, value, **kwargs):
        return torch.special.log_ndtr(self._z(value))

    def _survival_function(self, value, **kwargs):
        return torch.special.ndtr(-self._z(value))

    def _quantile(self, value, **kwargs):
        return torch.exp(self._value("loc") + self._value("scale") * torch.special.ndtri(value))

    def _mode(self, **kwargs):
        return torch.exp(self._value("loc") - self._value("scale") ** 2)

    def _entropy(self, **kwargs):
        return self._value("loc") + 0.5 + 0.5 * math.log(2 * math.pi) + torch.log(
            self._value("scale"))


@RegisterKL(LogNormal, LogNormal)
def _kl_lognormal_lognormal(a: LogNormal, b: LogNormal, name=None):
    sa, sb = a._value("scale"), b._value("scale")
    ratio = (sa / sb) ** 2
    diff = ((a._value("loc") - b._value("loc")) / sb) ** 2
    return 0.5 * (ratio + diff - 1.0 - torch.log(ratio))
