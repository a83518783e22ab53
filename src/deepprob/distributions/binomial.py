"""The Binomial and Multinomial distributions."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch.distributions import constraints

from ._params import broadcast_shapes_or_raise
from ._probs_logits import BinaryProbsLogits, CategoricalProbsLogits, check_exactly_one
from ._torch_backed import TorchBacked
from .distribution import NOT_REPARAMETERIZED
from .special import betainc

__all__ = ["Binomial", "Multinomial"]


class Binomial(BinaryProbsLogits, TorchBacked):
    """Number of successes in ``total_count`` independent trials of probability ``probs``.

    Args:
        total_count: number of trials (non-negative, integer valued; may be batched).
        logits: log-odds of success (give this or ``probs``).
        probs: probability of success.
        validate_args: check parameters and values.
        allow_nan_stats: TFP flag.
        name: name of the distribution.

    Example:
        >>> Binomial(total_count=4.0, probs=0.5).prob(2.0)
        tensor(0.3750)
    """

    _param_event_ndims = {"total_count": 0, "logits": 0, "probs": 0}
    _param_constraints = {"total_count": constraints.nonnegative_integer,
                          "probs": constraints.unit_interval}

    def __init__(self, total_count, logits=None, probs=None, validate_args: bool = False,
                 allow_nan_stats: bool = True, name: str = "Binomial"):
        parameters = dict(locals())
        check_exactly_one(name, logits, probs)
        super().__init__(parameters=parameters, reparameterization_type=NOT_REPARAMETERIZED,
                         validate_args=validate_args, allow_nan_stats=allow_nan_stats, name=name)

    def _support_mask(self, value):
        n = self._value("total_count")
        return (value >= 0) & (value <= n) & (value == torch.floor(value))

    def _support_description(self):
        return "an integer in [0, total_count]"

    def _torch_dist(self):
        return torch.distributions.Binomial(self._value("total_count"), logits=self._value(
            "logits"), probs=self._value("probs"), validate_args=False)

    def _log_prob(self, value, **kwargs):
        n, logits = self._value("total_count"), self._logits()
        k = value.clamp(min=0)
        k = torch.minimum(k, n)
        log_comb = torch.lgamma(n + 1) - torch.lgamma(k + 1) - torch.lgamma(n - k + 1)
        # k log p + (n - k) log(1 - p), stable in the logits
        return log_comb - k * F.softplus(-logits) - (n - k) * F.softplus(logits)

    def _sample(self, sample_shape, **kwargs):
        n, p = torch.broadcast_tensors(self._value("total_count"), self._probs())
        shape = sample_shape + n.shape
        return torch.binomial(n.expand(shape).contiguous(), p.expand(shape).contiguous())

    def _cdf(self, value, **kwargs):
        n, p = torch.broadcast_tensors(self._value("total_count"), self._probs())
        k = torch.floor(value)
        shape = broadcast_shapes_or_raise(k.shape, n.shape)
        n, p, k = n.expand(shape), p.expand(shape), k.expand(shape)
        inside = (k >= 0) & (k < n)
        ks = torch.where(inside, k, torch.zeros_like(k))
        ns = torch.where(inside, n, torch.ones_like(n))
        out = betainc(ns - ks, ks + 1, 1 - p)
        out = torch.where(k < 0, torch.zeros_like(out), out)
        return torch.where(k >= n, torch.ones_like(out), out)

    def _mean(self, **kwargs):
        return self._value("total_count") * self._probs()

    def _variance(self, **kwargs):
        p = self._probs()
        return self._value("total_count") * p * (1 - p)

    def _mode(self, **kwargs):
        n = self._value("total_count")
        return torch.minimum(torch.floor((n + 1) * self._probs()), n)

    def _entropy(self, **kwargs):
        n, p = torch.broadcast_tensors(self._value("total_count"), self._probs())
        kmax = int(n.max()) if n.numel() else 0
        k = torch.arange(kmax + 1, dtype=n.dtype, device=n.device).reshape(
            (-1,) + (1,) * n.ndim)
        lp = self._log_prob(k)
        inside = k <= n
        return -torch.where(inside, torch.exp(lp) * lp, torch.zeros_like(lp)).sum(0)


class Multinomial(CategoricalProbsLogits, TorchBacked):
    """Counts of each of ``K`` outcomes in ``total_count`` draws (event shape ``[K]``).

    ``total_count`` may be batched (unlike ``torch.distributions.Multinomial``).

    Args:
        total_count: number of draws (non-negative, integer valued).
        logits: ``[..., K]`` unnormalized log probabilities (give this or ``probs``).
        probs: ``[..., K]`` probabilities summing to 1.
        validate_args: check parameters and values.
        allow_nan_stats: TFP flag.
        name: name of the distribution.

    Example:
        >>> Multinomial(total_count=2.0, probs=[0.5, 0.5]).prob([1.0, 1.0])
        tensor(0.5000)
    """

    _param_event_ndims = {"total_count": 0, "logits": 1, "probs": 1}
    _param_constraints = {"total_count": constraints.nonnegative_integer,
                          "probs": constraints.simplex}

    def __init__(self, total_count, logits=None, probs=None, validate_args: bool = False,
                 allow_nan_stats: bool = True, name: str = "Multinomial"):
        parameters = dict(locals())
        check_exactly_one(name, logits, probs)
        super().__init__(parameters=parameters, reparameterization_type=NOT_REPARAMETERIZED,
                         validate_args=validate_args, allow_nan_stats=allow_nan_stats, name=name)

    def _event_shape(self):
        return torch.Size((self._num_categories(),))

    def _support_mask(self, value):
        n = self._value("total_count")
        ok = ((value >= 0) & (value == torch.floor(value))).all(-1)
        return ok & (value.sum(-1) == n)

    def _support_description(self):
        return "non-negative integer counts summing to total_count"

    def _log_prob(self, value, **kwargs):
        n = self._value("total_count")
        x = value.clamp(min=0)
        logp = self._log_probs()
        terms = torch.where(x > 0, x * logp, torch.zeros_like(x * logp)).sum(-1)
        return torch.lgamma(n + 1) - torch.lgamma(x + 1).sum(-1) + terms

    def _sample(self, sample_shape, **kwargs):
        # Conditional binomials: count_k ~ Binomial(remaining, p_k / remaining mass).
        p = self._probs()
        n = self._value("total_count")
        shape = sample_shape + self.batch_shape
        k = p.shape[-1]
        p = p.expand(shape + (k,))
        remaining = n.expand(shape).clone()
        mass = torch.ones_like(remaining)
        counts = []
        for i in range(k - 1):
            q = (p[..., i] / mass.clamp(min=1e-30)).clamp(0, 1)
            c = torch.binomial(remaining.contiguous(), q.contiguous())
            counts.append(c)
            remaining = remaining - c
            mass = mass - p[..., i]
        counts.append(remaining)
        return torch.stack(counts, dim=-1)

    def _mean(self, **kwargs):
        return self._value("total_count").unsqueeze(-1) * self._probs()

    def _variance(self, **kwargs):
        p = self._probs()
        return self._value("total_count").unsqueeze(-1) * p * (1 - p)

    def _covariance(self, **kwargs):
        p = self._probs()
        n = self._value("total_count")[..., None, None]
        cov = n * (torch.diag_embed(p) - p.unsqueeze(-1) * p.unsqueeze(-2))
        return cov.expand(self.batch_shape + cov.shape[-2:])
