"""The Categorical and OneHotCategorical distributions."""

from __future__ import annotations

import torch
from torch.distributions import constraints

from ._params import broadcast_shapes_or_raise
from ._probs_logits import CategoricalProbsLogits, check_exactly_one
from ._torch_backed import TorchBacked
from .distribution import NOT_REPARAMETERIZED

__all__ = ["Categorical", "OneHotCategorical"]


class Categorical(CategoricalProbsLogits, TorchBacked):
    """Distribution over class indices ``{0, ..., K-1}``; the last parameter axis is the class.

    Difference from TFP: samples default to ``torch.int64`` (torch's index dtype) instead of
    ``int32``.

    Args:
        logits: ``[..., K]`` unnormalized log probabilities (give this or ``probs``).
        probs: ``[..., K]`` probabilities summing to 1.
        dtype: dtype of samples.
        validate_args: check parameters and values.
        allow_nan_stats: TFP flag.
        name: name of the distribution.

    Example:
        >>> Categorical(probs=[0.2, 0.8]).log_prob(1)
        tensor(-0.2231)
    """

    _param_event_ndims = {"logits": 1, "probs": 1}
    _param_constraints = {"probs": constraints.simplex}

    def __init__(self, logits=None, probs=None, dtype: torch.dtype = torch.int64,
                 validate_args: bool = False, allow_nan_stats: bool = True,
                 name: str = "Categorical"):
        parameters = dict(locals())
        check_exactly_one(name, logits, probs)
        super().__init__(parameters=parameters, reparameterization_type=NOT_REPARAMETERIZED,
                         validate_args=validate_args, allow_nan_stats=allow_nan_stats, name=name,
                         dtype=dtype)

    def _support_mask(self, value):
        k = self._num_categories()
        return (value >= 0) & (value < k) & (value == torch.floor(value))

    def _support_description(self):
        return f"an integer in [0, {self._num_categories() - 1}]"

    def _torch_dist(self):
        return torch.distributions.Categorical(logits=self._value("logits"),
                                               probs=self._value("probs"), validate_args=False)

    def _gather(self, table, value):
        k = table.shape[-1]
        index = value.clamp(0, k - 1).long()
        shape = broadcast_shapes_or_raise(index.shape, table.shape[:-1])
        index = index.expand(shape).unsqueeze(-1)
        return torch.gather(table.expand(shape + (k,)), -1, index).squeeze(-1)

    def _log_prob(self, value, **kwargs):
        return self._gather(self._log_probs(), value)

    def _cdf(self, value, **kwargs):
        cum = torch.cumsum(self._probs(), dim=-1)
        out = self._gather(cum, torch.floor(value))
        out = torch.where(value < 0, torch.zeros_like(out), out)
        return torch.where(value >= self._num_categories() - 1, torch.ones_like(out), out)

    def _sample(self, sample_shape, **kwargs):
        return self._torch_dist().sample(sample_shape).to(self.dtype)

    def _mode(self, **kwargs):
        return torch.argmax(self._log_probs(), dim=-1).to(self.dtype)

    def _mean(self, **kwargs):
        p = self._probs()
        return (p * torch.arange(p.shape[-1], dtype=p.dtype, device=p.device)).sum(-1)

    def _variance(self, **kwargs):
        p = self._probs()
        k = torch.arange(p.shape[-1], dtype=p.dtype, device=p.device)
        m = (p * k).sum(-1, keepdim=True)
        return (p * (k - m) ** 2).sum(-1)

    def _entropy(self, **kwargs):
        logp = self._log_probs()
        return -(torch.exp(logp) * logp.clamp(min=torch.finfo(logp.dtype).min)).sum(-1)


class OneHotCategorical(CategoricalProbsLogits, TorchBacked):
    """Categorical distribution whose samples are one-hot vectors of length ``K`` (the event).

    Args:
        logits: ``[..., K]`` unnormalized log probabilities (give this or ``probs``).
        probs: ``[..., K]`` probabilities summing to 1.
        dtype: dtype of samples (TFP's default ``int32``).
        validate_args: check parameters and values.
        allow_nan_stats: TFP flag.
        name: name of the distribution.

    Example:
        >>> OneHotCategorical(probs=[0.2, 0.8]).log_prob([0, 1])
        tensor(-0.2231)
    """

    _param_event_ndims = {"logits": 1, "probs": 1}
    _param_constraints = {"probs": constraints.simplex}

    def __init__(self, logits=None, probs=None, dtype: torch.dtype = torch.int32,
                 validate_args: bool = False, allow_nan_stats: bool = True,
                 name: str = "OneHotCategorical"):
        parameters = dict(locals())
        check_exactly_one(name, logits, probs)
        super().__init__(parameters=parameters, reparameterization_type=NOT_REPARAMETERIZED,
                         validate_args=validate_args, allow_nan_stats=allow_nan_stats, name=name,
                         dtype=dtype)

    def _event_shape(self):
        return torch.Size((self._num_categories(),))

    def _support_mask(self, value):
        return (((value == 0) | (value == 1)).all(-1)) & (value.sum(-1) == 1)

    def _support_description(self):
        return "a one-hot vector"

    def _torch_dist(self):
        return torch.distributions.OneHotCategorical(
            logits=self._value("logits"), probs=self._value("probs"), validate_args=False)

    def _log_prob(self, value, **kwargs):
        logp = self._log_probs()
        return torch.where(value > 0, logp * value, torch.zeros_like(logp * value)).sum(-1)

    def _sample(self, sample_shape, **kwargs):
        return self._torch_dist().sample(sample_shape).to(self.dtype)

    def _mode(self, **kwargs):
        logp = self._log_probs()
        return torch.nn.functional.one_hot(logp.argmax(-1), logp.shape[-1]).to(self.dtype)

    def _mean(self, **kwargs):
        return self._probs()

    def _variance(self, **kwargs):
        p = self._probs()
        return p * (1 - p)

    def _covariance(self, **kwargs):
        p = self._probs()
        cov = torch.diag_embed(p) - p.unsqueeze(-1) * p.unsqueeze(-2)
        return cov.expand(self.batch_shape + cov.shape[-2:])

    def _entropy(self, **kwargs):
        logp = self._log_probs()
        return -(torch.exp(logp) * logp.clamp(min=torch.finfo(logp.dtype).min)).sum(-1)
