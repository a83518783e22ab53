"""The Bernoulli distribution."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch.distributions import constraints

from ._probs_logits import BinaryProbsLogits, check_exactly_one
from ._torch_backed import TorchBacked
from .distribution import NOT_REPARAMETERIZED

__all__ = ["Bernoulli"]


class Bernoulli(BinaryProbsLogits, TorchBacked):
    """Bernoulli distribution over ``{0, 1}``.

    As TFP and ``torch.distributions``, ``log_prob`` is the negative binary cross-entropy
    ``x * log(p) + (1 - x) * log(1 - p)`` for any real ``x`` when ``validate_args`` is False
    (so grayscale images in ``[0, 1]`` train a VAE's Bernoulli decoder); under
    ``validate_args=True`` a value other than 0 or 1 raises.

    Args:
        logits: log-odds of a 1 (give this or ``probs``).
        probs: probability of a 1, in ``[0, 1]``.
        dtype: dtype of samples (TFP's default ``int32``).
        validate_args: check parameters and values.
        allow_nan_stats: TFP flag.
        name: name of the distribution.

    Example:
        >>> Bernoulli(probs=0.25).log_prob(1)
        tensor(-1.3863)
    """

    _param_event_ndims = {"logits": 0, "probs": 0}
    _param_constraints = {"probs": constraints.unit_interval}
    _support = constraints.boolean
    _mask_outside_support = False  # the cross-entropy formula holds for any value

    def __init__(self, logits=None, probs=None, dtype: torch.dtype = torch.int32,
                 validate_args: bool = False, allow_nan_stats: bool = True,
                 name: str = "Bernoulli"):
        parameters = dict(locals())
        check_exactly_one(name, logits, probs)
        super().__init__(parameters=parameters, reparameterization_type=NOT_REPARAMETERIZED,
                         validate_args=validate_args, allow_nan_stats=allow_nan_stats, name=name,
                         dtype=dtype)

    def _torch_dist(self):
        return torch.distributions.Bernoulli(logits=self._value("logits"),
                                             probs=self._value("probs"), validate_args=False)

    def _log_prob(self, value, **kwargs):
        logits = self._logits()
        if logits.shape != value.shape:
            logits, value = torch.broadcast_tensors(logits, value)
        return -F.binary_cross_entropy_with_logits(logits, value, reduction="none")

    def _sample(self, sample_shape, **kwargs):
        p = self._probs()
        return torch.bernoulli(p.expand(sample_shape + p.shape)).to(self.dtype)

    def _cdf(self, value, **kwargs):
        p = self._probs()
        return torch.where(value < 0, torch.zeros_like(p),
                           torch.where(value < 1, 1 - p, torch.ones_like(p)))

    def _mean(self, **kwargs):
        return self._probs()

    def _mode(self, **kwargs):
        return (self._probs() > 0.5).to(self.dtype)

    def _variance(self, **kwargs):
        p = self._probs()
        return p * (1 - p)

    def _entropy(self, **kwargs):
        logits = self._logits()
        return F.binary_cross_entropy_with_logits(logits, torch.sigmoid(logits),
                                                  reduction="none")
