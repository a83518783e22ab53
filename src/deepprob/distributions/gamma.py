"""The Gamma distribution and its special case Chi2."""

from __future__ import annotations

import torch
from torch.distributions import constraints

from ._torch_backed import TorchBacked
from .distribution import FULLY_REPARAMETERIZED
from .special import gammainc, gammaincinv

__all__ = ["Gamma", "Chi2"]


class Gamma(TorchBacked):
    """Gamma distribution with shape ``concentration`` and inverse scale ``rate``.

    Samples are reparameterized (torch's implicit reparameterization gradients).

    Args:
        concentration: shape ``alpha``, > 0.
        rate: inverse scale ``beta``, > 0 (give this or ``log_rate``).
        log_rate: log of ``rate``.
        validate_args: check parameters and values.
        allow_nan_stats: when False, the undefined mode (``concentration < 1``) raises.
        name: name of the distribution.

    Example:
        >>> Gamma(concentration=2.0, rate=4.0).mean()
        tensor(0.5000)
    """

    _param_event_ndims = {"concentration": 0, "rate": 0, "log_rate": 0}
    _param_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    _support = constraints.nonnegative

    def __init__(self, concentration, rate=None, log_rate=None, validate_args: bool = False,
                 allow_nan_stats: bool = True, name: str = "Gamma"):
        parameters = dict(locals())
        if (rate is None) == (log_rate is None):
            raise ValueError("Gamma: pass exactly one of `rate` and `log_rate`; received "
                             f"rate={rate!r}, log_rate={log_rate!r}.")
        super().__init__(parameters=parameters, reparameterization_type=FULLY_REPARAMETERIZED,
                         validate_args=validate_args, allow_nan_stats=allow_nan_stats, name=name)

    def _conc(self):
        return self._value("concentration")

    def _rate(self):
        rate = self._value("rate")
        return torch.exp(self._value("log_rate")) if rate is None else rate

    def _torch_dist(self):
        return torch.distributions.Gamma(self._conc(), self._rate(), validate_args=False)

    def _log_prob(self, value, **kwargs):
        c, r = self._conc(), self._rate()
        x = value.clamp(min=0)
        return torch.xlogy(c - 1, x) + c * torch.log(r) - r * x - torch.lgamma(c)

    def _cdf(self, value, **kwargs):
        return gammainc(self._conc(), self._rate() * value.clamp(min=0))

    def _quantile(self, value, **kwargs):
        return gammaincinv(self._conc(), value) / self._rate()

    def _mode(self, **kwargs):
        c, r = self._conc(), self._rate()
        mode = (c - 1) / r
        return self._nan_or_raise(mode, c < 1, "mode")


class Chi2(Gamma):
    """Chi-squared distribution with ``df`` degrees of freedom (``Gamma(df / 2, 1 / 2)``).

    Args:
        df: degrees of freedom, > 0.
        validate_args: check parameters and values.
        allow_nan_stats: when False, the undefined mode (``df < 2``) raises.
        name: name of the distribution.

    Example:
        >>> Chi2(df=3.0).variance()
        tensor(6.)
    """

    _param_event_ndims = {"df": 0}
    _param_constraints = {"df": constraints.positive}

    def __init__(self, df, validate_args: bool = False, allow_nan_stats: bool = True,
                 name: str = "Chi2"):
        parameters = dict(locals())
        TorchBacked.__init__(self, parameters=parameters,
                             reparameterization_type=FULLY_REPARAMETERIZED,
                             validate_args=validate_args, allow_nan_stats=allow_nan_stats,
                             name=name)

    def _conc(self):
        return 0.5 * self._value("df")

    def _rate(self):
        return torch.full_like(self._value("df"), 0.5)
