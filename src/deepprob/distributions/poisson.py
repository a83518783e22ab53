"""The Poisson distribution."""

from __future__ import annotations

import torch
from torch.distributions import constraints

from ._torch_backed import TorchBacked
from .distribution import NOT_REPARAMETERIZED

__all__ = ["Poisson"]


class Poisson(TorchBacked):
    """Poisson distribution with mean ``rate``.

    Args:
        rate: mean, > 0 (give this or ``log_rate``).
        log_rate: log of the mean.
        force_probs_to_zero_outside_support: accepted for TFP compatibility; non-integer and
            negative values always get probability zero here.
        validate_args: check parameters and values.
        allow_nan_stats: TFP flag.
        name: name of the distribution.

    Example:
        >>> Poisson(rate=2.0).prob(0.0)
        tensor(0.1353)
    """

    _param_event_ndims = {"rate": 0, "log_rate": 0}
    _param_constraints = {"rate": constraints.nonnegative}
    _support = constraints.nonnegative_integer

    def __init__(self, rate=None, log_rate=None, force_probs_to_zero_outside_support: bool = False,
                 validate_args: bool = False, allow_nan_stats: bool = True,
                 name: str = "Poisson"):
        parameters = dict(locals())
        if (rate is None) == (log_rate is None):
            raise ValueError(f"{name}: pass exactly one of `rate` and `log_rate`.")
        super().__init__(parameters=parameters, reparameterization_type=NOT_REPARAMETERIZED,
                         validate_args=validate_args, allow_nan_stats=allow_nan_stats, name=name)

    def _rate(self):
        rate = self._value("rate")
        return torch.exp(self._value("log_rate")) if rate is None else rate

    def _log_rate(self):
        log_rate = self._value("log_rate")
        return torch.log(self._value("rate")) if log_rate is None else log_rate

    def _torch_dist(self):
        return torch.distributions.Poisson(self._rate(), validate_args=False)

    def _log_prob(self, value, **kwargs):
        x = value.clamp(min=0)
        return torch.xlogy(x, self._rate()) - self._rate() - torch.lgamma(x + 1)

    def _cdf(self, value, **kwargs):
        k = torch.floor(value)
        rate = self._rate()
        out = torch.special.gammaincc(k.clamp(min=0) + 1, rate)
        return torch.where(k < 0, torch.zeros_like(out), out)

    def _mean(self, **kwargs):
        return self._rate()

    def _variance(self, **kwargs):
        return self._rate()

    def _mode(self, **kwargs):
        return torch.floor(self._rate())
