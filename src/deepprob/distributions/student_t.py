"""The Student's t distribution."""

from __future__ import annotations

import math

import torch
from torch.distributions import constraints

from ._torch_backed import TorchBacked
from .distribution import FULLY_REPARAMETERIZED
from .special import student_t_cdf, student_t_quantile

__all__ = ["StudentT"]


class StudentT(TorchBacked):
    """Student's t distribution with ``df`` degrees of freedom, location and scale.

    Args:
        df: degrees of freedom, > 0.
        loc: location (the mean when ``df > 1``).
        scale: scale, > 0 (not the standard deviation).
        validate_args: check parameters.
        allow_nan_stats: when False, undefined moments (mean for ``df <= 1``, variance for
            ``df <= 1``) raise instead of returning NaN.
        name: name of the distribution.

    Example:
        >>> StudentT(df=3.0, loc=0.0, scale=1.0).cdf(0.0)
        tensor(0.5000)
    """

    _param_event_ndims = {"df": 0, "loc": 0, "scale": 0}
    _param_constraints = {"df": constraints.positive, "scale": constraints.positive}

    def __init__(self, df, loc, scale, validate_args: bool = False, allow_nan_stats: bool = True,
                 name: str = "StudentT"):
        parameters = dict(locals())
        super().__init__(parameters=parameters, reparameterization_type=FULLY_REPARAMETERIZED,
                         validate_args=validate_args, allow_nan_stats=allow_nan_stats, name=name)

    def _torch_dist(self):
        return torch.distributions.StudentT(self._value("df"), self._value("loc"),
                                            self._value("scale"), validate_args=False)

    def _cdf(self, value, **kwargs):
        z = (value - self._value("loc")) / self._value("scale")
        return student_t_cdf(self._value("df"), z)

    def _quantile(self, value, **kwargs):
        return self._value("loc") + self._value("scale") * student_t_quantile(self._value("df"),
                                                                              value)

    def _mean(self, **kwargs):
        df, loc = torch.broadcast_tensors(self._value("df"), self._value("loc"))
        return self._nan_or_raise(loc, df <= 1, "mean")

    def _mode(self, **kwargs):
        return self._value("loc")

    def _variance(self, **kwargs):
        df, scale = torch.broadcast_tensors(self._value("df"), self._value("scale"))
        var = scale**2 * df / (df - 2)
        var = torch.where(df <= 2, torch.full_like(var, math.inf), var)
        return self._nan_or_raise(var, df <= 1, "variance")
