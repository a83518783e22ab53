"""The NegativeBinomial and Geometric distributions."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch.distributions import constraints

from ._probs_logits import BinaryProbsLogits, check_exactly_one
from ._torch_backed import TorchBacked
from .distribution import NOT_REPARAMETERIZED
from .special import betainc

__all__ = ["NegativeBinomial", "Geometric"]


class NegativeBinomial(BinaryProbsLogits, TorchBacked):
    """Number of successes before ``total_count`` failures, success probability ``probs``.

    Args:
        total_count: number of failures, > 0 (real valued allowed).
        logits: log-odds of success (give this or ``probs``).
        probs: probability of success.
        validate_args: check parameters and values.
        allow_nan_stats: TFP flag.
        name: name of the distribution.

    Example:
        >>> NegativeBinomial(total_count=3.0, probs=0.5).mean()
        tensor(3.)
    """

    _param_event_ndims = {"total_count": 0, "logits": 0, "probs": 0}
    _param_constraints = {"total_count": constraints.positive,
                          "probs": constraints.half_open_interval(0.0, 1.0)}
    _support = constraints.nonnegative_integer

    def __init__(self, total_count, logits=None, probs=None, validate_args: bool = False,
                 allow_nan_stats: bool = True, name: str = "NegativeBinomial"):
        parameters = dict(locals())
        check_exactly_one(name, logits, probs)
        super().__init__(parameters=parameters, reparameterization_type=NOT_REPARAMETERIZED,
                         validate_args=validate_args, allow_nan_stats=allow_nan_stats, name=name)

    def _torch_dist(self):
        return torch.distributions.NegativeBinomial(
            self._value("total_count"), logits=self._value("logits"), probs=self._value("probs"),
            validate_args=False)

    def _log_prob(self, value, **kwargs):
        r, logits = self._value("total_count"), self._logits()
        k = value.clamp(min=0)
        log_comb = torch.lgamma(k + r) - torch.lgamma(r) - torch.lgamma(k + 1)
        return log_comb - k * F.softplus(-logits) - r * F.softplus(logits)

    def _cdf(self, value, **kwargs):
        r, p = self._value("total_count"), self._probs()
        k = torch.floor(value)
        out = betainc(r, k.clamp(min=0) + 1, 1 - p)
        return torch.where(k < 0, torch.zeros_like(out), out)

    def _mean(self, **kwargs):
        return self._value("total_count") * torch.exp(self._logits())

    def _variance(self, **kwargs):
        return self._mean() / (1 - self._probs())

    def _mode(self, **kwargs):
        r = self._value("total_count")
        return torch.floor((r - 1).clamp(min=0) * torch.exp(self._logits()))


class Geometric(BinaryProbsLogits, TorchBacked):
    """Number of failures before the first success (support ``{0, 1, ...}``).

    Args:
        logits: log-odds of success (give this or ``probs``).
        probs: probability of success, in ``(0, 1]``.
        validate_args: check parameters and values.
        allow_nan_stats: TFP flag.
        name: name of the distribution.

    Example:
        >>> Geometric(probs=0.5).prob(1.0)
        tensor(0.2500)
    """

    _param_event_ndims = {"logits": 0, "probs": 0}
    _param_constraints = {"probs": constraints.unit_interval}
    _support = constraints.nonnegative_integer

    def __init__(self, logits=None, probs=None, force_probs_to_zero_outside_support: bool = False,
                 validate_args: bool = False, allow_nan_stats: bool = True,
                 name: str = "Geometric"):
        parameters = dict(locals())
        check_exactly_one(name, logits, probs)
        super().__init__(parameters=parameters, reparameterization_type=NOT_REPARAMETERIZED,
                         validate_args=validate_args, allow_nan_stats=allow_nan_stats, name=name)

    def _torch_dist(self):
        return torch.distributions.Geometric(logits=self._value("logits"),
                                             probs=self._value("probs"), validate_args=False)

    def _log_prob(self, value, **kwargs):
        logits = self._logits()
        k = value.clamp(min=0)
        return -k * F.softplus(logits) - F.softplus(-logits)

    def _cdf(self, value, **kwargs):
        k = torch.floor(value)
        logits = self._logits()
        out = -torch.expm1(-(k.clamp(min=0) + 1) * F.softplus(logits))
        return torch.where(k < 0, torch.zeros_like(out), out)

    def _mean(self, **kwargs):
        return torch.exp(-self._logits())

    def _variance(self, **kwargs):
        p = self._probs()
        return (1 - p) / (p * p)

    def _mode(self, **kwargs):
        return torch.zeros_like(self._probs())
