"""The Deterministic (point mass) distribution."""

from __future__ import annotations

import torch

from .distribution import FULLY_REPARAMETERIZED, Distribution
from .kullback_leibler import RegisterKL

__all__ = ["Deterministic"]


class Deterministic(Distribution):
    """Point mass at ``loc``: ``prob(x) = 1`` when ``|x - loc| <= atol + rtol * |loc|`` else 0.

    Args:
        loc: the point.
        atol: absolute tolerance (default 0).
        rtol: relative tolerance (default 0).
        validate_args: check tolerances are non-negative.
        allow_nan_stats: TFP flag.
        name: name of the distribution.

    Example:
        >>> Deterministic(2.0).prob([2.0, 3.0])
        tensor([1., 0.])
    """

    _param_event_ndims = {"loc": 0, "atol": 0, "rtol": 0}

    def __init__(self, loc, atol=None, rtol=None, validate_args: bool = False,
                 allow_nan_stats: bool = True, name: str = "Deterministic"):
        parameters = dict(locals())
        super().__init__(parameters=parameters, reparameterization_type=FULLY_REPARAMETERIZED,
                         validate_args=validate_args, allow_nan_stats=allow_nan_stats, name=name)

    def _check_parameters_extra(self):
        for n in ("atol", "rtol"):
            v = self._value(n)
            if v is not None and not bool(torch.all(v >= 0)):
                raise ValueError(f"{self.name}: argument `{n}` must be >= 0; received {v}.")

    def _tolerance(self):
        loc = self._value("loc")
        tol = torch.zeros_like(loc)
        if self._value("atol") is not None:
            tol = tol + self._value("atol")
        if self._value("rtol") is not None:
            tol = tol + self._value("rtol") * loc.abs()
        return tol

    def _prob(self, value, **kwargs):
        return ((value - self._value("loc")).abs() <= self._tolerance()).to(self._float_dtype)

    def _log_prob(self, value, **kwargs):
        return torch.log(self._prob(value))

    def _cdf(self, value, **kwargs):
        return (value >= self._value("loc") - self._tolerance()).to(self._float_dtype)

    def _sample(self, sample_shape, **kwargs):
        loc = self._value("loc")
        return loc.expand(sample_shape + self.batch_shape)

    def _mean(self, **kwargs):
        return self._value("loc")

    def _mode(self, **kwargs):
        return self._value("loc")

    def _variance(self, **kwargs):
        return torch.zeros_like(self._value("loc"))

    def _entropy(self, **kwargs):
        return torch.zeros_like(self._value("loc"))


@RegisterKL(Deterministic, Distribution)
def _kl_deterministic_any(a: Deterministic, b: Distribution, name=None):
    return -b.log_prob(a._value("loc"))
