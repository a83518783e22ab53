"""The Laplace (double exponential) distribution."""

from __future__ import annotations

import math

import torch
from torch.distributions import constraints

from ._torch_backed import TorchBacked
from .distribution import FULLY_REPARAMETERIZED

__all__ = ["Laplace"]


class Laplace(TorchBacked):
    """Laplace distribution with density ``exp(-|x - loc| / scale) / (2 scale)``.

    Args:
        loc: location (mean, median, mode).
        scale: scale, > 0.
        validate_args: check parameters.
        allow_nan_stats: TFP flag.
        name: name of the distribution.

    Example:
        >>> Laplace(0.0, 1.0).variance()
        tensor(2.)
    """

    _param_event_ndims = {"loc": 0, "scale": 0}
    _param_constraints = {"scale": constraints.positive}

    def __init__(self, loc, scale, validate_args: bool = False, allow_nan_stats: bool = True,
                 name: str = "Laplace"):
        parameters = dict(locals())
        super().__init__(parameters=parameters, reparameterization_type=FULLY_REPARAMETERIZED,
                         validate_args=validate_args, allow_nan_stats=allow_nan_stats, name=name)

    def _torch_dist(self):
        return torch.distributions.Laplace(self._value("loc"), self._value("scale"),
                                           validate_args=False)

    def _cdf(self, value, **kwargs):
        z = (value - self._value("loc")) / self._value("scale")
        return 0.5 - 0.5 * torch.sign(z) * torch.expm1(-z.abs())

    def _quantile(self, value, **kwargs):
        return self._torch_dist().icdf(value)

    def _entropy(self, **kwargs):
        return math.log(2.0) + 1.0 + torch.log(self._value("scale"))
