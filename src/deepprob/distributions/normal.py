"""The Normal (Gaussian) distribution."""

from __future__ import annotations

import math

import torch
from torch.distributions import constraints

from ._torch_backed import TorchBacked
from .distribution import FULLY_REPARAMETERIZED
from .kullback_leibler import RegisterKL

__all__ = ["Normal"]


class Normal(TorchBacked):
    """Normal distribution with mean ``loc`` and standard deviation ``scale``.

    Args:
        loc: mean (any form of the parameter protocol: number, list, array, tensor,
            ``nn.Parameter``, module returning a tensor).
        scale: standard deviation, > 0.
        validate_args: check ``scale > 0`` and values given to ``log_prob``.
        allow_nan_stats: TFP flag; every statistic is defined here.
        name: name of the distribution.

    Example:
        >>> d = Normal(loc=0.0, scale=[1.0, 2.0])
        >>> d.log_prob(0.0)
        tensor([-0.9189, -1.6121])
    """

    _param_event_ndims = {"loc": 0, "scale": 0}
    _param_constraints = {"scale": constraints.positive}

    def __init__(self, loc, scale, validate_args: bool = False, allow_nan_stats: bool = True,
                 name: str = "Normal"):
        parameters = dict(locals())
        super().__init__(parameters=parameters, reparameterization_type=FULLY_REPARAMETERIZED,
                         validate_args=validate_args, allow_nan_stats=allow_nan_stats, name=name)

    def _torch_dist(self):
        return torch.distributions.Normal(self._value("loc"), self._value("scale"),
                                          validate_args=False)

    def _log_prob(self, value, **kwargs):
        loc, scale = self._value("loc"), self._value("scale")
        z = (value - loc) / scale
        return -0.5 * z * z - torch.log(scale) - 0.5 * math.log(2 * math.pi)

    def _sample(self, sample_shape, **kwargs):
        loc, scale = self._value("loc"), self._value("scale")
        shape = sample_shape + self.batch_shape
        eps = torch.randn(shape, dtype=loc.dtype, device=loc.device)
        return loc + eps * scale

    def _cdf(self, value, **kwargs):
        return torch.special.ndtr((value - self._value("loc")) / self._value("scale"))

    def _log_cdf(self, value, **kwargs):
        return torch.special.log_ndtr((value - self._value("loc")) / self._value("scale"))

    def _survival_function(self, value, **kwargs):
        return torch.special.ndtr(-(value - self._value("loc")) / self._value("scale"))

    def _log_survival_function(self, value, **kwargs):
        return torch.special.log_ndtr(-(value - self._value("loc")) / self._value("scale"))

    def _quantile(self, value, **kwargs):
        return self._value("loc") + self._value("scale") * torch.special.ndtri(value)

    def _mean(self, **kwargs):
        return self._value("loc")

    def _mode(self, **kwargs):
        return self._value("loc")

    def _stddev(self, **kwargs):
        return self._value("scale")

    def _entropy(self, **kwargs):
        return 0.5 * math.log(2 * math.pi * math.e) + torch.log(self._value("scale"))


@RegisterKL(Normal, Normal)
def _kl_normal_normal(a: Normal, b: Normal, name=None):
    sa, sb = a._value("scale"), b._value("scale")
    ratio = (sa / sb) ** 2
    diff = ((a._value("loc") - b._value("loc")) / sb) ** 2
    return 0.5 * (ratio + diff - 1.0 - torch.log(ratio))
